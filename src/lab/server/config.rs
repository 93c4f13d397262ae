//! How a lab is started ([`LabConfig`]) and what it tells about itself ([`LabNotice`]).

use std::time::{Duration, SystemTime};

/// How to start a lab.
#[derive(Debug, Clone)]
pub struct LabConfig {
    /// The replica set name every member is started with (`mongod --replSet NAME`).
    pub set_name: String,
    /// How many members.
    pub nodes: usize,
    /// First member's port (the others follow: port+1, port+2...); 0 = an ephemeral port each.
    pub base_port: u16,
    /// electionTimeoutMillis (also written into the config by [`Lab::initiate`](super::Lab::initiate)).
    pub election_timeout: Duration,
    /// heartbeatIntervalMillis (also written into the config by [`Lab::initiate`](super::Lab::initiate)).
    pub heartbeat_interval: Duration,
    /// Seed of the lab's deterministic rng.
    pub seed: u64,
    /// How long initial sync takes: a member that receives a config without data stays in
    /// STARTUP2 this long before it becomes SECONDARY ([`DEFAULT_INITIAL_SYNC`] by default).
    pub initial_sync: Duration,
}

/// The lab's default initial-sync time: long enough that `rsctl status`, `failover-watch` and
/// `rsctl member add` show a new member in STARTUP2, short enough that a lab is ready as fast as
/// before (the initiator stands after a heartbeat interval whatever the others do).
pub const DEFAULT_INITIAL_SYNC: Duration = Duration::from_millis(300);

/// The heartbeat interval a lab uses with `election_timeout`: at most half of it, as an operator
/// configures a set (with heartbeats as slow as the election timeout, one late heartbeat makes a
/// secondary call an election and primaries flap). Returns the interval to use and, when it had
/// to be lowered, a warning that says so.
pub fn sane_heartbeat(
    election_timeout: Duration,
    heartbeat: Duration,
) -> (Duration, Option<String>) {
    let ceiling = (election_timeout / 2).max(Duration::from_millis(1));
    if heartbeat <= ceiling && !heartbeat.is_zero() {
        return (heartbeat, None);
    }
    let show = |d: Duration| humantime::format_duration(d).to_string();
    let why = if heartbeat.is_zero() {
        "a heartbeat interval of 0 would never let the members rest".to_string()
    } else {
        format!(
            "heartbeat interval {} is more than half the election timeout {}: members would \
             call elections between heartbeats and the primary would flap",
            show(heartbeat),
            show(election_timeout)
        )
    };
    (ceiling, Some(format!("{why}; using {}", show(ceiling))))
}

impl Default for LabConfig {
    /// `rs0`, 3 members on ephemeral ports, mongod's default timings.
    fn default() -> Self {
        LabConfig {
            set_name: "rs0".into(),
            nodes: 3,
            base_port: 0,
            election_timeout: Duration::from_secs(10),
            heartbeat_interval: Duration::from_secs(2),
            seed: 0,
            initial_sync: DEFAULT_INITIAL_SYNC,
        }
    }
}

/// Something that happened in the lab, with the wall-clock time it happened at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabNotice {
    /// `host` won an election in `term`.
    Elected {
        host: String,
        term: i64,
        at: SystemTime,
    },
    /// `host` stopped being primary (it was primary in `term`).
    SteppedDown {
        host: String,
        term: i64,
        at: SystemTime,
    },
}

impl LabNotice {
    /// The member concerned.
    pub fn host(&self) -> &str {
        match self {
            LabNotice::Elected { host, .. } | LabNotice::SteppedDown { host, .. } => host,
        }
    }

    /// When it happened.
    pub fn at(&self) -> SystemTime {
        match self {
            LabNotice::Elected { at, .. } | LabNotice::SteppedDown { at, .. } => *at,
        }
    }
}

impl std::fmt::Display for LabNotice {
    /// `2026-11-24T21:30:00.123Z elected 127.0.0.1:27017 term 2` (what `rsctl lab up` prints).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, host, term, at) = match self {
            LabNotice::Elected { host, term, at } => ("elected", host, term, at),
            LabNotice::SteppedDown { host, term, at } => ("stepped down", host, term, at),
        };
        write!(
            f,
            "{} {what} {host} term {term}",
            humantime::format_rfc3339_millis(*at)
        )
    }
}
