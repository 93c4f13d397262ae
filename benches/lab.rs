//! Lab benchmarks (a plain `main`, harness = false): prints medians.
//!
//! - hello round trips per second on one connection (target >= 10 000/s);
//! - time from killing the primary to the `Elected` notice, election timeout 1 s and heartbeat
//!   200 ms (target <= timeout + one heartbeat = 1.2 s);
//! - resident memory (VmRSS) of an idle, initiated 3-member lab (target < 30 MB).
//!
//! Run with `cargo bench --bench lab`.

use std::time::{Duration, Instant};

use bson::doc;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig, LabNotice};
use rsctl::wire::{self, Message, OpMsg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn config() -> LabConfig {
    LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(200),
        seed: 3,
        ..LabConfig::default()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn vm_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn hello_rate(lab: &Lab, n: usize) -> f64 {
    let mut s = TcpStream::connect(&lab.hosts()[0]).await.unwrap();
    s.set_nodelay(true).unwrap();
    let request = wire::encode(
        1,
        0,
        &Message::Msg(OpMsg::new(doc! {"hello": 1, "$db": "admin"})),
    )
    .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let started = Instant::now();
    for _ in 0..n {
        s.write_all(&request).await.unwrap();
        let mut len = [0u8; 4];
        s.read_exact(&mut len).await.unwrap();
        let total = wire::frame_length(&len, wire::DEFAULT_MAX_MESSAGE_SIZE)
            .unwrap()
            .unwrap();
        s.read_exact(&mut buf[..total - 4]).await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}

async fn failover_time() -> Duration {
    let lab = Lab::start(config()).await.unwrap();
    lab.initiate(&[], false).await.unwrap();
    let old = lab.primary().unwrap();
    let mut notices = lab.subscribe();
    let started = Instant::now();
    lab.fault(&old, Fault::Kill).await.unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(30), notices.recv()).await {
            Ok(Ok(LabNotice::Elected { host, .. })) if host != old => break,
            Ok(Ok(_)) => {}
            other => panic!("no new primary: {other:?}"),
        }
    }
    let took = started.elapsed();
    lab.shutdown().await;
    took
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful: run quickly then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let rss_before = vm_rss_kib();
        let lab = Lab::start(config()).await.unwrap();
        lab.initiate(&[], false).await.unwrap();
        tokio::time::sleep(Duration::from_secs(if quick { 0 } else { 2 })).await;
        let rss_idle = vm_rss_kib();
        if let (Some(before), Some(idle)) = (rss_before, rss_idle) {
            println!(
                "lab/idle_3_member_rss: {:.1} MB VmRSS (process before the lab: {:.1} MB; target < 30 MB)",
                idle as f64 / 1024.0,
                before as f64 / 1024.0
            );
        }

        let (runs, n) = if quick { (1, 200) } else { (7, 5_000) };
        let _warm = hello_rate(&lab, n / 5).await;
        let mut rates = Vec::new();
        for _ in 0..runs {
            rates.push(hello_rate(&lab, n).await);
        }
        println!(
            "lab/hello_round_trips: median {:.0}/s over {runs} runs of {n} (target >= 10000/s)",
            median(rates)
        );
        lab.shutdown().await;

        let runs = if quick { 1 } else { 7 };
        let mut times = Vec::new();
        for _ in 0..runs {
            times.push(failover_time().await.as_secs_f64() * 1000.0);
        }
        let max = times.iter().cloned().fold(0.0, f64::max);
        println!(
            "lab/kill_primary_to_elected: median {:.0} ms, max {max:.0} ms over {runs} runs (election timeout 1 s, heartbeat 200 ms; target <= 1200 ms)",
            median(times)
        );
    });
}
