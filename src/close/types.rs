//! Close records as close-tui reads them. Unknown fields are ignored and
//! anything Close may omit is optional, so a new or odd field never breaks
//! decoding.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Me {
    pub id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organizations: Vec<OrganizationRef>,
}

impl Me {
    /// "First Last", or whatever part exists.
    pub fn full_name(&self) -> Option<String> {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!name.is_empty()).then_some(name)
    }

    /// The name of one of the user's organizations.
    pub fn organization_name(&self, organization_id: &str) -> Option<&str> {
        self.organizations
            .iter()
            .find(|org| org.id == organization_id)
            .and_then(|org| org.name.as_deref())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrganizationRef {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Organization {
    pub id: String,
    pub name: Option<String>,
}
