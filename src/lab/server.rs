//! The lab's tokio server: one TCP listener per member on 127.0.0.1, wire framing, the faults
//! that live on the socket side (kill, start, pause, latency), exhaust hello, and the driver task
//! that steps the pure [`Cluster`] on the wall clock.
//!
//! Shape (mini-redis style): [`Lab::start`] binds the listeners, builds the cluster behind a
//! `std::sync::Mutex` (never held across an `.await`) and spawns
//! - a **driver** task that sleeps until the cluster's `next_deadline()` or a wake-up, calls
//!   `tick`, hands completed parked replies to their connections (one mpsc per connection) and
//!   publishes elections as [`LabNotice`]s on a broadcast channel;
//! - per member, an **accept** task owning the listener; killing the member aborts it (the port
//!   closes) and ends every connection of that member (clients see a closed socket);
//! - per connection, a task that frames and decodes requests, feeds them to the cluster and
//!   writes the replies (the private `conn` module).
//!
//! Faults go through `Cluster::fault` first; the server then reconciles its sockets with
//! `Cluster::member_view` (up / paused / latency). The same reconciliation runs when the cluster
//! changes a member by itself (a `shutdown` command).

mod config;
mod conn;
mod engine;

pub use config::{sane_heartbeat, LabConfig, LabNotice, DEFAULT_INITIAL_SYNC};
pub(crate) use engine::Engine;

#[doc(hidden)]
pub use conn::answer_frames;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bson::{doc, Bson, Document};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, watch, Notify};
use tokio::task::JoinHandle;

use crate::core::address::ServerAddress;
use crate::core::description::Tags;
use crate::core::error::{Error, NetworkErrorKind, Result};
use crate::lab::auth::AuthStore;
use crate::lab::cluster::{
    Cluster, Fault, LabEvent, LabOptions, MemberView, Millis, Ready, Request, WireResponse,
};
use crate::lab::listener;
use crate::lab::tls::LabTls;

/// The server side of one member.
struct MemberRt {
    host: String,
    port: u16,
    /// The view the sockets currently apply (up / paused / latency); connections watch it.
    view: watch::Sender<MemberView>,
    /// The accept task (owns the listener); None while the member is down.
    acceptor: Mutex<Option<JoinHandle<()>>>,
    /// Connection tasks by connection id (aborted when the member is killed).
    conns: Mutex<HashMap<u64, JoinHandle<()>>>,
}

