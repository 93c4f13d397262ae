//! Pure renderers: core types and server replies in, report values and strings out (status
//! table/JSON, the `read --explain` report, failover-watch lines/JSON Lines). No I/O and no clock,
//! so every format is unit-tested here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bson::{Bson, Document};
use serde::Serialize;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, Tags, TopologyDescription};
use crate::core::read_pref::ReadPreference;
use crate::core::selection::Selection;

use super::output::{cell, Paint, Style};

/// Hides the password of every `scheme://user:password@` in free text (error messages may quote a
/// URI), using the connection-string module's redaction.
pub fn redact_text(text: &str) -> String {
    crate::core::uri::redact_uri(text)
}

/// `{dc: ny, rack: 1}`, `{}` when empty.
pub fn tags_text(tags: &Tags) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in tags.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{k}: {v}");
    }
    s.push('}');
    s
}

/// `dc=ny,rack=1`, `-` when empty (compact, for table cells).
fn tags_cell(tags: &Tags) -> String {
    if tags.is_empty() {
        return "-".into();
    }
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Rounds to 3 decimals (microseconds for ms values): JSON output stays readable and stable.
pub fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A millisecond count as `0.4 ms`, `12 ms`, `1.25 s`.
pub fn ms_text(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A duration in seconds as `42s`, `5m 3s`, `2h 10m`, `3d 4h`.
pub fn uptime_text(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// RFC 3339 with milliseconds, UTC (`2026-11-24T21:14:31.123Z`) for a time in ms since the epoch.
pub fn rfc3339_ms(epoch_ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(epoch_ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// The replica-set term mongod encodes in an electionId: the trailing 8 bytes, big-endian (the
/// leading 4 bytes are 0x7fffffff).
pub fn term_from_election_id(id: &bson::oid::ObjectId) -> i64 {
    let b = id.bytes();
    let mut t = [0u8; 8];
    t.copy_from_slice(&b[4..12]);
    i64::from_be_bytes(t)
}

/// The member state word for a server type, as replSetGetStatus spells states.
pub fn state_word(t: ServerType) -> &'static str {
    match t {
        ServerType::RSPrimary => "PRIMARY",
        ServerType::RSSecondary => "SECONDARY",
        ServerType::RSArbiter => "ARBITER",
        ServerType::RSOther => "OTHER",
        ServerType::RSGhost => "GHOST",
        ServerType::Standalone => "STANDALONE",
        ServerType::Mongos => "MONGOS",
        ServerType::LoadBalancer => "LOADBALANCER",
        ServerType::PossiblePrimary => "POSSIBLE_PRIMARY",
        ServerType::Unknown => "UNKNOWN",
    }
}

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

// ---------------------------------------------------------------------------------------------
// status

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

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
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

// ---------------------------------------------------------------------------------------------
// read --explain

/// One server in the `--explain` report (also its JSON shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainCandidate {
    /// host:port.
    pub host: String,
    /// The spec's ServerType name.
    #[serde(rename = "type")]
    pub server_type: String,
    /// Average RTT measured by rsctl.
    pub rtt_ms: Option<f64>,
    /// Estimated staleness in seconds (max-staleness spec).
    pub staleness_s: Option<f64>,
    /// The member's tags.
    pub tags: Tags,
    /// Passed every filter and inside the latency window.
    pub eligible: bool,
    /// Index (0-based) of the tag set it matched.
    pub matched_tag_set: Option<usize>,
    /// The filter that dropped it (`mode`, `staleness`, `tag_sets`, `latency_window`, ...).
    pub dropped_by: Option<&'static str>,
    /// Why it is, or is not, eligible.
    pub reason: String,
    /// The one that served the read.
    pub picked: bool,
}

/// The `--explain` report (also its JSON shape, printed on stderr).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explain {
    /// The member that served the read.
    pub served_by: Option<String>,
    /// The read preference mode.
    pub mode: String,
    /// The ordered tag sets.
    pub tag_sets: Vec<Tags>,
    /// maxStalenessSeconds.
    pub max_staleness_s: Option<u64>,
    /// The latency window `[low, high]` in ms.
    pub latency_window_ms: Option<(f64, f64)>,
    /// Every member, in address order.
    pub candidates: Vec<ExplainCandidate>,
    /// The read was retried once on a new selection.
    pub retried: bool,
}

/// Builds the explanation from the selection that chose the server.
pub fn build_explain(
    read_preference: &ReadPreference,
    selection: &Selection<'_>,
    served_by: Option<&ServerAddress>,
    retried: bool,
) -> Explain {
    Explain {
        served_by: served_by.map(|a| a.to_string()),
        mode: read_preference.mode.as_str().to_string(),
        tag_sets: read_preference.tag_sets.clone(),
        max_staleness_s: read_preference.max_staleness.map(|d| d.as_secs()),
        latency_window_ms: selection.latency_window_ms.map(|(a, b)| (r3(a), r3(b))),
        candidates: selection
            .candidates
            .iter()
            .map(|c| ExplainCandidate {
                host: c.address.to_string(),
                server_type: c.server_type.as_str().to_string(),
                rtt_ms: c.rtt_ms.map(r3),
                staleness_s: c.staleness_s.map(r3),
                tags: c.tags.clone(),
                eligible: c.eligible,
                matched_tag_set: c.matched_tag_set,
                dropped_by: c.dropped_by().map(|f| f.as_str()),
                reason: c.reason(),
                picked: served_by == Some(c.address),
            })
            .collect(),
        retried,
    }
}

/// Renders the explanation for a terminal.
pub fn explain_text(e: &Explain, style: &Style) -> String {
    let mut out = String::new();
    let _ = write!(out, "{} mode {}", style.bold("read preference:"), e.mode);
    if !e.tag_sets.is_empty() {
        let sets: Vec<String> = e.tag_sets.iter().map(tags_text).collect();
        let _ = write!(out, ", tag sets [{}]", sets.join(", "));
    }
    if let Some(s) = e.max_staleness_s {
        let _ = write!(out, ", maxStalenessSeconds {s}");
    }
    if let Some((lo, hi)) = e.latency_window_ms {
        let _ = write!(out, ", latency window {lo:.1}–{hi:.1} ms");
    }
    out.push('\n');
    for c in &e.candidates {
        let mark = if c.picked {
            style.green("→")
        } else if c.eligible {
            "✓".to_string()
        } else {
            style.dim("✗")
        };
        let _ = write!(out, "  {mark} {:<22} {:<12}", c.host, c.server_type);
        let _ = write!(
            out,
            " rtt {:>9}",
            c.rtt_ms.map(ms_text).unwrap_or_else(|| "-".into())
        );
        let _ = write!(
            out,
            "  staleness {:>6}",
            c.staleness_s
                .map(|s| format!("{s:.0}s"))
                .unwrap_or_else(|| "-".into())
        );
        let _ = write!(out, "  {:<16}", tags_text(&c.tags));
        let _ = write!(out, "  {}", c.reason);
        if c.picked {
            let _ = write!(out, "  {}", style.green("← picked"));
        }
        out.push('\n');
    }
    match &e.served_by {
        Some(s) => {
            let _ = writeln!(
                out,
                "served by {s}{}",
                if e.retried { " (after one retry)" } else { "" }
            );
        }
        None => {
            let _ = writeln!(out, "no member is eligible");
        }
    }
    out
}

/// The `served by HOST (STATE, tags, rtt)` line printed on stderr after a read.
pub fn served_by_line(
    host: &ServerAddress,
    server_type: ServerType,
    tags: &Tags,
    rtt_ms: Option<f64>,
) -> String {
    format!(
        "served by {host} ({}, {}, rtt {})",
        state_word(server_type),
        tags_text(tags),
        rtt_ms.map(ms_text).unwrap_or_else(|| "unknown".into())
    )
}

// ---------------------------------------------------------------------------------------------
// failover-watch

/// A member in the initial `topology` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchMember {
    /// host:port.
    pub host: String,
    /// ServerType.
    #[serde(rename = "type")]
    pub server_type: String,
    /// Average RTT.
    pub rtt_ms: Option<f64>,
    /// Tags.
    pub tags: Tags,
    /// The monitor's last error.
    pub error: Option<String>,
}

/// A member whose role in the primary's `hello` changed (`host`, `passive`, `arbiter`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleChange {
    /// host:port.
    pub host: String,
    /// The role before.
    pub from: String,
    /// The role after.
    pub to: String,
}

