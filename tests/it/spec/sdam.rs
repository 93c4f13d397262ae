//! Server discovery and monitoring suites: `sdam/{single,rs,sharded,errors,load-balanced}`
//! (outcomes: the topology after each phase) and `sdam/monitoring` (outcomes: the exact SDAM
//! events each phase publishes).
//!
//! Each file starts from its `uri` (parsed by `ConnectionString`, giving `TopologyOptions`), opens
//! the topology with `sdam::open`, then feeds each phase's `responses` (`{}` = a network error
//! during the check) through `ServerDescription::from_hello`/`from_error` and
//! `TopologyDescription::apply`, and its `applicationErrors` through
//! `handle_application_error`, keeping a simulated pool generation per server. Events come from
//! `sdam::diff` between consecutive descriptions; rsctl's derived primary events are not part of
//! the spec and are left out of the comparison.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bson::oid::ObjectId;
use bson::{Bson, Document};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerDescription, TopologyDescription, TopologyVersion};
use rsctl::core::events::SdamEvent;
use rsctl::core::sdam::{self, command_error, ErrorContext, TopologyOptions};
use rsctl::core::uri::ConnectionString;
use rsctl::error::{Error, NetworkErrorKind};
use serde_json::Value;

use super::harness::{json_files, load, Suite};
use super::skips::skip_reason;

type R<T> = Result<T, String>;

/// The state one file's run carries across phases.
struct Run {
    td: TopologyDescription,
    /// Simulated connection-pool generation per server (0 until cleared).
    pools: BTreeMap<ServerAddress, u32>,
    /// Events published since the last monitoring outcome.
    events: Vec<SdamEvent>,
    /// The simulated clock, advanced by every input.
    now_ms: i64,
}

fn address(v: &Value) -> R<ServerAddress> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("address is not a string: {v}"))?;
    ServerAddress::parse(s).map_err(|e| e.to_string())
}

fn to_document(v: &Value) -> R<Document> {
    match Bson::try_from(v.clone()).map_err(|e| format!("bad extended JSON {v}: {e}"))? {
        Bson::Document(d) => Ok(d),
        other => Err(format!("expected a document, got {other}")),
    }
}

fn object_id(v: &Value) -> R<ObjectId> {
    match Bson::try_from(v.clone()).map_err(|e| e.to_string())? {
        Bson::ObjectId(o) => Ok(o),
        other => Err(format!("expected an ObjectId, got {other}")),
    }
}

fn topology_version(v: &Value) -> R<TopologyVersion> {
    let b = Bson::try_from(v.clone()).map_err(|e| e.to_string())?;
    sdam::parse_topology_version(&b)
}

fn integer(v: &Value) -> R<i64> {
    v.as_i64()
        .ok_or_else(|| format!("expected an integer, got {v}"))
}

/// Checks `expected[key]` against `actual` if the key is present: `null` means "must be None".
fn check_opt<T: PartialEq + std::fmt::Debug>(
    what: &str,
    expected: &Value,
    key: &str,
    actual: Option<T>,
    parse: impl Fn(&Value) -> R<T>,
) -> R<()> {
    let Some(e) = expected.get(key) else {
        return Ok(());
    };
    let want = if e.is_null() { None } else { Some(parse(e)?) };
    if want != actual {
        return Err(format!("{what} {key}: expected {want:?}, got {actual:?}"));
    }
    Ok(())
}

fn options_from_uri(uri: &str) -> R<TopologyOptions> {
    let cs = ConnectionString::parse(uri).map_err(|e| format!("uri {uri}: {e}"))?;
    Ok(TopologyOptions::from_connection_string(&cs))
}

impl Run {
    fn start(uri: &str) -> R<Run> {
        let options = options_from_uri(uri)?;
        let (td, events) = sdam::open(&options, 0);
        Ok(Run {
            td,
            pools: BTreeMap::new(),
            events,
            now_ms: 0,
        })
    }

    fn tick(&mut self) -> i64 {
        self.now_ms += 10;
        self.now_ms
    }

    fn response(&mut self, pair: &Value) -> R<()> {
        let a = address(&pair[0])?;
        let reply = to_document(&pair[1])?;
        let now = self.tick();
        let sd = if reply.is_empty() {
            let err = Error::network(
                &a,
                NetworkErrorKind::Io,
                "simulated network error during the check",
            );
            ServerDescription::from_error(a.clone(), err, now)
        } else {
            ServerDescription::from_hello(a.clone(), &reply, Some(1.0), now)
        };
        let before = self.td.clone();
        let out = self.td.apply(sd);
        for stale in out.stale_primaries {
            if stale.clear_pool {
                *self.pools.entry(stale.address).or_default() += 1;
            }
        }
        self.events.extend(sdam::diff_for(&before, &self.td, &a));
        Ok(())
    }

