//! `rsctl read DB.COLLECTION`: a find with an explicit read preference; documents as relaxed
//! Extended JSON lines on stdout, who served them (and with `--explain`, why) on stderr.

use std::time::Duration;

use crate::client::FindOptions;
use crate::core::read_pref::ReadPreferenceMode;

use std::io::Write as _;

use super::args::{ejson_document, namespace, read_preference, write_relaxed_raw_document};
use super::exit::usage;
use super::output::{note, Format, Stdout};
use super::render::{build_explain, explain_text, served_by_line};
use super::{session, Context};

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

impl From<PrefArg> for ReadPreferenceMode {
    fn from(p: PrefArg) -> Self {
        match p {
            PrefArg::Primary => ReadPreferenceMode::Primary,
            PrefArg::PrimaryPreferred => ReadPreferenceMode::PrimaryPreferred,
            PrefArg::Secondary => ReadPreferenceMode::Secondary,
            PrefArg::SecondaryPreferred => ReadPreferenceMode::SecondaryPreferred,
            PrefArg::Nearest => ReadPreferenceMode::Nearest,
        }
    }
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

/// Documents per batch when `--batch-size` is not given.
const DEFAULT_BATCH: i32 = 4096;

/// Runs `rsctl read`.
pub async fn run(ctx: &Context, args: ReadArgs) -> anyhow::Result<()> {
    // Everything the user typed is checked before any connection is made (exit 2).
    let (db, coll) = namespace(&args.namespace)?;
    let filter = args
        .filter
        .as_deref()
        .map(|t| ejson_document("--filter", t))
        .transpose()?;
    let projection = args
        .projection
        .as_deref()
        .map(|t| ejson_document("--projection", t))
        .transpose()?;
    let sort = args
        .sort
        .as_deref()
        .map(|t| ejson_document("--sort", t))
        .transpose()?;
    let limit = args
        .limit
        .map(|l| i64::try_from(l).map_err(|_| usage(format!("--limit {l} is too large"))))
        .transpose()?;
    let skip = args
        .skip
        .map(|l| i64::try_from(l).map_err(|_| usage(format!("--skip {l} is too large"))))
        .transpose()?;
    let options = session::options(ctx)?;
    let rp = read_preference(
        args.pref.into(),
        &args.tags,
        args.max_staleness,
        options.heartbeat_frequency,
    )?;

    let client = session::connect(options).await?;
    let result = read(
        ctx,
        &client,
        &db,
        &coll,
        FindOptions {
            filter,
            projection,
            sort,
            limit,
            skip,
            // Large batches: fewer round trips, and the next one is fetched while one is printed.
            batch_size: Some(
                args.batch_size
                    .map(|b| b.min(i32::MAX as u32) as i32)
                    .unwrap_or(DEFAULT_BATCH),
            ),
        },
        &rp,
        args.explain,
    )
    .await;
    client.shutdown().await;
    result
}

async fn read(
    ctx: &Context,
    client: &crate::client::Client,
    db: &str,
    coll: &str,
    find: FindOptions,
    rp: &crate::core::read_pref::ReadPreference,
    explain: bool,
) -> anyhow::Result<()> {
    // Let every member's first check land, so that preferences are applied to the whole set
    // (not to whichever member answered first) and --explain covers every member.
    // Seeds that all refuse the connection (or do not resolve) end the read early (exit 3).
    let out_of_reach = session::out_of_reach(client, session::Patience::Command("read"));
    tokio::pin!(out_of_reach);
    let topo = tokio::select! {
        t = session::settle_for(client, session::settle_time(client)) => t,
        e = &mut out_of_reach => return Err(e),
    };
    if let Some(e) = session::certificate_failure(&topo) {
        return Err(e);
    }
    let found = tokio::select! {
        r = client.find(db, coll, find, rp) => r,
        e = &mut out_of_reach => return Err(e),
    };
    let mut cursor = found.map_err(|e| {
        let hint = session::unauthorized_hint(&e, client.options().credential.is_some());
        if hint.is_empty() {
            anyhow::Error::new(e)
        } else {
            anyhow::anyhow!("{e}{hint}")
        }
    })?;
    let selected = cursor.selected();
    if cursor.retried() && ctx.global.verbose > 0 {
        note("the read failed once and was retried on a new server selection");
    }
    if explain {
        let selection = selected.selection()?;
        let e = build_explain(rp, &selection, Some(cursor.server()), cursor.retried());
        match ctx.format {
            Format::Json => note(&serde_json::to_string(&e)?),
            Format::Table => note(
                explain_text(&e, &super::output::Style::detect_stderr(ctx.global.color)).trim_end(),
            ),
        }
    } else {
        let d = &selected.description;
        note(&served_by_line(
            cursor.server(),
            d.server_type,
            &d.tags,
            d.round_trip_time_ms,
        ));
    }
    super::mongos::note_forwarded(selected);
    // The next batch is fetched while this one is printed (the server and rsctl work at once).
    // Batches stay raw BSON: each document is written as it sits in the reply.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<crate::Result<crate::client::RawBatch>>(2);
    let fetch = tokio::spawn(async move {
        loop {
            match cursor.next_raw_batch().await {
                Ok(Some(batch)) => {
                    if tx.send(Ok(batch)).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
        }
    });
    let mut out = Stdout::new();
    let mut buf: Vec<u8> = Vec::with_capacity(256 * 1024);
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        for doc in batch.documents() {
            write_relaxed_raw_document(&mut buf, doc).map_err(|e| crate::Error::Protocol {
                address: batch.server().clone(),
                message: format!("a result is not a valid BSON document: {e}"),
            })?;
            buf.push(b'\n');
            if buf.len() >= 128 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
    }
    drop(fetch);
    out.write_all(&buf)?;
    out.flush()?;
    Ok(())
}
