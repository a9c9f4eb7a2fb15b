//! `close-tui sync [RESOURCE...]`: fill the active account's cache, with a
//! progress bar per pass on stderr (counts, rate, ETA), or plain lines
//! when stderr is not a terminal.

use std::{
    collections::HashMap,
    io::IsTerminal,
    process::ExitCode,
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::sync::mpsc;

use self::bars::{Bars, HideOnDrop};
use super::{CommandResult, Failure, export::parse_resource, fail};
use crate::{
    close::records::Resource,
    config::Settings,
    session::Session,
    store::AccountState,
    sync::{Pass, SyncEvent, SyncOptions, Syncer},
    tui::format,
};

/// A resource a sync fills: activities load per lead instead.
fn syncable(name: &str) -> Result<Resource, String> {
    match parse_resource(name) {
        Ok(Resource::Activities) => Err(
            "activities are not synced: they load per lead when it is opened in the app \
             (then `close-tui export activities` has them); use leads, contacts, \
             opportunities or tasks"
                .to_owned(),
        ),
        Ok(resource) => Ok(resource),
        Err(_) => Err(format!(
            "unknown resource `{name}`; use leads, contacts, opportunities or tasks"
        )),
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// leads, contacts, opportunities, tasks [default: all of them]
    #[arg(value_parser = syncable)]
    pub resources: Vec<Resource>,
    /// Fetch everything again, not just what changed since the last sync,
    /// and drop cached records Close no longer has
    #[arg(long)]
    pub full: bool,
    /// Requests in flight per pass
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
}

pub async fn run(settings: &Settings, args: SyncArgs) -> CommandResult {
    let session = Session::active(settings).await.map_err(fail)?;
    // Said once, before any pass starts and fails for the same reason.
    if let AccountState::NeedsLogin { reason } = &session.account.state {
        return Err(fail(format!(
            "{} needs login again ({reason}): run `close-tui login`",
            session.account.profile.organization_name
        )));
    }
    let store = Arc::clone(&session.store);
    let cache = tokio::task::spawn_blocking(move || store.cache())
        .await
        .map_err(fail)?
        .map_err(fail)?;
    let (tx, rx) = mpsc::unbounded_channel();
    let syncer = Syncer::new(
        session.client.clone(),
        Arc::new(cache),
        session.account.id().clone(),
    )
    .with_options(SyncOptions {
        concurrency: usize::from(args.concurrency),
        full: args.full,
        ..SyncOptions::default()
    })
    .with_events(tx);
    for line in with_leads(&args.resources) {
        note!("{line}");
    }
    // Bars are drawn on a thread of their own: when this command is
    // dropped (an interrupt), the guard takes them off the screen before
    // the line that says so.
    let bars = std::io::stderr().is_terminal().then(Bars::default);
    let hide = bars.as_ref().map(|bars| HideOnDrop(bars.clone()));
    let progress = tokio::spawn(show(rx, bars));
    let result = syncer.run_each(&args.resources).await;
    // Dropping the syncer closes the event channel, which ends `show`.
    drop(syncer);
    let _ = progress.await;
    drop(hide);
    let outcomes = result.map_err(fail)?;
    // Every pass is told, each failure last, in one line of its own.
    let mut failures = Vec::new();
    for (which, outcome) in outcomes {
        let pass = match outcome {
            Ok(pass) => pass,
            Err(err) => {
                failures.push(which.failure(&err));
                continue;
            }
        };
        let kind = match (pass.full, pass.resumed) {
            (_, true) => "resumed",
            (true, false) => "full",
            (false, false) => "incremental",
        };
        let removed = match pass.removed {
            0 => String::new(),
            n => format!("; {n} deleted in Close, removed from the cache"),
        };
        note!(
            "{}: {} ({kind}) in {:.1} s{removed}",
            pass.pass.name(),
            format::records(pass.records),
            pass.elapsed.as_secs_f64()
        );
    }
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for line in &failures {
        note!("close-tui: {line}");
    }
    Err(Failure::quiet(1).into())
}

/// For resources named on the command line that have no pass of their
/// own, a line saying the lead pass brings them (leads embed them), since
/// the lines that follow speak only of leads.
fn with_leads(named: &[Resource]) -> Vec<String> {
    let passes = Pass::for_resources(named).unwrap_or_default();
    if named.is_empty() || !passes.contains(&Pass::Leads) {
        return Vec::new();
    }
    [Resource::Contacts, Resource::Opportunities]
        .into_iter()
        .filter(|r| named.contains(r))
        .map(|r| {
            format!(
                "{}: they come with their leads, so the lead pass syncs them",
                r.name()
            )
        })
        .collect()
}

/// Draws events until the channel closes: as `bars`, or as plain lines
/// when stderr is not a terminal.
async fn show(mut rx: mpsc::UnboundedReceiver<SyncEvent>, bars: Option<Bars>) {
    if let Some(mut bars) = bars {
        // The command's `HideOnDrop` clears them, once.
        while let Some(event) = rx.recv().await {
            bars.on(event);
        }
    } else {
        let mut lines = Lines::default();
        while let Some(event) = rx.recv().await {
            lines.on(event);
        }
    }
}

/// Waits ending within this of one already told are the same wait.
const SAME_WAIT: Duration = Duration::from_millis(500);

/// The least time between two "retrying" lines for one endpoint: a sync
/// riding out an outage says so, without a line per attempt.
const RETRY_LINES_EVERY: Duration = Duration::from_secs(5);

/// Plain progress lines for logs and pipes: at most one every two seconds
/// per pass, plus the start, waits, retries and the end.
#[derive(Default)]
struct Lines {
    started: HashMap<Resource, (Instant, Instant)>,
    /// The end of the last wait told, per endpoint group: the workers that
    /// meet one wait each say so, and it is told once.
    waiting_until: HashMap<String, Instant>,
    /// When a retry of each endpoint (`lead`, `task`, …) was last told.
    retries_told: HashMap<String, Instant>,
}

impl Lines {
    /// The line for a retry of `path` at `now`, unless its endpoint waits
    /// out a rate limit already told, or told a retry in the last
    /// [`RETRY_LINES_EVERY`].
    fn retry_line(
        &mut self,
        path: &str,
        reason: &str,
        delay: Duration,
        now: Instant,
    ) -> Option<String> {
        let endpoint = path.split(['/', '?']).next().unwrap_or_default().to_owned();
        // A 429 is retried too; the wait's own line has told it. Another
        // endpoint's wait says nothing of this one.
        let waiting = self
            .waiting_until
            .get(crate::close::group_of(path))
            .is_some_and(|until| *until > now);
        let told = self
            .retries_told
            .get(&endpoint)
            .is_some_and(|told| now.duration_since(*told) < RETRY_LINES_EVERY);
        if waiting || told {
            return None;
        }
        let name = Resource::from_name(&endpoint).map_or(endpoint.as_str(), |r| r.name());
        let line = format!("{name}: retrying in {:.1} s: {reason}", delay.as_secs_f64());
        self.retries_told.insert(endpoint, now);
        Some(line)
    }

    fn on(&mut self, event: SyncEvent) {
        match event {
            SyncEvent::Started {
                resource,
                total,
                full,
                resumed,
                catch_up,
            } => {
                let kind = if resumed {
                    "resuming"
                } else if full {
                    "full"
                } else {
                    "incremental"
                };
                let total = total
                    .map(|t| format!(", {}", format::records(t)))
                    .unwrap_or_default();
                if catch_up {
                    note!(
                        "{}: catching up on what changed during the full pass",
                        resource.name()
                    );
                } else {
                    note!("{}: syncing ({kind}{total})", resource.name());
                }
                let now = Instant::now();
                self.started.insert(resource, (now, now));
            }
            SyncEvent::Progress {
                resource,
                done,
                total,
            } => {
                let Some((start, last)) = self.started.get_mut(&resource) else {
                    return;
                };
                if last.elapsed() < Duration::from_secs(2) {
                    return;
                }
                *last = Instant::now();
                let rate = done as f64 / start.elapsed().as_secs_f64().max(0.001);
                let total = total.map(|t| format!("/{t}")).unwrap_or_default();
                note!("{}: {done}{total} ({rate:.0}/s)", resource.name());
            }
            SyncEvent::Indexing { resource, records } => {
                note!(
                    "{}: all {} in; building the cache's indexes",
                    resource.name(),
                    format::records(records)
                );
            }
            SyncEvent::RateLimited { group, until } => {
                if self
                    .waiting_until
                    .get(&group)
                    .is_some_and(|told| *told + SAME_WAIT >= until)
                {
                    return;
                }
                self.waiting_until.insert(group, until);
                let wait = until.saturating_duration_since(Instant::now());
                note!("rate limited by Close; waiting {:.1} s", wait.as_secs_f64());
            }
            SyncEvent::Retrying {
                path,
                reason,
                delay,
            } => {
                if let Some(line) = self.retry_line(&path, &reason, delay, Instant::now()) {
                    note!("{line}");
                }
            }
            SyncEvent::Finished { .. } => {}
            SyncEvent::Skipped { resource, reason } => {
                note!("{}: skipped {reason}", resource.name());
            }
        }
    }
}

mod bars;

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
