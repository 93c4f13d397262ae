//! `rsctl read DB.COLLECTION`: a find with an explicit read preference; documents as relaxed
//! Extended JSON lines on stdout, who served them (and with `--explain`, why) on stderr.

use std::time::Duration;

use super::Context;

/// The read preference mode, spelled as in the specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrefArg {
    /// Only the primary.
    #[value(name = "primary")]
    Primary,
    /// The primary, else a secondary.
    #[value(name = "primaryPreferred", alias = "primary-preferred")]
    PrimaryPreferred,
    /// Only secondaries.
    #[value(name = "secondary")]
    Secondary,
    /// A secondary, else the primary.
    #[value(name = "secondaryPreferred", alias = "secondary-preferred")]
    SecondaryPreferred,
    /// Any member within the latency window.
    #[value(name = "nearest")]
    Nearest,
}

/// Arguments of `rsctl read`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// The namespace to read, DB.COLLECTION.
    #[arg(value_name = "DB.COLLECTION")]
    pub namespace: String,
    /// Query filter as (Extended) JSON, e.g. '{"qty": {"$gt": 5}}'.
    #[arg(long, value_name = "EJSON")]
    pub filter: Option<String>,
    /// Projection as (Extended) JSON.
    #[arg(long, value_name = "EJSON")]
    pub projection: Option<String>,
    /// Sort as (Extended) JSON, e.g. '{"_id": -1}'.
    #[arg(long, value_name = "EJSON")]
    pub sort: Option<String>,
    /// Return at most N documents.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Skip the first N documents.
    #[arg(long, value_name = "N")]
    pub skip: Option<u64>,
    /// Documents per batch.
    #[arg(long, value_name = "N", hide = true)]
    pub batch_size: Option<u32>,
    /// Read preference mode.
    #[arg(long, value_enum, value_name = "MODE", default_value = "primary")]
    pub pref: PrefArg,
    /// A tag set k=v,k=v; repeat for ordered fallbacks; '' is the empty set (any member).
    #[arg(long = "tags", value_name = "K=V,...")]
    pub tags: Vec<String>,
    /// maxStalenessSeconds (at least 90s).
    #[arg(long, value_name = "DUR", value_parser = super::parse_duration)]
    pub max_staleness: Option<Duration>,
    /// Explain the server selection: every member, eligible or why not, and the one picked.
    #[arg(long)]
    pub explain: bool,
}

/// Runs `rsctl read`.
pub async fn run(_ctx: &Context, _args: ReadArgs) -> anyhow::Result<()> {
    anyhow::bail!("rsctl read: waiting for the client library to land")
}
