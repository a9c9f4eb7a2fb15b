//! The terminal app.
//!
//! Data flow: crossterm events → [`keymap`] → `Action` →
//! [`model::update`] → [`msg::Cmd`]s → [`services`] run each on a task →
//! `Msg` back over a channel → `update` again. Only the app loop owns the
//! model; it redraws when something changed, at most once per frame.

pub mod format;
pub mod keymap;
pub mod model;
pub mod msg;
pub mod ui;
