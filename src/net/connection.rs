//! One connection to one server: TCP connect (connectTimeoutMS, TCP_NODELAY), wire framing with
//! the server's maxMessageSizeBytes, the handshake of the handshake specification (client
//! metadata, `helloOk`, legacy `isMaster` over OP_QUERY for a first contact), request ids and
//! `responseTo` checks, exhaust (`moreToCome`) replies for streaming monitors, and the mapping of
//! replies to typed errors (`ok: 0` -> `Error::Command`, write errors -> `Error::Write`).
//!
//! A connection that saw a network or protocol error is marked broken and must not be reused.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document, RawBsonRef, RawDocumentBuf};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::core::address::ServerAddress;
use crate::core::auth::KeyCache;
use crate::core::error::{Error, NetworkErrorKind, Result};
use crate::core::read_pref::ReadPreference;
use crate::core::reply::command_failure;
use crate::net::dns::HickoryDns;
use crate::wire::{
    self, Header, Message, OpMsg, OpQuery, DEFAULT_MAX_MESSAGE_SIZE, FLAG_EXHAUST_ALLOWED,
    FLAG_MORE_TO_COME,
};

/// Process-wide request id counter (ids only need to be unique per connection, but a global
/// counter makes logs easier to read).
static NEXT_REQUEST_ID: AtomicI32 = AtomicI32::new(1);

fn next_request_id() -> i32 {
    // Wrap around before overflow, skipping 0 (responseTo 0 means "not a reply").
    loop {
        let id = NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed);
        if id > 0 {
            return id;
        }
        NEXT_REQUEST_ID.store(1, Ordering::Relaxed);
    }
}

/// The driver name sent in the handshake's client metadata.
pub const DRIVER_NAME: &str = "rsctl";

/// How much a read asks for before the frame's length is known.
const FIRST_READ: usize = 1024;

/// Upper bound on a message we accept before the server told us its maxMessageSizeBytes.
const HANDSHAKE_MAX_MESSAGE_SIZE: usize = DEFAULT_MAX_MESSAGE_SIZE;

/// How to open and talk on a connection.
#[derive(Debug, Clone)]
pub struct ConnectionOptions {
    /// connectTimeoutMS: bounds the TCP connect and, for monitoring connections, every read.
    pub connect_timeout: Duration,
    /// socketTimeoutMS: bounds each command round trip on application connections.
    pub socket_timeout: Option<Duration>,
    /// appName, sent as `client.application.name`.
    pub app_name: Option<String>,
    /// Sent as `loadBalanced: true` in the handshake.
    pub load_balanced: bool,
    /// Authenticate after the handshake (application connections only; monitors leave it None).
    pub credential: Option<crate::core::uri::Credential>,
    /// Wrap the TCP stream in TLS (monitoring and application connections alike).
    pub tls: Option<crate::net::tls::TlsOptions>,
    /// Resolve host names through this resolver first (`--dns-server`); the system resolver
    /// answers for the names it does not know, and for everything when `None`.
    pub host_resolver: Option<Arc<HickoryDns>>,
    /// What the connections of one client build once and share (clones share them).
    pub caches: ConnectionCaches,
}

/// What the connections of one client share, so that it is done once per client rather than
/// once per connection: TLS client configurations (CA and key files read, roots assembled) and
/// derived SCRAM keys (PBKDF2). Clones share the same caches; a new value starts empty.
#[derive(Clone, Default)]
pub struct ConnectionCaches {
    /// TLS client configurations, by TLS options.
    pub tls: Arc<crate::net::tls::ConfigCache>,
    /// Derived SCRAM keys, by mechanism, password, salt and iteration count.
    pub scram_keys: Arc<std::sync::Mutex<KeyCache>>,
}

impl std::fmt::Debug for ConnectionCaches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnectionCaches { .. }")
    }
}

impl Default for ConnectionOptions {
    fn default() -> Self {
        ConnectionOptions {
            connect_timeout: Duration::from_secs(10),
            socket_timeout: None,
            app_name: None,
            load_balanced: false,
            credential: None,
            tls: None,
            host_resolver: None,
            caches: ConnectionCaches::default(),
        }
    }
}

