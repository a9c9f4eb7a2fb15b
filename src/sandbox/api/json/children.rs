//! Contacts, opportunities and tasks: on their own lists, and embedded in
//! their lead.

use super::{
    PhoneDigits, WriteJson,
    out::{self, Obj},
    user_id, user_name,
};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind},
};

pub struct ContactView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl WriteJson for ContactView<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        let ds = self.ds;
        let c = &ds.contacts()[self.row];
        let org = &ds.organizations()[ds.lead_org(c.lead)];
        let mut o = Obj::new(buf, self.fields);
        o.id("id", ds, Kind::Contact, self.row as u32);
        o.id("lead_id", ds, Kind::Lead, c.lead);
        o.str("organization_id", &org.id);
        o.str("name", &c.name);
        o.str("display_name", &c.name);
        o.opt_str("title", c.title);
        o.with("emails", |out| {
            out::array(out, c.emails.iter(), |out, e| {
                let mut o = Obj::new(out, None);
                o.str("email", &e.email);
                o.str("type", e.kind);
                o.end();
            })
        });
        o.with("phones", |out| {
            out::array(out, c.phones.iter(), |out, p| {
                let digits = PhoneDigits::new(p.national);
                let mut o = Obj::new(out, None);
                o.str("phone", digits.e164());
                o.str("phone_formatted", digits.formatted());
                o.str("type", p.kind);
                o.end();
            })
        });
        o.with("urls", |out| {
            out::array(out, c.urls.iter(), |out, u| {
                let mut o = Obj::new(out, None);
                o.str("url", u);
                o.raw("type", b"\"url\"");
                o.end();
            })
        });
        o.ts("date_created", c.created);
        o.ts("date_updated", c.updated);
        o.str("created_by", user_id(ds, c.created_by));
        o.str("updated_by", user_id(ds, c.created_by));
        o.end();
    }
}

pub struct OpportunityView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl WriteJson for OpportunityView<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        let ds = self.ds;
        let op = &ds.opportunities()[self.row];
        let lead = &ds.leads()[op.lead as usize];
        let org = &ds.organizations()[usize::from(lead.org)];
        let status = &org.opportunity_statuses[usize::from(op.status)];
        let pipeline = &org.pipelines[status.pipeline];
        let mut o = Obj::new(buf, self.fields);
        o.id("id", ds, Kind::Opportunity, self.row as u32);
        o.str("organization_id", &org.id);
        o.id("lead_id", ds, Kind::Lead, op.lead);
        o.str("lead_name", &lead.name);
        o.opt_id("contact_id", ds, Kind::Contact, op.contact);
        o.str("user_id", user_id(ds, op.user));
        o.str("user_name", user_name(ds, op.user));
        o.str("status_id", &status.id);
        o.str("status_label", status.label);
        o.str("status_type", status.status_type);
        o.str("status_display_name", status.label);
        o.str("pipeline_id", &pipeline.id);
        o.str("pipeline_name", pipeline.name);
        o.num("value", op.value);
        o.str("value_currency", op.currency);
        o.str("value_period", op.period);
        o.num("confidence", u64::from(op.confidence));
        o.num("expected_value", op.value * u64::from(op.confidence) / 100);
        o.opt_str("note", op.note.as_deref());
        o.opt_day("date_won", op.close_date);
        o.ts("date_created", op.created);
        o.ts("date_updated", op.updated);
        o.str("created_by", user_id(ds, op.user));
        o.str("updated_by", user_id(ds, op.user));
        o.end();
    }
}

pub struct TaskView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl WriteJson for TaskView<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        let ds = self.ds;
        let t = &ds.tasks()[self.row];
        let lead = &ds.leads()[t.lead as usize];
        let org = &ds.organizations()[usize::from(lead.org)];
        let contact = t.contact.map(|c| &ds.contacts()[c as usize]);
        let mut o = Obj::new(buf, self.fields);
        o.id("id", ds, Kind::Task, self.row as u32);
        o.str("_type", t.kind);
        o.str("organization_id", &org.id);
        o.id("lead_id", ds, Kind::Lead, t.lead);
        o.str("lead_name", &lead.name);
        o.opt_id("contact_id", ds, Kind::Contact, t.contact);
        o.opt_str("contact_name", contact.map(|c| &*c.name));
        o.str("assigned_to", user_id(ds, t.assigned_to));
        o.str("assigned_to_name", user_name(ds, t.assigned_to));
        o.str("text", t.text);
        o.opt_day("date", Some(t.date));
        o.opt_day("due_date", Some(t.date));
        o.bool("is_dateless", false);
        o.bool("is_complete", t.is_complete);
        o.ts("date_created", t.created);
        o.ts("date_updated", t.updated);
        o.str("created_by", user_id(ds, t.assigned_to));
        o.str("updated_by", user_id(ds, t.assigned_to));
        o.end();
    }
}
