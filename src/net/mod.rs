//! The async half of the driver: connections (framing, handshake), per-server pools, monitors,
//! the topology worker. Built on tokio; everything protocol-level lives in `core` and `wire`.

// `Error` is large (it carries addresses and messages) but cloned into descriptions anyway;
// boxing it is a crate-wide decision for `error.rs`, not for this module.
#![allow(clippy::result_large_err)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use crate::core::events::SdamEvent;

pub mod auth;
pub mod connection;
pub mod dns;
pub mod monitor;
pub mod pool;
pub mod tls;
pub mod worker;

pub use connection::{Connection, ConnectionOptions};
pub use pool::Pool;

/// An SDAM event with the wall-clock time it was published.
#[derive(Debug, Clone)]
pub struct TimedEvent {
    pub at: SystemTime,
    pub event: SdamEvent,
}

impl TimedEvent {
    /// Stamps `event` with the current time.
    pub fn now(event: SdamEvent) -> Self {
        TimedEvent {
            at: SystemTime::now(),
            event,
        }
    }
}

/// Wall-clock milliseconds since the Unix epoch (the `now_ms` the pure core is given).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Counts the live background tasks of one client (monitors, RTT tasks, the worker), so that
/// tests can check that `shutdown()` leaves nothing behind.
#[derive(Debug, Clone, Default)]
pub struct TaskCounter(Arc<AtomicUsize>);

impl TaskCounter {
    /// A guard counting one task until dropped.
    pub fn guard(&self) -> TaskGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        TaskGuard(Arc::clone(&self.0))
    }

    /// Tasks alive right now.
    pub fn live(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Decrements its [`TaskCounter`] when dropped.
#[derive(Debug)]
pub struct TaskGuard(Arc<AtomicUsize>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
