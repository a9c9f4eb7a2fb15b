//! The Account screen: who is signed in and what their organization looks
//! like. Two requests (`/me/` and `/organization/{id}/`), each with its own
//! loading and error state, and the text the screen shows of them (here, so
//! that `update` bounds the scroll by the same rows the renderer draws).

use super::{
    Generation, Layout, Loadable,
    text::{self, TextLine, Tone},
};
use crate::store::AccountId;

/// The width of the labels before values.
const LABEL: usize = 13;

/// The widest the Account screen's member names and emails line up to.
const MEMBER_NAME_MAX: usize = 28;
const MEMBER_EMAIL_MAX: usize = 40;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineInfo {
    pub name: String,
    pub statuses: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgInfo {
    pub id: String,
    pub name: String,
    pub members: Vec<Member>,
    pub lead_statuses: Vec<String>,
    pub pipelines: Vec<PipelineInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountScreen {
    /// The account the data below belongs to; another active account
    /// means a reload.
    pub loaded_for: Option<AccountId>,
    pub generation: Generation,
    pub user: Loadable<UserInfo>,
    pub org: Loadable<OrgInfo>,
    pub scroll: usize,
}

impl AccountScreen {
    /// Starts loading both parts for `account`, keeping what is shown.
    pub fn start(&mut self, account: AccountId) -> Generation {
        if self.loaded_for.as_ref() != Some(&account) {
            self.user = Loadable::Idle;
            self.org = Loadable::Idle;
            self.scroll = 0;
        }
        self.loaded_for = Some(account);
        self.user.start();
        self.org.start();
        self.generation.bump()
    }

    /// What the screen shows, each part with its own state.
    pub fn lines(&self) -> Vec<TextLine> {
        let mut lines = vec![TextLine::new(Tone::Heading, "User")];
        status(&self.user, &mut lines);
        if let Some(user) = self.user.value() {
            lines.push(TextLine::field("Name", user.name.clone(), LABEL));
            lines.push(TextLine::field("Email", user.email.clone(), LABEL));
            lines.push(TextLine::field("Id", user.id.clone(), LABEL));
        }
        lines.push(TextLine::blank());
        lines.push(TextLine::new(Tone::Heading, "Organization"));
        status(&self.org, &mut lines);
        if let Some(org) = self.org.value() {
            lines.push(TextLine::field("Name", org.name.clone(), LABEL));
            lines.push(TextLine::field("Id", org.id.clone(), LABEL));
            lines.push(TextLine::blank());
            lines.push(TextLine::new(
                Tone::Heading,
                format!("Members ({})", org.members.len()),
            ));
            // Columns as wide as their longest entry (on screen, and up to
            // a cap, past which one long email would wrap every row), so
            // roles line up.
            let widest = |of: fn(&Member) -> &str, cap: usize| {
                org.members
                    .iter()
                    .map(|m| text::width(of(m)))
                    .max()
                    .unwrap_or(0)
                    .min(cap)
            };
            let name = widest(|m| &m.name, MEMBER_NAME_MAX);
            let email = widest(|m| &m.email, MEMBER_EMAIL_MAX);
            for member in &org.members {
                lines.push(TextLine::text(format!(
                    "  {}  {}  {}",
                    text::pad(&member.name, name),
                    text::pad(&member.email, email),
                    member.role
                )));
            }
            lines.push(TextLine::blank());
            lines.push(TextLine::new(Tone::Heading, "Lead statuses"));
            lines.push(TextLine::text(format!(
                "  {}",
                join_or_none(&org.lead_statuses)
            )));
            lines.push(TextLine::blank());
            lines.push(TextLine::new(
                Tone::Heading,
                format!("Pipelines ({})", org.pipelines.len()),
            ));
            for pipeline in &org.pipelines {
                lines.push(TextLine::field(
                    &format!("  {}", pipeline.name),
                    join_or_none(&pipeline.statuses),
                    LABEL + 8,
                ));
            }
        }
        lines
    }

    /// The furthest the screen scrolls on a screen of `layout`, counted in
    /// rows as drawn (long lines wrap).
    pub fn max_scroll(&self, layout: Layout) -> usize {
        text::max_scroll(&self.lines(), layout.width, layout.body_rows())
    }
}

fn status<T>(part: &Loadable<T>, lines: &mut Vec<TextLine>) {
    match part {
        Loadable::Idle => lines.push(TextLine::new(Tone::Dim, "not loaded")),
        Loadable::Loading { .. } => lines.push(TextLine::new(Tone::Dim, "loading…")),
        Loadable::Failed { error, last } => {
            lines.push(TextLine::new(
                Tone::Error,
                format!("could not load: {error}"),
            ));
            if last.is_some() {
                lines.push(TextLine::new(Tone::Dim, "showing the last good copy"));
            }
        }
        Loadable::Loaded(_) => {}
    }
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_roles_line_up_whatever_the_emails_length() {
        let member = |name: &str, email: &str, role: &str| Member {
            name: name.into(),
            email: email.into(),
            role: role.into(),
        };
        let mut screen = AccountScreen::default();
        screen.org.finish(Ok(OrgInfo {
            members: vec![
                member(
                    "Jacob Martin",
                    "jacob.martin0@juniperhealth.example",
                    "admin",
                ),
                member("Mia Tanaka", "mia.tanaka1@juniperhealth.example", "user"),
                member(
                    "Harper Johansson",
                    "harper.johansson2@juniperhealth.example",
                    "user",
                ),
                member("山田 太郎", "yamada@juniperhealth.example", "user"),
            ],
            ..OrgInfo::default()
        }));
        let rows: Vec<String> = screen
            .lines()
            .iter()
            .map(|line| line.parts.iter().map(|(_, text)| text.as_str()).collect())
            .filter(|row: &String| row.contains('@'))
            .collect();
        assert_eq!(rows.len(), 4);
        // Where each role starts, in columns on screen.
        let roles: Vec<usize> = rows
            .iter()
            .map(|row| text::width(&row[..row.rfind(' ').unwrap()]))
            .collect();
        assert!(roles.iter().all(|at| *at == roles[0]), "{rows:#?}");
    }
}
