//! The `?` help: any key closes it, and one too long for the screen
//! scrolls with the movement keys.

use crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

use super::*;

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut m = connected();
    char(&mut m, '?');
    assert!(m.help);
    char(&mut m, 'c');
    assert!(!m.help);
    assert!(m.overlay.is_none(), "the key only closed the help");
    char(&mut m, '?');
    char(&mut m, 'q');
    assert!(!m.help && !m.quit, "q closes the help, as any key does");
    char(&mut m, 'q');
    assert!(m.quit);
}

#[test]
fn help_that_does_not_fit_scrolls_with_the_movement_keys() {
    let mut m = connected();
    update(&mut m, Msg::Resize(80, 24));
    char(&mut m, '?');
    let end = m.help_max_scroll();
    assert!(
        end > 0,
        "the Connection screen's keys do not fit in 24 rows"
    );
    char(&mut m, 'G');
    assert_eq!(m.help_scroll, end);
    char(&mut m, 'k');
    assert_eq!(m.help_scroll, end - 1);
    key(&mut m, KeyCode::PageDown);
    assert_eq!(m.help_scroll, end, "never past the last line");
    char(&mut m, 'g');
    assert_eq!(m.help_scroll, 0);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut m, Msg::Mouse(wheel));
    assert_eq!(m.help_scroll, 3);
    assert!(m.help, "scrolling keeps the help open");
    char(&mut m, 'x');
    assert!(!m.help);
    assert!(m.overlay.is_none(), "the key only closed the help");
    char(&mut m, '?');
    assert_eq!(m.help_scroll, 0, "it opens at the top");

    // Where it fits, nothing scrolls: a movement key closes it, as the help
    // says any key does.
    char(&mut m, '?');
    update(&mut m, Msg::Resize(200, 80));
    char(&mut m, '?');
    assert!(m.help && m.help_max_scroll() == 0);
    char(&mut m, 'j');
    assert!(!m.help, "j closed the help that fits");
}
