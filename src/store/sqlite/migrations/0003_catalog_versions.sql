-- A counter per bot that every change to its courses, offers or sessions bumps, whichever
-- connection or process makes it (the server, the CLI): a process may keep the parsed catalog in
-- memory and know from one small read whether it is still current. (No `INSERT OR IGNORE` here:
-- inside a trigger the outer statement's conflict policy would override it.)
CREATE TABLE catalog_versions (
    bot     TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER courses_insert_bumps AFTER INSERT ON courses BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT NEW.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = NEW.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = NEW.bot;
END;
CREATE TRIGGER courses_update_bumps AFTER UPDATE ON courses BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT NEW.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = NEW.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = NEW.bot;
END;
CREATE TRIGGER courses_delete_bumps AFTER DELETE ON courses BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT OLD.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = OLD.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = OLD.bot;
END;
CREATE TRIGGER offers_insert_bumps AFTER INSERT ON offers BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT NEW.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = NEW.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = NEW.bot;
END;
CREATE TRIGGER offers_update_bumps AFTER UPDATE ON offers BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT NEW.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = NEW.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = NEW.bot;
END;
CREATE TRIGGER offers_delete_bumps AFTER DELETE ON offers BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT OLD.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = OLD.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = OLD.bot;
END;
CREATE TRIGGER sessions_insert_bumps AFTER INSERT ON sessions BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT NEW.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = NEW.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = NEW.bot;
END;
CREATE TRIGGER sessions_update_bumps AFTER UPDATE ON sessions BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT NEW.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = NEW.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = NEW.bot;
END;
CREATE TRIGGER sessions_delete_bumps AFTER DELETE ON sessions BEGIN
    INSERT INTO catalog_versions (bot, version)
        SELECT OLD.bot, 0 WHERE NOT EXISTS (SELECT 1 FROM catalog_versions WHERE bot = OLD.bot);
    UPDATE catalog_versions SET version = version + 1 WHERE bot = OLD.bot;
END;
