//! Contacts, opportunities and tasks: on their own lists, and embedded in
//! their lead.

use serde::{Serialize, Serializer};

use super::{Id, Obj, PhoneDigits, lead::lead_id, user_id, user_name};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind},
};

pub struct ContactView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl Serialize for ContactView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Email<'a> {
            email: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
        }
        struct Phone<'a> {
            digits: PhoneDigits,
            kind: &'a str,
        }
        impl Serialize for Phone<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut st = s.serialize_struct("Phone", 3)?;
                st.serialize_field("phone", self.digits.e164())?;
                st.serialize_field("phone_formatted", self.digits.formatted())?;
                st.serialize_field("type", self.kind)?;
                st.end()
            }
        }
        #[derive(Serialize)]
        struct Url<'a> {
            url: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
        }
        let ds = self.ds;
        let c = &ds.contacts()[self.row];
        let org = &ds.organizations()[ds.lead_org(c.lead)];
        let mut o = Obj::new(s, self.fields)?;
        o.e("id", &Id(ds, Kind::Contact, self.row as u32))?;
        o.e("lead_id", &lead_id(ds, c.lead))?;
        o.e("organization_id", &org.id)?;
        o.e("name", &*c.name)?;
        o.e("display_name", &*c.name)?;
        o.e("title", &c.title)?;
        let emails = c.emails.iter().map(|e| Email {
            email: &e.email,
            kind: e.kind,
        });
        o.e("emails", &Seq(emails))?;
        let phones = c.phones.iter().map(|p| Phone {
            digits: PhoneDigits::new(p.national),
            kind: p.kind,
        });
        o.e("phones", &Seq(phones))?;
        let urls = c.urls.iter().map(|u| Url {
            url: u,
            kind: "url",
        });
        o.e("urls", &Seq(urls))?;
        o.e("date_created", &c.created)?;
        o.e("date_updated", &c.updated)?;
        o.e("created_by", user_id(ds, c.created_by))?;
        o.e("updated_by", user_id(ds, c.created_by))?;
        o.end()
    }
}

/// Serializes an iterator as a JSON array without collecting it.
struct Seq<I>(I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

pub struct OpportunityView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl Serialize for OpportunityView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ds = self.ds;
        let op = &ds.opportunities()[self.row];
        let lead = &ds.leads()[op.lead as usize];
        let org = &ds.organizations()[usize::from(lead.org)];
        let status = &org.opportunity_statuses[usize::from(op.status)];
        let pipeline = &org.pipelines[status.pipeline];
        let mut o = Obj::new(s, self.fields)?;
        o.e("id", &Id(ds, Kind::Opportunity, self.row as u32))?;
        o.e("organization_id", &org.id)?;
        o.e("lead_id", &lead_id(ds, op.lead))?;
        o.e("lead_name", &*lead.name)?;
        o.e("contact_id", &op.contact.map(|c| Id(ds, Kind::Contact, c)))?;
        o.e("user_id", user_id(ds, op.user))?;
        o.e("user_name", user_name(ds, op.user))?;
        o.e("status_id", &status.id)?;
        o.e("status_label", status.label)?;
        o.e("status_type", status.status_type)?;
        o.e("status_display_name", status.label)?;
        o.e("pipeline_id", &pipeline.id)?;
        o.e("pipeline_name", pipeline.name)?;
        o.e("value", &op.value)?;
        o.e("value_currency", op.currency)?;
        o.e("value_period", op.period)?;
        o.e("confidence", &op.confidence)?;
        o.e(
            "expected_value",
            &(op.value * u64::from(op.confidence) / 100),
        )?;
        o.e("note", &op.note)?;
        o.e("date_won", &op.close_date)?;
        o.e("date_created", &op.created)?;
        o.e("date_updated", &op.updated)?;
        o.e("created_by", user_id(ds, op.user))?;
        o.e("updated_by", user_id(ds, op.user))?;
        o.end()
    }
}

pub struct TaskView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl Serialize for TaskView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ds = self.ds;
        let t = &ds.tasks()[self.row];
        let lead = &ds.leads()[t.lead as usize];
        let org = &ds.organizations()[usize::from(lead.org)];
        let contact = t.contact.map(|c| &ds.contacts()[c as usize]);
        let mut o = Obj::new(s, self.fields)?;
        o.e("id", &Id(ds, Kind::Task, self.row as u32))?;
        o.e("_type", t.kind)?;
        o.e("organization_id", &org.id)?;
        o.e("lead_id", &lead_id(ds, t.lead))?;
        o.e("lead_name", &*lead.name)?;
        o.e("contact_id", &t.contact.map(|c| Id(ds, Kind::Contact, c)))?;
        o.e("contact_name", &contact.map(|c| &*c.name))?;
        o.e("assigned_to", user_id(ds, t.assigned_to))?;
        o.e("assigned_to_name", user_name(ds, t.assigned_to))?;
        o.e("text", t.text)?;
        o.e("date", &t.date)?;
        o.e("due_date", &t.date)?;
        o.e("is_dateless", &false)?;
        o.e("is_complete", &t.is_complete)?;
        o.e("date_created", &t.created)?;
        o.e("date_updated", &t.updated)?;
        o.e("created_by", user_id(ds, t.assigned_to))?;
        o.e("updated_by", user_id(ds, t.assigned_to))?;
        o.end()
    }
}
