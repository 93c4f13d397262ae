use bson::{doc, Bson, DateTime, Document};

use super::*;
use crate::cli::output::Style;
use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, TopologyDescription};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::selection::{select_suitable, Criteria, SelectionSettings};

fn server(host: &str, t: ServerType, rtt: f64, dc: &str) -> ServerDescription {
    let mut sd = ServerDescription::new_unknown(ServerAddress::parse(host).unwrap());
    sd.server_type = t;
    sd.round_trip_time_ms = Some(rtt);
    sd.tags.insert("dc".into(), dc.into());
    sd.last_update_time_ms = 1_000_000;
    sd.last_write_date_ms = Some(1_000_000);
    sd.max_wire_version = 21;
    sd.set_name = Some("rs0".into());
    sd
}

fn topology(servers: Vec<ServerDescription>) -> TopologyDescription {
    crate::cli::fixtures::rs_topology(servers)
}

fn three() -> TopologyDescription {
    let mut b = server("b:2", ServerType::RSSecondary, 0.5, "ny");
    b.error = None;
    let mut c = server("c:3", ServerType::Unknown, 0.0, "sf");
    c.round_trip_time_ms = None;
    c.tags.clear();
    c.error = Some(crate::core::error::Error::network(
        &ServerAddress::parse("c:3").unwrap(),
        crate::core::error::NetworkErrorKind::Io,
        "connection refused",
    ));
    topology(vec![server("a:1", ServerType::RSPrimary, 0.4, "ny"), b, c])
}

fn rs_status() -> Document {
    let now = 1_700_000_000_000i64;
    doc! {
        "set": "rs0",
        "date": DateTime::from_millis(now),
        "term": 3i64,
        "members": [
            { "name": "a:1", "health": 1.0, "stateStr": "PRIMARY", "uptime": 100i32,
              "optimeDate": DateTime::from_millis(now - 10) },
            { "name": "b:2", "health": 1.0, "stateStr": "SECONDARY", "uptime": 90i32,
              "optimeDate": DateTime::from_millis(now - 1510), "syncSourceHost": "a:1",
              "lastHeartbeat": DateTime::from_millis(now - 200) },
            { "name": "c:3", "health": 1.0, "stateStr": "SECONDARY", "uptime": 80i32,
              "optimeDate": DateTime::from_millis(now - 10), "syncSourceHost": "a:1",
              "lastHeartbeat": DateTime::from_millis(now - 300) },
        ],
        "ok": 1.0,
    }
}

fn rs_config() -> Document {
    doc! { "config": { "_id": "rs0", "version": 4i32, "members": [
        { "_id": 0, "host": "a:1", "priority": 2.0, "votes": 1, "tags": { "dc": "ny" } },
        { "_id": 1, "host": "b:2", "priority": 1.0, "votes": 1, "tags": { "dc": "ny" } },
        { "_id": 2, "host": "c:3", "priority": 0.0, "votes": 1, "hidden": true, "tags": { "dc": "sf" } },
    ]}}
}

#[test]
fn status_merges_the_sets_view_with_rsctls() {
    let topo = three();
    let st = rs_status();
    let cfg = rs_config();
    let src = ServerAddress::parse("a:1").unwrap();
    let report = build_status(&StatusInput {
        topology: &topo,
        status: Some((&src, &st)),
        config: Some(&cfg),
        probes: &[],
    });
    assert_eq!(report.set.as_deref(), Some("rs0"));
    assert_eq!(report.primary.as_deref(), Some("a:1"));
    assert_eq!(report.term, Some(3));
    assert_eq!(report.config_version, Some(4));
    assert_eq!(report.members.len(), 3);
    let b = &report.members[1];
    assert_eq!(b.host, "b:2");
    assert_eq!(b.state, "SECONDARY");
    assert_eq!(b.lag_ms, Some(1500));
    assert_eq!(b.sync_source.as_deref(), Some("a:1"));
    assert_eq!(b.last_heartbeat_ago_ms, Some(200));
    assert_eq!(b.rtt_ms, Some(0.5));
    assert_eq!(b.reachable, Some(true));
    let c = &report.members[2];
    assert!(c.hidden);
    assert_eq!(c.priority, Some(0.0));
    assert_eq!(c.reachable, Some(false));
    assert_eq!(c.tags.get("dc").map(String::as_str), Some("sf"));
    assert_eq!(report.disagreements.len(), 1, "{:?}", report.disagreements);
    assert!(report.disagreements[0].contains("c:3"));
    assert!(report.disagreements[0].contains("cannot reach"));

    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "set",
        "topology_type",
        "primary",
        "term",
        "config_version",
        "members",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let m = &json["members"][0];
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
        assert!(m.get(key).is_some(), "member field {key}");
    }

    let table = status_table(&report, &Style::plain());
    assert!(table.contains("ReplicaSetWithPrimary"), "{table}");
    assert!(table.contains("UNREACHABLE"), "{table}");
    assert!(table.contains("disagreement:"), "{table}");
    assert!(!table.contains('\x1b'), "no colour when plain");
}

