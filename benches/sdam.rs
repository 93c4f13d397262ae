//! SDAM benchmarks: parsing a hello reply and folding it into the topology description, for a
//! 50-member replica set (the largest a set may be). The topology worker runs `update` (plus a
//! clone and a `diff`) for every heartbeat of every member, so this is its hot path.
//!
//! Each benchmark runs twice: `sdam/...` in wall-clock time (criterion's default) and
//! `sdam-cpu/...` in the benchmark thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), which stays
//! meaningful on a machine shared with other jobs.
//!
//! `update_primary_50_members` clones the topology right before each update (per-iteration
//! batches): the steady-state heartbeat of the primary, same reply, new RTT.
//! `worker_step_50_members_clone_update_diff` is what the worker used to do for every check
//! (clone, update, diff); `worker_step_50_members_unchanged_heartbeat` is what it does now for a
//! check that changes nothing (`apply` in place, then the one slot copied into the snapshot,
//! see `net/worker.rs`); `topology_clone_50_members` is the copy a change still costs (the
//! member lists and replies are shared, not copied).

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
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

/// CPU time consumed by the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID needs nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Criterion measurement: the benchmark thread's CPU time.
struct ThreadCpuTime;

/// Formats nanosecond values as ns / µs / ms.
struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e3, "µs")
        } else {
            (1e6, "ms")
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        _t: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        values.iter_mut().for_each(|v| *v = 1e9 / *v);
        "elem/s"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

fn bench_sdam_cpu(c: &mut Criterion<ThreadCpuTime>) {
    run_benches(c, "sdam-cpu");
}

fn bench_sdam(c: &mut Criterion) {
    run_benches(c, "sdam");
}

fn run_benches<M: Measurement + 'static>(c: &mut Criterion<M>, prefix: &str) {
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

    c.bench_function(&format!("{prefix}/from_hello_primary_50_members"), |b| {
        b.iter(|| ServerDescription::from_hello(primary.clone(), black_box(&reply), Some(1.0), 3))
    });
    c.bench_function(&format!("{prefix}/update_primary_50_members"), |b| {
        b.iter_batched(
            || (td.clone(), sd.clone()),
            |(mut t, s)| {
                t.update(s);
                t
            },
            BatchSize::PerIteration,
        )
    });
    c.bench_function(&format!("{prefix}/topology_clone_50_members"), |b| {
        b.iter(|| black_box(&td).clone())
    });
    {
        let mut own = td.clone();
        let mut snapshot = td.clone();
        c.bench_function(
            &format!("{prefix}/worker_step_50_members_unchanged_heartbeat"),
            |b| {
                b.iter_batched(
                    || sd.clone(),
                    |s| {
                        let out = own.apply(s);
                        assert!(out.applied && !out.topology_changed);
                        let new = &own.servers[&primary];
                        let slot = snapshot.servers.get_mut(&primary).unwrap();
                        assert!(slot.equivalent(new));
                        slot.clone_from(new);
                    },
                    BatchSize::SmallInput,
                )
            },
        );
    }
    c.bench_function(
        &format!("{prefix}/worker_step_50_members_clone_update_diff"),
        |b| {
            b.iter_batched(
                || sd.clone(),
                |s| {
                    let mut next = td.clone();
                    next.update(s);
                    sdam::diff(black_box(&td), &next)
                },
                BatchSize::SmallInput,
            )
        },
    );
}

criterion_group!(benches, bench_sdam);
criterion_group! {
    name = cpu_benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = bench_sdam_cpu
}
criterion_main!(benches, cpu_benches);
