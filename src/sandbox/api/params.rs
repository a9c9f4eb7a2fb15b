//! Query-string parameters: paging (`_skip`, `_limit`), `_fields`, filters.
//!
//! The query string is parsed by hand rather than with axum's `Query`, so a
//! bad value gets Close's JSON 400 instead of axum's plain-text rejection.

use serde_json::json;

use crate::sandbox::{data::Ts, data::time, error::ApiError};

/// A list endpoint's default and maximum `_limit`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub default: usize,
    pub max: usize,
}

pub const LEAD: Limits = Limits {
    default: 100,
    max: 200,
};
pub const CONTACT: Limits = Limits {
    default: 100,
    max: 100,
};
pub const OPPORTUNITY: Limits = Limits {
    default: 100,
    max: 250,
};
pub const ACTIVITY: Limits = Limits {
    default: 100,
    max: 100,
};
pub const TASK: Limits = Limits {
    default: 100,
    max: 1000,
};
/// Users, pipelines and statuses.
pub const SMALL: Limits = Limits {
    default: 100,
    max: 1000,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub skip: usize,
    pub limit: usize,
}

/// The keys `_fields` keeps; `_fields=_all` or none means every key.
#[derive(Debug, Clone)]
pub struct Fields(Vec<String>);

impl Fields {
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|f| f == key)
    }
}

pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let pairs = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| ApiError::bad_request("Malformed query string."))?;
        Ok(Self { pairs })
    }

    /// A parameter's value; the last one wins when it is repeated.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A whole-number parameter; absent or empty is `None`.
    pub fn number(&self, key: &str) -> Result<Option<usize>, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => count(key, v).map(Some),
        }
    }

    /// `_skip` and `_limit` within `limits`, `max_skip` (0: none) and
    /// `max_limit` (0: the list's own maximum).
    pub fn paging(
        &self,
        limits: Limits,
        max_skip: usize,
        max_limit: usize,
    ) -> Result<Paging, ApiError> {
        let max = match max_limit {
            0 => limits.max,
            cap => limits.max.min(cap),
        };
        let limit = self.number("_limit")?.unwrap_or(limits.default.min(max));
        if limit > max {
            return Err(field_error(
                "_limit",
                &format!("Ensure this value is less than or equal to {max}."),
            ));
        }
        let skip = self.number("_skip")?.unwrap_or(0);
        if max_skip > 0 && skip > max_skip {
            return Err(ApiError::bad_request(format!(
                "The skip you set is larger than the maximum skip for this resource \
                 (max_skip = {max_skip}). Please refine your search query."
            )));
        }
        Ok(Paging { skip, limit })
    }

    pub fn fields(&self) -> Option<Fields> {
        let raw = self.get("_fields")?;
        if raw.is_empty() || raw == "_all" {
            return None;
        }
        Some(Fields(
            raw.split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        ))
    }

    pub fn date(&self, key: &str) -> Result<Option<Ts>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => time::parse(v).map(Some).ok_or_else(|| {
                field_error(
                    key,
                    "Enter a valid date/time (e.g. 2024-03-05T14:22:31+00:00).",
                )
            }),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(None),
            Some("true" | "1" | "yes") => Ok(Some(true)),
            Some("false" | "0" | "no") => Ok(Some(false)),
            Some(_) => Err(field_error(key, "Must be true or false.")),
        }
    }
}

/// A `(lower, upper)` pair of exclusive bounds from `KEY__gt` / `KEY__lt`.
pub fn bounds(params: &Params, key: &str) -> Result<(Option<Ts>, Option<Ts>), ApiError> {
    Ok((
        params.date(&format!("{key}__gt"))?,
        params.date(&format!("{key}__lt"))?,
    ))
}

pub fn within(ts: Ts, (gt, lt): (Option<Ts>, Option<Ts>)) -> bool {
    gt.is_none_or(|g| ts > g) && lt.is_none_or(|l| ts < l)
}

fn count(key: &str, value: &str) -> Result<usize, ApiError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| field_error(key, "Enter a whole number, zero or more."))
}

/// A 400 in Close's validation shape, naming the parameter.
pub fn field_error(key: &str, message: &str) -> ApiError {
    ApiError::validation(Vec::new(), json!({ key: message }))
}