/// An optime in JSON: `{"ts": {"t": seconds, "i": increment}, "t": term}` (the server's shape).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpTimeJson {
    /// The timestamp.
    pub ts: TsJson,
    /// The term.
    pub t: i64,
}

/// A BSON timestamp in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TsJson {
    /// Seconds.
    pub t: u32,
    /// Increment.
    pub i: u32,
}

impl From<crate::core::description::OpTime> for OpTimeJson {
    fn from(o: crate::core::description::OpTime) -> Self {
        OpTimeJson {
            ts: TsJson {
                t: o.ts.time,
                i: o.ts.increment,
            },
            t: o.t,
        }
    }
}

impl std::fmt::Display for OpTimeJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}:{}, term {})", self.ts.t, self.ts.i, self.t)
    }
}

/// One failover-watch event (the `type` field of each JSON Line).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WatchEvent {
    /// The topology when the watch started.
    Topology {
        set: Option<String>,
        topology_type: String,
        primary: Option<String>,
        term: Option<i64>,
        config_version: Option<i64>,
        members: Vec<WatchMember>,
    },
    /// A member changed type.
    ServerChanged {
        host: String,
        from: String,
        to: String,
        error: Option<String>,
    },
    /// The set had a primary and now has none.
    PrimaryLost { host: String },
    /// A (new) primary was discovered.
    PrimaryElected {
        host: String,
        previous: Option<String>,
        term: Option<i64>,
        election_id: Option<String>,
        /// How long the set had no primary, as rsctl saw it (None: there was no gap to measure).
        no_primary_ms: Option<i64>,
    },
    /// A member joined the topology.
    MemberAdded {
        host: String,
        #[serde(rename = "server_type")]
        server_type: String,
    },
    /// A member left the topology.
    MemberRemoved { host: String },
    /// A member's tags changed.
    TagsChanged { host: String, from: Tags, to: Tags },
    /// The replica set config version changed: `from`/`to` are the config versions (as before),
    /// `term` the primary's term, and the members the primary's `hello` lists that came, went or
    /// changed role (`host` electable, `passive` priority 0, `arbiter`; hidden members are not
    /// listed by `hello`).
    ConfigChanged {
        from: Option<i64>,
        to: Option<i64>,
        term: Option<i64>,
        added: Vec<String>,
        removed: Vec<String>,
        changed: Vec<RoleChange>,
    },
    /// A member's last applied optime moved backwards: it rolled back writes. `from`/`to` are
    /// the optimes, `lost_from`/`lost_to` the wall-clock dates of the first and last write lost
    /// (as `hello.lastWrite.lastWriteDate` showed them) and `lost_ms` the span between.
    Rollback {
        host: String,
        from: OpTimeJson,
        to: OpTimeJson,
        lost_from: Option<String>,
        lost_to: Option<String>,
        lost_ms: Option<i64>,
    },
    /// The mongos router in use changed (router seed lists only).
    RouterChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// A member's RTT moved by more than the threshold since last reported.
    Rtt {
        host: String,
        from_ms: f64,
        to_ms: f64,
    },
    /// A probe write failed.
    ProbeFailed { error: String, writes_failed: u64 },
    /// Writes failed for a while and succeed again.
    Outage {
        started: String,
        ended: String,
        duration_ms: i64,
        writes_failed: u64,
    },
    /// The end of the watch.
    Summary {
        duration_ms: i64,
        elections: u64,
        outages: u64,
        longest_outage_ms: i64,
        total_outage_ms: i64,
        probes_ok: u64,
        probes_failed: u64,
        /// An outage still open when the watch ended.
        ongoing_outage_ms: Option<i64>,
    },
}

