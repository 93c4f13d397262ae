//! The raw-BSON read path (`rsctl read`): cursor replies stay raw BSON from the lab's store to
//! rsctl's stdout. What must not change is every byte printed, and the lab's cursor semantics:
//!
//! - relaxed Extended JSON written from raw documents is byte for byte what bson's own
//!   `into_relaxed_extjson` (and the Document writer `relaxed_line`) print, for every BSON type,
//!   nested documents and arrays, unicode, escapes and special floats (fixed cases + proptest);
//! - the raw OP_MSG decoder and the raw reply encoder agree with `wire::decode` / `wire::encode`;
//! - against a lab: default first batch of 101, getMore batches up to the 16 MiB budget or the
//!   requested size, documents identical through `next`, `next_batch` and `next_raw_batch`, and
//!   `rsctl read` printing exactly `relaxed_line` of each stored document.

use std::time::Duration;

use bson::spec::BinarySubtype;
use bson::{doc, Bson, Document, RawDocumentBuf};
use proptest::prelude::*;

use rsctl::cli::args::{relaxed_line, write_relaxed_raw_document};
use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::selection::Criteria;
use rsctl::lab::server::{Lab, LabConfig};
use rsctl::wire::{self, Message, OpMsg, OpReply, FLAG_CHECKSUM_PRESENT};

use crate::util::{assert_code, Rsctl};

// ------------------------------------------------------------------------------------------------
// relaxed Extended JSON from raw documents

fn raw_line(d: &Document) -> String {
    let raw = RawDocumentBuf::from_document(d).expect("encodes");
    let mut out = Vec::new();
    write_relaxed_raw_document(&mut out, &raw).expect("valid BSON");
    String::from_utf8(out).expect("UTF-8")
}

#[track_caller]
fn assert_same_as_bson(d: &Document) {
    let expected = Bson::Document(d.clone()).into_relaxed_extjson().to_string();
    assert_eq!(raw_line(d), expected, "raw writer vs bson for {d:?}");
    assert_eq!(relaxed_line(d.clone()), expected, "Document writer vs bson");
}

/// One document with every BSON type the bson crate can build, at several depths.
fn every_type() -> Document {
    doc! {
        "_id": bson::oid::ObjectId::from_bytes([7; 12]),
        "double": 9.99, "one": 1.0, "neg0": -0.0, "tiny": 5e-324, "huge": 1.7976931348623157e308,
        "third": 1.0 / 3.0, "big_exp": 1e21, "small_exp": 1e-7,
        "nan": f64::NAN, "inf": f64::INFINITY, "ninf": f64::NEG_INFINITY,
        "i32min": i32::MIN, "i32max": i32::MAX, "zero": 0i32,
        "i64min": i64::MIN, "i64max": i64::MAX, "i64small": 5i64,
        "s": "plain", "empty": "",
        "escapes": "quote \" backslash \\ slash / nl \n cr \r tab \t bs \u{8} ff \u{c} nul \u{0} us \u{1f} del \u{7f}",
        "unicode": "é ß 中文 日本語 🎉 \u{2028} \u{2029} \u{fffd}",
        "t": true, "f": false, "null": Bson::Null,
        "date": bson::DateTime::from_millis(1_700_000_000_123),
        "date_old": bson::DateTime::from_millis(-62_135_596_800_001),
        "date_1960": bson::DateTime::from_millis(-315_619_200_000),
        "date_far": bson::DateTime::from_millis(253_402_300_800_000),
        "bin": bson::Binary { subtype: BinarySubtype::Generic, bytes: vec![0, 1, 2, 255] },
        "bin_empty": bson::Binary { subtype: BinarySubtype::Generic, bytes: vec![] },
        "uuid": bson::Binary { subtype: BinarySubtype::Uuid, bytes: vec![0x11; 16] },
        "md5": bson::Binary { subtype: BinarySubtype::Md5, bytes: vec![0x22; 16] },
        "user_bin": bson::Binary { subtype: BinarySubtype::UserDefined(0x80), bytes: vec![9] },
        "dec": bson::Decimal128::from_bytes([1; 16]),
        "dec0": bson::Decimal128::from_bytes([0; 16]),
        "ts": bson::Timestamp { time: 1_700_000_000, increment: 7 },
        "re": bson::Regex { pattern: "^a.*\"b\\d$".into(), options: "im".into() },
        "js": Bson::JavaScriptCode("function() { return \"x\"; }".into()),
        "jsws": Bson::JavaScriptCodeWithScope(bson::JavaScriptCodeWithScope {
            code: "x + y".into(),
            scope: doc! {"x": 1i32, "y": "z"},
        }),
        "sym": Bson::Symbol("sym".into()),
        "min": Bson::MinKey, "max": Bson::MaxKey, "undef": Bson::Undefined,
        "arr": [1i32, "two", 3.5, Bson::Null, [], {}, [[1i64]], {"k": [2.5, f64::NAN]}],
        "arr_empty": [],
        "nested": {"a": {"b": {"c": {"d": [ {"e": bson::DateTime::from_millis(0)} ]}}}},
        "doc_empty": {},
        "key \"quoted\" \\ é 🎉": 1i32,
        "$dollar": {"$x": "a key with a dollar"},
        "a.b": "dotted key",
    }
}

