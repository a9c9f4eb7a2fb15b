//! While Close is unreachable the banner stays until Close itself answers,
//! and every screen keeps asking it.

use super::*;
use crate::close::records::Resource;

fn go_offline(m: &mut Model) {
    update(
        m,
        Msg::Offline("cannot reach Close: connection failed".into()),
    );
}

/// Moves the clock past the retry and ticks.
fn retry(m: &mut Model) -> Vec<Cmd> {
    m.now += chrono::Duration::seconds(OFFLINE_RETRY_SECS);
    update(m, Msg::Tick)
}

#[test]
fn rows_from_the_cache_do_not_clear_the_banner() {
    let mut m = on_leads();
    go_offline(&mut m);
    let request = fetches(&char(&mut m, 'G'))[0].clone();
    let synced = Freshness::Synced(now() - chrono::Duration::minutes(5));
    update(&mut m, page_from(&request, 1000, synced));
    assert!(m.offline.is_some(), "the cache answered, not Close");
    let request = fetches(&char(&mut m, 'g'))[0].clone();
    update(&mut m, page_from(&request, 1000, Freshness::Live));
    assert_eq!(m.offline, None, "Close answered");
}

#[test]
fn the_connection_screen_retries_with_a_real_request() {
    let mut m = connected();
    go_offline(&mut m);
    assert_eq!(m.screen, Screen::Connection);
    let cmds = retry(&mut m);
    let Some(Cmd::LoadProfile { generation }) = cmds.first() else {
        panic!("expected the profile as the probe, got {cmds:?}");
    };
    let generation = *generation;
    assert!(retry(&mut m).is_empty(), "one probe at a time");
    update(
        &mut m,
        Msg::Profile {
            generation,
            result: Ok(UserInfo::default()),
        },
    );
    assert_eq!(m.offline, None);
}

#[test]
fn a_table_with_nothing_failed_still_probes() {
    let mut m = on_leads();
    go_offline(&mut m);
    let cmds = retry(&mut m);
    assert!(
        matches!(cmds.first(), Some(Cmd::LoadProfile { .. })),
        "got {cmds:?}"
    );
}

#[test]
fn only_a_refresh_that_went_through_clears_the_banner() {
    let mut m = connected();
    go_offline(&mut m);
    let connected = TokenView::Connected {
        expires_at: None,
        last_refresh_at: Some(now()),
    };
    update(&mut m, Msg::Token(connected.clone()));
    assert!(
        m.offline.is_some(),
        "a token still valid says nothing about Close"
    );
    update(&mut m, Msg::Token(TokenView::Refreshing));
    update(&mut m, Msg::Token(connected));
    assert_eq!(m.offline, None, "the refresh reached Close");
}

#[test]
fn a_detail_that_failed_is_asked_for_again() {
    let mut m = on_leads();
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::LoadDetail { generation, .. }] = cmds.as_slice() else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    go_offline(&mut m);
    update(
        &mut m,
        Msg::Detail {
            resource: Resource::Leads,
            generation: *generation,
            result: Err("cannot reach Close".into()),
            live: true,
        },
    );
    let cmds = retry(&mut m);
    assert!(
        matches!(cmds.as_slice(), [Cmd::LoadDetail { id, .. }, Cmd::LoadProfile { .. }, ..] if id == "lead_0"),
        "got {cmds:?}"
    );
    // The record is gone from Close meanwhile: its detail fails for good,
    // but the profile asked beside it answers, and the banner goes.
    let [
        Cmd::LoadDetail { generation, .. },
        Cmd::LoadProfile { generation: asked },
        ..,
    ] = cmds.as_slice()
    else {
        unreachable!()
    };
    update(
        &mut m,
        Msg::Detail {
            resource: Resource::Leads,
            generation: *generation,
            result: Err("not found: lead/lead_0/".into()),
            live: true,
        },
    );
    update(
        &mut m,
        Msg::Profile {
            generation: *asked,
            result: Ok(UserInfo::default()),
        },
    );
    assert_eq!(m.offline, None, "Close answered the profile");
}

/// A record the cache answered for says nothing of Close: the banner
/// stays until Close itself answers.
#[test]
fn a_detail_from_the_cache_keeps_the_banner() {
    let mut m = on_leads();
    go_offline(&mut m);
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::LoadDetail { generation, .. }] = cmds.as_slice() else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    let generation = *generation;
    let detail = |live| Msg::Detail {
        resource: Resource::Leads,
        generation,
        result: Ok(RecordDetail::default()),
        live,
    };
    update(&mut m, detail(false));
    assert!(m.offline.is_some(), "the cache answered");
    update(&mut m, detail(true));
    assert_eq!(m.offline, None, "Close answered");
}

/// A lead opened while Close went away: its fields came (from the cache),
/// its timeline did not. The retries ask for the timeline again, not only
/// for the profile, so it shows once Close is back, with no `R` needed.
#[test]
fn a_timeline_that_failed_is_asked_for_again() {
    let mut m = on_leads();
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::LoadDetail { generation, .. }] = cmds.as_slice() else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    let generation = *generation;
    update(
        &mut m,
        Msg::Detail {
            resource: Resource::Leads,
            generation,
            result: Ok(RecordDetail::default()),
            live: false,
        },
    );
    timeline(
        &mut m,
        generation,
        Err("cannot reach Close: connection failed".into()),
    );
    go_offline(&mut m);
    let cmds = retry(&mut m);
    let asked = cmds.iter().find_map(|cmd| match cmd {
        Cmd::LoadActivities {
            generation,
            lead_id,
            ..
        } => Some((*generation, lead_id.clone())),
        _ => None,
    });
    assert_eq!(asked, Some((generation, "lead_0".to_owned())), "{cmds:?}");
    assert!(
        cmds.iter()
            .any(|cmd| matches!(cmd, Cmd::LoadProfile { .. })),
        "still probes Close: {cmds:?}"
    );
    timeline(&mut m, generation, Ok(vec!["2026-03-01 Call".into()]));
    assert_eq!(m.detail().unwrap().activities.value().unwrap().len(), 1);
    assert!(
        retry(&mut m)
            .iter()
            .all(|cmd| !matches!(cmd, Cmd::LoadActivities { .. })),
        "a loaded timeline is not asked for again"
    );
}
