//! A lead as `GET /lead/` returns it: its live contacts, opportunities and
//! tasks embedded (activities are not, as in Close), and custom fields
//! both under `custom` by name and as top-level `custom.cf_…` keys.

use super::{
    ContactView, OpportunityView, TaskView, WriteJson,
    out::{self, Obj},
    user_id, user_name,
};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind, org, records::Lead},
};

pub struct LeadView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl WriteJson for LeadView<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        let ds = self.ds;
        let lead = &ds.leads()[self.row];
        let org = &ds.organizations()[usize::from(lead.org)];
        let status = &org.lead_statuses[usize::from(lead.status)];
        let id = ds.codec().encode(Kind::Lead, self.row as u32);
        let id = id.as_str();
        let mut o = Obj::new(buf, self.fields);
        o.str("id", id);
        o.str("display_name", &lead.name);
        o.str("name", &lead.name);
        o.str("status_id", &status.id);
        o.str("status_label", status.label);
        o.opt_str("description", lead.description.as_deref());
        o.opt_str("url", lead.url.as_deref());
        o.with("html_url", |out| {
            out.extend_from_slice(b"\"https://app.close.com/lead/");
            out::str_body(out, id);
            out.extend_from_slice(b"/\"");
        });
        o.str("organization_id", &org.id);
        o.ts("date_created", lead.created);
        o.ts("date_updated", lead.updated);
        o.str("created_by", user_id(ds, lead.created_by));
        o.str("created_by_name", user_name(ds, lead.created_by));
        o.str("updated_by", user_id(ds, lead.updated_by));
        o.str("updated_by_name", user_name(ds, lead.updated_by));
        o.with("contacts", |out| {
            out::array(out, ds.live(Kind::Contact, lead.contacts), |out, row| {
                ContactView {
                    ds,
                    row,
                    fields: None,
                }
                .write_json(out)
            })
        });
        o.with("opportunities", |out| {
            out::array(
                out,
                ds.live(Kind::Opportunity, lead.opportunities),
                |out, row| {
                    OpportunityView {
                        ds,
                        row,
                        fields: None,
                    }
                    .write_json(out)
                },
            )
        });
        o.with("tasks", |out| {
            out::array(out, ds.live(Kind::Task, lead.tasks), |out, row| {
                TaskView {
                    ds,
                    row,
                    fields: None,
                }
                .write_json(out)
            })
        });
        o.with("addresses", |out| addresses(out, lead));
        o.with("custom", |out| {
            let mut custom = Obj::new(out, None);
            for (field, value) in org.custom_fields.iter().zip(custom_values(lead)) {
                if let Some(value) = value {
                    custom.with(field.name, |out| value.write_json(out));
                }
            }
            custom.end();
        });
        for (field, value) in org.custom_fields.iter().zip(custom_values(lead)) {
            if let Some(value) = value {
                o.with(&field.key, |out| value.write_json(out));
            }
        }
        o.end();
    }
}

/// A custom field's value: a choice label or a number.
enum CustomValue {
    Text(&'static str),
    Number(u32),
}

impl WriteJson for CustomValue {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            CustomValue::Text(s) => out::string(out, s),
            CustomValue::Number(n) => out::number(out, u64::from(*n)),
        }
    }
}

/// The values of `org::CUSTOM_FIELDS`, in its order.
fn custom_values(lead: &Lead) -> [Option<CustomValue>; 3] {
    let c = lead.custom;
    [
        c.industry
            .and_then(|i| org::INDUSTRIES.get(usize::from(i)))
            .map(|s| CustomValue::Text(s)),
        c.source
            .and_then(|i| org::SOURCES.get(usize::from(i)))
            .map(|s| CustomValue::Text(s)),
        c.employees.map(CustomValue::Number),
    ]
}

/// Close's address list; the zipcode is a string there.
fn addresses(out: &mut Vec<u8>, lead: &Lead) {
    out::array(out, lead.address.iter(), |out, a| {
        let mut o = Obj::new(out, None);
        o.str("label", a.label);
        o.str("address_1", &a.address_1);
        o.raw("address_2", b"\"\"");
        o.str("city", a.city);
        o.str("state", a.state);
        o.with("zipcode", |out| {
            out.push(b'"');
            out::number(out, u64::from(a.zipcode));
            out.push(b'"');
        });
        o.str("country", a.country);
        o.end();
    });
}
