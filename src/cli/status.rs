//! `rsctl status`: discover the set from any live seed, ask the primary (or any member) for
//! `replSetGetStatus` and `replSetGetConfig`, merge that view with rsctl's own monitors, and print
//! a table or one JSON object.

use std::time::Duration;

use bson::{doc, Document};

use crate::client::Client;
use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription};

use super::output::{Format, Stdout};
use super::render::{build_status, status_table, StatusInput, StatusReport};
use super::{session, Context};

/// Arguments of `rsctl status`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {}

/// How long status waits for every member's first check after the first one answered.
const SETTLE: Duration = Duration::from_secs(2);

/// Runs `rsctl status`.
pub async fn run(ctx: &Context, _args: StatusArgs) -> anyhow::Result<()> {
    let client = session::connect(session::options(ctx)?).await?;
    // A router seed list: the routers, then each shard's replica-set status.
    match super::mongos::status(ctx, &client).await {
        Ok(None) => {}
        done => {
            client.shutdown().await;
            return done.map(|_| ());
        }
    }
    let result = report(&client).await;
    client.shutdown().await;
    print(ctx, &result?)
}

/// Prints the status of the set reachable through `seeds` (used by `initiate` and `demo`).
pub async fn show(ctx: &Context, seeds: &[ServerAddress], set: Option<&str>) -> anyhow::Result<()> {
    let client = session::connect(session::options_for_seeds(ctx, seeds, set)?).await?;
    let result = report(&client).await;
    client.shutdown().await;
    print(ctx, &result?)
}

/// Prints a report in the context's format.
pub fn print(ctx: &Context, report: &StatusReport) -> anyhow::Result<()> {
    let mut out = Stdout::new();
    match ctx.format {
        Format::Json => out.line(&serde_json::to_string_pretty(report)?)?,
        Format::Table => out.line(status_table(report, &ctx.style).trim_end())?,
    }
    out.flush()?;
    Ok(())
}

/// The members to ask for replSetGetStatus, best first: the primary, then secondaries, then the
/// rest rsctl can reach.
fn status_sources(topo: &TopologyDescription) -> Vec<ServerAddress> {
    let rank = |t: ServerType| match t {
        ServerType::RSPrimary => 0,
        ServerType::RSSecondary => 1,
        ServerType::RSArbiter | ServerType::RSOther | ServerType::RSGhost => 2,
        ServerType::Standalone | ServerType::Mongos => 3,
        _ => 4,
    };
    let mut v: Vec<(u8, ServerAddress)> = topo
        .servers
        .values()
        .filter(|s| s.server_type != ServerType::Unknown)
        .map(|s| (rank(s.server_type), s.address.clone()))
        .collect();
    v.sort();
    v.into_iter().map(|(_, a)| a).collect()
}

/// Discovers the deployment and builds the report.
pub async fn report(client: &Client) -> anyhow::Result<StatusReport> {
    let topo = session::discover(client, SETTLE).await?;
    let mut status: Option<(ServerAddress, Document)> = None;
    let mut config: Option<Document> = None;
    // A member that refuses us for want of credentials (Unauthorized): the others will too.
    let mut unauthorized: Option<crate::error::Error> = None;
    for addr in status_sources(&topo) {
        if status.is_none() {
            match client
                .run_command_on(&addr, "admin", doc! { "replSetGetStatus": 1 })
                .await
            {
                Ok(st) => status = Some((addr.clone(), st)),
                // A credential the server refuses is refused by every member: exit 1 now, naming
                // user, database and mechanism (never the secret).
                Err(e @ crate::error::Error::Authentication { .. }) => return Err(e.into()),
                Err(e) if session::is_unauthorized(&e) => {
                    unauthorized.get_or_insert(e);
                }
                Err(_) => {}
            }
        }
        if config.is_none() {
            if let Ok(c) = client
                .run_command_on(&addr, "admin", doc! { "replSetGetConfig": 1 })
                .await
            {
                config = Some(c);
            }
        }
        if status.is_some() && config.is_some() {
            break;
        }
    }
    if let (None, Some(e)) = (&status, unauthorized) {
        let hint = session::unauthorized_hint(&e, client.options().credential.is_some());
        return Err(anyhow::anyhow!("replSetGetStatus: {e}{hint}"));
    }
    // Members' RTTs and reachability as of now (the commands above took a moment).
    let topo = client.topology();
    Ok(build_status(&StatusInput {
        topology: &topo,
        status: status.as_ref().map(|(a, d)| (a, d)),
        config: config.as_ref(),
    }))
}
