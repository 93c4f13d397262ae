//! Server-selection and max-staleness spec suites: `server_selection`, `rtt`, `in_window` (under
//! `server-selection/`) and `max-staleness`. Topologies are built directly from each file's
//! `topology_description`; no SDAM is involved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{
    ServerDescription, ServerType, Tags, TopologyDescription, TopologyType,
};
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::rtt::next_average;
use rsctl::core::selection::{pick, select_suitable, Criteria, SelectionSettings};
use serde_json::Value;

use super::harness::{json_files, load, Suite};
use super::skips::skip_reason;

type R<T> = Result<T, String>;

fn case_name(root: &str, path: &Path) -> String {
    let s = path.to_string_lossy();
    match s.find(root) {
        Some(i) => s[i + root.len()..].trim_start_matches('/').to_string(),
        None => s.into_owned(),
    }
}

fn address(v: &Value) -> R<ServerAddress> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("address is not a string: {v}"))?;
    ServerAddress::parse(s).map_err(|e| e.to_string())
}

fn server_type(s: &str) -> R<ServerType> {
    use ServerType::*;
    [
        Standalone,
        Mongos,
        PossiblePrimary,
        RSPrimary,
        RSSecondary,
        RSArbiter,
        RSOther,
        RSGhost,
        LoadBalancer,
        Unknown,
    ]
    .into_iter()
    .find(|t| t.as_str() == s)
    .ok_or_else(|| format!("unknown server type {s}"))
}

fn topology_type(s: &str) -> R<TopologyType> {
    use TopologyType::*;
    [
        Unknown,
        Single,
        ReplicaSetNoPrimary,
        ReplicaSetWithPrimary,
        Sharded,
        LoadBalanced,
    ]
    .into_iter()
    .find(|t| t.as_str() == s)
    .ok_or_else(|| format!("unknown topology type {s}"))
}

/// A number, or an extended-JSON `{"$numberLong": "..."}`.
fn int(v: &Value) -> R<i64> {
    if let Some(n) = v.as_i64() {
        return Ok(n);
    }
    if let Some(f) = v.as_f64() {
        return Ok(f as i64);
    }
    v.get("$numberLong")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an integer: {v}"))
}

fn tags(v: &Value) -> R<Tags> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("tags are not an object: {v}"))?;
    obj.iter()
        .map(|(k, v)| {
            let v = v
                .as_str()
                .ok_or_else(|| format!("tag {k} is not a string"))?;
            Ok((k.clone(), v.to_string()))
        })
        .collect()
}

fn server(v: &Value) -> R<ServerDescription> {
    let mut sd = ServerDescription::new_unknown(address(&v["address"])?);
    sd.server_type = server_type(v["type"].as_str().ok_or("server without type")?)?;
    sd.round_trip_time_ms = v.get("avg_rtt_ms").and_then(Value::as_f64);
    if let Some(t) = v.get("tags") {
        sd.tags = tags(t)?;
    }
    if let Some(t) = v.get("lastUpdateTime") {
        sd.last_update_time_ms = int(t)?;
    }
    if let Some(w) = v.get("lastWrite").and_then(|w| w.get("lastWriteDate")) {
        sd.last_write_date_ms = Some(int(w)?);
    }
    if let Some(m) = v.get("maxWireVersion") {
        sd.max_wire_version = int(m)? as i32;
    }
    Ok(sd)
}

fn topology(v: &Value) -> R<TopologyDescription> {
    let servers = v["servers"]
        .as_array()
        .ok_or("topology_description.servers is not an array")?
        .iter()
        .map(|s| server(s).map(|sd| (sd.address.clone(), sd)))
        .collect::<R<BTreeMap<_, _>>>()?;
    Ok(TopologyDescription {
        topology_type: topology_type(v["type"].as_str().ok_or("topology without type")?)?,
        set_name: None,
        max_set_version: None,
        max_election_id: None,
        servers,
        compatible: true,
        compatibility_error: None,
        logical_session_timeout_minutes: None,
        ..TopologyDescription::default()
    })
}

fn read_preference(v: &Value) -> R<ReadPreference> {
    let mode = match v.get("mode").and_then(Value::as_str) {
        Some(m) => ReadPreferenceMode::parse(m).ok_or_else(|| format!("unknown mode {m}"))?,
        None => ReadPreferenceMode::Primary,
    };
    let tag_sets = match v.get("tag_sets") {
        Some(Value::Array(sets)) => sets.iter().map(tags).collect::<R<Vec<_>>>()?,
        _ => Vec::new(),
    };
    let max_staleness = match v.get("maxStalenessSeconds") {
        Some(s) => match int(s)? {
            -1 => None,
            n if n < 0 => return Err(format!("negative maxStalenessSeconds {n}")),
            n => Some(Duration::from_secs(n as u64)),
        },
        None => None,
    };
    Ok(ReadPreference {
        mode,
        tag_sets,
        max_staleness,
    })
}

fn addresses(v: Option<&Value>) -> R<BTreeSet<ServerAddress>> {
    match v {
        None => Ok(BTreeSet::new()),
        Some(v) => v
            .as_array()
            .ok_or("expected an array of servers")?
            .iter()
            .map(|s| address(&s["address"]))
            .collect(),
    }
}

