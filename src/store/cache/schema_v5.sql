-- v5: when each cached record was last written (unix microseconds). A full
-- sync over a cache that holds records removes, at its end, the rows it
-- did not write and no one wrote since it began: records Close deleted
-- (see sync/sweep.rs). Rows cached before v5 have none, and count as old.
ALTER TABLE cache_leads ADD COLUMN synced INTEGER;
ALTER TABLE cache_contacts ADD COLUMN synced INTEGER;
ALTER TABLE cache_opportunities ADD COLUMN synced INTEGER;
ALTER TABLE cache_tasks ADD COLUMN synced INTEGER;
ALTER TABLE cache_activities ADD COLUMN synced INTEGER;

-- Leads a bulk load stored a second time (a window's edge, a resumed
-- page). Their children from the first time are found when the indexes
-- are back (store/cache/bulk.rs), not by a scan for each such lead.
CREATE TABLE cache_rewritten (
    account  INTEGER NOT NULL,
    lead_id  TEXT NOT NULL
) STRICT;

-- When a pass's last full run began (unix microseconds), until an
-- incremental run has read Close's event log from then and swept what the
-- full run did not see (sync/deletions.rs).
ALTER TABLE cache_sync_state ADD COLUMN full_started INTEGER;
-- Caches from before v5 never learnt of deletions: each pass runs full
-- once, and sweeps. An unfinished plan of theirs would resume instead, and
-- neither read the log nor sweep: it goes too (indexes it set aside are put
-- back before the next pass, see store/cache/bulk.rs).
UPDATE cache_sync_state SET high_water = NULL, run = NULL;
