//! Opening a [`Client`] for a command: connection string + global flags -> `ClientOptions`, and
//! waiting until the deployment is discovered well enough to report on it.

use std::time::Duration;

use crate::client::{Client, ClientOptions};
use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::selection::Criteria;
use crate::core::uri::ConnectionString;

use super::Context;

/// Client options from the global flags (`--uri`, `-s`, `--direct`, timeouts).
pub fn options(ctx: &Context) -> anyhow::Result<ClientOptions> {
    let cs = super::args::connection_string(&ctx.global)?;
    Ok(options_from(&cs))
}

/// Client options from a connection string (the global overrides already applied).
pub fn options_from(cs: &ConnectionString) -> ClientOptions {
    let mut o = ClientOptions::from_connection_string(cs);
    if o.app_name.is_none() {
        o.app_name = Some("rsctl".into());
    }
    o
}

/// Client options for explicit seeds (used after `initiate`), with the global overrides.
pub fn options_for_seeds(
    ctx: &Context,
    seeds: &[ServerAddress],
    set: Option<&str>,
) -> ClientOptions {
    let mut cs = ConnectionString {
        hosts: seeds.to_vec(),
        replica_set: set.map(str::to_string),
        ..Default::default()
    };
    super::args::apply_overrides(&mut cs, &ctx.global);
    options_from(&cs)
}

/// Connects (returns at once; monitors run in the background).
pub async fn connect(options: ClientOptions) -> anyhow::Result<Client> {
    Ok(Client::connect(options).await?)
}

/// Waits until some member answers (any type; exit 3 with the topology after the selection
/// timeout), then until every known member has been checked once, for at most `settle`.
pub async fn discover(client: &Client, settle: Duration) -> anyhow::Result<TopologyDescription> {
    let any = Criteria::Read(ReadPreference::new(ReadPreferenceMode::Nearest));
    let first = client.select(&any).await;
    if let Err(e) = first {
        // Nothing readable: an initiated set may still have arbiters or ghosts only; report it.
        let topo = client.topology();
        let usable = topo.servers.values().any(|s| {
            !matches!(
                s.server_type,
                ServerType::Unknown | ServerType::PossiblePrimary
            )
        });
        if !usable {
            return Err(e.into());
        }
    }
    Ok(settle_for(client, settle).await)
}

/// Waits until every known member has been checked once (see [`all_checked`]), for at most `max`;
/// returns the topology then.
pub async fn settle_for(client: &Client, max: Duration) -> TopologyDescription {
    let mut rx = client.watch();
    let deadline = tokio::time::Instant::now() + max;
    loop {
        let topo = rx.borrow_and_update().clone();
        if all_checked(&topo)
            && topo.topology_type != crate::core::description::TopologyType::Unknown
        {
            return topo;
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            _ => return client.topology(),
        }
    }
}

/// How long commands wait for every member's first check before acting (bounded by the server
/// selection timeout).
pub fn settle_time(client: &Client) -> Duration {
    client
        .options()
        .server_selection_timeout
        .min(Duration::from_secs(2))
}

/// Every server of the topology has been checked at least once (or failed).
pub fn all_checked(topo: &TopologyDescription) -> bool {
    topo.servers.values().all(|s| {
        !matches!(
            s.server_type,
            ServerType::Unknown | ServerType::PossiblePrimary
        ) || s.error.is_some()
    })
}
