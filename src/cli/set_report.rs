//! A replica set's status report, gathered: ask the best member rsctl can reach for
//! `replSetGetStatus` and `replSetGetConfig`, probe the members SDAM does not monitor (hidden
//! ones), and merge it all with rsctl's own view (`render::build_status`). Shared by `status` (a
//! replica set) and the mongos side of `status` (each shard), which both print it.

use std::time::Duration;

use bson::{doc, Document};

use crate::client::Client;
use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription};

use super::render::{build_status, unmonitored_members, Probe, StatusInput, StatusReport};
use super::session;

/// How long status waits for every member's first check after the first one answered.
const SETTLE: Duration = Duration::from_secs(2);

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
    let topo = session::discover(client, SETTLE, session::Patience::Command("status")).await?;
    let mut status: Option<(ServerAddress, Document)> = None;
    let mut config: Option<Document> = None;
    // A member that refuses us for want of credentials (Unauthorized): the others will too.
    let mut unauthorized: Option<crate::core::error::Error> = None;
    for addr in status_sources(&topo) {
        if status.is_none() {
            match client
                .run_command_on(&addr, "admin", doc! { "replSetGetStatus": 1 })
                .await
            {
                Ok(st) => status = Some((addr.clone(), st)),
                // A credential the server refuses is refused by every member: exit 1 now, naming
                // user, database and mechanism (never the secret).
                Err(e @ crate::core::error::Error::Authentication { .. }) => return Err(e.into()),
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
    // Members SDAM does not monitor (hidden ones are not in hello's hosts): check each once.
    let unmonitored = unmonitored_members(
        &client.topology(),
        status.as_ref().map(|(_, d)| d),
        config.as_ref(),
    );
    let probes = probe_all(client, unmonitored).await;
    // Members' RTTs and reachability as of now (the commands above took a moment).
    let topo = client.topology();
    Ok(build_status(&StatusInput {
        topology: &topo,
        status: status.as_ref().map(|(a, d)| (a, d)),
        config: config.as_ref(),
        probes: &probes,
    }))
}

/// Probes `hosts` concurrently (each bounded by connectTimeoutMS), in their order.
async fn probe_all(client: &Client, hosts: Vec<String>) -> Vec<Probe> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, host) in hosts.into_iter().enumerate() {
        let client = client.clone();
        tasks.spawn(async move {
            let probe = match ServerAddress::parse(&host) {
                Err(e) => Probe {
                    host,
                    rtt_ms: None,
                    error: Some(e.to_string()),
                },
                Ok(addr) => match client.probe(&addr).await {
                    Ok((rtt, _)) => Probe {
                        host,
                        rtt_ms: Some(rtt),
                        error: None,
                    },
                    Err(e) => Probe {
                        host,
                        rtt_ms: None,
                        error: Some(e.to_string()),
                    },
                },
            };
            (i, probe)
        });
    }
    let mut out: Vec<(usize, Probe)> = tasks.join_all().await;
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, p)| p).collect()
}
