//! `GET /event/` and `GET /event/{id}/`: Close's event log, for the
//! caller's organization, newest first, kept 30 days.
//!
//! Filters: `object_type`, `object_id`, `action`, `lead_id`, `user_id`,
//! `request_id`, and `date_updated__gte|gt|lte|lt` with any of them. Close
//! serves only some combinations of the others ([`SUPPORTED`]); the rest
//! are a 400, as there. Paging is by `_cursor` only (`_skip` is a 400),
//! with `_limit` capped at and defaulting to 50, as Close documents: a
//! larger `_limit` gets 50, not an error.

use std::sync::Arc;

use axum::{
    Extension,
    extract::{Path, RawQuery, State},
    response::Response,
};

use super::{
    event_page::{Cursor, select},
    json::{EventView, WriteJson, out},
    org_of,
    page::{self, json_bytes},
    params::{Params, field_error},
    query::DateRange,
    read,
};
use crate::sandbox::{
    data::{Dataset, Event, Kind, Ts, time::MICROS_PER_DAY},
    error::ApiError,
    principal::Principal,
    state::Sandbox,
};

/// Close keeps events this long.
const RETENTION: i64 = 30 * MICROS_PER_DAY;
const MAX_LIMIT: usize = 50;

const OBJECT_TYPE: u8 = 1;
const OBJECT_ID: u8 = 2;
const ACTION: u8 = 4;
const LEAD_ID: u8 = 8;
const USER_ID: u8 = 16;
const REQUEST_ID: u8 = 32;

const FILTERS: [(&str, u8); 6] = [
    ("object_type", OBJECT_TYPE),
    ("object_id", OBJECT_ID),
    ("action", ACTION),
    ("lead_id", LEAD_ID),
    ("user_id", USER_ID),
    ("request_id", REQUEST_ID),
];

/// The filter combinations Close's documentation lists as supported
/// (developer.close.com, "Retrieve a list of events"), plus none at all,
/// which it does not list but is the plain log. Our copy of that list may
/// not be Close's current one: a combination missing here may work there.
/// Note that `action` alone, `object_type` alone and `object_id` alone are
/// not in it.
const SUPPORTED: [u8; 16] = [
    0,
    OBJECT_TYPE | OBJECT_ID,
    OBJECT_TYPE | ACTION,
    OBJECT_ID | ACTION,
    LEAD_ID | OBJECT_TYPE,
    LEAD_ID | OBJECT_TYPE | ACTION,
    LEAD_ID | USER_ID | OBJECT_TYPE,
    LEAD_ID | USER_ID | OBJECT_TYPE | ACTION,
    LEAD_ID | USER_ID,
    USER_ID | OBJECT_ID,
    USER_ID | OBJECT_ID | ACTION,
    USER_ID | OBJECT_TYPE,
    USER_ID | OBJECT_TYPE | ACTION,
    LEAD_ID,
    USER_ID,
    REQUEST_ID,
];

/// What the query string asks for, checked before the data lock is taken.
struct Query<'p> {
    filters: [Option<&'p str>; 6],
    dates: DateRange,
    limit: usize,
    cursor: Option<&'p str>,
}

impl<'p> Query<'p> {
    fn parse(params: &'p Params) -> Result<Self, ApiError> {
        let filters = FILTERS.map(|(key, _)| params.get(key));
        let mask = FILTERS
            .iter()
            .zip(&filters)
            .filter(|(_, value)| value.is_some())
            .fold(0, |mask, ((_, bit), _)| mask | bit);
        if !SUPPORTED.contains(&mask) {
            let given: Vec<&str> = FILTERS
                .iter()
                .filter(|(_, bit)| mask & bit != 0)
                .map(|(key, _)| *key)
                .collect();
            return Err(ApiError::bad_request(format!(
                "Filtering events by {} together is not supported. See the supported \
                 filter combinations in the event log documentation.",
                given.join(", ")
            )));
        }
        let mut dates = DateRange::default();
        for (op, key) in [
            (">=", "date_updated__gte"),
            (">", "date_updated__gt"),
            ("<=", "date_updated__lte"),
            ("<", "date_updated__lt"),
        ] {
            if let Some(ts) = params.date(key)? {
                dates.add(op, ts);
            }
        }
        if params.get("_skip").is_some() {
            return Err(field_error(
                "_skip",
                "The event log does not support _skip; page with _cursor.",
            ));
        }
        let limit = match params.number("_limit")? {
            None => MAX_LIMIT,
            Some(0) => {
                return Err(field_error(
                    "_limit",
                    "Ensure this value is greater than or equal to 1.",
                ));
            }
            Some(n) => n.min(MAX_LIMIT),
        };
        Ok(Self {
            filters,
            dates,
            limit,
            cursor: params.get("_cursor"),
        })
    }

