//! End-to-end client benchmarks against an in-process lab (plain timings, not criterion: each
//! measurement is an event-to-event latency or a throughput over a whole run).
//!
//! - failover detection: from the lab's `Elected` notice to the client's `PrimaryChanged`
//!   event, in stream mode (heartbeatFrequencyMS 10 s, to show it does not matter) and in poll
//!   mode (heartbeatFrequencyMS 500 ms);
//! - an idle client monitoring a 7-member lab at heartbeatFrequencyMS 500 ms: CPU % and RSS
//!   (the lab's own idle cost is measured first and subtracted);
//! - `find` of 100 000 small documents through the cursor, in documents per second.
//!
//! Run with `cargo bench --bench client` (`RSCTL_BENCH_ROUNDS` sets the failover rounds,
//! `RSCTL_BENCH_ONLY=failover,idle,find` picks parts).

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use bson::doc;
use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerType, TopologyDescription, TopologyType};
use rsctl::core::events::SdamEvent;
use rsctl::core::read_pref::ReadPreference;
use rsctl::core::selection::Criteria;
use rsctl::core::uri::ServerMonitoringMode;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig, LabNotice};

fn lab_config(nodes: usize, seed: u64) -> LabConfig {
    LabConfig {
        set_name: "rs0".into(),
        nodes,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(200),
        seed,
        ..LabConfig::default()
    }
}

async fn start_lab(nodes: usize, seed: u64) -> Lab {
    let lab = Lab::start(lab_config(nodes, seed)).await.expect("lab");
    let tags = vec![BTreeMap::new(); nodes];
    lab.initiate(&tags, false).await.expect("initiate");
    lab.wait_for_primary(Duration::from_secs(20))
        .await
        .expect("primary");
    lab
}

fn options(lab: &Lab, heartbeat: Duration, mode: ServerMonitoringMode) -> ClientOptions {
    let mut o = ClientOptions::new(
        lab.hosts()
            .iter()
            .map(|h| ServerAddress::parse(h).unwrap())
            .collect(),
    );
    o.heartbeat_frequency = heartbeat;
    o.server_monitoring_mode = mode;
    o.connect_timeout = Duration::from_secs(2);
    o.server_selection_timeout = Duration::from_secs(20);
    o
}

async fn wait_for(client: &Client, pred: impl Fn(&TopologyDescription) -> bool) {
    let mut rx = client.watch();
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if pred(&rx.borrow_and_update()) {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    })
    .await;
}

fn complete(t: &TopologyDescription, n: usize) -> bool {
    t.topology_type == TopologyType::ReplicaSetWithPrimary
        && t.servers.len() == n
        && t.servers.values().all(|s| {
            matches!(
                s.server_type,
                ServerType::RSPrimary | ServerType::RSSecondary
            )
        })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

fn ms_between(a: SystemTime, b: SystemTime) -> f64 {
    match b.duration_since(a) {
        Ok(d) => d.as_secs_f64() * 1000.0,
        Err(e) => -(e.duration().as_secs_f64() * 1000.0),
    }
}

async fn failover(mode: ServerMonitoringMode, heartbeat: Duration, rounds: usize) -> Vec<f64> {
    let lab = start_lab(3, 11).await;
    let client = Client::connect(options(&lab, heartbeat, mode))
        .await
        .unwrap();
    wait_for(&client, |t| complete(t, 3)).await;
    let mut samples = Vec::new();
    for _ in 0..rounds {
        let old = lab.primary().expect("primary");
        let mut notices = lab.subscribe();
        let mut events = client.subscribe();
        lab.fault(&old, Fault::Kill).await.unwrap();
        let elected_at = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                match notices.recv().await {
                    Ok(LabNotice::Elected { host, at, .. }) if host != old => return Some(at),
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return None,
                }
            }
        });
        let seen_at = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                match events.recv().await {
                    Ok(e) => {
                        if let SdamEvent::PrimaryChanged { new, .. } = &e.event {
                            if new.to_string() != old {
                                return Some(e.at);
                            }
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return None,
                }
            }
        });
        let (elected, seen) = tokio::join!(elected_at, seen_at);
        if let (Ok(Some(e)), Ok(Some(s))) = (elected, seen) {
            samples.push(ms_between(e, s));
        }
        lab.fault(&old, Fault::Start).await.unwrap();
        wait_for(&client, |t| complete(t, 3)).await;
    }
    client.shutdown().await;
    lab.shutdown().await;
    samples
}

fn proc_cpu_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0);
    let stime: u64 = f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0);
    utime + stime
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|x| x.parse().ok()))
        .unwrap_or(0)
}

async fn cpu_percent_over(d: Duration) -> f64 {
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let t0 = proc_cpu_ticks();
    let w0 = Instant::now();
    tokio::time::sleep(d).await;
    let ticks = (proc_cpu_ticks() - t0) as f64;
    ticks / ticks_per_s / w0.elapsed().as_secs_f64() * 100.0
}

