//! End-to-end tests of the planned-maintenance commands (`stepdown`, `freeze`, `member`,
//! `reconfig`) against labs started in-process on 127.0.0.1 with ephemeral ports and short
//! timings: each command, and each refusal the lab can show (removing the primary, 8 voting
//! members, an unreachable new member, a stepdown with no caught-up secondary, a frozen
//! secondary), `--dry-run` changing nothing, and two voter removals as two committed reconfigs.

use std::time::Duration;

use bson::{doc, Document};
use serde_json::Value;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

use crate::util::{assert_code, json, rsctl, stderr, stdout, Rsctl};

// ------------------------------------------------------------------------------------------------
// support

/// A lab whose new members spend `initial_sync` in STARTUP2.
async fn lab_syncing(nodes: usize, initial_sync: Duration) -> Lab {
    Lab::start(LabConfig {
        initial_sync,
        heartbeat_interval: Duration::from_millis(100),
        ..crate::util::fast_lab_config(nodes, 1)
    })
    .await
    .expect("lab starts")
}

/// A lab of `nodes` whose first `members` are initiated as a set (the others stay fresh mongods),
/// with a primary.
async fn ready(nodes: usize, members: usize) -> Lab {
    ready_syncing(nodes, members, LabConfig::default().initial_sync).await
}

/// [`ready`] with new members spending `initial_sync` in STARTUP2.
async fn ready_syncing(nodes: usize, members: usize, initial_sync: Duration) -> Lab {
    let lab = lab_syncing(nodes, initial_sync).await;
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

async fn config(lab: &Lab) -> Document {
    config_of(lab, &primary(lab).await).await
}

/// The config as member `host` has it.
async fn config_of(lab: &Lab, host: &str) -> Document {
    let r = lab
        .run_command(host, doc! {"replSetGetConfig": 1, "$db": "admin"})
        .await
        .expect("config");
    r.get_document("config").expect("config").clone()
}

/// `rsctl -u SEEDS reconfig --config FILE` with `cfg` saved as relaxed Extended JSON.
async fn reconfig_file(seeds: &str, cfg: Document) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rs0.json");
    std::fs::write(
        &file,
        bson::Bson::Document(cfg).into_relaxed_extjson().to_string(),
    )
    .unwrap();
    rsctl(&["-u", seeds, "reconfig", "--config", file.to_str().unwrap()]).await
}

fn version(cfg: &Document) -> i64 {
    match cfg.get("version") {
        Some(bson::Bson::Int32(v)) => *v as i64,
        Some(bson::Bson::Int64(v)) => *v,
        other => panic!("version {other:?}"),
    }
}

fn member<'a>(cfg: &'a Document, host: &str) -> Option<&'a Document> {
    cfg.get_array("members")
        .unwrap()
        .iter()
        .filter_map(|m| m.as_document())
        .find(|m| m.get_str("host") == Ok(host))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepdown_warns_when_a_higher_priority_member_will_take_the_primary_back() {
    let lab = ready(3, 3).await;
    let p = primary(&lab).await;
    let s = seeds(&lab, 3);
    assert_code(
        &rsctl(&["-u", &s, "member", "set", &p, "--priority", "2"]).await,
        0,
    );
    let target = lab.hosts().into_iter().find(|h| *h != p).unwrap();
    let o = rsctl(&["-u", &s, "stepdown", "--to", &target, "--secs", "10s"]).await;
    assert_code(&o, 0);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{p} has priority 2 > 1 of {target}: it will take the primary back after --secs 10s"
        )),
        "{err}"
    );
    assert_eq!(primary(&lab).await, target);
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

