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

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bson::{doc, Document, RawBsonRef, RawDocument, RawDocumentBuf};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use crate::core::error::{Error, Result};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::sdam::{self, TopologyOptions};
use crate::core::selection::{self, Criteria, Selection, SelectionSettings};
use crate::core::uri::{ConnectionString, ServerMonitoringMode};
use crate::net::connection::{ConnectionCaches, ConnectionOptions};
use crate::net::monitor::{MonitorSettings, MIN_HEARTBEAT_FREQUENCY};
use crate::net::pool::{Pool, PooledConnection};
use crate::net::worker::{PoolMap, Worker, WorkerMsg};
use crate::net::{now_ms, TaskCounter};

pub use crate::net::TimedEvent;

/// Default heartbeatFrequencyMS.
pub const DEFAULT_HEARTBEAT_FREQUENCY: Duration = Duration::from_secs(10);
/// Default localThresholdMS.
pub const DEFAULT_LOCAL_THRESHOLD: Duration = Duration::from_millis(15);
/// Default serverSelectionTimeoutMS.
pub const DEFAULT_SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connectTimeoutMS.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Client settings (the parts of a connection string the driver uses).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub hosts: Vec<ServerAddress>,
    pub replica_set: Option<String>,
    pub direct_connection: Option<bool>,
    pub load_balanced: bool,
    pub app_name: Option<String>,
    pub heartbeat_frequency: Duration,
    pub local_threshold: Duration,
    pub server_selection_timeout: Duration,
    pub connect_timeout: Duration,
    pub socket_timeout: Option<Duration>,
    pub server_monitoring_mode: ServerMonitoringMode,
    pub retry_reads: bool,
    pub read_preference: ReadPreference,
    /// Application connections authenticate with it (monitoring connections never do).
    pub credential: Option<crate::core::uri::Credential>,
    /// TLS for every connection (monitors included); `None` = plain TCP.
    pub tls: Option<crate::net::tls::TlsOptions>,
    /// Resolve member host names through this resolver first (`--dns-server`), the system
    /// resolver answering for the names it does not know; `None` = the system resolver only.
    pub host_resolver: Option<Arc<crate::net::dns::HickoryDns>>,
    /// TLS configurations and SCRAM keys built once and shared by the client's connections
    /// (and by the clients of options cloned from these).
    pub caches: ConnectionCaches,
}

impl ClientOptions {
    /// Defaults of the specs for the given seed list.
    pub fn new(hosts: Vec<ServerAddress>) -> Self {
        ClientOptions {
            hosts,
            replica_set: None,
            direct_connection: None,
            load_balanced: false,
            app_name: None,
            heartbeat_frequency: DEFAULT_HEARTBEAT_FREQUENCY,
            local_threshold: DEFAULT_LOCAL_THRESHOLD,
            server_selection_timeout: DEFAULT_SERVER_SELECTION_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            socket_timeout: None,
            server_monitoring_mode: ServerMonitoringMode::default(),
            retry_reads: true,
            read_preference: ReadPreference::primary(),
            credential: None,
            tls: None,
            host_resolver: None,
            caches: ConnectionCaches::default(),
        }
    }

    /// Options from a parsed connection string (unset options take the defaults).
    pub fn from_connection_string(cs: &ConnectionString) -> Self {
        let mut o = ClientOptions::new(cs.hosts.clone());
        o.replica_set = cs.replica_set.clone();
        o.direct_connection = cs.direct_connection;
        o.load_balanced = cs.load_balanced.unwrap_or(false);
        o.app_name = cs.app_name.clone();
        o.credential = cs.credential.clone();
        o.tls = crate::net::tls::TlsOptions::from_connection_string(cs);
        if let Some(v) = cs.heartbeat_frequency {
            o.heartbeat_frequency = v;
        }
        if let Some(v) = cs.local_threshold {
            o.local_threshold = v;
        }
        if let Some(v) = cs.server_selection_timeout {
            o.server_selection_timeout = v;
        }
        if let Some(v) = cs.connect_timeout {
            // connectTimeoutMS=0 means "no timeout": use a day.
            o.connect_timeout = if v.is_zero() {
                Duration::from_secs(86_400)
            } else {
                v
            };
        }
        o.socket_timeout = cs.socket_timeout.filter(|d| !d.is_zero());
        if let Some(m) = cs.server_monitoring_mode {
            o.server_monitoring_mode = m;
        }
        if let Some(r) = cs.retry_reads {
            o.retry_reads = r;
        }
        if let Some(rp) = &cs.read_preference {
            o.read_preference = rp.clone();
        }
        o
    }

