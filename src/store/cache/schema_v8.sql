-- v8: the search index moves to a file of its own beside the database
-- (store/cache/search_file.rs), where a first full sync writes it from a
-- thread of its own while its writer stores the records. Its words come
-- from the leads and their contacts, so the file is filled again from
-- them; this one's go. `owner` is the token the search file must carry
-- to be this database's; `loading` is set while a bulk load's search
-- rows are written apart from its records ('pending'), or once such a
-- load stopped before all were ('rebuild'): the load's end, or the next
-- one's, fills the index again from the records. `written` counts the
-- transactions that wrote the index here, as the file's own count does:
-- WAL commits such a transaction in each file, not in both at once, so a
-- crash or a power cut may keep it in one only, and then the counts
-- differ and the index is filled again.
DROP TABLE IF EXISTS cache_search;
CREATE TABLE cache_search_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    owner    TEXT NOT NULL,
    loading  TEXT CHECK (loading IN ('pending', 'rebuild')),
    written  INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO cache_search_state (id, owner) VALUES (1, lower(hex(randomblob(16))));
