//! `rsctl freeze HOST:PORT --for DUR`: `replSetFreeze` on one member, so that it does not stand
//! for election for that long (`--for 0s` unfreezes it). mongod refuses to freeze a primary
//! (NotSecondary, 95): step it down first.

use std::time::Duration;

use bson::doc;
use serde::Serialize;

use crate::core::address::ServerAddress;

use super::output::{note, Format, Stdout};
use super::{maint, session, Context};

/// Arguments of `rsctl freeze`.
#[derive(Debug, Clone, clap::Args)]
pub struct FreezeArgs {
    /// The member to freeze (a secondary).
    #[arg(value_name = "HOST:PORT")]
    pub host: String,
    /// How long it may not stand for election, in whole seconds (0s unfreezes).
    #[arg(long = "for", value_name = "DUR", value_parser = super::parse_duration)]
    pub duration: Duration,
}

/// What `--json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreezeResult {
    /// The member.
    pub host: String,
    /// Seconds frozen (0: unfrozen).
    pub frozen_secs: u64,
    /// The server's `info` or `warning`, when it gave one.
    pub server_note: Option<String>,
}

/// Runs `rsctl freeze`.
pub async fn run(ctx: &Context, args: FreezeArgs) -> anyhow::Result<()> {
    let host = ServerAddress::parse(&args.host)
        .map_err(|e| super::exit::usage(format!("invalid HOST:PORT \"{}\": {e}", args.host)))?;
    if args.duration.subsec_nanos() != 0 {
        return Err(super::exit::usage(format!(
            "--for {}: replSetFreeze takes whole seconds",
            humantime::format_duration(args.duration)
        )));
    }
    let client = session::connect(session::options(ctx)?).await?;
    let result = freeze(ctx, &client, &host, args.duration.as_secs()).await;
    client.shutdown().await;
    result
}

async fn freeze(
    ctx: &Context,
    client: &crate::client::Client,
    host: &ServerAddress,
    secs: u64,
) -> anyhow::Result<()> {
    let topo = session::discover(
        client,
        session::settle_time(client),
        session::Patience::Command("freeze"),
    )
    .await?;
    session::check_credential(client).await?;
    if !topo.servers.contains_key(host) {
        let members: Vec<String> = topo.servers.keys().map(|a| a.to_string()).collect();
        return Err(super::exit::usage(format!(
            "{host} is not a member of the deployment (members: {})",
            members.join(", ")
        )));
    }
    let reply = client
        .run_command_on(host, "admin", doc! { "replSetFreeze": secs as i64 })
        .await
        .map_err(|e| maint::explain("replSetFreeze", e))?;
    let server_note = reply
        .get_str("warning")
        .or_else(|_| reply.get_str("info"))
        .ok()
        .map(str::to_string);
    let result = FreezeResult {
        host: host.to_string(),
        frozen_secs: secs,
        server_note,
    };
    let mut out = Stdout::new();
    match ctx.format {
        Format::Json => out.line(&serde_json::to_string(&result)?)?,
        Format::Table => {
            if secs == 0 {
                out.line(&format!(
                    "{host}: unfrozen (it may stand for election again)"
                ))?;
            } else {
                out.line(&format!(
                    "{host}: frozen for {}: it will not stand for election until then",
                    humantime::format_duration(Duration::from_secs(secs))
                ))?;
            }
            if let Some(n) = &result.server_note {
                note(&format!("rsctl: {host} says: {n}"));
            }
        }
    }
    out.flush()?;
    Ok(())
}
