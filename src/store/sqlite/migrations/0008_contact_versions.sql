-- A counter per contact of a bot that every change to its data bumps (the contact, its
-- identities, its bookings and its wallets), whichever connection or process makes it, and a
-- revision of each conversation that every save of it bumps: a process that keeps a contact's
-- chat in memory knows, at the one write of a message answered from it, whether it is still
-- current (as `catalog_versions` tells for the catalog). The conversation, saved by every
-- message, carries its own revision in its row rather than writing a page of this table each
-- time. A contact's id, and the contact of a booking or wallet, never change; an identity may
-- move to another contact, which bumps both.
CREATE TABLE contact_versions (
    bot     TEXT NOT NULL,
    contact TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (bot, contact)
) WITHOUT ROWID;

CREATE TRIGGER contacts_insert_bumps AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.id);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.id;
END;

CREATE TRIGGER contacts_update_bumps AFTER UPDATE ON contacts BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.id);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.id;
END;

CREATE TRIGGER contacts_delete_bumps AFTER DELETE ON contacts BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT OLD.bot, OLD.id, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = OLD.bot AND contact = OLD.id);
    UPDATE contact_versions SET version = version + 1 WHERE bot = OLD.bot AND contact = OLD.id;
END;

CREATE TRIGGER contact_identities_insert_bumps AFTER INSERT ON contact_identities BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.contact;
END;

CREATE TRIGGER contact_identities_update_bumps AFTER UPDATE ON contact_identities BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.contact;
END;

CREATE TRIGGER contact_identities_move_bumps AFTER UPDATE ON contact_identities WHEN OLD.contact IS NOT NEW.contact BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT OLD.bot, OLD.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = OLD.bot AND contact = OLD.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = OLD.bot AND contact = OLD.contact;
END;

CREATE TRIGGER contact_identities_delete_bumps AFTER DELETE ON contact_identities BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT OLD.bot, OLD.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = OLD.bot AND contact = OLD.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = OLD.bot AND contact = OLD.contact;
END;

CREATE TRIGGER bookings_insert_bumps AFTER INSERT ON bookings BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.contact;
END;

CREATE TRIGGER bookings_update_bumps AFTER UPDATE ON bookings BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.contact;
END;

CREATE TRIGGER bookings_delete_bumps AFTER DELETE ON bookings BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT OLD.bot, OLD.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = OLD.bot AND contact = OLD.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = OLD.bot AND contact = OLD.contact;
END;

CREATE TRIGGER wallets_insert_bumps AFTER INSERT ON wallets BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.contact;
END;

CREATE TRIGGER wallets_update_bumps AFTER UPDATE ON wallets BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT NEW.bot, NEW.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = NEW.bot AND contact = NEW.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = NEW.bot AND contact = NEW.contact;
END;

CREATE TRIGGER wallets_delete_bumps AFTER DELETE ON wallets BEGIN
    INSERT INTO contact_versions (bot, contact, version)
        SELECT OLD.bot, OLD.contact, 0
        WHERE NOT EXISTS (SELECT 1 FROM contact_versions WHERE bot = OLD.bot AND contact = OLD.contact);
    UPDATE contact_versions SET version = version + 1 WHERE bot = OLD.bot AND contact = OLD.contact;
END;

ALTER TABLE conversations ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