#[test]
fn raw_writer_matches_bson_for_every_type() {
    assert_same_as_bson(&every_type());
    // raw documents are printed as they are: a sub-document that looks like Extended JSON stays
    // a document (bson's Document decoder would have refused this one)
    assert_same_as_bson(&doc! {"d": {"$oid": "not an oid, just a key"}, "n": {"$numberLong": "x"}});
    assert_same_as_bson(&doc! {});
    assert_same_as_bson(&doc! {"deep": {"x": every_type()}, "list": [every_type(), every_type()]});
}

#[test]
fn raw_writer_matches_bson_for_the_bench_documents() {
    for k in [0, 1, 49, 50, 99_999, -1, i32::MAX] {
        let d =
            doc! { "_id": k, "item": "widget", "qty": k % 50, "price": 9.99, "tags": ["a", "b"] };
        assert_same_as_bson(&d);
        assert_eq!(
            raw_line(&d),
            format!(
                r#"{{"_id":{k},"item":"widget","qty":{},"price":9.99,"tags":["a","b"]}}"#,
                k % 50
            )
        );
    }
}

#[test]
fn raw_writer_reports_invalid_bson_instead_of_panicking() {
    // A string element whose bytes are not UTF-8.
    let mut bytes = RawDocumentBuf::from_document(&doc! {"s": "ab"})
        .unwrap()
        .into_bytes();
    let at = bytes.len() - 3;
    bytes[at] = 0xff;
    let raw = RawDocumentBuf::from_bytes(bytes).expect("the frame itself is well formed");
    let mut out = Vec::new();
    assert!(write_relaxed_raw_document(&mut out, &raw).is_err());
}

fn arb_leaf() -> impl Strategy<Value = Bson> {
    prop_oneof![
        any::<String>().prop_map(Bson::String),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<f64>().prop_map(Bson::Double),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        any::<i64>().prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(|bytes| Bson::Binary(
            bson::Binary {
                subtype: BinarySubtype::Generic,
                bytes
            }
        )),
        any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(bson::Decimal128::from_bytes(b))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
    ]
}

/// Keys without NUL (BSON keys are C strings).
fn arb_key() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|k| k.replace('\0', ""))
}

fn arb_doc() -> impl Strategy<Value = Document> {
    let leaf = arb_leaf();
    let value = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Bson::Array),
            proptest::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    });
    proptest::collection::vec((arb_key(), value), 0..8).prop_map(|kv| kv.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn raw_writer_matches_bson_for_generated_documents(d in arb_doc()) {
        let expected = Bson::Document(d.clone()).into_relaxed_extjson().to_string();
        prop_assert_eq!(raw_line(&d), expected.clone());
        prop_assert_eq!(relaxed_line(d), expected);
    }
}

// ------------------------------------------------------------------------------------------------
// raw wire decoding and encoding

#[test]
fn raw_op_msg_decoding_agrees_with_decode() {
    let body = doc! {"cursor": {"firstBatch": [every_type()], "id": 5i64, "ns": "a.b"}, "ok": 1.0};
    for flags in [0, FLAG_CHECKSUM_PRESENT] {
        let frame = wire::encode(
            42,
            7,
            &Message::Msg(OpMsg {
                flags,
                body: body.clone(),
                sequences: Vec::new(),
            }),
        )
        .unwrap();
        let (header, got_flags, raw) = wire::decode_op_msg_raw(&frame)
            .expect("valid")
            .expect("a plain OP_MSG");
        let (h2, Message::Msg(m)) = wire::decode(&frame).unwrap() else {
            panic!("OP_MSG")
        };
        assert_eq!(header, h2);
        assert_eq!(got_flags, flags);
        assert_eq!(raw.as_bytes(), bson::to_vec(&m.body).unwrap().as_slice());
        // the raw reply encoder makes the same frame
        assert_eq!(
            wire::encode_raw_reply(42, 7, false, flags, raw.as_bytes()),
            frame
        );
    }
    // a corrupted checksum is an error, as in decode
    let mut frame = wire::encode(
        1,
        0,
        &Message::Msg(OpMsg {
            flags: FLAG_CHECKSUM_PRESENT,
            body: doc! {"ok": 1.0},
            sequences: Vec::new(),
        }),
    )
    .unwrap();
    let n = frame.len();
    frame[n - 1] ^= 0xff;
    assert!(wire::decode_op_msg_raw(&frame).is_err());
    assert!(wire::decode(&frame).is_err());
    // a truncated body is an error
    let frame = wire::encode(1, 0, &Message::Msg(OpMsg::new(doc! {"ok": 1.0}))).unwrap();
    let mut cut = frame.clone();
    cut.truncate(frame.len() - 2);
    let len = cut.len() as i32;
    cut[..4].copy_from_slice(&len.to_le_bytes());
    assert!(wire::decode_op_msg_raw(&cut).is_err());
}

