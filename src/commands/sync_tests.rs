//! The sync command's lines and its resource names.

use super::*;

#[test]
fn activities_are_refused_as_what_sync_does_not_fill() {
    assert_eq!(syncable("Leads"), Ok(Resource::Leads));
    let err = syncable("activities").unwrap_err();
    assert!(err.contains("load per lead"), "{err}");
    let err = syncable("deals").unwrap_err();
    assert!(err.contains("unknown resource `deals`"), "{err}");
    assert!(!err.contains("activities"), "{err}");
}

#[test]
fn a_wait_on_one_endpoint_hides_only_its_own_retries() {
    let mut lines = Lines::default();
    let now = Instant::now();
    let later = now + Duration::from_secs(30);
    lines.waiting_until.insert("lead".into(), later);
    let delay = Duration::from_secs(1);
    assert_eq!(lines.retry_line("lead/", "rate limited", delay, now), None);
    let line = lines.retry_line("opportunity/?_skip=0", "Close answered 503", delay, now);
    assert_eq!(
        line.as_deref(),
        Some("opportunities: retrying in 1.0 s: Close answered 503")
    );
    assert_eq!(
        lines.retry_line("opportunity/", "again", delay, now),
        None,
        "one line per endpoint every few seconds"
    );
    let after = now + RETRY_LINES_EVERY;
    assert!(
        lines
            .retry_line("opportunity/", "again", delay, after)
            .is_some()
    );
}

#[test]
fn records_leads_embed_are_said_to_come_with_them() {
    use Resource::{Contacts, Leads, Opportunities, Tasks};
    assert!(
        with_leads(&[]).is_empty(),
        "all of them: nothing to explain"
    );
    assert_eq!(
        with_leads(&[Contacts]),
        ["contacts: they come with their leads, so the lead pass syncs them"]
    );
    assert_eq!(with_leads(&[Leads, Opportunities]).len(), 1);
    assert!(
        with_leads(&[Opportunities]).is_empty(),
        "a pass of their own"
    );
    assert!(with_leads(&[Leads, Tasks]).is_empty());
}
