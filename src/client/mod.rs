//! The client API every command uses: connect, topology snapshots, events, selection,
//! `run_command`, `find` with a cursor, and `shutdown`.
//!
//! `Client::connect` opens the topology (`core::sdam::open`), spawns the topology worker (which
//! spawns one monitor per server) and returns at once. Operations select a server on the latest
//! snapshot, waiting for changes (and requesting immediate checks) up to
//! serverSelectionTimeoutMS; their errors go back to the worker for SDAM error handling. Reads
//! are retried once on a new selection after a retryable error (retryReads).

// See `net/mod.rs`: the error type's size is a crate-wide matter.
#![allow(clippy::result_large_err)]

mod cursor;
mod options;
mod select;

pub use cursor::{Cursor, RawBatch};
pub use options::{
    ClientOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_HEARTBEAT_FREQUENCY, DEFAULT_LOCAL_THRESHOLD,
    DEFAULT_SERVER_SELECTION_TIMEOUT,
};
use select::read_preference_for;
pub use select::SelectedServer;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bson::{doc, Document, RawDocumentBuf};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription, TopologyType};
use crate::core::error::{Error, Result};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::sdam::{self, TopologyOptions};
use crate::core::selection::{Criteria, SelectionSettings};
use crate::core::uri::ServerMonitoringMode;
use crate::net::connection::ConnectionOptions;
use crate::net::monitor::{MonitorSettings, MIN_HEARTBEAT_FREQUENCY};
use crate::net::pool::{Pool, PooledConnection};
use crate::net::worker::{PoolMap, Worker, WorkerMsg};
use crate::net::{now_ms, EventBus, TaskCounter};

pub use crate::net::TimedEvent;

/// A command's reply and who served it.
#[derive(Debug, Clone)]
pub struct CommandResponse {
    pub reply: Document,
    pub server: ServerAddress,
    pub server_type: ServerType,
    /// The operation failed once and succeeded on a second selection.
    pub retried: bool,
}

/// Options of `find`.
#[derive(Debug, Clone, Default)]
pub struct FindOptions {
    pub filter: Option<Document>,
    pub projection: Option<Document>,
    pub sort: Option<Document>,
    pub limit: Option<i64>,
    pub skip: Option<i64>,
    pub batch_size: Option<i32>,
}

struct Shared {
    options: ClientOptions,
    settings: SelectionSettings,
    to_worker: mpsc::UnboundedSender<WorkerMsg>,
    snapshot: watch::Receiver<TopologyDescription>,
    events: EventBus,
    pools: PoolMap,
    tasks: TaskCounter,
    shutdown: watch::Sender<bool>,
    worker: Mutex<Option<JoinHandle<()>>>,
    rng: Mutex<SmallRng>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The last handle is gone: the worker sees the flag, stops every monitor and exits.
        let _ = self.shutdown.send(true);
    }
}

/// A handle on a monitored deployment. Cheap to clone; dropping the last clone stops every
/// background task.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("hosts", &self.shared.options.hosts)
            .finish()
    }
}

/// Commands the retryable-reads spec retries.
const RETRYABLE_READ_COMMANDS: &[&str] = &[
    "find",
    "aggregate",
    "distinct",
    "count",
    "listDatabases",
    "listCollections",
    "listIndexes",
];

