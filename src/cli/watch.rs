//! `rsctl failover-watch`: stream what the client's monitors see (one line or JSON object per
//! event), optionally probe with majority writes to measure outages, and summarise at the end.

use std::time::Duration;

use super::Context;

/// Arguments of `rsctl failover-watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Stop after this long (default: until Ctrl-C).
    #[arg(long, value_name = "DUR", value_parser = super::parse_duration)]
    pub duration: Option<Duration>,
    /// Write a small document with w:"majority" every probe interval and report outages.
    #[arg(long)]
    pub probe: bool,
    /// Interval between probe writes.
    #[arg(long, value_name = "DUR", default_value = "100ms", value_parser = super::parse_duration)]
    pub probe_interval: Duration,
    /// Namespace the probe writes into.
    #[arg(long, value_name = "DB.COLLECTION", default_value = "rsctl.probe")]
    pub probe_ns: String,
    /// Report a member's RTT when it moves by more than this.
    #[arg(long, value_name = "DUR", default_value = "50ms", value_parser = super::parse_duration)]
    pub rtt_threshold: Duration,
}

/// Runs `rsctl failover-watch`.
pub async fn run(_ctx: &Context, _args: WatchArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsctl failover-watch: waiting for the client library to land")
}
