//! The sandbox's shared state, held in an `Arc` by every handler.

use std::sync::RwLock;

use super::{SandboxArgs, data::Dataset};

pub struct Sandbox {
    pub options: SandboxArgs,
    /// The generated records; API handlers read them, the admin hook changes
    /// them.
    pub data: RwLock<Dataset>,
}

impl Sandbox {
    /// Generates the data set the options describe.
    pub fn new(options: SandboxArgs) -> Self {
        let data = Dataset::generate(options.seed, options.leads);
        Self {
            options,
            data: RwLock::new(data),
        }
    }
}