impl Client {
    /// Opens the topology and spawns the worker and monitors; returns at once.
    pub async fn connect(options: ClientOptions) -> Result<Client> {
        if options.hosts.is_empty() {
            return Err(Error::invalid("the seed list is empty"));
        }
        if options.direct_connection == Some(true) && options.hosts.len() > 1 {
            return Err(Error::invalid(
                "directConnection=true needs exactly one host in the seed list",
            ));
        }
        if let Some(c) = options
            .credential
            .as_ref()
            .filter(|c| crate::core::auth::x509::is_x509(c))
        {
            crate::core::auth::x509::check_requirements(
                c,
                options.tls.is_some(),
                options
                    .tls
                    .as_ref()
                    .is_some_and(|t| t.has_client_certificate()),
            )?;
        }
        let mut options = options;
        options.heartbeat_frequency = options.heartbeat_frequency.max(MIN_HEARTBEAT_FREQUENCY);
        let topts = TopologyOptions {
            seeds: options.hosts.clone(),
            set_name: options.replica_set.clone(),
            direct_connection: options.direct_connection,
            load_balanced: options.load_balanced,
        };
        let (topology, opening_events) = sdam::open(&topts, now_ms());
        let (snapshot_tx, snapshot_rx) = watch::channel(topology.clone());
        let events_tx = EventBus::new(4096);
        let (to_worker, rx) = mpsc::unbounded_channel();
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let pools: PoolMap = Default::default();
        let tasks = TaskCounter::default();
        let connection = ConnectionOptions {
            connect_timeout: options.connect_timeout,
            socket_timeout: None,
            app_name: options.app_name.clone(),
            load_balanced: options.load_balanced,
            credential: None,
            tls: options.tls.clone(),
            host_resolver: options.host_resolver.clone(),
            caches: options.caches.clone(),
        };
        let monitor_settings = MonitorSettings {
            connection: connection.clone(),
            heartbeat_frequency: options.heartbeat_frequency,
            streaming_allowed: options.server_monitoring_mode != ServerMonitoringMode::Poll,
        };
        let app_connection = ConnectionOptions {
            socket_timeout: options.socket_timeout,
            credential: options.credential.clone(),
            ..connection
        };
        let worker = Worker {
            topology,
            rx,
            tx: to_worker.clone(),
            snapshot: snapshot_tx,
            events: events_tx.clone(),
            pools: Arc::clone(&pools),
            monitor_settings,
            app_connection,
            tasks: tasks.clone(),
            shutdown: shutdown_rx,
            opening_events,
            monitors: Default::default(),
        };
        let guard = tasks.guard();
        let join = tokio::spawn(async move {
            let _guard = guard;
            worker.run().await;
        });
        let settings = options.selection_settings();
        Ok(Client {
            shared: Arc::new(Shared {
                options,
                settings,
                to_worker,
                snapshot: snapshot_rx,
                events: events_tx,
                pools,
                tasks,
                shutdown: shutdown_tx,
                worker: Mutex::new(Some(join)),
                rng: Mutex::new(SmallRng::from_entropy()),
            }),
        })
    }

    /// The current topology snapshot.
    pub fn topology(&self) -> TopologyDescription {
        self.shared.snapshot.borrow().clone()
    }

    /// A receiver of every new topology snapshot.
    pub fn watch(&self) -> watch::Receiver<TopologyDescription> {
        self.shared.snapshot.clone()
    }

