//! Generation: determinism, counts, shapes and the touch hook.

use super::*;
use touch::Plan;

fn plan(kind: Kind, change: usize, create: usize, delete: usize) -> Plan {
    Plan {
        kind,
        change,
        create,
        activities: None,
        delete,
        ahead: 0,
    }
}

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
fn a_lead_dated_ahead_stays_last_in_date_order() {
    let mut d = Dataset::generate(9, 300);
    let ahead = Plan {
        ahead: 3_600_000_000,
        ..plan(Kind::Lead, 1, 0, 0)
    };
    let future = d.touch(0, ahead).since.unwrap();
    let later = d.touch(0, plan(Kind::Lead, 2, 2, 0));
    assert!(later.since.unwrap() < future, "the oldest stamp given out");
    let ix = d.org_index(0);
    let updated: Vec<_> = ix
        .leads_by_updated
        .iter()
        .map(|&i| d.leads()[i as usize].updated)
        .collect();
    assert!(updated.is_sorted(), "changes and creations go before it");
    assert_eq!(updated.last(), Some(&future));
}

#[test]
fn touch_restamps_and_reorders() {
    let mut d = Dataset::generate(9, 300);
    let before = d.leads().len();
    let out = d.touch(1, plan(Kind::Lead, 5, 2, 0));
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
    let out = d.touch(0, plan(Kind::Opportunity, 3, 0, 0));
    assert_eq!(out.changed.len(), 3);
    assert!(out.changed.iter().all(|id| id.starts_with("oppo_")));
}

/// The rows of a lead's children, per kind.
fn children(d: &Dataset, lead: usize) -> Vec<(Kind, usize)> {
    let l = &d.leads()[lead];
    let spans = [
        (Kind::Contact, l.contacts),
        (Kind::Opportunity, l.opportunities),
        (Kind::Task, l.tasks),
        (Kind::Activity, l.activities),
    ];
    spans
        .into_iter()
        .flat_map(|(kind, span)| span.range().map(move |row| (kind, row)))
        .collect()
}

fn indexed(d: &Dataset, org: usize, kind: Kind, row: usize) -> bool {
    let ix = d.org_index(org);
    let order = match kind {
        Kind::Contact => &ix.contacts,
        Kind::Opportunity => &ix.opportunities,
        Kind::Task => &ix.tasks,
        Kind::Activity => &ix.activities,
        _ => &ix.leads_by_created,
    };
    order.contains(&(row as u32))
        || (kind == Kind::Lead && ix.leads_by_updated.contains(&(row as u32)))
}

#[test]
fn deleting_a_lead_removes_it_and_its_children_everywhere() {
    let mut d = Dataset::generate(11, 300);
    let before = d.org_index(0).clone();
    let out = d.touch(0, plan(Kind::Lead, 0, 0, 3));
    assert_eq!(out.deleted.len(), 3);
    assert!(out.changed.is_empty() && out.created.is_empty());
    let mut gone = 0;
    for id in &out.deleted {
        assert_eq!(d.find(Kind::Lead, id), None);
        let row = d.codec().decode(Kind::Lead, id).unwrap() as usize;
        assert!(!indexed(&d, 0, Kind::Lead, row));
        assert!(before.leads_by_created.contains(&(row as u32)));
        for (kind, child) in children(&d, row) {
            assert!(d.is_deleted(kind, child));
            assert_eq!(d.find(kind, &d.codec().string(kind, child as u32)), None);
            assert!(!indexed(&d, 0, kind, child));
            gone += 1;
        }
        assert_eq!(d.live(Kind::Activity, d.leads()[row].activities).count(), 0);
    }
    let ix = d.org_index(0);
    assert_eq!(ix.leads_by_created.len(), before.leads_by_created.len() - 3);
    assert_eq!(ix.leads_by_updated.len(), before.leads_by_updated.len() - 3);
    let children_before = before.contacts.len()
        + before.opportunities.len()
        + before.tasks.len()
        + before.activities.len();
    let children_after =
        ix.contacts.len() + ix.opportunities.len() + ix.tasks.len() + ix.activities.len();
    assert_eq!(children_before - children_after, gone);

    // One `deleted` event per record, the lead's after its children's.
    let events = d.events().of(0);
    assert_eq!(events.len(), 3 + gone);
    assert!(events.iter().all(|e| e.action == Action::Deleted));
    let leads: Vec<String> = events
        .iter()
        .filter(|e| e.object_type == "lead")
        .map(|e| d.codec().string(Kind::Lead, e.row))
        .collect();
    assert_eq!(leads, out.deleted);
    for e in events {
        let kind_ok = match e.kind {
            Kind::Lead => e.row == e.lead,
            Kind::Task => e.object_type.starts_with("task."),
            Kind::Activity => e.object_type.starts_with("activity."),
            _ => true,
        };
        assert!(kind_ok, "{e:?}");
        assert!(out.deleted.contains(&d.codec().string(Kind::Lead, e.lead)));
    }
    assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(
        d.events().of(1).is_empty(),
        "the other organization logs nothing"
    );
}