#[test]
fn raw_decoding_leaves_sequences_and_legacy_replies_to_decode() {
    let with_seq = wire::encode(
        1,
        0,
        &Message::Msg(OpMsg {
            flags: 0,
            body: doc! {"insert": "c", "$db": "t"},
            sequences: vec![wire::DocumentSequence {
                identifier: "documents".into(),
                documents: vec![doc! {"a": 1}],
            }],
        }),
    )
    .unwrap();
    assert!(wire::decode_op_msg_raw(&with_seq).unwrap().is_none());
    let legacy = wire::encode(
        3,
        2,
        &Message::Reply(OpReply {
            response_flags: 0,
            cursor_id: 0,
            starting_from: 0,
            documents: vec![doc! {"ok": 1.0, "x": "y"}],
        }),
    )
    .unwrap();
    assert!(wire::decode_op_msg_raw(&legacy).unwrap().is_none());
    let body = bson::to_vec(&doc! {"ok": 1.0, "x": "y"}).unwrap();
    assert_eq!(wire::encode_raw_reply(3, 2, true, 0, &body), legacy);
}

// ------------------------------------------------------------------------------------------------
// against a lab

async fn one_member_lab() -> Lab {
    let lab = Lab::start(LabConfig {
        set_name: "raw".into(),
        nodes: 1,
        base_port: 0,
        election_timeout: Duration::from_millis(300),
        heartbeat_interval: Duration::from_millis(100),
        seed: 5,
        ..LabConfig::default()
    })
    .await
    .expect("lab starts");
    lab.initiate(&[], false).await.expect("initiate");
    lab.wait_for_primary(Duration::from_secs(15))
        .await
        .expect("primary");
    lab
}

async fn client_for(lab: &Lab) -> Client {
    let hosts = lab
        .hosts()
        .iter()
        .map(|h| h.parse::<ServerAddress>().unwrap())
        .collect();
    let mut o = ClientOptions::new(hosts);
    o.replica_set = Some("raw".into());
    o.server_selection_timeout = Duration::from_secs(10);
    Client::connect(o).await.unwrap()
}

/// 250 documents: the bench's shape, and every 10th one with every BSON type.
fn varied_docs() -> Vec<Document> {
    (0..250)
        .map(|k: i32| {
            if k % 10 == 0 {
                let mut d = doc! {"_id": k};
                d.extend(every_type().into_iter().filter(|(key, _)| key != "_id"));
                d
            } else {
                doc! { "_id": k, "item": "widget", "qty": k % 50, "price": 9.99, "tags": ["a", "b"] }
            }
        })
        .collect()
}

/// Compares documents through their relaxed EJSON (NaN is not equal to itself as a value).
fn lines(docs: &[Document]) -> Vec<String> {
    docs.iter().map(|d| relaxed_line(d.clone())).collect()
}

async fn seeded() -> (Lab, Client, Vec<Document>) {
    let lab = one_member_lab().await;
    let client = client_for(&lab).await;
    let docs = varied_docs();
    client
        .run_command(
            "t",
            doc! {"insert": "c", "documents": docs.clone()},
            &Criteria::Write,
        )
        .await
        .expect("insert");
    (lab, client, docs)
}

fn primary() -> ReadPreference {
    ReadPreference::new(ReadPreferenceMode::Primary)
}

