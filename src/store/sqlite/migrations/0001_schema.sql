-- One table per aggregate. `doc` holds the domain record as JSON (the same shape MongoDB stores);
-- generated columns expose the fields that are looked up, ordered or kept unique.

CREATE TABLE contacts (
    doc   TEXT NOT NULL CHECK (json_valid(doc)),
    bot   TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id    TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    email TEXT GENERATED ALWAYS AS (doc ->> '$.email') VIRTUAL,
    phone TEXT GENERATED ALWAYS AS (doc ->> '$.phone') VIRTUAL,
    created_at INTEGER GENERATED ALWAYS AS (doc ->> '$.created_at') VIRTUAL
);
CREATE UNIQUE INDEX contacts_key ON contacts (bot, id);
CREATE INDEX contacts_email ON contacts (bot, email, created_at);
CREATE INDEX contacts_phone ON contacts (bot, phone, created_at);

-- Each identity (channel:id) belongs to one contact of a bot.
CREATE TABLE contact_identities (
    bot      TEXT NOT NULL,
    identity TEXT NOT NULL,
    contact  TEXT NOT NULL,
    PRIMARY KEY (bot, identity)
) WITHOUT ROWID;
CREATE INDEX contact_identities_contact ON contact_identities (bot, contact);

CREATE TABLE courses (
    doc TEXT NOT NULL CHECK (json_valid(doc)),
    bot TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id  TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL
);
CREATE UNIQUE INDEX courses_key ON courses (bot, id);

CREATE TABLE offers (
    doc TEXT NOT NULL CHECK (json_valid(doc)),
    bot TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id  TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL
);
CREATE UNIQUE INDEX offers_key ON offers (bot, id);

CREATE TABLE sessions (
    doc    TEXT NOT NULL CHECK (json_valid(doc)),
    bot    TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id     TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    course TEXT GENERATED ALWAYS AS (doc ->> '$.course') VIRTUAL,
    start  INTEGER GENERATED ALWAYS AS (doc ->> '$.start') VIRTUAL
);
CREATE UNIQUE INDEX sessions_key ON sessions (bot, id);
CREATE UNIQUE INDEX sessions_course_start ON sessions (bot, course, start);
CREATE INDEX sessions_start ON sessions (bot, start);

CREATE TABLE bookings (
    doc     TEXT NOT NULL CHECK (json_valid(doc)),
    bot     TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id      TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    contact TEXT GENERATED ALWAYS AS (doc ->> '$.contact') VIRTUAL,
    session TEXT GENERATED ALWAYS AS (doc ->> '$.session') VIRTUAL,
    status  TEXT GENERATED ALWAYS AS (doc ->> '$.status') VIRTUAL,
    reference TEXT GENERATED ALWAYS AS (doc ->> '$.reference') VIRTUAL
);
CREATE UNIQUE INDEX bookings_key ON bookings (bot, id);
-- A contact holds at most one seat per session.
CREATE UNIQUE INDEX bookings_one_seat ON bookings (bot, session, contact)
    WHERE status IN ('pending_payment', 'confirmed');
-- The coach types references: one active booking per reference.
CREATE UNIQUE INDEX bookings_reference ON bookings (bot, reference)
    WHERE status IN ('pending_payment', 'confirmed');
CREATE INDEX bookings_holds ON bookings (status, doc ->> '$.hold_until');
CREATE INDEX bookings_contact ON bookings (bot, contact);
CREATE INDEX bookings_session ON bookings (bot, session);

CREATE TABLE wallets (
    doc     TEXT NOT NULL CHECK (json_valid(doc)),
    bot     TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id      TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    contact TEXT GENERATED ALWAYS AS (doc ->> '$.contact') VIRTUAL
);
CREATE UNIQUE INDEX wallets_key ON wallets (bot, id);
CREATE INDEX wallets_contact ON wallets (bot, contact);

-- A batch is written hidden (`pending` set), its codes added, then published; until then neither
-- the batch nor its codes are visible (codes are read through a join on a published batch).
CREATE TABLE promo_batches (
    doc     TEXT NOT NULL CHECK (json_valid(doc)),
    bot     TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id      TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    pending INTEGER GENERATED ALWAYS AS (doc ->> '$.pending') VIRTUAL
);
CREATE UNIQUE INDEX promo_batches_key ON promo_batches (bot, id);

CREATE TABLE promo_codes (
    doc   TEXT NOT NULL CHECK (json_valid(doc)),
    bot   TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    key   TEXT GENERATED ALWAYS AS (doc ->> '$.key') VIRTUAL,
    batch TEXT GENERATED ALWAYS AS (doc ->> '$.batch') VIRTUAL
);
CREATE UNIQUE INDEX promo_codes_key ON promo_codes (bot, key);
-- Codes of a batch are listed in creation order (rowid): this index only ever grows at its end,
-- which keeps writing a large batch cheap (random keys already cost one random index insert each).
CREATE INDEX promo_codes_batch ON promo_codes (bot, batch);

CREATE TABLE redemptions (
    doc     TEXT NOT NULL CHECK (json_valid(doc)),
    bot     TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id      TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    code    TEXT GENERATED ALWAYS AS (doc ->> '$.code') VIRTUAL,
    contact TEXT GENERATED ALWAYS AS (doc ->> '$.contact') VIRTUAL
);
CREATE UNIQUE INDEX redemptions_key ON redemptions (bot, id);
CREATE INDEX redemptions_code ON redemptions (bot, code, contact);

CREATE TABLE outbox (
    doc         TEXT NOT NULL CHECK (json_valid(doc)),
    bot         TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    id          TEXT GENERATED ALWAYS AS (doc ->> '$.id') VIRTUAL,
    state       TEXT GENERATED ALWAYS AS (doc ->> '$.state') VIRTUAL,
    due_at      INTEGER GENERATED ALWAYS AS (doc ->> '$.due_at') VIRTUAL,
    lease_until INTEGER GENERATED ALWAYS AS (doc ->> '$.lease_until') VIRTUAL
);
CREATE UNIQUE INDEX outbox_key ON outbox (bot, id);
CREATE INDEX outbox_due ON outbox (state, due_at);
CREATE INDEX outbox_lease ON outbox (state, lease_until);

CREATE TABLE inbound (
    doc         TEXT NOT NULL CHECK (json_valid(doc)),
    bot         TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    key         TEXT GENERATED ALWAYS AS (doc ->> '$.key') VIRTUAL,
    done        INTEGER GENERATED ALWAYS AS (doc ->> '$.done') VIRTUAL,
    received_at INTEGER GENERATED ALWAYS AS (doc ->> '$.received_at') VIRTUAL,
    expires_at  INTEGER GENERATED ALWAYS AS (doc ->> '$.expires_at') VIRTUAL
);
CREATE UNIQUE INDEX inbound_key ON inbound (bot, key);
CREATE INDEX inbound_pending ON inbound (done, received_at);
CREATE INDEX inbound_expiry ON inbound (expires_at);

CREATE TABLE conversations (
    doc     TEXT NOT NULL CHECK (json_valid(doc)),
    bot     TEXT GENERATED ALWAYS AS (doc ->> '$.bot') VIRTUAL,
    contact TEXT GENERATED ALWAYS AS (doc ->> '$.contact') VIRTUAL
);
CREATE UNIQUE INDEX conversations_key ON conversations (bot, contact);