#[test]
fn deleting_a_child_bumps_its_lead_and_logs_the_lead_update_for_contacts() {
    let mut d = Dataset::generate(12, 300);
    let contacts_before = d.org_index(1).contacts.len();
    let out = d.touch(1, plan(Kind::Contact, 0, 0, 2));
    let since = out.since.unwrap();
    assert_eq!(out.deleted.len(), 2);
    assert!(
        out.changed.is_empty(),
        "a delete-only touch changes nothing"
    );
    assert_eq!(d.org_index(1).contacts.len(), contacts_before - 2);
    let order = &d.org_index(1).leads_by_updated;
    let updated: Vec<_> = order
        .iter()
        .map(|&i| d.leads()[i as usize].updated)
        .collect();
    assert!(updated.is_sorted());
    for id in &out.deleted {
        assert_eq!(d.find(Kind::Contact, id), None);
        let row = d.codec().decode(Kind::Contact, id).unwrap() as usize;
        let lead = d.contacts()[row].lead;
        let l = &d.leads()[lead as usize];
        assert!(l.updated >= since);
        assert!(order[order.len() - 2..].contains(&lead));
        assert!(d.live(Kind::Contact, l.contacts).all(|c| c != row));
        assert!(
            d.find(Kind::Lead, &d.codec().string(Kind::Lead, lead))
                .is_some()
        );
    }
    let events = d.events().of(1);
    let kinds: Vec<_> = events.iter().map(|e| (e.object_type, e.action)).collect();
    assert_eq!(
        kinds,
        [
            ("contact", Action::Deleted),
            ("lead", Action::Updated),
            ("contact", Action::Deleted),
            ("lead", Action::Updated),
        ]
    );
    assert!(events[1].changed_fields.contains(&"contact_ids"));

    let out = d.touch(1, plan(Kind::Task, 0, 0, 1));
    let row = d.codec().decode(Kind::Task, &out.deleted[0]).unwrap() as usize;
    assert!(!indexed(&d, 1, Kind::Task, row));
    let lead = d.tasks()[row].lead;
    assert_eq!(d.org_index(1).leads_by_updated.last(), Some(&lead));
    let last = d.events().of(1).last().unwrap();
    assert_eq!((last.kind, last.action), (Kind::Task, Action::Deleted));
}

#[test]
fn a_created_lead_can_be_busy_and_activities_can_be_deleted() {
    let mut d = Dataset::generate(13, 40);
    let busy = Plan {
        activities: Some(250),
        ..plan(Kind::Lead, 0, 1, 0)
    };
    let out = d.touch(0, busy);
    let lead = d.find(Kind::Lead, &out.created[0]).unwrap();
    let span = d.leads()[lead].activities;
    assert_eq!(span.len, 250);
    let mut seconds: Vec<i64> = span
        .range()
        .map(|a| d.activities()[a].created.0 / 1_000_000)
        .collect();
    seconds.dedup();
    assert_eq!(seconds.len(), 250, "each in a second of its own");
    let updated = d.leads()[lead].updated;

    let out = d.touch(0, plan(Kind::Activity, 0, 0, 120));
    assert_eq!(out.deleted.len(), 120);
    assert!(out.changed.is_empty(), "activities are only deleted");
    for id in &out.deleted {
        let row = d.codec().decode(Kind::Activity, id).unwrap() as usize;
        assert!(d.is_deleted(Kind::Activity, row));
        assert!(!indexed(&d, 0, Kind::Activity, row));
    }
    let left = d.live(Kind::Activity, span).count();
    assert!(left < 250, "some of the busy lead's went");
    assert_eq!(
        d.leads()[lead].updated,
        updated,
        "a lead embeds no activity"
    );
    let last = d.events().of(0).last().unwrap();
    assert_eq!((last.kind, last.action), (Kind::Activity, Action::Deleted));
}

#[test]
fn deleting_is_repeatable_and_takes_at_most_what_is_there() {
    let run = || {
        let mut d = Dataset::generate(13, 200);
        let a = d.touch(0, plan(Kind::Lead, 2, 1, 4));
        let b = d.touch(0, plan(Kind::Opportunity, 1, 0, 2));
        let c = d.touch(1, plan(Kind::Task, 0, 0, usize::MAX));
        (d, [a, b, c])
    };
    let (d, first) = run();
    let (_, second) = run();
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(
            (&x.deleted, &x.changed, &x.created),
            (&y.deleted, &y.changed, &y.created)
        );
    }
    // Changes pick among the records left after the deletions.
    for id in &first[0].changed {
        assert!(!first[0].deleted.contains(id));
        assert!(d.find(Kind::Lead, id).is_some());
    }
    assert!(d.org_index(1).tasks.is_empty());
    assert!(!first[2].deleted.is_empty());
    assert_ne!(first[0].request_id, first[1].request_id);
    let created = &first[0].created[0];
    let logged = d
        .events()
        .of(0)
        .iter()
        .find(|e| e.action == Action::Created);
    let logged = logged.map(|e| d.codec().string(Kind::Lead, e.row));
    assert_eq!(logged.as_ref(), Some(created));
}