/// Everything the tasks share.
pub(crate) struct Shared {
    set_name: String,
    config: LabConfig,
    /// Lab time 0.
    start: Instant,
    /// Wall clock at lab time 0 (for notices).
    start_wall: SystemTime,
    cluster: Mutex<Box<dyn Engine>>,
    members: Vec<MemberRt>,
    /// Reply channels of the open connections, by connection id.
    routes: Mutex<HashMap<u64, mpsc::UnboundedSender<Ready>>>,
    next_conn: AtomicU64,
    next_message_id: AtomicI32,
    /// Wakes the driver (earlier deadline, member view changed, shutdown).
    wake: Notify,
    /// The lab time the driver sleeps until (u64::MAX: no deadline).
    scheduled: AtomicU64,
    notices: broadcast::Sender<LabNotice>,
    /// Member index of the current primary, as told by the election events.
    primary: Mutex<Option<usize>>,
    /// Serialises socket reconciliation (kill/start may await).
    reconciling: tokio::sync::Mutex<()>,
    /// The users when started with auth: connections must authenticate first.
    auth: Option<Arc<AuthStore>>,
    /// Set when started with TLS: every accepted connection does the TLS handshake first.
    tls: Option<LabTls>,
    /// Set when the lab shuts down: nothing new is accepted.
    closed: AtomicBool,
}

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn now_ms(&self) -> Millis {
        self.start.elapsed().as_millis() as Millis
    }

    fn message_id(&self) -> i32 {
        // Wraps around after 2^31 messages; ids only need to be distinct among recent ones.
        self.next_message_id.fetch_add(1, Ordering::Relaxed) & 0x7fff_ffff
    }

    fn cluster(&self) -> MutexGuard<'_, Box<dyn Engine>> {
        lock(&self.cluster)
    }

    /// Runs one request through the cluster and everything that follows from it.
    fn submit(&self, request: Request) -> WireResponse {
        let mut c = self.cluster();
        let response = c.handle_wire(request, self.now_ms());
        self.pump(&mut **c);
        response
    }

    /// Runs a command on `member` without a socket (the lab's own access when auth is on).
    fn direct(&self, member: usize, command: Document) -> Result<Document> {
        let request = Request {
            member,
            conn: u64::MAX,
            request_id: 0,
            db: "admin".into(),
            command,
            secondary_ok: false,
            legacy: false,
        };
        match self.submit(request) {
            WireResponse::Now(reply) => Ok(reply),
            WireResponse::Raw(raw) => raw
                .to_document()
                .map_err(|e| Error::internal(format!("the lab encoded an invalid reply: {e}"))),
            WireResponse::Parked => Err(Error::internal("the lab parked its own command")),
        }
    }

    /// After anything changed the cluster (still under its lock): route completed parked
    /// replies, publish events, and wake the driver when it must act sooner.
    fn pump(&self, c: &mut dyn Engine) {
        let ready = c.take_ready();
        if !ready.is_empty() {
            let routes = lock(&self.routes);
            for r in ready {
                if let Some(tx) = routes.get(&r.conn) {
                    let _ = tx.send(r);
                }
            }
        }
        for event in c.take_events() {
            self.publish(event);
        }
        let deadline = c.next_deadline().unwrap_or(u64::MAX);
        let views_changed = self
            .members
            .iter()
            .enumerate()
            .any(|(i, m)| c.member_view(i) != *m.view.borrow());
        if views_changed || deadline < self.scheduled.load(Ordering::Acquire) {
            self.wake.notify_one();
        }
    }

    fn publish(&self, event: LabEvent) {
        let at = |ms: Millis| self.start_wall + Duration::from_millis(ms);
        let host = |member: usize| self.members.get(member).map(|m| m.host.clone());
        let notice = match event {
            LabEvent::Elected {
                member,
                term,
                at: t,
            } => {
                *lock(&self.primary) = Some(member);
                host(member).map(|host| LabNotice::Elected {
                    host,
                    term,
                    at: at(t),
                })
            }
            LabEvent::SteppedDown {
                member,
                term,
                at: t,
            } => {
                let mut p = lock(&self.primary);
                if *p == Some(member) {
                    *p = None;
                }
                host(member).map(|host| LabNotice::SteppedDown {
                    host,
                    term,
                    at: at(t),
                })
            }
        };
        if let Some(notice) = notice {
            tracing::info!("{notice}");
            let _ = self.notices.send(notice);
        }
    }

    /// Brings the sockets in line with the cluster's member views: closes a killed member's
    /// listener and connections, listens again for a started one, and publishes pause/latency.
    async fn reconcile(self: &Arc<Self>) -> Result<()> {
        let _guard = self.reconciling.lock().await;
        let mut result = Ok(());
        for (i, m) in self.members.iter().enumerate() {
            let view = self.cluster().member_view(i);
            let old = *m.view.borrow();
            if view == old {
                continue;
            }
            m.view.send_replace(view);
            if old.up && !view.up {
                self.stop_member(i).await;
            } else if !old.up && view.up {
                if let Err(e) = self.listen(i).await {
                    // The cluster thinks the member is up but nobody can reach it: say so once.
                    tracing::warn!("{e}");
                    result = Err(e);
                }
            }
        }
        result
    }

    /// Kill: abort the acceptor (the listener closes) and end every connection of member `i`.
    async fn stop_member(&self, i: usize) {
        let m = &self.members[i];
        let acceptor = lock(&m.acceptor).take();
        if let Some(task) = acceptor {
            task.abort();
            let _ = task.await;
        }
        // The connections saw `up: false` on their view: they flush what is due and close. One
        // stuck writing to a client that does not read is aborted.
        let conns: Vec<(u64, JoinHandle<()>)> = lock(&m.conns).drain().collect();
        for (id, mut task) in conns {
            if tokio::time::timeout(Duration::from_millis(200), &mut task)
                .await
                .is_ok()
            {
                continue;
            }
            task.abort();
            let _ = task.await;
            lock(&self.routes).remove(&id);
            let mut c = self.cluster();
            c.connection_closed(i, id);
            self.pump(&mut **c);
        }
        let mut p = lock(&self.primary);
        if *p == Some(i) {
            *p = None;
        }
    }

    /// Binds member `i`'s port (SO_REUSEADDR, so a restart gets the same port back even with
    /// connections in TIME_WAIT) and spawns its acceptor.
    async fn listen(self: &Arc<Self>, i: usize) -> Result<()> {
        let m = &self.members[i];
        let listener = bind(m.port)?;
        let shared = Arc::clone(self);
        let task = tokio::spawn(accept_loop(shared, i, listener));
        if let Some(old) = lock(&m.acceptor).replace(task) {
            old.abort();
        }
        Ok(())
    }
}

