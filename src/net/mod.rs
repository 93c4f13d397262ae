//! The async half of the driver: connections (framing, handshake), per-server pools, monitors,
//! the topology worker. Built on tokio; everything protocol-level lives in `core` and `wire`.

// `Error` is large (it carries addresses and messages) but cloned into descriptions anyway;
// boxing it is a crate-wide decision for `error.rs`, not for this module.
#![allow(clippy::result_large_err)]

pub mod connection;
pub mod pool;

pub use connection::{Connection, ConnectionOptions};
pub use pool::Pool;
