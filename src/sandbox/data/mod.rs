//! Deterministic generated Close data (being built).

pub struct Dataset {}
