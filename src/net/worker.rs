//! The topology worker: the one task that owns the `TopologyDescription`.
//!
//! It receives check results from the monitors, RTT samples from the RTT tasks and application
//! errors from operations; applies `TopologyDescription::apply` / `handle_application_error`;
//! clears pools; starts monitors for new hosts and stops those of removed hosts; diffs the old
//! and new descriptions and publishes the snapshot on a `watch` and the events (timestamped) on
//! a `broadcast`. It never holds a lock across an await: the shared pool map is only touched in
//! short synchronous sections.
//!
//! The cost of a check must not grow with the size of the set: most checks change nothing but
//! the checked server's RTT and times. The published snapshot always equals the worker's own
//! description as of the last message, so it doubles as the "previous" description for the diff
//! (taken back by `send_replace`, never cloned for it). When `apply` reports that only the
//! checked server's slot changed and its new description is equivalent to the published one,
//! that one slot is copied into the snapshot in place and nothing else is cloned, diffed or
//! built; RTT samples likewise update two fields in place.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tokio::sync::{mpsc, watch};

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use crate::core::error::Error;
use crate::core::events::SdamEvent;
use crate::core::sdam::{self, ErrorContext};
use crate::net::connection::ConnectionOptions;
use crate::net::monitor::{self, MonitorHandle, MonitorSettings};
use crate::net::pool::Pool;
use crate::net::{EventBus, TaskCounter};

/// The pools of the servers currently in the topology, shared with the client (read-mostly).
pub type PoolMap = Arc<RwLock<HashMap<ServerAddress, Arc<Pool>>>>;

/// What the worker is told.
#[derive(Debug)]
pub enum WorkerMsg {
    /// A monitor's check produced this description.
    Monitor(Box<ServerDescription>),
    /// The RTT task measured a new average.
    Rtt {
        address: ServerAddress,
        average_ms: f64,
        min_ms: Option<f64>,
    },
    /// An operation failed on `address`.
    AppError {
        address: ServerAddress,
        error: Error,
        /// The generation of the connection (or of the pool when the connection attempt started).
        connection_generation: u32,
        handshake_completed: bool,
        max_wire_version: i32,
        /// Answered once the error is applied and the new snapshot published, so that a retry
        /// selects on a topology that already knows about the failure.
        done: Option<tokio::sync::oneshot::Sender<()>>,
    },
    /// Server selection found nothing: check every server now.
    RequestChecks,
}

/// Everything the worker needs.
pub struct Worker {
    pub(crate) topology: TopologyDescription,
    pub(crate) rx: mpsc::UnboundedReceiver<WorkerMsg>,
    pub(crate) tx: mpsc::UnboundedSender<WorkerMsg>,
    pub(crate) snapshot: watch::Sender<TopologyDescription>,
    pub(crate) events: EventBus,
    pub(crate) pools: PoolMap,
    pub(crate) monitor_settings: MonitorSettings,
    /// Options of application connections (socketTimeoutMS, appName...).
    pub(crate) app_connection: ConnectionOptions,
    pub(crate) tasks: TaskCounter,
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Events produced while opening, published before anything else.
    pub(crate) opening_events: Vec<SdamEvent>,
    pub(crate) monitors: HashMap<ServerAddress, MonitorHandle>,
}

impl Worker {
    fn emit(&self, event: SdamEvent) {
        self.events.send(event);
    }

    /// Runs until shutdown, then stops every monitor and publishes the closing events.
    pub async fn run(mut self) {
        for e in std::mem::take(&mut self.opening_events) {
            self.emit(e);
        }
        self.sync_monitors().await;
        self.snapshot.send_replace(self.topology.clone());
        loop {
            let msg = tokio::select! {
                biased;
                r = self.shutdown.changed() => {
                    if r.is_err() || *self.shutdown.borrow() {
                        break;
                    }
                    continue;
                }
                m = self.rx.recv() => m,
            };
            let Some(msg) = msg else { break };
            self.handle(msg).await;
            // Drain whatever else is queued before publishing, so bursts publish once.
            while let Ok(m) = self.rx.try_recv() {
                self.handle(m).await;
            }
        }
        self.close().await;
    }

