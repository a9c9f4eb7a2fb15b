//! The Account screen: who is signed in and what their organization looks
//! like. Two requests (`/me/` and `/organization/{id}/`), each with its own
//! loading and error state.

use super::{Generation, Loadable};
use crate::store::AccountId;

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
}
