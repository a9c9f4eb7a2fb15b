//! The local Close emulator (being built).

#[derive(Debug, clap::Args)]
pub struct SandboxArgs {}

pub async fn run(_args: SandboxArgs) -> color_eyre::Result<()> {
    Ok(())
}
