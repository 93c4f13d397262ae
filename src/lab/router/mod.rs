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
    self, Message, OpMsg, OpReply, DEFAULT_MAX_MESSAGE_SIZE, FLAG_CHECKSUM_PRESENT,
    FLAG_EXHAUST_ALLOWED, FLAG_MORE_TO_COME,
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

/// One decoded request.
struct Incoming {
    request_id: i32,
    legacy: bool,
    checksum: bool,
    no_reply: bool,
    exhaust: bool,
    db: String,
    command: Document,
    /// The error reply of a request that cannot be run.
    rejected: Option<Document>,
}

/// Serves one connection until the client closes it, sends garbage, or the router is killed.
async fn serve(
    shared: Arc<Shared>,
    router: usize,
    conn: u64,
    stream: Box<dyn RouterStream>,
    peer_subject: Option<String>,
) {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut buf = Vec::with_capacity(16 * 1024);
    let view = shared.routers[router].view.subscribe();
    let auth = shared
        .auth
        .clone()
        .map(|store| ConnAuth::with_peer(store, peer_subject));
    let mut c = Conn {
        shared,
        router,
        conn,
        view,
        auth,
    };
    if let Err(e) = c.run(&mut rd, &mut wr, &mut buf).await {
        tracing::debug!("lab router {router} connection {conn}: {e}");
    }
    lock(&c.shared.routers[router].conns).remove(&conn);
}

struct Conn {
    shared: Arc<Shared>,
    router: usize,
    conn: u64,
    view: watch::Receiver<MemberView>,
    /// The connection's authentication state (auth on).
    auth: Option<ConnAuth>,
}

impl Conn {
    fn rt(&self) -> &RouterRt {
        &self.shared.routers[self.router]
    }

    async fn run(&mut self, rd: &mut Rd, wr: &mut Wr, buf: &mut Vec<u8>) -> std::io::Result<()> {
        loop {
            let Some(frame) = self.read_frame(rd, buf).await? else {
                return Ok(());
            };
            let req = decode(&frame)?;
            let reply = match &req.rejected {
                Some(error) => error.clone(),
                None => self.gated(&req.db, req.command.clone()).await,
            };
            if req.no_reply {
                continue;
            }
            let awaitable = is_awaitable_hello(&req.command);
            if awaitable {
                // Nothing ever changes a router's topologyVersion within one incarnation: an
                // awaitable hello whose version is current waits maxAwaitTimeMS.
                let current = req
                    .command
                    .get_document("topologyVersion")
                    .ok()
                    .and_then(|tv| tv.get_object_id("processId").ok())
                    == Some(*lock(&self.rt().process_id));
                if current && !self.wait(max_await(&req.command), rd, buf).await? {
                    return Ok(());
                }
            }
            if awaitable && req.exhaust && !req.legacy {
                // Exhaust: one moreToCome reply per maxAwaitTimeMS until the client goes away.
                let mut reply_to = req.request_id;
                let mut reply = reply;
                loop {
                    reply_to = self
                        .write(wr, reply_to, reply, false, req.checksum, true)
                        .await?;
                    if !self.wait(max_await(&req.command), rd, buf).await? {
                        return Ok(());
                    }
                    reply = self.hello(&req.command);
                }
            }
            self.write(wr, req.request_id, reply, req.legacy, req.checksum, false)
                .await?;
        }
    }

