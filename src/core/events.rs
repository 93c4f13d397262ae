//! SDAM monitoring events, plus rsctl's derived primary events.
//!
//! The topology worker publishes these on a broadcast channel; `failover-watch` renders them.

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, TopologyDescription};
use crate::core::error::Error;

/// One event of the SDAM monitoring spec, or one of rsctl's derived events.
#[derive(Debug, Clone)]
pub enum SdamEvent {
    TopologyOpening,
    TopologyDescriptionChanged {
        previous: Box<TopologyDescription>,
        new: Box<TopologyDescription>,
    },
    TopologyClosed,
    ServerOpening {
        address: ServerAddress,
    },
    ServerDescriptionChanged {
        address: ServerAddress,
        previous: Box<ServerDescription>,
        new: Box<ServerDescription>,
    },
    ServerClosed {
        address: ServerAddress,
    },
    ServerHeartbeatStarted {
        address: ServerAddress,
        awaited: bool,
    },
    ServerHeartbeatSucceeded {
        address: ServerAddress,
        duration_ms: f64,
        awaited: bool,
    },
    ServerHeartbeatFailed {
        address: ServerAddress,
        duration_ms: f64,
        error: Error,
        awaited: bool,
    },
    /// Derived: the primary changed (a new primary was discovered).
    PrimaryChanged {
        previous: Option<ServerAddress>,
        new: ServerAddress,
        set_version: Option<i64>,
        election_id: Option<bson::oid::ObjectId>,
    },
    /// Derived: the topology had a primary and now has none.
    PrimaryLost {
        previous: ServerAddress,
    },
}

impl SdamEvent {
    /// Whether this is one of the server monitoring spec's heartbeat events (published by a
    /// monitor per check, not by a change of the topology).
    pub fn is_heartbeat(&self) -> bool {
        matches!(
            self,
            SdamEvent::ServerHeartbeatStarted { .. }
                | SdamEvent::ServerHeartbeatSucceeded { .. }
                | SdamEvent::ServerHeartbeatFailed { .. }
        )
    }
}
