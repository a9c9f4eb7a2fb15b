//! The record types the data set holds, kept compact.
//!
//! A lead's contacts, opportunities, tasks and activities sit next to each
//! other in their tables (`Span`), because the generator and the touch hook
//! always append a lead's children together. Ids are not stored: they are
//! the record's table index run through `IdCodec`. Users are `u16` indexes.

use super::time::{Day, Ts};

/// A run of rows in a child table that belongs to one lead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u8,
}

impl Span {
    pub fn range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + usize::from(self.len)
    }
}

#[derive(Debug, Clone)]
pub struct Lead {
    pub org: u8,
    pub status: u8,
    pub name: Box<str>,
    pub description: Option<Box<str>>,
    pub url: Option<Box<str>>,
    pub created: Ts,
    pub updated: Ts,
    pub created_by: u16,
    pub updated_by: u16,
    pub address: Option<Address>,
    pub custom: Custom,
    pub contacts: Span,
    pub opportunities: Span,
    pub tasks: Span,
    pub activities: Span,
}

#[derive(Debug, Clone)]
pub struct Address {
    pub address_1: Box<str>,
    pub city: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub zipcode: u32,
    pub label: &'static str,
}

/// Values of the organization's custom fields (see `org::CUSTOM_FIELDS`);
/// `None` is a field left empty, as much real data is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Custom {
    pub industry: Option<u8>,
    pub source: Option<u8>,
    pub employees: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub lead: u32,
    pub name: Box<str>,
    pub title: Option<&'static str>,
    pub emails: Box<[Email]>,
    pub phones: Box<[Phone]>,
    pub urls: Box<[Box<str>]>,
    pub created: Ts,
    pub updated: Ts,
    pub created_by: u16,
}

#[derive(Debug, Clone)]
pub struct Email {
    pub email: Box<str>,
    pub kind: &'static str,
}

/// A North American number (`+1` and ten digits); formatted on output.
#[derive(Debug, Clone, Copy)]
pub struct Phone {
    pub national: u64,
    pub kind: &'static str,
}

#[derive(Debug, Clone)]
pub struct Opportunity {
    pub lead: u32,
    pub contact: Option<u32>,
    /// Index into the organization's `opportunity_statuses`.
    pub status: u8,
    pub value: u64,
    pub currency: &'static str,
    pub period: &'static str,
    pub confidence: u8,
    pub note: Option<Box<str>>,
    pub user: u16,
    pub created: Ts,
    pub updated: Ts,
    /// Expected close date while active; the day it was won or lost after.
    pub close_date: Option<Day>,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub lead: u32,
    pub contact: Option<u32>,
    /// `lead` for ordinary tasks; a few are Close's automatic kinds.
    pub kind: &'static str,
    pub text: &'static str,
    pub date: Day,
    pub is_complete: bool,
    pub assigned_to: u16,
    pub created: Ts,
    pub updated: Ts,
}

pub const TASK_KINDS: &[&str] = &["lead", "email_followup", "missed_call"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Note,
    Call,
    Email,
}

impl ActivityKind {
    pub fn type_name(self) -> &'static str {
        match self {
            ActivityKind::Note => "Note",
            ActivityKind::Call => "Call",
            ActivityKind::Email => "Email",
        }
    }

    pub fn from_type_name(name: &str) -> Option<Self> {
        [ActivityKind::Note, ActivityKind::Call, ActivityKind::Email]
            .into_iter()
            .find(|k| k.type_name().eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub lead: u32,
    pub contact: Option<u32>,
    pub kind: ActivityKind,
    pub user: u16,
    pub created: Ts,
    pub updated: Ts,
    /// The note, the call's note, or the email's body.
    pub text: &'static str,
    /// Email subject, from `names::EMAIL_SUBJECTS`.
    pub subject: &'static str,
    /// Outgoing/outbound when true.
    pub outgoing: bool,
    /// Call duration in seconds; 0 for a missed call.
    pub duration: u32,
}
