//! Values the CLI's unit tests share (compiled for tests only).

use std::collections::BTreeMap;

use crate::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};

/// A replica set `rs0` (setVersion 1) made of `servers`: ReplicaSetWithPrimary when one of them
/// is an RSPrimary, ReplicaSetNoPrimary otherwise.
pub fn rs_topology(servers: Vec<ServerDescription>) -> TopologyDescription {
    let primary = servers
        .iter()
        .any(|s| s.server_type == ServerType::RSPrimary);
    let servers: BTreeMap<_, _> = servers
        .into_iter()
        .map(|s| (s.address.clone(), s))
        .collect();
    TopologyDescription {
        topology_type: if primary {
            TopologyType::ReplicaSetWithPrimary
        } else {
            TopologyType::ReplicaSetNoPrimary
        },
        set_name: Some("rs0".into()),
        max_set_version: Some(1),
        max_election_id: None,
        servers,
        compatible: true,
        compatibility_error: None,
        logical_session_timeout_minutes: None,
        ..Default::default()
    }
}
