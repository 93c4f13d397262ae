//! The `rsctl` binary on router seed lists, against an in-process lab with 3 mongos routers:
//! `status` (routers, then the shard's replica-set status), `read` (which router, which read
//! preference forwarded), every router down (exit 3 naming each router and its error),
//! `failover-watch` (router down, router in use changing), and `rsctl lab up --mongos`.

use std::process::{Command as StdCommand, Output, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

async fn lab_with_routers() -> Lab {
    let lab = Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(100),
        seed: 2,
    })
    .await
    .unwrap();
    lab.initiate(&[], false).await.unwrap();
    lab.start_routers(3, 0).await.unwrap();
    lab
}

fn cmd(args: &[String]) -> StdCommand {
    let mut c = StdCommand::cargo_bin("rsctl").unwrap();
    c.args(args)
        .env_remove("MONGODB_URI")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs rsctl off the async threads (the lab keeps serving); killed after 60 s.
async fn rsctl(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let child = cmd(&args).spawn().unwrap();
        let id = child.id();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            if rx.recv_timeout(Duration::from_secs(60)).is_err() {
                let _ = StdCommand::new("kill").arg(id.to_string()).status();
            }
        });
        let out = child.wait_with_output().unwrap();
        let _ = tx.send(());
        out
    })
    .await
    .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[track_caller]
