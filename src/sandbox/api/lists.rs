//! `contact/`, `opportunity/`, `task/` and `activity/`: lists and single
//! records. Every list is newest `date_created` first (ties by row).
//!
//! With `lead_id`, a list reads only that lead's live rows. `activity/`
//! without it pages the organization's date-sorted index, so
//! `date_created__gt` windows cost O(limit); other filters scan the
//! organization's rows. Deleted rows are in neither, so no list shows them.

use std::sync::Arc;

use axum::{
    Extension,
    extract::{RawQuery, State},
    response::Response,
};

use super::{
    json::{ActivityView, ContactView, OpportunityView, TaskView},
    org_of,
    page::{self, Page},
    params::{self, Params, bounds, field_error, within},
    read,
};
use crate::sandbox::{
    data::{Dataset, Kind, records::ActivityKind},
    error::ApiError,
    principal::Principal,
    state::Sandbox,
};

type Query = (State<Arc<Sandbox>>, Extension<Principal>, RawQuery);

/// The rows of a lead (in this organization) named by `lead_id`, or
/// `Ok(None)` when the filter is absent. An unknown lead gives no rows.
fn lead_filter(ds: &Dataset, org: usize, params: &Params) -> Option<Option<u32>> {
    let id = params.get("lead_id")?;
    Some(
        ds.find(Kind::Lead, id)
            .map(|row| row as u32)
            .filter(|&row| ds.lead_org(row) == org),
    )
}

/// The live rows of `kind` that belong to a lead (none when `lead` is
/// `None`, an unknown lead).
fn rows_of(ds: &Dataset, lead: Option<u32>, kind: Kind) -> Vec<usize> {
    let Some(l) = lead else {
        return Vec::new();
    };
    let lead = &ds.leads()[l as usize];
    let span = match kind {
        Kind::Contact => lead.contacts,
        Kind::Opportunity => lead.opportunities,
        Kind::Task => lead.tasks,
        _ => lead.activities,
    };
    ds.live(kind, span).collect()
}

/// Rows newest first: the lead's own (sorted), or the organization's.
fn newest_first<'a>(
    all: &'a [u32],
    lead_rows: Option<Vec<usize>>,
    created: impl Fn(usize) -> crate::sandbox::data::Ts,
) -> Box<dyn Iterator<Item = usize> + 'a> {
    match lead_rows {
        Some(mut rows) => {
            rows.sort_by_key(|&r| std::cmp::Reverse((created(r), r)));
            Box::new(rows.into_iter())
        }
        None => Box::new(all.iter().rev().map(|&r| r as usize)),
    }
}

pub async fn contacts(
    (State(sb), Extension(p), RawQuery(raw)): Query,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let paging = params.paging(params::CONTACT, sb.options.max_skip, sb.options.max_limit)?;
    let fields = params.fields();
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let lead = lead_filter(&ds, org, &params);
    let page = match lead {
        Some(lead) => Page::collect(
            newest_first(&[], Some(rows_of(&ds, lead, Kind::Contact)), |r| {
                ds.contacts()[r].created
            }),
            paging,
            false,
        ),
        None => Page::from_slice(&ds.org_index(org).contacts, true, paging, false),
    };
    page.respond(|row| ContactView {
        ds: &ds,
        row,
        fields: fields.as_ref(),
    })
}

pub async fn opportunities(
    (State(sb), Extension(p), RawQuery(raw)): Query,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let paging = params.paging(
        params::OPPORTUNITY,
        sb.options.max_skip,
        sb.options.max_limit,
    )?;
    let fields = params.fields();
    let status_type = params.get("status_type");
    if let Some(t) = status_type.filter(|t| !matches!(*t, "active" | "won" | "lost")) {
        return Err(field_error(
            "status_type",
            &format!("'{t}' is not one of active, won, lost."),
        ));
    }
    let updated = bounds(&params, "date_updated")?;
    let created = bounds(&params, "date_created")?;
    let status_id = params.get("status_id");
    let user_id = params.get("user_id");
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let lead_rows =
        lead_filter(&ds, org, &params).map(|lead| rows_of(&ds, lead, Kind::Opportunity));
    let o = &ds.organizations()[org];
    let rows = newest_first(&ds.org_index(org).opportunities, lead_rows, |r| {
        ds.opportunities()[r].created
    })
    .filter(|&r| {
        let op = &ds.opportunities()[r];
        let status = &o.opportunity_statuses[usize::from(op.status)];
        status_type.is_none_or(|t| status.status_type == t)
            && status_id.is_none_or(|s| status.id == s)
            && user_id.is_none_or(|u| super::json::user_id(&ds, op.user) == u)
            && within(op.updated, updated)
            && within(op.created, created)
    });
    let page = Page::collect(rows, paging, true);
    page.respond(|row| OpportunityView {
        ds: &ds,
        row,
        fields: fields.as_ref(),
    })
}

