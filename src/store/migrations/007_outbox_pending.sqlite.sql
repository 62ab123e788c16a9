-- 007_outbox_pending (SQLite): the scheduler delivers queued e-mail to
-- citizens (channel 'email', body a whole RFC 5322 message) and marks each
-- row sent; this index finds the unsent rows of a channel, oldest first,
-- without reading the ones already sent.
CREATE INDEX outbox_pending ON outbox (channel, id) WHERE sent_at IS NULL;
