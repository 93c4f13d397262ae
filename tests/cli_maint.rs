//! End-to-end tests of the planned-maintenance commands (`stepdown`, `freeze`, `member`,
//! `reconfig`) against labs started in-process on 127.0.0.1 with ephemeral ports and short
//! timings: each command, and each refusal the lab can show (removing the primary, 8 voting
//! members, an unreachable new member, a stepdown with no caught-up secondary, a frozen
//! secondary), `--dry-run` changing nothing, and two voter removals as two committed reconfigs.

use std::process::{Command as StdCommand, Output, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use bson::{doc, Document};
use serde_json::Value;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

// ------------------------------------------------------------------------------------------------
// support

async fn lab(nodes: usize) -> Lab {
    Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(100),
        seed: 1,
    })
    .await
    .expect("lab starts")
}

/// A lab of `nodes` whose first `members` are initiated as a set (the others stay fresh mongods),
/// with a primary.
async fn ready(nodes: usize, members: usize) -> Lab {
    let lab = lab(nodes).await;
    let hosts = lab.hosts();
    let list: Vec<Document> = hosts[..members]
        .iter()
        .enumerate()
        .map(|(i, h)| doc! {"_id": i as i32, "host": h})
        .collect();
    let reply = lab
        .run_command(
            &hosts[0],
            doc! {"replSetInitiate": {"_id": "rs0", "version": 1, "members": list,
            "settings": {"electionTimeoutMillis": 1000, "heartbeatIntervalMillis": 100}}, "$db": "admin"},
        )
        .await
        .expect("initiate");
    assert_eq!(reply.get_f64("ok").ok(), Some(1.0), "{reply}");
    lab.wait_for_primary(Duration::from_secs(15))
        .await
        .expect("primary");
    // Every member SECONDARY or PRIMARY before the test acts.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let st = status(&lab).await;
        let settled = st
            .get_array("members")
            .unwrap()
            .iter()
            .filter_map(|m| m.as_document())
            .all(|m| matches!(m.get_str("stateStr"), Ok("PRIMARY") | Ok("SECONDARY")));
        if settled {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "members settle: {st}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lab
}

fn seeds(lab: &Lab, members: usize) -> String {
    lab.hosts()[..members].join(",")
}

async fn primary(lab: &Lab) -> String {
    lab.wait_for_primary(Duration::from_secs(15))
        .await
        .expect("primary")
}

async fn status(lab: &Lab) -> Document {
    let p = primary(lab).await;
    lab.run_command(&p, doc! {"replSetGetStatus": 1, "$db": "admin"})
        .await
        .expect("status")
}

/// Runs rsctl to completion (off the async threads, so the lab keeps serving); killed after 90 s.
async fn rsctl(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut child = StdCommand::cargo_bin("rsctl")
            .expect("binary built")
            .args(&args)
            .env_remove("MONGODB_URI")
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn rsctl");
        let mut out_pipe = child.stdout.take().unwrap();
        let mut err_pipe = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut out_pipe, &mut v).ok();
            v
        });
        let err = std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut err_pipe, &mut v).ok();
            v
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        let status = loop {
            if let Some(st) = child.try_wait().expect("wait") {
                break st;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                break child.wait().expect("wait");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Output {
            status,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        }
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_code(o: &Output, want: i32) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout(o),
        stderr(o)
    );
}

