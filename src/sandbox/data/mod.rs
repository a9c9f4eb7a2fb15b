//! Deterministic generated Close data (being built).

pub struct Dataset {}

impl Dataset {
    pub fn generate(_seed: u64, _leads: usize) -> Self {
        Self {}
    }
}
