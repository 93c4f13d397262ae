//! `rsctl demo`: a narrated tour on an embedded 3-member lab: initiate, status, tagged reads,
//! a primary killed while failover-watch probes, the outage measured, everything stopped.

use super::Context;

/// Arguments of `rsctl demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {}

/// Runs `rsctl demo`.
pub async fn run(_ctx: &Context, _args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsctl demo: waiting for the lab to land")
}