    async fn handle(&mut self, msg: WorkerMsg) {
        match msg {
            WorkerMsg::Monitor(sd) => {
                let address = sd.address.clone();
                let failed_network = sd.server_type == ServerType::Unknown
                    && sd.error.as_ref().is_some_and(|e| e.is_network());
                let was_present = self.topology.servers.contains_key(&address);
                let reported = sd.server_type;
                let outcome = self.topology.apply(*sd);
                if self.topology.topology_type == TopologyType::Sharded
                    && was_present
                    && !self.topology.servers.contains_key(&address)
                {
                    tracing::warn!("{address} is a {reported}, not a mongos: removed from the sharded topology (list only mongos routers in a router seed list)");
                }
                if outcome.applied && failed_network {
                    // SDAM: a network error during a check clears the server's pool.
                    if let Some(p) = self.pool(&address) {
                        p.clear();
                    }
                }
                for stale in &outcome.stale_primaries {
                    if stale.clear_pool {
                        if let Some(p) = self.pool(&stale.address) {
                            p.clear();
                        }
                    }
                    if let Some(m) = self.monitors.get(&stale.address) {
                        m.request_check();
                    }
                }
                // Servers come and go only with a change beyond this server's slot: an idle
                // set's every check skips the walk over all the servers.
                if outcome.topology_changed {
                    self.sync_monitors().await;
                }
                if outcome.applied {
                    self.publish(&address, outcome.topology_changed);
                }
            }
            WorkerMsg::Rtt {
                address,
                average_ms,
                min_ms,
            } => {
                if let Some(sd) = self.topology.servers.get_mut(&address) {
                    if sd.server_type != ServerType::Unknown {
                        sd.round_trip_time_ms = Some(average_ms);
                        sd.min_round_trip_time_ms = min_ms;
                        // The snapshot equals the description: set the same two fields there.
                        self.snapshot.send_if_modified(|t| {
                            let Some(s) = t.servers.get_mut(&address) else {
                                return false;
                            };
                            s.round_trip_time_ms = Some(average_ms);
                            s.min_round_trip_time_ms = min_ms;
                            true
                        });
                    }
                }
            }
            WorkerMsg::AppError {
                address,
                error,
                connection_generation,
                handshake_completed,
                max_wire_version,
                done,
            } => {
                // `done` is dropped (answered) on every path out of this arm.
                let _done = done;
                let Some(pool) = self.pool(&address) else {
                    return;
                };
                let ctx = ErrorContext {
                    connection_generation,
                    pool_generation: pool.generation(),
                    handshake_completed,
                    max_wire_version,
                };
                let outcome = self
                    .topology
                    .handle_application_error(&address, &error, &ctx);
                if outcome.clear_pool {
                    pool.clear();
                }
                if let Some(m) = self.monitors.get(&address) {
                    if outcome.cancel_in_progress_check {
                        m.cancel_check();
                    }
                    if outcome.request_immediate_check {
                        m.request_check();
                    }
                }
                if outcome.marked_unknown {
                    self.publish(&address, true);
                }
            }
            WorkerMsg::RequestChecks => {
                for m in self.monitors.values() {
                    m.request_check();
                }
            }
        }
    }

    fn pool(&self, address: &ServerAddress) -> Option<Arc<Pool>> {
        self.pools
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(address)
            .cloned()
    }

    /// Publishes the snapshot and the events that take the previous snapshot to the current
    /// description, once `updated`'s new description has been applied. `topology_changed` is
    /// `apply`'s word on whether anything beyond `updated`'s slot changed: when it did not and
    /// that slot's new description is equivalent to the published one, there is no event, and
    /// only that slot is copied into the snapshot.
    fn publish(&self, updated: &ServerAddress, topology_changed: bool) {
        if !topology_changed && self.publish_slot(updated) {
            return;
        }
        let previous = self.snapshot.send_replace(self.topology.clone());
        // Events nobody receives are dropped by the broadcast: then they are not built either
        // (a one-shot command such as `status` subscribes to nothing).
        if !self.events.wanted(false) {
            return;
        }
        for e in sdam::diff_for(&previous, &self.topology, updated) {
            self.emit(e);
        }
    }

    /// Copies `updated`'s slot into the snapshot when the description there is equivalent to the
    /// new one (no event to publish); false, leaving the snapshot alone, when it is not.
    fn publish_slot(&self, updated: &ServerAddress) -> bool {
        let Some(new) = self.topology.servers.get(updated) else {
            return false;
        };
        let mut done = false;
        self.snapshot.send_if_modified(|t| {
            if let Some(slot) = t.servers.get_mut(updated) {
                if slot.equivalent(new) {
                    slot.clone_from(new);
                    done = true;
                }
            }
            done
        });
        done
    }

