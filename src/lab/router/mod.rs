//! The lab's mongos routers: N listeners on 127.0.0.1 in front of the lab's replica set, which
//! they present as a one-shard cluster.
//!
//! A router answers what mongos answers by itself (`hello`/`isMaster` with `msg: "isdbgrid"`,
//! awaitable and exhaust hello included, `buildInfo`, `listShards`, `ping`, `isdbgrid`) and
//! forwards every other command to the shard with the request's `$readPreference` (writes go to
//! the primary). Forwarding goes through an rsctl [`Client`] that each router opens on its first
//! forwarded command (so idle routers cost one accept task), and that a kill drops. Cursors are
//! pinned: `getMore`/`killCursors` go to the member that opened the cursor. Errors come back as
//! the server's errors; a shard nobody can reach is `FailedToSatisfyReadPreference` (133).
//!
//! Routers take the socket-side faults of members: kill (port closed, connections dropped),
//! start (same port, new `topologyVersion.processId`), pause, resume and latency.
//!
//! Routers apply the lab's security like its members: TLS with the same certificate and client
//! certificate checks, and with auth the same users and the same gate (mongos requires
//! authentication like mongod). A router reaches the members as the lab's internal user, over
//! TLS presenting the lab's client certificate.

mod conn;

pub use conn::parse_read_preference;
use conn::serve;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};
use tokio::io::{AsyncRead, AsyncWrite, ReadHalf, WriteHalf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::client::{Client, ClientOptions};
use crate::core::address::ServerAddress;
use crate::core::bson_value::flag;
use crate::core::description::Tags;
use crate::core::error::{Error, NetworkErrorKind, Result};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::selection::Criteria;
use crate::lab::auth::{AuthStore, ConnAuth, Gate};
use crate::lab::cluster::{Fault, MemberView};
use crate::lab::listener::{self, is_awaitable_hello, server_nonce};
use crate::lab::server::Lab;
use crate::lab::tls::LabTls;
use crate::wire::{
    self, Message, DEFAULT_MAX_MESSAGE_SIZE, FLAG_CHECKSUM_PRESENT, FLAG_EXHAUST_ALLOWED,
    FLAG_MORE_TO_COME,
};

/// maxWireVersion the routers announce (the lab's members announce the same).
const MAX_WIRE_VERSION: i32 = 21;
/// The longest an awaitable hello is held, whatever maxAwaitTimeMS asks.
const MAX_AWAIT: Duration = Duration::from_secs(60);
/// Commands a router runs on the primary.
const WRITE_COMMANDS: &[&str] = &[
    "insert",
    "update",
    "delete",
    "findAndModify",
    "findandmodify",
    "create",
    "drop",
    "dropDatabase",
    "createIndexes",
    "dropIndexes",
    "renameCollection",
    "collMod",
];
/// Replica-set commands mongos refuses (they are run on the shard's members directly).
const NOT_ON_MONGOS: &[&str] = &[
    "replSetGetStatus",
    "replSetGetConfig",
    "replSetInitiate",
    "replSetReconfig",
    "replSetStepDown",
    "replSetFreeze",
];

/// What a router last forwarded (for tests and `rsctl lab` introspection).
#[derive(Debug, Clone, PartialEq)]
pub struct Forwarded {
    /// The command name.
    pub command: String,
    /// The `$readPreference` the request carried (None: primary).
    pub read_preference: Option<Document>,
    /// The shard member that answered (None: the forward failed before reaching one).
    pub served_by: Option<String>,
}

/// The server side of one router.
struct RouterRt {
    host: String,
    port: u16,
    /// up / paused / latency, watched by the connections.
    view: watch::Sender<MemberView>,
    /// topologyVersion.processId of the current incarnation (new on each start).
    process_id: Mutex<ObjectId>,
    /// The accept task (owns the listener); None while killed.
    acceptor: Mutex<Option<JoinHandle<()>>>,
    /// Connection tasks by id (aborted on kill).
    conns: Mutex<HashMap<u64, JoinHandle<()>>>,
    /// The router's client to the shard, opened on the first forwarded command.
    client: tokio::sync::Mutex<Option<Client>>,
    /// Open cursors: id -> the member that owns them.
    cursors: Mutex<HashMap<i64, ServerAddress>>,
    last: Mutex<Option<Forwarded>>,
}

/// Everything the router tasks share.
struct Shared {
    set_name: String,
    /// The shard's members.
    shard_hosts: Vec<String>,
    /// heartbeatFrequencyMS of the routers' clients.
    heartbeat: Duration,
    /// serverSelectionTimeoutMS of the routers' clients.
    selection_timeout: Duration,
    routers: Vec<RouterRt>,
    next_conn: AtomicU64,
    next_message_id: AtomicI32,
    /// The lab's users (auth on): connections must authenticate, as on the members.
    auth: Option<Arc<AuthStore>>,
    /// The lab's TLS (on): every connection does the handshake first.
    tls: Option<LabTls>,
}

/// The byte stream of a router connection (TCP, or TLS over it).
trait RouterStream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> RouterStream for T {}
type Rd = ReadHalf<Box<dyn RouterStream>>;
type Wr = WriteHalf<Box<dyn RouterStream>>;

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The lab's routers. Dropping it closes every listener and connection.
pub(crate) struct Routers {
    shared: Arc<Shared>,
}

impl Drop for Routers {
    fn drop(&mut self) {
        for r in &self.shared.routers {
            if let Some(t) = lock(&r.acceptor).take() {
                t.abort();
            }
            for (_, t) in lock(&r.conns).drain() {
                t.abort();
            }
        }
    }
}

impl Routers {
    /// Binds `n` routers (port `base_port + i`, or ephemeral ports for 0) and starts serving.
    async fn start(
        set_name: String,
        shard_hosts: Vec<String>,
        heartbeat: Duration,
        selection_timeout: Duration,
        n: usize,
        base_port: u16,
        (auth, tls): (Option<Arc<AuthStore>>, Option<LabTls>),
    ) -> Result<Routers> {
        if n == 0 || n > 50 {
            return Err(Error::invalid(format!(
                "a lab has between 1 and 50 routers (got {n})"
            )));
        }
        if base_port != 0 && base_port as usize + n - 1 > u16::MAX as usize {
            return Err(Error::invalid(format!(
                "router ports {base_port}..{} do not fit under 65536",
                base_port as usize + n - 1
            )));
        }
        let mut listeners = Vec::with_capacity(n);
        for i in 0..n {
            let port = if base_port == 0 {
                0
            } else {
                base_port + i as u16
            };
            listeners.push(bind(port)?);
        }
        let mut routers = Vec::with_capacity(n);
        for l in &listeners {
            let port = l
                .local_addr()
                .map_err(|e| Error::internal(format!("router listener address: {e}")))?
                .port();
            routers.push(RouterRt {
                host: format!("127.0.0.1:{port}"),
                port,
                view: watch::Sender::new(MemberView {
                    up: true,
                    paused: false,
                    latency_ms: 0,
                }),
                process_id: Mutex::new(ObjectId::new()),
                acceptor: Mutex::new(None),
                conns: Mutex::new(HashMap::new()),
                client: tokio::sync::Mutex::new(None),
                cursors: Mutex::new(HashMap::new()),
                last: Mutex::new(None),
            });
        }
        let shared = Arc::new(Shared {
            set_name,
            shard_hosts,
            heartbeat,
            selection_timeout,
            routers,
            next_conn: AtomicU64::new(1),
            next_message_id: AtomicI32::new(1),
            auth,
            tls,
        });
        for (i, l) in listeners.into_iter().enumerate() {
            let task = tokio::spawn(accept_loop(Arc::clone(&shared), i, l));
            *lock(&shared.routers[i].acceptor) = Some(task);
        }
        Ok(Routers { shared })
    }

    fn index(&self, host: &str) -> Option<usize> {
        self.shared.routers.iter().position(|r| r.host == host)
    }

    /// Whether `host` is one of these routers.
    pub(crate) fn contains(&self, host: &str) -> bool {
        self.index(host).is_some()
    }

    fn hosts(&self) -> Vec<String> {
        self.shared.routers.iter().map(|r| r.host.clone()).collect()
    }

    /// Applies a socket-side fault to router `host`.
    pub(crate) async fn fault(&self, host: &str, fault: Fault) -> Result<()> {
        let i = self
            .index(host)
            .ok_or_else(|| Error::invalid(format!("{host} is not a router of this lab")))?;
        let r = &self.shared.routers[i];
        let mut v = *r.view.borrow();
        match fault {
            Fault::Kill => {
                if !v.up {
                    return Ok(());
                }
                v.up = false;
                r.view.send_replace(v);
                let acceptor = lock(&r.acceptor).take();
                if let Some(t) = acceptor {
                    t.abort();
                    let _ = t.await;
                }
                let conns: Vec<JoinHandle<()>> = lock(&r.conns).drain().map(|(_, t)| t).collect();
                for t in conns {
                    t.abort();
                    let _ = t.await;
                }
                lock(&r.cursors).clear();
                // The router's own connections to the shard die with it.
                let client = r.client.lock().await.take();
                drop(client);
            }
            Fault::Start => {
                if v.up {
                    return Ok(());
                }
                let listener = bind(r.port)?;
                *lock(&r.process_id) = ObjectId::new();
                v = MemberView {
                    up: true,
                    paused: false,
                    latency_ms: 0,
                };
                r.view.send_replace(v);
                let task = tokio::spawn(accept_loop(Arc::clone(&self.shared), i, listener));
                if let Some(old) = lock(&r.acceptor).replace(task) {
                    old.abort();
                }
            }
            Fault::Pause => {
                v.paused = true;
                r.view.send_replace(v);
            }
            Fault::Resume => {
                v.paused = false;
                r.view.send_replace(v);
            }
            Fault::Latency(ms) => {
                v.latency_ms = ms;
                r.view.send_replace(v);
            }
            other => {
                return Err(Error::invalid(format!(
                    "{host} is a router: {other:?} applies to replica-set members only (routers take kill, start, pause, resume and latency)"
                )))
            }
        }
        Ok(())
    }

    fn view(&self, host: &str) -> Option<MemberView> {
        self.index(host)
            .map(|i| *self.shared.routers[i].view.borrow())
    }

    fn last(&self, host: &str) -> Option<Forwarded> {
        self.index(host)
            .and_then(|i| lock(&self.shared.routers[i].last).clone())
    }
}

impl Lab {
    /// Starts `n` mongos routers in front of the lab's replica set (a one-shard cluster): ports
    /// `base_port`, `base_port + 1`... or ephemeral ports for 0. Once per lab. Returns their
    /// `127.0.0.1:PORT`.
    pub async fn start_routers(&self, n: usize, base_port: u16) -> Result<Vec<String>> {
        if self.routers.get().is_some() {
            return Err(Error::invalid(format!(
                "lab {} already has routers",
                self.set_name()
            )));
        }
        let config = self.config();
        let heartbeat = config
            .heartbeat_interval
            .max(crate::net::monitor::MIN_HEARTBEAT_FREQUENCY);
        let selection_timeout = (config.election_timeout * 3).max(Duration::from_secs(5));
        let routers = Routers::start(
            self.set_name().to_string(),
            self.hosts(),
            heartbeat,
            selection_timeout,
            n,
            base_port,
            self.security(),
        )
        .await?;
        let hosts = routers.hosts();
        self.routers
            .set(routers)
            .map_err(|_| Error::invalid("the lab's routers were started twice"))?;
        Ok(hosts)
    }

    /// Every router's `127.0.0.1:PORT` (empty without routers).
    pub fn routers(&self) -> Vec<String> {
        self.routers.get().map(Routers::hosts).unwrap_or_default()
    }

    /// `r1,r2,r3`: the routers as a seed list.
    pub fn router_seed_list(&self) -> String {
        self.routers().join(",")
    }

    /// What the sockets of router `host` apply (up / paused / latency), if it is a router.
    pub fn router_view(&self, host: &str) -> Option<MemberView> {
        self.routers.get().and_then(|r| r.view(host))
    }

    /// What router `host` last forwarded to the shard.
    pub fn router_last_forward(&self, host: &str) -> Option<Forwarded> {
        self.routers.get().and_then(|r| r.last(host))
    }
}

/// A router's listener on 127.0.0.1:`port`.
fn bind(port: u16) -> Result<TcpListener> {
    listener::bind(port).map_err(|e| {
        Error::network(
            &ServerAddress::new("127.0.0.1", port),
            NetworkErrorKind::Io,
            format!("the lab's router cannot listen on 127.0.0.1:{port}: {e}"),
        )
    })
}

async fn accept_loop(shared: Arc<Shared>, router: usize, listener: TcpListener) {
    let what = format!("lab router {router}");
    listener::accept_loop(listener, &what, |stream| {
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let task = match shared.tls.as_ref().map(|t| t.acceptor.clone()) {
            None => tokio::spawn(serve(
                Arc::clone(&shared),
                router,
                id,
                Box::new(stream),
                None,
            )),
            Some(acceptor) => {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    if let Some((tls, peer)) = listener::tls_handshake(acceptor, stream).await {
                        serve(shared, router, id, Box::new(tls), peer).await;
                    }
                })
            }
        };
        let mut conns = lock(&shared.routers[router].conns);
        conns.retain(|_, t| !t.is_finished());
        conns.insert(id, task);
        true
    })
    .await
}
