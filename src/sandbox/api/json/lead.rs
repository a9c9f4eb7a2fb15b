//! A lead as `GET /lead/` returns it: contacts, opportunities and tasks
//! embedded (activities are not, as in Close), and custom fields both under
//! `custom` by name and as top-level `custom.cf_…` keys.

use serde::{Serialize, Serializer, ser::SerializeMap};

use super::{ContactView, Id, Many, Obj, OpportunityView, TaskView, user_id, user_name};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind, org, records::Lead},
};

pub struct LeadView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl Serialize for LeadView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ds = self.ds;
        let lead = &ds.leads()[self.row];
        let org = &ds.organizations()[usize::from(lead.org)];
        let status = &org.lead_statuses[usize::from(lead.status)];
        let id = ds.codec().encode(Kind::Lead, self.row as u32);
        let mut o = Obj::new(s, self.fields)?;
        o.e("id", id.as_str())?;
        o.e("display_name", &*lead.name)?;
        o.e("name", &*lead.name)?;
        o.e("status_id", &status.id)?;
        o.e("status_label", status.label)?;
        o.e("description", &lead.description)?;
        o.e("url", &lead.url)?;
        if self.fields.is_none_or(|f| f.has("html_url")) {
            o.e(
                "html_url",
                &format!("https://app.close.com/lead/{}/", id.as_str()),
            )?;
        }
        o.e("organization_id", &org.id)?;
        o.e("date_created", &lead.created)?;
        o.e("date_updated", &lead.updated)?;
        o.e("created_by", user_id(ds, lead.created_by))?;
        o.e("created_by_name", user_name(ds, lead.created_by))?;
        o.e("updated_by", user_id(ds, lead.updated_by))?;
        o.e("updated_by_name", user_name(ds, lead.updated_by))?;
        o.e(
            "contacts",
            &Many {
                ds,
                rows: lead.contacts.range(),
                view: |ds, row| ContactView {
                    ds,
                    row,
                    fields: None,
                },
            },
        )?;
        o.e(
            "opportunities",
            &Many {
                ds,
                rows: lead.opportunities.range(),
                view: |ds, row| OpportunityView {
                    ds,
                    row,
                    fields: None,
                },
            },
        )?;
        o.e(
            "tasks",
            &Many {
                ds,
                rows: lead.tasks.range(),
                view: |ds, row| TaskView {
                    ds,
                    row,
                    fields: None,
                },
            },
        )?;
        o.e("addresses", &Addresses(lead))?;
        o.e("custom", &CustomByName(lead, &org.custom_fields))?;
        for (field, value) in org.custom_fields.iter().zip(custom_values(lead)) {
            if let Some(value) = value {
                o.e(&field.key, &value)?;
            }
        }
        o.end()
    }
}

/// A custom field's value: a choice label or a number.
#[derive(Serialize)]
#[serde(untagged)]
enum CustomValue {
    Text(&'static str),
    Number(u32),
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

struct CustomByName<'a>(&'a Lead, &'a [org::CustomField]);

impl Serialize for CustomByName<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (field, value) in self.1.iter().zip(custom_values(self.0)) {
            if let Some(value) = value {
                map.serialize_entry(field.name, &value)?;
            }
        }
        map.end()
    }
}

struct Addresses<'a>(&'a Lead);

impl Serialize for Addresses<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Address<'a> {
            label: &'a str,
            address_1: &'a str,
            address_2: &'a str,
            city: &'a str,
            state: &'a str,
            zipcode: String,
            country: &'a str,
        }
        s.collect_seq(self.0.address.iter().map(|a| Address {
            label: a.label,
            address_1: &a.address_1,
            address_2: "",
            city: a.city,
            state: a.state,
            zipcode: a.zipcode.to_string(),
            country: a.country,
        }))
    }
}

/// The lead ids a record points at, for child views.
pub fn lead_id(ds: &Dataset, lead: u32) -> Id<'_> {
    Id(ds, Kind::Lead, lead)
}