fn assert_code(o: &Output, want: i32) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "--- stdout\n{}\n--- stderr\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_routers_then_the_shard() {
    let lab = lab_with_routers().await;
    let seeds = lab.router_seed_list();
    let o = rsctl(&["status", "-u", &seeds, "--json"]).await;
    assert_code(&o, 0);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["topology_type"], "Sharded");
    let routers = v["routers"].as_array().unwrap();
    assert_eq!(routers.len(), 3);
    for r in routers {
        assert_eq!(r["reachable"], true, "{r}");
        assert_eq!(r["version"], "7.0.12");
        assert!(r["rtt_ms"].as_f64().is_some());
    }
    let shard = &v["shards"][0];
    assert_eq!(shard["id"], "rs0");
    assert_eq!(shard["host"], format!("rs0/{}", lab.seed_list()));
    let members = shard["status"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    assert_eq!(
        shard["status"]["primary"].as_str(),
        lab.primary().as_deref()
    );

    // The table: a router slowed out of the latency window says so.
    let slow = lab.routers()[0].clone();
    lab.fault(&slow, Fault::Latency(80)).await.unwrap();
    let o = rsctl(&["status", "-u", &seeds]).await;
    assert_code(&o, 0);
    let out = text(&o.stdout);
    assert!(out.contains("ROUTER") && out.contains("IN WINDOW"), "{out}");
    let slow_line = out.lines().find(|l| l.contains(&slow)).unwrap();
    assert!(slow_line.contains("no"), "{slow_line}");
    assert!(out.contains("Shard rs0"), "{out}");
    assert!(
        out.contains("PRIMARY") && out.contains("SECONDARY"),
        "{out}"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_names_the_router_and_the_forwarded_read_preference() {
    let lab = lab_with_routers().await;
    let seeds = lab.router_seed_list();
    let o = rsctl(&["read", "test.c", "-u", &seeds, "--pref", "secondary"]).await;
    assert_code(&o, 0);
    let err = text(&o.stderr);
    let router = lab
        .routers()
        .into_iter()
        .find(|r| err.contains(&format!("via mongos {r}")))
        .unwrap_or_else(|| panic!("no router named in: {err}"));
    assert!(err.contains("\"mode\": \"secondary\""), "{err}");
    let f = lab.router_last_forward(&router).unwrap();
    assert_eq!(f.command, "find");
    assert_ne!(f.served_by, lab.primary());

    // One router dead: the read goes through another one.
    lab.fault(&router, Fault::Kill).await.unwrap();
    let o = rsctl(&["read", "test.c", "-u", &seeds]).await;
    assert_code(&o, 0);
    let err = text(&o.stderr);
    assert!(
        err.contains("no $readPreference sent") && !err.contains(&router),
        "{err}"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_router_down_is_exit_3_naming_each_router() {
    let lab = lab_with_routers().await;
    let seeds = lab.router_seed_list();
    for r in lab.routers() {
        lab.fault(&r, Fault::Kill).await.unwrap();
    }
    // Every router refuses the connection: the read ends early (before its 30 s selection
    // timeout) with one line per router.
    let o = rsctl(&["read", "test.c", "-u", &seeds]).await;
    assert_code(&o, 3);
    let err = text(&o.stderr);
    assert!(err.contains("read: no server could be reached"), "{err}");
    for r in lab.routers() {
        assert!(
            err.contains(&format!(
                "  - {r}: connection refused: is mongod running on {r}?"
            )),
            "{r} in {err}"
        );
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_watch_streams_router_down_and_the_router_in_use_changing() {
    let lab = lab_with_routers().await;
    let seeds = lab.router_seed_list();
    let routers = lab.routers();
    // Routers 0 and 1 are slow: router 2 is the nearest, the one in use.
    lab.fault(&routers[0], Fault::Latency(60)).await.unwrap();
    lab.fault(&routers[1], Fault::Latency(60)).await.unwrap();
    let watch = {
        let seeds = seeds.clone();
        tokio::spawn(async move {
            rsctl(&[
                "failover-watch",
                "-u",
                &seeds,
                "--json",
                "--heartbeat",
                "500ms",
                "--duration",
                "4s",
            ])
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    lab.fault(&routers[2], Fault::Kill).await.unwrap();
    let o = watch.await.unwrap();
    assert_code(&o, 0);
    let lines: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let changes: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "router_changed")
        .collect();
    assert!(changes.len() >= 2, "{lines:?}");
    assert_eq!(changes[0]["from"], Value::Null);
    assert_eq!(changes[0]["to"], routers[2].as_str());
    let last = changes.last().unwrap();
    assert_eq!(last["from"], routers[2].as_str());
    assert!(
        routers[..2].iter().any(|r| last["to"] == r.as_str()),
        "{last}"
    );
    assert!(last["ts"].as_str().is_some());
    assert!(
        lines.iter().any(|l| l["type"] == "server_changed"
            && l["host"] == routers[2].as_str()
            && l["to"] == "Unknown"),
        "{lines:?}"
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_up_with_mongos_routers_can_kill_a_router() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = StdCommand::cargo_bin("rsctl")
        .unwrap()
        .args([
            "lab",
            "up",
            "--set",
            "mgs",
            "--port",
            "0",
            "--mongos",
            "2",
            "--initiate",
            "--election-timeout",
            "1s",
            "--heartbeat-interval",
            "100ms",
        ])
        .env("RSCTL_LAB_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut lines = Vec::new();
        for l in std::io::BufReader::new(stdout).lines() {
            let l = l.unwrap();
            let done = l == "ready";
            lines.push(l);
            if done {
                break;
            }
        }
        lines
    });
    let lines = tokio::time::timeout(Duration::from_secs(30), lines)
        .await
        .unwrap()
        .unwrap();
    let routers: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("mongos "))
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect();
    assert_eq!(routers.len(), 2, "{lines:?}");
    let run = |args: Vec<String>| {
        let dir = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            StdCommand::cargo_bin("rsctl")
                .unwrap()
                .args(args)
                .env("RSCTL_LAB_DIR", dir)
                .output()
                .unwrap()
        })
    };
    let o = run(vec!["lab".into(), "kill".into(), routers[0].clone()])
        .await
        .unwrap();
    assert_code(&o, 0);
    let o = run(vec!["lab".into(), "ls".into()]).await.unwrap();
    let ls = text(&o.stdout);
    assert!(ls.contains(&format!("{}(down)", routers[0])), "{ls}");
    let o = run(vec!["lab".into(), "down".into()]).await.unwrap();
    assert_code(&o, 0);
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
}
