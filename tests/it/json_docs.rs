//! The JSON outputs against their documentation, docs/json.md: `status --json` and
//! `read --explain --json` from a lab have exactly the fields of the documented examples, with
//! the documented types (or null); every `failover-watch --json` event type renders to a golden
//! line whose fields are exactly the ones the doc's table lists for it; and the watch lines the
//! end-to-end tests see pass the same check ([`check_watch_line`]).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use rsctl::cli::render::{OpTimeJson, RoleChange, TsJson, WatchEvent, WatchLine, WatchMember};
use rsctl::core::description::Tags;
use rsctl::lab::server::{Lab, LabConfig};

use crate::util::{assert_code, json, rsctl, stderr};

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of the `## ` section whose heading starts with `heading`.
fn section(doc: &str, heading: &str) -> String {
    let start = doc
        .find(&format!("\n## {heading}"))
        .unwrap_or_else(|| panic!("docs/json.md has no section {heading:?}"));
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// The body of the section's first ```text block, without its `$ command` line.
fn example(section: &str) -> String {
    let start = section.find("```text\n").expect("an example block") + "```text\n".len();
    let body = &section[start..];
    let body = &body[..body.find("```").expect("the block ends")];
    body.lines()
        .filter(|l| !l.starts_with("$ "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON type of a value, as the checks compare them.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Fields that hold a member's tags: a map of strings to strings, any keys.
const MAPS: &[&str] = &["tags", "tag_sets[]"];

/// Checks `actual` against the documented `examples` of the same field (several when it comes
/// from an array): an object has exactly the examples' keys, each value recursively of a type
/// some example shows, or null ("numbers that are unknown are null").
fn check_shape(path: &str, actual: &Value, examples: &[&Value]) -> Result<(), String> {
    let documented: Vec<&Value> = examples.iter().copied().filter(|e| !e.is_null()).collect();
    if actual.is_null() || documented.is_empty() {
        return Ok(());
    }
    let kinds: BTreeSet<&str> = documented.iter().map(|e| kind(e)).collect();
    if !kinds.contains(kind(actual)) {
        return Err(format!(
            "{path}: a {} ({actual}), documented as {kinds:?}",
            kind(actual)
        ));
    }
    let field = path.rsplit('.').next().unwrap_or(path);
    match actual {
        Value::Object(map) if MAPS.contains(&field) => {
            for (k, v) in map {
                if !v.is_string() {
                    return Err(format!("{path}.{k}: a tag value is a string, got {v}"));
                }
            }
            Ok(())
        }
        Value::Object(map) => {
            let objects: Vec<&serde_json::Map<String, Value>> =
                documented.iter().filter_map(|e| e.as_object()).collect();
            let want: BTreeSet<&String> = objects.iter().flat_map(|o| o.keys()).collect();
            let have: BTreeSet<&String> = map.keys().collect();
            if want != have {
                return Err(format!(
                    "{path}: undocumented {:?}, missing {:?}",
                    have.difference(&want).collect::<Vec<_>>(),
                    want.difference(&have).collect::<Vec<_>>()
                ));
            }
            for (k, v) in map {
                let ex: Vec<&Value> = objects.iter().filter_map(|o| o.get(k)).collect();
                check_shape(&format!("{path}.{k}"), v, &ex)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            let ex: Vec<&Value> = documented
                .iter()
                .filter_map(|e| e.as_array())
                .flatten()
                .collect();
            for (i, v) in items.iter().enumerate() {
                check_shape(&format!("{path}[]"), v, &ex).map_err(|e| format!("[{i}] {e}"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[track_caller]
fn assert_shape(what: &str, actual: &Value, example: &Value) {
    if let Err(e) = check_shape(what, actual, &[example]) {
        panic!("{what} differs from docs/json.md: {e}\nactual: {actual:#}");
    }
}

/// An event type's documented fields (besides `ts` and `type`), and the fields of the objects in
/// its array fields, by array.
type EventFields = (BTreeSet<String>, BTreeMap<String, BTreeSet<String>>);

/// The failover-watch table: for each event type, its fields (besides `ts` and `type`), and
/// the fields of the objects in its array fields (`members[]`, `changed[]`).
fn watch_table(doc: &str) -> BTreeMap<String, EventFields> {
    let text = section(doc, "`rsctl failover-watch --json`");
    let mut table = BTreeMap::new();
    // Data rows: the header row is `| \`type\` | fields |`.
    for row in text
        .lines()
        .filter(|l| l.starts_with("| `") && !l.starts_with("| `type` |"))
    {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        assert_eq!(cells.len(), 2, "a two-column row: {row}");
        let types: Vec<String> = ticked(cells[0]).into_iter().map(|(t, _)| t).collect();
        let (mut fields, mut arrays, mut first_only) =
            (BTreeSet::new(), BTreeMap::new(), BTreeSet::new());
        // Walk the cell: names at depth 0 are fields; a `name[]` is followed by its objects'
        // fields in parentheses (up to a colon); "(and `x` for ...)" is a field of the first
        // type of the row only; other parentheses are prose.
        let cell = cells[1];
        let mut i = 0;
        let bytes = cell.as_bytes();
        let mut last_array: Option<String> = None;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => {
                    let close = cell[i..].find(')').map_or(cell.len(), |j| i + j);
                    let group = &cell[i + 1..close];
                    if let Some(array) = last_array.take() {
                        let head = group.split(':').next().unwrap();
                        arrays.insert(array, ticked(head).into_iter().map(|(t, _)| t).collect());
                    } else if group.starts_with("and ") {
                        first_only.extend(ticked(group).into_iter().map(|(t, _)| t));
                    }
                    i = close + 1;
                }
                b'`' => {
                    let end = cell[i + 1..].find('`').map_or(cell.len(), |j| i + 1 + j);
                    let name = &cell[i + 1..end];
                    if is_name(name) {
                        fields.insert(name.trim_end_matches("[]").to_string());
                        last_array = name
                            .ends_with("[]")
                            .then(|| name.trim_end_matches("[]").to_string());
                    }
                    i = end + 1;
                }
                _ => i += 1,
            }
        }
        for (n, t) in types.iter().enumerate() {
            let mut f = fields.clone();
            if n == 0 {
                f.extend(first_only.iter().cloned());
            }
            table.insert(t.clone(), (f, arrays.clone()));
        }
    }
    assert!(table.len() >= 10, "the event table was read: {table:?}");
    table
}

/// The backticked words of `text`, with their byte offsets.
fn ticked(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut at = 0;
    while let Some(a) = rest.find('`') {
        let Some(b) = rest[a + 1..].find('`') else {
            break;
        };
        let word = &rest[a + 1..a + 1 + b];
        if is_name(word) {
            out.push((word.to_string(), at + a));
        }
        at += a + b + 2;
        rest = &rest[a + b + 2..];
    }
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.trim_end_matches("[]")
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_')
}

/// The example lines of the failover-watch section, by type.
fn watch_examples(doc: &str) -> BTreeMap<String, Value> {
    example(&section(doc, "`rsctl failover-watch --json`"))
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (v["type"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// Checks one failover-watch JSON line against docs/json.md: `ts` (RFC 3339, ms, UTC) and a
/// documented `type`; exactly the fields the table lists for it (and for the objects of its
/// array fields); and, where the doc shows an example line of that type, the example's types.
pub fn check_watch_line(line: &Value) -> Result<(), String> {
    let doc = doc();
    let table = watch_table(&doc);
    let ty = line["type"]
        .as_str()
        .ok_or_else(|| format!("no type: {line}"))?;
    let (fields, arrays) = table
        .get(ty)
        .ok_or_else(|| format!("undocumented event type {ty:?}: {line}"))?;
    let ts = line["ts"]
        .as_str()
        .ok_or_else(|| format!("no ts: {line}"))?;
    if !(ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T') {
        return Err(format!("ts is not RFC 3339 with ms in UTC: {ts}"));
    }
    let obj = line.as_object().unwrap();
    let have: BTreeSet<String> = obj
        .keys()
        .filter(|k| *k != "ts" && *k != "type")
        .cloned()
        .collect();
    if &have != fields {
        return Err(format!(
            "{ty}: fields {have:?}, documented {fields:?}: {line}"
        ));
    }
    for (array, sub) in arrays {
        for item in obj
            .get(array)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let keys: BTreeSet<String> = item.as_object().unwrap().keys().cloned().collect();
            if &keys != sub {
                return Err(format!(
                    "{ty}.{array}[]: fields {keys:?}, documented {sub:?}"
                ));
            }
        }
    }
    if let Some(example) = watch_examples(&doc).get(ty) {
        let mut line = line.clone();
        let mut example = example.clone();
        for v in [&mut line, &mut example] {
            v.as_object_mut().unwrap().remove("ts");
        }
        check_shape(ty, &line, &[&example])?;
    }
    Ok(())
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One of each event, and the exact line it renders to.
fn golden_events() -> Vec<(WatchEvent, &'static str)> {
    let optime = |t: u32, i: u32, term: i64| OpTimeJson {
        ts: TsJson { t, i },
        t: term,
    };
    vec![
        (
            WatchEvent::Topology {
                set: Some("rs0".into()),
                topology_type: "ReplicaSetWithPrimary".into(),
                primary: Some("h1:1".into()),
                term: Some(2),
                config_version: Some(1),
                members: vec![WatchMember {
                    host: "h1:1".into(),
                    server_type: "RSPrimary".into(),
                    rtt_ms: Some(0.5),
                    tags: tags(&[("dc", "ny")]),
                    error: None,
                }],
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"topology","set":"rs0","topology_type":"ReplicaSetWithPrimary","primary":"h1:1","term":2,"config_version":1,"members":[{"host":"h1:1","type":"RSPrimary","rtt_ms":0.5,"tags":{"dc":"ny"},"error":null}]}"#,
        ),
        (
            WatchEvent::ServerChanged {
                host: "h1:1".into(),
                from: "RSPrimary".into(),
                to: "Unknown".into(),
                error: Some("connection refused".into()),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"server_changed","host":"h1:1","from":"RSPrimary","to":"Unknown","error":"connection refused"}"#,
        ),
        (
            WatchEvent::PrimaryLost {
                host: "h1:1".into(),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"primary_lost","host":"h1:1"}"#,
        ),
        (
            WatchEvent::PrimaryElected {
                host: "h2:2".into(),
                previous: Some("h1:1".into()),
                term: Some(3),
                election_id: Some("7fffffff0000000000000003".into()),
                no_primary_ms: Some(1008),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"primary_elected","host":"h2:2","previous":"h1:1","term":3,"election_id":"7fffffff0000000000000003","no_primary_ms":1008}"#,
        ),
        (
            WatchEvent::MemberAdded {
                host: "h4:4".into(),
                server_type: "RSSecondary".into(),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"member_added","host":"h4:4","server_type":"RSSecondary"}"#,
        ),
        (
            WatchEvent::MemberRemoved {
                host: "h4:4".into(),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"member_removed","host":"h4:4"}"#,
        ),
        (
            WatchEvent::TagsChanged {
                host: "h1:1".into(),
                from: tags(&[("dc", "ny")]),
                to: tags(&[("dc", "sf")]),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"tags_changed","host":"h1:1","from":{"dc":"ny"},"to":{"dc":"sf"}}"#,
        ),
        (
            WatchEvent::ConfigChanged {
                from: Some(1),
                to: Some(2),
                term: Some(3),
                added: vec!["h4:4".into()],
                removed: vec![],
                changed: vec![RoleChange {
                    host: "h3:3".into(),
                    from: "host".into(),
                    to: "passive".into(),
                }],
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"config_changed","from":1,"to":2,"term":3,"added":["h4:4"],"removed":[],"changed":[{"host":"h3:3","from":"host","to":"passive"}]}"#,
        ),
        (
            WatchEvent::Rollback {
                host: "h1:1".into(),
                from: optime(100, 3, 2),
                to: optime(100, 1, 2),
                lost_from: Some("2026-12-05T00:00:00.100Z".into()),
                lost_to: Some("2026-12-05T00:00:00.300Z".into()),
                lost_ms: Some(200),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"rollback","host":"h1:1","from":{"ts":{"t":100,"i":3},"t":2},"to":{"ts":{"t":100,"i":1},"t":2},"lost_from":"2026-12-05T00:00:00.100Z","lost_to":"2026-12-05T00:00:00.300Z","lost_ms":200}"#,
        ),
        (
            WatchEvent::RouterChanged {
                from: None,
                to: Some("r1:1".into()),
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"router_changed","from":null,"to":"r1:1"}"#,
        ),
        (
            WatchEvent::Rtt {
                host: "h1:1".into(),
                from_ms: 0.5,
                to_ms: 80.25,
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"rtt","host":"h1:1","from_ms":0.5,"to_ms":80.25}"#,
        ),
        (
            WatchEvent::ProbeFailed {
                error: "not acknowledged within 500ms".into(),
                writes_failed: 1,
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"probe_failed","error":"not acknowledged within 500ms","writes_failed":1}"#,
        ),
        (
            WatchEvent::Outage {
                started: "2026-12-05T00:00:00.000Z".into(),
                ended: "2026-12-05T00:00:00.912Z".into(),
                duration_ms: 912,
                writes_failed: 1,
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"outage","started":"2026-12-05T00:00:00.000Z","ended":"2026-12-05T00:00:00.912Z","duration_ms":912,"writes_failed":1}"#,
        ),
        (
            WatchEvent::Summary {
                duration_ms: 5001,
                elections: 1,
                outages: 1,
                longest_outage_ms: 912,
                total_outage_ms: 912,
                probes_ok: 42,
                probes_failed: 1,
                ongoing_outage_ms: None,
            },
            r#"{"ts":"2026-12-05T00:00:00.123Z","type":"summary","duration_ms":5001,"elections":1,"outages":1,"longest_outage_ms":912,"total_outage_ms":912,"probes_ok":42,"probes_failed":1,"ongoing_outage_ms":null}"#,
        ),
    ]
}

/// 2026-12-05T00:00:00.123Z.
const AT_MS: i64 = 1_796_428_800_123;

#[test]
fn every_watch_event_renders_its_golden_line_with_the_documented_fields() {
    let table = watch_table(&doc());
    let mut seen = BTreeSet::new();
    for (event, golden) in golden_events() {
        let line = WatchLine::new(AT_MS, event).json();
        assert_eq!(line, golden);
        let v: Value = serde_json::from_str(&line).unwrap();
        seen.insert(v["type"].as_str().unwrap().to_string());
        check_watch_line(&v).unwrap_or_else(|e| panic!("{e}"));
    }
    let documented: BTreeSet<String> = table.keys().cloned().collect();
    assert_eq!(
        seen, documented,
        "one golden line per documented event type"
    );
}

#[test]
fn the_watch_check_refuses_an_undocumented_or_missing_field() {
    let (_, golden) = &golden_events()[2];
    let good: Value = serde_json::from_str(golden).unwrap();
    check_watch_line(&good).unwrap();
    let mut extra = good.clone();
    extra["surprise"] = Value::from(1);
    assert!(check_watch_line(&extra).is_err());
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("host");
    assert!(check_watch_line(&missing).is_err());
    let mut unknown = good;
    unknown["type"] = Value::from("primary_misplaced");
    assert!(check_watch_line(&unknown).is_err());
}

async fn tagged_lab() -> Lab {
    let lab = Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(200),
        seed: 5,
        ..LabConfig::default()
    })
    .await
    .unwrap();
    let dcs = [
        tags(&[("dc", "ny")]),
        tags(&[("dc", "ny")]),
        tags(&[("dc", "sf")]),
    ];
    lab.initiate(&dcs, false).await.expect("initiate");
    lab.wait_for_primary(Duration::from_secs(15))
        .await
        .expect("primary");
    lab
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_has_the_documented_fields_and_types() {
    let lab = tagged_lab().await;
    let doc = doc();
    let example: Value = serde_json::from_str(&example(&section(&doc, "`rsctl status --json`")))
        .expect("the documented example is JSON");
    let seeds = lab.seed_list();
    let o = rsctl(&["-u", &seeds, "status", "--json"]).await;
    assert_code(&o, 0);
    let status = json(&o);
    assert_eq!(status["members"].as_array().map(Vec::len), Some(3));
    assert_shape("status", &status, &example);
    // A member down: the same fields (its unknown numbers are null).
    let primary = lab.primary().unwrap();
    let down = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    lab.fault(&down, rsctl::lab::cluster::Fault::Kill)
        .await
        .unwrap();
    let o = rsctl(&["-u", &seeds, "--timeout", "5s", "status", "--json"]).await;
    assert_code(&o, 0);
    assert_shape("status with a member down", &json(&o), &example);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_explain_json_has_the_documented_fields_and_types() {
    let lab = tagged_lab().await;
    let doc = doc();
    let text = section(&doc, "`rsctl read --explain --json`");
    let example: Value =
        serde_json::from_str(&example(&text)).expect("the documented example is JSON");
    // The filters `dropped_by` may name: the list after "`dropped_by` names the filter".
    let sentence = &text[text
        .find("`dropped_by` names the filter")
        .expect("documented")..];
    let sentence = &sentence[..sentence.find(". ").unwrap()];
    let filters: Vec<String> = ticked(&sentence[sentence.find(':').unwrap()..])
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert!(filters.contains(&"mode".to_string()), "{filters:?}");
    let seeds = lab.seed_list();
    for args in [
        &[
            "--pref",
            "secondary",
            "--tags",
            "dc=sf",
            "--tags",
            "",
            "--max-staleness",
            "90s",
        ][..],
        &["--pref", "nearest"][..],
        &["--pref", "primary"][..],
    ] {
        let mut all = vec![
            "-u",
            seeds.as_str(),
            "read",
            "test.c",
            "--explain",
            "--json",
        ];
        all.extend_from_slice(args);
        let o = rsctl(&all).await;
        assert_code(&o, 0);
        let err = stderr(&o);
        let explain: Value = err
            .lines()
            .find_map(|l| serde_json::from_str(l).ok())
            .unwrap_or_else(|| panic!("{args:?}: no JSON object on stderr: {err}"));
        assert_shape(&format!("explain {args:?}"), &explain, &example);
        let candidates = explain["candidates"].as_array().unwrap();
        assert_eq!(candidates.len(), 3, "{explain}");
        for c in candidates {
            match &c["dropped_by"] {
                Value::Null => {}
                Value::String(f) => assert!(filters.contains(f), "undocumented filter {f}"),
                other => panic!("dropped_by {other}"),
            }
        }
    }
    lab.shutdown().await;
}

#[test]
fn the_doc_table_and_examples_are_read_as_written() {
    let doc = doc();
    let table = watch_table(&doc);
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(table["member_added"].0, names(&["host", "server_type"]));
    assert_eq!(table["member_removed"].0, names(&["host"]));
    assert_eq!(
        table["topology"].1["members"],
        names(&["host", "type", "rtt_ms", "tags", "error"])
    );
    assert_eq!(
        table["config_changed"].1["changed"],
        names(&["host", "from", "to"])
    );
    assert_eq!(
        table["router_changed"].0,
        names(&["from", "to"]),
        "prose in parentheses is not a field"
    );
    // The shape check refuses an extra field, a missing one and a wrong type.
    let example: Value =
        serde_json::from_str(&example(&section(&doc, "`rsctl status --json`"))).unwrap();
    let mut extra = example.clone();
    extra["members"][0]["surprise"] = Value::from(1);
    assert!(check_shape("status", &extra, &[&example]).is_err());
    let mut missing = example.clone();
    missing.as_object_mut().unwrap().remove("term");
    assert!(check_shape("status", &missing, &[&example]).is_err());
    let mut wrong = example.clone();
    wrong["members"][1]["votes"] = Value::from("one");
    assert!(check_shape("status", &wrong, &[&example]).is_err());
    check_shape("status", &example, &[&example]).unwrap();
}