    fn selection_settings(&self) -> SelectionSettings {
        SelectionSettings {
            local_threshold_ms: self.local_threshold.as_secs_f64() * 1000.0,
            heartbeat_frequency_ms: self.heartbeat_frequency.as_secs_f64() * 1000.0,
        }
    }
}

/// The server selection chose, with what is needed to explain the choice.
#[derive(Debug, Clone)]
pub struct SelectedServer {
    pub address: ServerAddress,
    pub description: ServerDescription,
    /// The topology snapshot the selection ran on.
    pub topology: TopologyDescription,
    /// What was asked for.
    pub criteria: Criteria,
    /// Servers left out because an earlier attempt of the same operation failed on them.
    pub deprioritized: Vec<ServerAddress>,
    /// `Selection::explain()` of the selection that chose it (one line per server).
    pub explain: String,
    /// localThresholdMS and heartbeatFrequencyMS the selection used.
    pub settings: SelectionSettings,
}

impl SelectedServer {
    /// The `$readPreference` a read on this server sends (None: none is sent). Through a mongos
    /// every non-primary mode is sent, secondaryPreferred included (OP_MSG has no secondaryOk).
    pub fn read_preference_sent(&self) -> Option<ReadPreference> {
        read_preference_for(self, &self.criteria)
    }