    /// The filters resolved against the data: `Some(None)` is a filter
    /// naming nothing that exists, which matches no event. Ids of deleted
    /// records still resolve: their events outlive them.
    fn matcher(&self, ds: &Dataset) -> impl Fn(&Event) -> bool + use<'p> {
        let [object_type, object_id, action, lead_id, user_id, request_id] = self.filters;
        let codec = *ds.codec();
        let object = object_id.map(|id| {
            [
                Kind::Lead,
                Kind::Contact,
                Kind::Opportunity,
                Kind::Task,
                Kind::Activity,
            ]
            .into_iter()
            .find_map(|kind| Some((kind, codec.decode(kind, id)?)))
        });
        let lead = lead_id.map(|id| codec.decode(Kind::Lead, id));
        let user = user_id.map(|id| ds.user_position(id).map(|u| u as u16));
        let request = request_id.map(|id| codec.decode(Kind::Request, id));
        move |e: &Event| {
            object_type.is_none_or(|t| e.object_type == t)
                && object.is_none_or(|o| o == Some((e.kind, e.row)))
                && action.is_none_or(|a| e.action.name() == a)
                && lead.is_none_or(|l| l == Some(e.lead))
                && user.is_none_or(|u| u == Some(e.user))
                && request.is_none_or(|r| r == Some(e.request))
        }
    }

    /// The positions of `log` inside the date bounds and the retention.
    fn window(&self, log: &[Event], now: Ts) -> std::ops::Range<usize> {
        let oldest = Ts(now.0 - RETENTION);
        let mut start = log.partition_point(|e| e.at < oldest);
        let mut end = log.len();
        if let Some((t, inclusive)) = self.dates.lo {
            start = start.max(log.partition_point(|e| e.at < t || (!inclusive && e.at == t)));
        }
        if let Some((t, inclusive)) = self.dates.hi {
            end = log.partition_point(|e| e.at < t || (inclusive && e.at == t));
        }
        start..end.max(start)
    }
}

pub async fn list(
    State(sb): State<Arc<Sandbox>>,
    Extension(principal): Extension<Principal>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let query = Query::parse(&params)?;
    let fields = params.fields();
    let ds = read(&sb);
    let org = org_of(&ds, &principal)?;
    let log = ds.events().of(org);
    let cursor = query
        .cursor
        .map(|text| Cursor::decode(text, org, log.len()))
        .transpose()?;
    let window = query.window(log, Ts::now());
    let page = select(log, window, query.matcher(&ds), cursor, query.limit);
    let mut body = Vec::with_capacity(64 + page.rows.len() * 640);
    body.extend_from_slice(b"{\"data\":");
    out::array(&mut body, &page.rows, |out, &at| {
        EventView {
            ds: &ds,
            event: &log[at],
            fields: fields.as_ref(),
        }
        .write_json(out)
    });
    drop(ds);
    for (key, cursor) in [
        (&b",\"cursor_next\":"[..], page.next),
        (b",\"cursor_previous\":", page.previous),
    ] {
        body.extend_from_slice(key);
        match cursor {
            Some(c) => out::string(&mut body, &c.encode(org)),
            None => body.extend_from_slice(b"null"),
        }
    }
    body.push(b'}');
    Ok(json_bytes(body))
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
    let log = ds.events().of(org);
    let event = ds
        .codec()
        .decode(Kind::Event, &id)
        .and_then(|number| ds.events().position(org, number))
        .map(|at| &log[at])
        .filter(|e| e.at.0 >= Ts::now().0 - RETENTION)
        .ok_or_else(ApiError::not_found)?;
    page::one(EventView {
        ds: &ds,
        event,
        fields: fields.as_ref(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<(), ApiError> {
        let params = Params::parse(Some(query))?;
        Query::parse(&params).map(|_| ())
    }

    #[test]
    fn only_close_s_combinations_pass() {
        for ok in [
            "",
            "object_type=lead&action=deleted",
            "object_id=lead_x&action=deleted",
            "lead_id=lead_x&user_id=u&object_type=lead&action=updated",
            "request_id=req_x",
            "user_id=u&date_updated__gte=2025-06-01",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for refused in [
            "action=deleted",
            "object_type=lead",
            "action=deleted&user_id=u",
            "request_id=r&lead_id=l",
        ] {
            let err = parse(refused).expect_err(refused);
            let message = err.body["error"].as_str().unwrap_or_default();
            assert!(message.contains("not supported"), "{refused}: {message}");
        }
    }

    #[test]
    fn limits_dates_and_skip() {
        let limit = |q: &str| Query::parse(&Params::parse(Some(q)).unwrap()).map(|q| q.limit);
        assert_eq!(limit("").ok(), Some(50));
        assert_eq!(limit("_limit=7").ok(), Some(7));
        assert_eq!(limit("_limit=500").ok(), Some(50));
        for bad in ["_limit=0", "_limit=x", "_skip=10", "date_updated__gt=soon"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let err = parse("date_updated__lte=nope").err().unwrap();
        assert!(err.body["field-errors"]["date_updated__lte"].is_string());
    }
}
