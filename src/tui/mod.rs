//! The terminal app.
//!
//! Data flow: crossterm events → [`keymap`] → `Action` →
//! [`model::update`] → [`msg::Cmd`]s → [`services`] run each on a task →
//! `Msg` back over a channel → `update` again. Only the app loop owns the
//! model; it redraws when something changed, at most once per frame.

mod app;
pub mod format;
#[cfg(unix)]
mod hangup;
pub mod keymap;
pub mod model;
pub mod msg;
pub mod services;
pub mod ui;

pub use app::{AppOptions, Ended, run};