#[test]
fn coloured_status_table_stays_aligned() {
    use crate::cli::output::{assert_table_aligned, strip_ansi};
    let topo = three();
    let mut st = rs_status();
    let cfg = rs_config();
    let src = ServerAddress::parse("a:1").unwrap();
    // b:2 reported down by the set: a red HEALTH cell and a yellow STATE next to plain ones.
    if let Some(Bson::Document(b)) = st.get_array_mut("members").unwrap().get_mut(1) {
        b.insert("health", 0.0);
        b.insert("stateStr", "(not reachable/healthy)");
    }
    let report = build_status(&StatusInput {
        topology: &topo,
        status: Some((&src, &st)),
        config: Some(&cfg),
        probes: &[],
    });
    let coloured = status_table(&report, &Style { color: true });
    let plain = status_table(&report, &Style::plain());
    // Every coloured kind of cell is there, and coloured.
    for painted in ["PRIMARY", "UNREACHABLE", "down", "(not reachable/healthy)"] {
        assert!(
            coloured
                .lines()
                .any(|l| l.contains(&format!("m{painted}\x1b["))),
            "{painted} is not coloured in {coloured:?}"
        );
    }
    assert_table_aligned(&coloured);
    assert_table_aligned(&plain);
    assert_eq!(strip_ansi(&coloured), plain);
}

#[test]
fn status_without_any_members_answer_uses_rsctls_view() {
    let topo = three();
    let report = build_status(&StatusInput {
        topology: &topo,
        status: None,
        config: None,
        probes: &[],
    });
    assert_eq!(report.members[0].state, "PRIMARY");
    assert_eq!(report.members[2].state, "UNKNOWN");
    assert_eq!(report.members[2].reachable, Some(false));
    assert!(report.disagreements.is_empty());
    assert!(status_table(&report, &Style::plain()).contains("rsctl's own view"));
}

#[test]
fn explain_lists_every_member_with_its_reason() {
    let topo = three();
    let rp = ReadPreference {
        mode: ReadPreferenceMode::Nearest,
        tag_sets: vec![[("dc".to_string(), "ny".to_string())].into_iter().collect()],
        max_staleness: None,
    };
    let criteria = Criteria::Read(rp.clone());
    let sel = select_suitable(&topo, &criteria, &SelectionSettings::default(), &[]).unwrap();
    let picked = ServerAddress::parse("b:2").unwrap();
    let e = build_explain(&rp, &sel, Some(&picked), false);
    assert_eq!(e.served_by.as_deref(), Some("b:2"));
    assert_eq!(e.candidates.len(), 3);
    let c = e.candidates.iter().find(|c| c.host == "c:3").unwrap();
    assert!(!c.eligible);
    assert!(!c.reason.is_empty());
    assert!(e.candidates.iter().filter(|c| c.eligible).count() >= 1);
    assert!(e.candidates.iter().any(|c| c.picked && c.host == "b:2"));

    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["served_by"], "b:2");
    for key in [
        "host",
        "type",
        "rtt_ms",
        "staleness_s",
        "tags",
        "eligible",
        "reason",
    ] {
        assert!(
            json["candidates"][0].get(key).is_some(),
            "candidate field {key}"
        );
    }
    let text = explain_text(&e, &Style::plain());
    assert!(text.contains("mode nearest"), "{text}");
    assert!(text.contains("{dc: ny}"), "{text}");
    assert!(text.contains("← picked"), "{text}");
    assert_eq!(text.lines().count(), 5, "{text}");
}

#[test]
fn watch_lines() {
    let line = WatchLine::new(
        1_700_000_000_123,
        WatchEvent::PrimaryElected {
            host: "b:2".into(),
            previous: Some("a:1".into()),
            term: Some(4),
            election_id: Some("7fffffff0000000000000004".into()),
            no_primary_ms: Some(1234),
        },
    );
    let v: serde_json::Value = serde_json::from_str(&line.json()).unwrap();
    assert_eq!(v["type"], "primary_elected");
    assert_eq!(v["ts"], "2023-11-14T22:13:20.123Z");
    assert_eq!(v["no_primary_ms"], 1234);
    assert_eq!(v["term"], 4);
    assert_eq!(v["previous"], "a:1");
    let text = line.text(&Style::plain());
    assert!(
        text.starts_with("22:13:20.123  primary elected: b:2 (was a:1), term 4"),
        "{text}"
    );
    assert!(text.contains("no primary for 1.23 s"), "{text}");

    let outage = WatchLine::new(
        0,
        WatchEvent::Outage {
            started: rfc3339_ms(0),
            ended: rfc3339_ms(1500),
            duration_ms: 1500,
            writes_failed: 7,
        },
    );
    let v: serde_json::Value = serde_json::from_str(&outage.json()).unwrap();
    assert_eq!(v["type"], "outage");
    assert_eq!(v["duration_ms"], 1500);
    assert_eq!(v["writes_failed"], 7);
    assert_eq!(v["ended"], "1970-01-01T00:00:01.500Z");
}

#[test]
fn small_formatters() {
    let id = bson::oid::ObjectId::parse_str("7fffffff0000000000000011").unwrap();
    assert_eq!(term_from_election_id(&id), 17);
    assert_eq!(uptime_text(42), "42s");
    assert_eq!(uptime_text(3 * 3600 + 120), "3h 2m");
    assert_eq!(ms_text(0.42), "0.4 ms");
    assert_eq!(ms_text(1500.0), "1.50 s");
    assert_eq!(tags_text(&Tags::new()), "{}");
    assert_eq!(
        redact_text("mongodb://bob:hunter2@h1:1/?replicaSet=rs0"),
        "mongodb://bob:****@h1:1/?replicaSet=rs0"
    );
    assert_eq!(
        served_by_line(
            &ServerAddress::parse("a:1").unwrap(),
            ServerType::RSSecondary,
            &Tags::new(),
            Some(0.4)
        ),
        "served by a:1 (SECONDARY, {}, rtt 0.4 ms)"
    );
}
