//! The data screens' first source: the local cache (issue 4). Pages are
//! one indexed query each, so only the rows on screen are read, at any
//! depth. A resource that was never synced answers `None`, and the caller
//! asks Close instead.

use chrono::DateTime;

use crate::{
    close::records::Resource,
    store::{
        AccountId, StoreError,
        cache::{ActivityRow, Cache, ListQuery, SearchHit, Sort},
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

/// Newest first, as the API lists them.
fn newest() -> ListQuery {
    ListQuery {
        sort: Sort::Updated,
        descending: true,
        ..ListQuery::default()
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
        if resource != Resource::Leads {
            return Ok(None);
        }
        let hits = cache.search(account, &request.query, offset + limit + 1)?;
        let has_more = hits.len() > offset + limit;
        let rows = hits
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(hit_row)
            .collect::<Vec<_>>();
        let total = (!has_more).then_some(offset + rows.len());
        return Ok(Some(PageReply {
            offset,
            rows,
            total,
            has_more,
            freshness,
        }));
    }
    let query = newest();
    let total = if with_total {
        Some(usize::try_from(cache.count(account, resource, &query)?).unwrap_or(0))
    } else {
        None
    };
    let rows: Vec<RecordRow> = match resource {
        Resource::Leads => cache
            .leads(account, &query, offset, limit)?
            .into_iter()
            .map(|r| RecordRow {
                cells: vec![
                    r.name,
                    opt(r.status_label),
                    r.contact_count.to_string(),
                    short(r.date_updated.as_deref(), 16),
                ],
                id: r.id,
            })
            .collect(),
        Resource::Contacts => cache
            .contacts(account, &query, offset, limit)?
            .into_iter()
            .map(|r| RecordRow {
                cells: vec![
                    r.name,
                    opt(r.title),
                    opt(r.lead_id),
                    opt(r.email),
                    opt(r.phone),
                ],
                id: r.id,
            })
            .collect(),
        Resource::Opportunities => cache
            .opportunities(account, &query, offset, limit)?
            .into_iter()
            .map(|r| RecordRow {
                cells: vec![
                    opt(r.lead_name),
                    r.value_cents.map_or_else(String::new, |cents| {
                        format::money(cents, r.value_currency.as_deref().unwrap_or_default())
                    }),
                    opt(r.status_label),
                    opt(r.user_name),
                    r.confidence.map_or_else(String::new, |c| format!("{c}%")),
                    short(r.close_date.as_deref(), 10),
                ],
                id: r.id,
            })
            .collect(),
        Resource::Tasks | Resource::Activities => cache
            .tasks(account, &query, offset, limit)?
            .into_iter()
            .map(|r| RecordRow {
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
            })
            .collect(),
    };
    Ok(Some(PageReply {
        offset,
        has_more: total.map_or(rows.len() == limit, |total| offset + rows.len() < total),
        rows,
        total,
        freshness,
    }))
}

pub fn hit_row(hit: SearchHit) -> RecordRow {
    RecordRow {
        id: hit.lead_id,
        cells: vec![
            hit.name,
            opt(hit.status_label),
            String::new(),
            String::new(),
        ],
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
