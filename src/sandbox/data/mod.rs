//! Stand-in for the generated data set, so the server core compiles and its
//! tests run. The real module replaces this one at merge; it keeps only the
//! interface the core relies on.

pub struct Organization {
    pub id: String,
    pub name: String,
}

pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

pub struct Dataset {
    organizations: Vec<Organization>,
    /// (organization id, user); the first member of an organization owns it.
    members: Vec<(String, User)>,
}

impl Dataset {
    pub fn generate(_seed: u64, _leads: usize) -> Self {
        let organizations = vec![
            Organization {
                id: "orga_standin1".to_owned(),
                name: "Stand-in Alpha".to_owned(),
            },
            Organization {
                id: "orga_standin2".to_owned(),
                name: "Stand-in <Beta> & Co".to_owned(),
            },
        ];
        let user = |n: u32| User {
            id: format!("user_standin{n}"),
            email: format!("user{n}@example.com"),
            first_name: format!("User{n}"),
            last_name: "Standin".to_owned(),
        };
        let members = vec![
            ("orga_standin1".to_owned(), user(1)),
            ("orga_standin1".to_owned(), user(2)),
            ("orga_standin2".to_owned(), user(3)),
        ];
        Self {
            organizations,
            members,
        }
    }

    pub fn organizations(&self) -> &[Organization] {
        &self.organizations
    }

    pub fn members(&self, organization_id: &str) -> Vec<&User> {
        self.members
            .iter()
            .filter(|(org, _)| org == organization_id)
            .map(|(_, user)| user)
            .collect()
    }
}
