//! The async half of the driver: connections (framing, handshake), monitors, the topology
//! worker. Built on tokio; everything protocol-level lives in `core` and `wire`.