/// The byte stream under a connection (TCP, or a unix socket on unix).
trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> Stream for T {}

/// What the handshake learnt.
#[derive(Debug, Clone)]
pub struct HandshakeResult {
    /// The hello (or isMaster) reply.
    pub reply: Document,
    /// How long the handshake round trip took, in milliseconds.
    pub rtt_ms: f64,
}

/// One reply read off the wire.
#[derive(Debug)]
pub struct RawReply {
    pub header: Header,
    /// The reply's body (OP_MSG kind-0 section with sequences folded in, or OP_REPLY's first document).
    pub body: Document,
    /// The server set `moreToCome`: another reply follows without a request.
    pub more_to_come: bool,
}

/// A connection to one server.
pub struct Connection {
    address: ServerAddress,
    stream: Box<dyn Stream>,
    /// Bytes read but not yet consumed as frames.
    buf: Vec<u8>,
    /// maxMessageSizeBytes as reported by the server (default until the handshake).
    max_message_size: usize,
    /// The pool generation this connection belongs to.
    generation: u32,
    /// Set after a network or protocol error: the connection must be thrown away.
    broken: bool,
    /// The id a pending exhaust reply must answer (set while the server streams replies).
    exhaust_response_to: Option<i32>,
    /// The handshake reply, once done.
    hello: Option<Document>,
    /// socketTimeoutMS for command round trips.
    socket_timeout: Option<Duration>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("address", &self.address)
            .field("generation", &self.generation)
            .field("broken", &self.broken)
            .finish()
    }
}

/// Maps an IO error to the library's network error with the right kind.
pub(crate) fn io_error(address: &ServerAddress, e: &std::io::Error, what: &str) -> Error {
    use std::io::ErrorKind as K;
    let kind = match e.kind() {
        K::TimedOut | K::WouldBlock => NetworkErrorKind::Timeout,
        K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
            NetworkErrorKind::Closed
        }
        K::ConnectionRefused => NetworkErrorKind::Refused,
        _ => NetworkErrorKind::Io,
    };
    Error::network(address, kind, format!("{what}: {e}"))
}

/// A host name that did not resolve.
fn resolve_error(address: &ServerAddress, host: &str, e: &std::io::Error) -> Error {
    Error::network(
        address,
        NetworkErrorKind::Resolve,
        format!("cannot resolve host name {host}: {e}"),
    )
}

fn timeout_error(address: &ServerAddress, what: &str, after: Duration) -> Error {
    Error::network(
        address,
        NetworkErrorKind::Timeout,
        format!("{what} timed out after {}ms", after.as_millis()),
    )
}

/// The handshake's `client` metadata document.
pub fn client_metadata(app_name: Option<&str>) -> Document {
    let mut d = doc! {
        "driver": { "name": DRIVER_NAME, "version": env!("CARGO_PKG_VERSION") },
        "os": { "type": std::env::consts::OS, "architecture": std::env::consts::ARCH },
        "platform": "Rust with tokio",
    };
    if let Some(name) = app_name {
        // The handshake spec limits appName to 128 bytes; longer names were refused by the URI parser.
        d.insert("application", doc! { "name": name });
    }
    d
}

/// Reads a numeric field as i64 (int32, int64 or double).
pub(crate) fn get_i64(d: &Document, key: &str) -> Option<i64> {
    match d.get(key)? {
        Bson::Int32(v) => Some(*v as i64),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.is_finite() => Some(*v as i64),
        _ => None,
    }
}

/// `ok` as a truth value: `None` when missing or not a number/bool.
fn ok_value(d: &Document) -> Option<bool> {
    match d.get("ok")? {
        Bson::Int32(v) => Some(*v == 1),
        Bson::Int64(v) => Some(*v == 1),
        Bson::Double(v) => Some(*v == 1.0),
        Bson::Boolean(b) => Some(*b),
        _ => None,
    }
}

