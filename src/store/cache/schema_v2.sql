-- v2: the offline cache. Every row carries its account (organization_id,
-- user_id), so two accounts in one file never see each other's records.
-- Each table keeps the record's raw JSON (nothing Close sends is lost) and
-- a few columns copied out of it, indexed for what the TUI lists and sorts.
CREATE TABLE cache_leads (
    organization_id       TEXT NOT NULL,
    user_id               TEXT NOT NULL,
    id                    TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    status_label          TEXT,
    contact_count         INTEGER NOT NULL DEFAULT 0,
    opportunity_count     INTEGER NOT NULL DEFAULT 0,
    date_created          TEXT,
    date_updated          TEXT,
    activities_synced_at  INTEGER,  -- unix seconds; NULL until the lead is opened
    raw                   TEXT NOT NULL,
    UNIQUE (organization_id, user_id, id)
) STRICT;
CREATE INDEX cache_leads_name ON cache_leads (organization_id, user_id, name COLLATE NOCASE);
CREATE INDEX cache_leads_updated ON cache_leads (organization_id, user_id, date_updated);
CREATE INDEX cache_leads_status ON cache_leads (organization_id, user_id, status_label, name COLLATE NOCASE);

CREATE TABLE cache_contacts (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    name             TEXT NOT NULL DEFAULT '',
    title            TEXT,
    email            TEXT,  -- the first one
    phone            TEXT,  -- the first one
    date_updated     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (organization_id, user_id, id)
) STRICT;
CREATE INDEX cache_contacts_lead ON cache_contacts (organization_id, user_id, lead_id);
CREATE INDEX cache_contacts_name ON cache_contacts (organization_id, user_id, name COLLATE NOCASE);

CREATE TABLE cache_opportunities (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
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
    close_date       TEXT,  -- date_won, or the expected close date
    date_updated     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (organization_id, user_id, id)
) STRICT;
CREATE INDEX cache_opportunities_lead ON cache_opportunities (organization_id, user_id, lead_id);
CREATE INDEX cache_opportunities_updated ON cache_opportunities (organization_id, user_id, date_updated);
CREATE INDEX cache_opportunities_status ON cache_opportunities (organization_id, user_id, status_type, date_updated);

CREATE TABLE cache_tasks (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    lead_name        TEXT,
    task_type        TEXT,  -- Close's _type: lead, email_followup, …
    text             TEXT,
    due_date         TEXT,
    is_complete      INTEGER NOT NULL DEFAULT 0,
    assigned_to_name TEXT,
    date_updated     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (organization_id, user_id, id)
) STRICT;
CREATE INDEX cache_tasks_lead ON cache_tasks (organization_id, user_id, lead_id);
CREATE INDEX cache_tasks_due ON cache_tasks (organization_id, user_id, is_complete, due_date);

CREATE TABLE cache_activities (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    activity_type    TEXT,
    summary          TEXT,  -- subject, note or text, whichever there is
    user_name        TEXT,
    date_created     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (organization_id, user_id, id)
) STRICT;
CREATE INDEX cache_activities_lead ON cache_activities (organization_id, user_id, lead_id, date_created);

-- One row per account and sync pass (leads, opportunities, tasks). `run` is
-- the plan of an unfinished pass (JSON, see sync/plan.rs), so a killed sync
-- resumes where its last committed page left it.
CREATE TABLE cache_sync_state (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    resource         TEXT NOT NULL,
    high_water       TEXT,     -- newest date_updated seen, RFC 3339
    last_full_sync   INTEGER,  -- unix seconds
    last_sync        INTEGER,  -- unix seconds, any finished pass
    run              TEXT,
    PRIMARY KEY (organization_id, user_id, resource)
) STRICT;

-- Search over lead names and their contacts' names, emails and phones; the
-- rowid is cache_leads' rowid. Prefix indexes make typing-as-you-search fast.
CREATE VIRTUAL TABLE cache_search USING fts5(
    name, people,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
