//! `net::Connection` and `net::Pool` against a scripted fake server: the handshake (legacy
//! isMaster over OP_QUERY first, OP_MSG hello once known), client metadata, `$db`, error
//! mapping, and hostile replies (truncated, garbage lengths, wrong responseTo, closed sockets,
//! hangs) that must give typed errors, never a panic.

use std::time::Duration;

use crate::util::fake::{self, Step};
use bson::doc;
use rsctl::core::address::ServerAddress;
use rsctl::error::{Error, NetworkErrorKind};
use rsctl::net::{Connection, ConnectionOptions, Pool};

const LIFE: Duration = Duration::from_secs(10);

fn opts() -> ConnectionOptions {
    ConnectionOptions {
        connect_timeout: Duration::from_millis(1500),
        socket_timeout: Some(Duration::from_millis(1500)),
        app_name: Some("conn-test".into()),
        load_balanced: false,
        credential: None,
        ..ConnectionOptions::default()
    }
}

fn addr(port: u16) -> ServerAddress {
    ServerAddress::new("127.0.0.1", port)
}

#[tokio::test]
async fn legacy_handshake_then_op_msg_command() {
    let mut f = fake::start(
        vec![vec![
            Step::Reply(fake::hello_primary(1)),
            Step::Reply(doc! {"ok": 1, "n": 5}),
        ]],
        LIFE,
    )
    .await;
    let (mut conn, hs) = Connection::connect(&addr(f.port), &opts(), 0, false)
        .await
        .unwrap();
    assert_eq!(hs.reply.get_str("setName").unwrap(), "rs0");
    assert!(hs.rtt_ms >= 0.0);
    let (legacy, hello) = f.seen.recv().await.unwrap();
    assert!(legacy, "first handshake must be OP_QUERY isMaster");
    assert_eq!(hello.get_i32("isMaster").unwrap(), 1);
    assert!(hello.get_bool("helloOk").unwrap());
    let client = hello.get_document("client").unwrap();
    assert_eq!(
        client
            .get_document("driver")
            .unwrap()
            .get_str("name")
            .unwrap(),
        "rsctl"
    );
    assert_eq!(
        client
            .get_document("application")
            .unwrap()
            .get_str("name")
            .unwrap(),
        "conn-test"
    );
    assert!(client.get_document("os").unwrap().get_str("type").is_ok());

    let reply = conn.run_command("test", doc! {"count": "c"}).await.unwrap();
    assert_eq!(reply.get_i32("n").unwrap(), 5);
    let (legacy, cmd) = f.seen.recv().await.unwrap();
    assert!(!legacy);
    assert_eq!(cmd.get_str("$db").unwrap(), "test");
    assert_eq!(conn.max_wire_version(), 21);
}

#[tokio::test]
async fn known_hello_uses_op_msg_hello() {
    let mut f = fake::start(vec![vec![Step::Reply(fake::hello_primary(1))]], LIFE).await;
    Connection::connect(&addr(f.port), &opts(), 0, true)
        .await
        .unwrap();
    let (legacy, hello) = f.seen.recv().await.unwrap();
    assert!(!legacy);
    assert_eq!(hello.get_i32("hello").unwrap(), 1);
    assert_eq!(hello.get_str("$db").unwrap(), "admin");
}