    /// The next complete frame; None when the client closed or the router was killed.
    async fn read_frame(
        &mut self,
        rd: &mut Rd,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(n) = wire::frame_length(buf, DEFAULT_MAX_MESSAGE_SIZE).map_err(invalid)? {
                if buf.len() >= n {
                    return Ok(Some(buf.drain(..n).collect()));
                }
            }
            if !self.view.borrow().up {
                return Ok(None);
            }
            tokio::select! {
                r = rd.read_buf(buf) => {
                    if r? == 0 {
                        return Ok(None);
                    }
                }
                changed = self.view.changed() => {
                    if changed.is_err() {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Waits `d` (an awaitable hello), watching for the client closing or the router dying.
    /// False when the connection must end.
    async fn wait(&mut self, d: Duration, rd: &mut Rd, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        let until = tokio::time::Instant::now() + d;
        loop {
            if !self.view.borrow().up {
                return Ok(false);
            }
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return Ok(true),
                r = rd.read_buf(buf) => {
                    if r? == 0 {
                        return Ok(false);
                    }
                }
                changed = self.view.changed() => {
                    if changed.is_err() {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Holds the reply while paused, delays it by the latency, writes it; returns its id.
    async fn write(
        &mut self,
        wr: &mut Wr,
        response_to: i32,
        reply: Document,
        legacy: bool,
        checksum: bool,
        more_to_come: bool,
    ) -> std::io::Result<i32> {
        loop {
            let v = *self.view.borrow_and_update();
            if !v.up {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "the router was killed",
                ));
            }
            if !v.paused {
                if v.latency_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(v.latency_ms)).await;
                }
                break;
            }
            if self.view.changed().await.is_err() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "the router is gone",
                ));
            }
        }
        let id = self.shared.next_message_id.fetch_add(1, Ordering::Relaxed) & 0x7fff_ffff;
        let message = if legacy {
            Message::Reply(OpReply {
                response_flags: 0,
                cursor_id: 0,
                starting_from: 0,
                documents: vec![reply],
            })
        } else {
            let mut flags = 0;
            if checksum {
                flags |= FLAG_CHECKSUM_PRESENT;
            }
            if more_to_come {
                flags |= FLAG_MORE_TO_COME;
            }
            Message::Msg(OpMsg {
                flags,
                body: reply,
                sequences: Vec::new(),
            })
        };
        let frame = wire::encode(id, response_to, &message)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        wr.write_all(&frame).await?;
        Ok(id)
    }

    /// mongos's hello.
    fn hello(&self, cmd: &Document) -> Document {
        let name = cmd.keys().next().map(String::as_str).unwrap_or("hello");
        let writable_key = if name == "hello" {
            "isWritablePrimary"
        } else {
            "ismaster"
        };
        let mut d = doc! {
            writable_key: true,
            "msg": "isdbgrid",
            "topologyVersion": {"processId": *lock(&self.rt().process_id), "counter": 0_i64},
            "maxBsonObjectSize": 16_777_216_i32,
            "maxMessageSizeBytes": 48_000_000_i32,
            "maxWriteBatchSize": 100_000_i32,
            "localTime": bson::DateTime::now(),
            "logicalSessionTimeoutMinutes": 30_i32,
            "connectionId": self.conn.min(i32::MAX as u64) as i32,
            "minWireVersion": 0_i32,
            "maxWireVersion": MAX_WIRE_VERSION,
            "readOnly": false,
        };
        if flag(cmd.get("helloOk")) {
            d.insert("helloOk", true);
        }
        d.insert("ok", 1.0);
        d
    }

    /// Runs the command through the auth gate (auth on), then [`Conn::handle`].
    async fn gated(&mut self, db: &str, cmd: Document) -> Document {
        let extra = match self.auth.as_mut() {
            None => None,
            Some(auth) => match auth.gate(db, &cmd, &server_nonce()) {
                Gate::Reply(reply) => return reply,
                Gate::Pass(extra) => extra,
            },
        };
        let mut reply = self.handle(db, cmd).await;
        if let Some(extra) = extra {
            if reply.get_f64("ok").ok() == Some(1.0) {
                reply.remove("ok");
                reply.extend(extra);
                reply.insert("ok", 1.0);
            }
        }
        reply
    }

    /// Answers one command, by itself or through the shard.
    async fn handle(&self, db: &str, mut cmd: Document) -> Document {
        let name = cmd.keys().next().cloned().unwrap_or_default();
        match name.as_str() {
            "hello" | "isMaster" | "ismaster" => return self.hello(&cmd),
            "ping" => return doc! {"ok": 1.0},
            "buildInfo" | "buildinfo" => {
                let mut d = listener::build_info("rsctl-lab-mongos");
                d.insert("ok", 1.0);
                return d;
            }
            "isdbgrid" => {
                return doc! {"isdbgrid": 1, "hostname": self.rt().host.clone(), "ok": 1.0}
            }
            "endSessions" => return doc! {"ok": 1.0},
            "listShards" => {
                return if db == "admin" {
                    let host = format!(
                        "{}/{}",
                        self.shared.set_name,
                        self.shared.shard_hosts.join(",")
                    );
                    doc! {"shards": [{"_id": self.shared.set_name.clone(), "host": host, "state": 1}], "ok": 1.0}
                } else {
                    error_reply(
                        13,
                        "Unauthorized",
                        "listShards may only be run against the admin database.",
                    )
                }
            }
            n if NOT_ON_MONGOS.contains(&n) => {
                return error_reply(
                    59,
                    "CommandNotFound",
                    &format!(
                        "no such cmd: {n} (run it on the shard's members, not through mongos)"
                    ),
                )
            }
            _ => {}
        }
        let rp_doc = cmd.get_document("$readPreference").ok().cloned();
        for k in ["$db", "$readPreference", "$clusterTime", "lsid"] {
            cmd.remove(k);
        }
        let rp = match rp_doc.as_ref().map(parse_read_preference).transpose() {
            Ok(rp) => rp.unwrap_or_else(ReadPreference::primary),
            Err(message) => return error_reply(9, "FailedToParse", &message),
        };
        let client = match self.client().await {
            Ok(c) => c,
            Err(e) => return error_document(&e),
        };
        let mut forwarded = Forwarded {
            command: name.clone(),
            read_preference: rp_doc,
            served_by: None,
        };
        let result = match name.as_str() {
            "getMore" | "killCursors" => self.cursor_command(&client, db, cmd).await,
            _ => {
                let criteria = if WRITE_COMMANDS.contains(&name.as_str()) {
                    Criteria::Write
                } else {
                    Criteria::Read(rp)
                };
                client
                    .run_command(db, cmd, &criteria)
                    .await
                    .map(|r| (r.reply, r.server))
            }
        };
        let reply = match result {
            Ok((reply, server)) => {
                if let Some(id) = cursor_id(&reply).filter(|id| *id != 0) {
                    let mut cursors = lock(&self.rt().cursors);
                    if cursors.len() > 10_000 {
                        // Forgotten cursors (clients that never exhausted them): start over.
                        cursors.clear();
                    }
                    cursors.insert(id, server.clone());
                }
                forwarded.served_by = Some(server.to_string());
                reply
            }
            Err(e) => error_document(&e),
        };
        *lock(&self.rt().last) = Some(forwarded);
        reply
    }

    /// getMore/killCursors go to the member that owns the cursor.
    async fn cursor_command(
        &self,
        client: &Client,
        db: &str,
        cmd: Document,
    ) -> Result<(Document, ServerAddress)> {
        let ids: Vec<i64> = match cmd.get("getMore") {
            Some(b) => vec![as_i64(b).unwrap_or(0)],
            None => cmd
                .get_array("cursors")
                .map(|a| a.iter().filter_map(as_i64).collect())
                .unwrap_or_default(),
        };
        let owner = ids
            .iter()
            .find_map(|id| lock(&self.rt().cursors).get(id).cloned());
        let Some(owner) = owner else {
            return Err(Error::Command {
                address: ServerAddress::new("127.0.0.1", self.rt().port),
                code: Some(43),
                code_name: Some("CursorNotFound".into()),
                message: format!("cursor id {} not found", ids.first().copied().unwrap_or(0)),
                labels: Vec::new(),
                topology_version: None,
            });
        };
        let reply = client.run_command_on(&owner, db, cmd).await?;
        if cursor_id(&reply) == Some(0) || !reply.contains_key("cursor") {
            let mut cursors = lock(&self.rt().cursors);
            for id in &ids {
                cursors.remove(id);
            }
        }
        Ok((reply, owner))
    }

    /// The router's client to the shard, opened on first use.
    async fn client(&self) -> Result<Client> {
        let mut slot = self.rt().client.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let hosts = self
            .shared
            .shard_hosts
            .iter()
            .map(|h| ServerAddress::parse(h))
            .collect::<Result<Vec<_>>>()?;
        let mut options = ClientOptions::new(hosts);
        options.replica_set = Some(self.shared.set_name.clone());
        options.heartbeat_frequency = self.shared.heartbeat;
        options.server_selection_timeout = self.shared.selection_timeout;
        options.app_name = Some(format!("rsctl-lab-router {}", self.rt().host));
        // The members' security: the internal user, TLS with the lab's client certificate (the
        // members are in this process; their certificate may be the user's, for another name).
        options.credential = self
            .shared
            .auth
            .as_ref()
            .and_then(|a| a.internal_credential());
        options.tls = self
            .shared
            .tls
            .as_ref()
            .map(|t| crate::net::tls::TlsOptions {
                allow_invalid_certificates: true,
                inline: Some(crate::net::tls::InlinePem {
                    ca_pem: String::new(),
                    certificate_key_pem: Some(t.client_pem().to_string()),
                }),
                ..Default::default()
            });
        let client = Client::connect(options).await?;
        *slot = Some(client.clone());
        Ok(client)
    }
}

/// Decodes a frame into a request (possibly rejected with an error reply).
fn decode(frame: &[u8]) -> std::io::Result<Incoming> {
    let (header, message) = wire::decode(frame).map_err(invalid)?;
    let mut req = Incoming {
        request_id: header.request_id,
        legacy: false,
        checksum: false,
        no_reply: false,
        exhaust: false,
        db: String::new(),
        command: Document::new(),
        rejected: None,
    };
    match message {
        Message::Msg(m) => {
            req.checksum = m.flags & FLAG_CHECKSUM_PRESENT != 0;
            req.no_reply = m.flags & FLAG_MORE_TO_COME != 0;
            req.exhaust = m.flags & FLAG_EXHAUST_ALLOWED != 0;
            req.command = m.into_command();
            match req.command.get("$db") {
                Some(Bson::String(db)) if !db.is_empty() => req.db = db.clone(),
                _ => {
                    req.rejected = Some(error_reply(
                        40571,
                        "Location40571",
                        "OP_MSG requests require a $db argument",
                    ))
                }
            }
        }
        Message::Query(q) => {
            req.legacy = true;
            match q.full_collection_name.strip_suffix(".$cmd") {
                Some(db) if !db.is_empty() => {
                    let mut command = q.query;
                    if let Some(Bson::Document(inner)) = command.get("$query").cloned() {
                        let rp = command.get("$readPreference").cloned();
                        command = inner;
                        if let Some(rp) = rp {
                            command.insert("$readPreference", rp);
                        }
                    }
                    req.db = db.to_string();
                    req.command = command;
                }
                _ => {
                    req.rejected = Some(error_reply(
                        5739101,
                        "Location5739101",
                        "OP_QUERY is no longer supported for queries: use OP_MSG",
                    ))
                }
            }
        }
        Message::Reply(_) => return Err(invalid("a client sent OP_REPLY")),
    }
    Ok(req)
}

/// Parses a `$readPreference` document (mode, tags, maxStalenessSeconds).
pub fn parse_read_preference(d: &Document) -> std::result::Result<ReadPreference, String> {
    let mode = d
        .get_str("mode")
        .map_err(|_| format!("$readPreference {d} has no string \"mode\""))?;
    let mode = ReadPreferenceMode::parse(mode)
        .ok_or_else(|| format!("$readPreference: unknown mode \"{mode}\""))?;
    let mut rp = ReadPreference::new(mode);
    if let Ok(tags) = d.get_array("tags") {
        for t in tags {
            let Bson::Document(t) = t else {
                return Err(format!("$readPreference: tag set {t} is not a document"));
            };
            let mut set = Tags::new();
            for (k, v) in t {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("$readPreference: tag {k} is not a string"))?;
                set.insert(k.clone(), v.to_string());
            }
            rp.tag_sets.push(set);
        }
    }
    if let Some(s) = d.get("maxStalenessSeconds").and_then(as_i64) {
        if s > 0 {
            rp.max_staleness = Some(Duration::from_secs(s as u64));
        }
    }
    Ok(rp)
}

