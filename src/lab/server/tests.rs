//! Socket mechanics of the server (framing, checksums, OP_QUERY, exhaust, pause, latency, kill,
//! start) against a trivial engine, independent of the replica-set logic.

use std::collections::HashMap;
use std::time::Duration;

use bson::{doc, Bson, Document};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::lab::cluster::Response;
use crate::wire::{
    self, Message, OpMsg, OpQuery, FLAG_CHECKSUM_PRESENT, FLAG_EXHAUST_ALLOWED, FLAG_MORE_TO_COME,
};

/// Echoes commands; `hello` has a topologyVersion that `bump` increments; awaitable hellos park
/// until a bump or their maxAwaitTimeMS; `initiate` elects member 0.
struct Echo {
    views: Vec<MemberView>,
    counter: i64,
    parked: Vec<(Request, Millis)>,
    ready: Vec<Ready>,
    events: Vec<LabEvent>,
}

impl Echo {
    fn new(n: usize) -> Self {
        Echo {
            views: vec![
                MemberView {
                    up: true,
                    paused: false,
                    latency_ms: 0
                };
                n
            ],
            counter: 0,
            parked: Vec::new(),
            ready: Vec::new(),
            events: Vec::new(),
        }
    }

    fn hello(&self, member: usize) -> Document {
        doc! {"isWritablePrimary": member == 0, "topologyVersion": {"processId": "p", "counter": self.counter}, "ok": 1.0}
    }
}

impl Engine for Echo {
    fn handle(&mut self, r: Request, now: Millis) -> Response {
        let name = r.command.keys().next().cloned().unwrap_or_default();
        match name.as_str() {
            "hello" | "isMaster" => {
                let tv_counter = r
                    .command
                    .get_document("topologyVersion")
                    .ok()
                    .and_then(|t| t.get_i64("counter").ok());
                if tv_counter == Some(self.counter) {
                    let wait = r.command.get_i64("maxAwaitTimeMS").unwrap_or(10_000) as Millis;
                    self.parked.push((r, now + wait));
                    return Response::Parked;
                }
                let mut h = self.hello(r.member);
                h.insert("legacy", r.legacy);
                h.insert("secondaryOk", r.secondary_ok);
                Response::Now(h)
            }
            "bump" => {
                self.counter += 1;
                for (p, _) in std::mem::take(&mut self.parked) {
                    self.ready.push(Ready {
                        member: p.member,
                        conn: p.conn,
                        request_id: p.request_id,
                        reply: self.hello(p.member),
                    });
                }
                Response::Now(doc! {"ok": 1.0})
            }
            "initiate" => {
                self.events.push(LabEvent::Elected {
                    member: 0,
                    term: 1,
                    at: now,
                });
                Response::Now(doc! {"ok": 1.0})
            }
            "shutdown" => {
                self.views[r.member].up = false;
                Response::Now(doc! {"ok": 1.0})
            }
            _ => Response::Now(doc! {"ok": 1.0, "echo": r.command, "db": r.db}),
        }
    }
    fn take_ready(&mut self) -> Vec<Ready> {
        std::mem::take(&mut self.ready)
    }
    fn tick(&mut self, now: Millis) {
        let (due, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|(_, d)| *d <= now);
        self.parked = keep;
        for (p, _) in due {
            self.ready.push(Ready {
                member: p.member,
                conn: p.conn,
                request_id: p.request_id,
                reply: self.hello(p.member),
            });
        }
    }
    fn next_deadline(&self) -> Option<Millis> {
        self.parked.iter().map(|(_, d)| *d).min()
    }
    fn fault(
        &mut self,
        member: usize,
        fault: Fault,
        _now: Millis,
    ) -> std::result::Result<(), String> {
        let v = &mut self.views[member];
        match fault {
            Fault::Kill => v.up = false,
            Fault::Start => v.up = true,
            Fault::Pause => v.paused = true,
            Fault::Resume => v.paused = false,
            Fault::Latency(ms) => v.latency_ms = ms,
            _ => return Err("not in this engine".into()),
        }
        Ok(())
    }
    fn take_events(&mut self) -> Vec<LabEvent> {
        std::mem::take(&mut self.events)
    }
    fn member_view(&self, member: usize) -> MemberView {
        self.views[member]
    }
    fn connection_closed(&mut self, _member: usize, conn: u64) {
        self.parked.retain(|(r, _)| r.conn != conn);
    }
}

