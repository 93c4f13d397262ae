//! The lab's request path without sockets: arbitrary bytes as what a client writes to a member of
//! an initiated 3-member lab (framing, OP_MSG / OP_QUERY decoding, the `$db` and namespace checks,
//! command dispatch into the pure `Cluster`). Every reply must be one well-formed frame that
//! answers its request (responseTo = the request's id) with a document holding `ok`; parked
//! requests that complete later (after the clock moves) must hold `ok` too. Then the lab must
//! still answer a plain `ping` on every live member.
//!
//! The first input byte picks the member (and so primary or secondary); the rest is the byte
//! stream.
#![no_main]

use bson::{doc, Bson, Document};
use libfuzzer_sys::fuzz_target;
use rsctl::lab::cluster::{Cluster, LabOptions, Millis, Request, Response};
use rsctl::lab::server::answer_frames;
use rsctl::wire::{self, Message};

const TIMEOUT: Millis = 1000;
const HB: Millis = 200;

fn run(c: &mut Cluster, member: usize, now: Millis, command: Document) -> Document {
    match c.handle(
        Request {
            member,
            conn: 0,
            request_id: 0,
            db: "admin".into(),
            command,
            secondary_ok: true,
            legacy: false,
        },
        now,
    ) {
        Response::Now(d) => d,
        Response::Parked => panic!("parked"),
    }
}

/// A 3-member lab with a primary, and the lab time when it has one.
fn initiated() -> (Cluster, Millis) {
    let hosts: Vec<String> = (0..3).map(|i| format!("127.0.0.1:{}", 27017 + i)).collect();
    let mut c = Cluster::new(
        LabOptions {
            set_name: "rs0".into(),
            hosts: hosts.clone(),
            election_timeout_ms: TIMEOUT,
            heartbeat_interval_ms: HB,
            seed: 7,
            initial_sync_ms: 0,
            epoch_ms: 1_700_000_000_000,
        },
        0,
    );
    let members: Vec<Bson> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| Bson::Document(doc! {"_id": i as i32, "host": h}))
        .collect();
    let r = run(
        &mut c,
        0,
        0,
        doc! {"replSetInitiate": {"_id": "rs0", "members": members}},
    );
    assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    let mut now = 0;
    while c.primary().is_none() {
        now = c
            .next_deadline()
            .expect("a deadline while electing")
            .max(now);
        c.tick(now);
        assert!(now < 60_000, "no primary after a minute of lab time");
    }
    (c, now)
}

fn has_ok(d: &Document) -> bool {
    matches!(
        d.get("ok"),
        Some(Bson::Double(_) | Bson::Int32(_) | Bson::Int64(_) | Bson::Boolean(_))
    )
}

/// The request ids of the complete frames at the start of `input` (what the replies answer).
fn request_ids(input: &[u8]) -> Vec<i32> {
    let mut ids = Vec::new();
    let mut rest = input;
    while let Ok(Some(n)) = wire::frame_length(rest, wire::DEFAULT_MAX_MESSAGE_SIZE) {
        if rest.len() < n {
            break;
        }
        ids.push(
            wire::decode_header(rest)
                .expect("a whole header")
                .request_id,
        );
        rest = &rest[n..];
    }
    ids
}

fuzz_target!(|data: &[u8]| {
    let Some((&who, stream)) = data.split_first() else {
        return;
    };
    let (mut c, start) = initiated();
    let member = usize::from(who % 3);
    let now = start + 10;
    let ids = request_ids(stream);
    let mut replies = Vec::new();
    // An error (a malformed frame) closes the connection; the replies before it still count.
    let _ = answer_frames(&mut c, member, stream, now, &mut replies);
    assert!(replies.len() <= ids.len(), "more replies than requests");
    for bytes in &replies {
        assert_eq!(
            wire::frame_length(bytes, usize::MAX),
            Ok(Some(bytes.len())),
            "a reply is not one frame"
        );
        let (header, message) = wire::decode(bytes).expect("the lab's reply decodes");
        assert!(
            ids.contains(&header.response_to),
            "reply to an unknown request {}",
            header.response_to
        );
        let body = match message {
            Message::Msg(m) => m.body,
            Message::Reply(mut r) => {
                assert_eq!(
                    r.documents.len(),
                    1,
                    "OP_REPLY with {} documents",
                    r.documents.len()
                );
                r.documents.remove(0)
            }
            Message::Query(_) => panic!("the lab answered with OP_QUERY"),
        };
        assert!(has_ok(&body), "reply without ok: {body}");
    }
    // Let parked requests (awaitable hello, majority writes, stepdowns) complete or time out.
    let mut t = now;
    for _ in 0..64 {
        let Some(d) = c.next_deadline() else { break };
        t = d.max(t);
        c.tick(t);
        for ready in c.take_ready() {
            assert!(
                has_ok(&ready.reply),
                "parked reply without ok: {}",
                ready.reply
            );
        }
    }
    for m in 0..3 {
        if c.member_view(m).up {
            let r = run(&mut c, m, t, doc! {"ping": 1});
            assert!(has_ok(&r), "ping after the input: {r}");
        }
    }
});
