//! The `rsctl` binary on router seed lists, against an in-process lab with 3 mongos routers:
//! `status` (routers, then the shard's replica-set status), `read` (which router, which read
//! preference forwarded), every router down (exit 3 naming each router and its error),
//! `failover-watch` (router down, router in use changing), and `rsctl lab up --mongos`.

use std::time::Duration;

use serde_json::Value;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

use crate::util::child_lab::ChildLab;
use crate::util::{assert_code, rsctl, stderr, stdout, Rsctl};

async fn lab_with_routers() -> Lab {
    let lab = Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(100),
        seed: 2,
        ..LabConfig::default()
    })
    .await
    .unwrap();
    lab.initiate(&[], false).await.unwrap();
    lab.start_routers(3, 0).await.unwrap();
    lab
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
    let out = stdout(&o);
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
    let err = stderr(&o);
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
    let err = stderr(&o);
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
    let err = stderr(&o);
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
    // No --duration: the watch runs until the events are in, then Ctrl-C ends it (exit 0).
    let mut watch = Rsctl::new([
        "failover-watch",
        "-u",
        &seeds,
        "--json",
        "--heartbeat",
        "500ms",
    ])
    .spawn();
    let r2 = routers[2].as_str();
    watch
        .line_where("router 2 in use", |l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["type"] == "router_changed" && v["to"] == r2
        })
        .await;
    lab.fault(&routers[2], Fault::Kill).await.unwrap();
    let (mut down, mut moved) = (false, false);
    watch
        .line_where("router 2 Unknown and the router in use moved", |l| {
            let v: Value = serde_json::from_str(l).unwrap();
            down |= v["type"] == "server_changed" && v["host"] == r2 && v["to"] == "Unknown";
            moved |= v["type"] == "router_changed" && v["from"] == r2;
            down && moved
        })
        .await;
    watch.interrupt();
    let o = watch.finish().await;
    assert_code(&o, 0);
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for l in &lines {
        crate::json_docs::check_watch_line(l).unwrap_or_else(|why| panic!("{why}"));
    }
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
    let lab = ChildLab::up("mgs", &["--mongos", "2"]).await;
    assert_eq!(lab.routers.len(), 2, "{:?}", lab.routers);
    lab.control(&["kill", &lab.routers[0]]).await;
    let o = lab.rsctl(&["lab", "ls"]).await;
    assert_code(&o, 0);
    let ls = stdout(&o);
    assert!(ls.contains(&format!("{}(down)", lab.routers[0])), "{ls}");
    lab.down().await;
}
