//! One client connection to a lab router: framing and decoding requests, awaitable and exhaust
//! hello, authentication, forwarding commands to the shard through the router's own client
//! (read preferences, cursors, write errors), and the router's faults on the socket side.

use super::*;
use crate::lab::listener::encode_reply;

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
pub(super) async fn serve(
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
        let frame = encode_reply(id, response_to, (legacy, checksum), more_to_come, reply);
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
