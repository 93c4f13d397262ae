//! Server selection for the client: [`SelectedServer`] (what the selection chose and how to
//! explain it), `Client::select` waiting on topology snapshots up to serverSelectionTimeoutMS,
//! the `$readPreference` a selected server is sent, and the timeout message naming every server
//! seen.

use std::time::{Duration, Instant};

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use crate::core::error::{Error, Result};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::selection::{self, Criteria, Selection, SelectionSettings};

use super::Client;

/// The server selection chose, with what is needed to explain the choice.
#[derive(Debug, Clone)]
pub struct SelectedServer {
    pub address: ServerAddress,
    pub description: ServerDescription,
    /// The topology snapshot the selection ran on.
    pub topology: TopologyDescription,
    /// What was asked for.
    pub criteria: Criteria,
    /// Servers left out because an earlier attempt of the same operation failed on them.
    pub deprioritized: Vec<ServerAddress>,
    /// `Selection::explain()` of the selection that chose it (one line per server).
    pub explain: String,
    /// localThresholdMS and heartbeatFrequencyMS the selection used.
    pub settings: SelectionSettings,
}

impl SelectedServer {
    /// The `$readPreference` a read on this server sends (None: none is sent). Through a mongos
    /// every non-primary mode is sent, secondaryPreferred included (OP_MSG has no secondaryOk).
    pub fn read_preference_sent(&self) -> Option<ReadPreference> {
        read_preference_for(self, &self.criteria)
    }

    /// The selection that chose this server, recomputed on the same snapshot (selection is pure,
    /// so this is exactly the selection that was made; only the random pick is not replayed).
    pub fn selection(&self) -> Result<Selection<'_>> {
        selection::select_suitable(
            &self.topology,
            &self.criteria,
            &self.settings,
            &self.deprioritized,
        )
    }
}

impl Client {
    /// Selects a server for `criteria`, waiting up to serverSelectionTimeoutMS.
    pub async fn select(&self, criteria: &Criteria) -> Result<SelectedServer> {
        self.select_with(criteria, &[]).await
    }

    pub(super) async fn select_with(
        &self,
        criteria: &Criteria,
        deprioritized: &[ServerAddress],
    ) -> Result<SelectedServer> {
        if let Criteria::Read(rp) = criteria {
            selection::validate(rp, &self.shared.settings)?;
        }
        let timeout = self.shared.options.server_selection_timeout;
        let started = Instant::now();
        let deadline = started + timeout;
        let mut rx = self.shared.snapshot.clone();
        loop {
            if self.is_shut_down() {
                return Err(Error::Shutdown);
            }
            let topology = rx.borrow_and_update().clone();
            let last_explain;
            {
                let sel = selection::select_suitable(
                    &topology,
                    criteria,
                    &self.shared.settings,
                    deprioritized,
                )?;
                let chosen = {
                    let mut rng = self.shared.rng.lock().unwrap_or_else(|p| p.into_inner());
                    selection::pick(
                        &sel.in_window,
                        |a| self.pool(a).map(|p| p.in_use() as u64).unwrap_or(0),
                        &mut *rng,
                    )
                };
                if let Some(address) = chosen {
                    let explain = sel.explain();
                    drop(sel);
                    let description = topology.servers.get(&address).cloned().ok_or_else(|| {
                        Error::internal(format!("selected {address} is not in the topology"))
                    })?;
                    return Ok(SelectedServer {
                        address,
                        description,
                        topology,
                        criteria: criteria.clone(),
                        deprioritized: deprioritized.to_vec(),
                        explain,
                        settings: self.shared.settings,
                    });
                }
                last_explain = sel.explain();
            }
            self.request_checks();
            let now = Instant::now();
            let timed_out = || Error::ServerSelection {
                message: selection_timeout_message(
                    criteria,
                    &topology,
                    &last_explain,
                    started.elapsed(),
                ),
            };
            if now >= deadline {
                return Err(timed_out());
            }
            match tokio::time::timeout(deadline - now, rx.changed()).await {
                Err(_) => return Err(timed_out()),
                Ok(Err(_)) => return Err(Error::Shutdown),
                Ok(Ok(())) => {}
            }
        }
    }
}

/// The `$readPreference` to send, per the server-selection spec's rules for OP_MSG.
pub(super) fn read_preference_for(
    sel: &SelectedServer,
    criteria: &Criteria,
) -> Option<ReadPreference> {
    let server_type = sel.description.server_type;
    match (sel.topology.topology_type, criteria) {
        // A direct connection to one member: let it answer whatever its state.
        (TopologyType::Single, Criteria::Read(_)) if server_type != ServerType::Mongos => {
            Some(ReadPreference::new(ReadPreferenceMode::PrimaryPreferred))
        }
        (_, Criteria::Read(rp)) if rp.mode != ReadPreferenceMode::Primary => Some(rp.clone()),
        _ => None,
    }
}

/// The server-selection timeout message: the criteria, then every server seen (type, RTT, last
/// error), like the official drivers print.
fn selection_timeout_message(
    criteria: &Criteria,
    topology: &TopologyDescription,
    explain: &str,
    waited: Duration,
) -> String {
    use std::fmt::Write;
    let mut m = format!(
        "No server matches the selector ({criteria}) after {} ms. Topology Description: <TopologyDescription type: {}",
        waited.as_millis(),
        topology.topology_type
    );
    if let Some(name) = &topology.set_name {
        let _ = write!(m, ", set name: {name}");
    }
    m.push_str(", servers: [");
    for (i, s) in topology.servers.values().enumerate() {
        if i > 0 {
            m.push_str(", ");
        }
        let _ = write!(m, "<{} type: {}, rtt: ", s.address, s.server_type);
        match s.round_trip_time_ms {
            Some(r) => {
                let _ = write!(m, "{r:.1} ms");
            }
            None => m.push_str("none"),
        }
        match &s.error {
            Some(e) => {
                let _ = write!(m, ", error: {e}>");
            }
            None => m.push('>'),
        }
    }
    m.push_str("]>");
    if !explain.is_empty() {
        m.push_str("\nWhy each server was not chosen:\n");
        m.push_str(explain.trim_end());
    }
    m
}
