//! One client connection of a lab member: framing (`wire::frame_length` then `wire::decode`),
//! OP_MSG and legacy OP_QUERY commands, replies delayed by the member's latency and held while it
//! is paused, checksums echoed, and exhaust hello (`moreToCome` replies to an awaitable hello that
//! is re-submitted with each reply's topologyVersion until the client goes away).
//!
//! When the lab runs with auth, each connection keeps its [`ConnAuth`]: SASL commands are
//! answered here, other commands before authentication get Unauthorized.
//!
//! A malformed message closes this connection only.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, Document};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{lock, Shared};
use crate::lab::auth::{ConnAuth, Gate};
use crate::lab::cluster::{Cluster, Millis, Ready, Request, WireResponse};
use crate::lab::listener::{encode_reply, is_awaitable_hello, server_nonce};
use crate::wire::{
    self, Message, OpMsg, DEFAULT_MAX_BSON_SIZE, DEFAULT_MAX_MESSAGE_SIZE, FLAG_CHECKSUM_PRESENT,
    FLAG_EXHAUST_ALLOWED, FLAG_MORE_TO_COME, QUERY_FLAG_SECONDARY_OK,
};

/// mongod accepts a command body this much over maxBsonObjectSize (room for the command's own
/// fields around a maximal document).
const BODY_SLACK: usize = 16 * 1024;
/// How many exhaust replies may follow each other without the cluster ever parking the hello;
/// past that the stream ends (a plain reply) instead of spinning.
const MAX_IMMEDIATE_EXHAUST: u32 = 16;

/// How to answer one request.
struct Pending {
    /// OP_QUERY: answer with OP_REPLY.
    legacy: bool,
    /// The request carried a checksum: so does the reply.
    checksum: bool,
    /// The client set moreToCome: it wants no reply.
    no_reply: bool,
    /// An awaitable hello sent with exhaustAllowed.
    exhaust: Option<Exhaust>,
}

/// The hello an exhaust stream keeps re-submitting.
struct Exhaust {
    command: Document,
    db: String,
    /// The topologyVersion the current submission carried.
    sent: Option<Document>,
    /// Replies in a row that came back without the cluster parking the hello.
    immediate: u32,
}

struct Conn {
    shared: Arc<Shared>,
    member: usize,
    conn: u64,
    pending: HashMap<i32, Pending>,
    /// Encoded replies and when they may be written (latency).
    out: VecDeque<(Instant, Vec<u8>)>,
    /// Authentication state when the lab runs with auth.
    auth: Option<ConnAuth>,
    /// Fields the auth layer adds to pending hello replies (saslSupportedMechs, speculative auth).
    hello_extra: HashMap<i32, Document>,
}

/// Serves one accepted connection until the client closes it, it sends garbage, or the member
/// is killed.
pub(super) async fn serve(
    shared: Arc<Shared>,
    member: usize,
    conn: u64,
    stream: impl AsyncRead + AsyncWrite + Send + Unpin,
    peer_subject: Option<String>,
    rx: mpsc::UnboundedReceiver<Ready>,
) {
    let mut c = Conn {
        member,
        conn,
        pending: HashMap::new(),
        out: VecDeque::new(),
        auth: shared
            .auth
            .clone()
            .map(|store| ConnAuth::with_peer(store, peer_subject)),
        hello_extra: HashMap::new(),
        shared,
    };
    let outcome = c.run(stream, rx).await;
    if let Err(e) = outcome {
        tracing::debug!("lab member {member} connection {conn}: {e}");
    }
    c.close();
}

