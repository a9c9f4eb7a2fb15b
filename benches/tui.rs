//! TUI benchmarks over a generated cache of `TUI_BENCH_LEADS` (100,000)
//! leads with their contacts, opportunities and tasks (see
//! `tui_support`): the real path of a keypress, i.e. `update()`, the
//! cache query service the app runs for a `Cmd::FetchPage`, `update()`
//! with the reply, and `terminal.draw`, at 100×30 and 240×70.
//!
//! - `frame`: drawing the Leads screen (ratatui's `TestBackend`, and
//!   crossterm writing escape sequences to `io::sink()`).
//! - `scroll`: PgDn that needs a new window at depth 0, 50% and the end
//!   of the list; `G` from the top; `g` from the bottom.
//! - `search`: a keystroke in the search box; after the divan table, the
//!   p50/p99/max of every keystroke of 100 lead names typed one character
//!   at a time.
//!
//! `cargo bench --bench tui` (`-- frame`, `-- scroll`, … to filter).
//! Without `--bench` (e.g. `cargo test --all-targets`) it exits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use std::{
    io::Sink,
    sync::LazyLock,
    time::{Duration, Instant},
};

use chrono::Utc;
use close_tui::{
    store::{
        Account, AccountId, AccountState, AuthKind, Profile,
        cache::{Cache, ListQuery},
    },
    tui::{
        model::{Model, ModelOptions, update},
        msg::{Cmd, Msg},
        services::cache as service,
        ui::{self, Theme},
    },
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use ratatui::{
    Terminal, TerminalOptions, Viewport,
    backend::{Backend, CrosstermBackend, TestBackend},
    layout::Rect,
};

struct Env {
    cache: Cache,
    account: AccountId,
}

static ENV: LazyLock<Env> = LazyLock::new(|| {
    let leads = std::env::var("TUI_BENCH_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let fixture = tui_support::fixture(leads);
    Env {
        cache: Cache::open(fixture.db()).unwrap(),
        account: fixture.account,
    }
});

const SIZES: [&str; 2] = ["100x30", "240x70"];

fn size(name: &str) -> (u16, u16) {
    let (w, h) = name.split_once('x').unwrap();
    (w.parse().unwrap(), h.parse().unwrap())
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// What the app loop does with a message, with the page service run
/// inline (the app runs it on a blocking thread and sends the reply back).
fn step(model: &mut Model, msg: Msg) -> usize {
    let cmds = update(model, msg);
    answer(model, cmds)
}

/// The Leads screen of a connected account, its first page shown.
fn leads_model(width: u16, height: u16) -> Model {
    screen_model(width, height, '3')
}

/// A data screen (`3`–`6`) of a connected account, its first page shown.
fn screen_model(width: u16, height: u16, screen: char) -> Model {
    let env = &*ENV;
    let mut model = Model::new(Utc::now(), Default::default(), ModelOptions::default());
    step(&mut model, Msg::Resize(width, height));
    let account = Account {
        profile: Profile {
            id: env.account.clone(),
            organization_name: "Bench Org".into(),
            user_email: "bench@example.test".into(),
            user_name: "Bench".into(),
            auth: AuthKind::ApiKey,
        },
        state: AccountState::Connected,
        active: true,
        access_token_expires_at: None,
        last_refresh_at: None,
        refresh_token_stored: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    step(&mut model, Msg::Accounts(Ok(vec![account])));
    step(&mut model, Msg::Sync(None));
    step(&mut model, key(KeyCode::Char(screen)));
    assert!(
        !model.table().unwrap().rows.is_empty(),
        "the screen has rows"
    );
    model
}

fn test_terminal(model: &Model) -> Terminal<TestBackend> {
    let (w, h) = (model.layout.width, model.layout.height);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    draw(&mut terminal, model);
    terminal
}

/// crossterm's backend writing to nowhere: the cost of the escape
/// sequences, without a terminal to wait for.
fn sink_terminal(model: &Model) -> Terminal<CrosstermBackend<Sink>> {
    let mut terminal = blank_sink(model.layout.width, model.layout.height);
    draw(&mut terminal, model);
    terminal
}

fn blank_sink(w: u16, h: u16) -> Terminal<CrosstermBackend<Sink>> {
    Terminal::with_options(
        CrosstermBackend::new(std::io::sink()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .unwrap()
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, model: &Model) {
    terminal
        .draw(|frame| ui::render(frame, model, Theme::default()))
        .unwrap();
}

/// Drawing an unchanged Leads screen: render, diff, nothing to write.
#[divan::bench(args = SIZES)]
fn frame_unchanged(bencher: Bencher, name: &str) {
    let (w, h) = size(name);
    let model = leads_model(w, h);
    let mut terminal = test_terminal(&model);
    bencher.bench_local(|| draw(&mut terminal, &model));
}

/// The whole Leads screen written out as escape sequences (onto a blank
/// terminal), the most a frame can cost.
#[divan::bench(args = SIZES)]
fn frame_full_repaint(bencher: Bencher, name: &str) {
    let (w, h) = size(name);
    let model = leads_model(w, h);
    bencher
        .with_inputs(|| blank_sink(w, h))
        .bench_local_values(|mut terminal| {
            draw(&mut terminal, &model);
            terminal
        });
}

/// `j` then `k`: the selection moves inside the held window, so no query;
/// update plus a frame that rewrites two rows.
#[divan::bench(args = SIZES)]
fn frame_move_selection(bencher: Bencher, name: &str) {
    let (w, h) = size(name);
    let mut model = leads_model(w, h);
    let mut terminal = sink_terminal(&model);
    let mut down = true;
    bencher.bench_local(|| {
        let code = if down { KeyCode::Down } else { KeyCode::Up };
        down = !down;
        assert_eq!(step(&mut model, key(code)), 0);
        draw(&mut terminal, &model);
    });
}

/// A model whose next PgDn must fetch a new window, near row `depth`.
fn before_pgdn(width: u16, height: u16, depth: usize) -> Model {
    before_pgdn_on(leads_model(width, height), depth)
}

fn before_pgdn_on(mut model: Model, depth: usize) -> Model {
    let i = Model::data_index(model.screen).unwrap();
    let total = model.tables[i].total.known();
    let depth = depth.min(total.saturating_sub(1));
    if depth > 0 {
        let request = model.tables[i].select(depth as isize);
        let cmds: Vec<Cmd> = request.map(Cmd::FetchPage).into_iter().collect();
        answer(&mut model, cmds);
    }
    loop {
        let mut probe = model.clone();
        if update(&mut probe, key(KeyCode::PageDown))
            .iter()
            .any(|c| matches!(c, Cmd::FetchPage(_)))
        {
            return model;
        }
        step(&mut model, key(KeyCode::PageDown));
    }
}

/// Runs the page fetches among `cmds` and hands the model their replies;
/// how many there were.
fn answer(model: &mut Model, cmds: Vec<Cmd>) -> usize {
    let env = &*ENV;
    let mut fetched = 0;
    for cmd in cmds {
        if let Cmd::FetchPage(request) = cmd {
            let reply = service::page(&env.cache, &env.account, &request, true)
                .unwrap()
                .expect("the fixture is synced");
            fetched += 1;
            update(
                model,
                Msg::Page {
                    resource: request.resource,
                    generation: request.generation,
                    result: Ok(reply),
                },
            );
        }
    }
    fetched
}

/// A keypress from a prepared model to its next frame, each sample on a
/// fresh copy of the model and a terminal showing it.
fn keypress(bencher: Bencher, model: Model, code: KeyCode) {
    bencher
        .with_inputs(|| {
            let terminal = sink_terminal(&model);
            (model.clone(), terminal)
        })
        .bench_local_values(|(mut model, mut terminal)| {
            let fetched = step(&mut model, key(code));
            draw(&mut terminal, &model);
            assert_eq!(fetched, 1, "the key fetched a window");
            (model, terminal)
        });
}

const DEPTHS: [&str; 6] = [
    "100x30@0",
    "100x30@50%",
    "100x30@end",
    "240x70@0",
    "240x70@50%",
    "240x70@end",
];

fn depth_of(name: &str, total: usize) -> (u16, u16, usize) {
    let (size_name, depth) = name.split_once('@').unwrap();
    let (w, h) = size(size_name);
    let depth = match depth {
        "0" => 0,
        "50%" => total / 2,
        _ => total.saturating_sub(usize::from(h) * 2),
    };
    (w, h, depth)
}

#[divan::bench(args = DEPTHS)]
fn scroll_pgdn(bencher: Bencher, name: &str) {
    let total = ENV.cache.count(
        &ENV.account,
        close_tui::close::records::Resource::Leads,
        &ListQuery::default(),
    );
    let (w, h, depth) = depth_of(name, total.unwrap() as usize);
    keypress(bencher, before_pgdn(w, h, depth), KeyCode::PageDown);
}

/// PgDn half way down each data screen (Leads, Contacts, Opportunities,
/// Tasks) at 100×30.
#[divan::bench(args = ['3', '4', '5', '6'])]
fn scroll_pgdn_screen(bencher: Bencher, screen: char) {
    let model = screen_model(100, 30, screen);
    let i = Model::data_index(model.screen).unwrap();
    let half = model.tables[i].total.known() / 2;
    keypress(bencher, before_pgdn_on(model, half), KeyCode::PageDown);
}

/// `G` from the top: to the last lead.
#[divan::bench(args = SIZES)]
fn scroll_end(bencher: Bencher, name: &str) {
    let (w, h) = size(name);
    keypress(bencher, leads_model(w, h), KeyCode::Char('G'));
}

/// `g` from the bottom: back to the first lead.
#[divan::bench(args = SIZES)]
fn scroll_home(bencher: Bencher, name: &str) {
    let (w, h) = size(name);
    let mut model = leads_model(w, h);
    step(&mut model, key(KeyCode::Char('G')));
    keypress(bencher, model, KeyCode::Char('g'));
}

/// Lead names to type: one every 1,000th lead (100 of 100,000).
fn names() -> Vec<String> {
    let env = &*ENV;
    let all = env
        .cache
        .count(
            &env.account,
            close_tui::close::records::Resource::Leads,
            &ListQuery::default(),
        )
        .unwrap() as usize;
    let step = (all / 100).max(1);
    (0..all)
        .step_by(step)
        .take(100)
        .map(|i| {
            env.cache
                .leads(&env.account, &ListQuery::default(), i, 1)
                .unwrap()
                .remove(0)
                .name
        })
        .collect()
}

/// Every prefix of `name`, as typed: `/` opens the search box.
fn searching(width: u16, height: u16) -> Model {
    let mut model = leads_model(width, height);
    step(&mut model, key(KeyCode::Char('/')));
    model
}

/// One keystroke in the search box to its frame: the prefixes of the
/// sampled names in turn, each typed onto an empty box.
#[divan::bench(args = SIZES)]
fn search_keystroke(bencher: Bencher, name: &str) {
    let (w, h) = size(name);
    let model = searching(w, h);
    let prefixes: Vec<String> = names()
        .iter()
        .flat_map(|n| {
            n.char_indices()
                .skip(1)
                .map(|(end, _)| n[..end].to_owned())
                .chain([n.clone()])
                .collect::<Vec<_>>()
        })
        .collect();
    let mut next = prefixes.iter().cycle();
    bencher
        .with_inputs(|| {
            let prefix = next.next().unwrap();
            let mut model = model.clone();
            let (head, last) =
                prefix.split_at(prefix.len() - prefix.chars().last().unwrap().len_utf8());
            for c in head.chars() {
                model.tables[0].query.insert(&c.to_string());
            }
            let terminal = sink_terminal(&model);
            (model, terminal, last.chars().next().unwrap())
        })
        .bench_local_values(|(mut model, mut terminal, c)| {
            step(&mut model, key(KeyCode::Char(c)));
            draw(&mut terminal, &model);
            (model, terminal)
        });
}

/// The distribution divan does not show: every keystroke of 100 names
/// typed one character at a time, then cleared with Esc.
fn search_percentiles() {
    for name in SIZES {
        let (w, h) = size(name);
        let mut model = searching(w, h);
        let mut terminal = sink_terminal(&model);
        let mut times: Vec<Duration> = Vec::new();
        for lead in names() {
            for c in lead.chars() {
                let started = Instant::now();
                step(&mut model, key(KeyCode::Char(c)));
                draw(&mut terminal, &model);
                times.push(started.elapsed());
            }
            step(&mut model, key(KeyCode::Esc));
            step(&mut model, key(KeyCode::Char('/')));
        }
        times.sort();
        let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
        println!(
            "search keystroke to frame at {name}: {} keystrokes, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (target p99 < 10 ms)",
            times.len(),
            p(0.5),
            p(0.99),
            p(1.0)
        );
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    LazyLock::force(&ENV);
    divan::main();
    let filtered = std::env::args().skip(1).any(|a| !a.starts_with('-'));
    if !filtered || std::env::args().any(|a| a.contains("search")) {
        search_percentiles();
    }
}