    /// A receiver of the SDAM events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<TimedEvent> {
        self.shared.events.subscribe()
    }

    /// A receiver of the SDAM events published from now on, without the heartbeat events: for
    /// a subscriber that follows the topology, which then is not woken for every check.
    pub fn subscribe_topology(&self) -> broadcast::Receiver<TimedEvent> {
        self.shared.events.subscribe_topology()
    }

    /// The options the client runs with.
    pub fn options(&self) -> &ClientOptions {
        &self.shared.options
    }

    /// Background tasks (worker, monitors, RTT tasks) alive right now.
    pub fn live_tasks(&self) -> usize {
        self.shared.tasks.live()
    }

    /// Connections to `address` checked out of this client's pool right now: how many operations
    /// are running on that server (0 when it has no pool yet).
    pub fn connections_in_use(&self, address: &ServerAddress) -> usize {
        self.pool(address).map_or(0, |p| p.in_use())
    }

    /// The counter of this client's background tasks (it outlives the client, for checks that
    /// `shutdown()` or dropping the last handle leaves nothing behind).
    pub fn task_counter(&self) -> TaskCounter {
        self.shared.tasks.clone()
    }

    fn is_shut_down(&self) -> bool {
        *self.shared.shutdown.borrow()
    }

    fn pool(&self, address: &ServerAddress) -> Option<Arc<Pool>> {
        self.shared
            .pools
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(address)
            .cloned()
    }

    /// Asks every monitor for an immediate check (each still waits minHeartbeatFrequencyMS
    /// after its previous one).
    pub fn request_checks(&self) {
        let _ = self.shared.to_worker.send(WorkerMsg::RequestChecks);
    }

    /// Hands an operation's error to the worker (SDAM error handling) and waits until it has been
    /// applied, so that a retry selects on a topology that knows about it.
    async fn report(
        &self,
        address: &ServerAddress,
        error: &Error,
        generation: u32,
        handshake_completed: bool,
        max_wire: i32,
    ) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = self.shared.to_worker.send(WorkerMsg::AppError {
            address: address.clone(),
            error: error.clone(),
            connection_generation: generation,
            handshake_completed,
            max_wire_version: max_wire,
            done: Some(tx),
        });
        if sent.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(2), rx).await;
        }
    }

    /// Runs `cmd` on `address` with the given `$readPreference`, reporting failures to the worker.
    async fn execute(
        &self,
        address: &ServerAddress,
        db: &str,
        cmd: Document,
        read_preference: Option<&ReadPreference>,
    ) -> Result<Document> {
        let mut conn = self.checkout(address).await?;
        let reply = conn.run(db, cmd, read_preference).await;
        self.settle(address, conn, reply).await
    }

    /// [`Client::execute`] with the reply left as raw BSON (cursor replies).
    async fn execute_raw(
        &self,
        address: &ServerAddress,
        db: &str,
        cmd: Document,
        read_preference: Option<&ReadPreference>,
    ) -> Result<RawDocumentBuf> {
        let mut conn = self.checkout(address).await?;
        let reply = conn.run_raw(db, cmd, read_preference).await;
        self.settle(address, conn, reply).await
    }

    /// A pooled connection to `address`; a failure to get one is reported to the worker.
    async fn checkout(&self, address: &ServerAddress) -> Result<PooledConnection> {
        let pool = self.pool(address).ok_or_else(|| {
            Error::internal(format!("{address} is no longer part of the topology"))
        })?;
        match pool.checkout().await {
            Ok(c) => Ok(c),
            Err(ce) => {
                self.report(address, &ce.error, ce.generation, false, 0)
                    .await;
                Err(ce.error)
            }
        }
    }

    /// Passes a command's outcome through; an error is reported to the worker (with the
    /// connection's generation and wire version) after the connection is dropped.
    async fn settle<T>(
        &self,
        address: &ServerAddress,
        conn: PooledConnection,
        reply: Result<T>,
    ) -> Result<T> {
        match reply {
            Ok(r) => Ok(r),
            Err(e) => {
                let (generation, max_wire) = (conn.generation(), conn.max_wire_version());
                drop(conn);
                self.report(address, &e, generation, true, max_wire).await;
                Err(e)
            }
        }
    }

    /// Runs a command on a server selected for `criteria`; reads of the retryable kinds are
    /// retried once on a new selection after a retryable error (retryReads).
    pub async fn run_command(
        &self,
        db: &str,
        cmd: Document,
        criteria: &Criteria,
    ) -> Result<CommandResponse> {
        let name = cmd.keys().next().cloned().unwrap_or_default();
        let retryable = matches!(criteria, Criteria::Read(_))
            && self.shared.options.retry_reads
            && RETRYABLE_READ_COMMANDS.contains(&name.as_str());
        let (sel, reply, retried) = self.run_selected(db, cmd, criteria, retryable).await?;
        Ok(CommandResponse {
            reply,
            server: sel.address,
            server_type: sel.description.server_type,
            retried,
        })
    }

    async fn run_selected(
        &self,
        db: &str,
        cmd: Document,
        criteria: &Criteria,
        retryable: bool,
    ) -> Result<(SelectedServer, Document, bool)> {
        self.run_selected_with(cmd, criteria, retryable, |address, cmd, rp| async move {
            self.execute(&address, db, cmd, rp.as_ref()).await
        })
        .await
    }

    /// Selects a server and runs `exec` there; on a retryable error (when `retryable`), once more
    /// on a new selection.
    async fn run_selected_with<T, F, Fut>(
        &self,
        cmd: Document,
        criteria: &Criteria,
        retryable: bool,
        exec: F,
    ) -> Result<(SelectedServer, T, bool)>
    where
        F: Fn(ServerAddress, Document, Option<ReadPreference>) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let sel = self.select(criteria).await?;
        let rp = read_preference_for(&sel, criteria);
        match exec(sel.address.clone(), cmd.clone(), rp).await {
            Ok(reply) => Ok((sel, reply, false)),
            Err(e) if retryable && e.is_retryable_read() => {
                // One retry on a new selection; the first error wins if no server is found.
                let deprioritized = if sel.topology.topology_type == TopologyType::Sharded {
                    vec![sel.address.clone()]
                } else {
                    Vec::new()
                };
                let sel2 = match self.select_with(criteria, &deprioritized).await {
                    Ok(s) => s,
                    Err(_) => return Err(e),
                };
                let rp2 = read_preference_for(&sel2, criteria);
                let reply = exec(sel2.address.clone(), cmd, rp2).await?;
                Ok((sel2, reply, true))
            }
            Err(e) => Err(e),
        }
    }

    /// Runs a command on one specific member, whatever its type (`status` asks each member).
    pub async fn run_command_on(
        &self,
        address: &ServerAddress,
        db: &str,
        cmd: Document,
    ) -> Result<Document> {
        let topology = self.topology();
        let server_type = topology
            .servers
            .get(address)
            .map(|s| s.server_type)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{address} is not a member of the monitored topology"
                ))
            })?;
        let rp = (server_type != ServerType::Mongos && server_type != ServerType::LoadBalancer)
            .then(|| ReadPreference::new(ReadPreferenceMode::PrimaryPreferred));
        self.execute(address, db, cmd, rp.as_ref()).await
    }

    /// Inserts one document with the given write concern (empty = server default). Never
    /// retried; every error is reported.
    pub async fn insert_one(
        &self,
        db: &str,
        coll: &str,
        doc: Document,
        write_concern: Document,
    ) -> Result<CommandResponse> {
        let mut cmd = doc! { "insert": coll, "documents": [doc] };
        if !write_concern.is_empty() {
            cmd.insert("writeConcern", write_concern);
        }
        self.run_command(db, cmd, &Criteria::Write).await
    }

    /// Checks a server the monitors do not watch (a hidden member, say) once, directly: opens a
    /// connection as a monitor would (no credentials: monitoring never authenticates), sends
    /// the handshake `hello`, closes. Returns the hello round trip in ms and the reply. Bounded
    /// by connectTimeoutMS.
    pub async fn probe(&self, address: &ServerAddress) -> Result<(f64, Document)> {
        let o = &self.shared.options;
        let options = ConnectionOptions {
            connect_timeout: o.connect_timeout,
            socket_timeout: Some(o.connect_timeout),
            app_name: o.app_name.clone(),
            load_balanced: false,
            credential: None,
            tls: o.tls.clone(),
            host_resolver: o.host_resolver.clone(),
            caches: o.caches.clone(),
        };
        let (_conn, hs) =
            crate::net::connection::Connection::connect(address, &options, 0, true).await?;
        Ok((hs.rtt_ms, hs.reply))
    }

    /// Stops every monitor and the worker, and waits until they are gone.
    pub async fn shutdown(self) {
        let _ = self.shared.shutdown.send(true);
        let join = self
            .shared
            .worker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(join) = join {
            let _ = join.await;
        }
    }
}