/// Checks a command reply: `ok: 0` becomes [`Error::Command`], `writeErrors` or
/// `writeConcernError` become [`Error::Write`].
pub fn check_reply(address: &ServerAddress, reply: Document) -> Result<Document> {
    match ok_value(&reply) {
        Some(true) => {}
        Some(false) => return Err(command_failure(address, &reply)),
        None => {
            return Err(Error::Protocol {
                address: address.clone(),
                message: "the reply has no numeric \"ok\" field".to_string(),
            })
        }
    }
    if let Ok(errors) = reply.get_array("writeErrors") {
        if let Some(Bson::Document(first)) = errors.first() {
            return Err(Error::Write {
                address: address.clone(),
                code: get_i64(first, "code").unwrap_or(0) as i32,
                message: first.get_str("errmsg").unwrap_or("write error").to_string(),
            });
        }
    }
    if let Ok(wce) = reply.get_document("writeConcernError") {
        return Err(Error::Write {
            address: address.clone(),
            code: get_i64(wce, "code").unwrap_or(0) as i32,
            message: format!(
                "write concern error: {}",
                wce.get_str("errmsg")
                    .unwrap_or("write concern not satisfied")
            ),
        });
    }
    Ok(reply)
}

/// [`check_reply`] for a raw reply: a successful reply without write errors stays raw; anything
/// else is decoded and checked by `check_reply`, so the errors are the same.
pub fn check_raw_reply(address: &ServerAddress, reply: RawDocumentBuf) -> Result<RawDocumentBuf> {
    let ok = match reply.get("ok") {
        Ok(Some(RawBsonRef::Int32(v))) => v == 1,
        Ok(Some(RawBsonRef::Int64(v))) => v == 1,
        Ok(Some(RawBsonRef::Double(v))) => v == 1.0,
        Ok(Some(RawBsonRef::Boolean(b))) => b,
        _ => false,
    };
    let write_errors = matches!(reply.get("writeErrors"), Ok(Some(_)) | Err(_))
        || matches!(reply.get("writeConcernError"), Ok(Some(_)) | Err(_));
    if ok && !write_errors {
        return Ok(reply);
    }
    let doc = reply.to_document().map_err(|e| Error::Protocol {
        address: address.clone(),
        message: e.to_string(),
    })?;
    check_reply(address, doc)?;
    Ok(reply)
}

impl Connection {
    /// Opens the socket (no handshake). The TCP connect is bounded by `connect_timeout`.
    pub async fn open(
        address: &ServerAddress,
        options: &ConnectionOptions,
        generation: u32,
    ) -> Result<Connection> {
        let stream: Box<dyn Stream> = match address {
            ServerAddress::Tcp { host, port } => {
                let connect = async {
                    // Resolve first, so that a name that does not resolve is told apart from a
                    // host that refuses the connection.
                    let from_resolver = match &options.host_resolver {
                        Some(dns) => dns.host_addresses(host, *port).await,
                        None => None,
                    };
                    let addrs: Vec<std::net::SocketAddr> = match from_resolver {
                        Some(addrs) => addrs,
                        None => tokio::net::lookup_host((host.as_str(), *port))
                            .await
                            .map_err(|e| resolve_error(address, host, &e))?
                            .collect(),
                    };
                    if addrs.is_empty() {
                        return Err(Error::network(
                            address,
                            NetworkErrorKind::Resolve,
                            format!("cannot resolve host name {host}: no address"),
                        ));
                    }
                    tokio::net::TcpStream::connect(&addrs[..])
                        .await
                        .map_err(|e| io_error(address, &e, "connect"))
                };
                let tcp = match tokio::time::timeout(options.connect_timeout, connect).await {
                    Err(_) => {
                        return Err(timeout_error(address, "connect", options.connect_timeout))
                    }
                    Ok(r) => r?,
                };
                tcp.set_nodelay(true)
                    .map_err(|e| io_error(address, &e, "setting TCP_NODELAY"))?;
                match &options.tls {
                    None => Box::new(tcp),
                    Some(tls) => {
                        let handshake =
                            crate::net::tls::connect(address, host, tcp, tls, &options.caches.tls);
                        match tokio::time::timeout(options.connect_timeout, handshake).await {
                            Err(_) => {
                                return Err(timeout_error(
                                    address,
                                    "TLS handshake",
                                    options.connect_timeout,
                                ))
                            }
                            Ok(stream) => Box::new(stream?),
                        }
                    }
                }
            }
            #[cfg(unix)]
            ServerAddress::Unix { path } => {
                let connect = tokio::net::UnixStream::connect(path);
                match tokio::time::timeout(options.connect_timeout, connect).await {
                    Err(_) => {
                        return Err(timeout_error(address, "connect", options.connect_timeout))
                    }
                    Ok(Err(e)) => return Err(io_error(address, &e, "connect")),
                    Ok(Ok(s)) => Box::new(s),
                }
            }
            #[cfg(not(unix))]
            ServerAddress::Unix { .. } => {
                return Err(Error::invalid(format!(
                    "{address}: unix domain sockets are not supported here"
                )))
            }
        };
        Ok(Connection {
            address: address.clone(),
            stream,
            buf: Vec::new(),
            max_message_size: HANDSHAKE_MAX_MESSAGE_SIZE,
            generation,
            broken: false,
            exhaust_response_to: None,
            hello: None,
            socket_timeout: options.socket_timeout,
        })
    }