async fn echo_lab(n: usize) -> Lab {
    let config = LabConfig {
        nodes: n,
        ..LabConfig::default()
    };
    Lab::start_with(config, move |_| Box::new(Echo::new(n)))
        .await
        .unwrap()
}

async fn send(s: &mut TcpStream, id: i32, m: &Message) {
    s.write_all(&wire::encode(id, 0, m).unwrap()).await.unwrap();
}

async fn recv(s: &mut TcpStream) -> Option<(wire::Header, Message)> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await.ok()?;
    let n = wire::frame_length(&len, wire::DEFAULT_MAX_MESSAGE_SIZE).ok()??;
    let mut frame = len.to_vec();
    frame.resize(n, 0);
    s.read_exact(&mut frame[4..]).await.ok()?;
    Some(wire::decode(&frame).unwrap())
}

async fn recv_within(s: &mut TcpStream, d: Duration) -> Option<(wire::Header, Message)> {
    tokio::time::timeout(d, recv(s)).await.ok().flatten()
}

fn body(m: Message) -> Document {
    match m {
        Message::Msg(m) => m.body,
        other => panic!("expected OP_MSG, got {other:?}"),
    }
}

fn msg(d: Document) -> Message {
    Message::Msg(OpMsg::new(d))
}

const SEC: Duration = Duration::from_secs(5);

#[tokio::test]
async fn op_msg_with_checksum_gets_a_checksummed_reply() {
    let lab = echo_lab(1).await;
    let mut s = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    let m = Message::Msg(OpMsg {
        flags: FLAG_CHECKSUM_PRESENT,
        body: doc! {"ping": 1, "$db": "admin"},
        sequences: vec![wire::DocumentSequence {
            identifier: "documents".into(),
            documents: vec![doc! {"a": 1}],
        }],
    });
    send(&mut s, 42, &m).await;
    let (h, reply) = recv_within(&mut s, SEC).await.unwrap();
    assert_eq!(h.response_to, 42);
    let Message::Msg(reply) = reply else { panic!() };
    assert_eq!(reply.flags & FLAG_CHECKSUM_PRESENT, FLAG_CHECKSUM_PRESENT);
    assert_eq!(reply.body.get_str("db").unwrap(), "admin");
    // The kind-1 sequence was folded into the command.
    let echo = reply.body.get_document("echo").unwrap();
    assert_eq!(
        echo.get_array("documents").unwrap(),
        &vec![Bson::Document(doc! {"a": 1})]
    );
}

#[tokio::test]
async fn missing_db_and_legacy_query_are_answered_like_mongod() {
    let lab = echo_lab(1).await;
    let mut s = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    send(&mut s, 1, &msg(doc! {"ping": 1})).await;
    let reply = body(recv_within(&mut s, SEC).await.unwrap().1);
    assert_eq!(reply.get_i32("code").unwrap(), 40571);

    let q = Message::Query(OpQuery {
        flags: wire::QUERY_FLAG_SECONDARY_OK,
        full_collection_name: "admin.$cmd".into(),
        number_to_skip: 0,
        number_to_return: -1,
        query: doc! {"$query": {"isMaster": 1}},
        return_fields_selector: None,
    });
    send(&mut s, 2, &q).await;
    let (h, reply) = recv_within(&mut s, SEC).await.unwrap();
    assert_eq!(h.response_to, 2);
    let Message::Reply(r) = reply else {
        panic!("expected OP_REPLY")
    };
    assert!(r.documents[0].get_bool("legacy").unwrap());
    assert!(r.documents[0].get_bool("secondaryOk").unwrap());
}