#[tokio::test]
async fn command_and_write_errors_are_typed() {
    let tv = doc! {"processId": bson::oid::ObjectId::new(), "counter": 3i64};
    let f = fake::start(
        vec![vec![
            Step::Reply(fake::hello_primary(1)),
            Step::Reply(doc! {"ok": 0, "code": 10107, "codeName": "NotWritablePrimary", "errmsg": "not primary", "errorLabels": ["RetryableWriteError"], "topologyVersion": tv}),
            Step::Reply(doc! {"ok": 1, "n": 0, "writeErrors": [{"index": 0, "code": 11000, "errmsg": "E11000 duplicate key"}]}),
            Step::Reply(doc! {"ok": 1, "n": 1, "writeConcernError": {"code": 64, "errmsg": "waiting for replication timed out"}}),
            Step::Reply(doc! {"n": 1}),
        ]],
        LIFE,
    )
    .await;
    let (mut conn, _) = Connection::connect(&addr(f.port), &opts(), 0, false)
        .await
        .unwrap();
    let e = conn
        .run_command("admin", doc! {"insert": "c"})
        .await
        .unwrap_err();
    match &e {
        Error::Command {
            code,
            code_name,
            labels,
            topology_version,
            ..
        } => {
            assert_eq!(*code, Some(10107));
            assert_eq!(code_name.as_deref(), Some("NotWritablePrimary"));
            assert_eq!(labels, &vec!["RetryableWriteError".to_string()]);
            assert_eq!(topology_version.as_ref().unwrap().counter, 3);
        }
        other => panic!("expected a command error, got {other:?}"),
    }
    assert!(e.is_state_change());
    assert!(
        !conn.is_broken(),
        "a command error leaves the connection usable"
    );
    let e = conn
        .run_command("test", doc! {"insert": "c"})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Write { code: 11000, .. }), "{e:?}");
    let e = conn
        .run_command("test", doc! {"insert": "c"})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Write { code: 64, .. }), "{e:?}");
    let e = conn
        .run_command("test", doc! {"ping": 1})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Protocol { .. }), "missing ok: {e:?}");
}

async fn second_command_error(step: Step) -> (Error, bool) {
    let f = fake::start(vec![vec![Step::Reply(fake::hello_primary(1)), step]], LIFE).await;
    let (mut conn, _) = Connection::connect(&addr(f.port), &opts(), 0, false)
        .await
        .unwrap();
    let e = conn
        .run_command("test", doc! {"ping": 1})
        .await
        .unwrap_err();
    (e, conn.is_broken())
}