    fn application_error(&mut self, e: &Value) -> R<()> {
        let a = address(&e["address"])?;
        let pool_generation = self.pools.get(&a).copied().unwrap_or(0);
        let connection_generation = match e.get("generation") {
            Some(g) => u32::try_from(integer(g)?).map_err(|_| format!("bad generation {g}"))?,
            None => pool_generation,
        };
        let handshake_completed = match e["when"].as_str() {
            Some("beforeHandshakeCompletes") => false,
            Some("afterHandshakeCompletes") => true,
            other => return Err(format!("unknown applicationError when: {other:?}")),
        };
        let max_wire_version =
            i32::try_from(integer(&e["maxWireVersion"])?).map_err(|e| e.to_string())?;
        let error = match e["type"].as_str() {
            Some("network") => {
                Error::network(&a, NetworkErrorKind::Closed, "simulated network error")
            }
            Some("timeout") => {
                Error::network(&a, NetworkErrorKind::Timeout, "simulated network timeout")
            }
            Some("command") => {
                let response = to_document(&e["response"])?;
                match command_error(&a, &response) {
                    Some(err) => err,
                    None => match response.get("writeConcernError") {
                        Some(Bson::Document(wce)) => {
                            let mut wce = wce.clone();
                            wce.insert("ok", 0);
                            command_error(&a, &wce).expect("ok: 0 is an error")
                        }
                        // writeErrors (never checked by SDAM) or a success.
                        _ => Error::Write {
                            address: a.clone(),
                            code: response
                                .get_array("writeErrors")
                                .ok()
                                .and_then(|w| w.first())
                                .and_then(Bson::as_document)
                                .and_then(|d| d.get_i32("code").ok())
                                .unwrap_or(0),
                            message: "write error".into(),
                        },
                    },
                }
            }
            other => return Err(format!("unknown applicationError type: {other:?}")),
        };
        let ctx = ErrorContext {
            connection_generation,
            pool_generation,
            handshake_completed,
            max_wire_version,
        };
        let before = self.td.clone();
        let out = self.td.handle_application_error(&a, &error, &ctx);
        if out.clear_pool {
            *self.pools.entry(a.clone()).or_default() += 1;
        }
        self.events.extend(sdam::diff_for(&before, &self.td, &a));
        Ok(())
    }

