//! The topology worker: the one task that owns the `TopologyDescription`.
//!
//! It receives check results from the monitors, RTT samples from the RTT tasks and application
//! errors from operations; applies `TopologyDescription::apply` / `handle_application_error`;
//! clears pools; starts monitors for new hosts and stops those of removed hosts; diffs the old
//! and new descriptions and publishes the snapshot on a `watch` and the events (timestamped) on
//! a `broadcast`. It never holds a lock across an await: the shared pool map is only touched in
//! short synchronous sections.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tokio::sync::{broadcast, mpsc, watch};

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use crate::core::error::Error;
use crate::core::events::SdamEvent;
use crate::core::sdam::{self, ErrorContext};
use crate::net::connection::ConnectionOptions;
use crate::net::monitor::{self, MonitorHandle, MonitorSettings};
use crate::net::pool::Pool;
use crate::net::{TaskCounter, TimedEvent};

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
    pub(crate) events: broadcast::Sender<TimedEvent>,
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
        let _ = self.events.send(TimedEvent::now(event));
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
                let previous = self.topology.clone();
                let reported = sd.server_type;
                let outcome = self.topology.apply(*sd);
                if self.topology.topology_type == TopologyType::Sharded
                    && previous.servers.contains_key(&address)
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
                self.sync_monitors().await;
                self.publish(&previous, &address);
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
                        self.snapshot.send_replace(self.topology.clone());
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
                let previous = self.topology.clone();
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
                    self.publish(&previous, &address);
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

    /// Publishes the snapshot and the events that take `previous` to the current description,
    /// once `updated`'s new description has been applied.
    fn publish(&self, previous: &TopologyDescription, updated: &ServerAddress) {
        let events = sdam::diff_for(previous, &self.topology, updated);
        self.snapshot.send_replace(self.topology.clone());
        for e in events {
            self.emit(e);
        }
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
