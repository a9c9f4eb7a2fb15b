//! Activities (Note, Call, Email) with the fields Close gives each type.

use serde::{Serialize, Serializer};

use super::{Id, Obj, PhoneDigits, lead::lead_id, user_id, user_name};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind, records::ActivityKind},
};

pub struct ActivityView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl Serialize for ActivityView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ds = self.ds;
        let a = &ds.activities()[self.row];
        let lead = &ds.leads()[a.lead as usize];
        let org = &ds.organizations()[usize::from(lead.org)];
        let contact = a.contact.map(|c| &ds.contacts()[c as usize]);
        let mut o = Obj::new(s, self.fields)?;
        o.e("id", &Id(ds, Kind::Activity, self.row as u32))?;
        o.e("_type", a.kind.type_name())?;
        o.e("organization_id", &org.id)?;
        o.e("lead_id", &lead_id(ds, a.lead))?;
        o.e("contact_id", &a.contact.map(|c| Id(ds, Kind::Contact, c)))?;
        o.e("user_id", user_id(ds, a.user))?;
        o.e("user_name", user_name(ds, a.user))?;
        o.e("created_by", user_id(ds, a.user))?;
        o.e("updated_by", user_id(ds, a.user))?;
        o.e("date_created", &a.created)?;
        o.e("date_updated", &a.updated)?;
        o.e("activity_at", &a.created)?;
        match a.kind {
            ActivityKind::Note => {
                o.e("note", a.text)?;
                o.e("note_html", &format!("<p>{}</p>", a.text))?;
            }
            ActivityKind::Call => {
                let phone = contact
                    .and_then(|c| c.phones.first())
                    .map(|p| PhoneDigits::new(p.national));
                o.e("direction", if a.outgoing { "outbound" } else { "inbound" })?;
                o.e("status", "completed")?;
                o.e(
                    "disposition",
                    if a.duration > 0 {
                        "answered"
                    } else {
                        "no-answer"
                    },
                )?;
                o.e("duration", &a.duration)?;
                o.e("phone", &phone.as_ref().map(PhoneDigits::e164))?;
                o.e("note", a.text)?;
                o.e("source", "Close.io")?;
                o.e("recording_url", &None::<&str>)?;
                o.e("voicemail_url", &None::<&str>)?;
            }
            ActivityKind::Email => {
                let user = ds.users().get(usize::from(a.user));
                let user_addr = user.map(|u| format!("{} <{}>", u.display_name, u.email));
                let contact_addr = contact.and_then(|c| {
                    c.emails
                        .first()
                        .map(|e| format!("{} <{}>", c.name, e.email))
                });
                let (sender, to) = if a.outgoing {
                    (user_addr, contact_addr)
                } else {
                    (contact_addr, user_addr)
                };
                let subject = a.subject.replace("{company}", &lead.name);
                o.e(
                    "direction",
                    if a.outgoing { "outgoing" } else { "incoming" },
                )?;
                o.e("status", if a.outgoing { "sent" } else { "inbox" })?;
                o.e("subject", &subject)?;
                o.e("sender", &sender)?;
                o.e("to", &to.into_iter().collect::<Vec<_>>())?;
                o.e("cc", &[] as &[&str])?;
                o.e("bcc", &[] as &[&str])?;
                o.e("body_text", a.text)?;
                o.e("body_preview", a.text)?;
                o.e("body_html", &format!("<div>{}</div>", a.text))?;
                o.e("attachments", &[] as &[&str])?;
                o.e("opens", &[] as &[&str])?;
                o.e("date_sent", &a.created)?;
            }
        }
        o.end()
    }
}
