-- Replies still waiting to go, by recipient: a reply may go back in a webhook's answer only when
-- nothing earlier to the same person waits. The index holds the waiting rows only, so the check
-- costs one lookup however many replies were ever sent.
ALTER TABLE outbox ADD COLUMN recipient TEXT GENERATED ALWAYS AS ((doc ->> '$.channel') || ':' || (doc ->> '$.to')) VIRTUAL;
CREATE INDEX outbox_waiting ON outbox (bot, recipient) WHERE state IN ('pending', 'leased');