/// A member's listener on 127.0.0.1:`port`.
fn bind(port: u16) -> Result<TcpListener> {
    // The port is the user's choice (or a restart of one the lab had): say which and why.
    listener::bind(port)
        .map_err(|e| Error::invalid(format!("cannot listen on 127.0.0.1:{port}: {e}")))
}

async fn accept_loop(shared: Arc<Shared>, member: usize, listener: TcpListener) {
    let what = format!("lab member {member}");
    listener::accept_loop(listener, &what, |stream| {
        if shared.closed.load(Ordering::Acquire) {
            return false;
        }
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&shared.routes).insert(id, tx);
        let task = match shared.tls.as_ref().map(|t| t.acceptor.clone()) {
            None => tokio::spawn(conn::serve(
                Arc::clone(&shared),
                member,
                id,
                stream,
                None,
                rx,
            )),
            Some(acceptor) => {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    match listener::tls_handshake(acceptor, stream).await {
                        Some((tls, peer)) => conn::serve(shared, member, id, tls, peer, rx).await,
                        None => drop(lock(&shared.routes).remove(&id)),
                    }
                })
            }
        };
        let mut conns = lock(&shared.members[member].conns);
        conns.retain(|_, t| !t.is_finished());
        conns.insert(id, task);
        true
    })
    .await
}

/// The driver: ticks the cluster at its deadlines and reconciles sockets with member views.
async fn drive(shared: Arc<Shared>) {
    loop {
        let deadline = {
            let mut c = shared.cluster();
            let now = shared.now_ms();
            c.tick(now);
            // Store the deadline before pumping so pump only wakes us for earlier ones.
            let next = c.next_deadline().map(|d| d.max(now + 1));
            shared
                .scheduled
                .store(next.unwrap_or(u64::MAX), Ordering::Release);
            shared.pump(&mut **c);
            next
        };
        let _ = shared.reconcile().await;
        match deadline {
            Some(d) => {
                let at = shared.start + Duration::from_millis(d);
                tokio::select! {
                    _ = shared.wake.notified() => {}
                    _ = tokio::time::sleep_until(at.into()) => {}
                }
            }
            None => shared.wake.notified().await,
        }
    }
}

/// Authentication and TLS of a lab (both off by default).
#[derive(Default)]
struct Security {
    auth: Option<Arc<AuthStore>>,
    tls: Option<LabTls>,
}

/// A running lab. Dropping it stops every task and closes every listener.
pub struct Lab {
    shared: Arc<Shared>,
    driver: Option<JoinHandle<()>>,
    /// The mongos routers in front of the set, once started (see [`crate::lab::router`]).
    pub(super) routers: std::sync::OnceLock<crate::lab::router::Routers>,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("set_name", &self.shared.set_name)
            .field("hosts", &self.hosts())
            .finish()
    }
}

