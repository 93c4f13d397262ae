//! The network edge lab members and mongos routers share: binding a listener on 127.0.0.1,
//! the accept loop (TCP_NODELAY, a back-off when accepting fails), the TLS handshake with its
//! deadline and the client certificate's subject, and what both say alike: `buildInfo`, which
//! hello is awaitable, the SCRAM server nonce.

use std::time::Duration;

use bson::{doc, Document};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::lab::error::{error_document, Code};
use crate::wire::{self, Message, OpMsg, OpReply, FLAG_CHECKSUM_PRESENT, FLAG_MORE_TO_COME};

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The MongoDB version the lab answers as.
pub(crate) const VERSION: &str = "7.0.12";

/// A listener on 127.0.0.1:`port` (0: any free port), with SO_REUSEADDR so that a member
/// restarted by `lab start` gets its port back at once.
pub(crate) fn bind(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(1024)
}

/// Accepts connections for ever, handing each to `on_stream` (which spawns its task); stops when
/// `on_stream` returns false. `what` names the listener in the log line of a failed accept (out
/// of file descriptors and the like), after which it backs off instead of spinning.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    what: &str,
    mut on_stream: impl FnMut(TcpStream) -> bool,
) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let _ = stream.set_nodelay(true);
                if !on_stream(stream) {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!("{what}: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// The server side of a TLS handshake, given [`HANDSHAKE_TIMEOUT`]: the stream and the subject
/// DN of the client certificate it presented, or None when the handshake failed or stalled.
pub(crate) async fn tls_handshake(
    acceptor: TlsAcceptor,
    stream: TcpStream,
) -> Option<(TlsStream<TcpStream>, Option<String>)> {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => {
            let peer = peer_subject(&tls);
            Some((tls, peer))
        }
        _ => None,
    }
}

/// The subject DN (RFC 2253) of the client certificate a TLS connection presented (rustls
/// verified it against the lab's CAs during the handshake).
pub(crate) fn peer_subject<S>(tls: &TlsStream<S>) -> Option<String> {
    let certs = tls.get_ref().1.peer_certificates()?;
    crate::lab::dn::subject_dn(certs.first()?)
}

/// The `buildInfo` reply: `distmod` says which lab process answers (`rsctl-lab` for a member,
/// `rsctl-lab-mongos` for a router).
pub(crate) fn build_info(distmod: &str) -> Document {
    doc! {
        "version": VERSION,
        "gitVersion": "0000000000000000000000000000000000000000",
        "modules": [],
        "allocator": "system",
        "javascriptEngine": "none",
        "sysInfo": "deprecated",
        "versionArray": [7, 0, 12, 0],
        "buildEnvironment": {"distmod": distmod, "target_arch": std::env::consts::ARCH, "target_os": std::env::consts::OS},
        "bits": 64,
        "debug": false,
        "maxBsonObjectSize": 16_777_216,
    }
}

/// A hello that may wait for a topology change (it carries topologyVersion and maxAwaitTimeMS).
pub(crate) fn is_awaitable_hello(command: &Document) -> bool {
    let name = command.keys().next().map(String::as_str).unwrap_or("");
    matches!(name, "hello" | "isMaster" | "ismaster")
        && command.contains_key("topologyVersion")
        && command.contains_key("maxAwaitTimeMS")
}

/// Fresh randomness for a SCRAM server nonce (24 base64 characters).
pub(crate) fn server_nonce() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 18]>())
}

/// Encodes the reply to a request: OP_REPLY for OP_QUERY, otherwise OP_MSG with the request's
/// checksum flag, and `moreToCome` when an exhaust reply follows. A reply BSON cannot hold (a key
/// with a NUL byte) becomes an `InternalError` reply in the same framing.
pub(crate) fn encode_reply(
    reply_id: i32,
    request_id: i32,
    (legacy, checksum): (bool, bool),
    more_to_come: bool,
    reply: Document,
) -> Vec<u8> {
    let frame = |reply: Document| {
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
        wire::encode(reply_id, request_id, &message)
    };
    frame(reply)
        .or_else(|e| frame(error_document(Code::InternalError, &e.to_string())))
        // The fallback's keys are fixed and its message is a string value: it always encodes.
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awaitable_hello_needs_topology_version_and_max_await() {
        let tv = doc! {"processId": bson::oid::ObjectId::new(), "counter": 0_i64};
        assert!(is_awaitable_hello(
            &doc! {"hello": 1, "topologyVersion": tv.clone(), "maxAwaitTimeMS": 10}
        ));
        assert!(is_awaitable_hello(
            &doc! {"isMaster": 1, "topologyVersion": tv.clone(), "maxAwaitTimeMS": 10}
        ));
        assert!(!is_awaitable_hello(&doc! {"hello": 1}));
        assert!(!is_awaitable_hello(
            &doc! {"ping": 1, "topologyVersion": tv, "maxAwaitTimeMS": 10}
        ));
    }

    #[test]
    fn build_info_names_the_process() {
        let member = build_info("rsctl-lab");
        let router = build_info("rsctl-lab-mongos");
        assert_eq!(member.get_str("version").unwrap(), VERSION);
        assert_eq!(
            router
                .get_document("buildEnvironment")
                .unwrap()
                .get_str("distmod")
                .unwrap(),
            "rsctl-lab-mongos"
        );
        assert_ne!(member, router);
    }

    #[test]
    fn nonces_are_fresh() {
        let (a, b) = (server_nonce(), server_nonce());
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
    }
}
