//! Wire codec benchmarks: encoding and decoding OP_MSG frames.

use bson::doc;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rsctl::wire::{decode, encode, DocumentSequence, Message, OpMsg};

fn bench_wire(c: &mut Criterion) {
    let hello = Message::Msg(OpMsg::new(doc! {
        "isWritablePrimary": true, "setName": "rs0", "hosts": ["127.0.0.1:27017", "127.0.0.1:27018"],
        "maxWireVersion": 25, "minWireVersion": 0, "ok": 1.0, "$db": "admin"
    }));
    let bytes = encode(1, 0, &hello).unwrap();
    c.bench_function("wire/encode_hello_reply", |b| {
        b.iter(|| encode(1, 0, black_box(&hello)).unwrap())
    });
    c.bench_function("wire/decode_hello_reply", |b| {
        b.iter(|| decode(black_box(&bytes)).unwrap())
    });
    let batch = Message::Msg(OpMsg {
        flags: 0,
        body: doc! {"insert": "c", "$db": "t"},
        sequences: vec![DocumentSequence {
            identifier: "documents".into(),
            documents: (0..100).map(|i| doc! {"_id": i, "v": "x"}).collect(),
        }],
    });
    let batch_bytes = encode(1, 0, &batch).unwrap();
    c.bench_function("wire/decode_100_doc_sequence", |b| {
        b.iter(|| decode(black_box(&batch_bytes)).unwrap())
    });
}

criterion_group!(benches, bench_wire);
criterion_main!(benches);
