//! failover-watch's events ([`WatchEvent`]) and their rendering as lines for a terminal or as
//! JSON Lines.

use std::fmt::Write as _;

use serde::Serialize;

use crate::core::description::Tags;

use super::*;
use crate::cli::output::Style;

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
