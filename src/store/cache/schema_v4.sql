-- v4: the (account, id) keys of leads, contacts and opportunities become
-- named unique indexes instead of table constraints, so a first full sync
-- can set them aside with the other indexes while it loads an empty cache
-- (store/cache/bulk.rs); the sync's writer keeps every record once
-- meanwhile. Tasks keep their constraint: the task pass writes them with
-- UPSERT while the lead pass loads. Rows keep their rowids, which the
-- search rows and the order of a lead's children use.
CREATE TABLE cache_leads_v4 (
    account               INTEGER NOT NULL,
    id                    TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    status_label          TEXT,
    contact_count         INTEGER NOT NULL DEFAULT 0,
    opportunity_count     INTEGER NOT NULL DEFAULT 0,
    date_created          TEXT,
    date_updated          TEXT,
    activities_synced_at  INTEGER,
    embedded              INTEGER NOT NULL DEFAULT 0,
    raw                   TEXT NOT NULL
) STRICT;
INSERT INTO cache_leads_v4 (rowid, account, id, name, status_label, contact_count,
        opportunity_count, date_created, date_updated, activities_synced_at, embedded, raw)
    SELECT rowid, account, id, name, status_label, contact_count, opportunity_count,
        date_created, date_updated, activities_synced_at, embedded, raw
    FROM cache_leads;
DROP TABLE cache_leads;
ALTER TABLE cache_leads_v4 RENAME TO cache_leads;
CREATE UNIQUE INDEX cache_leads_key ON cache_leads (account, id);
CREATE INDEX cache_leads_name ON cache_leads (account, name COLLATE NOCASE);
CREATE INDEX cache_leads_updated ON cache_leads (account, date_updated);
CREATE INDEX cache_leads_status ON cache_leads (account, status_label, name COLLATE NOCASE);

CREATE TABLE cache_contacts_v4 (
    account          INTEGER NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    name             TEXT NOT NULL DEFAULT '',
    title            TEXT,
    email            TEXT,
    phone            TEXT,
    date_updated     TEXT,
    raw              TEXT NOT NULL
) STRICT;
INSERT INTO cache_contacts_v4 (rowid, account, id, lead_id, name, title, email, phone,
        date_updated, raw)
    SELECT rowid, account, id, lead_id, name, title, email, phone, date_updated, raw
    FROM cache_contacts;
DROP TABLE cache_contacts;
ALTER TABLE cache_contacts_v4 RENAME TO cache_contacts;
CREATE UNIQUE INDEX cache_contacts_key ON cache_contacts (account, id);
CREATE INDEX cache_contacts_lead ON cache_contacts (account, lead_id);
CREATE INDEX cache_contacts_name ON cache_contacts (account, name COLLATE NOCASE);

CREATE TABLE cache_opportunities_v4 (
    account          INTEGER NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    lead_name        TEXT,
    status_label     TEXT,
    status_type      TEXT,
    value_cents      INTEGER,
    value_currency   TEXT,
    value_period     TEXT,
    confidence       INTEGER,
    user_name        TEXT,
    close_date       TEXT,
    date_updated     TEXT,
    raw              TEXT NOT NULL
) STRICT;
INSERT INTO cache_opportunities_v4 (rowid, account, id, lead_id, lead_name, status_label,
        status_type, value_cents, value_currency, value_period, confidence, user_name,
        close_date, date_updated, raw)
    SELECT rowid, account, id, lead_id, lead_name, status_label, status_type, value_cents,
        value_currency, value_period, confidence, user_name, close_date, date_updated, raw
    FROM cache_opportunities;
DROP TABLE cache_opportunities;
ALTER TABLE cache_opportunities_v4 RENAME TO cache_opportunities;
CREATE UNIQUE INDEX cache_opportunities_key ON cache_opportunities (account, id);
CREATE INDEX cache_opportunities_lead ON cache_opportunities (account, lead_id);
CREATE INDEX cache_opportunities_updated ON cache_opportunities (account, date_updated);
CREATE INDEX cache_opportunities_status ON cache_opportunities (account, status_type, date_updated);

-- The three tables' indexes were all made again above.
DELETE FROM cache_deferred WHERE name IN ('cache_leads_name', 'cache_leads_updated',
    'cache_leads_status', 'cache_contacts_lead', 'cache_contacts_name',
    'cache_opportunities_lead', 'cache_opportunities_updated', 'cache_opportunities_status');
