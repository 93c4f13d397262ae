//! End-to-end tests of the `rsctl` binary against labs started in-process on 127.0.0.1 with
//! ephemeral ports and short timings (one small lab per test): initiate, status, read with every
//! mode / tag sets / max staleness / latency, --explain, failover-watch with a probe, demo, exit
//! codes and bad input, and `| head` safety.

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::time::Duration;

use bson::{doc, Document};
use serde_json::Value;

use rsctl::client::{Client, ClientOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::Tags;
use rsctl::core::selection::Criteria;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

use crate::util::{assert_code, command, json, rsctl, stderr, stdout, Rsctl};

// ------------------------------------------------------------------------------------------------
// support

fn tags(list: &[&str]) -> Vec<Tags> {
    list.iter()
        .map(|t| {
            t.split(',')
                .filter(|s| !s.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect()
        })
        .collect()
}

async fn lab(nodes: usize) -> Lab {
    lab_with(nodes, Duration::from_secs(1)).await
}

async fn lab_with(nodes: usize, election_timeout: Duration) -> Lab {
    Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes,
        base_port: 0,
        election_timeout,
        heartbeat_interval: Duration::from_millis(100),
        seed: 1,
        ..LabConfig::default()
    })
    .await
    .expect("lab starts")
}

/// A 3-member lab initiated with tags dc=ny, dc=ny, dc=sf and a primary.
async fn ready_lab() -> Lab {
    initiated(lab(3).await).await
}

async fn initiated(lab: Lab) -> Lab {
    lab.initiate(&tags(&["dc=ny", "dc=ny", "dc=sf"]), false)
        .await
        .expect("initiate");
    lab.wait_for_primary(Duration::from_secs(15))
        .await
        .expect("primary");
    lab
}

async fn client_for(lab: &Lab) -> Client {
    let hosts = lab
        .hosts()
        .iter()
        .map(|h| h.parse::<ServerAddress>().unwrap())
        .collect();
    let mut o = ClientOptions::new(hosts);
    o.replica_set = Some("rs0".into());
    o.heartbeat_frequency = Duration::from_millis(500);
    o.server_selection_timeout = Duration::from_secs(10);
    Client::connect(o).await.unwrap()
}

/// Inserts `n` documents `{_id: i, n: i}` into `db.coll`, acknowledged by every member.
async fn seed_docs(lab: &Lab, db: &str, coll: &str, n: i32) {
    let client = client_for(lab).await;
    let mut i = 0;
    while i < n {
        let batch: Vec<Document> = (i..(i + 1000).min(n))
            .map(|k| doc! { "_id": k, "n": k, "s": "x" })
            .collect();
        i += batch.len() as i32;
        client
            .run_command(
                db,
                doc! { "insert": coll, "documents": batch, "writeConcern": { "w": 3, "wtimeout": 10000 } },
                &Criteria::Write,
            )
            .await
            .expect("insert");
    }
    client.shutdown().await;
}

