//! The data screens' first source: the local cache (issue 4). Pages are
//! one indexed query each, so only the rows on screen are read, at any
//! depth. A resource that was never synced answers `None`, and the caller
//! asks Close instead.

use chrono::DateTime;

use crate::{
    close::records::Resource,
    store::{
        AccountId, StoreError,
        cache::{
            ActivityRow, Cache, ContactRow, LeadRow, ListQuery, OpportunityRow, SearchHit, Sort,
            TaskRow,
        },
    },
    tui::{
        format,
        model::{Freshness, PageReply, PageRequest, RecordRow},
    },
};

fn short(date: Option<&str>, len: usize) -> String {
    date.unwrap_or_default()
        .chars()
        .take(len)
        .collect::<String>()
        .replace('T', " ")
}

fn opt(value: Option<String>) -> String {
    value.unwrap_or_default()
}

/// The order of each list: one an index gives, so a page reads only its
/// rows. Newest first, as the API lists them; but contacts by name and
/// tasks open first by due date (nothing indexes their dates).
pub fn list_order(resource: Resource) -> ListQuery {
    match resource {
        Resource::Contacts => ListQuery {
            sort: Sort::Name,
            ..ListQuery::default()
        },
        Resource::Tasks => ListQuery {
            sort: Sort::Due,
            ..ListQuery::default()
        },
        _ => ListQuery {
            sort: Sort::Updated,
            descending: true,
            ..ListQuery::default()
        },
    }
}

/// The page `request` asks for, or `None` when the cache was never filled
/// for this resource. Without `with_total` a list's count is left out
/// (`has_more` then guesses from a full page).
pub fn page(
    cache: &Cache,
    account: &AccountId,
    request: &PageRequest,
    with_total: bool,
) -> Result<Option<PageReply>, StoreError> {
    let resource = request.resource;
    let Some(synced) = cache.synced_at(account, resource)? else {
        return Ok(None);
    };
    let freshness =
        DateTime::from_timestamp(synced, 0).map_or(Freshness::Unknown, Freshness::Synced);
    let (offset, limit) = (request.offset, request.limit);
    if !request.query.is_empty() {
        // One more than the page, to know whether there are more.
        let (text, want) = (request.query.as_str(), offset + limit + 1);
        let hits: Vec<RecordRow> = match resource {
            Resource::Leads => rows(cache.search_leads(account, text, want)?, lead_row),
            Resource::Contacts => rows(cache.search_contacts(account, text, want)?, contact_row),
            Resource::Opportunities => rows(
                cache.search_opportunities(account, text, want)?,
                opportunity_row,
            ),
            Resource::Tasks | Resource::Activities => {
                rows(cache.search_tasks(account, text, want)?, task_row)
            }
        };
        let has_more = hits.len() > offset + limit;
        let rows: Vec<RecordRow> = hits.into_iter().skip(offset).take(limit).collect();
        let total = (!has_more).then_some(offset + rows.len());
        return Ok(Some(PageReply {
            offset,
            rows,
            total,
            has_more,
            freshness,
            provisional: false,
        }));
    }
    let query = list_order(resource);
    let total = if with_total {
        Some(usize::try_from(cache.count(account, resource, &query)?).unwrap_or(0))
    } else {
        None
    };
    let rows: Vec<RecordRow> = match resource {
        Resource::Leads => rows(cache.leads(account, &query, offset, limit)?, lead_row),
        Resource::Contacts => rows(cache.contacts(account, &query, offset, limit)?, contact_row),
        Resource::Opportunities => rows(
            cache.opportunities(account, &query, offset, limit)?,
            opportunity_row,
        ),
        Resource::Tasks | Resource::Activities => {
            rows(cache.tasks(account, &query, offset, limit)?, task_row)
        }
    };
    Ok(Some(PageReply {
        offset,
        has_more: total.map_or(rows.len() == limit, |total| offset + rows.len() < total),
        rows,
        total,
        freshness,
        provisional: false,
    }))
}

fn rows<T>(items: Vec<T>, row: fn(T) -> RecordRow) -> Vec<RecordRow> {
    items.into_iter().map(row).collect()
}

/// The cells of each resource, in the order `ui::table::columns` names.
pub fn lead_row(r: LeadRow) -> RecordRow {
    RecordRow {
        cells: vec![
            r.name,
            opt(r.status_label),
            r.contact_count.to_string(),
            short(r.date_updated.as_deref(), 16),
        ],
        id: r.id,
    }
}

fn contact_row(r: ContactRow) -> RecordRow {
    RecordRow {
        cells: vec![
            r.name,
            opt(r.title),
            // A contact whose lead is not cached shows the lead's id.
            opt(r.lead_name.or(r.lead_id)),
            opt(r.email),
            opt(r.phone),
        ],
        id: r.id,
    }
}

fn opportunity_row(r: OpportunityRow) -> RecordRow {
    RecordRow {
        cells: vec![
            opt(r.lead_name),
            r.value_cents.map_or_else(String::new, |cents| {
                format::money(cents, r.value_currency.as_deref().unwrap_or_default())
            }),
            opt(r.status_label),
            opt(r.pipeline_name),
            r.confidence.map_or_else(String::new, |c| format!("{c}%")),
            short(r.close_date.as_deref(), 10),
        ],
        id: r.id,
    }
}

fn task_row(r: TaskRow) -> RecordRow {
    RecordRow {
        cells: vec![
            short(r.due_date.as_deref(), 10),
            opt(r.text),
            opt(r.lead_name),
            if r.is_complete {
                "✓".into()
            } else {
                String::new()
            },
        ],
        id: r.id,
    }
}

/// A search hit as a lead row: from the cache when it holds the lead (the
/// server's hits carry only a name and a status).
pub fn hit_row(hit: SearchHit, cached: Option<LeadRow>) -> RecordRow {
    match cached {
        Some(lead) => lead_row(lead),
        None => RecordRow {
            id: hit.lead_id,
            cells: vec![
                hit.name,
                opt(hit.status_label),
                String::new(),
                String::new(),
            ],
        },
    }
}

pub fn activity_line(row: &ActivityRow) -> String {
    format!(
        "{}  {:<14} {}",
        short(row.date_created.as_deref(), 16),
        row.activity_type.as_deref().unwrap_or_default(),
        row.summary.as_deref().unwrap_or_default()
    )
}
