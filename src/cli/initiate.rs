//! `rsctl initiate`: check every would-be member, run `replSetInitiate` once, wait for a primary
//! and for every member to settle, then print the status table.

use std::path::PathBuf;
use std::time::Duration;

use super::Context;

/// Arguments of `rsctl initiate`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitiateArgs {
    /// Replica set name (default: the URI's replicaSet, --replica-set, or "rs0").
    #[arg(long = "set", value_name = "NAME")]
    pub set: Option<String>,
    /// A member, optionally with tags: HOST:PORT[,tag=value...]. Repeat for each member.
    /// Without any, the seed list is used (and with a single seed, mongod's implicit config).
    #[arg(long = "member", value_name = "HOST:PORT[,TAG=VALUE...]")]
    pub members: Vec<String>,
    /// An arbiter (votes, holds no data). Repeatable.
    #[arg(long = "arbiter", value_name = "HOST:PORT")]
    pub arbiters: Vec<String>,
    /// A member's election priority: HOST:PORT=N. Repeatable.
    #[arg(long = "priority", value_name = "HOST:PORT=N")]
    pub priorities: Vec<String>,
    /// A replica set config document (JSON / Extended JSON) to use as is.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["members", "arbiters", "priorities"])]
    pub config: Option<PathBuf>,
    /// Return as soon as replSetInitiate succeeds, without waiting for a primary.
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for a primary and every member to settle.
    #[arg(long, value_name = "DUR", default_value = "60s", value_parser = super::parse_duration)]
    pub wait_timeout: Duration,
}

/// Runs `rsctl initiate`.
pub async fn run(_ctx: &Context, _args: InitiateArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsctl initiate: waiting for the client library to land")
}