    /// Opens the socket and performs the handshake. `use_hello` says the server is known to
    /// understand OP_MSG `hello`; otherwise the first message is a legacy `isMaster` over OP_QUERY.
    pub async fn connect(
        address: &ServerAddress,
        options: &ConnectionOptions,
        generation: u32,
        use_hello: bool,
    ) -> Result<(Connection, HandshakeResult)> {
        let mut conn = Connection::open(address, options, generation).await?;
        let Some(credential) = &options.credential else {
            let hs = conn.handshake(options, use_hello).await?;
            return Ok((conn, hs));
        };
        let (fields, speculative) = crate::net::auth::prepare(credential)?;
        let hs = conn.handshake_with(options, use_hello, fields).await?;
        crate::net::auth::authenticate(
            &mut conn,
            credential,
            speculative,
            &hs.reply,
            &options.caches.scram_keys,
        )
        .await?;
        Ok((conn, hs))
    }

    /// Performs the handshake (the first message on a connection), without authentication
    /// (monitoring connections never authenticate; [`Connection::connect`] authenticates when
    /// the options carry a credential).
    pub async fn handshake(
        &mut self,
        options: &ConnectionOptions,
        use_hello: bool,
    ) -> Result<HandshakeResult> {
        self.handshake_with(options, use_hello, Document::new())
            .await
    }

    /// The handshake with extra hello fields (`saslSupportedMechs`, `speculativeAuthenticate`).
    pub async fn handshake_with(
        &mut self,
        options: &ConnectionOptions,
        use_hello: bool,
        extra: Document,
    ) -> Result<HandshakeResult> {
        let mut cmd = if use_hello {
            doc! { "hello": 1 }
        } else {
            doc! { "isMaster": 1 }
        };
        cmd.insert("helloOk", true);
        if options.load_balanced {
            cmd.insert("loadBalanced", true);
        }
        cmd.insert("client", client_metadata(options.app_name.as_deref()));
        cmd.extend(extra);
        let started = Instant::now();
        let timeout = options.connect_timeout;
        let reply = if use_hello {
            cmd.insert("$db", "admin");
            let id = self.send(&Message::Msg(OpMsg::new(cmd))).await?;
            self.read_reply(id, Some(timeout)).await?.body
        } else {
            let query = OpQuery {
                flags: wire::QUERY_FLAG_SECONDARY_OK,
                full_collection_name: "admin.$cmd".to_string(),
                number_to_skip: 0,
                number_to_return: -1,
                query: cmd,
                return_fields_selector: None,
            };
            let id = self.send(&Message::Query(query)).await?;
            self.read_reply(id, Some(timeout)).await?.body
        };
        let rtt_ms = started.elapsed().as_secs_f64() * 1000.0;
        let reply = check_reply(&self.address, reply)?;
        if let Some(max) = get_i64(&reply, "maxMessageSizeBytes") {
            if max >= wire::HEADER_LEN as i64 {
                self.max_message_size = (max as usize).min(4 * DEFAULT_MAX_MESSAGE_SIZE);
            }
        }
        self.hello = Some(reply.clone());
        Ok(HandshakeResult { reply, rtt_ms })
    }

    /// The server's address.
    pub fn address(&self) -> &ServerAddress {
        &self.address
    }