impl Lab {
    /// Binds one listener per member on 127.0.0.1, builds the cluster (fresh, uninitialized
    /// members) and starts serving.
    pub async fn start(config: LabConfig) -> Result<Lab> {
        Self::start_with(config, |options| Box::new(Cluster::new(options, 0))).await
    }

    /// Like [`Lab::start`], but every member requires authentication as one of `auth`'s users
    /// (mongod `--auth`; see [`crate::lab::auth`]).
    pub async fn start_with_auth(config: LabConfig, auth: AuthStore) -> Result<Lab> {
        Self::start_secured(config, Some(auth), None).await
    }

    /// Like [`Lab::start`], with authentication (`auth`) and/or TLS on every member (`tls`,
    /// see [`crate::lab::tls`]). With both, the subject of the lab's client certificate is an
    /// `$external` user (MONGODB-X509). With auth, the store also gets the internal user the
    /// lab's routers authenticate with.
    pub async fn start_secured(
        config: LabConfig,
        auth: Option<AuthStore>,
        tls: Option<LabTls>,
    ) -> Result<Lab> {
        let auth = match auth {
            None => None,
            Some(mut a) => {
                if let Some(t) = &tls {
                    a.add_external_user(t.client_subject());
                }
                Some(a.with_internal_user(rand::random)?)
            }
        };
        let engine = |options| Box::new(Cluster::new(options, 0)) as Box<dyn Engine>;
        let security = Security {
            auth: auth.map(Arc::new),
            tls,
        };
        Self::start_inner(config, engine, security).await
    }

    pub(crate) async fn start_with(
        config: LabConfig,
        engine: impl FnOnce(LabOptions) -> Box<dyn Engine>,
    ) -> Result<Lab> {
        Self::start_inner(config, engine, Security::default()).await
    }

