//! End-to-end timings of the built `rsctl` binary against an in-process 3-member lab:
//!
//! - `rsctl status`: median wall time of one run (target < 30 ms);
//! - `rsctl read` of 100 000 documents to /dev/null: median documents per second
//!   (target >= 150 000 docs/s).
//!
//! Run with `cargo bench --bench cli`. Timings are printed, never asserted.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bson::{doc, Document};
use rsctl::client::{Client, ClientOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::selection::Criteria;
use rsctl::lab::server::{Lab, LabConfig};

const BIN: &str = env!("CARGO_BIN_EXE_rsctl");

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// CPU seconds (user + system) used so far by this process (`RUSAGE_SELF`: the lab's threads)
/// or by its waited-for children (`RUSAGE_CHILDREN`: the rsctl runs).
fn cpu_seconds(who: libc::c_int) -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn run(args: &[&str]) -> Duration {
    let t = Instant::now();
    let st = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run rsctl");
    let d = t.elapsed();
    assert!(st.success(), "rsctl {args:?} failed: {st}");
    d
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let lab = rt.block_on(async {
        let lab = Lab::start(LabConfig {
            set_name: "bench".into(),
            nodes: 3,
            base_port: 0,
            election_timeout: Duration::from_millis(500),
            heartbeat_interval: Duration::from_millis(200),
            seed: 3,
            ..LabConfig::default()
        })
        .await
        .expect("lab");
        lab.initiate(&[], false).await.expect("initiate");
        lab.wait_for_primary(Duration::from_secs(20))
            .await
            .expect("primary");
        lab
    });
    let seeds = lab.seed_list();
    let docs: i32 = if quick { 2_000 } else { 100_000 };
    rt.block_on(async {
        let hosts = lab.hosts().iter().map(|h| h.parse::<ServerAddress>().unwrap()).collect();
        let mut o = ClientOptions::new(hosts);
        o.replica_set = Some("bench".into());
        let client = Client::connect(o).await.unwrap();
        let mut i = 0;
        while i < docs {
            let batch: Vec<Document> = (i..(i + 1000).min(docs))
                .map(|k| doc! { "_id": k, "item": "widget", "qty": k % 50, "price": 9.99, "tags": ["a", "b"] })
                .collect();
            i += batch.len() as i32;
            client
                .run_command("bench", doc! { "insert": "docs", "documents": batch }, &Criteria::Write)
                .await
                .expect("insert");
        }
        client.shutdown().await;
    });

    let status_runs = if quick { 3 } else { 30 };
    let _ = run(&["-u", &seeds, "status"]); // warm the page cache
    let mut t: Vec<f64> = (0..status_runs)
        .map(|_| run(&["-u", &seeds, "status"]).as_secs_f64() * 1000.0)
        .collect();
    let min = t.iter().cloned().fold(f64::MAX, f64::min);
    println!(
        "rsctl status (3-member lab): median {:.1} ms, min {min:.1} ms over {status_runs} runs (target < 30 ms)",
        median(&mut t)
    );

    let read_runs = if quick { 1 } else { 5 };
    let (mut rsctl_cpu, mut lab_cpu) = (Vec::new(), Vec::new());
    let mut rates: Vec<f64> = (0..read_runs)
        .map(|_| {
            let (child0, self0) = (
                cpu_seconds(libc::RUSAGE_CHILDREN),
                cpu_seconds(libc::RUSAGE_SELF),
            );
            let d = run(&["-u", &seeds, "read", "bench.docs"]);
            rsctl_cpu.push(cpu_seconds(libc::RUSAGE_CHILDREN) - child0);
            lab_cpu.push(cpu_seconds(libc::RUSAGE_SELF) - self0);
            docs as f64 / d.as_secs_f64()
        })
        .collect();
    println!(
        "rsctl read of {docs} documents to /dev/null: median {:.0} docs/s over {read_runs} runs (target >= 150000 docs/s)",
        median(&mut rates)
    );
    println!(
        "  CPU per read (median): rsctl {:.3} s, lab (this process) {:.3} s",
        median(&mut rsctl_cpu),
        median(&mut lab_cpu)
    );
    rt.block_on(lab.shutdown());
}