    fn check_outcome(&self, o: &Value) -> R<()> {
        let td = &self.td;
        if let Some(servers) = o.get("servers") {
            let servers = servers
                .as_object()
                .ok_or("outcome.servers is not an object")?;
            let mut expected = BTreeSet::new();
            for (k, want) in servers {
                let a = ServerAddress::parse(k).map_err(|e| e.to_string())?;
                let sd = td.servers.get(&a).ok_or_else(|| {
                    format!("server {a} expected but missing; have {:?}", keys(td))
                })?;
                self.check_server(&a, sd, want)?;
                expected.insert(a);
            }
            let actual: BTreeSet<_> = td.servers.keys().cloned().collect();
            if actual != expected {
                return Err(format!("servers: expected {expected:?}, got {actual:?}"));
            }
        }
        if let Some(t) = o.get("topologyType") {
            let t = t.as_str().ok_or("topologyType is not a string")?;
            if td.topology_type.as_str() != t {
                return Err(format!(
                    "topologyType: expected {t}, got {}",
                    td.topology_type
                ));
            }
        }
        let s = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .ok_or(format!("not a string: {v}"))
        };
        check_opt("topology", o, "setName", td.set_name.clone(), s)?;
        check_opt("topology", o, "maxSetVersion", td.max_set_version, integer)?;
        check_opt(
            "topology",
            o,
            "maxElectionId",
            td.max_election_id,
            object_id,
        )?;
        check_opt(
            "topology",
            o,
            "logicalSessionTimeoutMinutes",
            td.logical_session_timeout_minutes,
            integer,
        )?;
        if let Some(c) = o.get("compatible") {
            let c = c.as_bool().ok_or("compatible is not a bool")?;
            if td.compatible != c {
                return Err(format!(
                    "compatible: expected {c}, got {} ({:?})",
                    td.compatible, td.compatibility_error
                ));
            }
        }
        Ok(())
    }

    fn check_server(&self, a: &ServerAddress, sd: &ServerDescription, want: &Value) -> R<()> {
        let what = format!("server {a}");
        if let Some(t) = want.get("type") {
            let t = t.as_str().ok_or("type is not a string")?;
            if sd.server_type.as_str() != t {
                return Err(format!(
                    "{what} type: expected {t}, got {} (error: {:?})",
                    sd.server_type,
                    sd.error.as_ref().map(ToString::to_string)
                ));
            }
        }
        let s = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .ok_or(format!("not a string: {v}"))
        };
        check_opt(&what, want, "setName", sd.set_name.clone(), s)?;
        check_opt(&what, want, "setVersion", sd.set_version, integer)?;
        check_opt(&what, want, "electionId", sd.election_id, object_id)?;
        check_opt(
            &what,
            want,
            "logicalSessionTimeoutMinutes",
            sd.logical_session_timeout_minutes,
            integer,
        )?;
        check_opt(
            &what,
            want,
            "topologyVersion",
            sd.topology_version.clone(),
            topology_version,
        )?;
        // Wire versions default to 0 (the spec's default); `null` in a file means that default.
        for (key, actual) in [
            ("minWireVersion", sd.min_wire_version),
            ("maxWireVersion", sd.max_wire_version),
        ] {
            if let Some(e) = want.get(key) {
                let expected = if e.is_null() { 0 } else { integer(e)? };
                if expected != i64::from(actual) {
                    return Err(format!("{what} {key}: expected {e}, got {actual}"));
                }
            }
        }
        if let Some(g) = want.get("pool").and_then(|p| p.get("generation")) {
            let expected = integer(g)?;
            let actual = i64::from(self.pools.get(a).copied().unwrap_or(0));
            if expected != actual {
                return Err(format!(
                    "{what} pool generation: expected {expected}, got {actual}"
                ));
            }
        }
        Ok(())
    }

    fn check_events(&self, expected: &Value) -> R<()> {
        let expected = expected
            .as_array()
            .ok_or("outcome.events is not an array")?;
        let actual: Vec<&SdamEvent> = self
            .events
            .iter()
            .filter(|e| {
                !matches!(
                    e,
                    SdamEvent::PrimaryChanged { .. } | SdamEvent::PrimaryLost { .. }
                )
            })
            .collect();
        let names: Vec<&str> = actual.iter().map(|e| event_name(e)).collect();
        if expected.len() != actual.len() {
            let want: Vec<String> = expected
                .iter()
                .map(|e| {
                    e.as_object()
                        .and_then(|o| o.keys().next().cloned())
                        .unwrap_or_default()
                })
                .collect();
            return Err(format!("events: expected {want:?}, got {names:?}"));
        }
        for (i, (want, got)) in expected.iter().zip(actual).enumerate() {
            let (kind, body) = want
                .as_object()
                .and_then(|o| o.iter().next())
                .ok_or_else(|| format!("event {i} is not an object"))?;
            if kind != event_name(got) {
                return Err(format!(
                    "event {i}: expected {kind}, got {} (all: {names:?})",
                    event_name(got)
                ));
            }
            check_event(got, body).map_err(|e| format!("event {i} ({kind}): {e}"))?;
        }
        Ok(())
    }
}

fn keys(td: &TopologyDescription) -> Vec<String> {
    td.servers.keys().map(ToString::to_string).collect()
}

fn event_name(e: &SdamEvent) -> &'static str {
    match e {
        SdamEvent::TopologyOpening => "topology_opening_event",
        SdamEvent::TopologyDescriptionChanged { .. } => "topology_description_changed_event",
        SdamEvent::TopologyClosed => "topology_closed_event",
        SdamEvent::ServerOpening { .. } => "server_opening_event",
        SdamEvent::ServerClosed { .. } => "server_closed_event",
        SdamEvent::ServerDescriptionChanged { .. } => "server_description_changed_event",
        _ => "other",
    }
}

fn check_event(e: &SdamEvent, body: &Value) -> R<()> {
    match e {
        SdamEvent::ServerOpening { address: a } | SdamEvent::ServerClosed { address: a } => {
            expect_address(body, a)
        }
        SdamEvent::ServerDescriptionChanged {
            address: a,
            previous,
            new,
        } => {
            expect_address(body, a)?;
            check_event_server(previous, &body["previousDescription"])
                .map_err(|e| format!("previous: {e}"))?;
            check_event_server(new, &body["newDescription"]).map_err(|e| format!("new: {e}"))
        }
        SdamEvent::TopologyDescriptionChanged { previous, new } => {
            check_event_topology(previous, &body["previousDescription"])
                .map_err(|e| format!("previous: {e}"))?;
            check_event_topology(new, &body["newDescription"]).map_err(|e| format!("new: {e}"))
        }
        _ => Ok(()),
    }
}

fn expect_address(body: &Value, a: &ServerAddress) -> R<()> {
    let want = address(&body["address"])?;
    if &want != a {
        return Err(format!("address: expected {want}, got {a}"));
    }
    Ok(())
}

