//! A simulated mongod's state: its member state, oplog positions and entries, what it last
//! heard from each peer, its timers, and the metrics of the election it won.

use std::collections::{BTreeMap, HashMap};

use bson::{doc, oid::ObjectId, Document, Timestamp};

use super::consensus::ElectionReason;
use super::cursor::Cursor;
use super::timer::TimerTable;
use super::Millis;
use crate::lab::replconfig::ReplConfig;
use crate::lab::store::{Op, Store};

/// A replica-set member state, as `replSetGetStatus` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    /// Not yet initialized (no config).
    Startup,
    Primary,
    Secondary,
    /// Has a config and copies the data from a sync source (initial sync); cannot stand for
    /// election, can vote.
    Startup2,
    Arbiter,
    /// Undoing the writes it has that the set's majority does not (after it rejoins with a
    /// diverged oplog); cannot stand for election, serves no reads, then SECONDARY again.
    Rollback,
    /// Not reachable (only ever a peer's view).
    Down,
    /// Has a config that does not include it.
    Removed,
}

impl MemberState {
    /// The numeric state.
    pub fn code(self) -> i32 {
        match self {
            MemberState::Startup => 0,
            MemberState::Primary => 1,
            MemberState::Secondary => 2,
            MemberState::Startup2 => 5,
            MemberState::Arbiter => 7,
            MemberState::Down => 8,
            MemberState::Rollback => 9,
            MemberState::Removed => 10,
        }
    }

    /// `stateStr`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Startup => "STARTUP",
            MemberState::Primary => "PRIMARY",
            MemberState::Secondary => "SECONDARY",
            MemberState::Startup2 => "STARTUP2",
            MemberState::Arbiter => "ARBITER",
            MemberState::Rollback => "ROLLBACK",
            MemberState::Down => "(not reachable/healthy)",
            MemberState::Removed => "REMOVED",
        }
    }
}

/// An oplog position: election term first, then timestamp (mongod's OpTime ordering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpTime {
    pub term: i64,
    pub secs: u32,
    pub inc: u32,
}

impl OpTime {
    /// The null optime (`{ts: Timestamp(0, 0), t: -1}`).
    pub const NULL: OpTime = OpTime {
        term: -1,
        secs: 0,
        inc: 0,
    };

    /// The BSON timestamp.
    pub fn ts(self) -> Timestamp {
        Timestamp {
            time: self.secs,
            increment: self.inc,
        }
    }

    /// `{ts, t}`.
    pub fn to_document(self) -> Document {
        doc! {"ts": self.ts(), "t": self.term}
    }
}

/// One oplog entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OplogEntry {
    pub optime: OpTime,
    /// Wall date (ms since the Unix epoch).
    pub wall_ms: i64,
    /// Lab time the primary wrote it (what replication lag is measured against).
    pub at: Millis,
    pub op: Op,
    /// For the last entry of a retryable write: the session/txnNumber key and the write's reply
    /// body, so that a retry on any member that has the entry answers without writing twice.
    pub txn: Option<(String, Document)>,
}

/// What a member last learned about a peer through heartbeats.
#[derive(Debug, Clone, Default)]
pub(super) struct PeerView {
    pub(super) last_heartbeat: Option<Millis>,
    pub(super) last_heartbeat_recv: Option<Millis>,
    /// Last successful heartbeat (liveness for the primary's majority check).
    pub(super) last_ok: Option<Millis>,
    pub(super) healthy: bool,
    pub(super) state: Option<MemberState>,
    pub(super) term: i64,
    pub(super) optime: Option<OpTime>,
    pub(super) wall_ms: i64,
    pub(super) up_since: Millis,
    pub(super) elected_at: Option<Millis>,
    pub(super) sync_source: Option<usize>,
    pub(super) config_version: i64,
    pub(super) config_term: i64,
}

/// Metrics of the election a primary won.
#[derive(Debug, Clone)]
pub(super) struct ElectionInfo {
    pub(super) reason: ElectionReason,
    pub(super) at: Millis,
    pub(super) term: i64,
    pub(super) last_committed: OpTime,
    pub(super) last_seen: OpTime,
    pub(super) votes_needed: usize,
    pub(super) priority: f64,
    pub(super) election_timeout_ms: Millis,
}

/// One simulated mongod.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) host: String,
    pub(super) up: bool,
    pub(super) paused: bool,
    pub(super) partitioned: bool,
    pub(super) latency_ms: Millis,
    pub(super) lag_ms: Millis,
    /// How far this member's wall clock is off true time (ms; [`Fault::Clock`]).
    pub(super) clock_offset_ms: i64,
    /// topologyVersion.processId: new for every process start.
    pub(super) process_id: ObjectId,
    /// topologyVersion.counter: bumped on every state change of this member.
    pub(super) tv_counter: i64,
    pub(super) started_at: Millis,
    pub(super) state: MemberState,
    pub(super) config: Option<ReplConfig>,
    pub(super) term: i64,
    /// The last term this member voted in.
    pub(super) voted_term: i64,
    pub(super) oplog: Vec<OplogEntry>,
    pub(super) store: Store,
    /// The majority commit point this member knows.
    pub(super) commit: OpTime,
    /// Heartbeat, election and takeover timers; the stepdown and freeze guards.
    pub(super) timers: TimerTable,
    /// Why the next election (when [`Timer::Election`] fires) is called.
    pub(super) election_reason: ElectionReason,
    pub(super) election: Option<ElectionInfo>,
    pub(super) peers: Vec<PeerView>,
    pub(super) cursors: BTreeMap<i64, Cursor>,
    pub(super) sync_source: Option<usize>,
    pub(super) rollbacks: u64,
    /// A `replSetStepDown` waits for a secondary to catch up: still PRIMARY, but `hello` says
    /// not writable and writes are refused.
    pub(super) stepping_down: bool,
    /// When the running initial sync started (STARTUP2), if one runs.
    pub(super) initial_sync_started: Option<Millis>,
    /// Retryable writes this member's oplog holds: key -> (optime, reply body).
    pub(super) txns: HashMap<String, (OpTime, Document)>,
}

impl Member {
    pub(super) fn last_optime(&self) -> OpTime {
        self.oplog.last().map(|e| e.optime).unwrap_or(OpTime::NULL)
    }

    pub(super) fn last_wall(&self) -> i64 {
        self.oplog.last().map(|e| e.wall_ms).unwrap_or(0)
    }

    /// Rebuilds the retryable-write table from the oplog (after a copy or a truncation).
    pub(super) fn reindex_txns(&mut self) {
        self.txns = self
            .oplog
            .iter()
            .filter_map(|e| {
                e.txn
                    .as_ref()
                    .map(|(k, b)| (k.clone(), (e.optime, b.clone())))
            })
            .collect();
    }

    pub(super) fn active(&self) -> bool {
        self.up && !self.paused
    }

    /// Whether the oplog holds an entry with exactly this optime.
    pub(super) fn has_optime(&self, t: OpTime) -> bool {
        self.oplog.binary_search_by(|e| e.optime.cmp(&t)).is_ok()
    }

    pub(super) fn wall_of(&self, t: OpTime) -> i64 {
        match self.oplog.binary_search_by(|e| e.optime.cmp(&t)) {
            Ok(i) => self.oplog[i].wall_ms,
            Err(0) => 0,
            Err(i) => self.oplog[i - 1].wall_ms,
        }
    }
}