#[tokio::test]
async fn garbage_closes_only_that_connection() {
    let lab = echo_lab(1).await;
    let mut bad = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    let mut good = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    bad.write_all(&[3, 0, 0, 0, 1, 2, 3, 4]).await.unwrap();
    assert!(recv_within(&mut bad, SEC).await.is_none());
    let mut b = [0u8; 1];
    assert_eq!(
        tokio::time::timeout(SEC, bad.read(&mut b))
            .await
            .unwrap()
            .unwrap_or(0),
        0
    );
    send(&mut good, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    assert!(recv_within(&mut good, SEC).await.is_some());
}

#[tokio::test]
async fn client_more_to_come_gets_no_reply() {
    let lab = echo_lab(1).await;
    let mut s = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    let m = Message::Msg(OpMsg {
        flags: FLAG_MORE_TO_COME,
        body: doc! {"insert": "c", "$db": "t"},
        sequences: vec![],
    });
    send(&mut s, 1, &m).await;
    send(&mut s, 2, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    let (h, _) = recv_within(&mut s, SEC).await.unwrap();
    assert_eq!(h.response_to, 2);
}

#[tokio::test]
async fn exhaust_hello_streams_until_the_client_closes() {
    let lab = echo_lab(1).await;
    let host = lab.hosts()[0].clone();
    let mut s = TcpStream::connect(&host).await.unwrap();
    let m = Message::Msg(OpMsg {
        flags: FLAG_EXHAUST_ALLOWED,
        body: doc! {"hello": 1, "topologyVersion": {"processId": "p", "counter": 0_i64}, "maxAwaitTimeMS": 10_000_i64, "$db": "admin"},
        sequences: vec![],
    });
    send(&mut s, 7, &m).await;
    // Parked: nothing until the topology changes.
    assert!(recv_within(&mut s, Duration::from_millis(200))
        .await
        .is_none());
    let mut other = TcpStream::connect(&host).await.unwrap();
    let mut last_id = 7;
    for expected in 1..=2_i64 {
        send(&mut other, 1, &msg(doc! {"bump": 1, "$db": "admin"})).await;
        recv_within(&mut other, SEC).await.unwrap();
        let (h, reply) = recv_within(&mut s, SEC).await.unwrap();
        let Message::Msg(reply) = reply else { panic!() };
        assert_eq!(reply.flags & FLAG_MORE_TO_COME, FLAG_MORE_TO_COME);
        assert_eq!(h.response_to, last_id);
        last_id = h.request_id;
        let tv = reply.body.get_document("topologyVersion").unwrap();
        assert_eq!(tv.get_i64("counter").unwrap(), expected);
    }
    drop(s);
    // The stream's parked hello is forgotten once the client is gone (polled: the server notices
    // the closed socket in its own time).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while lab.shared.cluster().next_deadline().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the parked hello still has a deadline 10 s after its client left"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn pause_holds_replies_until_resume() {
    let lab = echo_lab(2).await;
    let hosts = lab.hosts();
    let mut s = TcpStream::connect(&hosts[0]).await.unwrap();
    lab.fault(&hosts[0], Fault::Pause).await.unwrap();
    send(&mut s, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    assert!(recv_within(&mut s, Duration::from_millis(300))
        .await
        .is_none());
    // New connections are accepted but not answered either; the other member answers.
    let mut s2 = TcpStream::connect(&hosts[0]).await.unwrap();
    send(&mut s2, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    let mut o = TcpStream::connect(&hosts[1]).await.unwrap();
    send(&mut o, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    assert!(recv_within(&mut o, SEC).await.is_some());
    assert!(recv_within(&mut s2, Duration::from_millis(100))
        .await
        .is_none());
    lab.fault(&hosts[0], Fault::Resume).await.unwrap();
    assert!(recv_within(&mut s, SEC).await.is_some());
    assert!(recv_within(&mut s2, SEC).await.is_some());
}

#[tokio::test]
async fn latency_delays_replies() {
    let lab = echo_lab(1).await;
    let host = lab.hosts()[0].clone();
    lab.fault(&host, Fault::Latency(300)).await.unwrap();
    let mut s = TcpStream::connect(&host).await.unwrap();
    send(&mut s, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    // Not there after 100 ms, there by 5 s.
    assert!(recv_within(&mut s, Duration::from_millis(100))
        .await
        .is_none());
    assert!(recv_within(&mut s, SEC).await.is_some());
}

#[tokio::test]
async fn kill_closes_the_port_and_start_reopens_it() {
    let lab = echo_lab(2).await;
    let host = lab.hosts()[0].clone();
    let mut s = TcpStream::connect(&host).await.unwrap();
    send(&mut s, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    recv_within(&mut s, SEC).await.unwrap();
    lab.fault(&host, Fault::Kill).await.unwrap();
    let mut b = [0u8; 1];
    let n = tokio::time::timeout(SEC, s.read(&mut b))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "the connection is closed");
    assert!(
        TcpStream::connect(&host).await.is_err(),
        "the port refuses connections"
    );
    lab.fault(&host, Fault::Start).await.unwrap();
    let mut s = TcpStream::connect(&host).await.unwrap();
    send(&mut s, 1, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    assert!(recv_within(&mut s, SEC).await.is_some());
}

#[tokio::test]
async fn shutdown_command_replies_then_closes() {
    let lab = echo_lab(1).await;
    let host = lab.hosts()[0].clone();
    let mut s = TcpStream::connect(&host).await.unwrap();
    send(&mut s, 1, &msg(doc! {"shutdown": 1, "$db": "admin"})).await;
    let reply = body(recv_within(&mut s, SEC).await.unwrap().1);
    assert_eq!(reply.get_f64("ok").unwrap(), 1.0);
    assert!(recv_within(&mut s, SEC).await.is_none());
    // The lab notices the member went down and closes its port.
    let deadline = Instant::now() + SEC;
    while TcpStream::connect(&host).await.is_ok() {
        assert!(Instant::now() < deadline, "port still open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(lab.member_view(&host).map(|v| v.up), Some(false));
}

#[tokio::test]
async fn initiate_waits_for_the_elected_notice_and_drop_closes_listeners() {
    let lab = echo_lab(3).await;
    let mut notices = lab.subscribe();
    // The echo engine elects on `initiate`; replSetInitiate itself is only echoed.
    let mut s = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    send(&mut s, 1, &msg(doc! {"initiate": 1, "$db": "admin"})).await;
    recv_within(&mut s, SEC).await.unwrap();
    assert_eq!(lab.wait_for_primary(SEC).await.unwrap(), lab.hosts()[0]);
    let n = notices.recv().await.unwrap();
    assert!(matches!(&n, LabNotice::Elected { host, term: 1, .. } if *host == lab.hosts()[0]));
    assert!(n
        .to_string()
        .contains(&format!(" elected {} term 1", lab.hosts()[0])));
    assert!(lab.fault("127.0.0.1:1", Fault::Kill).await.is_err());
    let hosts = lab.hosts();
    drop(lab);
    let mut closed = HashMap::new();
    let deadline = Instant::now() + SEC;
    while closed.len() < hosts.len() && Instant::now() < deadline {
        for h in &hosts {
            if TcpStream::connect(h).await.is_err() {
                closed.insert(h.clone(), ());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        closed.len(),
        hosts.len(),
        "every listener closed after drop"
    );
}

#[tokio::test]
async fn documents_over_16_mib_are_rejected_like_mongod() {
    let lab = echo_lab(1).await;
    let mut s = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    let big = doc! {"_id": 1, "x": "a".repeat(wire::DEFAULT_MAX_BSON_SIZE)};
    let m = Message::Msg(OpMsg {
        flags: 0,
        body: doc! {"insert": "c", "$db": "t"},
        sequences: vec![wire::DocumentSequence {
            identifier: "documents".into(),
            documents: vec![big],
        }],
    });
    send(&mut s, 1, &m).await;
    let reply = body(
        recv_within(&mut s, Duration::from_secs(30))
            .await
            .unwrap()
            .1,
    );
    assert_eq!(reply.get_i32("code").unwrap(), 10334, "{reply}");
    assert_eq!(reply.get_str("codeName").unwrap(), "BSONObjectTooLarge");
    // The connection stays usable.
    send(&mut s, 2, &msg(doc! {"ping": 1, "$db": "admin"})).await;
    assert_eq!(recv_within(&mut s, SEC).await.unwrap().0.response_to, 2);
}

#[test]
fn members_after_the_seventh_voter_do_not_vote() {
    let voting = |n: usize, arbiter: bool| {
        (0..n)
            .filter(|&i| super::votes_in_initial_config(i, n, arbiter))
            .collect::<Vec<_>>()
    };
    assert_eq!(voting(3, false), [0, 1, 2]);
    assert_eq!(voting(7, true), (0..7).collect::<Vec<_>>());
    assert_eq!(voting(9, false), (0..7).collect::<Vec<_>>());
    // An arbiter must vote: six data-bearing voters and the arbiter.
    assert_eq!(voting(9, true), [0, 1, 2, 3, 4, 5, 8]);
    assert_eq!(voting(50, false).len(), 7);
}
