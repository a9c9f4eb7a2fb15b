-- v3: the DDL of secondary indexes set aside while a first full sync loads
-- an empty cache (see store/cache/bulk.rs). The sync builds them again,
-- sorted, in the transaction that finishes it; a row here means an index
-- is missing until then.
CREATE TABLE cache_deferred (
    name  TEXT PRIMARY KEY NOT NULL,
    sql   TEXT NOT NULL
) STRICT;
