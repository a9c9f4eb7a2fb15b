-- v2: the offline cache. Every row carries its account as a small integer
-- key (cache_accounts), so two accounts in one file never see each other's
-- records, and no row or index repeats two long TEXT ids.
-- Each table keeps the record's raw JSON (nothing Close sends is lost) and
-- a few columns copied out of it, indexed for what the TUI lists and sorts.
CREATE TABLE cache_accounts (
    id               INTEGER PRIMARY KEY,
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    UNIQUE (organization_id, user_id)
) STRICT;

-- A lead's raw JSON leaves out the arrays of contacts, opportunities and
-- tasks whose every item has a row of its own here (`embedded` says which:
-- 1 contacts, 2 opportunities, 4 tasks); export and the lead screen put
-- them back, in the order they came. A record is stored once, not twice.
CREATE TABLE cache_leads (
    account               INTEGER NOT NULL,
    id                    TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    status_label          TEXT,
    contact_count         INTEGER NOT NULL DEFAULT 0,
    opportunity_count     INTEGER NOT NULL DEFAULT 0,
    date_created          TEXT,
    date_updated          TEXT,
    activities_synced_at  INTEGER,  -- unix seconds; NULL until the lead is opened
    embedded              INTEGER NOT NULL DEFAULT 0,
    raw                   TEXT NOT NULL,
    UNIQUE (account, id)
) STRICT;
CREATE INDEX cache_leads_name ON cache_leads (account, name COLLATE NOCASE);
CREATE INDEX cache_leads_updated ON cache_leads (account, date_updated);
CREATE INDEX cache_leads_status ON cache_leads (account, status_label, name COLLATE NOCASE);

CREATE TABLE cache_contacts (
    account          INTEGER NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    name             TEXT NOT NULL DEFAULT '',
    title            TEXT,
    email            TEXT,  -- the first one
    phone            TEXT,  -- the first one
    date_updated     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (account, id)
) STRICT;
CREATE INDEX cache_contacts_lead ON cache_contacts (account, lead_id);
CREATE INDEX cache_contacts_name ON cache_contacts (account, name COLLATE NOCASE);

CREATE TABLE cache_opportunities (
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
    close_date       TEXT,  -- date_won, or the expected close date
    date_updated     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (account, id)
) STRICT;
CREATE INDEX cache_opportunities_lead ON cache_opportunities (account, lead_id);
CREATE INDEX cache_opportunities_updated ON cache_opportunities (account, date_updated);
CREATE INDEX cache_opportunities_status ON cache_opportunities (account, status_type, date_updated);

CREATE TABLE cache_tasks (
    account          INTEGER NOT NULL,
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
    UNIQUE (account, id)
) STRICT;
CREATE INDEX cache_tasks_lead ON cache_tasks (account, lead_id);
CREATE INDEX cache_tasks_due ON cache_tasks (account, is_complete, due_date);

CREATE TABLE cache_activities (
    account          INTEGER NOT NULL,
    id               TEXT NOT NULL,
    lead_id          TEXT,
    activity_type    TEXT,
    summary          TEXT,  -- subject, note or text, whichever there is
    user_name        TEXT,
    date_created     TEXT,
    raw              TEXT NOT NULL,
    UNIQUE (account, id)
) STRICT;
CREATE INDEX cache_activities_lead ON cache_activities (account, lead_id, date_created);

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
-- rowid is cache_leads' rowid. Prefix indexes make typing-as-you-search
-- fast. Contentless (the text is only matched, never read back) and
-- per-column detail (no token positions: queries are prefix terms ANDed,
-- never phrases) keep each lead's index entries small.
CREATE VIRTUAL TABLE cache_search USING fts5(
    name, people,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3',
    content = '',
    contentless_delete = 1,
    detail = column
);
