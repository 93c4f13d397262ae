//! `rsctl lab`: run a simulated replica set in the foreground and control it from another
//! terminal (kill, start, pause, resume, partition, heal, latency, lag, down).

/// Arguments of `rsctl lab`.
#[derive(Debug, clap::Args)]
pub struct LabArgs {}

/// Runs `rsctl lab ...`.
pub async fn run(_args: LabArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsctl lab is not implemented yet")
}
