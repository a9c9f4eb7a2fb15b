//! An event log entry as `GET /event/` returns it.
//!
//! `data` and `previous_data` (Close's copies of the object after and
//! before the action) are always `null` here, as Close itself leaves them
//! out for older events; `meta` is always empty.

use super::{
    WriteJson,
    out::{self, Obj},
    user_id,
};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Event, Kind},
};

pub struct EventView<'a> {
    pub ds: &'a Dataset,
    pub event: &'a Event,
    pub fields: Option<&'a Fields>,
}

impl WriteJson for EventView<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        let (ds, e) = (self.ds, self.event);
        let org = &ds.organizations()[ds.lead_org(e.lead)];
        let mut o = Obj::new(buf, self.fields);
        o.id("id", ds, Kind::Event, e.number);
        o.ts("date_created", e.at);
        o.ts("date_updated", e.at);
        o.str("organization_id", &org.id);
        o.str("user_id", user_id(ds, e.user));
        o.id("request_id", ds, Kind::Request, e.request);
        o.raw("api_key_id", b"null");
        o.str("object_type", e.object_type);
        o.id("object_id", ds, e.kind, e.row);
        o.id("lead_id", ds, Kind::Lead, e.lead);
        o.str("action", e.action.name());
        o.with("changed_fields", |out| {
            out::array(out, e.changed_fields, |out, field| out::string(out, field))
        });
        o.raw("meta", b"{}");
        o.raw("data", b"null");
        o.raw("previous_data", b"null");
        o.end();
    }
}
