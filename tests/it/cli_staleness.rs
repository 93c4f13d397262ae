//! Max staleness end to end, as an operator would rehearse it: `rsctl lab up` runs as a child
//! process; `rsctl lab lag` holds secondaries back and `rsctl lab clock` steps the primary's clock
//! ahead, so the lagging secondaries' lastWriteDate falls minutes behind at once (the lab's
//! periodic no-op writer carries the new date without any client write). Then
//! `rsctl read --max-staleness 90s` must leave the stale members out and say why.

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::util::child_lab::ChildLab;
use crate::util::{assert_code, stderr, stdout};

/// The `served by HOST` line of stderr.
fn served_by(o: &Output) -> String {
    stderr(o)
        .lines()
        .find_map(|l| l.strip_prefix("served by "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no `served by` line:\n{}", stderr(o)))
}

/// The staleness in seconds a reason like `staleness 131.0s exceeds maxStalenessSeconds 90`
/// gives for `host`, from explain lines or selection-error lines.
fn excluded_staleness(text: &str, host: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.contains(host) && l.contains("exceeds maxStalenessSeconds 90"))
        .unwrap_or_else(|| panic!("{host} is not excluded as too stale:\n{text}"));
    let (before, _) = line.split_once("s exceeds maxStalenessSeconds").unwrap();
    before
        .rsplit("staleness ")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("staleness in {line:?}: {e}"))
}

/// Each member's `lag_ms` from `rsctl status --json`, with the primary.
async fn lags(lab: &ChildLab) -> (String, Vec<(String, Option<i64>)>) {
    let s = lab.status().await;
    let primary = s["primary"].as_str().expect("a primary").to_string();
    let lags = s["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["host"].as_str().unwrap().to_string(),
                m["lag_ms"].as_i64(),
            )
        })
        .collect();
    (primary, lags)
}

