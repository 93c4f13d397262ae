//! Server selection benchmarks: `select_suitable` on a 7-member and a 50-member replica set with
//! three tag sets and maxStalenessSeconds (targets: < 1 µs and < 5 µs), plus `pick`.

use std::collections::BTreeMap;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{
    ServerDescription, ServerType, Tags, TopologyDescription, TopologyType,
};
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::selection::{pick, select_suitable, Criteria, SelectionSettings};

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A replica set of `n` members: one primary, the rest secondaries spread over three data
/// centres and a few racks, with varied RTTs and replication lags (some too stale).
fn replica_set(n: usize) -> TopologyDescription {
    let now = 1_700_000_000_000_i64;
    let dcs = ["ny", "sf", "ldn"];
    let servers = (0..n)
        .map(|i| {
            let address = ServerAddress::new(format!("member{i}.example.net"), 27017);
            let mut sd = ServerDescription::new_unknown(address.clone());
            sd.server_type = if i == 0 {
                ServerType::RSPrimary
            } else {
                ServerType::RSSecondary
            };
            sd.round_trip_time_ms = Some(2.0 + (i * 7 % 40) as f64);
            sd.last_update_time_ms = now;
            sd.last_write_date_ms = Some(now - ((i * 37 % 150) as i64) * 1000);
            let rack = (i % 4).to_string();
            sd.tags = tags(&[("dc", dcs[i % 3]), ("rack", rack.as_str())]);
            (address, sd)
        })
        .collect::<BTreeMap<_, _>>();
    TopologyDescription {
        topology_type: TopologyType::ReplicaSetWithPrimary,
        set_name: Some("rs0".into()),
        max_set_version: Some(1),
        max_election_id: None,
        servers,
        ..TopologyDescription::default()
    }
}

fn criteria() -> Criteria {
    Criteria::Read(ReadPreference {
        mode: ReadPreferenceMode::Nearest,
        tag_sets: vec![
            tags(&[("dc", "tokyo")]),
            tags(&[("dc", "sf"), ("rack", "1")]),
            Tags::new(),
        ],
        max_staleness: Some(Duration::from_secs(120)),
    })
}

fn bench_selection(c: &mut Criterion) {
    let settings = SelectionSettings::default();
    let criteria = criteria();
    for n in [7, 50] {
        let topo = replica_set(n);
        let sel = select_suitable(&topo, &criteria, &settings, &[]).unwrap();
        assert!(
            !sel.in_window.is_empty(),
            "the benchmark set must select something"
        );
        c.bench_function(
            &format!("selection/select_suitable_{n}_members_3_tag_sets_max_staleness"),
            |b| {
                b.iter(|| {
                    select_suitable(black_box(&topo), black_box(&criteria), &settings, &[]).unwrap()
                })
            },
        );
    }
    let topo = replica_set(7);
    let sel = select_suitable(&topo, &criteria, &settings, &[]).unwrap();
    let explain_len = sel.explain().len();
    assert!(explain_len > 0);
    c.bench_function("selection/explain_7_members", |b| {
        b.iter(|| black_box(&sel).explain())
    });
    let window: Vec<ServerAddress> = (0..5)
        .map(|i| ServerAddress::new(format!("m{i}"), 27017))
        .collect();
    let mut rng = SmallRng::seed_from_u64(1);
    c.bench_function("selection/pick_of_5", |b| {
        b.iter(|| {
            pick(
                black_box(&window),
                |a| if *a == window[0] { 3 } else { 1 },
                &mut rng,
            )
        })
    });
}

criterion_group!(benches, bench_selection);
criterion_main!(benches);