impl Conn {
    async fn run(
        &mut self,
        stream: impl AsyncRead + AsyncWrite + Send + Unpin,
        mut rx: mpsc::UnboundedReceiver<Ready>,
    ) -> std::io::Result<()> {
        let (mut rd, mut wr) = tokio::io::split(stream);
        let mut view = self.shared.members[self.member].view.subscribe();
        let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
        loop {
            let v = *view.borrow_and_update();
            if !v.up {
                // Killed (or shut down): what is already due goes out, then the socket closes.
                self.flush(&mut wr).await?;
                return Ok(());
            }
            if !v.paused {
                while let Some(n) = complete_frame(&buf)? {
                    let frame: Vec<u8> = buf.drain(..n).collect();
                    self.on_frame(&frame)?;
                }
                if buf.is_empty() && buf.capacity() > 1 << 20 {
                    // Don't keep a huge buffer around after one big insert.
                    buf = Vec::with_capacity(16 * 1024);
                }
                self.flush(&mut wr).await?;
            }
            let next_write = if v.paused {
                None
            } else {
                self.out.front().map(|(t, _)| *t)
            };
            tokio::select! {
                r = rd.read_buf(&mut buf), if !v.paused => {
                    if r? == 0 {
                        return Ok(());
                    }
                }
                Some(ready) = rx.recv() => self.complete(ready.request_id, ready.reply, false),
                _ = tokio::time::sleep_until(next_write.unwrap_or_else(Instant::now)), if next_write.is_some() => {}
                changed = view.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Writes every reply whose time has come, in one write.
    async fn flush(&mut self, wr: &mut (impl AsyncWrite + Unpin)) -> std::io::Result<()> {
        let now = Instant::now();
        let mut batch = Vec::new();
        while self.out.front().is_some_and(|(t, _)| *t <= now) {
            if let Some((_, bytes)) = self.out.pop_front() {
                batch.extend_from_slice(&bytes);
            }
        }
        if !batch.is_empty() {
            wr.write_all(&batch).await?;
        }
        Ok(())
    }

    fn on_frame(&mut self, frame: &[u8]) -> std::io::Result<()> {
        match read_request(frame)? {
            Incoming::Reject {
                request_id,
                pending,
                error,
            } => self.reject(request_id, pending, error),
            Incoming::Submit {
                request_id,
                db,
                command,
                secondary_ok,
                pending,
            } => {
                let legacy = pending.legacy;
                self.submit(request_id, db, command, secondary_ok, legacy, pending)
            }
        }
        Ok(())
    }

    fn submit(
        &mut self,
        request_id: i32,
        db: String,
        command: Document,
        secondary_ok: bool,
        legacy: bool,
        p: Pending,
    ) {
        if let Some(auth) = self.auth.as_mut() {
            match auth.gate(&db, &command, &server_nonce()) {
                Gate::Reply(reply) => return self.reject(request_id, p, reply),
                Gate::Pass(Some(extra)) => {
                    self.hello_extra.insert(request_id, extra);
                }
                Gate::Pass(None) => {}
            }
        }
        self.pending.insert(request_id, p);
        let request = Request {
            member: self.member,
            conn: self.conn,
            request_id,
            db,
            command,
            secondary_ok,
            legacy,
        };
        match self.shared.submit(request) {
            WireResponse::Now(reply) => self.complete(request_id, reply, true),
            WireResponse::Raw(reply) => self.complete_raw(request_id, &reply),
            WireResponse::Parked => {}
        }
    }

    /// Answers a request without asking the cluster.
    fn reject(&mut self, request_id: i32, p: Pending, error: Document) {
        self.pending.insert(request_id, p);
        self.complete(request_id, error, true);
    }

    /// Queues the reply to `request_id`; for an exhaust hello, re-submits it.
    fn complete(&mut self, request_id: i32, mut reply: Document, immediate: bool) {
        let Some(p) = self.pending.remove(&request_id) else {
            return;
        };
        if let Some(extra) = self.hello_extra.remove(&request_id) {
            if is_ok(&reply) {
                reply.extend(extra);
            }
        }
        if p.no_reply {
            return;
        }
        let reply_id = self.shared.message_id();
        let mut again = None;
        if let Some(mut ex) = p.exhaust {
            let tv = reply.get_document("topologyVersion").ok().cloned();
            ex.immediate = if immediate { ex.immediate + 1 } else { 0 };
            let stalled = immediate && tv == ex.sent;
            if let Some(tv) =
                tv.filter(|_| is_ok(&reply) && !stalled && ex.immediate <= MAX_IMMEDIATE_EXHAUST)
            {
                let mut command = ex.command.clone();
                command.insert("topologyVersion", tv.clone());
                ex.sent = Some(tv);
                again = Some((command, ex));
            }
        }
        let bytes = encode_reply(
            reply_id,
            request_id,
            (p.legacy, p.checksum),
            again.is_some(),
            reply,
        );
        let latency = self.shared.members[self.member].view.borrow().latency_ms;
        self.out
            .push_back((Instant::now() + Duration::from_millis(latency), bytes));
        if let Some((command, ex)) = again {
            // The next reply answers this one (mongod: responseTo = the previous reply's id).
            let db = ex.db.clone();
            let next = Pending {
                legacy: false,
                checksum: p.checksum,
                no_reply: false,
                exhaust: Some(ex),
            };
            self.submit(reply_id, db, command, false, false, next);
        }
    }

    /// Queues a reply that is already BSON (a cursor batch: copied, not re-encoded).
    fn complete_raw(&mut self, request_id: i32, reply: &bson::RawDocument) {
        let Some(p) = self.pending.remove(&request_id) else {
            return;
        };
        self.hello_extra.remove(&request_id);
        if p.no_reply {
            return;
        }
        let reply_id = self.shared.message_id();
        let flags = if p.checksum { FLAG_CHECKSUM_PRESENT } else { 0 };
        let bytes = wire::encode_raw_reply(reply_id, request_id, p.legacy, flags, reply.as_bytes());
        let latency = self.shared.members[self.member].view.borrow().latency_ms;
        self.out
            .push_back((Instant::now() + Duration::from_millis(latency), bytes));
    }

    /// The connection is gone: the cluster forgets its parked requests.
    fn close(&mut self) {
        lock(&self.shared.routes).remove(&self.conn);
        {
            let mut c = self.shared.cluster();
            c.connection_closed(self.member, self.conn);
            self.shared.pump(&mut **c);
        }
        lock(&self.shared.members[self.member].conns).remove(&self.conn);
    }
}

/// A decoded request frame: answered at once with an error, or a command for the cluster.
enum Incoming {
    Reject {
        request_id: i32,
        pending: Pending,
        error: Document,
    },
    Submit {
        request_id: i32,
        db: String,
        command: Document,
        secondary_ok: bool,
        pending: Pending,
    },
}

/// Decodes one complete frame into what the connection does with it. An error means the frame is
/// malformed (or an OP_REPLY): the connection closes.
fn read_request(frame: &[u8]) -> std::io::Result<Incoming> {
    let (header, message) = wire::decode(frame).map_err(invalid)?;
    let request_id = header.request_id;
    match message {
        Message::Msg(m) => {
            let pending = Pending {
                legacy: false,
                checksum: m.flags & FLAG_CHECKSUM_PRESENT != 0,
                no_reply: m.flags & FLAG_MORE_TO_COME != 0,
                exhaust: None,
            };
            let exhaust_allowed = m.flags & FLAG_EXHAUST_ALLOWED != 0;
            if frame.len() > DEFAULT_MAX_BSON_SIZE {
                if let Some(error) = too_large(&m) {
                    return Ok(Incoming::Reject {
                        request_id,
                        pending,
                        error,
                    });
                }
            }
            let command = m.into_command();
            let db = match command.get("$db") {
                Some(Bson::String(db)) if !db.is_empty() => db.clone(),
                _ => {
                    let error = error_reply(
                        40571,
                        "Location40571",
                        "OP_MSG requests require a $db argument",
                    );
                    return Ok(Incoming::Reject {
                        request_id,
                        pending,
                        error,
                    });
                }
            };
            let pending = Pending {
                exhaust: (exhaust_allowed && is_awaitable_hello(&command)).then(|| Exhaust {
                    sent: command.get_document("topologyVersion").ok().cloned(),
                    command: command.clone(),
                    db: db.clone(),
                    immediate: 0,
                }),
                ..pending
            };
            Ok(Incoming::Submit {
                request_id,
                db,
                command,
                secondary_ok: false,
                pending,
            })
        }
        Message::Query(q) => {
            let pending = Pending {
                legacy: true,
                checksum: false,
                no_reply: false,
                exhaust: None,
            };
            let Some(db) = q
                .full_collection_name
                .strip_suffix(".$cmd")
                .filter(|d| !d.is_empty())
            else {
                let error = error_reply(
                    5739101,
                    "Location5739101",
                    &format!(
                        "OP_QUERY is no longer supported for queries ({}): use OP_MSG",
                        q.full_collection_name
                    ),
                );
                return Ok(Incoming::Reject {
                    request_id,
                    pending,
                    error,
                });
            };
            Ok(Incoming::Submit {
                request_id,
                db: db.to_string(),
                command: unwrap_query(q.query),
                secondary_ok: q.flags & QUERY_FLAG_SECONDARY_OK != 0,
                pending,
            })
        }
        Message::Reply(_) => Err(invalid("a client sent OP_REPLY")),
    }
}

/// Runs the request frames at the start of `input` through a lab member's request path without
/// a socket: framing, decoding (OP_MSG, OP_QUERY), the `$db` and namespace checks, then
/// the cluster (`handle_wire`, as the sockets call it) at lab time `now`. Pushes onto `replies`
/// the encoded reply of each frame answered at once (requests the cluster parks, and
/// `moreToCome` requests, have none here; an exhaust hello gets its first reply only).
///
/// Stops at the first incomplete frame. An error is what makes a real connection close (a bad
/// length, a malformed message, an OP_REPLY from a client); the replies before it stay in
/// `replies`. Used by the fuzz targets (`fuzz/`).
#[doc(hidden)]
pub fn answer_frames(
    cluster: &mut Cluster,
    member: usize,
    input: &[u8],
    now: Millis,
    replies: &mut Vec<Vec<u8>>,
) -> std::io::Result<()> {
    let mut rest = input;
    let mut reply_id: i32 = 1;
    while let Some(n) = complete_frame(rest)? {
        let (frame, tail) = rest.split_at(n);
        rest = tail;
        let (request_id, pending, reply) = match read_request(frame)? {
            Incoming::Reject {
                request_id,
                pending,
                error,
            } => (request_id, pending, error),
            Incoming::Submit {
                request_id,
                db,
                command,
                secondary_ok,
                pending,
            } => {
                let request = Request {
                    member,
                    conn: 1,
                    request_id,
                    db,
                    command,
                    secondary_ok,
                    legacy: pending.legacy,
                };
                match cluster.handle_wire(request, now) {
                    WireResponse::Now(reply) => (request_id, pending, reply),
                    WireResponse::Raw(raw) => {
                        if !pending.no_reply {
                            let flags = if pending.checksum {
                                FLAG_CHECKSUM_PRESENT
                            } else {
                                0
                            };
                            replies.push(wire::encode_raw_reply(
                                reply_id,
                                request_id,
                                pending.legacy,
                                flags,
                                raw.as_bytes(),
                            ));
                            reply_id = reply_id.wrapping_add(1) & 0x7fff_ffff;
                        }
                        continue;
                    }
                    WireResponse::Parked => continue,
                }
            }
        };
        if pending.no_reply {
            continue;
        }
        replies.push(encode_reply(
            reply_id,
            request_id,
            (pending.legacy, pending.checksum),
            false,
            reply,
        ));
        reply_id = reply_id.wrapping_add(1) & 0x7fff_ffff;
    }
    Ok(())
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

/// The length of the complete frame at the start of `buf`, if one is there.
fn complete_frame(buf: &[u8]) -> std::io::Result<Option<usize>> {
    match wire::frame_length(buf, DEFAULT_MAX_MESSAGE_SIZE).map_err(invalid)? {
        Some(n) if buf.len() >= n => Ok(Some(n)),
        _ => Ok(None),
    }
}

fn is_ok(reply: &Document) -> bool {
    match reply.get("ok") {
        Some(Bson::Double(v)) => *v == 1.0,
        Some(Bson::Int32(v)) => *v == 1,
        Some(Bson::Int64(v)) => *v == 1,
        Some(Bson::Boolean(v)) => *v,
        _ => false,
    }
}

/// OP_QUERY commands may come wrapped as `{$query: {...}, $readPreference: {...}}`.
fn unwrap_query(query: Document) -> Document {
    let wrapped = matches!(
        query.keys().next().map(String::as_str),
        Some("$query") | Some("query")
    ) && matches!(query.iter().next(), Some((_, Bson::Document(_))));
    if !wrapped {
        return query;
    }
    let mut iter = query.into_iter();
    let mut command = match iter.next() {
        Some((_, Bson::Document(d))) => d,
        _ => Document::new(),
    };
    for (k, v) in iter {
        if k == "$readPreference" {
            command.insert(k, v);
        }
    }
    command
}

/// mongod's BSONObjectTooLarge (10334) for a document over maxBsonObjectSize.
fn too_large(m: &OpMsg) -> Option<Document> {
    let size = |d: &Document| bson::to_vec(d).map(|v| v.len()).unwrap_or(usize::MAX);
    let body = size(&m.body);
    if body > DEFAULT_MAX_BSON_SIZE + BODY_SLACK {
        return Some(too_large_reply(body));
    }
    m.sequences
        .iter()
        .flat_map(|s| s.documents.iter())
        .map(size)
        .find(|&n| n > DEFAULT_MAX_BSON_SIZE)
        .map(too_large_reply)
}

fn too_large_reply(size: usize) -> Document {
    error_reply(
        10334,
        "BSONObjectTooLarge",
        &format!("BSONObj size: {size} (0x{size:X}) is invalid. Size must be between 0 and 16793600(16MB)"),
    )
}

fn error_reply(code: i32, code_name: &str, message: &str) -> Document {
    doc! {"ok": 0.0, "errmsg": message, "code": code, "codeName": code_name}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_legacy_query_and_keeps_read_preference() {
        let q = doc! {"$query": {"isMaster": 1}, "$readPreference": {"mode": "secondaryPreferred"}};
        assert_eq!(
            unwrap_query(q),
            doc! {"isMaster": 1, "$readPreference": {"mode": "secondaryPreferred"}}
        );
        // A command whose own field is called `query` (count) is not a wrapper.
        let count = doc! {"count": "c", "query": {"a": 1}};
        assert_eq!(unwrap_query(count.clone()), count);
    }

    #[test]
    fn oversized_sequence_document_is_rejected() {
        let big = doc! {"x": "a".repeat(DEFAULT_MAX_BSON_SIZE)};
        let m = OpMsg {
            flags: 0,
            body: doc! {"insert": "c", "$db": "t"},
            sequences: vec![wire::DocumentSequence {
                identifier: "documents".into(),
                documents: vec![big],
            }],
        };
        let e = too_large(&m).expect("rejected");
        assert_eq!(e.get_i32("code").unwrap(), 10334);
        assert_eq!(e.get_str("codeName").unwrap(), "BSONObjectTooLarge");
        assert!(too_large(&OpMsg::new(doc! {"ping": 1})).is_none());
    }
}