/// Waits (at most 20 s) until status shows every host of `stale` more than 100 s behind the
/// primary and every host of `fresh` within 5 s of it.
async fn wait_for_lags(lab: &ChildLab, stale: &[&str], fresh: &[&str]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, lags) = lags(lab).await;
        let lag = |h: &str| lags.iter().find(|(x, _)| x == h).and_then(|(_, l)| *l);
        let ok = stale.iter().all(|h| lag(h).is_some_and(|l| l > 100_000))
            && fresh.iter().all(|h| lag(h).is_some_and(|l| l < 5_000));
        if ok {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "status never showed {stale:?} stale and {fresh:?} fresh: {lags:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_staleness_leaves_out_a_skewed_lagging_secondary_then_falls_back_to_the_primary() {
    let lab = ChildLab::up("stale", &["--periodic-noop-interval", "500ms"]).await;
    let seeds = lab.seeds();
    let (primary, _) = lags(&lab).await;
    let secondaries: Vec<String> = lab
        .hosts
        .iter()
        .filter(|h| **h != primary)
        .cloned()
        .collect();
    let (fresh, stale) = (secondaries[0].clone(), secondaries[1].clone());

    // One secondary applies nothing for 10 minutes; the primary's clock jumps 2 minutes ahead.
    lab.control(&["lag", &stale, "10m"]).await;
    lab.control(&["clock", &primary, "+2m"]).await;
    wait_for_lags(&lab, &[&stale], &[&fresh]).await;
    let ls = lab.rsctl(&["lab", "ls"]).await;
    let ls = stdout(&ls);
    assert!(
        ls.contains(&format!("{stale}(lag 10m)")) && ls.contains(&format!("{primary}(clock +2m)")),
        "lab ls shows the injected faults: {ls}"
    );

    let o = lab
        .rsctl(&[
            "-u",
            &seeds,
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
    assert_eq!(served_by(&o), fresh, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("mode secondary, maxStalenessSeconds 90"),
        "the explanation names the limit:\n{e}"
    );
    // 2 minutes behind the primary, plus the heartbeat interval (10 s): well over 90 s.
    let s = excluded_staleness(&e, &stale);
    assert!(
        (125.0..200.0).contains(&s),
        "staleness {s}s of {stale}:\n{e}"
    );
    let picked = e
        .lines()
        .find(|l| l.contains(&fresh))
        .unwrap_or_else(|| panic!("{fresh} in the explanation:\n{e}"));
    assert!(
        picked.contains("eligible: secondary, staleness") && picked.contains("picked"),
        "{picked}"
    );

    // The same in JSON: the filter that dropped it and the estimate.
    let o = lab
        .rsctl(&[
            "-u",
            &seeds,
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
    let e = stderr(&o);
    let line = e
        .lines()
        .find(|l| l.starts_with('{') && l.contains("\"candidates\""))
        .unwrap_or_else(|| panic!("no explain JSON on stderr: {e}"));
    let explain: Value = serde_json::from_str(line).unwrap();
    assert_eq!(explain["served_by"], fresh.as_str(), "{explain}");
    assert_eq!(explain["max_staleness_s"], 90, "{explain}");
    let cand = |h: &str| {
        explain["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["host"] == h)
            .unwrap()
            .clone()
    };
    assert_eq!(cand(&stale)["dropped_by"], "staleness", "{explain}");
    assert!(cand(&stale)["staleness_s"].as_f64().unwrap() > 120.0);
    assert_eq!(cand(&fresh)["picked"], true, "{explain}");
    assert!(cand(&fresh)["staleness_s"].as_f64().unwrap() < 90.0);

    // Now every secondary is stale: hold the other one back too and jump the clock again.
    lab.control(&["lag", &fresh, "10m"]).await;
    lab.control(&["clock", &primary, "+5m"]).await;
    wait_for_lags(&lab, &[&stale, &fresh], &[]).await;

    let o = lab
        .rsctl(&[
            "-u",
            &seeds,
            "--timeout",
            "1s",
            "read",
            "test.c",
            "--pref",
            "secondary",
            "--max-staleness",
            "90s",
        ])
        .await;
    assert_code(&o, 3);
    let e = stderr(&o);
    assert!(
        e.contains("Topology Description") && e.contains("ReplicaSetWithPrimary"),
        "the error prints the topology:\n{e}"
    );
    // The first is 5 minutes behind, the other 3 (it has the +2m writes): both over 90 s.
    let s = excluded_staleness(&e, &stale);
    assert!(s > 300.0, "staleness {s}s of {stale}:\n{e}");
    let s = excluded_staleness(&e, &fresh);
    assert!(
        (180.0..300.0).contains(&s),
        "staleness {s}s of {fresh}:\n{e}"
    );
    assert!(
        e.contains(&format!("{primary} (RSPrimary")) && e.contains("mode secondary excludes"),
        "{e}"
    );

    let o = lab
        .rsctl(&[
            "-u",
            &seeds,
            "read",
            "test.c",
            "--pref",
            "secondaryPreferred",
            "--max-staleness",
            "90s",
            "--explain",
        ])
        .await;
    assert_code(&o, 0);
    assert_eq!(served_by(&o), primary, "{}", stderr(&o));
    let e = stderr(&o);
    for h in [&stale, &fresh] {
        assert!(excluded_staleness(&e, h) > 180.0, "{e}");
    }

    // The lab's control command refuses what it cannot do, with exit 2.
    let o = lab.rsctl(&["lab", "clock", &primary, "soon"]).await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("+2m"), "{}", stderr(&o));
    let o = lab.rsctl(&["lab", "clock", "127.0.0.1:1", "+1m"]).await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("not a member"), "{}", stderr(&o));

    let o = lab
        .rsctl(&["lab", "up", "--set", "x", "--periodic-noop-interval", "5ms"])
        .await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("at least 100ms"), "{}", stderr(&o));

    lab.down().await;
}