fn as_i64(b: &Bson) -> Option<i64> {
    match b {
        Bson::Int32(v) => Some(*v as i64),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.fract() == 0.0 => Some(*v as i64),
        _ => None,
    }
}

fn cursor_id(reply: &Document) -> Option<i64> {
    reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get("id"))
        .and_then(as_i64)
}

fn max_await(command: &Document) -> Duration {
    let ms = command
        .get("maxAwaitTimeMS")
        .and_then(as_i64)
        .unwrap_or(0)
        .max(0);
    Duration::from_millis(ms as u64).min(MAX_AWAIT)
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

fn error_reply(code: i32, code_name: &str, message: &str) -> Document {
    doc! {"ok": 0.0, "errmsg": message, "code": code, "codeName": code_name}
}

/// A library error as the reply mongos would send.
fn error_document(e: &Error) -> Document {
    match e {
        Error::Command {
            code,
            code_name,
            message,
            labels,
            ..
        } => {
            let mut d = error_reply(
                code.unwrap_or(0),
                code_name.as_deref().unwrap_or(""),
                message,
            );
            if !labels.is_empty() {
                d.insert("errorLabels", labels.clone());
            }
            d
        }
        Error::Write { code, message, .. } => doc! {
            "n": 0,
            "writeErrors": [{"index": 0, "code": *code, "errmsg": message.clone()}],
            "ok": 1.0,
        },
        Error::ServerSelection { message } => {
            error_reply(133, "FailedToSatisfyReadPreference", message)
        }
        Error::Network { message, .. } => error_reply(6, "HostUnreachable", message),
        Error::InvalidArgument { message } => error_reply(2, "BadValue", message),
        other => error_reply(1, "InternalError", &other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_preference_documents_parse() {
        let rp = parse_read_preference(
            &doc! {"mode": "secondary", "tags": [{"dc": "ny"}, {}], "maxStalenessSeconds": 120},
        )
        .unwrap();
        assert_eq!(rp.mode, ReadPreferenceMode::Secondary);
        assert_eq!(rp.tag_sets.len(), 2);
        assert_eq!(rp.tag_sets[0].get("dc").map(String::as_str), Some("ny"));
        assert_eq!(rp.max_staleness, Some(Duration::from_secs(120)));
        assert!(parse_read_preference(&doc! {"mode": "fastest"})
            .unwrap_err()
            .contains("fastest"));
        assert!(parse_read_preference(&doc! {}).is_err());
        assert!(parse_read_preference(&doc! {"mode": "nearest", "tags": [1]}).is_err());
    }

    #[test]
    fn errors_come_back_as_server_errors() {
        let e = Error::ServerSelection {
            message: "no primary".into(),
        };
        let d = error_document(&e);
        assert_eq!(d.get_i32("code").unwrap(), 133);
        let e = Error::Write {
            address: ServerAddress::new("h", 1),
            code: 11000,
            message: "dup".into(),
        };
        let d = error_document(&e);
        assert_eq!(d.get_f64("ok").unwrap(), 1.0);
        assert_eq!(d.get_array("writeErrors").unwrap().len(), 1);
    }
}
