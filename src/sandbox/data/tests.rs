//! Generation: determinism, counts, shapes and the touch hook.

use super::*;

fn fingerprint(d: &Dataset) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        d.orgs, d.users, d.leads, d.contacts, d.opportunities, d.tasks, d.activities
    )
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = Dataset::generate(42, 200);
    let b = Dataset::generate(42, 200);
    let c = Dataset::generate(43, 200);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_ne!(fingerprint(&a), fingerprint(&c));
    assert_ne!(a.organizations()[0].id, c.organizations()[0].id);
}

#[test]
fn counts_and_org_split() {
    let d = Dataset::generate(1, 1000);
    assert_eq!(d.organizations().len(), 2);
    assert_ne!(d.organizations()[0].name, d.organizations()[1].name);
    assert_eq!(d.leads().len(), 1000);
    assert_eq!(d.org_index(0).leads_by_created.len(), 600);
    assert_eq!(d.org_index(1).leads_by_created.len(), 400);
    for org in d.organizations() {
        let members = d.members(&org.id);
        assert!((3..=6).contains(&members.len()));
        assert_eq!(members[0].role_id, "admin");
        assert!(members.iter().all(|u| u.organization_id == org.id));
    }
    for lead in d.leads() {
        assert!(lead.contacts.len <= 3 && lead.opportunities.len <= 3 && lead.tasks.len <= 2);
        assert!((2..=6).contains(&lead.activities.len));
        assert!(lead.updated >= lead.created && lead.updated <= time::ANCHOR);
    }
    let total: usize = d.leads().iter().map(|l| usize::from(l.contacts.len)).sum();
    assert_eq!(total, d.contacts().len());
    // Some messiness must be there.
    assert!(d.leads().iter().any(|l| l.description.is_none()));
    assert!(d.leads().iter().any(|l| l.contacts.len == 0));
    assert!(d.contacts().iter().any(|c| c.phones.is_empty()));
}

#[test]
fn ids_resolve_to_their_rows() {
    let d = Dataset::generate(3, 50);
    let id = d.codec().string(Kind::Lead, 7);
    assert_eq!(d.find(Kind::Lead, &id), Some(7));
    assert_eq!(d.find(Kind::Lead, &d.codec().string(Kind::Lead, 50)), None);
    assert_eq!(d.find(Kind::Contact, &id), None);
    assert!(d.organizations()[0].id.starts_with("orga_"));
    assert!(d.users()[0].id.starts_with("user_"));
}

#[test]
fn indexes_are_sorted() {
    let d = Dataset::generate(5, 500);
    for org in 0..2 {
        let ix = d.org_index(org);
        let created: Vec<_> = ix
            .leads_by_created
            .iter()
            .map(|&i| d.leads()[i as usize].created)
            .collect();
        assert!(created.is_sorted());
        let updated: Vec<_> = ix
            .leads_by_updated
            .iter()
            .map(|&i| d.leads()[i as usize].updated)
            .collect();
        assert!(updated.is_sorted());
        let acts: Vec<_> = ix
            .activities
            .iter()
            .map(|&i| d.activities()[i as usize].created)
            .collect();
        assert!(acts.is_sorted());
    }
}

#[test]
fn touch_restamps_and_reorders() {
    let mut d = Dataset::generate(9, 300);
    let before = d.leads().len();
    let out = d.touch(1, Kind::Lead, 5, 2);
    assert_eq!(out.changed.len(), 5);
    assert_eq!(out.created.len(), 2);
    assert_eq!(d.leads().len(), before + 2);
    let since = out.since.unwrap();
    let ix = d.org_index(1);
    let tail: Vec<_> = ix.leads_by_updated[ix.leads_by_updated.len() - 7..].to_vec();
    assert!(tail.iter().all(|&i| d.leads()[i as usize].updated >= since));
    let updated: Vec<_> = ix
        .leads_by_updated
        .iter()
        .map(|&i| d.leads()[i as usize].updated)
        .collect();
    assert!(updated.is_sorted());
    for id in out.changed.iter().chain(&out.created) {
        let row = d.find(Kind::Lead, id).unwrap();
        assert_eq!(d.lead_org(row as u32), 1);
    }
    let out = d.touch(0, Kind::Opportunity, 3, 0);
    assert_eq!(out.changed.len(), 3);
    assert!(out.changed.iter().all(|id| id.starts_with("oppo_")));
}
