//! The `rsctl status` report: rsctl's topology merged with `replSetGetStatus` and
//! `replSetGetConfig` (and probes of the members SDAM does not monitor), as a table or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bson::{Bson, Document};
use serde::Serialize;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, Tags, TopologyDescription};

use super::*;
use crate::cli::output::{cell, Paint, Style};

fn num(doc: &Document, key: &str) -> Option<f64> {
    match doc.get(key)? {
        Bson::Int32(v) => Some(*v as f64),
        Bson::Int64(v) => Some(*v as f64),
        Bson::Double(v) => Some(*v),
        Bson::Boolean(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn int(doc: &Document, key: &str) -> Option<i64> {
    num(doc, key).map(|v| v as i64)
}

fn date_ms(doc: &Document, key: &str) -> Option<i64> {
    match doc.get(key)? {
        Bson::DateTime(d) => Some(d.timestamp_millis()),
        _ => None,
    }
}

fn optime_date_ms(member: &Document) -> Option<i64> {
    if let Some(ms) = date_ms(member, "optimeDate") {
        return Some(ms);
    }
    // Fall back to the optime's timestamp (seconds resolution).
    match member.get_document("optime").ok()?.get("ts")? {
        Bson::Timestamp(ts) => Some(ts.time as i64 * 1000),
        _ => None,
    }
}

fn doc_tags(doc: &Document) -> Tags {
    let mut tags = Tags::new();
    if let Ok(t) = doc.get_document("tags") {
        for (k, v) in t {
            let v = match v {
                Bson::String(s) => s.clone(),
                other => other.to_string(),
            };
            tags.insert(k.clone(), v);
        }
    }
    tags
}

fn host_key(h: &str) -> String {
    h.to_ascii_lowercase()
}

/// One member row of `rsctl status` (also its JSON shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberStatus {
    /// host:port as configured.
    pub host: String,
    /// PRIMARY, SECONDARY, ARBITER, ... as the set reports it (or rsctl's own view when the set
    /// gave no status).
    pub state: String,
    /// The primary's view: 1 up, 0 down (None without replSetGetStatus).
    pub health: Option<f64>,
    /// rsctl's own monitor's average round trip time.
    pub rtt_ms: Option<f64>,
    /// Replication lag behind the primary (or the freshest member), from optimeDate.
    pub lag_ms: Option<i64>,
    /// Member tags.
    pub tags: Tags,
    /// Election priority.
    pub priority: Option<f64>,
    /// Votes.
    pub votes: Option<i64>,
    /// Hidden member.
    pub hidden: bool,
    /// Arbiter.
    pub arbiter: bool,
    /// The member it replicates from.
    pub sync_source: Option<String>,
    /// When the status source last heard from this member (RFC 3339).
    pub last_heartbeat: Option<String>,
    /// Milliseconds between that heartbeat and the status document's date.
    pub last_heartbeat_ago_ms: Option<i64>,
    /// Seconds since the member's process started.
    pub uptime_s: Option<i64>,
    /// Whether rsctl reaches it: its own monitor, or for a member the monitors do not watch
    /// (hidden...) a direct probe (None: neither monitored nor probed).
    pub reachable: Option<bool>,
    /// rsctl's monitor error, when it cannot reach the member.
    pub error: Option<String>,
}

/// The whole `rsctl status` report (also its JSON shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// Replica set name.
    pub set: Option<String>,
    /// rsctl's TopologyType.
    pub topology_type: String,
    /// The primary, if any.
    pub primary: Option<String>,
    /// The current election term.
    pub term: Option<i64>,
    /// The replica set config version.
    pub config_version: Option<i64>,
    /// Which member answered replSetGetStatus (None when none did).
    pub source: Option<String>,
    /// One row per member.
    pub members: Vec<MemberStatus>,
    /// Places where the set's view and rsctl's own monitors disagree.
    pub disagreements: Vec<String>,
}

/// Everything `status` gathered: rsctl's topology plus (when some member answered) the
/// replSetGetStatus and replSetGetConfig replies.
pub struct StatusInput<'a> {
    /// rsctl's topology snapshot.
    pub topology: &'a TopologyDescription,
    /// The member that answered replSetGetStatus and its reply.
    pub status: Option<(&'a ServerAddress, &'a Document)>,
    /// The replSetGetConfig reply (`{config: {...}}`) or the config document itself.
    pub config: Option<&'a Document>,
    /// Direct checks of members the monitors do not watch (see [`unmonitored_members`]).
    pub probes: &'a [Probe],
}

