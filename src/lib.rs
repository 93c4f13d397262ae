//! rsctl: operate MongoDB replica sets.
//!
//! The crate is a small MongoDB driver library plus the `rsctl` command-line tool built on it.
//! Layers (data flows downward, nothing imports upward; the map is in docs/architecture.md):
//!
//! - [`cli`]: clap arguments, one module per command, table/JSON rendering.
//! - [`client`]: the public client API (connect, select, run_command, find).
//! - [`net`]: tokio connections, monitors and the topology worker.
//! - [`core`]: pure, synchronous driver logic (connection strings, SDAM, server selection).
//! - [`wire`]: pure byte codecs for the MongoDB wire protocol.
//! - [`lab`]: a wire-compatible replica-set simulator with fault injection.

// `Error` is a cloneable value stored in ServerDescription (the last error seen), so it is kept
// unboxed even though some variants are large.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod client;
pub mod core;
pub mod lab;
pub mod net;
pub mod wire;

/// The library's error type lives in [`core::error`]; `rsctl::error` keeps naming it for callers.
pub use crate::core::error;
pub use crate::core::error::{Error, Result};