fn served_by(o: &Output) -> String {
    let e = stderr(o);
    let line = e
        .lines()
        .find(|l| l.starts_with("served by "))
        .unwrap_or_else(|| panic!("no served-by line in {e}"));
    line.trim_start_matches("served by ")
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

fn state_of(o: &Output) -> String {
    let e = stderr(o);
    let line = e.lines().find(|l| l.starts_with("served by ")).unwrap();
    line.split('(')
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

fn explain_json(o: &Output) -> Value {
    let e = stderr(o);
    let line = e
        .lines()
        .find(|l| l.starts_with('{') && l.contains("\"candidates\""))
        .unwrap_or_else(|| panic!("no explain JSON on stderr: {e}"));
    serde_json::from_str(line).unwrap()
}

fn host_with_tag(lab: &Lab, dc: &str) -> Vec<String> {
    let hosts = lab.hosts();
    let dcs = ["ny", "ny", "sf"];
    hosts
        .into_iter()
        .zip(dcs)
        .filter(|(_, d)| *d == dc)
        .map(|(h, _)| h)
        .collect()
}

// ------------------------------------------------------------------------------------------------
// initiate

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiate_fresh_set_with_tags_then_again() {
    let lab = lab(3).await;
    let h = lab.hosts();
    let seeds = lab.seed_list();
    let m = |i: usize, dc: &str| format!("{},dc={dc}", h[i]);
    let (m0, m1, m2) = (m(0, "ny"), m(1, "ny"), m(2, "sf"));
    let args = [
        "-u",
        &seeds,
        "--heartbeat",
        "500ms",
        "initiate",
        "--set",
        "rs0",
        "--member",
        &m0,
        "--member",
        &m1,
        "--member",
        &m2,
        "--wait-timeout",
        "20s",
    ];
    let o = rsctl(&args).await;
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("initiated replica set \"rs0\""),
        "{}",
        stderr(&o)
    );
    let table = stdout(&o);
    assert!(table.contains("PRIMARY"), "{table}");
    assert_eq!(table.matches("SECONDARY").count(), 2, "{table}");
    assert!(table.contains("dc=sf"), "{table}");
    for host in &h {
        assert!(table.contains(host.as_str()), "{host} in {table}");
    }
    assert!(lab.primary().is_some());

    // Again, the same: no change, exit 0.
    let o = rsctl(&args).await;
    assert_code(&o, 0);
    assert!(stderr(&o).contains("already initiated"), "{}", stderr(&o));

    // Again with different tags: exit 1 and the difference.
    let other = format!("{},dc=la", h[2]);
    let o = rsctl(&[
        "-u", &seeds, "initiate", "--set", "rs0", "--member", &m0, "--member", &m1, "--member",
        &other,
    ])
    .await;
    assert_code(&o, 1);
    assert!(stderr(&o).contains("tags asked"), "{}", stderr(&o));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiate_a_single_seed_with_the_implicit_config() {
    let lab = lab(1).await;
    let seed = lab.hosts()[0].clone();
    let o = rsctl(&["-u", &seed, "--json", "initiate", "--wait-timeout", "20s"]).await;
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("status JSON after initiate");
    assert_eq!(v["set"], "rs0", "the member's own --replSet name");
    assert_eq!(v["primary"], seed.as_str());
    let o = rsctl(&["-u", &seed, "initiate"]).await;
    assert_code(&o, 0);
    assert!(stderr(&o).contains("already initiated"), "{}", stderr(&o));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initiate_reports_every_problem_before_changing_anything() {
    let lab = lab(2).await;
    let h = lab.hosts();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = format!("127.0.0.1:{closed}");
    let o = rsctl(&[
        "-u",
        &h[0],
        "--timeout",
        "1s",
        "initiate",
        "--member",
        &h[0],
        "--member",
        &h[1],
        "--member",
        &dead,
        "--member",
        "no-such-host.invalid:27017",
    ])
    .await;
    assert_code(&o, 1);
    let e = stderr(&o);
    assert!(e.contains("nothing was changed"), "{e}");
    assert!(e.contains(&dead), "{e}");
    assert!(e.contains("no-such-host.invalid"), "{e}");
    assert!(e.contains("mix localhost"), "{e}");
    // Nothing was initiated.
    let o = rsctl(&[
        "-u",
        &h[0],
        "--direct",
        "--timeout",
        "2s",
        "status",
        "--json",
    ])
    .await;
    assert_code(&o, 0);
    let v = json(&o);
    assert!(v["primary"].is_null(), "{}", stdout(&o));
    // Still uninitialized: no set name, and the member is a ghost (isreplicaset, no config).
    assert!(v["set"].is_null(), "{v}");
    assert_eq!(v["members"][0]["host"], h[0].as_str(), "{v}");
    assert_eq!(v["members"][0]["state"], "GHOST", "{v}");
    lab.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// status

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_in_both_formats_and_with_a_member_down() {
    let lab = ready_lab().await;
    let seeds = lab.seed_list();
    let primary = lab.primary().unwrap();

    let o = rsctl(&["-u", &seeds, "status", "--json"]).await;
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(v["set"], "rs0");
    assert_eq!(v["topology_type"], "ReplicaSetWithPrimary");
    assert_eq!(v["primary"], primary.as_str());
    assert!(v["term"].as_i64().unwrap() >= 1);
    assert!(v["config_version"].as_i64().unwrap() >= 1);
    let members = v["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    for m in members {
        for key in [
            "host",
            "state",
            "health",
            "rtt_ms",
            "lag_ms",
            "tags",
            "priority",
            "votes",
            "hidden",
            "arbiter",
            "sync_source",
            "uptime_s",
            "reachable",
        ] {
            assert!(m.get(key).is_some(), "{key} missing in {m}");
        }
        assert_eq!(m["reachable"], true);
        assert!(m["rtt_ms"].as_f64().is_some());
        let st = m["state"].as_str().unwrap();
        if m["host"] == primary.as_str() {
            assert_eq!(st, "PRIMARY");
        } else {
            assert_eq!(st, "SECONDARY");
        }
    }
    let sf = &host_with_tag(&lab, "sf")[0];
    let sf_row = members.iter().find(|m| m["host"] == sf.as_str()).unwrap();
    assert_eq!(sf_row["tags"]["dc"], "sf");

    let o = rsctl(&["-u", &seeds, "status"]).await;
    assert_code(&o, 0);
    let t = stdout(&o);
    assert!(t.contains("set: rs0"), "{t}");
    assert!(t.contains("ReplicaSetWithPrimary"), "{t}");
    for h in lab.hosts() {
        assert!(t.contains(h.as_str()), "{t}");
    }

    // A secondary goes down: its row is kept and marked.
    let victim = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    lab.fault(&victim, Fault::Kill).await.unwrap();
    let o = rsctl(&["-u", &seeds, "status", "--json"]).await;
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let row = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["host"] == victim.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["reachable"], false, "{row}");
    let o = rsctl(&["-u", &seeds, "status"]).await;
    assert!(stdout(&o).contains("UNREACHABLE"), "{}", stdout(&o));
    lab.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// read

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_with_every_mode() {
    let lab = ready_lab().await;
    seed_docs(&lab, "test", "c", 10).await;
    let seeds = lab.seed_list();
    for (mode, want) in [
        ("primary", Some("PRIMARY")),
        ("primaryPreferred", Some("PRIMARY")),
        ("secondary", Some("SECONDARY")),
        ("secondaryPreferred", Some("SECONDARY")),
        ("nearest", None),
    ] {
        let o = rsctl(&[
            "-u",
            &seeds,
            "read",
            "test.c",
            "--pref",
            mode,
            "--sort",
            r#"{"_id": 1}"#,
        ])
        .await;
        assert_code(&o, 0);
        let lines: Vec<Value> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 10, "{mode}");
        assert_eq!(lines[3]["_id"], 3, "{mode}: relaxed EJSON, sorted");
        let host = served_by(&o);
        assert!(lab.hosts().contains(&host), "{host}");
        if let Some(w) = want {
            assert_eq!(state_of(&o), w, "{mode}: {}", stderr(&o));
        }
    }
    // Filter, projection, limit.
    let o = rsctl(&[
        "-u",
        &seeds,
        "read",
        "test.c",
        "--filter",
        r#"{"n": {"$gte": 5}}"#,
        "--projection",
        r#"{"s": 0}"#,
        "--limit",
        "2",
        "--sort",
        r#"{"n": -1}"#,
    ])
    .await;
    assert_code(&o, 0);
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["n"], 9);
    assert!(lines[0].get("s").is_none());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_with_tag_sets_and_fallback() {
    let lab = ready_lab().await;
    seed_docs(&lab, "test", "c", 3).await;
    let seeds = lab.seed_list();
    let sf = host_with_tag(&lab, "sf")[0].clone();
    let primary = lab.primary().unwrap();

    // The only dc=sf member.
    let pref = if sf == primary {
        "nearest"
    } else {
        "secondary"
    };
    let o = rsctl(&[
        "-u", &seeds, "read", "test.c", "--pref", pref, "--tags", "dc=sf",
    ])
    .await;
    assert_code(&o, 0);
    assert_eq!(served_by(&o), sf);
    assert!(stderr(&o).contains("dc: sf"), "{}", stderr(&o));

    // No member has dc=xx: the empty tag set is the fallback.
    let o = rsctl(&[
        "-u",
        &seeds,
        "--json",
        "read",
        "test.c",
        "--pref",
        "nearest",
        "--tags",
        "dc=xx",
        "--tags",
        "",
        "--explain",
    ])
    .await;
    assert_code(&o, 0);
    let e = explain_json(&o);
    let picked = e["served_by"].as_str().unwrap();
    let c = e["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["host"] == picked)
        .unwrap();
    assert_eq!(c["matched_tag_set"], 1, "{e}");
    assert_eq!(stdout(&o).lines().count(), 3);

    // No fallback: nothing matches, exit 3 with the topology and the reasons.
    let o = rsctl(&[
        "-u",
        &seeds,
        "--timeout",
        "1s",
        "read",
        "test.c",
        "--pref",
        "nearest",
        "--tags",
        "dc=xx",
    ])
    .await;
    assert_code(&o, 3);
    let err = stderr(&o);
    assert!(err.contains("ReplicaSetWithPrimary"), "{err}");
    assert!(err.contains(&sf), "{err}");
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_with_max_staleness_and_a_lagging_member() {
    let lab = ready_lab().await;
    seed_docs(&lab, "test", "c", 1).await;
    let seeds = lab.seed_list();
    let primary = lab.primary().unwrap();
    let lagging = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    lab.fault(&lagging, Fault::Lag(120_000)).await.unwrap();
    // The primary keeps writing; the lagging member applies nothing for two minutes.
    let client = client_for(&lab).await;
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        client
            .insert_one("test", "c", doc! { "_id": 100 + i }, doc! { "w": 2 })
            .await
            .expect("write");
    }
    client.shutdown().await;
    tokio::time::sleep(Duration::from_millis(1200)).await;

    let o = rsctl(&[
        "-u",
        &seeds,
        "--heartbeat",
        "500ms",
        "--json",
        "read",
        "test.c",
        "--pref",
        "secondary",
        "--max-staleness",
        "90s",
        "--explain",
    ])
    .await;
    assert_code(&o, 0);
    let e = explain_json(&o);
    assert_eq!(e["max_staleness_s"], 90);
    let cands = e["candidates"].as_array().unwrap();
    let st = |h: &str| {
        cands.iter().find(|c| c["host"] == h).unwrap()["staleness_s"]
            .as_f64()
            .unwrap()
    };
    let fresh = lab
        .hosts()
        .into_iter()
        .find(|h| *h != primary && *h != lagging)
        .unwrap();
    assert!(
        st(&lagging) > st(&fresh) + 1.0,
        "the lagging member must be estimated staler: {e}"
    );
    assert_eq!(st(&primary), 0.0);

    // The rules, quoted, exit 2.
    let o = rsctl(&[
        "-u",
        &seeds,
        "read",
        "test.c",
        "--pref",
        "secondary",
        "--max-staleness",
        "30s",
    ])
    .await;
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("smallestMaxStalenessSeconds"),
        "{}",
        stderr(&o)
    );
    let o = rsctl(&["-u", &seeds, "read", "test.c", "--max-staleness", "100s"]).await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("mode primary"), "{}", stderr(&o));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearest_with_injected_latency_and_explain_in_both_formats() {
    let lab = ready_lab().await;
    seed_docs(&lab, "test", "c", 2).await;
    let seeds = lab.seed_list();
    let hosts = lab.hosts();
    let fast = hosts[2].clone();
    for h in &hosts[..2] {
        lab.fault(h, Fault::Latency(150)).await.unwrap();
    }
    let o = rsctl(&[
        "-u",
        &seeds,
        "--json",
        "read",
        "test.c",
        "--pref",
        "nearest",
        "--explain",
    ])
    .await;
    assert_code(&o, 0);
    let e = explain_json(&o);
    assert_eq!(e["served_by"], fast.as_str(), "{e}");
    for c in e["candidates"].as_array().unwrap() {
        for key in [
            "host",
            "type",
            "rtt_ms",
            "staleness_s",
            "tags",
            "eligible",
            "reason",
        ] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
        if c["host"] != fast.as_str() {
            assert_eq!(c["eligible"], false, "{c}");
            assert!(
                c["reason"].as_str().unwrap().contains("latency window"),
                "{c}"
            );
        } else {
            assert_eq!(c["eligible"], true);
        }
    }

    let o = rsctl(&[
        "-u",
        &seeds,
        "read",
        "test.c",
        "--pref",
        "nearest",
        "--explain",
    ])
    .await;
    assert_code(&o, 0);
    let text = stderr(&o);
    assert!(text.contains("read preference: mode nearest"), "{text}");
    assert!(text.contains("latency window"), "{text}");
    assert!(text.contains("← picked"), "{text}");
    assert!(text.contains(&format!("served by {fast}")), "{text}");
    for h in &hosts {
        assert!(text.contains(h.as_str()), "{text}");
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_stdout_early_is_quiet() {
    let lab = ready_lab().await;
    seed_docs(&lab, "test", "big", 5000).await;
    let seeds = lab.seed_list();
    let (status, first, err) = tokio::task::spawn_blocking(move || {
        let mut child = command()
            .args(["-u", &seeds, "read", "test.big"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        {
            let mut r = BufReader::new(child.stdout.take().unwrap());
            r.read_line(&mut first).unwrap();
        } // `| head -1`: the read end closes here.
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            first,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap();
    assert!(first.starts_with("{\"_id\":"), "{first}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
    lab.shutdown().await;
}

/// `rsctl status | head -0`: stdout is closed before rsctl writes anything, so its first write
/// meets a closed pipe; it ends quietly with 0, as docs/exit-codes.md says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_into_a_closed_pipe_is_quiet() {
    let lab = ready_lab().await;
    let seeds = lab.seed_list();
    for json in [false, true] {
        let mut args = vec!["-u", seeds.as_str(), "status"];
        if json {
            args.push("--json");
        }
        let o = Rsctl::new(&args).head(0).run().await;
        assert_code(&o, 0);
        assert!(o.stdout.is_empty(), "{}", stdout(&o));
        assert_eq!(stderr(&o), "", "{args:?}: nothing on stderr");
    }
    lab.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// failover-watch

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_watched_live_with_a_probe() {
    // A 1 s election timeout: the set has no primary for about a second.
    let lab = ready_lab().await;
    let seeds = lab.seed_list();
    let watch_args = [
        "-u",
        &seeds,
        "--heartbeat",
        "500ms",
        "--json",
        "failover-watch",
        "--probe",
        "--probe-interval",
        "100ms",
        "--probe-timeout",
        "300ms",
    ];
    // No --duration: the primary is killed once the watch printed its first line (the topology
    // it starts from), and Ctrl-C ends the watch once the election and the outage are in.
    let mut watch = Rsctl::new(watch_args).spawn();
    let first = watch.line_where("the first JSON line", |_| true).await;
    let first: Value = serde_json::from_str(&first).unwrap();
    let old = lab.primary().expect("a primary before the kill");
    assert_eq!(first["primary"], old.as_str(), "{first}");
    lab.fault(&old, Fault::Kill).await.unwrap();
    let (mut elected, mut outage) = (false, false);
    watch
        .line_where("an election and the end of the outage", |l| {
            let v: Value = serde_json::from_str(l).unwrap();
            elected |= v["type"] == "primary_elected";
            outage |= v["type"] == "outage";
            elected && outage
        })
        .await;
    watch.interrupt();
    let o = watch.finish().await;
    assert_code(&o, 0);
    let events: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for e in &events {
        let ts = e["ts"].as_str().unwrap();
        assert!(
            ts.ends_with('Z') && ts.len() == 24,
            "RFC 3339 with ms: {ts}"
        );
    }
    for e in &events {
        crate::json_docs::check_watch_line(e).unwrap_or_else(|why| panic!("{why}"));
    }
    let of = |t: &str| events.iter().filter(|e| e["type"] == t).collect::<Vec<_>>();
    let events_text = events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("members");
            e.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(events[0]["type"], "topology", "{events:?}");
    assert_eq!(events[0]["primary"], old.as_str(), "{events:?}");
    let lost = of("primary_lost");
    assert!(lost.iter().any(|e| e["host"] == old.as_str()), "{events:?}");
    let elected = of("primary_elected");
    let new = elected
        .last()
        .unwrap_or_else(|| panic!("no election in {events:?}"));
    assert_ne!(new["host"], old.as_str());
    // primary_lost came first, and primary_elected still names the primary it replaced.
    assert_eq!(new["previous"], old.as_str(), "{new}");
    assert!(new["no_primary_ms"].as_i64().unwrap() > 0, "{new}");
    assert!(new["term"].as_i64().unwrap() >= 2, "{new}");
    assert!(of("server_changed")
        .iter()
        .any(|e| e["host"] == old.as_str() && e["to"] == "Unknown"));
    let outages = of("outage");
    let outage = outages
        .first()
        .unwrap_or_else(|| panic!("no outage in\n{events_text}\n{}", stderr(&o)));
    assert!(outage["duration_ms"].as_i64().unwrap() > 0);
    assert!(outage["writes_failed"].as_u64().unwrap() >= 1);
    assert!(!of("probe_failed").is_empty());
    let summary = events.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert!(summary["elections"].as_u64().unwrap() >= 1);
    assert!(summary["outages"].as_u64().unwrap() >= 1);
    assert_eq!(summary["longest_outage_ms"], outage["duration_ms"]);
    lab.shutdown().await;
}

/// A member that slows down is reported by an `rtt` line (read from the snapshots the RTT
/// monitors publish, with no timer of the watch's own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_watch_reports_a_member_whose_rtt_moves() {
    let lab = ready_lab().await;
    let seeds = lab.seed_list();
    let args = [
        "-u",
        &seeds,
        "--heartbeat",
        "500ms",
        "--json",
        "failover-watch",
        "--rtt-threshold",
        "20ms",
    ];
    let mut watch = Rsctl::new(args).spawn();
    watch.line_where("the first JSON line", |_| true).await;
    let slow = lab.hosts()[1].clone();
    lab.fault(&slow, Fault::Latency(300)).await.unwrap();
    let line = watch
        .line_where("an rtt line for the slowed member", |l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["type"] == "rtt" && v["host"] == slow.as_str()
        })
        .await;
    watch.interrupt();
    let o = watch.finish().await;
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&line).unwrap();
    crate::json_docs::check_watch_line(&v).unwrap_or_else(|why| panic!("{why}"));
    let (from, to) = (v["from_ms"].as_f64().unwrap(), v["to_ms"].as_f64().unwrap());
    assert!(to - from > 20.0, "{v}");
    assert!(from < 100.0, "{v}");
    lab.shutdown().await;
}

/// Ctrl-C ends a watch normally: the summary is printed and the exit code is 0 (docs/json.md),
/// in both formats.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_ends_failover_watch_with_a_summary_and_0() {
    let lab = ready_lab().await;
    let seeds = lab.seed_list();
    for json in [false, true] {
        let mut args = vec!["-u", seeds.as_str(), "--heartbeat", "500ms"];
        if json {
            args.push("--json");
        }
        args.push("failover-watch");
        let mut watch = Rsctl::new(&args).spawn();
        // Interrupted once it watches (its first line printed), not while it discovers.
        watch.line_where("the first line", |_| true).await;
        watch.interrupt();
        let o = watch.finish().await;
        assert_code(&o, 0);
        let out = stdout(&o);
        let last = out.lines().last().unwrap_or_default();
        if json {
            for l in out.lines() {
                let v: Value = serde_json::from_str(l).unwrap();
                crate::json_docs::check_watch_line(&v).unwrap_or_else(|why| panic!("{why}"));
            }
            let v: Value = serde_json::from_str(last).unwrap();
            assert_eq!(v["type"], "summary", "{out}");
            assert_eq!(v["elections"], 0, "{out}");
        } else {
            assert!(last.contains("summary: watched"), "{out}");
        }
        assert!(!stderr(&o).contains("interrupted"), "{}", stderr(&o));
    }
    lab.shutdown().await;
}

/// `rsctl failover-watch | head -1`: once the reader is gone, the next event's write meets a
/// closed pipe and the watch ends quietly with 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_watch_into_a_closed_pipe_ends_quietly() {
    let lab = ready_lab().await;
    let seeds = lab.seed_list();
    let mut watch = Rsctl::new([
        "-u",
        &seeds,
        "--heartbeat",
        "500ms",
        "--json",
        "failover-watch",
    ])
    .head(1)
    .spawn();
    watch.line_where("the first line", |_| true).await;
    // Something to report: a secondary goes away.
    let primary = lab.primary().unwrap();
    let secondary = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    lab.fault(&secondary, Fault::Kill).await.unwrap();
    let o = watch.finish().await;
    assert_code(&o, 0);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert_eq!(stderr(&o), "", "nothing on stderr");
    lab.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// exit codes and bad input

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_suitable_server_is_exit_3_with_the_topology() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let seed = format!("127.0.0.1:{closed}");
    for cmd in [
        vec!["status"],
        vec!["read", "test.c"],
        vec!["failover-watch", "--duration", "2s"],
    ] {
        let mut args = vec!["-u", seed.as_str(), "--timeout", "500ms"];
        args.extend(cmd.iter());
        let o = rsctl(&args).await;
        assert_code(&o, 3);
        let e = stderr(&o);
        assert!(e.contains(&seed), "{e}");
        assert!(e.contains("Unknown"), "{e}");
        assert!(e.contains("refused") || e.contains("error"), "{e}");
    }
}

/// Seeds that all refuse the connection, or whose names do not resolve, end status, read and
/// initiate early (exit 3, one line per seed saying why) instead of waiting out the 60 s selection
/// timeout; failover-watch is a watch and keeps waiting for them (until its own timeout here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seed_refused_or_unresolved_fails_fast_except_for_a_watch() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = format!("127.0.0.1:{closed}");
    // `.invalid` never resolves (RFC 2606).
    let unresolved = "no-such-host.invalid:27017";
    let seeds = format!("{refused},{unresolved}");
    for (cmd, what) in [
        (vec!["status"], "status"),
        (vec!["read", "test.c"], "read"),
        (vec!["initiate"], "initiate"),
    ] {
        let mut args = vec!["-u", seeds.as_str(), "--timeout", "60s"];
        args.extend(cmd.iter());
        let o = rsctl(&args).await;
        assert_code(&o, 3);
        let e = stderr(&o);
        assert!(
            e.contains(&format!("{what}: no server could be reached")),
            "{e}"
        );
        assert!(
            e.contains(&format!(
                "{refused}: connection refused: is mongod running on {refused}?"
            )),
            "{e}"
        );
        assert!(
            e.lines()
                .any(|l| l.contains(unresolved) && l.contains("resolve")),
            "{e}"
        );
        // The words of the command that was run, not the driver's selector.
        assert!(!e.contains("selector"), "{e}");
    }
    // A watch waits for servers that may start later: it ends only at its selection timeout,
    // with the topology it saw, not with the early verdict.
    let o = rsctl(&["-u", &refused, "--timeout", "3s", "failover-watch"]).await;
    assert_code(&o, 3);
    let e = stderr(&o);
    assert!(!e.contains("no server could be reached"), "{e}");
    assert!(e.contains("Unknown") && e.contains(&refused), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_exit_2_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["-u", "mongodb://h1:99999", "status"], "99999"),
        (&["-u", "mongodb://", "status"], "--uri"),
        (
            &["-u", "mongodb://bob:hunter2@h1:notaport/", "status"],
            "bob:****@",
        ),
        (&["read", "nocollection"], "DB.COLLECTION"),
        (
            &["read", "test.c", "--pref", "nearest", "--tags", "dc"],
            "--tags",
        ),
        (&["read", "test.c", "--filter", "{\"a\": "], "--filter"),
        (&["read", "test.c", "--sort", "[1, 2]"], "--sort"),
        (
            &["read", "test.c", "--filter", "{\"a\": {\"$oid\": \"xyz\"}}"],
            "--filter",
        ),
        (&["read", "test.c", "--pref", "sometimes"], "--pref"),
        (
            &["read", "test.c", "--pref", "primary", "--tags", "dc=ny"],
            "tag sets",
        ),
        (&["status", "--timeout", "soon"], "--timeout"),
        (&["status", "--heartbeat", "10"], "--heartbeat"),
        (
            &["failover-watch", "--duration", "1 fortnight"],
            "--duration",
        ),
        (&["initiate", "--member", "h1:1,dc"], "--member"),
        (
            &["initiate", "--member", "h1:1", "--priority", "h1:1=high"],
            "--priority",
        ),
        (&["frobnicate"], "frobnicate"),
    ];
    for (args, needle) in cases {
        let o = rsctl(args).await;
        assert_code(&o, 2);
        let e = stderr(&o);
        assert!(e.contains(needle), "{args:?}: expected {needle:?} in: {e}");
        assert!(!e.contains("hunter2"), "password leaked: {e}");
        assert!(!e.contains("panicked"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_is_exit_130() {
    // The only seed accepts connections and never answers: the read waits for a server until
    // interrupted. Ctrl-C comes once rsctl is connected, so its handler is in place by then.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let seed = silent.local_addr().unwrap().to_string();
    let read = Rsctl::new(["-u", &seed, "--timeout", "60s", "read", "test.c"]).spawn();
    let (_held, _) = tokio::time::timeout(Duration::from_secs(60), silent.accept())
        .await
        .expect("rsctl connects to the seed within a minute")
        .unwrap();
    read.interrupt();
    let o = read.finish().await;
    let (code, err) = (o.status.code(), stderr(&o));
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_version_are_success() {
    for args in [&["--help"][..], &["--version"], &["read", "--help"]] {
        let o = rsctl(args).await;
        assert_code(&o, 0);
    }
}

// ------------------------------------------------------------------------------------------------
// demo

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_to_the_end() {
    let o = rsctl(&["demo"]).await;
    assert_code(&o, 0);
    let out = stdout(&o);
    for needle in [
        "initiate",
        "PRIMARY",
        "served by",
        "primary lost",
        "primary elected",
        "outage",
        "summary",
        "Done in",
    ] {
        assert!(
            out.contains(needle) || stderr(&o).contains(needle),
            "{needle} missing:\n{out}\n{}",
            stderr(&o)
        );
    }
}
