-- The indexes that find work to do hold only the rows still waiting: replies due or leased,
-- messages not handled yet. A reply that went back in a webhook's answer, a reply sent and a
-- message handled are in none of them, so writing one dirties three index pages fewer (each a
-- page written to the WAL and flushed at the next checkpoint), and these indexes stay small
-- however many messages were ever handled.
DROP INDEX outbox_due;
DROP INDEX outbox_lease;
DROP INDEX inbound_pending;
CREATE INDEX outbox_due ON outbox (due_at) WHERE state = 'pending';
CREATE INDEX outbox_lease ON outbox (lease_until) WHERE state = 'leased';
CREATE INDEX inbound_pending ON inbound (received_at) WHERE done = 0;