fn batch_of(reply: &Document, key: &str) -> (Vec<Document>, i64) {
    let cursor = reply.get_document("cursor").expect("cursor");
    let docs = cursor
        .get_array(key)
        .expect(key)
        .iter()
        .map(|b| b.as_document().expect("a document").clone())
        .collect();
    (docs, cursor.get_i64("id").expect("id"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_cursor_batches_keep_mongod_defaults() {
    let (lab, client, docs) = seeded().await;
    let read = Criteria::Read(primary());
    // no batchSize: a first batch of 101, then one getMore returns the rest (under 16 MiB)
    let r = client
        .run_command("t", doc! {"find": "c"}, &read)
        .await
        .unwrap();
    let (first, id) = batch_of(&r.reply, "firstBatch");
    assert_eq!(first.len(), 101);
    assert_ne!(id, 0);
    assert_eq!(
        r.reply.get_document("cursor").unwrap().get_str("ns"),
        Ok("t.c")
    );
    assert_eq!(r.reply.get_f64("ok"), Ok(1.0));
    assert!(r.reply.contains_key("$clusterTime") && r.reply.contains_key("operationTime"));
    let g = client
        .run_command("t", doc! {"getMore": id, "collection": "c"}, &read)
        .await
        .unwrap();
    let (rest, id2) = batch_of(&g.reply, "nextBatch");
    assert_eq!(id2, 0, "the cursor is exhausted");
    let mut all = first;
    all.extend(rest);
    assert_eq!(lines(&all), lines(&docs));
    // a requested batchSize is honoured by find and getMore
    let r = client
        .run_command("t", doc! {"find": "c", "batchSize": 0}, &read)
        .await
        .unwrap();
    let (first, id) = batch_of(&r.reply, "firstBatch");
    assert!(first.is_empty());
    let g = client
        .run_command(
            "t",
            doc! {"getMore": id, "collection": "c", "batchSize": 7},
            &read,
        )
        .await
        .unwrap();
    let (next, id2) = batch_of(&g.reply, "nextBatch");
    assert_eq!(lines(&next), lines(&docs[..7]));
    assert_eq!(id2, id);
    // a filter, a projection, a sort and a limit go through the same encoded cursor
    let r = client
        .run_command(
            "t",
            doc! {"find": "c", "filter": {"qty": 3}, "projection": {"qty": 1, "_id": 0},
            "sort": {"_id": -1}, "limit": 3},
            &read,
        )
        .await
        .unwrap();
    let (got, id) = batch_of(&r.reply, "firstBatch");
    assert_eq!(id, 0);
    assert_eq!(got, vec![doc! {"qty": 3}; 3]);
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_documents_are_the_same_raw_or_decoded() {
    let (lab, client, docs) = seeded().await;
    let find = |batch_size| FindOptions {
        batch_size,
        ..Default::default()
    };
    for bs in [None, Some(1), Some(7), Some(4096)] {
        // next(): decoded one by one
        let mut c = client.find("t", "c", find(bs), &primary()).await.unwrap();
        let mut one_by_one = Vec::new();
        while let Some(d) = c.next().await.unwrap() {
            one_by_one.push(d);
        }
        assert_eq!(lines(&one_by_one), lines(&docs), "next(), batch {bs:?}");
        // next_batch(): decoded by batch
        let mut c = client.find("t", "c", find(bs), &primary()).await.unwrap();
        let mut by_batch = Vec::new();
        while let Some(b) = c.next_batch().await.unwrap() {
            assert!(!b.is_empty());
            by_batch.extend(b);
        }
        assert_eq!(lines(&by_batch), lines(&docs), "next_batch(), batch {bs:?}");
        // next_raw_batch(): raw documents, written by the raw writer
        let mut c = client.find("t", "c", find(bs), &primary()).await.unwrap();
        let mut raw_lines = Vec::new();
        while let Some(b) = c.next_raw_batch().await.unwrap() {
            assert_eq!(b.len(), b.documents().count());
            for d in b.documents() {
                let mut out = Vec::new();
                write_relaxed_raw_document(&mut out, d).unwrap();
                raw_lines.push(String::from_utf8(out).unwrap());
            }
        }
        assert_eq!(raw_lines, lines(&docs), "next_raw_batch(), batch {bs:?}");
    }
    // mixing: a few documents through next(), the rest raw
    let mut c = client
        .find("t", "c", find(Some(10)), &primary())
        .await
        .unwrap();
    let mut mixed = Vec::new();
    for _ in 0..3 {
        mixed.push(relaxed_line(c.next().await.unwrap().unwrap()));
    }
    while let Some(b) = c.next_raw_batch().await.unwrap() {
        for d in b.documents() {
            let mut out = Vec::new();
            write_relaxed_raw_document(&mut out, d).unwrap();
            mixed.push(String::from_utf8(out).unwrap());
        }
    }
    assert_eq!(mixed, lines(&docs));
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsctl_read_prints_exactly_the_relaxed_lines() {
    let (lab, client, docs) = seeded().await;
    client.shutdown().await;
    let seeds = lab.seed_list();
    let expected: String = lines(&docs).into_iter().map(|l| l + "\n").collect();
    for extra in [
        &[][..],
        &["--batch-size", "3"][..],
        &["--batch-size", "1000"][..],
    ] {
        let mut args = vec!["-u".to_string(), seeds.clone(), "read".into(), "t.c".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = Rsctl::new(&args).run().await;
        assert_code(&out, 0);
        assert_eq!(
            String::from_utf8(out.stdout).expect("UTF-8"),
            expected,
            "rsctl read {extra:?}"
        );
    }
    lab.shutdown().await;
}