async fn idle_monitoring() {
    let lab = start_lab(7, 12).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let span = Duration::from_secs(10);
    let lab_cpu = cpu_percent_over(span).await;
    let rss_before = rss_kib();
    let client = Client::connect(options(
        &lab,
        Duration::from_millis(500),
        ServerMonitoringMode::Auto,
    ))
    .await
    .unwrap();
    wait_for(&client, |t| complete(t, 7)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let both_cpu = cpu_percent_over(span).await;
    let rss_after = rss_kib();
    println!(
        "idle 7-member monitoring (stream mode, heartbeat 500 ms): process CPU {both_cpu:.2}% with the client vs {lab_cpu:.2}% lab alone => client ~{:.2}% of one core; RSS +{} KiB (total {} KiB), {} background tasks",
        both_cpu - lab_cpu,
        rss_after.saturating_sub(rss_before),
        rss_after,
        client.live_tasks()
    );
    client.shutdown().await;
    lab.shutdown().await;
}

/// The client-side ceiling: decoding one getMore reply of 100 000 small documents.
fn decode_ceiling() {
    let docs: Vec<bson::Bson> = (0..100_000)
        .map(|i| bson::Bson::Document(doc! {"_id": i, "x": i, "s": "small"}))
        .collect();
    let reply = doc! {"cursor": {"nextBatch": docs, "id": 0i64, "ns": "bench.docs"}, "ok": 1.0};
    let bytes = rsctl::wire::encode(
        1,
        2,
        &rsctl::wire::Message::Msg(rsctl::wire::OpMsg::new(reply)),
    )
    .unwrap();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t0 = Instant::now();
        let (_, msg) = rsctl::wire::decode(&bytes).unwrap();
        let n = match msg {
            rsctl::wire::Message::Msg(m) => m
                .body
                .get_document("cursor")
                .unwrap()
                .get_array("nextBatch")
                .unwrap()
                .len(),
            _ => 0,
        };
        assert_eq!(n, 100_000);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "decode ceiling: one {} KiB reply of 100000 documents decodes in {:.1} ms ({:.0} docs/s)",
        bytes.len() / 1024,
        best * 1000.0,
        100_000.0 / best
    );
}

async fn find_throughput() {
    let lab = start_lab(3, 13).await;
    let client = Client::connect(options(
        &lab,
        Duration::from_millis(500),
        ServerMonitoringMode::Auto,
    ))
    .await
    .unwrap();
    wait_for(&client, |t| complete(t, 3)).await;
    let n_docs: i32 = std::env::var("RSCTL_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let t_insert = Instant::now();
    for chunk in 0..(n_docs / 1000) {
        let docs: Vec<bson::Bson> = (0..1000)
            .map(|i| bson::Bson::Document(doc! {"_id": chunk * 1000 + i, "x": i, "s": "small"}))
            .collect();
        client
            .run_command(
                "bench",
                doc! {"insert": "docs", "documents": docs},
                &Criteria::Write,
            )
            .await
            .expect("insert");
    }
    println!(
        "(inserted {n_docs} documents in {:.1} s)",
        t_insert.elapsed().as_secs_f64()
    );
    let mut rates = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut cursor = client
            .find(
                "bench",
                "docs",
                FindOptions::default(),
                &ReadPreference::primary(),
            )
            .await
            .unwrap();
        let mut n = 0usize;
        while let Some(batch) = cursor.next_batch().await.unwrap() {
            n += batch.len();
        }
        let secs = t0.elapsed().as_secs_f64();
        assert_eq!(n, n_docs as usize);
        rates.push(n as f64 / secs);
    }
    println!(
        "find {n_docs} small documents through the cursor: median {:.0} docs/s (runs: {:?})",
        median(rates.clone()),
        rates.iter().map(|r| r.round() as i64).collect::<Vec<_>>()
    );
    client.shutdown().await;
    lab.shutdown().await;
}

fn main() {
    // `cargo test --benches` runs bench binaries with no `--bench` flag: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds: usize = std::env::var("RSCTL_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let only = std::env::var("RSCTL_BENCH_ONLY").unwrap_or_default();
    let run = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
    rt.block_on(async {
        if run("failover") {
            failover_both(rounds).await;
        }
        if run("idle") {
            idle_monitoring().await;
        }
        if run("find") {
            decode_ceiling();
            find_throughput().await;
        }
    });
}

async fn failover_both(rounds: usize) {
    {
        let s = failover(
            ServerMonitoringMode::Stream,
            Duration::from_secs(10),
            rounds,
        )
        .await;
        println!(
            "failover detection, stream mode, heartbeat 10 s: median {:.1} ms over {} rounds (samples ms: {:?})",
            median(s.clone()),
            s.len(),
            s.iter().map(|x| (x * 10.0).round() / 10.0).collect::<Vec<_>>()
        );
        let p = failover(
            ServerMonitoringMode::Poll,
            Duration::from_millis(500),
            rounds,
        )
        .await;
        println!(
            "failover detection, poll mode, heartbeat 500 ms: median {:.1} ms over {} rounds (samples ms: {:?})",
            median(p.clone()),
            p.len(),
            p.iter().map(|x| (x * 10.0).round() / 10.0).collect::<Vec<_>>()
        );
    }
}