    /// The pool generation the connection was created in.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Whether a network or protocol error made the connection unusable.
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The handshake reply.
    pub fn hello_reply(&self) -> Option<&Document> {
        self.hello.as_ref()
    }

    /// maxWireVersion from the handshake (0 when unknown).
    pub fn max_wire_version(&self) -> i32 {
        self.hello
            .as_ref()
            .and_then(|h| get_i64(h, "maxWireVersion"))
            .unwrap_or(0) as i32
    }

    /// Whether the server is still streaming exhaust replies on this connection.
    pub fn is_streaming(&self) -> bool {
        self.exhaust_response_to.is_some()
    }

    fn fail<T>(&mut self, e: Error) -> Result<T> {
        if e.is_network() || matches!(e, Error::Protocol { .. }) {
            self.broken = true;
        }
        Err(e)
    }

    /// Encodes and writes one message; returns its request id.
    pub async fn send(&mut self, message: &Message) -> Result<i32> {
        if self.broken {
            return Err(Error::network(
                &self.address,
                NetworkErrorKind::Closed,
                "the connection was closed after an earlier error",
            ));
        }
        let id = next_request_id();
        // What BSON cannot hold (a NUL byte in a key...) came from the caller: nothing is sent and
        // the connection stays usable.
        let bytes = wire::encode(id, 0, message)
            .map_err(|e| Error::invalid(format!("{}: {e}", self.address)))?;
        if bytes.len() > self.max_message_size {
            return Err(Error::invalid(format!(
                "message of {} bytes exceeds the server's maxMessageSizeBytes {}",
                bytes.len(),
                self.max_message_size
            )));
        }
        let write = async {
            self.stream.write_all(&bytes).await?;
            self.stream.flush().await
        };
        let res = match self.socket_timeout {
            Some(t) => tokio::time::timeout(t, write).await.unwrap_or_else(|_| {
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "write timed out",
                ))
            }),
            None => write.await,
        };
        if let Err(e) = res {
            let err = io_error(&self.address, &e, "write");
            return self.fail(err);
        }
        Ok(id)
    }

    /// Reads one whole frame, bounded by `timeout`.
    async fn read_frame(&mut self, timeout: Option<Duration>) -> Result<Vec<u8>> {
        let read = async {
            loop {
                match wire::frame_length(&self.buf, self.max_message_size) {
                    Err(e) => {
                        return Err(Error::Protocol {
                            address: self.address.clone(),
                            message: e.to_string(),
                        })
                    }
                    Ok(Some(len)) if self.buf.len() >= len => {
                        let rest = self.buf.split_off(len);
                        return Ok(std::mem::replace(&mut self.buf, rest));
                    }
                    // The length was checked against maxMessageSizeBytes: room for the frame.
                    Ok(Some(len)) => self.buf.reserve(len - self.buf.len()),
                    // Length unknown yet: room for a small reply. An idle connection (a
                    // streaming monitor waits here between replies) then holds little memory;
                    // a larger frame gets its exact size once its header is in.
                    Ok(None) => self.buf.reserve(FIRST_READ),
                }
                match self.stream.read_buf(&mut self.buf).await {
                    Ok(0) => {
                        let what = if self.buf.is_empty() {
                            "the server closed the connection"
                        } else {
                            "the server closed the connection in the middle of a message"
                        };
                        return Err(Error::network(
                            &self.address,
                            NetworkErrorKind::Closed,
                            what,
                        ));
                    }
                    Ok(_) => {}
                    Err(e) => return Err(io_error(&self.address, &e, "read")),
                }
            }
        };
        let res = match timeout {
            Some(t) => match tokio::time::timeout(t, read).await {
                Ok(r) => r,
                Err(_) => Err(timeout_error(&self.address, "read", t)),
            },
            None => read.await,
        };
        match res {
            Ok(f) => Ok(f),
            Err(e) => self.fail(e),
        }
    }

    /// Reads the reply to request `request_id`, checking `responseTo` and the opcode.
    pub async fn read_reply(
        &mut self,
        request_id: i32,
        timeout: Option<Duration>,
    ) -> Result<RawReply> {
        let frame = self.read_frame(timeout).await?;
        self.reply_from_frame(request_id, &frame)
    }

    /// Like [`Connection::read_reply`], but the body stays raw BSON when the reply is a plain
    /// OP_MSG (no decoding into a `Document`); other replies are decoded, then re-encoded.
    async fn read_reply_raw(
        &mut self,
        request_id: i32,
        timeout: Option<Duration>,
    ) -> Result<(RawDocumentBuf, bool)> {
        let frame = self.read_frame(timeout).await?;
        match wire::decode_op_msg_raw(&frame) {
            Ok(Some((header, flags, body))) => {
                if header.response_to != request_id {
                    let err = Error::Protocol {
                        address: self.address.clone(),
                        message: format!(
                            "reply answers request {} but request {} was sent",
                            header.response_to, request_id
                        ),
                    };
                    return self.fail(err);
                }
                let more_to_come = flags & FLAG_MORE_TO_COME != 0;
                self.exhaust_response_to = more_to_come.then_some(header.request_id);
                Ok((body, more_to_come))
            }
            Ok(None) => {
                let reply = self.reply_from_frame(request_id, &frame)?;
                match RawDocumentBuf::from_document(&reply.body) {
                    Ok(raw) => Ok((raw, reply.more_to_come)),
                    Err(e) => {
                        let err = Error::Protocol {
                            address: self.address.clone(),
                            message: e.to_string(),
                        };
                        self.fail(err)
                    }
                }
            }
            Err(e) => {
                let err = Error::Protocol {
                    address: self.address.clone(),
                    message: e.to_string(),
                };
                self.fail(err)
            }
        }
    }

    fn reply_from_frame(&mut self, request_id: i32, frame: &[u8]) -> Result<RawReply> {
        let (header, message) = match wire::decode(frame) {
            Ok(x) => x,
            Err(e) => {
                let err = Error::Protocol {
                    address: self.address.clone(),
                    message: e.to_string(),
                };
                return self.fail(err);
            }
        };
        if header.response_to != request_id {
            let err = Error::Protocol {
                address: self.address.clone(),
                message: format!(
                    "reply answers request {} but request {} was sent",
                    header.response_to, request_id
                ),
            };
            return self.fail(err);
        }
        match message {
            Message::Msg(m) => {
                let more_to_come = m.flags & FLAG_MORE_TO_COME != 0;
                self.exhaust_response_to = if more_to_come {
                    Some(header.request_id)
                } else {
                    None
                };
                Ok(RawReply {
                    header,
                    body: m.into_command(),
                    more_to_come,
                })
            }
            Message::Reply(mut r) => {
                self.exhaust_response_to = None;
                if r.documents.is_empty() {
                    let err = Error::Protocol {
                        address: self.address.clone(),
                        message: "OP_REPLY carries no document".to_string(),
                    };
                    return self.fail(err);
                }
                Ok(RawReply {
                    header,
                    body: r.documents.swap_remove(0),
                    more_to_come: false,
                })
            }
            Message::Query(_) => {
                let err = Error::Protocol {
                    address: self.address.clone(),
                    message: "the server answered with an OP_QUERY".to_string(),
                };
                self.fail(err)
            }
        }
    }

    /// Runs a command on `db` like [`Connection::run_command_with`], returning the reply as raw
    /// BSON: cursor replies (`find`, `getMore`) are read without building a `Document` for every
    /// result. Failed replies give the same errors as `run_command_with`.
    pub async fn run_command_raw(
        &mut self,
        db: &str,
        mut cmd: Document,
        read_preference: Option<&ReadPreference>,
    ) -> Result<RawDocumentBuf> {
        cmd.insert("$db", db);
        if let Some(rp) = read_preference {
            cmd.insert("$readPreference", rp.to_document());
        }
        if self.exhaust_response_to.is_some() {
            return Err(Error::internal(
                "a command was sent while exhaust replies are pending",
            ));
        }
        let timeout = self.socket_timeout;
        let id = self.send(&Message::Msg(OpMsg::new(cmd))).await?;
        // Broken until the reply is read (see `round_trip`).
        self.broken = true;
        let (body, more_to_come) = self.read_reply_raw(id, timeout).await?;
        self.broken = false;
        if more_to_come {
            let err = Error::Protocol {
                address: self.address.clone(),
                message: "moreToCome set on a reply to a request that did not allow exhaust"
                    .to_string(),
            };
            return self.fail(err);
        }
        check_raw_reply(&self.address, body)
    }

    /// Sends an OP_MSG and reads its reply (raw: `ok` is not checked). `exhaust` sets
    /// `exhaustAllowed` so the server may stream further replies (see [`Connection::next_exhaust`]).
    pub async fn round_trip(
        &mut self,
        body: Document,
        exhaust: bool,
        timeout: Option<Duration>,
    ) -> Result<RawReply> {
        let id = self.send_expecting_reply(body, exhaust).await?;
        let reply = self.read_reply(id, timeout).await?;
        self.reply_arrived(reply.more_to_come, exhaust)?;
        Ok(reply)
    }

    /// [`Connection::round_trip`] with the reply's body left as raw BSON, undecoded (a monitor's
    /// checks: only the fields it reads are ever decoded). Returns the body and `moreToCome`.
    pub async fn round_trip_raw(
        &mut self,
        body: Document,
        exhaust: bool,
        timeout: Option<Duration>,
    ) -> Result<(RawDocumentBuf, bool)> {
        let id = self.send_expecting_reply(body, exhaust).await?;
        let (reply, more_to_come) = self.read_reply_raw(id, timeout).await?;
        self.reply_arrived(more_to_come, exhaust)?;
        Ok((reply, more_to_come))
    }

    /// Sends `body` as an OP_MSG whose reply will be read; returns its request id.
    async fn send_expecting_reply(&mut self, body: Document, exhaust: bool) -> Result<i32> {
        if self.exhaust_response_to.is_some() {
            return Err(Error::internal(
                "a command was sent while exhaust replies are pending",
            ));
        }
        let mut msg = OpMsg::new(body);
        if exhaust {
            msg.flags |= FLAG_EXHAUST_ALLOWED;
        }
        let id = self.send(&Message::Msg(msg)).await?;
        // Broken until the reply is read: a caller that gives up waiting (a dropped future)
        // leaves a connection whose next read would be this reply, so it must not be reused.
        self.broken = true;
        Ok(id)
    }

    /// The reply to a request sent by [`Connection::send_expecting_reply`] was read: the
    /// connection is usable again, unless the server streams without having been allowed to.
    fn reply_arrived(&mut self, more_to_come: bool, exhaust: bool) -> Result<()> {
        self.broken = false;
        if more_to_come && !exhaust {
            let err = Error::Protocol {
                address: self.address.clone(),
                message: "moreToCome set on a reply to a request that did not allow exhaust"
                    .to_string(),
            };
            return self.fail(err);
        }
        Ok(())
    }

    /// Reads the next streamed reply after one with `moreToCome`.
    pub async fn next_exhaust(&mut self, timeout: Option<Duration>) -> Result<RawReply> {
        let Some(prev) = self.exhaust_response_to else {
            return Err(Error::internal("no exhaust reply is pending"));
        };
        self.read_reply(prev, timeout).await
    }

    /// [`Connection::next_exhaust`] with the body left as raw BSON; returns it and `moreToCome`.
    pub async fn next_exhaust_raw(
        &mut self,
        timeout: Option<Duration>,
    ) -> Result<(RawDocumentBuf, bool)> {
        let Some(prev) = self.exhaust_response_to else {
            return Err(Error::internal("no exhaust reply is pending"));
        };
        self.read_reply_raw(prev, timeout).await
    }

    /// Runs a command on `db` (adds `$db`), checks the reply and returns it.
    pub async fn run_command(&mut self, db: &str, cmd: Document) -> Result<Document> {
        self.run_command_with(db, cmd, None).await
    }

    /// Like [`Connection::run_command`], adding `$readPreference` when given.
    pub async fn run_command_with(
        &mut self,
        db: &str,
        mut cmd: Document,
        read_preference: Option<&ReadPreference>,
    ) -> Result<Document> {
        cmd.insert("$db", db);
        if let Some(rp) = read_preference {
            cmd.insert("$readPreference", rp.to_document());
        }
        let timeout = self.socket_timeout;
        let reply = self.round_trip(cmd, false, timeout).await?;
        check_reply(&self.address, reply.body)
    }
}
