//! Pages, details and timelines for the data screens.
//!
//! They are read from Close's API a window at a time (`_skip`/`_limit`, so
//! only the rows on screen are fetched). Issue 4's local cache will take
//! over as the first source once its read API is on main; the messages
//! stay the same.

use std::sync::Arc;

use serde_json::Value;

use super::{ServiceError, Shared, rows, session};
use crate::{
    close::records::{Page, Resource, list},
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
    let result = fetch_page(&shared, &request).await;
    shared.reply(result, |result| Msg::Page {
        resource,
        generation,
        result,
    });
}

async fn fetch_page(
    shared: &Arc<Shared>,
    request: &PageRequest,
) -> Result<PageReply, ServiceError> {
    let resource = request.resource;
    if !request.query.is_empty() && resource != Resource::Leads {
        return Err(ServiceError::Other(
            "searching here needs the local cache (run `close-tui sync`)".into(),
        ));
    }
    let (_, client) = session::client(shared).await?;
    let mut query = vec![
        ("_skip", request.offset.to_string()),
        ("_limit", request.limit.to_string()),
        ("_fields", rows::fields(resource).to_owned()),
    ];
    if !request.query.is_empty() {
        query.push(("query", request.query.clone()));
    }
    let page: Page = client.get(resource.path(), &query).await?;
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
    })
}

pub async fn detail(shared: Arc<Shared>, resource: Resource, generation: Generation, id: String) {
    let result = async {
        let (_, client) = session::client(&shared).await?;
        let record: Value = client
            .get(&format!("{}{id}/", resource.path()), &[])
            .await?;
        Ok::<_, ServiceError>(rows::detail(resource, &record))
    }
    .await;
    shared.reply(result, |result| Msg::Detail {
        resource,
        generation,
        result,
    });
}

pub async fn activities(
    shared: Arc<Shared>,
    resource: Resource,
    generation: Generation,
    lead_id: String,
) {
    let result = async {
        let (_, client) = session::client(&shared).await?;
        let page: Value = client
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
