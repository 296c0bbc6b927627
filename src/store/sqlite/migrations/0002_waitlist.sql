-- The waitlists of full sessions: the line is in `joined_at` order (ties by id, which is
-- time-ordered), and a contact is at most once in the line of a session.
CREATE TABLE waitlist (
    doc           TEXT NOT NULL CHECK (json_valid(doc)),
    bot           TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id            TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    session       TEXT GENERATED ALWAYS AS (doc ->> '$.session') VIRTUAL,
    contact       TEXT GENERATED ALWAYS AS (doc ->> '$.contact') VIRTUAL,
    status        TEXT GENERATED ALWAYS AS (doc ->> '$.status') VIRTUAL,
    offered_until INTEGER GENERATED ALWAYS AS (doc ->> '$.offered_until') VIRTUAL,
    joined_at     INTEGER GENERATED ALWAYS AS (doc ->> '$.joined_at') VIRTUAL
);
CREATE UNIQUE INDEX waitlist_key ON waitlist (bot, id);
CREATE UNIQUE INDEX waitlist_once ON waitlist (bot, session, contact) WHERE status IN ('waiting', 'offered');
CREATE INDEX waitlist_line ON waitlist (bot, session, status, joined_at, id);
CREATE INDEX waitlist_offers ON waitlist (status, offered_until);