fn address_set(v: &Value) -> R<BTreeSet<ServerAddress>> {
    v.as_array()
        .ok_or_else(|| format!("not an array: {v}"))?
        .iter()
        .map(address)
        .collect()
}

/// A server description inside an event: address, type, hosts/passives/arbiters (as sets),
/// and setName / primary (absent in the file = null).
fn check_event_server(sd: &ServerDescription, want: &Value) -> R<()> {
    expect_address(want, &sd.address)?;
    let t = want["type"].as_str().ok_or("type is not a string")?;
    if sd.server_type.as_str() != t {
        return Err(format!(
            "{} type: expected {t}, got {}",
            sd.address, sd.server_type
        ));
    }
    for (key, actual) in [
        ("hosts", &sd.hosts),
        ("passives", &sd.passives),
        ("arbiters", &sd.arbiters),
    ] {
        let expected = address_set(&want[key])?;
        let actual: BTreeSet<_> = actual.iter().cloned().collect();
        if expected != actual {
            return Err(format!(
                "{} {key}: expected {expected:?}, got {actual:?}",
                sd.address
            ));
        }
    }
    let set_name = want.get("setName").and_then(Value::as_str);
    if set_name != sd.set_name.as_deref() {
        return Err(format!(
            "{} setName: expected {set_name:?}, got {:?}",
            sd.address, sd.set_name
        ));
    }
    let primary = match want.get("primary") {
        None | Some(Value::Null) => None,
        Some(p) => Some(address(p)?),
    };
    if primary != sd.primary {
        return Err(format!(
            "{} primary: expected {primary:?}, got {:?}",
            sd.address, sd.primary
        ));
    }
    Ok(())
}

fn check_event_topology(td: &TopologyDescription, want: &Value) -> R<()> {
    let t = want["topologyType"]
        .as_str()
        .ok_or("topologyType is not a string")?;
    if td.topology_type.as_str() != t {
        return Err(format!(
            "topologyType: expected {t}, got {}",
            td.topology_type
        ));
    }
    let set_name = want.get("setName").and_then(Value::as_str);
    if set_name != td.set_name.as_deref() {
        return Err(format!(
            "setName: expected {set_name:?}, got {:?}",
            td.set_name
        ));
    }
    let servers = want["servers"]
        .as_array()
        .ok_or("servers is not an array")?;
    let mut seen = BTreeSet::new();
    for s in servers {
        let a = address(&s["address"])?;
        let sd = td
            .servers
            .get(&a)
            .ok_or_else(|| format!("server {a} missing"))?;
        check_event_server(sd, s)?;
        seen.insert(a);
    }
    let actual: BTreeSet<_> = td.servers.keys().cloned().collect();
    if actual != seen {
        return Err(format!("servers: expected {seen:?}, got {actual:?}"));
    }
    Ok(())
}

fn run_file(path: &Path) -> R<()> {
    let test = load(path);
    let uri = test["uri"].as_str().ok_or("no uri")?;
    let mut run = Run::start(uri)?;
    let phases = test["phases"].as_array().ok_or("no phases")?;
    for (i, phase) in phases.iter().enumerate() {
        let label = phase
            .get("description")
            .and_then(Value::as_str)
            .map(|d| format!("phase {i} ({d})"))
            .unwrap_or_else(|| format!("phase {i}"));
        let result: R<()> = (|| {
            for r in phase
                .get("responses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                run.response(r)?;
            }
            for e in phase
                .get("applicationErrors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                run.application_error(e)?;
            }
            let outcome = &phase["outcome"];
            if let Some(events) = outcome.get("events") {
                run.check_events(events)?;
                run.events.clear();
            } else {
                run.check_outcome(outcome)?;
            }
            Ok(())
        })();
        result.map_err(|e| format!("{label}: {e}"))?;
    }
    Ok(())
}

fn run_suite(folder: &str) {
    let name = format!("sdam/{folder}");
    let mut suite = Suite::new(&name);
    for path in json_files(&name) {
        let case = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if let Some(reason) = skip_reason(&name, &case) {
            suite.skip(&case, reason);
            continue;
        }
        suite.record(&case, run_file(&path));
    }
    suite.finish();
}

#[test]
fn sdam_single() {
    run_suite("single");
}

#[test]
fn sdam_rs() {
    run_suite("rs");
}

#[test]
fn sdam_sharded() {
    run_suite("sharded");
}

#[test]
fn sdam_errors() {
    run_suite("errors");
}

#[test]
fn sdam_monitoring() {
    run_suite("monitoring");
}

#[test]
fn sdam_load_balanced() {
    run_suite("load-balanced");
}
