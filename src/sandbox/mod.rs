//! The local Close emulator (being built).

pub mod api;
pub mod data;
pub mod error;
mod options;
pub mod principal;
pub mod state;

pub use options::SandboxArgs;

pub async fn run(_args: SandboxArgs) -> color_eyre::Result<()> {
    Ok(())
}
