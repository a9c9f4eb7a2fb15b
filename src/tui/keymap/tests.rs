use crossterm::event::{KeyCode, KeyModifiers};

use super::*;

#[test]
fn context_bindings_win_and_globals_fill_in() {
    let keymap = Keymap::default();
    let c = KeyCombo::char('c');
    assert_eq!(keymap.action(Context::Connection, c), Some(Action::Connect));
    assert_eq!(keymap.action(Context::Table, c), None);
    assert_eq!(
        keymap.action(Context::Table, KeyCombo::char('j')),
        Some(Action::Down)
    );
    let shift_g = KeyCombo::normalized(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(
        keymap.action(Context::Detail, shift_g),
        Some(Action::Bottom)
    );
}

#[test]
fn modal_contexts_only_let_quit_through() {
    let keymap = Keymap::default();
    assert_eq!(
        keymap.action(Context::Confirm, KeyCombo::char('y')),
        Some(Action::Yes)
    );
    assert_eq!(keymap.action(Context::Confirm, KeyCombo::char('3')), None);
    assert_eq!(
        keymap.action(Context::Connect, KeyCombo::ctrl('c')),
        Some(Action::Quit)
    );
}

/// The example in the module docs (and the README) parses and applies.
#[test]
fn the_documented_example_parses() {
    let config: toml::Table = toml::from_str(
        r#"
        [keys.global]
        quit = ["q", "ctrl-q"]
        next_screen = "tab"

        [keys.table]
        search = "ctrl-f"
        "#,
    )
    .unwrap();
    let keys = config["keys"].as_table().unwrap();
    let (keymap, errors) = Keymap::with_overrides(keys);
    assert_eq!(errors, []);
    assert_eq!(
        keymap.action(Context::Table, KeyCombo::ctrl('f')),
        Some(Action::Search)
    );
    assert_eq!(keymap.action(Context::Table, KeyCombo::char('/')), None);
    assert_eq!(
        keymap.action(Context::Account, KeyCombo::ctrl('q')),
        Some(Action::Quit)
    );
}

#[test]
fn bad_entries_are_reported_and_skipped() {
    let keys: toml::Table = toml::from_str(
        r#"
        [nowhere]
        quit = "q"
        [global]
        fly = "f"
        quit = "hyper-q"
        help = 3
        "#,
    )
    .unwrap();
    let (keymap, errors) = Keymap::with_overrides(&keys);
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(
        keymap.action(Context::Global, KeyCombo::char('q')),
        Some(Action::Quit)
    );
    assert!(errors.iter().any(|e| e.to_string().contains("nowhere")));
}

#[test]
fn hints_come_from_the_table() {
    let keymap = Keymap::default();
    let hints = keymap.hints(Context::Connection);
    assert_eq!(hints.first(), Some(&("c".to_owned(), "connect")));
    assert!(hints.contains(&("?".to_owned(), "help")));
    let modal = keymap.hints(Context::Confirm);
    assert!(!modal.iter().any(|(_, label)| *label == "help"));
}

/// Every action the README lists is a real action name.
#[test]
fn the_readme_names_real_actions() {
    let readme = include_str!("../../../README.md");
    let start = readme.find("them. Actions: ").unwrap();
    let end = start + readme[start..].find("A bad entry").unwrap();
    let names: Vec<&str> = readme[start..end].split('`').skip(1).step_by(2).collect();
    assert_eq!(names.len(), 31);
    for name in names {
        let parsed = Action::deserialize(toml::Value::String(name.to_owned()));
        assert!(parsed.is_ok(), "`{name}` is not an action");
    }
}

#[test]
fn help_lists_the_context_then_the_globals() {
    let keymap = Keymap::default();
    let help = keymap.help(Context::Detail);
    let actions =
        |ctx: Context| -> Vec<Action> { keymap.bindings(ctx).map(|b| b.action).collect() };
    assert_eq!(help[0], HelpLine::Context(Context::Detail));
    let detail: Vec<Action> = help[1..3]
        .iter()
        .map(|line| match line {
            HelpLine::Binding(b) => b.action,
            HelpLine::Context(_) => panic!("a heading among the bindings"),
        })
        .collect();
    assert_eq!(detail, actions(Context::Detail));
    assert!(detail.contains(&Action::Reload));
    assert_eq!(help[3], HelpLine::Context(Context::Global));
    assert_eq!(
        help.len(),
        2 + actions(Context::Detail).len() + actions(Context::Global).len()
    );
}

/// A key means one thing in one context: an entry takes it from the
/// default that had it, two entries giving it to different actions are
/// reported, and the footer never offers a key another binding shadows.
#[test]
fn an_entry_takes_its_key_and_a_clash_is_reported() {
    let keys: toml::Table = toml::from_str(
        r#"
        [global]
        bottom = "g"
        [table]
        search = "q"
        [detail]
        back = "x"
        reload = "x"
        "#,
    )
    .unwrap();
    let (keymap, errors) = Keymap::with_overrides(&keys);
    let g = KeyCombo::char('g');
    assert_eq!(keymap.action(Context::Global, g), Some(Action::Bottom));
    let top = keymap
        .bindings(Context::Global)
        .find(|b| b.action == Action::Top)
        .unwrap();
    assert_eq!(top.keys, [KeyCombo::plain(KeyCode::Home)]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "[keys.detail]: x is given to both reload and back; reload keeps it"
    );
    assert_eq!(
        keymap.action(Context::Detail, KeyCombo::char('x')),
        Some(Action::Reload)
    );
    // The loser of the clash has its defaults back, not no key at all.
    assert_eq!(
        keymap.action(Context::Detail, KeyCombo::plain(KeyCode::Esc)),
        Some(Action::Back)
    );
    // On a table q searches: quit is offered with the key that still quits.
    let hints = keymap.hints(Context::Table);
    assert!(hints.contains(&("q".to_owned(), "search")), "{hints:?}");
    assert!(hints.contains(&("Ctrl-c".to_owned(), "quit")), "{hints:?}");
    assert_eq!(keymap.key_for(Context::Table, Action::Quit), "Ctrl-c");
}

#[test]
fn shift_letter_is_the_capital_letter() {
    let keys: toml::Table = toml::from_str("[table]\nbottom = \"shift-b\"").unwrap();
    let (keymap, errors) = Keymap::with_overrides(&keys);
    assert!(errors.is_empty(), "{errors:?}");
    let capital = KeyCombo::normalized(KeyCode::Char('B'), KeyModifiers::SHIFT);
    assert_eq!(keymap.action(Context::Table, capital), Some(Action::Bottom));
    assert_ne!(
        keymap.action(Context::Table, KeyCombo::char('b')),
        Some(Action::Bottom)
    );
}

/// An action whose only key an entry takes is left with none: said, not
/// silent. One emptied on purpose (`= []`) is not.
#[test]
fn an_action_left_without_a_key_is_reported() {
    let keys: toml::Table =
        toml::from_str("[connect]\ncopy_url = \"esc\"\n[global]\nhelp = []").unwrap();
    let (keymap, errors) = Keymap::with_overrides(&keys);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "[keys.connect]: cancel has no key left; its keys went to other actions"
    );
    assert_eq!(
        keymap.action(Context::Connect, KeyCombo::plain(KeyCode::Esc)),
        Some(Action::CopyUrl)
    );
}
