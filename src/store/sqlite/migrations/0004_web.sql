-- The web widget: each visitor's replies numbered 1, 2, 3… (the single writer numbers them, so
-- the order of the numbers is the order of the commits), and the look the coach set from chat.
CREATE TABLE web_events (
    bot        TEXT NOT NULL,
    visitor    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    id         TEXT NOT NULL,
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (bot, visitor, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX web_events_id ON web_events (bot, id);
CREATE INDEX web_events_age ON web_events (created_at);

CREATE TABLE bot_settings (
    bot  TEXT NOT NULL PRIMARY KEY,
    doc  TEXT NOT NULL CHECK (json_valid(doc))
);