    async fn start_inner(
        config: LabConfig,
        engine: impl FnOnce(LabOptions) -> Box<dyn Engine>,
        security: Security,
    ) -> Result<Lab> {
        let Security { auth, tls } = security;
        let mut config = config;
        if let (hb, Some(warning)) =
            sane_heartbeat(config.election_timeout, config.heartbeat_interval)
        {
            tracing::warn!("lab {}: {warning}", config.set_name);
            config.heartbeat_interval = hb;
        }
        if config.nodes == 0 || config.nodes > 50 {
            return Err(Error::invalid(format!(
                "a lab needs between 1 and 50 members (got {})",
                config.nodes
            )));
        }
        if config.set_name.is_empty() {
            return Err(Error::invalid(
                "the replica set name of a lab cannot be empty",
            ));
        }
        if config.base_port != 0 && config.base_port as usize + config.nodes - 1 > u16::MAX as usize
        {
            return Err(Error::invalid(format!(
                "ports {}..{} do not fit under 65536",
                config.base_port,
                config.base_port as usize + config.nodes - 1
            )));
        }
        let mut listeners = Vec::with_capacity(config.nodes);
        for i in 0..config.nodes {
            let port = if config.base_port == 0 {
                0
            } else {
                config.base_port + i as u16
            };
            let l = bind(port)?;
            listeners.push(l);
        }
        let ports: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()))
            .collect::<std::io::Result<_>>()
            .map_err(|e| Error::internal(format!("listener address: {e}")))?;
        let hosts: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let start = Instant::now();
        let start_wall = SystemTime::now();
        let options = LabOptions {
            set_name: config.set_name.clone(),
            hosts: hosts.clone(),
            election_timeout_ms: config.election_timeout.as_millis() as Millis,
            heartbeat_interval_ms: config.heartbeat_interval.as_millis() as Millis,
            seed: config.seed,
            initial_sync_ms: config.initial_sync.as_millis() as Millis,
            epoch_ms: start_wall
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0),
        };
        let engine = engine(options);
        let members = (0..config.nodes)
            .map(|i| MemberRt {
                host: hosts[i].clone(),
                port: ports[i],
                view: watch::Sender::new(engine.member_view(i)),
                acceptor: Mutex::new(None),
                conns: Mutex::new(HashMap::new()),
            })
            .collect();
        let (notices, _) = broadcast::channel(256);
        let shared = Arc::new(Shared {
            set_name: config.set_name.clone(),
            config,
            start,
            start_wall,
            cluster: Mutex::new(engine),
            members,
            routes: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            next_message_id: AtomicI32::new(1),
            wake: Notify::new(),
            scheduled: AtomicU64::new(u64::MAX),
            notices,
            primary: Mutex::new(None),
            reconciling: tokio::sync::Mutex::new(()),
            auth,
            tls,
            closed: AtomicBool::new(false),
        });
        for (i, listener) in listeners.into_iter().enumerate() {
            let up = shared.members[i].view.borrow().up;
            if up {
                let task = tokio::spawn(accept_loop(Arc::clone(&shared), i, listener));
                *lock(&shared.members[i].acceptor) = Some(task);
            }
        }
        let driver = tokio::spawn(drive(Arc::clone(&shared)));
        Ok(Lab {
            shared,
            driver: Some(driver),
            routers: std::sync::OnceLock::new(),
        })
    }

    /// The lab's users and TLS (what its routers apply too).
    pub(crate) fn security(&self) -> (Option<Arc<AuthStore>>, Option<LabTls>) {
        (self.shared.auth.clone(), self.shared.tls.clone())
    }

    /// The set name.
    pub fn set_name(&self) -> &str {
        &self.shared.set_name
    }

    /// The configuration the lab was started with.
    pub fn config(&self) -> &LabConfig {
        &self.shared.config
    }

    /// Every member's `127.0.0.1:PORT`, in member order.
    pub fn hosts(&self) -> Vec<String> {
        self.shared.members.iter().map(|m| m.host.clone()).collect()
    }

    /// `h1,h2,h3`.
    pub fn seed_list(&self) -> String {
        self.hosts().join(",")
    }

    /// `mongodb://h1,h2,h3/?replicaSet=NAME`.
    pub fn uri(&self) -> String {
        format!(
            "mongodb://{}/?replicaSet={}",
            self.seed_list(),
            self.shared.set_name
        )
    }

    /// What the sockets of `host` currently apply (up / paused / latency), if it is a member.
    pub fn member_view(&self, host: &str) -> Option<MemberView> {
        let i = self.member(host).ok()?;
        let view = *self.shared.members[i].view.borrow();
        Some(view)
    }

    /// The current primary's host, as last told by the election events.
    pub fn primary(&self) -> Option<String> {
        let p = *lock(&self.shared.primary);
        p.map(|i| self.shared.members[i].host.clone())
    }

    /// Elections and step-downs, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<LabNotice> {
        self.shared.notices.subscribe()
    }

    fn member(&self, host: &str) -> Result<usize> {
        self.shared
            .members
            .iter()
            .position(|m| m.host == host)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{host} is not a member of lab {} (members: {})",
                    self.shared.set_name,
                    self.seed_list()
                ))
            })
    }

    /// Sends `replSetInitiate` with every member (and its tags; the last one an arbiter if
    /// asked) to the first member over a real connection, then waits for a primary and for the
    /// others to finish their initial sync (STARTUP2 -> SECONDARY). Beyond seven
    /// members, the members after the seventh voter get votes 0 and priority 0
    /// ([`votes_in_initial_config`]).
    pub async fn initiate(&self, tags: &[Tags], arbiter_last: bool) -> Result<()> {
        let hosts = self.hosts();
        if tags.len() > hosts.len() {
            return Err(Error::invalid(format!(
                "{} tag sets given for {} members",
                tags.len(),
                hosts.len()
            )));
        }
        let arbiter = arbiter_last && hosts.len() > 1;
        let members: Vec<Bson> = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let mut m = doc! {"_id": i as i32, "host": h};
                if let Some(t) = tags.get(i).filter(|t| !t.is_empty()) {
                    let t: Document = t
                        .iter()
                        .map(|(k, v)| (k.clone(), Bson::String(v.clone())))
                        .collect();
                    m.insert("tags", t);
                }
                let is_arbiter = arbiter && i == hosts.len() - 1;
                if is_arbiter {
                    m.insert("arbiterOnly", true);
                } else if !votes_in_initial_config(i, hosts.len(), arbiter) {
                    m.insert("votes", 0);
                    m.insert("priority", 0);
                }
                Bson::Document(m)
            })
            .collect();
        let config = doc! {
            "_id": &self.shared.set_name,
            "version": 1,
            "members": members,
            "settings": {
                "electionTimeoutMillis": self.shared.config.election_timeout.as_millis() as i64,
                "heartbeatIntervalMillis": self.shared.config.heartbeat_interval.as_millis() as i64,
            },
        };
        let initiate = doc! {"replSetInitiate": config, "$db": "admin"};
        let reply = if self.shared.auth.is_some() || self.shared.tls.is_some() {
            // The lab's own access needs no credentials (like mongod members' keyFile).
            self.shared.direct(0, initiate)?
        } else {
            command(&hosts[0], initiate).await?
        };
        check_ok(&hosts[0], &reply)?;
        let timeout = (self.shared.config.election_timeout * 3
            + self.shared.config.heartbeat_interval * 3)
            .max(Duration::from_secs(10));
        self.wait_for_primary(timeout).await?;
        // Like mongo's own ReplSetTest, the set is ready once the others finished their
        // initial sync too (each is SECONDARY, or down).
        self.wait_for_initial_syncs(self.shared.config.initial_sync + timeout)
            .await
    }

    /// Waits until no member that is up is in initial sync (STARTUP2).
    pub async fn wait_for_initial_syncs(&self, timeout: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while lock(&self.shared.cluster).initial_syncs_running() > 0 {
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::ServerSelection {
                    message: format!(
                        "the members of lab {} did not finish their initial sync within {}",
                        self.shared.set_name,
                        humantime::format_duration(timeout)
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }

    /// Runs one command on member `host` over a fresh wire connection (OP_MSG; give `$db`) and
    /// returns the reply document, `ok: 0` included.
    pub async fn run_command(&self, host: &str, body: Document) -> Result<Document> {
        self.member(host)?;
        command(host, body).await
    }

    /// Waits until some member is primary; returns its host.
    pub async fn wait_for_primary(&self, timeout: Duration) -> Result<String> {
        let mut rx = self.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(p) = self.primary() {
                return Ok(p);
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_) => {
                    return Err(Error::ServerSelection {
                        message: format!(
                            "no primary was elected in lab {} within {} (members: {})",
                            self.shared.set_name,
                            humantime::format_duration(timeout),
                            self.seed_list()
                        ),
                    })
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return Err(Error::Shutdown),
                Ok(_) => {}
            }
        }
    }

    /// Injects a fault on `host`. Returns once the sockets reflect it (after a kill the port
    /// refuses connections; after a start it listens again on the same port).
    pub async fn fault(&self, host: &str, fault: Fault) -> Result<()> {
        if let Some(r) = self.routers.get().filter(|r| r.contains(host)) {
            return r.fault(host, fault).await;
        }
        let i = self.member(host)?;
        {
            let mut c = self.shared.cluster();
            c.fault(i, fault, self.shared.now_ms())
                .map_err(|e| Error::invalid(format!("{host}: {e}")))?;
            self.shared.pump(&mut **c);
        }
        self.shared.reconcile().await
    }

    /// A member's injected replication lag and clock offset, in ms ([`Fault::Lag`],
    /// [`Fault::Clock`]); None for a host that is not a member.
    pub fn member_faults(&self, host: &str) -> Option<(Millis, i64)> {
        let i = self.member(host).ok()?;
        Some(self.shared.cluster().member_faults(i))
    }

    /// Sets how often an idle primary writes a no-op to its oplog (mongod's
    /// `periodicNoopIntervalSecs`, 10 s unless set; None or zero: never).
    pub fn set_periodic_noop_interval(&self, interval: Option<Duration>) {
        let mut c = self.shared.cluster();
        c.set_periodic_noop_interval(interval.map(|d| d.as_millis() as Millis));
        self.shared.pump(&mut **c);
    }

    /// Stops every task and closes every listener and connection, waiting for them to end.
    pub async fn shutdown(mut self) {
        let tasks = self.abort_all();
        for t in tasks {
            let _ = t.await;
        }
    }

    fn abort_all(&mut self) -> Vec<JoinHandle<()>> {
        let mut tasks = Vec::new();
        if let Some(d) = self.driver.take() {
            tasks.push(d);
        }
        self.shared.closed.store(true, Ordering::Release);
        for m in &self.shared.members {
            // Connections a racing acceptor may still spawn see this and close on their own.
            m.view.send_replace(MemberView {
                up: false,
                paused: false,
                latency_ms: 0,
            });
            tasks.extend(lock(&m.acceptor).take());
            tasks.extend(lock(&m.conns).drain().map(|(_, t)| t));
        }
        lock(&self.shared.routes).clear();
        for t in &tasks {
            t.abort();
        }
        tasks
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.abort_all();
    }
}

/// mongod allows at most this many voting members in a replica set config.
pub const MAX_VOTING_MEMBERS: usize = 7;

/// Whether member `i` of `n` votes in the config `initiate` builds: the first seven members do
/// (the first six and the arbiter when the last member is an arbiter, since arbiters must vote);
/// the others get votes 0 and priority 0, as mongod requires for sets larger than seven.
pub fn votes_in_initial_config(i: usize, n: usize, arbiter_last: bool) -> bool {
    if n <= MAX_VOTING_MEMBERS {
        return true;
    }
    if arbiter_last && i == n - 1 {
        return true;
    }
    let data_voters = if arbiter_last {
        MAX_VOTING_MEMBERS - 1
    } else {
        MAX_VOTING_MEMBERS
    };
    i < data_voters
}

fn check_ok(host: &str, reply: &Document) -> Result<()> {
    let ok = match reply.get("ok") {
        Some(Bson::Double(v)) => *v == 1.0,
        Some(Bson::Int32(v)) => *v == 1,
        Some(Bson::Int64(v)) => *v == 1,
        Some(Bson::Boolean(v)) => *v,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let address = ServerAddress::parse(host).unwrap_or_else(|_| ServerAddress::new(host, 0));
    Err(crate::core::reply::command_failure(&address, reply))
}

/// One command over a fresh wire connection (used by `initiate`).
async fn command(host: &str, body: Document) -> Result<Document> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = ServerAddress::parse(host).unwrap_or_else(|_| ServerAddress::new(host, 0));
    let net = |e: std::io::Error| Error::network(&address, NetworkErrorKind::Io, e.to_string());
    let io = async {
        let mut s = tokio::net::TcpStream::connect(host).await.map_err(net)?;
        let frame = crate::wire::encode(
            1,
            0,
            &crate::wire::Message::Msg(crate::wire::OpMsg::new(body)),
        )
        .map_err(|e| Error::invalid(format!("{host}: {e}")))?;
        s.write_all(&frame).await.map_err(net)?;
        let mut len = [0u8; 4];
        s.read_exact(&mut len).await.map_err(net)?;
        let n = crate::wire::frame_length(&len, crate::wire::DEFAULT_MAX_MESSAGE_SIZE)
            .map_err(|e| Error::Protocol {
                address: address.clone(),
                message: e.to_string(),
            })?
            .unwrap_or(0);
        let mut frame = len.to_vec();
        frame.resize(n, 0);
        s.read_exact(&mut frame[4..]).await.map_err(net)?;
        match crate::wire::decode(&frame) {
            Ok((_, crate::wire::Message::Msg(m))) => Ok(m.body),
            Ok(_) => Err(Error::Protocol {
                address: address.clone(),
                message: "expected an OP_MSG reply".into(),
            }),
            Err(e) => Err(Error::Protocol {
                address: address.clone(),
                message: e.to_string(),
            }),
        }
    };
    tokio::time::timeout(Duration::from_secs(30), io)
        .await
        .map_err(|_| Error::network(&address, NetworkErrorKind::Timeout, "no reply within 30s"))?
}

#[cfg(test)]
mod tests;