    /// The selection that chose this server, recomputed on the same snapshot (selection is pure,
    /// so this is exactly the selection that was made; only the random pick is not replayed).
    pub fn selection(&self) -> Result<Selection<'_>> {
        selection::select_suitable(
            &self.topology,
            &self.criteria,
            &self.settings,
            &self.deprioritized,
        )
    }
}

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
    events: broadcast::Sender<TimedEvent>,
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
        let (events_tx, _) = broadcast::channel(4096);
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

    /// The options the client runs with.
    pub fn options(&self) -> &ClientOptions {
        &self.shared.options
    }

    /// Background tasks (worker, monitors, RTT tasks) alive right now.
    pub fn live_tasks(&self) -> usize {
        self.shared.tasks.live()
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

    /// Selects a server for `criteria`, waiting up to serverSelectionTimeoutMS.
    pub async fn select(&self, criteria: &Criteria) -> Result<SelectedServer> {
        self.select_with(criteria, &[]).await
    }

    async fn select_with(
        &self,
        criteria: &Criteria,
        deprioritized: &[ServerAddress],
    ) -> Result<SelectedServer> {
        if let Criteria::Read(rp) = criteria {
            selection::validate(rp, &self.shared.settings)?;
        }
        let timeout = self.shared.options.server_selection_timeout;
        let started = Instant::now();
        let deadline = started + timeout;
        let mut rx = self.shared.snapshot.clone();
        loop {
            if self.is_shut_down() {
                return Err(Error::Shutdown);
            }
            let topology = rx.borrow_and_update().clone();
            let last_explain;
            {
                let sel = selection::select_suitable(
                    &topology,
                    criteria,
                    &self.shared.settings,
                    deprioritized,
                )?;
                let chosen = {
                    let mut rng = self.shared.rng.lock().unwrap_or_else(|p| p.into_inner());
                    selection::pick(
                        &sel.in_window,
                        |a| self.pool(a).map(|p| p.in_use() as u64).unwrap_or(0),
                        &mut *rng,
                    )
                };
                if let Some(address) = chosen {
                    let explain = sel.explain();
                    drop(sel);
                    let description = topology.servers.get(&address).cloned().ok_or_else(|| {
                        Error::internal(format!("selected {address} is not in the topology"))
                    })?;
                    return Ok(SelectedServer {
                        address,
                        description,
                        topology,
                        criteria: criteria.clone(),
                        deprioritized: deprioritized.to_vec(),
                        explain,
                        settings: self.shared.settings,
                    });
                }
                last_explain = sel.explain();
            }
            self.request_checks();
            let now = Instant::now();
            let timed_out = || Error::ServerSelection {
                message: selection_timeout_message(
                    criteria,
                    &topology,
                    &last_explain,
                    started.elapsed(),
                ),
            };
            if now >= deadline {
                return Err(timed_out());
            }
            match tokio::time::timeout(deadline - now, rx.changed()).await {
                Err(_) => return Err(timed_out()),
                Ok(Err(_)) => return Err(Error::Shutdown),
                Ok(Ok(())) => {}
            }
        }
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

    /// Runs `find` and returns a cursor over the results.
    pub async fn find(
        &self,
        db: &str,
        coll: &str,
        options: FindOptions,
        read_preference: &ReadPreference,
    ) -> Result<Cursor> {
        let mut cmd = doc! { "find": coll };
        if let Some(f) = options.filter {
            cmd.insert("filter", f);
        }
        if let Some(p) = options.projection {
            cmd.insert("projection", p);
        }
        if let Some(s) = options.sort {
            cmd.insert("sort", s);
        }
        if let Some(l) = options.limit {
            cmd.insert("limit", l);
        }
        if let Some(s) = options.skip {
            cmd.insert("skip", s);
        }
        if let Some(b) = options.batch_size {
            cmd.insert("batchSize", b);
        }
        let criteria = Criteria::Read(read_preference.clone());
        let retryable = self.shared.options.retry_reads;
        let (sel, reply, retried) = self
            .run_selected_with(cmd, &criteria, retryable, |address, cmd, rp| async move {
                self.execute_raw(&address, db, cmd, rp.as_ref()).await
            })
            .await?;
        let (id, raw) = RawBatch::from_reply(reply, "firstBatch", &sel.address)?;
        Ok(Cursor {
            client: self.clone(),
            db: db.to_string(),
            coll: coll.to_string(),
            id,
            batch: VecDeque::new(),
            raw: Some(raw),
            batch_size: options.batch_size,
            server_type: sel.description.server_type,
            selected: sel,
            retried,
        })
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

/// One batch of a cursor as the server sent it: the raw reply and which array (`firstBatch` /
/// `nextBatch`) holds the documents. Reading it builds no `Document`s; [`RawBatch::documents`]
/// borrows each result from the reply's bytes.
#[derive(Debug, Clone)]
pub struct RawBatch {
    reply: RawDocumentBuf,
    key: &'static str,
    len: usize,
    /// The server that sent it (named in errors about its documents).
    address: ServerAddress,
}

impl RawBatch {
    /// Checks a cursor reply (a `cursor` document with a numeric `id` and an array of documents
    /// under `key`) and returns the cursor id and the batch.
    fn from_reply(
        reply: RawDocumentBuf,
        key: &'static str,
        address: &ServerAddress,
    ) -> Result<(i64, RawBatch)> {
        let protocol = |message: String| Error::Protocol {
            address: address.clone(),
            message,
        };
        let cursor = match reply.get("cursor") {
            Ok(Some(RawBsonRef::Document(c))) => c,
            Err(e) => return Err(protocol(e.to_string())),
            _ => return Err(protocol("the reply has no \"cursor\" document".into())),
        };
        let id = match cursor.get("id") {
            Ok(Some(RawBsonRef::Int32(v))) => v as i64,
            Ok(Some(RawBsonRef::Int64(v))) => v,
            Ok(Some(RawBsonRef::Double(v))) if v.is_finite() => v as i64,
            Err(e) => return Err(protocol(e.to_string())),
            _ => 0,
        };
        let arr = match cursor.get(key) {
            Ok(Some(RawBsonRef::Array(a))) => a,
            Err(e) => return Err(protocol(e.to_string())),
            _ => return Err(protocol(format!("the cursor reply has no \"{key}\" array"))),
        };
        let mut len = 0;
        for entry in arr {
            match entry.map_err(|e| protocol(e.to_string()))? {
                RawBsonRef::Document(_) => len += 1,
                other => {
                    return Err(protocol(format!(
                        "a \"{key}\" entry is a {:?}, not a document",
                        other.element_type()
                    )))
                }
            }
        }
        Ok((
            id,
            RawBatch {
                reply,
                key,
                len,
                address: address.clone(),
            },
        ))
    }

    /// A batch holding `docs` (encoded once).
    fn from_documents(
        docs: impl IntoIterator<Item = Document>,
        address: &ServerAddress,
    ) -> Result<RawBatch> {
        let mut arr = bson::RawArrayBuf::new();
        let mut len = 0;
        for d in docs {
            let raw = RawDocumentBuf::from_document(&d)
                .map_err(|e| Error::internal(format!("a document does not encode: {e}")))?;
            arr.push(raw);
            len += 1;
        }
        let mut cursor = RawDocumentBuf::new();
        cursor.append("nextBatch", arr);
        let mut reply = RawDocumentBuf::new();
        reply.append("cursor", cursor);
        Ok(RawBatch {
            reply,
            key: "nextBatch",
            len,
            address: address.clone(),
        })
    }

    /// How many documents the batch holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch holds no documents.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The documents, in order, borrowed from the reply (checked when the batch was made).
    pub fn documents(&self) -> impl Iterator<Item = &RawDocument> + '_ {
        let arr = match self.reply.get("cursor") {
            Ok(Some(RawBsonRef::Document(c))) => match c.get(self.key) {
                Ok(Some(RawBsonRef::Array(a))) => Some(a),
                _ => None,
            },
            _ => None,
        };
        arr.into_iter().flat_map(|a| {
            a.into_iter().filter_map(|e| match e {
                Ok(RawBsonRef::Document(d)) => Some(d),
                _ => None,
            })
        })
    }

    /// The server that sent the batch.
    pub fn server(&self) -> &ServerAddress {
        &self.address
    }

    /// The documents decoded into `Document`s (a protocol error if one is not valid BSON).
    pub fn to_documents(&self) -> Result<Vec<Document>> {
        self.documents()
            .map(|d| {
                Document::try_from(d).map_err(|e| Error::Protocol {
                    address: self.address.clone(),
                    message: format!("a result is not a valid BSON document: {e}"),
                })
            })
            .collect()
    }
}

/// The `$readPreference` to send, per the server-selection spec's rules for OP_MSG.
fn read_preference_for(sel: &SelectedServer, criteria: &Criteria) -> Option<ReadPreference> {
    let server_type = sel.description.server_type;
    match (sel.topology.topology_type, criteria) {
        // A direct connection to one member: let it answer whatever its state.
        (TopologyType::Single, Criteria::Read(_)) if server_type != ServerType::Mongos => {
            Some(ReadPreference::new(ReadPreferenceMode::PrimaryPreferred))
        }
        (_, Criteria::Read(rp)) if rp.mode != ReadPreferenceMode::Primary => Some(rp.clone()),
        _ => None,
    }
}

/// The server-selection timeout message: the criteria, then every server seen (type, RTT, last
/// error), like the official drivers print.
fn selection_timeout_message(
    criteria: &Criteria,
    topology: &TopologyDescription,
    explain: &str,
    waited: Duration,
) -> String {
    use std::fmt::Write;
    let mut m = format!(
        "No server matches the selector ({criteria}) after {} ms. Topology Description: <TopologyDescription type: {}",
        waited.as_millis(),
        topology.topology_type
    );
    if let Some(name) = &topology.set_name {
        let _ = write!(m, ", set name: {name}");
    }
    m.push_str(", servers: [");
    for (i, s) in topology.servers.values().enumerate() {
        if i > 0 {
            m.push_str(", ");
        }
        let _ = write!(m, "<{} type: {}, rtt: ", s.address, s.server_type);
        match s.round_trip_time_ms {
            Some(r) => {
                let _ = write!(m, "{r:.1} ms");
            }
            None => m.push_str("none"),
        }
        match &s.error {
            Some(e) => {
                let _ = write!(m, ", error: {e}>");
            }
            None => m.push('>'),
        }
    }
    m.push_str("]>");
    if !explain.is_empty() {
        m.push_str("\nWhy each server was not chosen:\n");
        m.push_str(explain.trim_end());
    }
    m
}

/// A cursor over a `find`'s results, bound to the server that ran it.
pub struct Cursor {
    client: Client,
    db: String,
    coll: String,
    /// 0 once the server has no more results.
    id: i64,
    /// Documents already decoded (by [`Cursor::next`]) and not yet returned.
    batch: VecDeque<Document>,
    /// The last batch received, not yet decoded.
    raw: Option<RawBatch>,
    batch_size: Option<i32>,
    server_type: ServerType,
    selected: SelectedServer,
    retried: bool,
}

impl std::fmt::Debug for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cursor")
            .field("server", &self.selected.address)
            .field("id", &self.id)
            .finish()
    }
}

