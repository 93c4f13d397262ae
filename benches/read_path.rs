//! The hot pieces of `rsctl read`, on one cursor reply of 4096 of the bench's documents
//! (`{_id, item, qty, price, tags: [a, b]}`, rsctl's default batch size):
//!
//! - `decoded`: the reply decoded into a `Document` (what the client did before), then every
//!   document written as relaxed Extended JSON by the `Document` writer;
//! - `raw`: the reply kept as raw BSON, every document written by the raw writer (what
//!   `rsctl read` does now);
//! - the lab's side: encoding the batch from `Document`s vs copying it from stored bytes is
//!   measured end to end by `benches/cli.rs`.
//!
//! Run with `cargo bench --bench read_path`.

use bson::{doc, Bson, Document, RawBsonRef, RawDocumentBuf};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rsctl::cli::args::{write_relaxed_document, write_relaxed_raw_document};

fn reply() -> Vec<u8> {
    let docs: Vec<Bson> = (0..4096)
        .map(|k: i32| {
            Bson::Document(
                doc! { "_id": k, "item": "widget", "qty": k % 50, "price": 9.99, "tags": ["a", "b"] },
            )
        })
        .collect();
    bson::to_vec(&doc! {"cursor": {"nextBatch": docs, "id": 42i64, "ns": "bench.docs"}, "ok": 1.0})
        .unwrap()
}

fn bench_read_path(c: &mut Criterion) {
    let bytes = reply();
    let mut g = c.benchmark_group("read_path");
    g.throughput(Throughput::Elements(4096));
    g.bench_function("decoded_4096_docs_to_relaxed_ejson", |b| {
        let mut out = Vec::with_capacity(512 * 1024);
        b.iter(|| {
            out.clear();
            let reply = Document::from_reader(&mut black_box(bytes.as_slice())).unwrap();
            let batch = reply
                .get_document("cursor")
                .unwrap()
                .get_array("nextBatch")
                .unwrap();
            for d in batch {
                write_relaxed_document(&mut out, d.as_document().unwrap());
                out.push(b'\n');
            }
            out.len()
        })
    });
    g.bench_function("raw_4096_docs_to_relaxed_ejson", |b| {
        let mut out = Vec::with_capacity(512 * 1024);
        b.iter(|| {
            out.clear();
            let reply = RawDocumentBuf::from_bytes(black_box(bytes.clone())).unwrap();
            let Ok(Some(RawBsonRef::Document(cursor))) = reply.get("cursor") else {
                unreachable!()
            };
            let Ok(Some(RawBsonRef::Array(batch))) = cursor.get("nextBatch") else {
                unreachable!()
            };
            for d in batch {
                let Ok(RawBsonRef::Document(d)) = d else {
                    unreachable!()
                };
                write_relaxed_raw_document(&mut out, d).unwrap();
                out.push(b'\n');
            }
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_read_path);
criterion_main!(benches);