fn json(o: &Output) -> Value {
    serde_json::from_str(stdout(o).trim())
        .unwrap_or_else(|e| panic!("one JSON object ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

fn term_of(st: &Document) -> i64 {
    match st.get("term") {
        Some(bson::Bson::Int64(t)) => *t,
        Some(bson::Bson::Int32(t)) => *t as i64,
        other => panic!("term {other:?}"),
    }
}

// ------------------------------------------------------------------------------------------------
// stepdown

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepdown_json_names_old_and_new_primary_term_and_gap() {
    let lab = ready(3, 3).await;
    let old = primary(&lab).await;
    let term_before = term_of(&status(&lab).await);
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "--json",
        "stepdown",
        "--secs",
        "10s",
        "--catch-up",
        "5s",
    ])
    .await;
    assert_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["old_primary"], old.as_str());
    let new = v["new_primary"]
        .as_str()
        .expect("a new primary")
        .to_string();
    assert_ne!(new, old);
    assert!(v["term"].as_i64().unwrap() > term_before, "{v}");
    assert!(v["no_primary_ms"].as_i64().unwrap() >= 0, "{v}");
    assert!(v.get("outage_ms").is_none(), "only with --probe: {v}");
    // The lab agrees.
    assert_eq!(primary(&lab).await, new);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepdown_probe_reports_the_write_outage_and_table_names_both() {
    let lab = ready(3, 3).await;
    let old = primary(&lab).await;
    let o = rsctl(&["-u", &seeds(&lab, 3), "--json", "stepdown", "--probe"]).await;
    assert_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["old_primary"], old.as_str());
    assert!(v["outage_ms"].as_i64().unwrap() >= 0, "{v}");
    assert!(v["writes_failed"].as_u64().is_some(), "{v}");
    // The table form: the live events, then one summary line naming both primaries.
    let now = primary(&lab).await;
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "stepdown",
        "--secs",
        "5s",
        "--catch-up",
        "5s",
    ])
    .await;
    assert_code(&o, 0);
    let out = stdout(&o);
    let last = out.trim_end().lines().last().unwrap_or("");
    assert!(last.starts_with(&format!("stepdown: {now} → ")), "{out}");
    assert!(
        last.contains("term") && last.contains("no primary for"),
        "{out}"
    );
    assert!(out.contains("primary elected"), "live events: {out}");
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepdown_without_a_caught_up_secondary_exits_1_before_anything_changes() {
    let lab = ready(3, 3).await;
    lab.set_periodic_noop_interval(None);
    let p = primary(&lab).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for h in lab.hosts().iter().filter(|h| **h != p) {
        lab.fault(h, Fault::Lag(60_000)).await.expect("lag");
    }
    let r = lab
        .run_command(
            &p,
            doc! {"insert": "c", "documents": [{"x": 1}], "writeConcern": {"w": 1}, "$db": "test"},
        )
        .await
        .expect("insert");
    assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    let before = status(&lab).await;
    let o = rsctl(&["-u", &seeds(&lab, 3), "stepdown", "--catch-up", "1s"]).await;
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("no electable secondary within --catch-up 1s"),
        "{err}"
    );
    for h in lab.hosts().iter().filter(|h| **h != p) {
        assert!(
            err.lines()
                .any(|l| l.contains(h.as_str()) && l.contains("behind")),
            "{h} named with its lag: {err}"
        );
    }
    assert!(err.contains("nothing was changed"), "{err}");
    // Nothing changed: same primary, same term.
    assert_eq!(primary(&lab).await, p);
    assert_eq!(term_of(&status(&lab).await), term_of(&before));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepdown_to_a_member_makes_it_primary() {
    let lab = ready(3, 3).await;
    let p = primary(&lab).await;
    let target = lab.hosts().into_iter().find(|h| *h != p).unwrap();
    let o = rsctl(&["-u", &seeds(&lab, 3), "--json", "stepdown", "--to", &target]).await;
    assert_code(&o, 0);
    assert_eq!(json(&o)["new_primary"], target.as_str());
    assert_eq!(primary(&lab).await, target);
    // --to a host outside the set is a usage error.
    let o = rsctl(&["-u", &seeds(&lab, 3), "stepdown", "--to", "127.0.0.1:1"]).await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("not a member"), "{}", stderr(&o));
    lab.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// freeze

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_secondaries_make_stepdown_fail_until_unfrozen() {
    let lab = ready(3, 3).await;
    let p = primary(&lab).await;
    let others: Vec<String> = lab.hosts().into_iter().filter(|h| *h != p).collect();
    for h in &others {
        let o = rsctl(&["-u", &seeds(&lab, 3), "freeze", h, "--for", "60s"]).await;
        assert_code(&o, 0);
        assert!(stdout(&o).contains("frozen for 1m"), "{}", stdout(&o));
    }
    // Nobody may take over: mongod waits out the catch-up period, then ExceededTimeLimit.
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "stepdown",
        "--catch-up",
        "1s",
        "--secs",
        "5s",
    ])
    .await;
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("code 262"), "{err}");
    assert!(err.contains("no electable secondary caught up"), "{err}");
    assert_eq!(primary(&lab).await, p, "still the primary");
    // Unfreeze one: it takes over.
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "--json",
        "freeze",
        &others[1],
        "--for",
        "0s",
    ])
    .await;
    assert_code(&o, 0);
    assert_eq!(json(&o)["frozen_secs"], 0);
    let o = rsctl(&["-u", &seeds(&lab, 3), "--json", "stepdown", "--secs", "10s"]).await;
    assert_code(&o, 0);
    assert_eq!(json(&o)["new_primary"], others[1].as_str());
    // Freezing the primary is refused by the server, explained with its code.
    let now = primary(&lab).await;
    let o = rsctl(&["-u", &seeds(&lab, 3), "freeze", &now, "--for", "10s"]).await;
    assert_code(&o, 1);
    assert!(stderr(&o).contains("code 95"), "{}", stderr(&o));
    // Sub-second durations are refused before connecting.
    let o = rsctl(&["-u", &seeds(&lab, 3), "freeze", &now, "--for", "1500ms"]).await;
    assert_code(&o, 2);
    lab.shutdown().await;
}