/// A timestamped event: one line of output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchLine {
    /// RFC 3339, milliseconds, UTC.
    pub ts: String,
    /// The event, flattened (`type` plus its fields).
    #[serde(flatten)]
    pub event: WatchEvent,
}

impl WatchLine {
    /// An event at `epoch_ms`.
    pub fn new(epoch_ms: i64, event: WatchEvent) -> Self {
        WatchLine {
            ts: rfc3339_ms(epoch_ms),
            event,
        }
    }

    /// The JSON Lines form.
    pub fn json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"type\":\"error\",\"error\":\"{e}\"}}"))
    }

    /// The human form: `HH:MM:SS.mmm  text`.
    pub fn text(&self, style: &Style) -> String {
        let clock = self.ts.get(11..23).unwrap_or(&self.ts);
        format!("{}  {}", style.dim(clock), event_text(&self.event, style))
    }
}

fn event_text(e: &WatchEvent, style: &Style) -> String {
    match e {
        WatchEvent::Topology {
            set,
            topology_type,
            primary,
            term,
            config_version,
            members,
        } => {
            let mut s = format!(
                "topology: set {} ({topology_type}), primary {}, term {}, config version {}",
                opt(set.as_deref()),
                primary.as_deref().unwrap_or("none"),
                opt(*term),
                opt(*config_version)
            );
            for m in members {
                let _ = write!(
                    s,
                    "\n      {:<22} {:<12} rtt {:>8}  {}",
                    m.host,
                    m.server_type,
                    m.rtt_ms.map(ms_text).unwrap_or_else(|| "-".into()),
                    tags_text(&m.tags)
                );
                if let Some(err) = &m.error {
                    let _ = write!(s, "  ({err})");
                }
            }
            s
        }
        WatchEvent::ServerChanged {
            host,
            from,
            to,
            error,
        } => {
            let mut s = format!("{host}: {from} → {to}");
            if let Some(err) = error {
                let _ = write!(s, " ({err})");
            }
            s
        }
        WatchEvent::PrimaryLost { host } => style.red(&format!("primary lost: {host}")),
        WatchEvent::PrimaryElected {
            host,
            previous,
            term,
            election_id,
            no_primary_ms,
        } => {
            let mut s = format!("primary elected: {host}");
            if let Some(p) = previous {
                let _ = write!(s, " (was {p})");
            }
            if let Some(t) = term {
                let _ = write!(s, ", term {t}");
            }
            if let Some(id) = election_id {
                let _ = write!(s, " (electionId {id})");
            }
            if let Some(ms) = no_primary_ms {
                let _ = write!(s, ", no primary for {}", ms_text(*ms as f64));
            }
            style.green(&s)
        }
        WatchEvent::MemberAdded { host, server_type } => {
            format!("member added: {host} ({server_type})")
        }
        WatchEvent::MemberRemoved { host } => format!("member removed: {host}"),
        WatchEvent::RouterChanged { from, to } => style.yellow(&format!(
            "router in use: {} → {}",
            from.as_deref().unwrap_or("none"),
            to.as_deref().unwrap_or("none (no router reachable)")
        )),
        WatchEvent::TagsChanged { host, from, to } => {
            format!("{host}: tags {} → {}", tags_text(from), tags_text(to))
        }
        WatchEvent::ConfigChanged {
            from,
            to,
            term,
            added,
            removed,
            changed,
        } => {
            let mut s = format!("config version {} → {}", opt(*from), opt(*to));
            if let Some(t) = term {
                let _ = write!(s, ", term {t}");
            }
            if !added.is_empty() {
                let _ = write!(s, ", added {}", added.join(", "));
            }
            if !removed.is_empty() {
                let _ = write!(s, ", removed {}", removed.join(", "));
            }
            for c in changed {
                let _ = write!(s, ", {} {} → {}", c.host, c.from, c.to);
            }
            s
        }
        WatchEvent::Rollback {
            host,
            from,
            to,
            lost_from,
            lost_to,
            lost_ms,
        } => {
            let mut s = format!("rollback: {host} went back from optime {from} to {to}");
            match (lost_from, lost_to, lost_ms) {
                (Some(a), Some(b), Some(ms)) => {
                    let _ = write!(
                        s,
                        "; writes from {a} to {b} ({}) were lost",
                        ms_text(*ms as f64)
                    );
                }
                _ => s.push_str("; the writes after it were lost"),
            }
            style.red(&s)
        }
        WatchEvent::Rtt {
            host,
            from_ms,
            to_ms,
        } => {
            format!("{host}: rtt {} → {}", ms_text(*from_ms), ms_text(*to_ms))
        }
        WatchEvent::ProbeFailed {
            error,
            writes_failed,
        } => style.yellow(&format!(
            "probe write failed (#{writes_failed} of this outage): {error}"
        )),
        WatchEvent::Outage {
            duration_ms,
            writes_failed,
            ..
        } => style.red(&format!(
            "outage over: writes failed for {} ({writes_failed} failed write(s))",
            ms_text(*duration_ms as f64)
        )),
        WatchEvent::Summary {
            duration_ms,
            elections,
            outages,
            longest_outage_ms,
            total_outage_ms,
            probes_ok,
            probes_failed,
            ongoing_outage_ms,
        } => {
            let mut s = format!(
                "summary: watched {}, {elections} election(s)",
                ms_text(*duration_ms as f64)
            );
            if probes_ok + probes_failed > 0 {
                let _ = write!(
                    s,
                    ", {outages} outage(s), longest {}, total {}, probes {probes_ok} ok / {probes_failed} failed",
                    ms_text(*longest_outage_ms as f64),
                    ms_text(*total_outage_ms as f64)
                );
            }
            if let Some(ms) = ongoing_outage_ms {
                let _ = write!(s, ", an outage still open for {}", ms_text(*ms as f64));
            }
            style.bold(&s)
        }
    }
}

#[cfg(test)]
mod tests;