// ------------------------------------------------------------------------------------------------
// member add / remove / set, reconfig

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_add_waits_until_the_new_member_is_secondary_and_committed() {
    let lab = ready(4, 3).await;
    let new = lab.hosts()[3].clone();
    let before = version(&config(&lab).await);
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "member",
        "add",
        &format!("{new},dc=sf"),
    ])
    .await;
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "+ added   {new} (_id 3): votes 1, priority 1, tags {{dc: sf}}"
        )),
        "{out}"
    );
    assert!(out.contains("checks: ok"), "{out}");
    // The new voter joins as newlyAdded; once it is SECONDARY the primary lifts the flag with
    // its own reconfig (version + 1 again), as mongod does, and the wait may see either.
    let lifted = before + 2;
    assert!(
        [before + 1, lifted]
            .iter()
            .any(|v| out.contains(&format!("step 1/1: config version {v} committed"))),
        "{out}"
    );
    assert!(
        stderr(&o).is_empty() || !stderr(&o).contains("error"),
        "{}",
        stderr(&o)
    );
    let cfg = config(&lab).await;
    assert_eq!(version(&cfg), lifted);
    let m = member(&cfg, &new).expect("added");
    assert_eq!(m.get_document("tags").unwrap().get_str("dc"), Ok("sf"));
    // Committed: every member reports the version, and the new one is SECONDARY.
    let st = status(&lab).await;
    for m in st
        .get_array("members")
        .unwrap()
        .iter()
        .filter_map(|m| m.as_document())
    {
        assert_eq!(
            m.get_i32("configVersion").ok().map(i64::from),
            Some(lifted),
            "{m}"
        );
        if m.get_str("name") == Ok(new.as_str()) {
            assert_eq!(m.get_str("stateStr"), Ok("SECONDARY"));
        }
    }
    // Adding it again is a usage error.
    let o = rsctl(&["-u", &seeds(&lab, 3), "member", "add", &new]).await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("already a member"), "{}", stderr(&o));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_primary_is_refused_and_changes_nothing() {
    let lab = ready(3, 3).await;
    let p = primary(&lab).await;
    let before = version(&config(&lab).await);
    let o = rsctl(&["-u", &seeds(&lab, 3), "member", "remove", &p]).await;
    assert_code(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("- removed {p}")),
        "the diff is shown: {out}"
    );
    assert!(out.contains("step it down first"), "{out}");
    assert!(stderr(&o).contains("nothing was changed"), "{}", stderr(&o));
    assert_eq!(version(&config(&lab).await), before);
    assert!(member(&config(&lab).await, &p).is_some());
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eighth_voting_member_is_refused() {
    let lab = ready(8, 7).await;
    let eighth = lab.hosts()[7].clone();
    let before = version(&config(&lab).await);
    let o = rsctl(&["-u", &seeds(&lab, 7), "member", "add", &eighth]).await;
    assert_code(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains("8 voting members; mongod allows 1 to 7"),
        "{out}"
    );
    assert_eq!(version(&config(&lab).await), before);
    // As a non-voting member it is fine (priority 0 is implied by --votes 0).
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 7),
        "--json",
        "member",
        "add",
        &eighth,
        "--votes",
        "0",
    ])
    .await;
    assert_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["result"]["committed"], true, "{v}");
    assert_eq!(v["steps"].as_array().unwrap().len(), 1);
    assert_eq!(v["diff"]["added"][0]["votes"], 0);
    assert_eq!(v["diff"]["added"][0]["priority"], 0.0);
    let m = member(&config(&lab).await, &eighth)
        .cloned()
        .expect("added");
    assert_eq!(m.get_i32("votes"), Ok(0));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_new_member_is_refused() {
    let lab = ready(3, 3).await;
    // A port nothing listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ghost = format!("127.0.0.1:{port}");
    let before = version(&config(&lab).await);
    let o = rsctl(&["-u", &seeds(&lab, 3), "member", "add", &ghost]).await;
    assert_code(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{ghost}: new member not reachable")),
        "{out}"
    );
    assert!(out.contains("resolved from where rsctl runs"), "{out}");
    assert_eq!(version(&config(&lab).await), before);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_plan_and_changes_nothing() {
    let lab = ready(3, 3).await;
    let p = primary(&lab).await;
    let other = lab.hosts().into_iter().find(|h| *h != p).unwrap();
    let before = config(&lab).await;
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "member",
        "set",
        &other,
        "--priority",
        "2",
        "--tag",
        "dc=ny",
        "--dry-run",
    ])
    .await;
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("~ changed {other}")) && out.contains("priority 1 → 2"),
        "{out}"
    );
    assert!(out.contains("steps:\n  1. config version"), "{out}");
    assert!(out.contains("dry run: nothing was changed"), "{out}");
    let after = config(&lab).await;
    assert_eq!(version(&after), version(&before), "same config version");
    assert_eq!(member(&after, &other), member(&before, &other));
    // JSON: the plan, no result.
    let o = rsctl(&[
        "-u",
        &seeds(&lab, 3),
        "--json",
        "member",
        "set",
        &other,
        "--priority",
        "2",
        "--dry-run",
    ])
    .await;
    assert_code(&o, 0);
    let v = json(&o);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["diff"]["changed"][0]["fields"][0]["field"], "priority");
    assert!(v["result"].is_null(), "{v}");
    assert_eq!(version(&config(&lab).await), version(&before));
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_two_voting_members_takes_two_committed_reconfigs() {
    let lab = ready(5, 5).await;
    let p = primary(&lab).await;
    let gone: Vec<String> = lab
        .hosts()
        .into_iter()
        .filter(|h| *h != p)
        .take(2)
        .collect();
    let mut cfg = config(&lab).await;
    let before = version(&cfg);
    let kept: Vec<bson::Bson> = cfg
        .get_array("members")
        .unwrap()
        .iter()
        .filter(|m| {
            !gone
                .iter()
                .any(|g| m.as_document().unwrap().get_str("host") == Ok(g.as_str()))
        })
        .cloned()
        .collect();
    cfg.insert("members", kept);
    let o = reconfig_file(&seeds(&lab, 5), cfg).await;
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("version {before} → {} (2 steps)", before + 2)),
        "{out}"
    );
    for g in &gone {
        assert!(out.contains(&format!("- removed {g}")), "{out}");
    }
    assert!(
        out.contains(&format!(
            "step 1/2: config version {} committed",
            before + 1
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "step 2/2: config version {} committed",
            before + 2
        )),
        "{out}"
    );
    let after = config(&lab).await;
    assert_eq!(version(&after), before + 2);
    assert_eq!(after.get_array("members").unwrap().len(), 3);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_two_voting_members_is_one_step_and_both_end_secondary_with_votes() {
    // New voters are exempt from the one-vote-per-reconfig rule (mongod marks them newlyAdded
    // and lifts the flag itself once each is SECONDARY): one step, then the primary's own
    // reconfigs, and both count in the majority at the end.
    // Initial sync takes 1.5 s: the wait (polling every 200 ms) shows each new member STARTUP2.
    let lab = ready_syncing(5, 3, Duration::from_millis(1500)).await;
    let new: Vec<String> = lab.hosts()[3..].to_vec();
    let mut cfg = config(&lab).await;
    let before = version(&cfg);
    let mut members = cfg.get_array("members").unwrap().clone();
    for (i, h) in new.iter().enumerate() {
        members.push(bson::Bson::Document(doc! {"_id": 10 + i as i32, "host": h}));
    }
    cfg.insert("members", members);
    let o = reconfig_file(&seeds(&lab, 3), cfg).await;
    assert_code(&o, 0);
    let out = stdout(&o);
    for h in &new {
        assert!(out.contains(&format!("+ added   {h}")), "{out}");
    }
    assert!(out.contains("(1 step)"), "{out}");
    assert!(out.contains("step 1/1: config version"), "{out}");
    // Each new member's states, as lines on stderr (not a terminal): STARTUP2, then SECONDARY.
    let err = stderr(&o);
    for h in &new {
        let syncing = err.find(&format!("  {h}: STARTUP2"));
        let done = err.find(&format!("  {h}: SECONDARY"));
        assert!(
            syncing.is_some() && done.is_some() && syncing < done,
            "{h} STARTUP2 then SECONDARY in:\n{err}"
        );
    }
    // The lab's automatic reconfigs lift newlyAdded: the version moved past the step's own.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let after = loop {
        let after = config(&lab).await;
        if version(&after) >= before + 2 || tokio::time::Instant::now() >= deadline {
            break after;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        (before + 2..=before + 3).contains(&version(&after)),
        "version {} after {before}",
        version(&after)
    );
    let st = status(&lab).await;
    for h in &new {
        let m = member(&after, h).expect("added");
        assert_eq!(m.get_i32("votes").ok(), Some(1), "{m}");
        assert!(m.get("newlyAdded").is_none(), "{m}");
        let s = st
            .get_array("members")
            .unwrap()
            .iter()
            .filter_map(|m| m.as_document())
            .find(|m| m.get_str("name") == Ok(h.as_str()))
            .expect("in replSetGetStatus");
        assert_eq!(s.get_str("stateStr"), Ok("SECONDARY"), "{s}");
    }
    // Five voters now: a majority is three, so two members down leave a primary.
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_needs_confirmation_and_recovers_a_set_that_lost_its_majority() {
    let lab = ready(3, 3).await;
    let hosts = lab.hosts();
    let p = primary(&lab).await;
    let dead: Vec<String> = hosts.iter().filter(|h| **h != p).cloned().collect();
    for h in &dead {
        lab.fault(h, Fault::Kill).await.unwrap();
    }
    // The survivor loses its majority and steps down: no primary can be elected.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while lab.primary().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the lone primary never stepped down"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = version(&config_of(&lab, &p).await);
    // Without --yes and without a terminal, --force is refused before anything changes.
    let args = |yes: bool| {
        let mut a = vec![
            "-u",
            p.as_str(),
            "member",
            "remove",
            dead[0].as_str(),
            "--force",
        ];
        if yes {
            a.push("--yes");
        }
        a
    };
    let o = rsctl(&args(false)).await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert!(stderr(&o).contains("WARNING"), "{}", stderr(&o));
    assert_eq!(version(&config_of(&lab, &p).await), before);
    // With --yes: installed by force (mongod adds a large random amount to the version).
    let o = rsctl(&args(true)).await;
    assert_code(&o, 0);
    let after = config_of(&lab, &p).await;
    assert!(
        version(&after) > before + 10_000,
        "version {} after {before}",
        version(&after)
    );
    assert!(member(&after, &dead[0]).is_none(), "{after}");
    lab.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// failover-watch sees the change

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_watch_reports_config_changed_with_the_added_member() {
    let lab = ready(4, 3).await;
    let new = lab.hosts()[3].clone();
    let s = seeds(&lab, 3);
    let mut watch = Rsctl::new(["-u", &s, "--json", "failover-watch"]).spawn();
    // The change comes once the watch has printed the set as it was.
    watch
        .line_where("the topology line", |l| l.contains(r#""type":"topology""#))
        .await;
    assert_code(&rsctl(&["-u", &s, "member", "add", &new]).await, 0);
    let line = watch
        .line_where("config_changed", |l| {
            l.contains(r#""type":"config_changed""#)
        })
        .await;
    watch.interrupt();
    assert_code(&watch.finish().await, 0);
    let cc: Value = serde_json::from_str(&line).expect("JSON line");
    assert_eq!(
        cc["to"].as_i64(),
        cc["from"].as_i64().map(|v| v + 1),
        "{cc}"
    );
    assert_eq!(cc["added"], serde_json::json!([new]), "{cc}");
    assert!(cc["term"].as_i64().is_some(), "{cc}");
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_watch_reports_the_rollback_of_a_partitioned_primarys_writes() {
    // A primary cut off from the others takes a w:1 write before it notices; the others elect a
    // new primary and write; healed, the old primary rolls back (ROLLBACK, then SECONDARY) and
    // its applied optime moves backwards: failover-watch names it and the lost writes' span.
    let lab = ready(3, 3).await;
    let s = seeds(&lab, 3);
    let old = primary(&lab).await;
    let mut watch =
        Rsctl::new(["-u", &s, "--json", "failover-watch", "--heartbeat", "200ms"]).spawn();
    watch
        .line_where("the topology line", |l| l.contains(r#""type":"topology""#))
        .await;
    lab.fault(&old, Fault::Partition).await.unwrap();
    let r = lab
        .run_command(
            &old,
            doc! {"insert": "c", "documents": [{"_id": "lost"}], "writeConcern": {"w": 1}, "$db": "app"},
        )
        .await
        .unwrap();
    assert_eq!(
        r.get_i32("n").ok(),
        Some(1),
        "the cut-off primary takes the write: {r}"
    );
    let elected = watch
        .line_where("a new primary", |l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["type"] == "primary_elected" && v["host"] != old.as_str()
        })
        .await;
    let new: Value = serde_json::from_str(&elected).unwrap();
    let new = new["host"].as_str().unwrap().to_string();
    let r = lab
        .run_command(
            &new,
            doc! {"insert": "c", "documents": [{"_id": "kept"}], "writeConcern": {"w": "majority"}, "$db": "app"},
        )
        .await
        .unwrap();
    assert_eq!(r.get_i32("n").ok(), Some(1), "{r}");
    lab.fault(&old, Fault::Heal).await.unwrap();
    let line = watch
        .line_where("the rollback", |l| l.contains(r#""type":"rollback""#))
        .await;
    watch.interrupt();
    let o = watch.finish().await;
    assert_code(&o, 0);
    let v: Value = serde_json::from_str(&line).unwrap();
    crate::json_docs::check_watch_line(&v).unwrap_or_else(|why| panic!("{why}"));
    assert_eq!(v["host"], old.as_str(), "{v}");
    assert!(v["lost_ms"].as_i64().is_some_and(|ms| ms >= 0), "{v}");
    // The lab agrees: SECONDARY again after its ROLLBACK, rolled back once (rbid 2), the lost
    // write gone and the kept one there.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let st = lab
            .run_command(&old, doc! {"replSetGetStatus": 1, "$db": "admin"})
            .await
            .unwrap();
        if st.get_i32("myState") == Ok(2) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not SECONDARY again: {st}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ss = lab
        .run_command(&old, doc! {"serverStatus": 1, "$db": "admin"})
        .await
        .unwrap();
    assert_eq!(
        ss.get_document("repl").unwrap().get_i32("rbid"),
        Ok(2),
        "{ss}"
    );
    let found = lab
        .run_command(
            &old,
            doc! {"find": "c", "$db": "app", "$readPreference": {"mode": "secondaryPreferred"}},
        )
        .await
        .unwrap();
    let ids: Vec<&str> = found
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .filter_map(|d| d.as_document()?.get_str("_id").ok())
        .collect();
    assert_eq!(ids, vec!["kept"], "{found}");
    lab.shutdown().await;
}