impl Cursor {
    /// The server the cursor lives on.
    pub fn server(&self) -> &ServerAddress {
        &self.selected.address
    }

    /// That server's type when it was selected.
    pub fn server_type(&self) -> ServerType {
        self.server_type
    }

    /// The selection that chose the server (see [`SelectedServer`]).
    pub fn selected(&self) -> &SelectedServer {
        &self.selected
    }

    /// The selection that chose the server, recomputed on its snapshot.
    pub fn selection(&self) -> Result<Selection<'_>> {
        self.selected.selection()
    }

    /// Whether the initial `find` was retried.
    pub fn retried(&self) -> bool {
        self.retried
    }

    /// The next document, fetching a batch with `getMore` when needed.
    pub async fn next(&mut self) -> Result<Option<Document>> {
        loop {
            if let Some(d) = self.batch.pop_front() {
                return Ok(Some(d));
            }
            if let Some(raw) = self.raw.take() {
                self.batch = raw.to_documents()?.into();
                continue;
            }
            if self.id == 0 {
                return Ok(None);
            }
            self.get_more().await?;
        }
    }

    /// The rest of the current batch (or the next one), `None` when exhausted.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Document>>> {
        loop {
            if !self.batch.is_empty() {
                return Ok(Some(self.batch.drain(..).collect()));
            }
            if let Some(raw) = self.raw.take() {
                if !raw.is_empty() {
                    return raw.to_documents().map(Some);
                }
                continue;
            }
            if self.id == 0 {
                return Ok(None);
            }
            self.get_more().await?;
        }
    }

    /// Like [`Cursor::next_batch`], but the documents stay raw BSON as the server sent them
    /// (what `rsctl read` prints from, without decoding each document).
    pub async fn next_raw_batch(&mut self) -> Result<Option<RawBatch>> {
        loop {
            if !self.batch.is_empty() {
                return RawBatch::from_documents(self.batch.drain(..), &self.selected.address)
                    .map(Some);
            }
            if let Some(raw) = self.raw.take() {
                if !raw.is_empty() {
                    return Ok(Some(raw));
                }
                continue;
            }
            if self.id == 0 {
                return Ok(None);
            }
            self.get_more().await?;
        }
    }

    async fn get_more(&mut self) -> Result<()> {
        let mut cmd = doc! { "getMore": self.id, "collection": self.coll.clone() };
        if let Some(b) = self.batch_size {
            cmd.insert("batchSize", b);
        }
        let address = self.selected.address.clone();
        let result = self.client.execute_raw(&address, &self.db, cmd, None).await;
        let reply = match result {
            Ok(r) => r,
            Err(e) => {
                // The cursor is gone with its connection or server: do not try to kill it.
                self.id = 0;
                return Err(e);
            }
        };
        let (id, raw) = RawBatch::from_reply(reply, "nextBatch", &address)?;
        self.id = id;
        self.raw = Some(raw);
        Ok(())
    }
}

impl Drop for Cursor {
    fn drop(&mut self) {
        if self.id == 0 || self.client.is_shut_down() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let client = self.client.clone();
        let address = self.selected.address.clone();
        let db = std::mem::take(&mut self.db);
        let cmd = doc! { "killCursors": self.coll.clone(), "cursors": [self.id] };
        handle.spawn(async move {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                client.execute(&address, &db, cmd, None),
            )
            .await;
        });
    }
}
