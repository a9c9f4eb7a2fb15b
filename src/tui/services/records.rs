//! Pages, details and timelines for the data screens.
//!
//! The local cache answers first. A search of leads then also asks Close
//! and answers again with both merged (same generation, so it simply
//! replaces the cached answer). Resources never synced are read from
//! Close's API a window at a time (`_skip`/`_limit`), so either way only
//! the rows on screen are fetched.

use std::{collections::HashMap, sync::Arc};

use serde_json::Value;

use super::{ServiceError, Shared, account::blocking, cache, rows, session};
use crate::{
    close::records::{Lenient, Page, Resource, lenient, list, text},
    store::cache::LeadRow,
    tui::{
        model::{Freshness, Generation, PageReply, PageRequest},
        msg::Msg,
    },
};

/// How many timeline entries a lead's detail shows.
const TIMELINE: usize = 50;

pub async fn page(shared: Arc<Shared>, request: PageRequest) {
    let PageRequest {
        resource,
        generation,
        ..
    } = request;
    let send = |result| {
        shared.reply(result, |result| Msg::Page {
            resource,
            generation,
            result,
        })
    };
    if shared.superseded(resource, generation) {
        return;
    }
    // The first page of a list shows its rows before its count, which
    // reads the whole index (tens of milliseconds at 100,000 leads).
    // Each answer but the last is provisional: the table shows its rows,
    // and waits for the last before it asks for more.
    if request.query.is_empty()
        && request.offset == 0
        && let Ok(Some(rows)) = cached_page(&shared, &request, false).await
    {
        send(Ok(PageReply {
            provisional: true,
            ..rows
        }));
    }
    match cached_page(&shared, &request, true).await {
        // Close searches leads only; the other screens search the cache.
        Ok(Some(reply)) if !request.query.is_empty() && resource == Resource::Leads => {
            send(Ok(PageReply {
                provisional: true,
                ..reply.clone()
            }));
            if shared.superseded(resource, generation) {
                return;
            }
            let merged = server_search(&shared, &request).await;
            send(Ok(merged.unwrap_or(reply)));
        }
        Ok(Some(reply)) => send(Ok(reply)),
        Ok(None) => send(fetch_page(&shared, &request).await),
        Err(err) => send(Err(err)),
    }
}

async fn cached_page(
    shared: &Arc<Shared>,
    request: &PageRequest,
    with_total: bool,
) -> Result<Option<PageReply>, ServiceError> {
    let Some(cache) = shared.cache().await else {
        return Ok(None);
    };
    // Only the account's id: reading the cache needs no HTTP client.
    let account = session::active_id(shared).await?;
    let request = request.clone();
    blocking(move || Ok(cache::page(&cache, &account, &request, with_total)?)).await
}

/// A page of a lead search: cached hits, then Close's the cache lacks,
/// merged (every page, so scrolling keeps the server's hits).
async fn server_search(shared: &Arc<Shared>, request: &PageRequest) -> Option<PageReply> {
    let cache = shared.cache().await?;
    let (account, client) = session::client(shared).await.ok()?;
    let (offset, limit) = (request.offset, request.limit);
    let reach = offset.saturating_add(limit).saturating_add(1);
    let text = request.query.clone();
    let local = crate::sync::search(Arc::clone(&cache), account.clone(), text.clone(), reach)
        .await
        .ok()?;
    let server = crate::sync::search_server(&client, &text, reach)
        .await
        .ok()?;
    let (hits, has_more) = crate::sync::merged_page(local, server, offset, limit);
    let ids: Vec<String> = hits.iter().map(|h| h.lead_id.clone()).collect();
    let read = Arc::clone(&cache);
    let mut cached: HashMap<String, LeadRow> =
        blocking(move || Ok(read.leads_by_id(&account, &ids)?))
            .await
            .ok()?
            .into_iter()
            .map(|lead| (lead.id.clone(), lead))
            .collect();
    let rows: Vec<_> = hits
        .into_iter()
        .map(|hit| {
            let lead = cached.remove(&hit.lead_id);
            cache::hit_row(hit, lead)
        })
        .collect();
    Some(PageReply {
        offset,
        total: (!has_more).then_some(offset + rows.len()),
        has_more,
        rows,
        freshness: Freshness::Live,
        provisional: false,
    })
}

async fn fetch_page(
    shared: &Arc<Shared>,
    request: &PageRequest,
) -> Result<PageReply, ServiceError> {
    let resource = request.resource;
    if !request.query.is_empty() && resource != Resource::Leads {
        return Err(ServiceError::Other(format!(
            "searching {} needs the local cache, which is filled once a sync finishes \
             (one starts when you connect, or with the sync key)",
            resource.name()
        )));
    }
    let mut query = vec![("_fields", rows::fields(resource).to_owned())];
    if !request.query.is_empty() {
        // Typed text is free text: a `:` or a quote would be query syntax.
        let Some(text) = crate::sync::free_text(&request.query) else {
            return Ok(PageReply {
                offset: request.offset,
                rows: Vec::new(),
                total: Some(request.offset),
                has_more: false,
                freshness: Freshness::Live,
                provisional: false,
            });
        };
        query.push(("query", text));
    }
    let (_, client) = session::client(shared).await?;
    let mut page: Page = client
        .page(resource.path(), &query, request.offset, request.limit)
        .await?;
    if resource == Resource::Contacts {
        add_lead_names(shared, &mut page.data).await;
    }
    Ok(PageReply {
        offset: request.offset,
        rows: page
            .data
            .iter()
            .filter_map(|record| rows::row(resource, record))
            .collect(),
        total: page.total_results.and_then(|n| usize::try_from(n).ok()),
        has_more: page.has_more,
        freshness: Freshness::Live,
        provisional: false,
    })
}