#[tokio::test]
async fn truncated_reply_is_a_closed_network_error() {
    let (e, broken) =
        second_command_error(Step::Truncated(doc! {"ok": 1, "x": "yyyyyyyyyyyy"}, 25)).await;
    assert!(
        matches!(
            e,
            Error::Network {
                kind: NetworkErrorKind::Closed,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("middle of a message"), "{e}");
    assert!(broken);
}

#[tokio::test]
async fn garbage_lengths_are_protocol_errors() {
    for len in [-5, 3, 0x7fff_ffff] {
        let (e, broken) = second_command_error(Step::GarbageLength(len)).await;
        assert!(matches!(e, Error::Protocol { .. }), "length {len}: {e:?}");
        assert!(broken);
    }
}

#[tokio::test]
async fn wrong_response_to_is_a_protocol_error() {
    let (e, broken) = second_command_error(Step::WrongResponseTo(doc! {"ok": 1})).await;
    assert!(matches!(e, Error::Protocol { .. }), "{e:?}");
    assert!(e.to_string().contains("answers request"), "{e}");
    assert!(broken);
}

#[tokio::test]
async fn corrupt_body_is_a_protocol_error() {
    // A well-framed OP_MSG whose document length points past the frame.
    let mut b = Vec::new();
    b.extend_from_slice(&26i32.to_le_bytes());
    b.extend_from_slice(&77i32.to_le_bytes());
    b.extend_from_slice(&0i32.to_le_bytes()); // responseTo: decoding fails before it is checked
    b.extend_from_slice(&2013i32.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.push(0);
    b.extend_from_slice(&500i32.to_le_bytes());
    b.push(0);
    let (e, broken) = second_command_error(Step::Raw(b)).await;
    assert!(matches!(e, Error::Protocol { .. }), "{e:?}");
    assert!(broken);
}

#[tokio::test]
async fn closed_socket_and_hang() {
    let (e, _) = second_command_error(Step::Close).await;
    assert!(
        matches!(
            e,
            Error::Network {
                kind: NetworkErrorKind::Closed,
                ..
            }
        ),
        "{e:?}"
    );
    let (e, broken) = second_command_error(Step::Hang(Duration::from_secs(5))).await;
    assert!(e.is_network_timeout(), "{e:?}");
    assert!(broken);
}

#[tokio::test]
async fn connect_refused_is_a_refused_network_error() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let e = Connection::connect(&addr(port), &opts(), 0, false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Network {
                kind: NetworkErrorKind::Refused,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn exhaust_replies_are_read_in_order() {
    let f = fake::start(
        vec![vec![
            Step::Reply(fake::hello_primary(1)),
            Step::Stream(vec![
                doc! {"ok": 1, "i": 1},
                doc! {"ok": 1, "i": 2},
                doc! {"ok": 1, "i": 3},
            ]),
        ]],
        LIFE,
    )
    .await;
    let (mut conn, _) = Connection::connect(&addr(f.port), &opts(), 0, false)
        .await
        .unwrap();
    let r = conn
        .round_trip(doc! {"hello": 1, "$db": "admin"}, true, None)
        .await
        .unwrap();
    assert!(r.more_to_come);
    assert_eq!(r.body.get_i32("i").unwrap(), 1);
    let r = conn
        .next_exhaust(Some(Duration::from_secs(2)))
        .await
        .unwrap();
    assert!(r.more_to_come && conn.is_streaming());
    let r = conn
        .next_exhaust(Some(Duration::from_secs(2)))
        .await
        .unwrap();
    assert_eq!(r.body.get_i32("i").unwrap(), 3);
    assert!(!r.more_to_come && !conn.is_streaming());
}

#[tokio::test]
async fn pool_generation_discards_old_connections() {
    let f = fake::start(
        vec![vec![
            Step::Reply(fake::hello_primary(1)),
            Step::Reply(doc! {"ok": 1}),
        ]],
        LIFE,
    )
    .await;
    let pool = Pool::new(addr(f.port), opts());
    let mut c = pool.checkout().await.unwrap();
    assert_eq!(pool.in_use(), 1);
    c.run("admin", doc! {"ping": 1}, None).await.unwrap();
    drop(c);
    assert_eq!((pool.in_use(), pool.idle()), (0, 1));
    let c = pool.checkout().await.unwrap();
    assert_eq!(c.generation(), 0);
    assert_eq!(pool.clear(), 1);
    drop(c);
    assert_eq!(
        pool.idle(),
        0,
        "a connection of generation 0 must not return after clear()"
    );
    let c = pool.checkout().await.unwrap();
    assert_eq!(c.generation(), 1);
}

#[tokio::test]
async fn replies_larger_than_the_first_read_arrive_whole() {
    // The connection reads 1 KiB while a frame's length is unknown, then reserves the frame's
    // exact size: a reply of 300 KiB (several socket reads) and small ones around it, in turn.
    let big = "x".repeat(300 * 1024);
    let mut f = fake::start(
        vec![vec![
            Step::Reply(fake::hello_primary(1)),
            Step::Reply(doc! {"ok": 1, "n": 1}),
            Step::Reply(doc! {"ok": 1, "big": big.clone()}),
            Step::Reply(doc! {"ok": 1, "n": 3}),
        ]],
        LIFE,
    )
    .await;
    let (mut conn, _) = Connection::connect(&addr(f.port), &opts(), 0, false)
        .await
        .unwrap();
    let r = conn.run_command("test", doc! {"ping": 1}).await.unwrap();
    assert_eq!(r.get_i32("n").unwrap(), 1);
    let r = conn.run_command("test", doc! {"ping": 1}).await.unwrap();
    assert_eq!(r.get_str("big").unwrap().len(), big.len());
    assert!(r.get_str("big").unwrap().bytes().all(|b| b == b'x'));
    let r = conn.run_command("test", doc! {"ping": 1}).await.unwrap();
    assert_eq!(r.get_i32("n").unwrap(), 3);
    assert!(!conn.is_broken());
    for _ in 0..4 {
        f.seen.recv().await.unwrap();
    }
}
