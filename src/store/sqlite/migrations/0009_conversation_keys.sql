-- A conversation's key is kept in plain columns, ahead of its document, rather than generated
-- from it: saving one, which every message does, no longer parses a document of up to twenty
-- lines to find its key, and its revision (checked by every message answered from a chat kept
-- in memory) is read without walking the document's overflow pages. The document keeps the
-- same shape as MongoDB's, key included.
CREATE TABLE conversations_next (
    bot     TEXT NOT NULL,
    contact TEXT NOT NULL,
    rev     INTEGER NOT NULL DEFAULT 0,
    doc     TEXT NOT NULL CHECK (json_valid(doc))
);
INSERT INTO conversations_next (bot, contact, rev, doc)
    SELECT doc ->> '$.bot', doc ->> '$.contact', rev, doc FROM conversations ORDER BY rowid;
DROP TABLE conversations;
ALTER TABLE conversations_next RENAME TO conversations;
CREATE UNIQUE INDEX conversations_key ON conversations (bot, contact);
