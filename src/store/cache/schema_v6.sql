-- v6: from when (on Close's clock, RFC 3339) the next pass must read the
-- event log for deletions: when the last finished pass was planned. This
-- machine's clock (last_sync) may run ahead of Close's, and reading from
-- its future missed deletions.
ALTER TABLE cache_sync_state ADD COLUMN events_from TEXT;
