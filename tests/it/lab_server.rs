//! The lab server end to end: a real [`Lab`] on ephemeral 127.0.0.1 ports (election timeout 1 s,
//! heartbeat 200 ms), spoken to with a tiny raw wire client built on `rsctl::wire`.

use std::time::Duration;

use bson::{doc, Bson, Document};
use rsctl::core::description::Tags;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig, LabNotice};
use rsctl::wire::{self, Message, OpMsg, OpQuery, FLAG_EXHAUST_ALLOWED, FLAG_MORE_TO_COME};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Upper bound for anything that should happen "soon" (never a timing assertion: only a guard
/// against hanging).
const PATIENCE: Duration = Duration::from_secs(15);

fn config(nodes: usize) -> LabConfig {
    crate::util::fast_lab_config(nodes, 7)
}

async fn initiated(nodes: usize, tags: &[Tags]) -> Lab {
    let lab = Lab::start(config(nodes)).await.unwrap();
    lab.initiate(tags, false).await.unwrap();
    lab
}

/// A raw wire connection.
struct Wire {
    s: TcpStream,
    next_id: i32,
}

impl Wire {
    async fn connect(host: &str) -> Wire {
        let s = TcpStream::connect(host).await.unwrap();
        Wire { s, next_id: 1 }
    }

    async fn send(&mut self, m: &Message) -> i32 {
        let id = self.next_id;
        self.next_id += 1;
        self.s
            .write_all(&wire::encode(id, 0, m).unwrap())
            .await
            .unwrap();
        id
    }

    /// The next message, or None when the socket closed (or sent garbage).
    async fn recv(&mut self) -> Option<(wire::Header, Message)> {
        let mut len = [0u8; 4];
        self.s.read_exact(&mut len).await.ok()?;
        let n = wire::frame_length(&len, wire::DEFAULT_MAX_MESSAGE_SIZE).ok()??;
        let mut frame = len.to_vec();
        frame.resize(n, 0);
        self.s.read_exact(&mut frame[4..]).await.ok()?;
        wire::decode(&frame).ok()
    }

    /// Fails unless the server ends this connection, by EOF or a reset, within PATIENCE and
    /// without sending anything first. (A timeout is a failure, not a sign of a closed socket.)
    async fn assert_closed(&mut self, what: &str) {
        use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
        let mut buf = [0u8; 64];
        match tokio::time::timeout(PATIENCE, self.s.read(&mut buf)).await {
            Err(_) => panic!("{what}: the connection is still open after {PATIENCE:?}"),
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => panic!("{what}: the server sent {n} bytes instead of closing"),
            Ok(Err(e)) if matches!(e.kind(), ConnectionReset | ConnectionAborted | BrokenPipe) => {}
            Ok(Err(e)) => panic!("{what}: reading failed otherwise: {e}"),
        }
    }

    async fn recv_within(&mut self, d: Duration) -> Option<(wire::Header, Message)> {
        tokio::time::timeout(d, self.recv()).await.ok().flatten()
    }

    /// Runs one OP_MSG command and returns the reply body.
    async fn cmd(&mut self, body: Document) -> Document {
        let id = self.send(&Message::Msg(OpMsg::new(body))).await;
        let (h, m) = self.recv_within(PATIENCE).await.expect("a reply");
        assert_eq!(h.response_to, id);
        match m {
            Message::Msg(m) => m.body,
            other => panic!("expected OP_MSG, got {other:?}"),
        }
    }
}

fn ok(d: &Document) -> bool {
    matches!(d.get("ok"), Some(Bson::Double(v)) if *v == 1.0)
        || matches!(d.get("ok"), Some(Bson::Int32(1)))
}

fn flag(d: &Document, k: &str) -> bool {
    d.get_bool(k).unwrap_or(false)
}

async fn hello(host: &str) -> Document {
    Wire::connect(host)
        .await
        .cmd(doc! {"hello": 1, "$db": "admin"})
        .await
}

/// Polls until `f` holds (bounded by PATIENCE).
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !f().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn fresh_members_answer_hello_uninitialized() {
    let lab = Lab::start(config(3)).await.unwrap();
    assert_eq!(lab.hosts().len(), 3);
    assert_eq!(lab.seed_list(), lab.hosts().join(","));
    assert_eq!(
        lab.uri(),
        format!("mongodb://{}/?replicaSet=rs0", lab.seed_list())
    );
    assert!(lab.primary().is_none());
    let h = hello(&lab.hosts()[1]).await;
    assert!(ok(&h), "{h}");
    assert!(!flag(&h, "isWritablePrimary"), "{h}");
    assert!(!flag(&h, "secondary"), "{h}");
    assert!(h.get_document("topologyVersion").is_ok(), "{h}");
    lab.shutdown().await;
}

#[tokio::test]
async fn initiate_elects_a_primary_that_says_so() {
    let lab = initiated(3, &[]).await;
    let primary = lab.primary().expect("a primary after initiate");
    let h = hello(&primary).await;
    assert!(flag(&h, "isWritablePrimary"), "{h}");
    assert_eq!(h.get_str("setName").unwrap(), "rs0");
    let hosts: Vec<&str> = h
        .get_array("hosts")
        .unwrap()
        .iter()
        .filter_map(Bson::as_str)
        .collect();
    let mut expected = lab.hosts();
    expected.sort();
    let mut got: Vec<String> = hosts.iter().map(|s| s.to_string()).collect();
    got.sort();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn initiate_beyond_seven_members_gives_the_rest_no_vote_and_priority_0() {
    // mongod refuses a config with more than seven voters: members after the seventh are
    // passives (votes 0, priority 0), listed by hello under `passives`, not `hosts`.
    let lab = initiated(9, &[]).await;
    let primary = lab.primary().expect("a primary after initiate");
    let h = hello(&primary).await;
    let list = |k: &str| -> Vec<String> {
        let mut v: Vec<String> = h
            .get_array(k)
            .map(|a| {
                a.iter()
                    .filter_map(Bson::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let (hosts, passives) = (list("hosts"), list("passives"));
    let all = lab.hosts();
    let mut voters = all[..7].to_vec();
    voters.sort();
    let mut rest = all[7..].to_vec();
    rest.sort();
    assert_eq!((hosts, passives), (voters, rest), "{h}");
    let mut w = Wire::connect(&primary).await;
    let cfg = w.cmd(doc! {"replSetGetConfig": 1, "$db": "admin"}).await;
    let members = cfg
        .get_document("config")
        .unwrap()
        .get_array("members")
        .unwrap();
    let votes: Vec<i32> = members
        .iter()
        .map(|m| {
            let m = m.as_document().unwrap();
            match m.get("votes") {
                Some(Bson::Int32(v)) => *v,
                Some(Bson::Int64(v)) => *v as i32,
                Some(Bson::Double(v)) => *v as i32,
                _ => 1,
            }
        })
        .collect();
    assert_eq!(votes, [1, 1, 1, 1, 1, 1, 1, 0, 0], "{cfg}");
}

#[tokio::test]
async fn op_query_is_master_gets_an_op_reply() {
    let lab = Lab::start(config(1)).await.unwrap();
    let mut w = Wire::connect(&lab.hosts()[0]).await;
    let q = Message::Query(OpQuery {
        flags: wire::QUERY_FLAG_SECONDARY_OK,
        full_collection_name: "admin.$cmd".into(),
        number_to_skip: 0,
        number_to_return: -1,
        query: doc! {"isMaster": 1, "client": {"driver": {"name": "raw", "version": "0"}}},
        return_fields_selector: None,
    });
    let id = w.send(&q).await;
    let (h, m) = w.recv_within(PATIENCE).await.expect("a reply");
    assert_eq!(h.response_to, id);
    let Message::Reply(r) = m else {
        panic!("expected OP_REPLY, got {m:?}")
    };
    assert_eq!(r.documents.len(), 1);
    assert!(ok(&r.documents[0]), "{}", r.documents[0]);
    assert!(
        r.documents[0].contains_key("ismaster"),
        "{}",
        r.documents[0]
    );
}

#[tokio::test]
async fn a_malformed_frame_closes_only_its_connection() {
    let lab = Lab::start(config(1)).await.unwrap();
    let host = lab.hosts()[0].clone();
    let mut bad = Wire::connect(&host).await;
    let mut good = Wire::connect(&host).await;
    // A frame with a valid length but an unknown opcode.
    let mut frame = wire::encode(
        1,
        0,
        &Message::Msg(OpMsg::new(doc! {"ping": 1, "$db": "admin"})),
    )
    .unwrap();
    frame[12..16].copy_from_slice(&9999i32.to_le_bytes());
    bad.s.write_all(&frame).await.unwrap();
    bad.assert_closed("the bad connection").await;
    let reply = good.cmd(doc! {"ping": 1, "$db": "admin"}).await;
    assert!(ok(&reply));
    // And new connections are still welcome.
    assert!(ok(&hello(&host).await));
}

#[tokio::test]
async fn exhaust_hello_streams_a_new_reply_after_a_state_change() {
    let lab = initiated(3, &[]).await;
    let primary = lab.primary().unwrap();
    let mut w = Wire::connect(&primary).await;
    let first = w.cmd(doc! {"hello": 1, "$db": "admin"}).await;
    assert!(flag(&first, "isWritablePrimary"));
    let tv = first.get_document("topologyVersion").unwrap().clone();
    let streaming = Message::Msg(OpMsg {
        flags: FLAG_EXHAUST_ALLOWED,
        body: doc! {"hello": 1, "topologyVersion": tv.clone(), "maxAwaitTimeMS": 60_000_i64, "$db": "admin"},
        sequences: vec![],
    });
    let mut last_id = w.send(&streaming).await;
    // Step the primary down from another connection: its topologyVersion changes.
    let mut admin = Wire::connect(&primary).await;
    let r = admin
        .cmd(doc! {"replSetStepDown": 30, "force": true, "$db": "admin"})
        .await;
    assert!(ok(&r) || r.get_i32("code").is_ok(), "{r}");
    let mut saw_secondary = false;
    for _ in 0..5 {
        let (h, m) = w.recv_within(PATIENCE).await.expect("a streamed reply");
        let Message::Msg(m) = m else {
            panic!("expected OP_MSG")
        };
        assert_eq!(
            m.flags & FLAG_MORE_TO_COME,
            FLAG_MORE_TO_COME,
            "exhaust replies say moreToCome"
        );
        assert_eq!(h.response_to, last_id);
        last_id = h.request_id;
        assert_ne!(m.body.get_document("topologyVersion").unwrap(), &tv);
        if !flag(&m.body, "isWritablePrimary") {
            saw_secondary = true;
            break;
        }
    }
    assert!(saw_secondary, "the stream reported the step-down");
}

#[tokio::test]
async fn kill_closes_connections_and_start_listens_on_the_same_port() {
    let lab = initiated(3, &[]).await;
    let primary = lab.primary().unwrap();
    let victim = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    let mut w = Wire::connect(&victim).await;
    assert!(ok(&w.cmd(doc! {"ping": 1, "$db": "admin"}).await));
    lab.fault(&victim, Fault::Kill).await.unwrap();
    w.assert_closed("a connection to the killed member").await;
    assert!(
        TcpStream::connect(&victim).await.is_err(),
        "the port refuses connections"
    );
    assert_eq!(lab.member_view(&victim).map(|v| v.up), Some(false));
    lab.fault(&victim, Fault::Start).await.unwrap();
    let h = hello(&victim).await;
    assert!(ok(&h), "{h}");
    // It rejoins as a secondary.
    eventually("the restarted member to be secondary", || {
        let v = victim.clone();
        async move { flag(&hello(&v).await, "secondary") }
    })
    .await;
}

#[tokio::test]
async fn a_paused_member_answers_nothing_while_others_do() {
    let lab = initiated(3, &[]).await;
    let hosts = lab.hosts();
    let paused = hosts[2].clone();
    lab.fault(&paused, Fault::Pause).await.unwrap();
    let mut w = Wire::connect(&paused).await; // accepted...
    w.send(&Message::Msg(OpMsg::new(doc! {"hello": 1, "$db": "admin"})))
        .await;
    assert!(
        w.recv_within(Duration::from_millis(500)).await.is_none(),
        "...but not answered"
    );
    assert!(ok(&hello(&hosts[0]).await));
    assert!(ok(&hello(&hosts[1]).await));
    lab.fault(&paused, Fault::Resume).await.unwrap();
    assert!(
        w.recv_within(PATIENCE).await.is_some(),
        "the held request is answered on resume"
    );
}

#[tokio::test]
async fn latency_delays_every_reply() {
    let lab = Lab::start(config(2)).await.unwrap();
    let host = lab.hosts()[0].clone();
    lab.fault(&host, Fault::Latency(400)).await.unwrap();
    assert_eq!(lab.member_view(&host).map(|v| v.latency_ms), Some(400));
    let mut w = Wire::connect(&host).await;
    let started = std::time::Instant::now();
    assert!(ok(&w.cmd(doc! {"ping": 1, "$db": "admin"}).await));
    // A lower bound only: a delayed reply can never come early.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    lab.fault(&host, Fault::Latency(0)).await.unwrap();
    assert!(ok(&w.cmd(doc! {"ping": 1, "$db": "admin"}).await));
}

#[tokio::test]
async fn majority_write_is_readable_on_a_secondary_with_read_preference() {
    let tags: Vec<Tags> = ["ny", "ny", "sf"]
        .iter()
        .map(|dc| Tags::from([("dc".to_string(), dc.to_string())]))
        .collect();
    let lab = initiated(3, &tags).await;
    let primary = lab.primary().unwrap();
    let mut p = Wire::connect(&primary).await;
    let r = p
        .cmd(doc! {
            "insert": "c",
            "documents": [{"_id": 1, "v": "majority"}],
            "writeConcern": {"w": "majority", "wtimeout": 10_000},
            "$db": "test",
        })
        .await;
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i32("n").unwrap(), 1, "{r}");
    assert!(!r.contains_key("writeConcernError"), "{r}");
    let secondaries: Vec<String> = lab.hosts().into_iter().filter(|h| *h != primary).collect();
    let find = doc! {
        "find": "c",
        "filter": {"_id": 1},
        "$readPreference": {"mode": "secondary"},
        "$db": "test",
    };
    let mut holders = 0;
    for s in &secondaries {
        let r = Wire::connect(s).await.cmd(find.clone()).await;
        assert!(ok(&r), "{r}");
        let batch = r
            .get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap();
        holders += batch.len();
    }
    assert!(
        holders >= 1,
        "a majority-acknowledged write is on at least one secondary"
    );
    // And it replicates to every secondary.
    for s in secondaries {
        let f = find.clone();
        eventually("replication to every secondary", move || {
            let (s, f) = (s.clone(), f.clone());
            async move {
                let r = Wire::connect(&s).await.cmd(f).await;
                r.get_document("cursor")
                    .and_then(|c| c.get_array("firstBatch"))
                    .map(|b| b.len() == 1)
                    .unwrap_or(false)
            }
        })
        .await;
    }
    // Without a read preference a secondary refuses the read (NotPrimaryNoSecondaryOk).
    let s = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    let r = Wire::connect(&s)
        .await
        .cmd(doc! {"find": "c", "filter": {}, "$db": "test"})
        .await;
    assert!(!ok(&r), "{r}");
}

#[tokio::test]
async fn killing_the_primary_elects_a_new_one() {
    let lab = initiated(3, &[]).await;
    let old = lab.primary().unwrap();
    let mut notices = lab.subscribe();
    lab.fault(&old, Fault::Kill).await.unwrap();
    let new = tokio::time::timeout(PATIENCE, async {
        loop {
            match notices.recv().await {
                Ok(LabNotice::Elected { host, term, .. }) if host != old => return (host, term),
                Ok(_) => {}
                Err(e) => panic!("notice channel: {e}"),
            }
        }
    })
    .await
    .expect("a new primary is elected");
    assert_ne!(new.0, old);
    assert!(new.1 >= 2, "a new term: {}", new.1);
    assert_eq!(lab.wait_for_primary(PATIENCE).await.unwrap(), new.0);
    assert!(flag(&hello(&new.0).await, "isWritablePrimary"));
}

/// `rsctl lab ...` as a user runs it: `up` in the foreground, control from other processes.
mod cli {
    use crate::util::child_lab::ChildLab;
    use crate::util::Rsctl;

    async fn control(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
        Rsctl::new(args).env("RSCTL_LAB_DIR", dir).run().await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lab_up_prints_members_then_ready_and_obeys_kill_ls_down() {
        let dir = tempfile::tempdir().unwrap();
        let lab = ChildLab::with("clitest")
            .dir(dir.path())
            .args(["--tags", "dc=ny", "--tags", "dc=ny", "--tags", "dc=sf"])
            .start()
            .await;
        assert_eq!(lab.lines.last().map(String::as_str), Some("ready"));
        let mut hosts = Vec::new();
        for line in &lab.lines[..lab.lines.len() - 1] {
            let words: Vec<&str> = line.split(' ').collect();
            assert_eq!(words[0], "member", "unexpected line {line:?}");
            assert_eq!(words[1], hosts.len().to_string());
            assert!(words[2].starts_with("127.0.0.1:"), "{line}");
            let dc = if hosts.len() == 2 { "dc=sf" } else { "dc=ny" };
            assert_eq!(&words[3..], &["tags", dc], "{line}");
            hosts.push(words[2].to_string());
        }
        assert_eq!(hosts.len(), 3);
        assert_eq!(hosts, lab.hosts);

        let ls = control(dir.path(), &["lab", "ls"]).await;
        let ls_out = String::from_utf8_lossy(&ls.stdout).to_string();
        assert!(ls.status.success(), "{ls:?}");
        assert!(ls_out.starts_with("clitest pid "), "{ls_out}");

        let kill = control(dir.path(), &["lab", "kill", &hosts[0]]).await;
        assert!(kill.status.success(), "{kill:?}");
        assert!(
            tokio::net::TcpStream::connect(&hosts[0]).await.is_err(),
            "the killed member's port is closed"
        );
        let ls = control(dir.path(), &["lab", "ls"]).await;
        let ls_out = String::from_utf8_lossy(&ls.stdout).to_string();
        assert!(ls_out.contains(&format!("{}(down)", hosts[0])), "{ls_out}");

        let stranger = control(dir.path(), &["lab", "pause", "127.0.0.1:1"]).await;
        assert!(!stranger.status.success());
        let err = String::from_utf8_lossy(&stranger.stderr).to_string();
        assert!(
            err.contains("127.0.0.1:1 is not a member of lab clitest"),
            "{err}"
        );

        let (status, output) = lab.down().await;
        assert!(status.success(), "{status}");
        let err = output.join("\n");
        assert!(
            err.contains(" elected 127.0.0.1:"),
            "election lines on stderr: {err}"
        );
        for h in &hosts[1..] {
            assert!(
                tokio::net::TcpStream::connect(h).await.is_err(),
                "{h} closed after down"
            );
        }
        // The registry entry is gone: control now says nothing runs.
        let after = control(dir.path(), &["lab", "kill", &hosts[1]]).await;
        assert!(!after.status.success());
    }

    #[tokio::test]
    async fn control_without_a_running_lab_fails_clearly() {
        let dir = tempfile::tempdir().unwrap();
        for args in [
            &["lab", "kill", "127.0.0.1:27017"][..],
            &["lab", "down"][..],
        ] {
            let out = control(dir.path(), args).await;
            assert!(!out.status.success(), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(
                err.contains("no running lab found (start one with: rsctl lab up)"),
                "{args:?}: {err}"
            );
        }
        // A stale registry file (its process is gone) is ignored and removed.
        let stale = dir.path().join("ghost.json");
        std::fs::write(
            &stale,
            r#"{"set_name":"ghost","pid":999999999,"control_port":1,"hosts":["127.0.0.1:1"]}"#,
        )
        .unwrap();
        let out = control(dir.path(), &["lab", "latency", "127.0.0.1:1", "10ms"]).await;
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no running lab found"));
        assert!(!stale.exists(), "the stale entry was removed");
    }
}

#[tokio::test]
async fn the_control_channel_injects_faults_and_goes_down() {
    use rsctl::lab::control::{self, ControlRequest, LabEntry};
    let lab = initiated(3, &[]).await;
    let hosts = lab.hosts();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let entry = LabEntry {
        set_name: "rs0".into(),
        pid: std::process::id(),
        control_port: listener.local_addr().unwrap().port(),
        hosts: hosts.clone(),
    };
    let down = tokio::sync::Notify::new();
    let client = async {
        let h = hosts[1].clone();
        let r = control::send(
            &entry,
            &ControlRequest::Latency {
                host: h.clone(),
                ms: 30,
            },
        )
        .await
        .unwrap();
        let m = r.members.iter().find(|m| m.host == h).unwrap();
        assert_eq!((m.up, m.latency_ms), (true, 30));
        for request in [
            ControlRequest::Partition { host: h.clone() },
            ControlRequest::Heal { host: h.clone() },
            ControlRequest::Lag {
                host: h.clone(),
                ms: 100,
            },
            ControlRequest::Pause { host: h.clone() },
            ControlRequest::Resume { host: h.clone() },
        ] {
            control::send(&entry, &request)
                .await
                .unwrap_or_else(|e| panic!("{request:?}: {e}"));
        }
        let status = control::send(&entry, &ControlRequest::Status)
            .await
            .unwrap();
        assert_eq!(status.set_name, "rs0");
        assert_eq!(status.members.len(), 3);
        assert!(status.members.iter().all(|m| m.up && !m.paused));
        let e = control::send(
            &entry,
            &ControlRequest::Kill {
                host: "127.0.0.1:1".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("127.0.0.1:1 is not a member"), "{e}");
        control::send(&entry, &ControlRequest::Down).await.unwrap();
    };
    let serve = control::serve(listener, &lab, &down);
    let ((), ()) = tokio::time::timeout(PATIENCE, async { tokio::join!(serve, client) })
        .await
        .expect("the control channel answers and stops on down");
}
