//! `GET /lead/` (with `query=` search) and `GET /lead/{id}/`.
//!
//! Order: newest `date_created` first (ties by row, so stable), unless the
//! query says `sort:`. A date bound on the sort field is a binary search
//! over the organization's sorted index, so the sync tools' query
//! (`date_updated>=… sort:date_updated`) pages in O(limit); free text or
//! other bounds fall back to a scan of the organization's leads.

use std::sync::Arc;

use axum::{
    Extension,
    extract::{Path, RawQuery, State},
    response::Response,
};

use super::{
    json::LeadView,
    org_of,
    page::{self, Page},
    params::{self, Params},
    query::{self, LeadQuery, SortField},
    read,
};
use crate::sandbox::{
    data::{Dataset, Kind, records::Lead},
    error::ApiError,
    principal::Principal,
    state::Sandbox,
};

pub async fn list(
    State(sb): State<Arc<Sandbox>>,
    Extension(principal): Extension<Principal>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let paging = params.paging(params::LEAD, sb.options.max_skip, sb.options.max_limit)?;
    let fields = params.fields();
    let search = params.get("query");
    let q = match search {
        Some(text) => query::parse(text).map_err(ApiError::bad_request)?,
        None => LeadQuery::default(),
    };
    let ds = read(&sb);
    let org = org_of(&ds, &principal)?;
    let page = search_page(&ds, org, &q, paging, search.is_some());
    page.respond(|row| LeadView {
        ds: &ds,
        row,
        fields: fields.as_ref(),
    })
}

pub async fn get(
    State(sb): State<Arc<Sandbox>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let fields = Params::parse(raw.as_deref())?.fields();
    let ds = read(&sb);
    let org = org_of(&ds, &principal)?;
    let row = ds
        .find(Kind::Lead, &id)
        .filter(|&row| ds.lead_org(row as u32) == org)
        .ok_or_else(ApiError::not_found)?;
    page::one(LeadView {
        ds: &ds,
        row,
        fields: fields.as_ref(),
    })
}

/// The page of an organization's leads a query selects.
pub fn search_page(
    ds: &Dataset,
    org: usize,
    q: &LeadQuery,
    paging: params::Paging,
    with_total: bool,
) -> Page {
    let leads = ds.leads();
    let ix = ds.org_index(org);
    let (order, key, range, other): (&[u32], fn(&Lead) -> _, _, _) = match q.sort {
        SortField::Created => (&ix.leads_by_created, |l| l.created, q.created, q.updated),
        SortField::Updated => (&ix.leads_by_updated, |l| l.updated, q.updated, q.created),
    };
    let at = |i: &u32| key(&leads[*i as usize]);
    let lo = match range.lo {
        Some((t, true)) => order.partition_point(|i| at(i) < t),
        Some((t, false)) => order.partition_point(|i| at(i) <= t),
        None => 0,
    };
    let hi = match range.hi {
        Some((t, true)) => order.partition_point(|i| at(i) <= t),
        Some((t, false)) => order.partition_point(|i| at(i) < t),
        None => order.len(),
    };
    let slice = &order[lo..hi.max(lo)];
    if q.text.is_empty() && q.status.is_none() && other.is_open() {
        return Page::from_slice(slice, q.descending, paging, with_total);
    }
    let other_key: fn(&Lead) -> _ = match q.sort {
        SortField::Created => |l| l.updated,
        SortField::Updated => |l| l.created,
    };
    let keep = |&&i: &&u32| {
        let lead = &leads[i as usize];
        other.contains(other_key(lead)) && status_matches(ds, lead, q) && text_matches(ds, lead, q)
    };
    let rows = |it: &mut dyn Iterator<Item = &u32>| {
        let it = it.filter(keep).map(|&i| i as usize);
        Page::collect(it, paging, with_total)
    };
    if q.descending {
        rows(&mut slice.iter().rev())
    } else {
        rows(&mut slice.iter())
    }
}

fn status_matches(ds: &Dataset, lead: &Lead, q: &LeadQuery) -> bool {
    q.status.as_deref().is_none_or(|want| {
        let org = &ds.organizations()[usize::from(lead.org)];
        org.lead_statuses[usize::from(lead.status)]
            .label
            .eq_ignore_ascii_case(want)
    })
}

fn text_matches(ds: &Dataset, lead: &Lead, q: &LeadQuery) -> bool {
    q.text.iter().all(|word| {
        contains_ci(&lead.name, word)
            || ds.live(Kind::Contact, lead.contacts).any(|row| {
                let c = &ds.contacts()[row];
                contains_ci(&c.name, word) || c.emails.iter().any(|e| contains_ci(&e.email, word))
            })
    })
}

/// Whether `hay` contains `needle` (already lower-case), ignoring ASCII
/// case, without allocating.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}
