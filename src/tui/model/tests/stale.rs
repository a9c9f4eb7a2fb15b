//! Replies that arrive after what asked for them has moved on are dropped.

use super::*;

fn user(name: &str) -> UserInfo {
    UserInfo {
        id: format!("user_{name}"),
        name: name.into(),
        email: format!("{name}@example.test"),
    }
}

#[test]
fn a_reply_for_the_previous_account_is_not_shown_for_the_new_one() {
    let mut m = connected();
    let cmds = char(&mut m, '2');
    let [Cmd::LoadProfile { generation: old }, ..] = cmds.as_slice() else {
        panic!("expected the profile to load, got {cmds:?}");
    };
    let old = *old;
    // Another account becomes active while Acme's profile is on its way.
    let cmds = update(
        &mut m,
        Msg::Accounts(Ok(vec![account("Acme", false), account("Beta", true)])),
    );
    let [Cmd::LoadProfile { generation: new }, ..] = cmds.as_slice() else {
        panic!("expected Beta's profile to load, got {cmds:?}");
    };
    update(
        &mut m,
        Msg::Profile {
            generation: old,
            result: Ok(user("acme-ann")),
        },
    );
    assert_eq!(m.account.user.value(), None, "Acme's user is not Beta's");
    update(
        &mut m,
        Msg::Profile {
            generation: *new,
            result: Err("offline".into()),
        },
    );
    assert_eq!(
        m.account.user.value(),
        None,
        "no last good copy from the other account"
    );
}
