//! Activities (Note, Call, Email) with the fields Close gives each type.

use super::{
    PhoneDigits, WriteJson,
    out::{self, Obj},
    user_id, user_name,
};
use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind, records::ActivityKind},
};

pub struct ActivityView<'a> {
    pub ds: &'a Dataset,
    pub row: usize,
    pub fields: Option<&'a Fields>,
}

impl WriteJson for ActivityView<'_> {
    fn write_json(&self, buf: &mut Vec<u8>) {
        let ds = self.ds;
        let a = &ds.activities()[self.row];
        let lead = &ds.leads()[a.lead as usize];
        let org = &ds.organizations()[usize::from(lead.org)];
        let contact = a.contact.map(|c| &ds.contacts()[c as usize]);
        let mut o = Obj::new(buf, self.fields);
        o.id("id", ds, Kind::Activity, self.row as u32);
        o.str("_type", a.kind.type_name());
        o.str("organization_id", &org.id);
        o.id("lead_id", ds, Kind::Lead, a.lead);
        o.opt_id("contact_id", ds, Kind::Contact, a.contact);
        o.str("user_id", user_id(ds, a.user));
        o.str("user_name", user_name(ds, a.user));
        o.str("created_by", user_id(ds, a.user));
        o.str("updated_by", user_id(ds, a.user));
        o.ts("date_created", a.created);
        o.ts("date_updated", a.updated);
        o.ts("activity_at", a.created);
        match a.kind {
            ActivityKind::Note => {
                o.str("note", a.text);
                o.with("note_html", |out| wrapped(out, "<p>", a.text, "</p>"));
            }
            ActivityKind::Call => {
                let phone = contact
                    .and_then(|c| c.phones.first())
                    .map(|p| PhoneDigits::new(p.national));
                o.str("direction", if a.outgoing { "outbound" } else { "inbound" });
                o.str("status", "completed");
                o.str(
                    "disposition",
                    if a.duration > 0 {
                        "answered"
                    } else {
                        "no-answer"
                    },
                );
                o.num("duration", u64::from(a.duration));
                o.opt_str("phone", phone.as_ref().map(PhoneDigits::e164));
                o.str("note", a.text);
                o.str("source", "Close.io");
                o.raw("recording_url", b"null");
                o.raw("voicemail_url", b"null");
            }
            ActivityKind::Email => {
                let user = ds.users().get(usize::from(a.user));
                let user_addr = user.map(|u| (u.display_name.as_str(), u.email.as_str()));
                let contact_addr =
                    contact.and_then(|c| c.emails.first().map(|e| (&*c.name, &*e.email)));
                let (sender, to) = if a.outgoing {
                    (user_addr, contact_addr)
                } else {
                    (contact_addr, user_addr)
                };
                o.str(
                    "direction",
                    if a.outgoing { "outgoing" } else { "incoming" },
                );
                o.str("status", if a.outgoing { "sent" } else { "inbox" });
                o.with("subject", |out| {
                    // The subject template names the lead's company.
                    out.push(b'"');
                    for (n, part) in a.subject.split("{company}").enumerate() {
                        if n > 0 {
                            out::str_body(out, &lead.name);
                        }
                        out::str_body(out, part);
                    }
                    out.push(b'"');
                });
                o.with("sender", |out| match sender {
                    Some(addr) => address(out, addr),
                    None => out.extend_from_slice(b"null"),
                });
                o.with("to", |out| out::array(out, to, address));
                o.raw("cc", b"[]");
                o.raw("bcc", b"[]");
                o.str("body_text", a.text);
                o.str("body_preview", a.text);
                o.with("body_html", |out| wrapped(out, "<div>", a.text, "</div>"));
                o.raw("attachments", b"[]");
                o.raw("opens", b"[]");
                o.ts("date_sent", a.created);
            }
        }
        o.end();
    }
}

/// `"{before}{text}{after}"`, all escaped.
fn wrapped(out: &mut Vec<u8>, before: &str, text: &str, after: &str) {
    out.push(b'"');
    out::str_body(out, before);
    out::str_body(out, text);
    out::str_body(out, after);
    out.push(b'"');
}

/// `"Name <email>"`.
fn address(out: &mut Vec<u8>, (name, email): (&str, &str)) {
    out.push(b'"');
    out::str_body(out, name);
    out.extend_from_slice(b" <");
    out::str_body(out, email);
    out.push(b'>');
    out.push(b'"');
}