/// A record's detail: from the cache when it holds the record, as the
/// lists are (so it opens offline too), else from Close. `from_close` (a
/// reload) asks Close first, and falls back on the cache while Close
/// cannot be reached.
pub async fn detail(
    shared: Arc<Shared>,
    resource: Resource,
    generation: Generation,
    id: String,
    from_close: bool,
) {
    let result = async {
        let cached = if from_close {
            None
        } else {
            cached_record(&shared, resource, &id).await?
        };
        let (mut record, live) = match cached {
            Some(record) => (record, false),
            None => match live_record(&shared, resource, &id).await {
                Ok(record) => (record, true),
                Err(ServiceError::Api(err)) if from_close && super::unreachable(&err) => {
                    let Some(record) = cached_record(&shared, resource, &id).await? else {
                        return Err(ServiceError::Api(err));
                    };
                    shared.send(Msg::Offline(err.to_string()));
                    (record, false)
                }
                Err(err) => return Err(err),
            },
        };
        if resource == Resource::Contacts {
            add_lead_names(&shared, std::slice::from_mut(&mut record)).await;
        }
        Ok::<_, ServiceError>((rows::detail(resource, &record), live))
    }
    .await;
    let live = result.as_ref().is_ok_and(|(_, live)| *live);
    shared.reply(result.map(|(detail, _)| detail), |result| Msg::Detail {
        resource,
        generation,
        result,
        live,
    });
}

/// A contact names only its lead's id: its lead's name comes from the
/// cache, for the leads the cache has (`lead_name`, as cached contacts
/// have it).
async fn add_lead_names(shared: &Arc<Shared>, contacts: &mut [Value]) {
    let ids: Vec<String> = contacts
        .iter()
        .filter_map(|c| text(c, "lead_id").map(|id| id.into_owned()))
        .collect();
    let (Some(cache), false) = (shared.cache().await, ids.is_empty()) else {
        return;
    };
    let Ok(account) = session::active_id(shared).await else {
        return;
    };
    let Ok(leads) = blocking(move || Ok(cache.leads_by_id(&account, &ids)?)).await else {
        return;
    };
    let names: HashMap<String, String> = leads.into_iter().map(|l| (l.id, l.name)).collect();
    for contact in contacts {
        let name = text(contact, "lead_id").and_then(|id| names.get(id.as_ref()).cloned());
        if let (Some(name), Some(fields)) = (name, contact.as_object_mut()) {
            fields.insert("lead_name".into(), Value::String(name));
        }
    }
}

/// The record as Close has it now.
async fn live_record(
    shared: &Arc<Shared>,
    resource: Resource,
    id: &str,
) -> Result<Value, ServiceError> {
    let (_, client) = session::client(shared).await?;
    let path = format!("{}{id}/", resource.path());
    Ok(client.get::<Lenient>(&path, &[]).await?.0)
}

/// The cached JSON of a record, if the cache holds it (and it reads).
async fn cached_record(
    shared: &Arc<Shared>,
    resource: Resource,
    id: &str,
) -> Result<Option<Value>, ServiceError> {
    let Some(cache) = shared.cache().await else {
        return Ok(None);
    };
    let account = session::active_id(shared).await?;
    let id = id.to_owned();
    let raw = blocking(move || Ok(cache.record(&account, resource, &id)?)).await?;
    Ok(raw.and_then(|raw| lenient(&raw).ok()))
}

pub async fn activities(
    shared: Arc<Shared>,
    resource: Resource,
    generation: Generation,
    lead_id: String,
) {
    let result = async {
        let (account, client) = session::client(&shared).await?;
        if let Some(cache) = shared.cache().await {
            let (id, read, who) = (lead_id.clone(), Arc::clone(&cache), account.clone());
            let cached = blocking(move || Ok(read.lead(&who, &id)?)).await?;
            if let Some(lead) = cached.filter(|l| l.activities_synced_at.is_some()) {
                return Ok(lead.activities.iter().map(cache::activity_line).collect());
            }
            // Fetched once from Close, kept in the cache for next time.
            let syncer = crate::sync::Syncer::new(client, cache, account);
            // Close's own error stays one, so an unreachable Close takes
            // the app offline (and a retry follows) as a page's would.
            let activities = syncer
                .lead_activities(&lead_id)
                .await
                .map_err(|err| match err {
                    crate::sync::SyncError::Api { source, .. } => ServiceError::Api(source),
                    other => ServiceError::Other(other.to_string()),
                })?;
            return Ok(activities.iter().map(cache::activity_line).collect());
        }
        let Lenient(page) = client
            .get(
                Resource::Activities.path(),
                &[("lead_id", lead_id), ("_limit", TIMELINE.to_string())],
            )
            .await?;
        Ok::<_, ServiceError>(
            list(&page, "data")
                .iter()
                .map(rows::activity_line)
                .collect(),
        )
    }
    .await;
    shared.reply(result, |result| Msg::Activities {
        resource,
        generation,
        result,
    });
}
