//! The progress bars `sync` draws on a terminal: one per pass, drawn on
//! indicatif's thread, and taken off the screen when the command ends or
//! is interrupted.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::{close::records::Resource, sync::SyncEvent, tui::format};

/// Stops the bars ticking, clears them and keeps them from drawing again.
pub(super) struct HideOnDrop(pub(super) Bars);

impl Drop for HideOnDrop {
    fn drop(&mut self) {
        let Bars { multi, bars } = &self.0;
        // Held throughout, so the events' task draws nothing in between.
        let bars = bars_of(bars);
        for bar in bars.values() {
            bar.disable_steady_tick();
        }
        multi.clear().ok();
        multi.set_draw_target(ProgressDrawTarget::hidden());
    }
}

/// One bar per pass, drawn on indicatif's thread; shared with the
/// command's [`HideOnDrop`].
#[derive(Clone, Default)]
pub(super) struct Bars {
    multi: MultiProgress,
    bars: Arc<Mutex<HashMap<Resource, ProgressBar>>>,
}

fn bars_of(
    bars: &Mutex<HashMap<Resource, ProgressBar>>,
) -> MutexGuard<'_, HashMap<Resource, ProgressBar>> {
    bars.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Bars {
    pub(super) fn on(&mut self, event: SyncEvent) {
        let mut bars = bars_of(&self.bars);
        match event {
            SyncEvent::Started {
                resource,
                total,
                catch_up,
                ..
            } => {
                // Drawn only once added: a bar drawing on its own before
                // then leaves a line the others never clear.
                let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden())
                    .with_style(if total.is_some() {
                        counted()
                    } else {
                        uncounted()
                    });
                bar.set_prefix(resource.name());
                if catch_up {
                    bar.set_message("catching up");
                }
                // A catch-up pass follows a full one: its bar takes the
                // place of the finished one, which dropped while still in
                // the multi-bar would stay on screen for good.
                if let Some(done) = bars.remove(&resource) {
                    done.finish_and_clear();
                    self.multi.remove(&done);
                }
                let bar = self.multi.add(bar);
                bar.enable_steady_tick(Duration::from_millis(120));
                bars.insert(resource, bar);
            }
            SyncEvent::Progress { resource, done, .. } => {
                if let Some(bar) = bars.get(&resource) {
                    // Overlapping windows re-read a few records; never
                    // overflow the bar for it.
                    bar.set_position(bar.length().map_or(done, |len| done.min(len)));
                }
            }
            SyncEvent::Indexing { resource, .. } => {
                if let Some(bar) = bars.get(&resource) {
                    bar.set_message("building indexes");
                }
            }
            SyncEvent::RateLimited { until, .. } => {
                let wait = until.saturating_duration_since(Instant::now());
                for bar in bars.values() {
                    bar.set_message(format!("rate limited, {:.1} s", wait.as_secs_f64()));
                }
            }
            SyncEvent::Retrying { reason, .. } => {
                for bar in bars.values() {
                    bar.set_message(format!("retrying: {reason}"));
                }
            }
            SyncEvent::Skipped { reason, .. } => {
                let _ = self.multi.println(format!("skipped {reason}"));
            }
            SyncEvent::Finished { resource, .. } => {
                if let Some(bar) = bars.get(&resource) {
                    bar.set_message("");
                    bar.finish();
                }
            }
        }
    }
}

fn counted() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>13} [{bar:30}] {pos}/{len} {rate} ETA {eta} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", rate)
        .progress_chars("=> ")
}

fn uncounted() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>13} {spinner} {pos} {rate} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key("rate", rate)
}

/// Records a second, whole and grouped: "4,231/s" (indicatif's
/// `per_sec` prints four decimals).
fn rate(state: &ProgressState, out: &mut dyn std::fmt::Write) {
    let per_sec = state.per_sec().max(0.0).round() as u64;
    let _ = write!(out, "{}/s", format::thousands(per_sec));
}
