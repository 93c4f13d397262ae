//! A tiny scripted fake server for connection and monitor tests: it answers each request with
//! what the script says (a canned hello, a truncated reply, a garbage length, a wrong
//! responseTo, a closed socket...). Every server stops on its own when its script ends or after
//! a timeout.

#![allow(dead_code)]

use std::time::Duration;

use bson::{doc, Document};
use rsctl::wire::{self, Message, OpMsg, OpReply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// What the fake server does with one request.
#[derive(Debug, Clone)]
pub enum Step {
    /// Reply with this document (OP_REPLY for OP_QUERY, OP_MSG for OP_MSG).
    Reply(Document),
    /// Reply with this document, then stream these documents with moreToCome (last one without).
    Stream(Vec<Document>),
    /// Send only the first `n` bytes of a valid reply, then close.
    Truncated(Document, usize),
    /// Send a header whose length is `len`, then close.
    GarbageLength(i32),
    /// Reply with responseTo = request id + 1.
    WrongResponseTo(Document),
    /// Close the socket without answering.
    Close,
    /// Never answer (the client must time out); holds the socket for `Duration`.
    Hang(Duration),
    /// Reply with raw bytes (as-is).
    Raw(Vec<u8>),
    /// Answer with what the function returns for the command; `None` closes the socket.
    Respond(Responder),
}

/// A function choosing the reply to a command (see [`Step::Respond`]).
#[derive(Clone)]
pub struct Responder(pub std::sync::Arc<ResponderFn>);

/// The function type behind a [`Responder`].
pub type ResponderFn = dyn Fn(&Document) -> Option<Document> + Send + Sync;

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Responder")
    }
}

/// A running fake server.
pub struct Fake {
    pub port: u16,
    /// Every command the server received (body with sequences folded in), in order.
    pub seen: mpsc::UnboundedReceiver<(bool, Document)>,
}

/// A hello reply of a replica-set primary with the given port as `me`.
pub fn hello_primary(port: u16) -> Document {
    doc! {
        "helloOk": true,
        "isWritablePrimary": true,
        "setName": "rs0",
        "setVersion": 1,
        "hosts": [format!("127.0.0.1:{port}")],
        "me": format!("127.0.0.1:{port}"),
        "primary": format!("127.0.0.1:{port}"),
        "maxWireVersion": 21,
        "minWireVersion": 0,
        "maxBsonObjectSize": 16777216,
        "maxMessageSizeBytes": 48000000,
        "topologyVersion": { "processId": bson::oid::ObjectId::new(), "counter": 0i64 },
        "ok": 1.0,
    }
}

async fn read_frame(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await.ok()?;
    let n = i32::from_le_bytes(len);
    if !(16..=48_000_000).contains(&n) {
        return None;
    }
    let mut frame = vec![0u8; n as usize];
    frame[..4].copy_from_slice(&len);
    s.read_exact(&mut frame[4..]).await.ok()?;
    Some(frame)
}

fn reply_bytes(
    legacy: bool,
    request_id: i32,
    response_to: i32,
    doc: Document,
    flags: u32,
) -> Vec<u8> {
    if legacy {
        wire::encode(
            request_id,
            response_to,
            &Message::Reply(OpReply {
                response_flags: 0,
                cursor_id: 0,
                starting_from: 0,
                documents: vec![doc],
            }),
        )
        .expect("fake replies encode")
    } else {
        let mut m = OpMsg::new(doc);
        m.flags = flags;
        wire::encode(request_id, response_to, &Message::Msg(m)).expect("fake replies encode")
    }
}

/// Starts a fake server; each accepted connection plays `scripts[i]` (the i-th connection), the
/// last script is reused for further connections. The server stops after `lifetime`.
pub async fn start(scripts: Vec<Vec<Step>>, lifetime: Duration) -> Fake {
    start_with(|_| scripts, lifetime).await
}

/// Like [`start`], with scripts built once the port is known (for `me`/`hosts`).
pub async fn start_with(scripts: impl FnOnce(u16) -> Vec<Vec<Step>>, lifetime: Duration) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let scripts = scripts(port);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let serve = async move {
            let mut i = 0;
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let script = scripts[i.min(scripts.len() - 1)].clone();
                i += 1;
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(lifetime, play(&mut sock, script, tx)).await;
                });
            }
        };
        let _ = tokio::time::timeout(lifetime, serve).await;
    });
    Fake { port, seen: rx }
}

async fn play(
    sock: &mut TcpStream,
    script: Vec<Step>,
    tx: mpsc::UnboundedSender<(bool, Document)>,
) {
    let mut next_id = 1000;
    for step in script {
        let Some(frame) = read_frame(sock).await else {
            return;
        };
        let Ok((header, msg)) = wire::decode(&frame) else {
            return;
        };
        let (legacy, cmd) = match msg {
            Message::Msg(m) => (false, m.into_command()),
            Message::Query(q) => (true, q.query),
            Message::Reply(_) => return,
        };
        let _ = tx.send((legacy, cmd.clone()));
        next_id += 1;
        let rid = header.request_id;
        match step {
            Step::Reply(d) => {
                let _ = sock
                    .write_all(&reply_bytes(legacy, next_id, rid, d, 0))
                    .await;
            }
            Step::Stream(docs) => {
                let mut prev = rid;
                let n = docs.len();
                for (k, d) in docs.into_iter().enumerate() {
                    next_id += 1;
                    let flags = if k + 1 < n {
                        wire::FLAG_MORE_TO_COME
                    } else {
                        0
                    };
                    let _ = sock
                        .write_all(&reply_bytes(false, next_id, prev, d, flags))
                        .await;
                    prev = next_id;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Step::Truncated(d, n) => {
                let b = reply_bytes(legacy, next_id, rid, d, 0);
                let _ = sock.write_all(&b[..n.min(b.len())]).await;
                return;
            }
            Step::GarbageLength(len) => {
                let mut b = len.to_le_bytes().to_vec();
                b.extend_from_slice(&[0u8; 12]);
                let _ = sock.write_all(&b).await;
                return;
            }
            Step::WrongResponseTo(d) => {
                let _ = sock
                    .write_all(&reply_bytes(legacy, next_id, rid.wrapping_add(1), d, 0))
                    .await;
            }
            Step::Close => return,
            Step::Hang(d) => {
                tokio::time::sleep(d).await;
                return;
            }
            Step::Raw(b) => {
                let _ = sock.write_all(&b).await;
            }
            Step::Respond(f) => match (f.0)(&cmd) {
                Some(d) => {
                    let _ = sock
                        .write_all(&reply_bytes(legacy, next_id, rid, d, 0))
                        .await;
                }
                None => return,
            },
        }
    }
    // Script done: keep the socket open until the peer closes it.
    let mut sink = [0u8; 64];
    while let Ok(n) = sock.read(&mut sink).await {
        if n == 0 {
            break;
        }
    }
}