    /// Starts monitors (and pools) for new servers, stops those of removed servers.
    async fn sync_monitors(&mut self) {
        let monitored = self.topology.topology_type != TopologyType::LoadBalanced;
        let wanted: Vec<ServerAddress> = self.topology.servers.keys().cloned().collect();
        for address in &wanted {
            if self.pool(address).is_none() {
                let pool = Pool::new(address.clone(), self.app_connection.clone());
                self.pools
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(address.clone(), Arc::clone(&pool));
                if monitored {
                    let handle = monitor::spawn(
                        address.clone(),
                        self.monitor_settings.clone(),
                        pool,
                        self.tx.clone(),
                        self.events.clone(),
                        self.tasks.clone(),
                    );
                    self.monitors.insert(address.clone(), handle);
                }
            }
        }
        let removed: Vec<ServerAddress> = self
            .monitors
            .keys()
            .filter(|a| !self.topology.servers.contains_key(*a))
            .cloned()
            .collect();
        {
            let mut pools = self.pools.write().unwrap_or_else(|p| p.into_inner());
            pools.retain(|a, _| self.topology.servers.contains_key(a));
        }
        for address in removed {
            if let Some(handle) = self.monitors.remove(&address) {
                handle.stop().await;
            }
        }
    }

    async fn close(mut self) {
        for (_, handle) in std::mem::take(&mut self.monitors) {
            handle.stop().await;
        }
        let addresses: Vec<ServerAddress> = {
            let mut pools = self.pools.write().unwrap_or_else(|p| p.into_inner());
            let a = pools.keys().cloned().collect();
            pools.clear();
            a
        };
        for address in addresses {
            self.emit(SdamEvent::ServerClosed { address });
        }
        self.emit(SdamEvent::TopologyClosed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sdam::TopologyOptions;
    use crate::net::TimedEvent;
    use bson::{doc, oid::ObjectId, Document};
    use std::time::Duration;
    use tokio::sync::broadcast;
    use tokio::sync::broadcast::error::TryRecvError;

    fn addr(s: &str) -> ServerAddress {
        ServerAddress::parse(s).unwrap()
    }

    const HOSTS: [&str; 3] = ["a:1", "b:1", "c:1"];

    fn eid(n: u8) -> ObjectId {
        let mut b = [0u8; 12];
        b[..4].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
        b[11] = n;
        ObjectId::from_bytes(b)
    }

    fn primary(term: u8) -> Document {
        doc! {"ok": 1, "isWritablePrimary": true, "setName": "rs", "hosts": HOSTS.to_vec(),
        "setVersion": 1, "electionId": eid(term), "maxWireVersion": 21}
    }

    fn secondary() -> Document {
        doc! {"ok": 1, "secondary": true, "setName": "rs", "hosts": HOSTS.to_vec(),
        "primary": "a:1", "setVersion": 1, "maxWireVersion": 21}
    }

    fn check(host: &str, reply: &Document, rtt: f64, now: i64) -> WorkerMsg {
        WorkerMsg::Monitor(Box::new(ServerDescription::from_hello(
            addr(host),
            reply,
            Some(rtt),
            now,
        )))
    }

    /// A worker over a 3-member set (a primary, two secondaries), with a pool per member already
    /// there so that no monitor is started; its snapshot and event receivers.
    fn worker() -> (
        Worker,
        watch::Receiver<TopologyDescription>,
        broadcast::Receiver<TimedEvent>,
    ) {
        let (mut topology, _) = sdam::open(
            &TopologyOptions {
                seeds: HOSTS.iter().map(|h| addr(h)).collect(),
                set_name: Some("rs".into()),
                ..Default::default()
            },
            0,
        );
        topology.update(ServerDescription::from_hello(
            addr("a:1"),
            &primary(1),
            Some(1.0),
            1,
        ));
        for h in ["b:1", "c:1"] {
            topology.update(ServerDescription::from_hello(
                addr(h),
                &secondary(),
                Some(1.0),
                1,
            ));
        }
        let (snapshot, snapshot_rx) = watch::channel(topology.clone());
        let events = EventBus::new(64);
        let events_rx = events.subscribe();
        let (tx, rx) = mpsc::unbounded_channel();
        let (_, shutdown) = watch::channel(false);
        let pools: PoolMap = Default::default();
        for h in HOSTS {
            pools
                .write()
                .unwrap()
                .insert(addr(h), Pool::new(addr(h), ConnectionOptions::default()));
        }
        let w = Worker {
            topology,
            rx,
            tx,
            snapshot,
            events,
            pools,
            monitor_settings: MonitorSettings {
                connection: ConnectionOptions::default(),
                heartbeat_frequency: Duration::from_millis(500),
                streaming_allowed: true,
            },
            app_connection: ConnectionOptions::default(),
            tasks: TaskCounter::default(),
            shutdown,
            opening_events: Vec::new(),
            monitors: HashMap::new(),
        };
        (w, snapshot_rx, events_rx)
    }

    /// Where the snapshot keeps each member's `hosts` list: a new copy of the topology would
    /// move every one of them.
    fn hosts_at(t: &TopologyDescription) -> Vec<(String, usize)> {
        t.servers
            .iter()
            .map(|(a, s)| (a.to_string(), s.hosts.as_ptr() as usize))
            .collect()
    }

    #[tokio::test]
    async fn a_check_that_changes_nothing_emits_no_event_and_copies_no_topology() {
        let (mut w, snap, mut events) = worker();
        let before = hosts_at(&snap.borrow());
        // c:1 answers as before, with another RTT and time: no event, and in the snapshot only
        // c:1's slot is new (its RTT and time are there); the other members were not copied.
        w.handle(check("c:1", &secondary(), 3.5, 50)).await;
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));
        {
            let t = snap.borrow();
            let c = &t.servers[&addr("c:1")];
            assert_eq!(
                (c.round_trip_time_ms, c.last_update_time_ms),
                (Some(3.5), 50)
            );
            let after = hosts_at(&t);
            assert_eq!(after[0], before[0], "a:1 was copied");
            assert_eq!(after[1], before[1], "b:1 was copied");
        }
        // An RTT sample sets the RTT in place, without an event either.
        w.handle(WorkerMsg::Rtt {
            address: addr("a:1"),
            average_ms: 7.25,
            min_ms: Some(0.5),
        })
        .await;
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));
        {
            let t = snap.borrow();
            let a = &t.servers[&addr("a:1")];
            assert_eq!(
                (a.round_trip_time_ms, a.min_round_trip_time_ms),
                (Some(7.25), Some(0.5))
            );
            assert_eq!(hosts_at(&t)[0], before[0]);
        }
        // The snapshot and the worker's own description still agree in full.
        assert!(sdam::diff(&snap.borrow(), &w.topology).is_empty());
        assert_eq!(
            snap.borrow().servers[&addr("a:1")].round_trip_time_ms,
            w.topology.servers[&addr("a:1")].round_trip_time_ms
        );
    }

    #[tokio::test]
    async fn a_check_that_changes_something_publishes_every_event() {
        let (mut w, snap, mut events) = worker();
        // b:1 wins an election: b changes, the old primary a:1 is invalidated, the primary
        // changes.
        let mut elected = primary(2);
        elected.insert("primary", "b:1");
        w.handle(check("b:1", &elected, 1.0, 60)).await;
        let mut kinds = Vec::new();
        while let Ok(e) = events.try_recv() {
            kinds.push(match e.event {
                SdamEvent::ServerDescriptionChanged { address, .. } => format!("sdc {address}"),
                SdamEvent::TopologyDescriptionChanged { .. } => "tdc".into(),
                SdamEvent::PrimaryChanged { previous, new, .. } => {
                    format!("primary {} -> {new}", previous.unwrap())
                }
                other => format!("{other:?}"),
            });
        }
        assert_eq!(kinds, ["sdc b:1", "tdc", "primary a:1 -> b:1"]);
        let t = snap.borrow();
        assert_eq!(t.primary().unwrap().address, addr("b:1"));
        assert_eq!(t.servers[&addr("a:1")].server_type, ServerType::Unknown);
        // Then a heartbeat that changes nothing, on the new state: no event.
        drop(t);
        w.handle(check("c:1", &secondary(), 1.0, 70)).await;
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));
    }

    #[tokio::test]
    async fn without_subscribers_changes_still_reach_the_snapshot() {
        // No receiver: no event is built, but the snapshot must still move.
        let (mut w, snap, events) = worker();
        drop(events);
        let mut elected = primary(2);
        elected.insert("primary", "c:1");
        w.handle(check("c:1", &elected, 1.0, 60)).await;
        let t = snap.borrow();
        assert_eq!(t.primary().unwrap().address, addr("c:1"));
        assert!(sdam::diff(&t, &w.topology).is_empty());
    }
}
