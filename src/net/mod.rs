//! The async half of the driver: connections (framing, handshake), per-server pools, monitors,
//! the topology worker. Built on tokio; everything protocol-level lives in `core` and `wire`.

// `Error` is large (it carries addresses and messages) but cloned into descriptions anyway;
// boxing it is a crate-wide decision for `error.rs`, not for this module.
#![allow(clippy::result_large_err)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use tokio::sync::broadcast;

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

/// Where a client's events go: two broadcasts, one with every event and one without the
/// heartbeat events (`ServerHeartbeatStarted/Succeeded/Failed`). A subscriber that only follows
/// the topology (failover-watch, stepdown) is not woken twice per heartbeat per member for events
/// it would drop, and an event nobody receives is never built. Each broadcast's ring is
/// allocated on its first subscription: a client nobody listens to holds none.
#[derive(Debug, Clone)]
pub struct EventBus {
    all: Arc<OnceLock<broadcast::Sender<TimedEvent>>>,
    topology: Arc<OnceLock<broadcast::Sender<TimedEvent>>>,
    capacity: usize,
}

/// The sender of `tx`, when it exists and someone receives from it.
fn live(tx: &OnceLock<broadcast::Sender<TimedEvent>>) -> Option<&broadcast::Sender<TimedEvent>> {
    tx.get().filter(|tx| tx.receiver_count() > 0)
}

impl EventBus {
    /// A bus whose broadcasts keep up to `capacity` events each for slow receivers.
    pub fn new(capacity: usize) -> Self {
        EventBus {
            all: Arc::default(),
            topology: Arc::default(),
            capacity,
        }
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<TimedEvent> {
        self.all
            .get_or_init(|| broadcast::channel(self.capacity).0)
            .subscribe()
    }

    /// A receiver of the events published from now on, heartbeat events left out.
    pub fn subscribe_topology(&self) -> broadcast::Receiver<TimedEvent> {
        self.topology
            .get_or_init(|| broadcast::channel(self.capacity).0)
            .subscribe()
    }

    /// The live senders an event of this kind (a heartbeat event, or another) goes to.
    fn targets(&self, heartbeat: bool) -> [Option<&broadcast::Sender<TimedEvent>>; 2] {
        let topology = if heartbeat {
            None
        } else {
            live(&self.topology)
        };
        [live(&self.all), topology]
    }

    /// Whether anyone would receive a heartbeat event (`heartbeat`) or another event.
    pub fn wanted(&self, heartbeat: bool) -> bool {
        self.targets(heartbeat).iter().any(Option::is_some)
    }

    /// Publishes the event `make` builds, stamped now, to the receivers that want it; with
    /// none, it is not built.
    pub fn publish(&self, heartbeat: bool, make: impl FnOnce() -> SdamEvent) {
        let targets = self.targets(heartbeat);
        let mut senders = targets.iter().flatten();
        let Some(first) = senders.next() else {
            return;
        };
        let timed = TimedEvent::now(make());
        debug_assert_eq!(timed.event.is_heartbeat(), heartbeat);
        for tx in senders {
            let _ = tx.send(timed.clone());
        }
        let _ = first.send(timed);
    }

    /// Publishes `event` (of either kind), stamped now.
    pub fn send(&self, event: SdamEvent) {
        let heartbeat = event.is_heartbeat();
        self.publish(heartbeat, || event);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::address::ServerAddress;

    fn heartbeat() -> SdamEvent {
        SdamEvent::ServerHeartbeatStarted {
            address: ServerAddress::parse("a:1").unwrap(),
            awaited: true,
        }
    }

    #[test]
    fn a_topology_subscriber_gets_no_heartbeat_events() {
        let bus = EventBus::new(16);
        let mut topology = bus.subscribe_topology();
        assert!(
            !bus.wanted(true),
            "heartbeats wanted by a topology-only subscriber"
        );
        let mut built = false;
        bus.publish(true, || {
            built = true;
            heartbeat()
        });
        assert!(!built, "a heartbeat event nobody receives was built");
        bus.send(SdamEvent::TopologyOpening);
        assert!(matches!(
            topology.try_recv().unwrap().event,
            SdamEvent::TopologyOpening
        ));
        assert!(topology.try_recv().is_err());

        // A subscriber of everything gets both kinds; the topology subscriber still one.
        let mut all = bus.subscribe();
        bus.send(heartbeat());
        bus.send(SdamEvent::TopologyClosed);
        assert!(all.try_recv().unwrap().event.is_heartbeat());
        assert!(matches!(
            all.try_recv().unwrap().event,
            SdamEvent::TopologyClosed
        ));
        assert!(matches!(
            topology.try_recv().unwrap().event,
            SdamEvent::TopologyClosed
        ));
        assert!(topology.try_recv().is_err());
    }

    #[test]
    fn with_no_subscriber_nothing_is_built() {
        let bus = EventBus::new(16);
        for heartbeat in [true, false] {
            assert!(!bus.wanted(heartbeat));
            bus.publish(heartbeat, || panic!("built an event nobody receives"));
        }
        let rx = bus.subscribe_topology();
        drop(rx);
        bus.publish(false, || panic!("built an event for a dropped receiver"));
    }
}
