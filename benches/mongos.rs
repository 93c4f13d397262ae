//! Router failover benchmark (a plain `main`, harness = false): prints medians.
//!
//! A lab with 3 members and 3 mongos routers; a client seeded with the routers reads through
//! one of them, that router is killed, and the time from the kill to the first successful read
//! through another router is measured (the read after the kill fails on the dead router's pooled
//! connection and is retried once on another router). Measured with the default heartbeat
//! (10 s) and with 500 ms; target: under one heartbeat interval plus 50 ms.
//!
//! Also prints the resident memory an idle set of routers adds to a lab.
//!
//! Run with `cargo bench --bench mongos`.

use std::time::{Duration, Instant};

use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::ServerType;
use rsctl::core::read_pref::ReadPreference;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

const ROUNDS: usize = 15;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn vm_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn wait_mongos(client: &Client, n: usize) {
    let mut rx = client.watch();
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let count = rx
                .borrow_and_update()
                .servers
                .values()
                .filter(|s| s.server_type == ServerType::Mongos)
                .count();
            if count == n {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    })
    .await
    .expect("routers discovered");
}

/// One kill: ms from the kill to the first successful read through another router.
async fn one_failover(lab: &Lab, heartbeat: Option<Duration>) -> f64 {
    let hosts: Vec<ServerAddress> = lab
        .routers()
        .iter()
        .map(|h| ServerAddress::parse(h).unwrap())
        .collect();
    let mut o = ClientOptions::new(hosts);
    if let Some(h) = heartbeat {
        o.heartbeat_frequency = h;
    }
    o.server_selection_timeout = Duration::from_secs(30);
    let client = Client::connect(o).await.unwrap();
    wait_mongos(&client, 3).await;
    let rp = ReadPreference::primary();
    let cursor = client
        .find("test", "c", FindOptions::default(), &rp)
        .await
        .unwrap();
    let used = cursor.server().to_string();
    drop(cursor);
    let started = Instant::now();
    lab.fault(&used, Fault::Kill).await.unwrap();
    loop {
        match client.find("test", "c", FindOptions::default(), &rp).await {
            Ok(c) => {
                assert_ne!(c.server().to_string(), used);
                break;
            }
            Err(e) => eprintln!("  read failed after the kill: {e}"),
        }
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    client.shutdown().await;
    lab.fault(&used, Fault::Start).await.unwrap();
    ms
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let lab = Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(200),
        seed: 9,
        ..LabConfig::default()
    })
    .await
    .unwrap();
    lab.initiate(&[], false).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = vm_rss_kib();
    lab.start_routers(3, 0).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = vm_rss_kib();
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "idle routers: 3 routers add {} KiB of resident memory",
            a.saturating_sub(b)
        );
    }
    for (label, heartbeat, target) in [
        ("default heartbeat (10s)", None, 10_050.0),
        ("heartbeat 500ms", Some(Duration::from_millis(500)), 550.0),
    ] {
        let mut samples = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            samples.push(one_failover(&lab, heartbeat).await);
        }
        let max = samples.iter().copied().fold(0.0, f64::max);
        let med = median(samples);
        println!(
            "router kill -> first successful read via another router, {label}: median {med:.1} ms, max {max:.1} ms over {ROUNDS} kills (target < {target:.0} ms: {})",
            if med < target { "met" } else { "MISSED" }
        );
    }
    lab.shutdown().await;
}
