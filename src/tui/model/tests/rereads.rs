//! Reading the cache again: after the app's own sync, and when another
//! process changed it.

use crossterm::event::KeyCode;

use super::*;
use crate::close::records::Resource;

#[test]
fn a_new_account_syncs_in_the_background_and_tables_reread_after() {
    let mut m = model();
    let cmds = update(&mut m, Msg::Accounts(Ok(vec![account("Acme", true)])));
    assert!(cmds.contains(&Cmd::Sync));
    assert!(char(&mut m, 's').is_empty(), "one sync at a time");
    let request = fetches(&char(&mut m, '3'))[0].clone();
    update(&mut m, page(&request, 1000));
    assert!(char(&mut m, 's').is_empty(), "still syncing");
    let cmds = update(
        &mut m,
        Msg::Synced(Ok("synced: 1,000 records updated".into())),
    );
    assert_eq!(m.sync, None);
    let reread = fetches(&cmds);
    assert_eq!(reread.len(), 1);
    assert!(
        !m.tables[0].rows.is_empty(),
        "the rows stay until the new ones come"
    );
    assert_eq!(char(&mut m, 's'), vec![Cmd::Sync]);
}

#[test]
fn a_change_to_the_cache_made_elsewhere_rereads_what_it_shows() {
    let mut m = connected();
    // The sync that connecting started has ended.
    update(&mut m, Msg::Sync(None));
    let synced = Freshness::Synced(now() - chrono::Duration::hours(1));
    let changed = |m: &mut Model| update(m, Msg::CacheChanged { loading: false });
    // Contacts read from the cache, then Leads, paged far down.
    let request = fetches(&char(&mut m, '4'))[0].clone();
    update(&mut m, page_from(&request, 500, synced));
    let request = fetches(&char(&mut m, '3'))[0].clone();
    update(&mut m, page_from(&request, 1000, synced));
    for _ in 0..8 {
        for request in fetches(&key(&mut m, KeyCode::PageDown)) {
            let request = request.clone();
            update(&mut m, page_from(&request, 1000, synced));
        }
    }
    let (top, selected) = (m.tables[0].top, m.tables[0].selected);
    assert!(top > 100, "{top}");

    let reread = fetches(&changed(&mut m))[0].clone();
    assert_eq!(reread.resource, Resource::Leads);
    assert!(reread.offset > 0 && reread.offset <= top, "{reread:?}");
    assert!(
        !m.tables[0].rows.is_empty(),
        "the rows stay until new ones come"
    );
    assert!(changed(&mut m).is_empty(), "not while an answer is awaited");
    update(&mut m, page_from(&reread, 1000, synced));
    assert_eq!((m.tables[0].top, m.tables[0].selected), (top, selected));
    // The hidden table reads the cache again when next shown.
    assert_eq!(m.tables[1].total, Total::Unknown);
    assert_eq!(fetches(&char(&mut m, '4')).len(), 1);
    char(&mut m, '3');

    // A bulk load elsewhere: its end will be news.
    assert!(update(&mut m, Msg::CacheChanged { loading: true }).is_empty());
    // The app's own sync reads everything again when it ends.
    m.sync = Some(SyncProgress {
        resource: Resource::Leads,
        done: 0,
        total: None,
        indexing: false,
    });
    assert!(changed(&mut m).is_empty());
    m.sync = None;

    // Rows Close sent are as fresh as can be: no request to Close for them.
    let reread = fetches(&changed(&mut m))[0].clone();
    update(&mut m, page(&reread, 1000));
    assert!(changed(&mut m).is_empty());

    // On the Connection screen, the accounts are read again, even while a
    // bulk load goes on elsewhere.
    char(&mut m, '1');
    assert_eq!(changed(&mut m), vec![Cmd::LoadAccounts]);
    assert_eq!(
        update(&mut m, Msg::CacheChanged { loading: true }),
        vec![Cmd::LoadAccounts]
    );
}
