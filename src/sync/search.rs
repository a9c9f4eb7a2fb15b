//! Search for the TUI: the cache at once (FTS5, prefix matching), and
//! Close's lead `query=` when online; the two merged without duplicates.

use std::sync::Arc;

use crate::{
    close::{ApiError, CloseClient, Credentials, records::Page},
    store::{
        AccountId, StoreError,
        cache::{Cache, HitSource, SearchHit},
    },
};

/// Cached leads matching `text`, off the async runtime's threads.
pub async fn search(
    cache: Arc<Cache>,
    account: AccountId,
    text: String,
    limit: usize,
) -> Result<Vec<SearchHit>, StoreError> {
    tokio::task::spawn_blocking(move || cache.search(&account, &text, limit))
        .await
        .unwrap_or_else(|_| Ok(Vec::new()))
}

/// What the user typed, as Close's `query=` takes it: characters that are
/// query syntax (`:`, quotes, parentheses, comparisons) part words as
/// spaces do, so it is only ever free text ("O'Brien" is "O Brien", not
/// "OBrien", which nothing matches). `None` when no word is left.
pub fn free_text(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || "@.-_+".contains(c)))
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Leads matching `text` on the server (`lead/?query=…`), as free text.
pub async fn search_server<C: Credentials>(
    client: &CloseClient<C>,
    text: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, ApiError> {
    let Some(words) = free_text(text) else {
        return Ok(Vec::new());
    };
    let query = [
        ("query", words),
        ("_fields", "id,display_name,name,status_label".to_owned()),
    ];
    let page: Page = client.page("lead/", &query, 0, limit.min(200)).await?;
    Ok(page
        .data
        .iter()
        .filter_map(|lead| {
            let text = |key| crate::close::records::text(lead, key).map(|s| s.into_owned());
            Some(SearchHit {
                lead_id: crate::close::records::id(lead)?.to_owned(),
                name: text("display_name")
                    .or_else(|| text("name"))
                    .unwrap_or_default(),
                status_label: text("status_label"),
                source: HitSource::Server,
            })
        })
        .collect())
}

/// The cache's hits first (they are instant and already on screen), then
/// the server's that the cache lacks; at most `limit`.
pub fn merge_hits(local: Vec<SearchHit>, server: Vec<SearchHit>, limit: usize) -> Vec<SearchHit> {
    let mut out = local;
    out.truncate(limit);
    for hit in server {
        if out.len() >= limit {
            break;
        }
        if !out.iter().any(|h| h.lead_id == hit.lead_id) {
            out.push(hit);
        }
    }
    out
}

/// Rows `offset..offset + limit` of the merged list, and whether more
/// follow. `local` and `server` should each hold one hit more than the
/// page reaches, when there are that many. Server hits come after every cache
/// hit: while the cache has more than the page reaches, a page is the
/// cache's alone; once `local` runs out it is complete, and the server's
/// hits it lacks follow.
pub fn merged_page(
    local: Vec<SearchHit>,
    server: Vec<SearchHit>,
    offset: usize,
    limit: usize,
) -> (Vec<SearchHit>, bool) {
    let end = offset.saturating_add(limit);
    let mut all = merge_hits(local, server, end.saturating_add(1));
    let more = all.len() > end;
    all.truncate(end);
    let page = all.split_off(offset.min(all.len()));
    (page, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_only_ever_free_text() {
        assert_eq!(free_text("acme").as_deref(), Some("acme"));
        assert_eq!(
            free_text("name:\"Acme\" (x) O'Brien a>b").as_deref(),
            Some("name Acme x O Brien a b")
        );
        assert_eq!(
            free_text(" ann@acme.example +1-555 ").as_deref(),
            Some("ann@acme.example +1-555")
        );
        assert_eq!(free_text(":\"()\" "), None);
    }

    fn hit(id: &str, source: HitSource) -> SearchHit {
        SearchHit {
            lead_id: id.to_owned(),
            name: id.to_uppercase(),
            status_label: None,
            source,
        }
    }

    #[test]
    fn merging_keeps_cache_hits_first_and_drops_duplicates() {
        let local = vec![hit("a", HitSource::Cache), hit("b", HitSource::Cache)];
        let server = vec![
            hit("b", HitSource::Server),
            hit("c", HitSource::Server),
            hit("d", HitSource::Server),
        ];
        let merged = merge_hits(local, server, 3);
        let ids: Vec<_> = merged.iter().map(|h| h.lead_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(merged[2].source, HitSource::Server);
    }

    #[test]
    fn later_pages_of_a_merged_search_keep_the_servers_hits() {
        let local: Vec<_> = ["a", "b", "c"]
            .into_iter()
            .map(|id| hit(id, HitSource::Cache))
            .collect();
        let server: Vec<_> = ["b", "x", "y", "z"]
            .into_iter()
            .map(|id| hit(id, HitSource::Server))
            .collect();
        let ids = |(page, more): (Vec<SearchHit>, bool)| {
            let ids: Vec<String> = page.into_iter().map(|h| h.lead_id).collect();
            (ids, more)
        };
        let page = |offset| ids(merged_page(local.clone(), server.clone(), offset, 2));
        assert_eq!(page(0), (vec!["a".into(), "b".into()], true));
        assert_eq!(page(2), (vec!["c".into(), "x".into()], true));
        assert_eq!(page(4), (vec!["y".into(), "z".into()], false));
        assert_eq!(page(6), (vec![], false));
    }
}
