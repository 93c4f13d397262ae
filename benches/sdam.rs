//! SDAM benchmarks: parsing a hello reply and folding it into the topology description, for a
//! 50-member replica set (the largest a set may be). The topology worker runs `update` (plus a
//! clone and a `diff`) for every heartbeat of every member, so this is its hot path.

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerDescription, TopologyDescription};
use rsctl::core::sdam::{self, TopologyOptions};

const MEMBERS: usize = 50;

fn host(i: usize) -> String {
    format!("member-{i:02}.db.example.com:27017")
}

fn primary_hello() -> Document {
    let hosts: Vec<Bson> = (0..MEMBERS).map(|i| Bson::String(host(i))).collect();
    doc! {
        "ok": 1.0, "helloOk": true, "isWritablePrimary": true, "setName": "rs0", "setVersion": 7,
        "electionId": ObjectId::parse_str("7fffffff0000000000000003").unwrap(),
        "me": host(0), "primary": host(0), "hosts": hosts,
        "minWireVersion": 0, "maxWireVersion": 25, "logicalSessionTimeoutMinutes": 30,
        "topologyVersion": {"processId": ObjectId::parse_str("650000000000000000000001").unwrap(), "counter": 6i64},
        "lastWrite": {"lastWriteDate": bson::DateTime::from_millis(1_700_000_000_000),
                      "opTime": {"ts": bson::Timestamp { time: 1_700_000_000, increment: 1 }, "t": 3i64}},
        "tags": {"dc": "ny", "rack": "r1"},
        "maxBsonObjectSize": 16777216, "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
        "localTime": bson::DateTime::from_millis(1_700_000_000_000), "connectionId": 42,
    }
}

fn bench_sdam(c: &mut Criterion) {
    let reply = primary_hello();
    let primary = ServerAddress::parse(&host(0)).unwrap();
    let seeds: Vec<ServerAddress> = (0..3)
        .map(|i| ServerAddress::parse(&host(i)).unwrap())
        .collect();
    let mut td = TopologyDescription::new(&TopologyOptions {
        seeds,
        set_name: Some("rs0".into()),
        ..Default::default()
    });
    td.update(ServerDescription::from_hello(
        primary.clone(),
        &reply,
        Some(1.0),
        1,
    ));
    assert_eq!(td.servers.len(), MEMBERS);
    let sd = ServerDescription::from_hello(primary.clone(), &reply, Some(1.2), 2);

    c.bench_function("sdam/from_hello_primary_50_members", |b| {
        b.iter(|| ServerDescription::from_hello(primary.clone(), black_box(&reply), Some(1.0), 3))
    });
    c.bench_function("sdam/update_primary_50_members", |b| {
        b.iter_batched(
            || (td.clone(), sd.clone()),
            |(mut t, s)| {
                t.update(s);
                t
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("sdam/worker_step_50_members_clone_update_diff", |b| {
        b.iter_batched(
            || sd.clone(),
            |s| {
                let mut next = td.clone();
                next.update(s);
                sdam::diff(black_box(&td), &next)
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench_sdam);
criterion_main!(benches);
