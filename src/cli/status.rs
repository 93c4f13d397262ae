//! `rsctl status`: discover the set from any live seed, merge the primary's view
//! (replSetGetStatus / replSetGetConfig) with rsctl's own monitors, print a table or JSON.

use super::Context;

/// Arguments of `rsctl status`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {}

/// Runs `rsctl status`.
pub async fn run(_ctx: &Context, _args: StatusArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsctl status: waiting for the client library to land")
}