pub async fn tasks((State(sb), Extension(p), RawQuery(raw)): Query) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let paging = params.paging(params::TASK, sb.options.max_skip, sb.options.max_limit)?;
    let fields = params.fields();
    let is_complete = params.bool("is_complete")?;
    // Close lists only lead tasks unless asked for other kinds.
    let kinds: Option<Vec<&str>> = match (params.get("_type"), params.get("_type__in")) {
        (Some("all"), _) => None,
        (Some(t), _) => Some(vec![t]),
        (None, Some(list)) => Some(list.split(',').map(str::trim).collect()),
        (None, None) => Some(vec!["lead"]),
    };
    let updated = bounds(&params, "date_updated")?;
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let lead_rows = lead_filter(&ds, org, &params).map(|lead| rows_of(&ds, lead, Kind::Task));
    let rows = newest_first(&ds.org_index(org).tasks, lead_rows, |r| {
        ds.tasks()[r].created
    })
    .filter(|&r| {
        let t = &ds.tasks()[r];
        kinds.as_ref().is_none_or(|k| k.contains(&t.kind))
            && is_complete.is_none_or(|c| t.is_complete == c)
            && within(t.updated, updated)
    });
    let page = Page::collect(rows, paging, false);
    page.respond(|row| TaskView {
        ds: &ds,
        row,
        fields: fields.as_ref(),
    })
}

pub async fn activities(
    (State(sb), Extension(p), RawQuery(raw)): Query,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let paging = params.paging(params::ACTIVITY, sb.options.max_skip, sb.options.max_limit)?;
    let fields = params.fields();
    let (gt, lt) = bounds(&params, "date_created")?;
    let type_filter = params.get("_type").or(params.get("_type__in"));
    if type_filter.is_some() && params.get("lead_id").is_none() {
        return Err(ApiError::bad_request(
            "The _type filter can only be used together with lead_id.",
        ));
    }
    let kinds = match type_filter {
        None => None,
        Some(list) => Some(
            list.split(',')
                .map(|t| {
                    ActivityKind::from_type_name(t.trim()).ok_or_else(|| {
                        field_error("_type", &format!("Unknown activity type '{t}'."))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let newest = activity_order(&params, sb.options.activities_oldest_first)?;
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let acts = ds.activities();
    let page = match lead_filter(&ds, org, &params) {
        Some(lead) => {
            let lead_rows = rows_of(&ds, lead, Kind::Activity);
            let mut rows: Vec<usize> = newest_first(&[], Some(lead_rows), |r| acts[r].created)
                .filter(|&r| {
                    kinds.as_ref().is_none_or(|k| k.contains(&acts[r].kind))
                        && within(acts[r].created, (gt, lt))
                })
                .collect();
            if !newest {
                rows.reverse();
            }
            Page::collect(rows.into_iter(), paging, false)
        }
        None => {
            let all = &ds.org_index(org).activities;
            let lo = gt.map_or(0, |t| {
                all.partition_point(|&r| acts[r as usize].created <= t)
            });
            let hi = lt.map_or(all.len(), |t| {
                all.partition_point(|&r| acts[r as usize].created < t)
            });
            Page::from_slice(&all[lo..hi.max(lo)], newest, paging, false)
        }
    };
    page.respond(|row| ActivityView {
        ds: &ds,
        row,
        fields: fields.as_ref(),
    })
}

/// Whether an activity list goes newest first, from its `_order_by`
/// (`date_created` or `activity_at`, `-` for descending; the two are the
/// same time here), else the sandbox's default. Close sorts by
/// `-activity_at` only within one lead.
fn activity_order(params: &Params, oldest_by_default: bool) -> Result<bool, ApiError> {
    match params.get("_order_by") {
        None => Ok(!oldest_by_default),
        Some("date_created" | "activity_at") => Ok(false),
        Some("-date_created") => Ok(true),
        Some("-activity_at") if params.get("lead_id").is_some() => Ok(true),
        Some("-activity_at") => Err(field_error(
            "_order_by",
            "Sorting by -activity_at needs a lead_id filter.",
        )),
        Some(other) => Err(field_error(
            "_order_by",
            &format!("Activities cannot be sorted by '{other}'."),
        )),
    }
}

/// `GET /{resource}/{id}/` for the four lead-owned kinds.
pub async fn one(
    kind: Kind,
    sb: Arc<Sandbox>,
    p: Principal,
    id: String,
    raw: Option<String>,
) -> Result<Response, ApiError> {
    let fields = Params::parse(raw.as_deref())?.fields();
    let fields = fields.as_ref();
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let row = ds.find(kind, &id).ok_or_else(ApiError::not_found)?;
    let lead = match kind {
        Kind::Contact => ds.contacts()[row].lead,
        Kind::Opportunity => ds.opportunities()[row].lead,
        Kind::Task => ds.tasks()[row].lead,
        _ => ds.activities()[row].lead,
    };
    if ds.lead_org(lead) != org {
        return Err(ApiError::not_found());
    }
    let ds = &*ds;
    match kind {
        Kind::Contact => page::one(ContactView { ds, row, fields }),
        Kind::Opportunity => page::one(OpportunityView { ds, row, fields }),
        Kind::Task => page::one(TaskView { ds, row, fields }),
        _ => page::one(ActivityView { ds, row, fields }),
    }
}