/// One direct check of a member rsctl's monitors do not watch (SDAM monitors only the hosts,
/// passives and arbiters that hello lists, so never a hidden member).
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// host:port as the set names it.
    pub host: String,
    /// The hello round trip, when it answered.
    pub rtt_ms: Option<f64>,
    /// Why it could not be checked.
    pub error: Option<String>,
}

/// The members the set's config or status lists that rsctl's topology does not monitor, in the
/// set's order: the ones `status` probes directly.
pub fn unmonitored_members(
    topology: &TopologyDescription,
    status: Option<&Document>,
    config: Option<&Document>,
) -> Vec<String> {
    let config = config.map(|c| c.get_document("config").unwrap_or(c));
    let monitored: std::collections::BTreeSet<String> = topology
        .servers
        .keys()
        .map(|a| host_key(&a.to_string()))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let listed = |d: Option<&Document>, field: &str| -> Vec<String> {
        d.and_then(|d| d.get_array("members").ok())
            .map(|a| {
                a.iter()
                    .filter_map(Bson::as_document)
                    .filter_map(|m| m.get_str(field).ok().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for host in listed(config, "host")
        .into_iter()
        .chain(listed(status, "name"))
    {
        let key = host_key(&host);
        if !monitored.contains(&key) && !out.iter().any(|h| host_key(h) == key) {
            out.push(host);
        }
    }
    out
}

/// Builds the status report by merging the set's view with rsctl's monitors.
pub fn build_status(input: &StatusInput<'_>) -> StatusReport {
    let topo = input.topology;
    let config = input.config.map(|c| c.get_document("config").unwrap_or(c));
    let status = input.status.map(|(_, d)| d);

    let mut rows: Vec<MemberStatus> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut row_for = |host: &str, rows: &mut Vec<MemberStatus>| -> usize {
        let key = host_key(host);
        if let Some(&i) = index.get(&key) {
            return i;
        }
        rows.push(MemberStatus {
            host: host.to_string(),
            state: "UNKNOWN".into(),
            health: None,
            rtt_ms: None,
            lag_ms: None,
            tags: Tags::new(),
            priority: None,
            votes: None,
            hidden: false,
            arbiter: false,
            sync_source: None,
            last_heartbeat: None,
            last_heartbeat_ago_ms: None,
            uptime_s: None,
            reachable: None,
            error: None,
        });
        index.insert(key, rows.len() - 1);
        rows.len() - 1
    };

    // 1. The configuration (member order, tags, priority, votes, hidden, arbiter).
    if let Some(cfg) = config {
        if let Ok(members) = cfg.get_array("members") {
            for m in members.iter().filter_map(Bson::as_document) {
                let Ok(host) = m.get_str("host") else {
                    continue;
                };
                let i = row_for(host, &mut rows);
                let r = &mut rows[i];
                r.tags = doc_tags(m);
                r.arbiter = m.get_bool("arbiterOnly").unwrap_or(false);
                r.hidden = m.get_bool("hidden").unwrap_or(false);
                r.priority = num(m, "priority").or(Some(if r.arbiter { 0.0 } else { 1.0 }));
                r.votes = int(m, "votes").or(Some(1));
            }
        }
    }

    // 2. replSetGetStatus (state, health, optimes, heartbeats, uptime, sync source).
    let mut primary_from_status = None;
    let mut term = None;
    if let Some(st) = status {
        term = int(st, "term");
        let status_date = date_ms(st, "date");
        let members: Vec<&Document> = st
            .get_array("members")
            .map(|a| a.iter().filter_map(Bson::as_document).collect())
            .unwrap_or_default();
        let primary_optime = members
            .iter()
            .find(|m| m.get_str("stateStr") == Ok("PRIMARY"))
            .and_then(|m| optime_date_ms(m));
        let reference = primary_optime.or_else(|| {
            members
                .iter()
                .filter(|m| !m.get_str("stateStr").is_ok_and(|s| s == "ARBITER"))
                .filter_map(|m| optime_date_ms(m))
                .max()
        });
        for m in &members {
            let Ok(host) = m.get_str("name") else {
                continue;
            };
            let i = row_for(host, &mut rows);
            let r = &mut rows[i];
            if let Ok(s) = m.get_str("stateStr") {
                r.state = s.to_string();
                if s == "PRIMARY" {
                    primary_from_status = Some(host.to_string());
                }
                if s == "ARBITER" {
                    r.arbiter = true;
                }
            }
            r.health = num(m, "health");
            r.uptime_s = int(m, "uptime");
            r.sync_source = m
                .get_str("syncSourceHost")
                .ok()
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if !r.arbiter && r.health != Some(0.0) {
                if let (Some(reference), Some(own)) = (reference, optime_date_ms(m)) {
                    r.lag_ms = Some((reference - own).max(0));
                }
            }
            if let Some(hb) = date_ms(m, "lastHeartbeat").filter(|&ms| ms > 0) {
                r.last_heartbeat = Some(rfc3339_ms(hb));
                r.last_heartbeat_ago_ms = status_date.map(|d| (d - hb).max(0));
            }
        }
    }

    // 3. rsctl's own monitors.
    for (addr, sd) in &topo.servers {
        let i = row_for(&addr.to_string(), &mut rows);
        let r = &mut rows[i];
        let reachable = sd.server_type != ServerType::Unknown;
        r.reachable = Some(reachable);
        r.rtt_ms = if reachable {
            sd.round_trip_time_ms
        } else {
            None
        };
        r.error = sd.error.as_ref().map(|e| redact_text(&e.to_string()));
        if status.is_none() {
            r.state = state_word(sd.server_type).to_string();
            if config.is_none() {
                r.tags = sd.tags.clone();
                r.hidden = sd.hidden;
                r.arbiter = sd.server_type == ServerType::RSArbiter;
            }
        }
    }

    // 3b. Members the monitors do not watch, checked once directly.
    for p in input.probes {
        let i = row_for(&p.host, &mut rows);
        let r = &mut rows[i];
        if r.reachable.is_some() {
            continue;
        }
        r.reachable = Some(p.error.is_none());
        r.rtt_ms = p.rtt_ms.filter(|_| p.error.is_none());
        r.error = p.error.as_deref().map(redact_text);
    }

    // 4. Disagreements between the set's view and rsctl's.
    let mut disagreements = Vec::new();
    if status.is_some() {
        for r in &rows {
            match (r.health, r.reachable) {
                (Some(h), Some(false)) if h > 0.0 => disagreements.push(format!(
                    "{}: the set reports it healthy ({}) but rsctl cannot reach it{}",
                    r.host,
                    r.state.trim_start_matches('(').trim_end_matches(')'),
                    r.error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                )),
                (Some(0.0), Some(true)) => disagreements.push(format!(
                    "{}: rsctl reaches it but the set reports it down ({})",
                    r.host,
                    r.state.trim_start_matches('(').trim_end_matches(')')
                )),
                _ => {}
            }
            if r.reachable.is_some() && r.health.is_none() && !r.state.is_empty() {
                // A server rsctl monitors that the set's status does not list.
                if !status
                    .and_then(|s| s.get_array("members").ok())
                    .is_some_and(|a| {
                        a.iter().filter_map(Bson::as_document).any(|m| {
                            m.get_str("name")
                                .is_ok_and(|n| host_key(n) == host_key(&r.host))
                        })
                    })
                {
                    disagreements.push(format!(
                        "{}: rsctl monitors it but the set's status does not list it",
                        r.host
                    ));
                }
            }
        }
    }

    let primary_topo = topo
        .servers
        .values()
        .find(|s| s.server_type == ServerType::RSPrimary);
    if let (Some(p), Some(ps)) = (primary_topo, primary_from_status.as_deref()) {
        if host_key(&p.address.to_string()) != host_key(ps) {
            disagreements.push(format!(
                "primary: the set reports {ps} but rsctl's monitors see {}",
                p.address
            ));
        }
    }
    let primary = primary_from_status.or_else(|| primary_topo.map(|p| p.address.to_string()));
    let term = term.or_else(|| {
        primary_topo
            .and_then(|p| p.election_id.as_ref())
            .map(term_from_election_id)
    });
    let config_version = config
        .and_then(|c| int(c, "version"))
        .or(topo.max_set_version);
    let set = topo.set_name.clone().or_else(|| {
        status
            .and_then(|s| s.get_str("set").ok())
            .or_else(|| config.and_then(|c| c.get_str("_id").ok()))
            .map(str::to_string)
    });

    StatusReport {
        set,
        topology_type: topo.topology_type.as_str().to_string(),
        primary,
        term,
        config_version,
        source: input.status.map(|(a, _)| a.to_string()),
        members: rows,
        disagreements,
    }
}

/// Renders the status report as a header and a table.
pub fn status_table(report: &StatusReport, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}   {} {}   {} {}   {} {}   {} {}",
        style.bold("set:"),
        opt(report.set.as_deref()),
        style.bold("topology:"),
        report.topology_type,
        style.bold("primary:"),
        report
            .primary
            .as_deref()
            .map(|p| style.green(p))
            .unwrap_or_else(|| style.red("none")),
        style.bold("term:"),
        opt(report.term),
        style.bold("config version:"),
        opt(report.config_version),
    );
    let mut table = style.table(&[
        "MEMBER",
        "STATE",
        "HEALTH",
        "RTT",
        "LAG",
        "TAGS",
        "PRI/VOTES",
        "FLAGS",
        "SYNC SOURCE",
        "HEARTBEAT",
        "UPTIME",
        "RSCTL",
    ]);
    for m in &report.members {
        let state = match m.state.as_str() {
            "PRIMARY" => Paint::Green,
            "SECONDARY" | "ARBITER" => Paint::Plain,
            _ => Paint::Yellow,
        };
        let health = match m.health {
            Some(h) if h > 0.0 => cell("up", Paint::Plain),
            Some(_) => cell("down", Paint::Red),
            None => cell("-", Paint::Plain),
        };
        let mut flags = Vec::new();
        if m.hidden {
            flags.push("hidden");
        }
        if m.arbiter {
            flags.push("arbiter");
        }
        let reach = match m.reachable {
            Some(true) => cell("ok", Paint::Plain),
            Some(false) => cell("UNREACHABLE", Paint::Red),
            None => cell("not monitored", Paint::Plain),
        };
        let plain = |s: String| cell(s, Paint::Plain);
        table.add_row(vec![
            plain(m.host.clone()),
            cell(m.state.clone(), state),
            health,
            plain(m.rtt_ms.map(ms_text).unwrap_or_else(|| "-".into())),
            plain(
                m.lag_ms
                    .map(|l| ms_text(l as f64))
                    .unwrap_or_else(|| "-".into()),
            ),
            plain(tags_cell(&m.tags)),
            plain(format!(
                "{}/{}",
                m.priority
                    .map(|p| format!("{p}"))
                    .unwrap_or_else(|| "-".into()),
                opt(m.votes)
            )),
            plain(if flags.is_empty() {
                "-".into()
            } else {
                flags.join(",")
            }),
            plain(opt(m.sync_source.as_deref())),
            plain(
                m.last_heartbeat_ago_ms
                    .map(|ms| format!("{} ago", ms_text(ms as f64)))
                    .unwrap_or_else(|| "-".into()),
            ),
            plain(m.uptime_s.map(uptime_text).unwrap_or_else(|| "-".into())),
            reach,
        ]);
    }
    let _ = writeln!(out, "{table}");
    for m in report.members.iter().filter(|m| m.reachable == Some(false)) {
        if let Some(e) = &m.error {
            let _ = writeln!(out, "{} {}: {e}", style.red("unreachable:"), m.host);
        }
    }
    for d in &report.disagreements {
        let _ = writeln!(out, "{} {d}", style.yellow("disagreement:"));
    }
    if report.source.is_none() {
        let _ = writeln!(
            out,
            "{}",
            style.dim("(no member answered replSetGetStatus: the rows show rsctl's own view only)")
        );
    }
    out
}
