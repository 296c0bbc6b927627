-- Inbound records are purged in the order they arrived (all are kept as long), reading from the
-- first row: the index on their expiry, which every message wrote a page of, is not needed.
DROP INDEX inbound_expiry;
