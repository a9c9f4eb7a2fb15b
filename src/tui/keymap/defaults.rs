//! The default bindings. The footer shows the rows marked `hint`.

use crossterm::event::KeyCode;

use super::{Action, Binding, Context, KeyCombo};

fn row(context: Context, action: Action, keys: &[KeyCombo], hint: bool) -> Binding {
    Binding {
        context,
        action,
        keys: keys.to_vec(),
        hint,
    }
}

pub fn bindings() -> Vec<Binding> {
    use Action as A;
    use Context as C;
    let key = KeyCombo::plain;
    let ch = KeyCombo::char;
    vec![
        // Modal contexts first: their hints read best before the globals.
        row(C::Connect, A::CopyUrl, &[ch('y')], true),
        row(C::Connect, A::OpenBrowser, &[ch('o')], true),
        row(C::Connect, A::PasteUrl, &[ch('p')], true),
        row(C::Connect, A::Cancel, &[key(KeyCode::Esc)], true),
        row(C::Confirm, A::Yes, &[ch('y')], true),
        row(C::Confirm, A::No, &[ch('n'), key(KeyCode::Esc)], true),
        row(C::Connection, A::Connect, &[ch('c')], true),
        row(C::Connection, A::Reconnect, &[ch('r')], true),
        row(C::Connection, A::Disconnect, &[ch('x')], true),
        row(C::Connection, A::ApiKeyLogin, &[ch('a')], true),
        row(C::Connection, A::Select, &[key(KeyCode::Enter)], false),
        // Another close-tui may have logged in, out or switched meanwhile.
        row(
            C::Connection,
            A::Reload,
            &[ch('R'), key(KeyCode::F(5))],
            false,
        ),
        row(C::Account, A::Reload, &[ch('R'), key(KeyCode::F(5))], true),
        row(C::Table, A::Search, &[ch('/')], true),
        row(C::Table, A::Select, &[key(KeyCode::Enter)], true),
        row(C::Table, A::Reload, &[ch('R'), key(KeyCode::F(5))], false),
        row(C::Table, A::Sync, &[ch('s')], true),
        row(C::Table, A::Back, &[key(KeyCode::Esc)], false),
        row(C::Connection, A::Sync, &[ch('s')], false),
        row(
            C::Detail,
            A::Back,
            &[key(KeyCode::Esc), key(KeyCode::Backspace)],
            true,
        ),
        row(C::Detail, A::Reload, &[ch('R'), key(KeyCode::F(5))], false),
        row(C::Global, A::Help, &[ch('?')], true),
        row(C::Global, A::Quit, &[ch('q'), KeyCombo::ctrl('c')], true),
        row(C::Global, A::NextScreen, &[key(KeyCode::Tab)], false),
        row(C::Global, A::PrevScreen, &[key(KeyCode::BackTab)], false),
        row(C::Global, A::ShowConnection, &[ch('1')], false),
        row(C::Global, A::ShowAccount, &[ch('2')], false),
        row(C::Global, A::ShowLeads, &[ch('3')], false),
        row(C::Global, A::ShowContacts, &[ch('4')], false),
        row(C::Global, A::ShowOpportunities, &[ch('5')], false),
        row(C::Global, A::ShowTasks, &[ch('6')], false),
        row(C::Global, A::Up, &[key(KeyCode::Up), ch('k')], false),
        row(C::Global, A::Down, &[key(KeyCode::Down), ch('j')], false),
        row(C::Global, A::PageUp, &[key(KeyCode::PageUp)], false),
        row(C::Global, A::PageDown, &[key(KeyCode::PageDown)], false),
        row(C::Global, A::Top, &[ch('g'), key(KeyCode::Home)], false),
        row(C::Global, A::Bottom, &[ch('G'), key(KeyCode::End)], false),
    ]
}