/// One server_selection / max-staleness file.
fn run_selection_case(t: &Value) -> R<()> {
    let topo = topology(&t["topology_description"])?;
    let criteria = match t.get("operation").and_then(Value::as_str).unwrap_or("read") {
        "read" => Criteria::Read(read_preference(
            t.get("read_preference").unwrap_or(&Value::Null),
        )?),
        "write" => Criteria::Write,
        other => return Err(format!("unknown operation {other}")),
    };
    let mut settings = SelectionSettings::default();
    if let Some(h) = t.get("heartbeatFrequencyMS") {
        settings.heartbeat_frequency_ms = int(h)? as f64;
    }
    let deprioritized: Vec<ServerAddress> = addresses(t.get("deprioritized_servers"))?
        .into_iter()
        .collect();
    let result = select_suitable(&topo, &criteria, &settings, &deprioritized);
    if t.get("error").and_then(Value::as_bool) == Some(true) {
        return match result {
            Err(_) => Ok(()),
            Ok(sel) => Err(format!("expected an error, selected {:?}", sel.suitable)),
        };
    }
    let sel = result.map_err(|e| format!("unexpected error: {e}"))?;
    let suitable: BTreeSet<_> = sel.suitable.iter().cloned().collect();
    let in_window: BTreeSet<_> = sel.in_window.iter().cloned().collect();
    if let Some(expected) = t.get("suitable_servers") {
        let expected = addresses(Some(expected))?;
        if suitable != expected {
            return Err(format!(
                "suitable {suitable:?}, expected {expected:?}\n{}",
                sel.explain()
            ));
        }
    }
    if let Some(expected) = t.get("in_latency_window") {
        let expected = addresses(Some(expected))?;
        if in_window != expected {
            return Err(format!(
                "in window {in_window:?}, expected {expected:?}\n{}",
                sel.explain()
            ));
        }
    }
    Ok(())
}

fn run_selection_suite(suite_name: &str, sub: &str) {
    let mut suite = Suite::new(suite_name);
    for path in json_files(sub) {
        let name = case_name(sub, &path);
        if let Some(reason) = skip_reason(suite_name, &name) {
            suite.skip(&name, reason);
            continue;
        }
        let t = load(&path);
        suite.record(&name, run_selection_case(&t));
    }
    suite.finish();
}

#[test]
fn server_selection() {
    run_selection_suite("server_selection", "server-selection/server_selection");
}

#[test]
fn max_staleness() {
    run_selection_suite("max-staleness", "max-staleness");
}

#[test]
fn rtt() {
    let mut suite = Suite::new("rtt");
    let sub = "server-selection/rtt";
    for path in json_files(sub) {
        let name = case_name(sub, &path);
        if let Some(reason) = skip_reason("rtt", &name) {
            suite.skip(&name, reason);
            continue;
        }
        let t = load(&path);
        let result = (|| -> R<()> {
            let previous = match &t["avg_rtt_ms"] {
                Value::String(s) if s == "NULL" => None,
                v => Some(v.as_f64().ok_or_else(|| format!("bad avg_rtt_ms {v}"))?),
            };
            let sample = t["new_rtt_ms"].as_f64().ok_or("bad new_rtt_ms")?;
            let expected = t["new_avg_rtt"].as_f64().ok_or("bad new_avg_rtt")?;
            let got = next_average(previous, sample);
            if (got - expected).abs() > 1e-9 {
                return Err(format!("got {got}, expected {expected}"));
            }
            Ok(())
        })();
        suite.record(&name, result);
    }
    suite.finish();
}

/// Iterations per in_window file (at least the file's own count).
const IN_WINDOW_ITERATIONS: u64 = 10_000;

#[test]
fn in_window() {
    let mut suite = Suite::new("in_window");
    let sub = "server-selection/in_window";
    for path in json_files(sub) {
        let name = case_name(sub, &path);
        if let Some(reason) = skip_reason("in_window", &name) {
            suite.skip(&name, reason);
            continue;
        }
        let t = load(&path);
        let result = (|| -> R<()> {
            let topo = topology(&t["topology_description"])?;
            let counts = t["mocked_topology_state"]
                .as_array()
                .ok_or("mocked_topology_state is not an array")?
                .iter()
                .map(|s| Ok((address(&s["address"])?, int(&s["operation_count"])? as u64)))
                .collect::<R<BTreeMap<_, _>>>()?;
            let criteria = Criteria::Read(ReadPreference::new(ReadPreferenceMode::Nearest));
            let sel = select_suitable(&topo, &criteria, &SelectionSettings::default(), &[])
                .map_err(|e| e.to_string())?;
            let iterations = IN_WINDOW_ITERATIONS.max(t["iterations"].as_u64().unwrap_or(0));
            let mut rng = SmallRng::seed_from_u64(0x5e1ec7);
            let mut chosen: BTreeMap<ServerAddress, u64> = BTreeMap::new();
            for _ in 0..iterations {
                let a = pick(
                    &sel.in_window,
                    |a| counts.get(a).copied().unwrap_or(0),
                    &mut rng,
                )
                .ok_or("nothing in the latency window")?;
                *chosen.entry(a).or_default() += 1;
            }
            let outcome = &t["outcome"];
            let tolerance = outcome["tolerance"].as_f64().ok_or("bad tolerance")?;
            let expected = outcome["expected_frequencies"]
                .as_object()
                .ok_or("bad expected_frequencies")?;
            for (a, f) in expected {
                let a = ServerAddress::parse(a).map_err(|e| e.to_string())?;
                let f = f.as_f64().ok_or("bad frequency")?;
                let got = chosen.get(&a).copied().unwrap_or(0) as f64 / iterations as f64;
                if (got - f).abs() > tolerance {
                    return Err(format!(
                        "{a} chosen with frequency {got:.4}, expected {f} ± {tolerance}"
                    ));
                }
            }
            Ok(())
        })();
        suite.record(&name, result);
    }
    suite.finish();
}
