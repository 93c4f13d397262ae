//! `rsctl status` and members SDAM does not monitor: a hidden member is not in hello's `hosts`, so
//! no monitor watches it; status checks it once directly and fills `reachable` and `rtt_ms`
//! (JSON field names unchanged), up or down.

use std::time::Duration;

use bson::doc;
use serde_json::Value;

use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

use crate::util::rsctl;

/// A 3-member lab whose last member is hidden (priority 0); returns it and the hidden host.
async fn lab_with_a_hidden_member() -> (Lab, String) {
    let lab = Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(100),
        seed: 9,
        ..LabConfig::default()
    })
    .await
    .unwrap();
    let hosts = lab.hosts();
    let cfg = doc! {
        "_id": "rs0",
        "members": [
            {"_id": 0, "host": &hosts[0]},
            {"_id": 1, "host": &hosts[1]},
            {"_id": 2, "host": &hosts[2], "hidden": true, "priority": 0},
        ],
        "settings": {"electionTimeoutMillis": 1000, "heartbeatIntervalMillis": 100},
    };
    let r = lab
        .run_command(&hosts[0], doc! {"replSetInitiate": cfg, "$db": "admin"})
        .await
        .unwrap();
    assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    lab.wait_for_primary(Duration::from_secs(20)).await.unwrap();
    lab.wait_for_initial_syncs(Duration::from_secs(20))
        .await
        .unwrap();
    let hidden = hosts[2].clone();
    (lab, hidden)
}

fn member<'a>(status: &'a Value, host: &str) -> &'a Value {
    status["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["host"] == host)
        .unwrap_or_else(|| panic!("{host} in {status}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_probes_a_hidden_member_directly() {
    let (lab, hidden) = lab_with_a_hidden_member().await;
    // The seed list names the visible members only, as an application's would.
    let seeds = lab.hosts()[..2].join(",");

    let o = rsctl(&["-u", &seeds, "status", "--json"]).await;
    assert!(o.status.success(), "{o:?}");
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let h = member(&s, &hidden);
    assert_eq!(h["hidden"], true, "{h}");
    assert_eq!(h["state"], "SECONDARY", "{h}");
    assert_eq!(h["reachable"], true, "the probe reached it: {h}");
    let rtt = h["rtt_ms"].as_f64().expect("an rtt from the probe");
    assert!(rtt > 0.0 && rtt < 5_000.0, "{h}");
    assert_eq!(h["error"], Value::Null, "{h}");
    assert!(
        s["disagreements"].as_array().unwrap().is_empty(),
        "{}",
        s["disagreements"]
    );
    // Monitored members are unchanged.
    for v in &lab.hosts()[..2] {
        assert_eq!(member(&s, v)["reachable"], true);
    }

    // The table shows it reached, not "not monitored".
    let o = rsctl(&["-u", &seeds, "status"]).await;
    assert!(o.status.success(), "{o:?}");
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    let row = table
        .lines()
        .find(|l| l.contains(&hidden))
        .unwrap_or_else(|| panic!("{hidden} in\n{table}"));
    assert!(row.contains("hidden") && row.contains(" ok "), "{row}");
    assert!(!table.contains("not monitored"), "{table}");

    // Killed: the probe fails and says why; the set agrees it is down.
    lab.fault(&hidden, Fault::Kill).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let s = loop {
        let o = rsctl(&["-u", &seeds, "status", "--json"]).await;
        assert!(o.status.success(), "{o:?}");
        let s: Value = serde_json::from_slice(&o.stdout).unwrap();
        if member(&s, &hidden)["health"] == 0.0 {
            break s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the set never saw {hidden} down: {s}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let h = member(&s, &hidden);
    assert_eq!(h["reachable"], false, "{h}");
    assert_eq!(h["rtt_ms"], Value::Null, "{h}");
    let e = h["error"].as_str().expect("the probe's error");
    assert!(e.contains(&hidden) && e.contains("connect"), "{e}");
    assert!(
        s["disagreements"].as_array().unwrap().is_empty(),
        "down for both: {}",
        s["disagreements"]
    );
    let o = rsctl(&["-u", &seeds, "status"]).await;
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(table.contains(&format!("unreachable: {hidden}")), "{table}");
    lab.shutdown().await;
}
