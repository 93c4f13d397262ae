//! The lab's replica-set state machine: pure and deterministic.
//!
//! Modelled like quinn-proto: no sockets, no clock, no global rng. The server feeds it requests
//! and the current time; it hands back replies (at once, or later for parked requests such as
//! awaitable hello and `w: "majority"` writes) and says when it next needs to be ticked.
//!
//! Contract used by `lab::server` (keep it stable):
//!
//! ```text
//! Cluster::new(LabOptions, now) -> Cluster          members start fresh and uninitialized
//! cluster.handle(Request, now) -> Response           Now(reply) | Parked
//! cluster.take_ready() -> Vec<Ready>                 parked requests that completed
//! cluster.tick(now)                                  heartbeats, elections, replication, timeouts
//! cluster.next_deadline() -> Option<Millis>          when tick must run next
//! cluster.fault(member, Fault, now) -> Result<(), String>
//! cluster.take_events() -> Vec<LabEvent>             elections etc., for the `elected` lines
//! cluster.member_view(member) -> MemberView          up / paused / latency for the server
//! cluster.connection_closed(member, conn)            forget that connection's parked requests
//! ```
//!
//! How it models mongod (protocol version 1):
//! - Each member keeps its own config, term, vote, oplog and [`Store`]. Members learn about each
//!   other only through heartbeats (every `heartbeatIntervalMillis`, plus an immediate round
//!   after an election, as mongod does), so a member's `replSetGetStatus` and `hello.primary` show
//!   *its* view, stale or not.
//! - A secondary that has not heard from a primary of its term for `electionTimeoutMillis`
//!   (+ 0-15 % jitter from the seeded rng) stands for election if it is electable. It wins with
//!   a majority of the voting members it can reach whose term is lower and whose oplog is not
//!   fresher than its own (a failed attempt does not bump the term: mongod's dry run).
//! - A primary that cannot see a majority of voters for an election timeout steps down; a
//!   caught-up member of higher priority takes over after a short delay.
//! - Writes on the primary append oplog entries (`{ts, t}` optimes, wall dates from
//!   `epoch_ms + now`); secondaries pull from a sync source they can reach (after their injected
//!   lag) and roll back a diverged suffix when the source's history differs.
//! - An idle primary writes `{msg: "periodic noop"}` every `periodicNoopIntervalSecs` (10 s) so
//!   that `lastWriteDate` keeps moving; each member has a wall clock that [`Fault::Clock`] can
//!   skew, which dates what it writes as primary.
//!
//! All time goes through `tick`, which replays every due deadline in order, so a test can jump
//! the clock by a minute and get the same result as a server ticking every millisecond.

use std::collections::{BTreeMap, HashMap};

use bson::{doc, oid::ObjectId, Bson, Document, Timestamp};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::replconfig::{self, CmdError, ConfigDefaults, ReplConfig};
use super::store::{Op, Store};
use crate::core::description::Tags;

/// Milliseconds on the lab's clock (since the lab started).
pub type Millis = u64;

/// How to build a lab.
#[derive(Debug, Clone)]
pub struct LabOptions {
    /// The replica set name every member is started with (`mongod --replSet NAME`).
    pub set_name: String,
    /// Each member's `host:port`, as it answers in `me` and `hosts`.
    pub hosts: Vec<String>,
    /// electionTimeoutMillis used until a config says otherwise (mongod's default: 10 000).
    pub election_timeout_ms: Millis,
    /// heartbeatIntervalMillis (mongod's default: 2 000).
    pub heartbeat_interval_ms: Millis,
    /// Seed for the lab's deterministic rng (election jitter, ObjectIds).
    pub seed: u64,
    /// Wall-clock time (ms since the Unix epoch) at lab time 0, for dates in replies.
    pub epoch_ms: i64,
}

/// One request from a client connection.
#[derive(Debug, Clone)]
pub struct Request {
    /// Index of the member the connection belongs to.
    pub member: usize,
    /// The server's id for the connection (unique per lab).
    pub conn: u64,
    /// The request id from the message header (the reply's responseTo).
    pub request_id: i32,
    /// The command's database (`$db`, or the OP_QUERY namespace's database).
    pub db: String,
    /// The command document (OP_MSG kind-1 sequences already folded in).
    pub command: Document,
    /// OP_QUERY with the secondaryOk bit set.
    pub secondary_ok: bool,
    /// The request came as OP_QUERY (legacy); the reply goes back as OP_REPLY.
    pub legacy: bool,
}

/// What `handle` did with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The reply, to send now.
    Now(Document),
    /// Parked: the reply will come from `take_ready` (awaitable hello, majority write...).
    Parked,
}

/// A parked request that completed.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub member: usize,
    pub conn: u64,
    pub request_id: i32,
    pub reply: Document,
}

/// Faults the lab can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Crash: the member stops; its listener and connections close.
    Kill,
    /// Restart a killed member: it rejoins with its data, as a secondary.
    Start,
    /// Hang: connections are accepted but nothing is answered.
    Pause,
    /// Undo `Pause`.
    Resume,
    /// Cut from the other members (clients still reach it).
    Partition,
    /// Undo `Partition`.
    Heal,
    /// Delay every reply by this many ms.
    Latency(Millis),
    /// Apply the primary's writes this many ms late.
    Lag(Millis),
    /// Set the member's wall clock this many ms ahead of (positive) or behind (negative) true
    /// time, like a host whose NTP stepped or drifted. It dates what the member writes as
    /// primary (oplog `wall` and timestamps, hence every member's `lastWrite.lastWriteDate` once
    /// they apply it) and its own `localTime` / `replSetGetStatus` dates. 0 sets it right again.
    Clock(i64),
}

/// Something the lab did that tools time themselves against.
#[derive(Debug, Clone, PartialEq)]
pub enum LabEvent {
    /// `member` won an election in `term`.
    Elected {
        member: usize,
        term: i64,
        at: Millis,
    },
    /// `member` stopped being primary.
    SteppedDown {
        member: usize,
        term: i64,
        at: Millis,
    },
}

/// What the server needs to know about a member to serve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberView {
    /// False once killed (or shut down) and until started again.
    pub up: bool,
    pub paused: bool,
    pub latency_ms: Millis,
}

/// A replica-set member state, as `replSetGetStatus` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    /// Not yet initialized (no config).
    Startup,
    Primary,
    Secondary,
    Arbiter,
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
            MemberState::Arbiter => 7,
            MemberState::Down => 8,
            MemberState::Removed => 10,
        }
    }

    /// `stateStr`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberState::Startup => "STARTUP",
            MemberState::Primary => "PRIMARY",
            MemberState::Secondary => "SECONDARY",
            MemberState::Arbiter => "ARBITER",
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

/// A cursor left open by `find` / `listCollections`.
#[derive(Debug, Clone)]
pub(super) struct Cursor {
    pub(super) ns: String,
    /// The results not yet returned, encoded once when the cursor opened.
    pub(super) docs: super::crud::EncodedDocs,
}

/// Metrics of the election a primary won.
#[derive(Debug, Clone)]
pub(super) struct ElectionInfo {
    pub(super) reason: &'static str,
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
    pub(super) next_heartbeat: Option<Millis>,
    pub(super) election_at: Option<Millis>,
    /// Why the next election (when `election_at` fires) is called.
    pub(super) election_reason: &'static str,
    pub(super) takeover_at: Option<Millis>,
    /// Cannot stand for election before this (stepdown period, replSetFreeze).
    pub(super) no_stand_until: Millis,
    pub(super) frozen_until: Millis,
    pub(super) election: Option<ElectionInfo>,
    pub(super) peers: Vec<PeerView>,
    pub(super) cursors: BTreeMap<i64, Cursor>,
    pub(super) sync_source: Option<usize>,
    pub(super) rollbacks: u64,
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

    fn active(&self) -> bool {
        self.up && !self.paused
    }

    /// Whether the oplog holds an entry with exactly this optime.
    pub(super) fn has_optime(&self, t: OpTime) -> bool {
        self.oplog.binary_search_by(|e| e.optime.cmp(&t)).is_ok()
    }

    fn wall_of(&self, t: OpTime) -> i64 {
        match self.oplog.binary_search_by(|e| e.optime.cmp(&t)) {
            Ok(i) => self.oplog[i].wall_ms,
            Err(0) => 0,
            Err(i) => self.oplog[i - 1].wall_ms,
        }
    }
}

/// What a write waits for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum WMode {
    /// w: 0 / w: 1 (nothing to wait for).
    None,
    Nodes(i64),
    Majority,
}

/// A parsed `writeConcern`.
#[derive(Debug, Clone)]
pub(super) struct WriteConcern {
    pub(super) mode: WMode,
    pub(super) wtimeout_ms: u64,
    /// `{w, wtimeout, provenance}` for `errInfo.writeConcern`.
    pub(super) echo: Document,
}

/// A request waiting for something.
#[derive(Debug, Clone)]
pub(super) enum Parked {
    /// Awaitable hello waiting for a topologyVersion change.
    Hello {
        member: usize,
        conn: u64,
        request_id: i32,
        command: Document,
        process_id: ObjectId,
        counter: i64,
        deadline: Millis,
    },
    /// A write waiting for its write concern.
    Write {
        member: usize,
        conn: u64,
        request_id: i32,
        reply: Document,
        optime: OpTime,
        term: i64,
        concern: WriteConcern,
        deadline: Option<Millis>,
        /// A retryable write (has lsid + txnNumber): retryable errors get the label.
        retryable: bool,
    },
    /// replSetStepDown waiting for a secondary to catch up.
    StepDown {
        member: usize,
        conn: u64,
        request_id: i32,
        secs: u64,
        deadline: Millis,
    },
}

impl Parked {
    fn key(&self) -> (usize, u64) {
        match self {
            Parked::Hello { member, conn, .. }
            | Parked::Write { member, conn, .. }
            | Parked::StepDown { member, conn, .. } => (*member, *conn),
        }
    }
}

/// The whole simulated replica set.
#[derive(Debug)]
pub struct Cluster {
    pub(super) options: LabOptions,
    pub(super) rng: SmallRng,
    pub(super) members: Vec<Member>,
    pub(super) parked: Vec<Parked>,
    pub(super) ready: Vec<Ready>,
    pub(super) events: Vec<LabEvent>,
    /// The latest time seen (ticks never go backwards).
    pub(super) clock: Millis,
    /// mongod's periodic no-op writer (`periodicNoopIntervalSecs`, default 10 s): a primary
    /// whose oplog has not moved for this long writes `{msg: "periodic noop"}`, so that
    /// `lastWriteDate` keeps moving on an idle set and drivers can estimate staleness
    /// (max-staleness spec, idleWritePeriodMS). None: off.
    pub(super) noop_interval_ms: Option<Millis>,
}

/// The outcome of one command.
pub(super) enum Outcome {
    Reply(Document),
    /// A cursor reply (`find`, `getMore`...): the `cursor` sub-document, already BSON, so that a
    /// batch of stored documents is copied into the reply rather than re-encoded.
    Cursor(Vec<u8>),
    Park(Parked),
}

/// What [`Cluster::handle_wire`] answers: a [`Response`], except that cursor replies come as
/// encoded BSON (the server copies them onto the wire as they are).
#[derive(Debug)]
pub(crate) enum WireResponse {
    Now(Document),
    Raw(bson::RawDocumentBuf),
    Parked,
}

pub(super) type CmdResult = Result<Outcome, CmdError>;

fn reply(d: Document) -> CmdResult {
    Ok(Outcome::Reply(d))
}

/// The ObjectId mongod uses as electionId for a term.
pub fn election_id(term: i64) -> ObjectId {
    let mut b = [0u8; 12];
    b[..4].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
    b[4..].copy_from_slice(&term.to_be_bytes());
    ObjectId::from_bytes(b)
}

fn number(v: Option<&Bson>) -> Option<f64> {
    match v? {
        Bson::Int32(i) => Some(*i as f64),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        Bson::Boolean(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn truthy(v: Option<&Bson>) -> bool {
    match v {
        None | Some(Bson::Null) => false,
        Some(Bson::Boolean(b)) => *b,
        Some(other) => number(Some(other)).is_none_or(|n| n != 0.0),
    }
}

/// mongod's default `periodicNoopIntervalSecs` (10 s), in ms.
pub const PERIODIC_NOOP_INTERVAL_MS: Millis = 10_000;

/// Codes whose error replies carry the member's topologyVersion (SDAM state-change errors).
const STATE_CHANGE_CODES: &[i32] = &[10107, 13435, 13436, 189, 91, 11600, 11602];

impl Cluster {
    /// Fresh, uninitialized members.
    pub fn new(options: LabOptions, now: Millis) -> Self {
        let mut rng = SmallRng::seed_from_u64(options.seed);
        let n = options.hosts.len();
        let members = options
            .hosts
            .iter()
            .map(|h| Member {
                host: h.clone(),
                up: true,
                paused: false,
                partitioned: false,
                latency_ms: 0,
                lag_ms: 0,
                clock_offset_ms: 0,
                process_id: ObjectId::from_bytes(rng.gen()),
                tv_counter: 0,
                started_at: now,
                state: MemberState::Startup,
                config: None,
                term: 0,
                voted_term: -1,
                oplog: Vec::new(),
                store: Store::new(),
                commit: OpTime::NULL,
                next_heartbeat: None,
                election_at: None,
                election_reason: "electionTimeout",
                takeover_at: None,
                no_stand_until: 0,
                frozen_until: 0,
                election: None,
                peers: vec![PeerView::default(); n],
                cursors: BTreeMap::new(),
                sync_source: None,
                rollbacks: 0,
                txns: HashMap::new(),
            })
            .collect();
        Cluster {
            options,
            rng,
            members,
            parked: Vec::new(),
            ready: Vec::new(),
            events: Vec::new(),
            clock: now,
            noop_interval_ms: Some(PERIODIC_NOOP_INTERVAL_MS),
        }
    }

    /// The options the lab was built with.
    pub fn options(&self) -> &LabOptions {
        &self.options
    }

    /// Handles one command.
    pub fn handle(&mut self, request: Request, now: Millis) -> Response {
        match self.handle_wire(request, now) {
            WireResponse::Now(d) => Response::Now(d),
            WireResponse::Raw(raw) => Response::Now(raw.to_document().unwrap_or_else(|e| {
                error_document(&CmdError::new(
                    1,
                    "InternalError",
                    format!("the lab encoded an invalid reply: {e}"),
                ))
            })),
            WireResponse::Parked => Response::Parked,
        }
    }

    /// Handles one command, answering cursor replies as BSON bytes (see [`WireResponse`]).
    pub(crate) fn handle_wire(&mut self, request: Request, now: Millis) -> WireResponse {
        self.tick(now);
        let now = self.clock;
        let m = request.member;
        if m >= self.members.len() {
            return WireResponse::Now(error_document(&CmdError::new(
                6,
                "HostUnreachable",
                format!("no member {m} in this lab"),
            )));
        }
        if !self.members[m].up {
            return WireResponse::Now(self.error_reply(
                m,
                &CmdError::new(
                    91,
                    "ShutdownInProgress",
                    "The server is in quiesce mode and will shut down",
                ),
            ));
        }
        let outcome = self.dispatch(&request, now);
        let response = match outcome {
            Ok(Outcome::Reply(d)) => WireResponse::Now(self.finish(m, d)),
            Ok(Outcome::Cursor(cursor)) => self.finish_cursor(m, &cursor),
            Ok(Outcome::Park(p)) => {
                self.parked.push(p);
                WireResponse::Parked
            }
            Err(e) => {
                let mut d = self.error_reply(m, &e);
                if request.command.contains_key("txnNumber")
                    && crate::error::RETRYABLE_READ_CODES.contains(&e.code)
                {
                    d.insert("errorLabels", vec!["RetryableWriteError"]);
                }
                WireResponse::Now(d)
            }
        };
        // shutdown: the reply goes out first, then the member goes down.
        let name = request
            .command
            .keys()
            .next()
            .map(String::as_str)
            .unwrap_or("");
        if name == "shutdown"
            && matches!(response, WireResponse::Now(ref d) if d.get_f64("ok").ok() == Some(1.0))
        {
            self.kill(m, now);
        }
        self.settle(now);
        response
    }

    /// Parked requests that completed since the last call.
    pub fn take_ready(&mut self) -> Vec<Ready> {
        std::mem::take(&mut self.ready)
    }

    /// Advances time: heartbeats, elections, replication, parked-request timeouts.
    pub fn tick(&mut self, now: Millis) {
        let now = now.max(self.clock);
        let mut guard = 0u32;
        while let Some(t) = self.due_deadline() {
            if t > now || guard > 1_000_000 {
                break;
            }
            guard += 1;
            self.clock = t.max(self.clock);
            self.step(self.clock);
        }
        self.clock = now;
        self.step(now);
    }

    /// When `tick` must run next (None: only when a request comes).
    pub fn next_deadline(&self) -> Option<Millis> {
        self.due_deadline()
    }

    /// Injects a fault.
    pub fn fault(&mut self, member: usize, fault: Fault, now: Millis) -> Result<(), String> {
        self.tick(now);
        let now = self.clock;
        let n = self.members.len();
        if member >= n {
            return Err(format!(
                "no member {member}: the lab has {n} members (0..{})",
                n.saturating_sub(1)
            ));
        }
        match fault {
            Fault::Kill => {
                if !self.members[member].up {
                    return Err(format!(
                        "member {member} ({}) is already down",
                        self.members[member].host
                    ));
                }
                self.kill(member, now);
            }
            Fault::Start => {
                if self.members[member].up {
                    return Err(format!(
                        "member {member} ({}) is already running",
                        self.members[member].host
                    ));
                }
                let pid = ObjectId::from_bytes(self.rng.gen());
                let m = &mut self.members[member];
                m.up = true;
                m.paused = false;
                m.process_id = pid;
                m.tv_counter = 0;
                m.started_at = now;
                m.peers = vec![PeerView::default(); n];
                m.state = match &m.config {
                    None => MemberState::Startup,
                    Some(c) => match c.member(member) {
                        None => MemberState::Removed,
                        Some(mc) if mc.arbiter_only => MemberState::Arbiter,
                        Some(_) => MemberState::Secondary,
                    },
                };
                m.next_heartbeat = m.config.as_ref().map(|_| now);
                m.election_at = None;
                m.takeover_at = None;
                m.commit = m.commit.min(m.last_optime());
                self.reset_election_timer(member, now);
            }
            Fault::Pause => {
                if !self.members[member].up {
                    return Err(format!("member {member} is down; start it first"));
                }
                self.members[member].paused = true;
            }
            Fault::Resume => {
                if !self.members[member].paused {
                    return Err(format!("member {member} is not paused"));
                }
                let m = &mut self.members[member];
                m.paused = false;
                if m.config.is_some() {
                    m.next_heartbeat = Some(now);
                }
                if m.election_at.is_some() {
                    self.reset_election_timer(member, now);
                }
            }
            Fault::Partition => self.members[member].partitioned = true,
            Fault::Heal => {
                self.members[member].partitioned = false;
                for i in 0..n {
                    if self.members[i].next_heartbeat.is_some() {
                        self.members[i].next_heartbeat = Some(now);
                    }
                }
            }
            Fault::Latency(ms) => self.members[member].latency_ms = ms,
            Fault::Lag(ms) => self.members[member].lag_ms = ms,
            Fault::Clock(offset_ms) => {
                // A skew beyond what a date can hold is refused (no overflow later).
                const LIMIT: i64 = 100 * 365 * 24 * 3_600_000;
                if offset_ms.unsigned_abs() > LIMIT as u64 {
                    return Err(format!(
                        "clock offset {offset_ms} ms is out of range (at most 100 years either way)"
                    ));
                }
                self.members[member].clock_offset_ms = offset_ms;
            }
        }
        self.settle(now);
        Ok(())
    }

    /// Sets the periodic no-op writer's interval (None: off). Like mongod's
    /// `periodicNoopIntervalSecs`, a startup setting; the default is
    /// [`PERIODIC_NOOP_INTERVAL_MS`].
    pub fn set_periodic_noop_interval(&mut self, interval_ms: Option<Millis>) {
        self.noop_interval_ms = interval_ms.filter(|&ms| ms > 0);
    }

    /// A member's injected replication lag in ms ([`Fault::Lag`]).
    pub fn lag(&self, member: usize) -> Option<Millis> {
        self.members.get(member).map(|m| m.lag_ms)
    }

    /// A member's wall-clock offset in ms ([`Fault::Clock`]).
    pub fn clock_offset(&self, member: usize) -> Option<i64> {
        self.members.get(member).map(|m| m.clock_offset_ms)
    }

    /// A member's `lastWrite.lastWriteDate` (ms since the Unix epoch; 0 with an empty oplog).
    pub fn last_write_date(&self, member: usize) -> Option<i64> {
        self.members.get(member).map(|m| m.last_wall())
    }

    /// Events since the last call.
    pub fn take_events(&mut self) -> Vec<LabEvent> {
        std::mem::take(&mut self.events)
    }

    /// What the server needs to know about `member`.
    pub fn member_view(&self, member: usize) -> MemberView {
        match self.members.get(member) {
            Some(m) => MemberView {
                up: m.up,
                paused: m.paused,
                latency_ms: m.latency_ms,
            },
            None => MemberView {
                up: false,
                paused: false,
                latency_ms: 0,
            },
        }
    }

    /// A client connection closed: forget its parked requests.
    pub fn connection_closed(&mut self, member: usize, conn: u64) {
        self.parked.retain(|p| p.key() != (member, conn));
    }

    /// Index of the member with this `host:port`.
    pub fn member_index(&self, host: &str) -> Option<usize> {
        if let Some(i) = self.options.hosts.iter().position(|h| h == host) {
            return Some(i);
        }
        // localhost:PORT and 127.0.0.1:PORT name the same lab member.
        let (name, port) = host.rsplit_once(':')?;
        if !replconfig::is_localhost(host) {
            return None;
        }
        let _ = name;
        self.options
            .hosts
            .iter()
            .position(|h| h.rsplit_once(':').is_some_and(|(_, p)| p == port))
    }

    // ----- inspection (tests, demo) -----

    /// The member that is primary now (highest term if two think they are).
    pub fn primary(&self) -> Option<usize> {
        (0..self.members.len())
            .filter(|&i| self.members[i].up && self.members[i].state == MemberState::Primary)
            .max_by_key(|&i| self.members[i].term)
    }

    /// The highest term any member knows.
    pub fn term(&self) -> i64 {
        self.members.iter().map(|m| m.term).max().unwrap_or(0)
    }

    /// A member's own state.
    pub fn member_state(&self, member: usize) -> Option<MemberState> {
        self.members.get(member).map(|m| m.state)
    }

    /// A member's last applied optime.
    pub fn last_applied(&self, member: usize) -> Option<OpTime> {
        self.members.get(member).map(|m| m.last_optime())
    }

    /// A member's oplog length.
    pub fn oplog_len(&self, member: usize) -> usize {
        self.members.get(member).map_or(0, |m| m.oplog.len())
    }

    /// How many rollbacks a member went through.
    pub fn rollbacks(&self, member: usize) -> u64 {
        self.members.get(member).map_or(0, |m| m.rollbacks)
    }

    /// A member's documents of one collection (bypassing read rules).
    pub fn documents(&self, member: usize, db: &str, coll: &str) -> Vec<Document> {
        self.members
            .get(member)
            .map(|m| m.store.documents(db, coll).into_iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The `hello` reply `member` would give now (for tests and the demo).
    pub fn hello(&self, member: usize) -> Document {
        let d = self.hello_reply(member, &doc! {"hello": 1}, 0);
        self.finish(member, d)
    }

    // ----- replies -----

    /// Adds `ok: 1` and the cluster time fields to a successful reply.
    /// [`Cluster::finish`] for a cursor reply: `{cursor: ..., ok: 1.0}` and the cluster time,
    /// as BSON bytes, the `cursor` sub-document copied in as it is.
    fn finish_cursor(&self, m: usize, cursor: &[u8]) -> WireResponse {
        let tail = match bson::to_vec(&self.finish(m, Document::new())) {
            Ok(t) => t,
            Err(e) => {
                return WireResponse::Now(error_document(&CmdError::new(
                    1,
                    "InternalError",
                    format!("the lab could not encode a reply: {e}"),
                )))
            }
        };
        // tail = len(4) elements... 0: its elements follow the cursor element.
        let mut out = Vec::with_capacity(4 + 8 + cursor.len() + tail.len());
        out.extend_from_slice(&[0; 4]);
        out.push(0x03);
        out.extend_from_slice(b"cursor\0");
        out.extend_from_slice(cursor);
        out.extend_from_slice(&tail[4..tail.len() - 1]);
        out.push(0);
        let len = out.len() as i32;
        out[..4].copy_from_slice(&len.to_le_bytes());
        match bson::RawDocumentBuf::from_bytes(out) {
            Ok(raw) => WireResponse::Raw(raw),
            Err(e) => WireResponse::Now(error_document(&CmdError::new(
                1,
                "InternalError",
                format!("the lab encoded an invalid reply: {e}"),
            ))),
        }
    }

    pub(super) fn finish(&self, m: usize, mut d: Document) -> Document {
        if !d.contains_key("ok") {
            d.insert("ok", 1.0);
        }
        self.add_cluster_time(m, &mut d);
        d
    }

    fn add_cluster_time(&self, m: usize, d: &mut Document) {
        let mem = &self.members[m];
        if mem.config.is_some() && mem.state != MemberState::Arbiter {
            let ts = self
                .members
                .iter()
                .filter(|o| o.config.is_some())
                .map(|o| o.last_optime())
                .max()
                .unwrap_or(OpTime::NULL)
                .ts();
            d.insert(
                "$clusterTime",
                doc! {
                    "clusterTime": ts,
                    "signature": {
                        "hash": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: vec![0; 20] },
                        "keyId": 0_i64,
                    },
                },
            );
            d.insert("operationTime", mem.last_optime().ts());
        }
    }

    pub(super) fn error_reply(&self, m: usize, e: &CmdError) -> Document {
        let mut d = error_document(e);
        if STATE_CHANGE_CODES.contains(&e.code) {
            d.insert("topologyVersion", self.tv_doc(m));
        }
        self.add_cluster_time(m, &mut d);
        d
    }

    fn tv_doc(&self, m: usize) -> Document {
        let mem = &self.members[m];
        doc! {"processId": mem.process_id, "counter": mem.tv_counter}
    }

    pub(super) fn date(&self, at: Millis) -> bson::DateTime {
        bson::DateTime::from_millis(self.options.epoch_ms + at as i64)
    }

    /// Member `m`'s wall clock at lab time `at` (its [`Fault::Clock`] offset applied).
    pub(super) fn wall_ms(&self, m: usize, at: Millis) -> i64 {
        let off = self.members.get(m).map_or(0, |x| x.clock_offset_ms);
        self.options
            .epoch_ms
            .saturating_add(at as i64)
            .saturating_add(off)
    }

    /// [`Cluster::wall_ms`] as a BSON date.
    pub(super) fn member_date(&self, m: usize, at: Millis) -> bson::DateTime {
        bson::DateTime::from_millis(self.wall_ms(m, at))
    }

    fn in_config(&self, m: usize) -> Option<&replconfig::MemberConfig> {
        let mem = &self.members[m];
        match mem.state {
            MemberState::Startup | MemberState::Removed => None,
            _ => mem.config.as_ref()?.member(m),
        }
    }

    /// The host a member believes is primary.
    fn seen_primary(&self, m: usize) -> Option<usize> {
        let mem = &self.members[m];
        if mem.state == MemberState::Primary {
            return Some(m);
        }
        (0..self.members.len())
            .filter(|&j| {
                j != m && mem.peers[j].healthy && mem.peers[j].state == Some(MemberState::Primary)
            })
            .max_by_key(|&j| mem.peers[j].term)
    }

    pub(super) fn hello_reply(&self, m: usize, cmd: &Document, conn: u64) -> Document {
        let name = cmd.keys().next().map(String::as_str).unwrap_or("hello");
        let writable_key = if name == "hello" {
            "isWritablePrimary"
        } else {
            "ismaster"
        };
        let mem = &self.members[m];
        let mut d = Document::new();
        d.insert("topologyVersion", self.tv_doc(m));
        match (self.in_config(m), mem.config.as_ref()) {
            (Some(me), Some(cfg)) => {
                let visible = |f: &dyn Fn(&replconfig::MemberConfig) -> bool| -> Vec<Bson> {
                    cfg.members
                        .iter()
                        .filter(|c| !c.hidden && f(c))
                        .map(|c| Bson::String(c.host.clone()))
                        .collect()
                };
                let hosts = visible(&|c| !c.arbiter_only && c.priority > 0.0);
                let passives = visible(&|c| !c.arbiter_only && c.priority == 0.0);
                let arbiters = visible(&|c| c.arbiter_only);
                d.insert("hosts", hosts);
                if !passives.is_empty() {
                    d.insert("passives", passives);
                }
                if !arbiters.is_empty() {
                    d.insert("arbiters", arbiters);
                }
                d.insert("setName", cfg.set_name.clone());
                d.insert("setVersion", cfg.version as i32);
                d.insert(writable_key, mem.state == MemberState::Primary);
                d.insert("secondary", mem.state == MemberState::Secondary);
                if let Some(p) = self.seen_primary(m) {
                    if let Some(pc) = cfg.member(p) {
                        d.insert("primary", pc.host.clone());
                    }
                }
                if me.arbiter_only {
                    d.insert("arbiterOnly", true);
                }
                if me.priority == 0.0 && !me.arbiter_only {
                    d.insert("passive", true);
                }
                if me.hidden {
                    d.insert("hidden", true);
                }
                if me.secondary_delay_secs > 0 {
                    d.insert("secondaryDelaySecs", me.secondary_delay_secs);
                }
                if !me.tags.is_empty() {
                    let mut t = Document::new();
                    for (k, v) in &me.tags {
                        t.insert(k.clone(), v.clone());
                    }
                    d.insert("tags", t);
                }
                d.insert("me", me.host.clone());
                if mem.state == MemberState::Primary {
                    d.insert("electionId", election_id(mem.term));
                }
                let last = mem.last_optime();
                let commit = mem.commit.min(last);
                d.insert(
                    "lastWrite",
                    doc! {
                        "opTime": last.to_document(),
                        "lastWriteDate": bson::DateTime::from_millis(mem.last_wall()),
                        "majorityOpTime": commit.to_document(),
                        "majorityWriteDate": bson::DateTime::from_millis(mem.wall_of(commit)),
                    },
                );
            }
            _ => {
                d.insert(writable_key, false);
                d.insert("secondary", false);
                d.insert("info", "Does not have a valid replica set config");
                d.insert("isreplicaset", true);
            }
        }
        d.insert("maxBsonObjectSize", 16_777_216_i32);
        d.insert("maxMessageSizeBytes", 48_000_000_i32);
        d.insert("maxWriteBatchSize", 100_000_i32);
        d.insert("localTime", self.member_date(m, self.clock));
        d.insert("logicalSessionTimeoutMinutes", 30_i32);
        d.insert("connectionId", conn.min(i32::MAX as u64) as i32);
        d.insert("minWireVersion", 0_i32);
        d.insert("maxWireVersion", 21_i32);
        d.insert("readOnly", false);
        if truthy(cmd.get("helloOk")) {
            d.insert("helloOk", true);
        }
        d.insert("ok", 1.0);
        d
    }

    // ----- dispatch -----

    fn dispatch(&mut self, req: &Request, now: Millis) -> CmdResult {
        let cmd = &req.command;
        let Some(name) = cmd.keys().next().cloned() else {
            return Err(CmdError::new(59, "CommandNotFound", "no such command: ''"));
        };
        let m = req.member;
        let admin_only = |n: &str| -> Result<(), CmdError> {
            if req.db != "admin" {
                Err(CmdError::new(
                    13,
                    "Unauthorized",
                    format!("{n} may only be run against the admin database."),
                ))
            } else {
                Ok(())
            }
        };
        match name.as_str() {
            "hello" | "isMaster" | "ismaster" => self.cmd_hello(req, now),
            "ping" => reply(doc! {}),
            "buildInfo" | "buildinfo" => reply(build_info()),
            "getParameter" => reply(self.get_parameter(cmd)),
            "serverStatus" => reply(self.server_status(m, now)),
            "endSessions" | "killSessions" | "killAllSessions" | "startSession"
            | "refreshSessions" => {
                if name == "startSession" {
                    let id = bson::Binary {
                        subtype: bson::spec::BinarySubtype::Uuid,
                        bytes: self.rng.gen::<[u8; 16]>().to_vec(),
                    };
                    reply(doc! {"id": {"id": id}, "timeoutMinutes": 30})
                } else {
                    reply(doc! {})
                }
            }
            "hostInfo" => reply(
                doc! {"system": {"hostname": self.members[m].host.clone(), "numCores": 2}, "os": {"type": "Linux"}, "extra": {}},
            ),
            "getCmdLineOpts" => reply(
                doc! {"argv": ["mongod", "--replSet", self.options.set_name.clone()], "parsed": {"replication": {"replSet": self.options.set_name.clone()}}},
            ),
            "connectionStatus" => {
                reply(doc! {"authInfo": {"authenticatedUsers": [], "authenticatedUserRoles": []}})
            }
            "getLog" => reply(doc! {"totalLinesWritten": 0, "log": []}),
            "whatsmyuri" => reply(doc! {"you": "127.0.0.1:0"}),
            "replSetInitiate" => {
                admin_only(&name)?;
                self.cmd_initiate(req, now)
            }
            "replSetGetStatus" => {
                admin_only(&name)?;
                self.cmd_status(m, now)
            }
            "replSetGetConfig" => {
                admin_only(&name)?;
                self.cmd_get_config(m)
            }
            "replSetReconfig" => {
                admin_only(&name)?;
                self.cmd_reconfig(req, now)
            }
            "replSetStepDown" => {
                admin_only(&name)?;
                self.cmd_stepdown(req, now)
            }
            "replSetStepUp" => {
                admin_only(&name)?;
                self.cmd_stepup(m, now)
            }
            "replSetFreeze" => {
                admin_only(&name)?;
                self.cmd_freeze(req, now)
            }
            "shutdown" => {
                admin_only(&name)?;
                reply(doc! {})
            }
            _ => self.dispatch_data(&name, req, now),
        }
    }

    fn get_parameter(&self, cmd: &Document) -> Document {
        let all = matches!(cmd.get("getParameter"), Some(Bson::String(s)) if s == "*");
        let mut d = Document::new();
        let known = [
            (
                "featureCompatibilityVersion",
                Bson::Document(doc! {"version": "7.0"}),
            ),
            ("logLevel", Bson::Int32(0)),
            (
                "authenticationMechanisms",
                Bson::Array(vec!["SCRAM-SHA-1".into(), "SCRAM-SHA-256".into()]),
            ),
        ];
        for (k, v) in known {
            if all || cmd.contains_key(k) {
                d.insert(k, v);
            }
        }
        d
    }

    fn server_status(&self, m: usize, now: Millis) -> Document {
        let mem = &self.members[m];
        let mut d = doc! {
            "host": mem.host.clone(),
            "version": "7.0.12",
            "process": "mongod",
            "pid": 1000_i64 + m as i64,
            "uptime": ((now - mem.started_at) / 1000) as f64,
            "uptimeMillis": (now - mem.started_at) as i64,
            "localTime": self.member_date(m, now),
            "connections": {"current": 1, "available": 838860},
        };
        if let (Some(cfg), Some(_)) = (mem.config.as_ref(), self.in_config(m)) {
            let mut repl = self.hello_reply(m, &doc! {"hello": 1}, 0);
            repl.remove("ok");
            repl.insert("rbid", mem.rollbacks as i32 + 1);
            let _ = cfg;
            d.insert("repl", repl);
        }
        d
    }

    fn cmd_hello(&mut self, req: &Request, now: Millis) -> CmdResult {
        let cmd = &req.command;
        let tv = cmd.get("topologyVersion");
        let max_await = cmd.get("maxAwaitTimeMS");
        match (tv, max_await) {
            (Some(_), None) => {
                return Err(CmdError::new(
                    9,
                    "FailedToParse",
                    "A request with a 'topologyVersion' must include 'maxAwaitTimeMS'",
                ))
            }
            (None, Some(_)) => {
                return Err(CmdError::new(
                    9,
                    "FailedToParse",
                    "A request with 'maxAwaitTimeMS' must include a 'topologyVersion'",
                ))
            }
            (Some(Bson::Document(tv)), Some(wait)) => {
                let Some(wait) = number(Some(wait)).filter(|w| *w >= 0.0) else {
                    return Err(CmdError::bad_value(
                        "maxAwaitTimeMS must be a non-negative integer",
                    ));
                };
                let mem = &self.members[req.member];
                let same_process = tv.get("processId") == Some(&Bson::ObjectId(mem.process_id));
                let counter = number(tv.get("counter")).map(|c| c as i64);
                if same_process && counter == Some(mem.tv_counter) && wait > 0.0 {
                    return Ok(Outcome::Park(Parked::Hello {
                        member: req.member,
                        conn: req.conn,
                        request_id: req.request_id,
                        command: cmd.clone(),
                        process_id: mem.process_id,
                        counter: mem.tv_counter,
                        deadline: now.saturating_add(wait as u64),
                    }));
                }
                if same_process && counter.is_some_and(|c| c > mem.tv_counter) {
                    return Err(CmdError::new(
                        9,
                        "FailedToParse",
                        format!(
                            "Topology version counter {} is greater than the server's current counter {}",
                            counter.unwrap_or_default(),
                            mem.tv_counter
                        ),
                    ));
                }
            }
            (Some(_), Some(_)) => {
                return Err(CmdError::type_mismatch("topologyVersion must be an object"));
            }
            (None, None) => {}
        }
        reply(self.hello_reply(req.member, cmd, req.conn))
    }

    // ----- replica-set commands -----

    fn config_defaults(&self) -> ConfigDefaults {
        ConfigDefaults {
            election_timeout_ms: self.options.election_timeout_ms,
            heartbeat_interval_ms: self.options.heartbeat_interval_ms,
        }
    }

    /// Maps every member host of a parsed config to a lab member.
    fn resolve_hosts(&self, cfg: &mut ReplConfig, what: &str) -> Result<(), CmdError> {
        for mc in cfg.members.iter_mut() {
            match self.member_index(&mc.host) {
                Some(i) => mc.index = i,
                None => {
                    return Err(CmdError::node_not_found(format!(
                        "{what} quorum check failed because not all proposed set members responded affirmatively: {} failed with Connection refused",
                        mc.host
                    )))
                }
            }
        }
        for (k, mc) in cfg.members.iter().enumerate() {
            if let Some(o) = cfg.members[..k].iter().find(|o| o.index == mc.index) {
                return Err(CmdError::invalid_config(format!(
                    "Found two member configurations for the same node, {} and {}",
                    o.host, mc.host
                )));
            }
        }
        Ok(())
    }

    fn cmd_initiate(&mut self, req: &Request, now: Millis) -> CmdResult {
        let m = req.member;
        if self.members[m].config.is_some() {
            return Err(CmdError::new(
                23,
                "AlreadyInitialized",
                "already initialized",
            ));
        }
        let arg = req.command.get("replSetInitiate");
        let cfg_doc = match arg {
            Some(Bson::Document(d)) if !d.is_empty() => d.clone(),
            _ => {
                doc! {"_id": self.options.set_name.clone(), "version": 1, "members": [{"_id": 0, "host": self.members[m].host.clone()}]}
            }
        };
        let rsid = ObjectId::from_bytes(self.rng.gen());
        let mut cfg = replconfig::parse_config(&cfg_doc, self.config_defaults(), rsid)?;
        if cfg.set_name != self.options.set_name {
            return Err(CmdError::invalid_config(format!(
                "Attempting to initiate a replica set with name {}, but command line reports {}; rejecting",
                cfg.set_name, self.options.set_name
            )));
        }
        self.resolve_hosts(&mut cfg, "replSetInitiate")?;
        if cfg.member(m).is_none() {
            return Err(CmdError::node_not_found(format!(
                "No host described in new configuration with {{version: {}, term: 0}} for replica set {} maps to this node",
                cfg.version, cfg.set_name
            )));
        }
        for mc in &cfg.members {
            let o = &self.members[mc.index];
            if mc.index != m && (!o.active() || !self.can_see(m, mc.index)) {
                return Err(CmdError::node_not_found(format!(
                    "replSetInitiate quorum check failed because not all proposed set members responded affirmatively: {} failed with Connection refused",
                    mc.host
                )));
            }
            if mc.index != m && o.config.is_some() {
                return Err(CmdError::node_not_found(format!(
                    "replSetInitiate quorum check failed because not all proposed set members responded affirmatively: {} failed with Our replica set configuration is invalid or does not include us",
                    mc.host
                )));
            }
        }
        cfg.term = 0;
        // The initiating node writes the first oplog entry; the others initial-sync from it.
        let entry = self.make_entry(
            m,
            Op::Noop {
                msg: "initiating set".into(),
            },
            -1,
            now,
        );
        self.members[m].oplog.push(entry);
        let hb = cfg.heartbeat_interval_ms;
        let members: Vec<usize> = cfg.members.iter().map(|c| c.index).collect();
        for &i in &members {
            self.install_config(i, cfg.clone(), Some(m), now);
        }
        // A new set elects quickly: every electable member times out about one heartbeat
        // interval after initiation (the first to time out wins).
        for &i in &members {
            if cfg.member(i).is_some_and(|c| c.electable()) {
                let jitter = self.rng.gen_range(0..=hb.saturating_mul(15) / 100);
                self.members[i].election_at = Some(now.saturating_add(hb).saturating_add(jitter));
            }
        }
        reply(doc! {})
    }

    fn not_initialized() -> CmdError {
        CmdError::new(
            94,
            "NotYetInitialized",
            "no replset config has been received",
        )
    }

    fn cmd_get_config(&self, m: usize) -> CmdResult {
        let Some(cfg) = &self.members[m].config else {
            return Err(Self::not_initialized());
        };
        reply(doc! {"config": cfg.to_document()})
    }

    fn cmd_status(&self, m: usize, now: Millis) -> CmdResult {
        let mem = &self.members[m];
        let Some(cfg) = &mem.config else {
            return Err(Self::not_initialized());
        };
        if mem.state == MemberState::Removed {
            return Err(CmdError::invalid_config(
                "Our replica set config is invalid or we are not a member of it",
            ));
        }
        let last = mem.last_optime();
        let commit = mem.commit.min(last);
        let wall = |t: OpTime| bson::DateTime::from_millis(mem.wall_of(t));
        let mut members = Vec::new();
        for mc in &cfg.members {
            let j = mc.index;
            let mut e = doc! {"_id": mc.id, "name": mc.host.clone()};
            if j == m {
                e.insert("health", 1.0);
                e.insert("state", mem.state.code());
                e.insert("stateStr", mem.state.as_str());
                e.insert("uptime", ((now - mem.started_at) / 1000) as i32);
                e.insert("optime", last.to_document());
                e.insert("optimeDate", bson::DateTime::from_millis(mem.last_wall()));
                e.insert(
                    "lastAppliedWallTime",
                    bson::DateTime::from_millis(mem.last_wall()),
                );
                e.insert(
                    "lastDurableWallTime",
                    bson::DateTime::from_millis(mem.last_wall()),
                );
                self.sync_fields(&mut e, mem.sync_source, cfg);
                e.insert("maintenanceMode", 0);
                e.insert("infoMessage", "");
                if mem.state == MemberState::Primary {
                    if let Some(el) = &mem.election {
                        e.insert(
                            "electionTime",
                            Timestamp {
                                time: ((self.options.epoch_ms + el.at as i64) / 1000) as u32,
                                increment: 1,
                            },
                        );
                        e.insert("electionDate", self.date(el.at));
                    }
                }
                e.insert("configVersion", cfg.version as i32);
                e.insert("configTerm", cfg.term as i32);
                e.insert("self", true);
                e.insert("lastHeartbeatMessage", "");
            } else {
                let v = &mem.peers[j];
                let healthy = v.healthy;
                e.insert("health", if healthy { 1.0 } else { 0.0 });
                let state = if healthy {
                    v.state.unwrap_or(MemberState::Startup)
                } else {
                    MemberState::Down
                };
                e.insert("state", state.code());
                e.insert("stateStr", state.as_str());
                e.insert(
                    "uptime",
                    if healthy {
                        ((now.saturating_sub(v.up_since)) / 1000) as i32
                    } else {
                        0
                    },
                );
                let ot = if healthy {
                    v.optime.unwrap_or(OpTime::NULL)
                } else {
                    OpTime::NULL
                };
                let ow = if healthy { v.wall_ms } else { 0 };
                e.insert("optime", ot.to_document());
                e.insert("optimeDurable", ot.to_document());
                e.insert("optimeDate", bson::DateTime::from_millis(ow));
                e.insert("optimeDurableDate", bson::DateTime::from_millis(ow));
                e.insert("lastAppliedWallTime", bson::DateTime::from_millis(ow));
                e.insert("lastDurableWallTime", bson::DateTime::from_millis(ow));
                e.insert(
                    "lastHeartbeat",
                    self.member_date(m, v.last_heartbeat.unwrap_or(0)),
                );
                e.insert(
                    "lastHeartbeatRecv",
                    self.member_date(m, v.last_heartbeat_recv.unwrap_or(0)),
                );
                e.insert(
                    "pingMs",
                    if healthy {
                        self.members[j].latency_ms as i64
                    } else {
                        0
                    },
                );
                e.insert(
                    "lastHeartbeatMessage",
                    if healthy {
                        String::new()
                    } else {
                        format!(
                            "Error connecting to {} :: caused by :: Connection refused",
                            mc.host
                        )
                    },
                );
                self.sync_fields(&mut e, if healthy { v.sync_source } else { None }, cfg);
                e.insert("infoMessage", "");
                if healthy && state == MemberState::Primary {
                    if let Some(at) = v.elected_at {
                        e.insert(
                            "electionTime",
                            Timestamp {
                                time: ((self.options.epoch_ms + at as i64) / 1000) as u32,
                                increment: 1,
                            },
                        );
                        e.insert("electionDate", self.date(at));
                    }
                }
                e.insert(
                    "configVersion",
                    if healthy { v.config_version as i32 } else { -1 },
                );
                e.insert(
                    "configTerm",
                    if healthy { v.config_term as i32 } else { -1 },
                );
            }
            members.push(Bson::Document(e));
        }
        let voting = cfg.voting_count() as i32;
        let mut d = doc! {
            "set": cfg.set_name.clone(),
            "date": self.member_date(m, now),
            "myState": mem.state.code(),
            "term": mem.term,
        };
        match mem.sync_source.and_then(|s| cfg.member(s)) {
            Some(s) => {
                d.insert("syncSourceHost", s.host.clone());
                d.insert("syncSourceId", s.id);
            }
            None => {
                d.insert("syncSourceHost", "");
                d.insert("syncSourceId", -1);
            }
        }
        d.insert("heartbeatIntervalMillis", cfg.heartbeat_interval_ms as i64);
        d.insert("majorityVoteCount", cfg.majority_vote_count() as i32);
        d.insert("writeMajorityCount", cfg.write_majority_count() as i32);
        d.insert("votingMembersCount", voting);
        d.insert(
            "writableVotingMembersCount",
            cfg.members
                .iter()
                .filter(|c| c.voting() && c.data_bearing())
                .count() as i32,
        );
        d.insert(
            "optimes",
            doc! {
                "lastCommittedOpTime": commit.to_document(),
                "lastCommittedWallTime": wall(commit),
                "readConcernMajorityOpTime": commit.to_document(),
                "readConcernMajorityWallTime": wall(commit),
                "appliedOpTime": last.to_document(),
                "durableOpTime": last.to_document(),
                "lastAppliedWallTime": bson::DateTime::from_millis(mem.last_wall()),
                "lastDurableWallTime": bson::DateTime::from_millis(mem.last_wall()),
            },
        );
        if mem.state == MemberState::Primary {
            if let Some(el) = &mem.election {
                d.insert(
                    "electionCandidateMetrics",
                    doc! {
                        "lastElectionReason": el.reason,
                        "lastElectionDate": self.date(el.at),
                        "electionTerm": el.term,
                        "lastCommittedOpTimeAtElection": el.last_committed.to_document(),
                        "lastSeenOpTimeAtElection": el.last_seen.to_document(),
                        "numVotesNeeded": el.votes_needed as i32,
                        "priorityAtElection": el.priority,
                        "electionTimeoutMillis": el.election_timeout_ms as i64,
                        "newTermStartDate": self.date(el.at),
                        "wMajorityWriteAvailabilityDate": self.date(el.at),
                    },
                );
            }
        }
        d.insert("members", members);
        reply(d)
    }

    fn sync_fields(&self, e: &mut Document, source: Option<usize>, cfg: &ReplConfig) {
        match source.and_then(|s| cfg.member(s)) {
            Some(s) => {
                e.insert("syncSourceHost", s.host.clone());
                e.insert("syncSourceId", s.id);
            }
            None => {
                e.insert("syncSourceHost", "");
                e.insert("syncSourceId", -1);
            }
        }
    }

    fn cmd_reconfig(&mut self, req: &Request, now: Millis) -> CmdResult {
        let m = req.member;
        let Some(current) = self.members[m].config.clone() else {
            return Err(Self::not_initialized());
        };
        let force = truthy(req.command.get("force"));
        let state = self.members[m].state;
        if !force && state != MemberState::Primary {
            return Err(CmdError::new(
                10107,
                "NotWritablePrimary",
                format!(
                    "replSetReconfig should only be run on a writable PRIMARY. Current state {};",
                    state.as_str()
                ),
            ));
        }
        let Some(Bson::Document(new_doc)) = req.command.get("replSetReconfig") else {
            return Err(CmdError::type_mismatch(
                "expected an object as the replSetReconfig argument",
            ));
        };
        let mut cfg =
            replconfig::parse_config(new_doc, self.config_defaults(), current.replica_set_id)?;
        if cfg.set_name != current.set_name {
            return Err(CmdError::incompatible(format!(
                "New and old configurations differ in replica set name; old was {}, and new is {}",
                current.set_name, cfg.set_name
            )));
        }
        self.resolve_hosts(&mut cfg, "Quorum check")?;
        if !force && cfg.version <= current.version {
            return Err(CmdError::incompatible(format!(
                "New replica set config version {} must be greater than the current version {}",
                cfg.version, current.version
            )));
        }
        for mc in &cfg.members {
            if let Some(old) = current.members.iter().find(|o| o.index == mc.index) {
                if old.id != mc.id {
                    return Err(CmdError::incompatible(format!(
                        "New and old configurations both have members with host of {} but in the new config the _id field is {} and in the old config it is {} for replica set {}",
                        mc.host, mc.id, old.id, cfg.set_name
                    )));
                }
            }
        }
        if cfg.member(m).is_none() {
            return Err(CmdError::node_not_found(format!(
                "No host described in new configuration with {{version: {}, term: {}}} for replica set {} maps to this node",
                cfg.version, self.members[m].term, cfg.set_name
            )));
        }
        if !force {
            let voters = |c: &ReplConfig| -> Vec<usize> {
                c.members
                    .iter()
                    .filter(|x| x.voting())
                    .map(|x| x.index)
                    .collect()
            };
            let (old_v, new_v) = (voters(&current), voters(&cfg));
            let added = new_v.iter().filter(|i| !old_v.contains(i)).count();
            let removed = old_v.iter().filter(|i| !new_v.contains(i)).count();
            if added + removed > 1 {
                return Err(CmdError::incompatible(
                    "Non force replica set reconfig can only add or remove at most 1 voting member.",
                ));
            }
            for mc in &cfg.members {
                let unreachable = mc.index != m
                    && (!self.members[mc.index].active() || !self.can_see(m, mc.index));
                if unreachable && (current.member(mc.index).is_none() || mc.voting()) {
                    {
                        let reachable_voters = cfg
                            .members
                            .iter()
                            .filter(|x| {
                                x.voting()
                                    && (x.index == m
                                        || (self.members[x.index].active()
                                            && self.can_see(m, x.index)))
                            })
                            .count();
                        if current.member(mc.index).is_none()
                            || reachable_voters < cfg.majority_vote_count()
                        {
                            return Err(CmdError::node_not_found(format!(
                                "Quorum check failed because not all proposed set members responded affirmatively: {} failed with Connection refused",
                                mc.host
                            )));
                        }
                    }
                }
            }
            cfg.term = self.members[m].term;
        } else {
            let bump = self.rng.gen_range(10_000..100_000);
            if cfg.version <= current.version {
                cfg.version = current.version + bump;
            } else {
                cfg.version += bump;
            }
            cfg.term = -1;
        }
        self.install_config(m, cfg.clone(), None, now);
        // The primary pushes the new config to every member it can reach right away.
        for mc in &cfg.members {
            if mc.index != m && self.can_see(m, mc.index) {
                self.install_config(mc.index, cfg.clone(), Some(m), now);
            }
        }
        for mc in &current.members {
            if cfg.member(mc.index).is_none() && self.can_see(m, mc.index) {
                self.install_config(mc.index, cfg.clone(), Some(m), now);
            }
        }
        reply(doc! {})
    }

    fn caught_up_electable(&self, p: usize) -> Vec<usize> {
        let Some(cfg) = self.members[p].config.as_ref() else {
            return Vec::new();
        };
        let last = self.members[p].last_optime();
        let mut v: Vec<usize> = cfg
            .members
            .iter()
            .filter(|c| c.index != p && c.electable())
            .map(|c| c.index)
            .filter(|&j| {
                let o = &self.members[j];
                o.active()
                    && self.can_see(p, j)
                    && o.state == MemberState::Secondary
                    && o.last_optime() >= last
                    && o.no_stand_until <= self.clock
                    && o.frozen_until <= self.clock
            })
            .collect();
        v.sort_by(|a, b| {
            let pa = cfg.member(*a).map_or(0.0, |c| c.priority);
            let pb = cfg.member(*b).map_or(0.0, |c| c.priority);
            pb.partial_cmp(&pa).unwrap_or(std::cmp::Ordering::Equal)
        });
        v
    }

    fn cmd_stepdown(&mut self, req: &Request, now: Millis) -> CmdResult {
        let m = req.member;
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        if self.members[m].state != MemberState::Primary {
            return Err(CmdError::new(
                10107,
                "NotWritablePrimary",
                "not primary so can't step down",
            ));
        }
        let secs = match req.command.get("replSetStepDown") {
            Some(Bson::Boolean(true)) | None => 60.0,
            v => number(v).unwrap_or(60.0),
        };
        if secs <= 0.0 {
            return Err(CmdError::bad_value(format!(
                "stepdown period must be a positive integer, found {secs}"
            )));
        }
        let catch_up = number(req.command.get("secondaryCatchUpPeriodSecs")).unwrap_or(10.0);
        if catch_up < 0.0 || catch_up > secs {
            return Err(CmdError::bad_value(
                "stepdown period must be longer than secondaryCatchUpPeriodSecs",
            ));
        }
        let force = truthy(req.command.get("force"));
        let secs = secs as u64;
        if !self.caught_up_electable(m).is_empty() || force {
            self.do_stepdown(m, secs, now);
            return reply(doc! {});
        }
        Ok(Outcome::Park(Parked::StepDown {
            member: m,
            conn: req.conn,
            request_id: req.request_id,
            secs,
            deadline: now.saturating_add((catch_up * 1000.0) as u64),
        }))
    }

    /// Steps down for `secs` and hands the election to the best caught-up secondary.
    fn do_stepdown(&mut self, p: usize, secs: u64, now: Millis) {
        let successor = self.caught_up_electable(p).first().copied();
        self.step_down(p, now);
        self.members[p].no_stand_until = now.saturating_add(secs.saturating_mul(1000));
        self.broadcast(p, now);
        if let Some(s) = successor {
            self.members[s].election_at = Some(now);
            self.members[s].election_reason = "stepUpRequestSkipDryRun";
        }
    }

    fn cmd_stepup(&mut self, m: usize, now: Millis) -> CmdResult {
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        if self.members[m].state == MemberState::Primary {
            return reply(doc! {"info": "already primary"});
        }
        if self.members[m].state != MemberState::Secondary
            || !self.in_config(m).is_some_and(|c| c.electable())
        {
            return Err(CmdError::new(
                95,
                "NotSecondary",
                "Node is not eligible to stand for election",
            ));
        }
        if self.try_election(m, now, "stepUpRequest", true) {
            reply(doc! {})
        } else {
            Err(CmdError::new(125, "CommandFailed", "Election failed."))
        }
    }

    fn cmd_freeze(&mut self, req: &Request, now: Millis) -> CmdResult {
        let m = req.member;
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        if self.members[m].state == MemberState::Primary {
            return Err(CmdError::new(
                95,
                "NotSecondary",
                "cannot freeze node when primary or running for election. state: Primary",
            ));
        }
        let secs = number(req.command.get("replSetFreeze")).unwrap_or(0.0);
        if secs <= 0.0 {
            self.members[m].frozen_until = 0;
            self.members[m].no_stand_until = now;
            return reply(doc! {"info": "unfreezing"});
        }
        let until = now.saturating_add((secs * 1000.0) as u64);
        self.members[m].frozen_until = until;
        self.members[m].no_stand_until = self.members[m].no_stand_until.max(until);
        reply(doc! {})
    }

    // ----- state changes -----

    fn bump_tv(&mut self, m: usize) {
        self.members[m].tv_counter += 1;
    }

    fn election_timeout(&self, m: usize) -> Millis {
        self.members[m]
            .config
            .as_ref()
            .map_or(self.options.election_timeout_ms, |c| c.election_timeout_ms)
    }

    fn heartbeat_interval(&self, m: usize) -> Millis {
        self.members[m]
            .config
            .as_ref()
            .map_or(self.options.heartbeat_interval_ms, |c| {
                c.heartbeat_interval_ms
            })
    }

    /// Restarts a secondary's election timer (timeout + 0-15 % jitter), or clears it if the
    /// member cannot stand.
    fn reset_election_timer(&mut self, m: usize, now: Millis) {
        let electable = self.in_config(m).is_some_and(|c| c.electable());
        if !electable || self.members[m].state != MemberState::Secondary {
            self.members[m].election_at = None;
            return;
        }
        let timeout = self.election_timeout(m).max(1);
        let jitter = self.rng.gen_range(0..=timeout.saturating_mul(15) / 100);
        self.members[m].election_at = Some(now.saturating_add(timeout).saturating_add(jitter));
        self.members[m].election_reason = "electionTimeout";
    }

    pub(super) fn kill(&mut self, m: usize, now: Millis) {
        if self.members[m].state == MemberState::Primary {
            self.step_down(m, now);
        }
        let mem = &mut self.members[m];
        mem.up = false;
        mem.paused = false;
        mem.cursors.clear();
        mem.sync_source = None;
        mem.election_at = None;
        mem.takeover_at = None;
        mem.next_heartbeat = None;
        self.parked.retain(|p| p.key().0 != m);
    }

    /// Leaves the primary state (emits `SteppedDown`).
    fn step_down(&mut self, m: usize, now: Millis) {
        if self.members[m].state != MemberState::Primary {
            return;
        }
        self.members[m].state = MemberState::Secondary;
        self.members[m].takeover_at = None;
        self.bump_tv(m);
        let term = self.members[m].term;
        self.events.push(LabEvent::SteppedDown {
            member: m,
            term,
            at: now,
        });
        self.reset_election_timer(m, now);
    }

    fn set_term(&mut self, m: usize, term: i64, now: Millis) {
        if term > self.members[m].term {
            self.members[m].term = term;
            if self.members[m].state == MemberState::Primary {
                self.step_down(m, now);
            }
        }
    }

    /// Installs a config on member `m` (initial sync from `source` when it newly joins).
    fn install_config(&mut self, m: usize, cfg: ReplConfig, source: Option<usize>, now: Millis) {
        let was = self.members[m].state;
        let had_config = self.members[m].config.is_some();
        let mine = cfg.member(m).cloned();
        let new_state = match &mine {
            None => MemberState::Removed,
            Some(mc) if mc.arbiter_only => MemberState::Arbiter,
            Some(_) => match was {
                MemberState::Primary => MemberState::Primary,
                _ => MemberState::Secondary,
            },
        };
        if matches!(was, MemberState::Startup | MemberState::Removed) && mine.is_some() {
            if let Some(src) = source {
                if new_state != MemberState::Arbiter
                    && (self.members[m].oplog.is_empty() || !had_config)
                {
                    self.members[m].oplog = self.members[src].oplog.clone();
                    self.members[m].store = self.members[src].store.clone();
                    self.members[m].reindex_txns();
                    self.members[m].commit =
                        self.members[src].commit.min(self.members[m].last_optime());
                }
                let t = self.members[src].term;
                self.members[m].term = self.members[m].term.max(t);
            }
        }
        if was == MemberState::Primary && new_state != MemberState::Primary {
            self.step_down(m, now);
        }
        let primary_unelectable =
            was == MemberState::Primary && mine.as_ref().is_some_and(|c| !c.electable());
        let mem = &mut self.members[m];
        mem.config = Some(cfg);
        mem.state = new_state;
        if mem.next_heartbeat.is_none() && mem.up {
            mem.next_heartbeat = Some(now);
        }
        self.bump_tv(m);
        if primary_unelectable {
            self.step_down(m, now);
        }
        if self.members[m].state == MemberState::Secondary
            && (was != MemberState::Secondary || self.members[m].election_at.is_none())
        {
            self.reset_election_timer(m, now);
        }
        if !matches!(self.members[m].state, MemberState::Secondary) {
            self.members[m].election_at = None;
        }
    }

    pub(super) fn can_see(&self, a: usize, b: usize) -> bool {
        let (x, y) = (&self.members[a], &self.members[b]);
        a != b && x.active() && y.active() && !x.partitioned && !y.partitioned
    }

    /// Member `i` exchanges a heartbeat with member `j` (both learn each other's term and
    /// config; `i` records what it saw).
    fn observe(&mut self, i: usize, j: usize, now: Millis) {
        // A change of the primary a member reports in hello is a topology change for it.
        let before = (self.seen_primary(i), self.seen_primary(j));
        self.exchange_heartbeat(i, j, now);
        if self.seen_primary(i) != before.0 {
            self.bump_tv(i);
        }
        if self.seen_primary(j) != before.1 {
            self.bump_tv(j);
        }
    }

    fn exchange_heartbeat(&mut self, i: usize, j: usize, now: Millis) {
        if !self.members[i].active() || self.members[i].config.is_none() {
            return;
        }
        if !self.can_see(i, j) {
            let v = &mut self.members[i].peers[j];
            v.healthy = false;
            v.last_heartbeat = Some(now);
            v.state = Some(MemberState::Down);
            return;
        }
        // configs travel both ways
        let (ci, cj) = (
            self.members[i].config.clone(),
            self.members[j].config.clone(),
        );
        match (&ci, &cj) {
            (Some(a), Some(b)) if a.set_name == b.set_name && b.version > a.version => {
                self.install_config(i, b.clone(), Some(j), now)
            }
            (Some(a), Some(b)) if a.set_name == b.set_name && a.version > b.version => {
                self.install_config(j, a.clone(), Some(i), now)
            }
            (Some(a), None) if a.member(j).is_some() => {
                self.install_config(j, a.clone(), Some(i), now)
            }
            _ => {}
        }
        let (ti, tj) = (self.members[i].term, self.members[j].term);
        if tj > ti {
            self.set_term(i, tj, now);
        } else if ti > tj && self.members[j].config.is_some() {
            self.set_term(j, ti, now);
        }
        let o = &self.members[j];
        let snapshot = PeerView {
            last_heartbeat: Some(now),
            last_heartbeat_recv: self.members[i].peers[j].last_heartbeat_recv,
            last_ok: Some(now),
            healthy: true,
            state: Some(o.state),
            term: o.term,
            optime: Some(o.last_optime()),
            wall_ms: o.last_wall(),
            up_since: o.started_at,
            elected_at: o.election.as_ref().map(|e| e.at),
            sync_source: o.sync_source,
            config_version: o.config.as_ref().map_or(-2, |c| c.version),
            config_term: o.config.as_ref().map_or(-1, |c| c.term),
        };
        let (j_state, j_term, j_last, j_commit) = (o.state, o.term, o.last_optime(), o.commit);
        self.members[i].peers[j] = snapshot;
        self.members[j].peers[i].last_heartbeat_recv = Some(now);
        // A heartbeat from a member we thought down makes us heartbeat it back at once
        // (mongod does the same), so a restarted member is seen quickly by everyone.
        let j_saw_i_down = !self.members[j].peers[i].healthy;
        if j_saw_i_down && self.members[j].active() && self.members[j].config.is_some() {
            self.exchange_heartbeat(j, i, now);
        }
        let me_state = self.members[i].state;
        if j_state == MemberState::Primary
            && j_term == self.members[i].term
            && me_state == MemberState::Secondary
        {
            // Heard from the primary: restart the election timer, learn its commit point.
            if self.members[i].election_reason != "stepUpRequestSkipDryRun"
                || self.members[i].election_at.is_none()
            {
                self.reset_election_timer(i, now);
            }
            let my_last = self.members[i].last_optime();
            if self.members[j].has_optime(my_last) || my_last == OpTime::NULL {
                let c = j_commit.min(my_last);
                if c > self.members[i].commit {
                    self.members[i].commit = c;
                }
            }
            // Priority takeover: a caught-up member of higher priority takes over.
            let cfg = self.members[i].config.as_ref();
            let (pi, pj) = (
                cfg.and_then(|c| c.member(i)).map_or(0.0, |c| c.priority),
                cfg.and_then(|c| c.member(j)).map_or(0.0, |c| c.priority),
            );
            if pi > pj
                && self.in_config(i).is_some_and(|c| c.electable())
                && my_last >= j_last
                && self.members[i].takeover_at.is_none()
            {
                {
                    let rank = cfg
                        .map_or(0, |c| c.members.iter().filter(|x| x.priority > pi).count())
                        as u64;
                    let delay = self
                        .heartbeat_interval(i)
                        .saturating_add(rank.saturating_mul(self.election_timeout(i) / 2));
                    self.members[i].takeover_at = Some(now.saturating_add(delay));
                }
            }
        }
    }

    /// After a state change, the member heartbeats everyone at once (as mongod does).
    fn broadcast(&mut self, p: usize, now: Millis) {
        for j in 0..self.members.len() {
            if j != p && self.members[j].config.is_some() {
                self.observe(j, p, now);
                self.observe(p, j, now);
            }
        }
    }

    fn heartbeat_round(&mut self, i: usize, now: Millis) {
        let peers: Vec<usize> = match &self.members[i].config {
            Some(c) => c
                .members
                .iter()
                .map(|m| m.index)
                .filter(|&j| j != i)
                .collect(),
            None => return,
        };
        for j in peers {
            self.observe(i, j, now);
        }
        // A primary that cannot see a majority of voters for an election timeout steps down.
        if self.members[i].state == MemberState::Primary {
            let timeout = self.election_timeout(i);
            let cfg = self.members[i].config.clone();
            if let Some(cfg) = cfg {
                let seen = cfg
                    .members
                    .iter()
                    .filter(|c| c.voting())
                    .filter(|c| {
                        c.index == i
                            || self.members[i].peers[c.index]
                                .last_ok
                                .is_some_and(|t| now.saturating_sub(t) < timeout)
                    })
                    .count();
                let elected_recently = self.members[i]
                    .election
                    .as_ref()
                    .is_some_and(|e| now.saturating_sub(e.at) < timeout);
                if seen < cfg.majority_vote_count() && !elected_recently {
                    self.step_down(i, now);
                }
            }
        }
        let hb = self.heartbeat_interval(i);
        self.members[i].next_heartbeat = Some(now.saturating_add(hb.max(1)));
    }

    /// Runs an election for `c`. Returns whether it won.
    fn try_election(&mut self, c: usize, now: Millis, reason: &'static str, forced: bool) -> bool {
        let Some(cfg) = self.members[c].config.clone() else {
            return false;
        };
        let Some(me) = cfg.member(c).cloned() else {
            return false;
        };
        let mem = &self.members[c];
        if !mem.active()
            || mem.state != MemberState::Secondary
            || !me.electable()
            || (!forced && now < mem.no_stand_until)
            || now < mem.frozen_until
        {
            return false;
        }
        let new_term = mem.term + 1;
        let my_last = mem.last_optime();
        let mut voters = Vec::new();
        let mut higher_term = None;
        for v in cfg.members.iter().filter(|v| v.voting()) {
            let j = v.index;
            if j == c {
                continue;
            }
            if !self.can_see(c, j) {
                continue;
            }
            let o = &self.members[j];
            if o.config
                .as_ref()
                .is_none_or(|oc| oc.set_name != cfg.set_name)
            {
                continue;
            }
            if o.term >= new_term {
                higher_term = Some(higher_term.unwrap_or(0).max(o.term));
                continue;
            }
            if o.voted_term >= new_term {
                continue;
            }
            let fresh_enough = o.state == MemberState::Arbiter || my_last >= o.last_optime();
            if fresh_enough {
                voters.push(j);
            }
        }
        if let Some(t) = higher_term {
            self.set_term(c, t, now);
        }
        let votes = voters.len() + usize::from(me.voting());
        if votes < cfg.majority_vote_count() || higher_term.is_some() {
            self.reset_election_timer(c, now);
            return false;
        }
        // Won.
        for &j in &voters {
            self.set_term(j, new_term, now);
            self.members[j].voted_term = new_term;
            self.members[j].takeover_at = None;
            if self.members[j].state == MemberState::Secondary {
                self.reset_election_timer(j, now);
            }
        }
        let commit = self.members[c].commit;
        let mem = &mut self.members[c];
        mem.term = new_term;
        mem.voted_term = new_term;
        mem.state = MemberState::Primary;
        mem.election_at = None;
        mem.takeover_at = None;
        mem.election_reason = "electionTimeout";
        mem.sync_source = None;
        mem.election = Some(ElectionInfo {
            reason,
            at: now,
            term: new_term,
            last_committed: commit,
            last_seen: my_last,
            votes_needed: cfg.majority_vote_count(),
            priority: me.priority,
            election_timeout_ms: cfg.election_timeout_ms,
        });
        self.bump_tv(c);
        self.events.push(LabEvent::Elected {
            member: c,
            term: new_term,
            at: now,
        });
        let entry = self.make_entry(
            c,
            Op::Noop {
                msg: "new primary".into(),
            },
            new_term,
            now,
        );
        self.members[c].oplog.push(entry);
        self.broadcast(c, now);
        self.update_commit(c);
        true
    }

    /// Builds the next oplog entry for member `m` (strictly increasing timestamp).
    pub(super) fn make_entry(&self, m: usize, op: Op, term: i64, now: Millis) -> OplogEntry {
        // The member's own wall clock dates the entry (skewed by a Clock fault).
        let wall = self.wall_ms(m, now);
        let secs = (wall.max(0) / 1000).min(u32::MAX as i64) as u32;
        let last = self.members[m].last_optime();
        let (secs, inc) = if secs > last.secs {
            (secs, 1)
        } else {
            (last.secs, last.inc + 1)
        };
        OplogEntry {
            optime: OpTime { term, secs, inc },
            wall_ms: wall,
            at: now,
            op,
            txn: None,
        }
    }

    /// Appends a primary's write effects to its oplog; returns the last optime.
    pub(super) fn log_ops(&mut self, p: usize, ops: Vec<Op>, now: Millis) -> OpTime {
        let term = self.members[p].term;
        for op in ops {
            let e = self.make_entry(p, op, term, now);
            self.members[p].oplog.push(e);
        }
        self.update_commit(p);
        self.members[p].last_optime()
    }

    /// The primary advances its majority commit point.
    fn update_commit(&mut self, p: usize) {
        if self.members[p].state != MemberState::Primary {
            return;
        }
        let Some(cfg) = self.members[p].config.as_ref() else {
            return;
        };
        let need = cfg.write_majority_count();
        let mut applied: Vec<OpTime> = cfg
            .members
            .iter()
            .filter(|c| c.voting() && c.data_bearing())
            .map(|c| {
                let last = self.members[c.index].last_optime();
                if c.index == p || self.members[p].has_optime(last) {
                    last
                } else {
                    OpTime::NULL
                }
            })
            .collect();
        applied.sort_by(|a, b| b.cmp(a));
        if need == 0 || applied.len() < need {
            return;
        }
        let c = applied[need - 1];
        if c > self.members[p].commit {
            self.members[p].commit = c;
        }
    }

    // ----- replication -----

    /// The sync source member `i` would pull from now.
    fn sync_source_for(&self, i: usize) -> Option<usize> {
        let me = &self.members[i];
        if !me.active() || me.state != MemberState::Secondary {
            return None;
        }
        let cfg = me.config.as_ref()?;
        let my_last = me.last_optime();
        let mut best: Option<usize> = None;
        for c in &cfg.members {
            let j = c.index;
            if j == i || !c.data_bearing() || !self.can_see(i, j) {
                continue;
            }
            let o = &self.members[j];
            if !matches!(o.state, MemberState::Primary | MemberState::Secondary) {
                continue;
            }
            // a source must be ahead of us and not from an older term (a deposed primary that
            // has not noticed yet is not a valid source: fetching from it would tell it the term)
            if o.config
                .as_ref()
                .is_none_or(|oc| oc.set_name != cfg.set_name)
                || o.last_optime() <= my_last
                || o.term < me.term
            {
                continue;
            }
            if o.state == MemberState::Primary && o.term >= me.term {
                return Some(j);
            }
            if !cfg.chaining_allowed {
                continue;
            }
            if best.is_none_or(|b| self.members[b].last_optime() < o.last_optime()) {
                best = Some(j);
            }
        }
        best
    }

    fn common_len(a: &[OplogEntry], b: &[OplogEntry]) -> usize {
        let n = a.len().min(b.len());
        if n == 0 {
            return 0;
        }
        if a[n - 1].optime == b[n - 1].optime {
            return n;
        }
        // histories share a prefix, then differ everywhere (different terms)
        let (mut lo, mut hi) = (0usize, n - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if a[mid].optime == b[mid].optime {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// When member `i` next has something to apply (or roll back), and from whom.
    fn replication_due(&self, i: usize) -> Option<(usize, Millis)> {
        let src = self.sync_source_for(i)?;
        let me = &self.members[i];
        let theirs = &self.members[src].oplog;
        let common = Self::common_len(&me.oplog, theirs);
        if common < me.oplog.len() {
            return Some((src, self.clock));
        }
        let next = theirs.get(common)?;
        let delay = self.in_config(i).map_or(0, |c| {
            (c.secondary_delay_secs.max(0) as u64).saturating_mul(1000)
        });
        Some((src, next.at.saturating_add(me.lag_ms).saturating_add(delay)))
    }

    fn replicate(&mut self, i: usize, now: Millis) {
        let Some((src, due)) = self.replication_due(i) else {
            if self.members[i].state == MemberState::Secondary && self.sync_source_for(i).is_none()
            {
                // keep the last source while it is reachable and simply has nothing new
                if let Some(s) = self.members[i].sync_source {
                    if !self.can_see(i, s) {
                        self.members[i].sync_source = None;
                    }
                }
            }
            return;
        };
        self.members[i].sync_source = Some(src);
        if due > now {
            return;
        }
        let common = Self::common_len(&self.members[i].oplog, &self.members[src].oplog);
        if common < self.members[i].oplog.len() {
            // Rollback: drop the diverged suffix and rebuild the data from the common point.
            let mem = &mut self.members[i];
            mem.oplog.truncate(common);
            let mut store = Store::new();
            for e in &mem.oplog {
                store.apply(&e.op);
            }
            mem.store = store;
            mem.reindex_txns();
            mem.cursors.clear();
            mem.rollbacks += 1;
            mem.commit = mem.commit.min(mem.last_optime());
            self.bump_tv(i);
        }
        let lag = self.members[i]
            .lag_ms
            .saturating_add(self.in_config(i).map_or(0, |c| {
                (c.secondary_delay_secs.max(0) as u64).saturating_mul(1000)
            }));
        let start = self.members[i].oplog.len();
        let mut k = start;
        while let Some(e) = self.members[src].oplog.get(k) {
            if e.at.saturating_add(lag) > now {
                break;
            }
            let e = e.clone();
            self.members[i].store.apply(&e.op);
            if let Some((key, body)) = &e.txn {
                self.members[i]
                    .txns
                    .insert(key.clone(), (e.optime, body.clone()));
            }
            self.members[i].oplog.push(e);
            k += 1;
        }
        let my_last = self.members[i].last_optime();
        let c = self.members[src].commit.min(my_last);
        if c > self.members[i].commit {
            self.members[i].commit = c;
        }
    }

    // ----- time -----

    /// When primary `i`'s periodic no-op writer next writes: an interval after its last write.
    fn noop_due(&self, i: usize) -> Option<Millis> {
        let interval = self.noop_interval_ms?;
        let m = &self.members[i];
        if m.state != MemberState::Primary {
            return None;
        }
        let last = m.oplog.last().map_or(m.started_at, |e| e.at);
        Some(last.saturating_add(interval))
    }

    fn due_deadline(&self) -> Option<Millis> {
        let mut best: Option<Millis> = None;
        let mut consider = |t: Option<Millis>| {
            if let Some(t) = t {
                best = Some(best.map_or(t, |b| b.min(t)));
            }
        };
        for (i, m) in self.members.iter().enumerate() {
            if !m.active() {
                continue;
            }
            consider(m.next_heartbeat);
            consider(m.election_at);
            consider(m.takeover_at);
            consider(self.noop_due(i));
            if let Some((_, due)) = self.replication_due(i) {
                consider(Some(due.max(self.clock)));
            }
        }
        for p in &self.parked {
            if !self.members[p.key().0].active() {
                continue;
            }
            match p {
                Parked::Hello { deadline, .. } | Parked::StepDown { deadline, .. } => {
                    consider(Some(*deadline))
                }
                Parked::Write { deadline, .. } => consider(*deadline),
            }
        }
        best
    }

    fn step(&mut self, now: Millis) {
        let n = self.members.len();
        for i in 0..n {
            if self.members[i].active() && self.members[i].next_heartbeat.is_some_and(|t| t <= now)
            {
                self.heartbeat_round(i, now);
            }
        }
        for i in 0..n {
            if self.members[i].active() && self.members[i].election_at.is_some_and(|t| t <= now) {
                let reason = self.members[i].election_reason;
                let forced = reason == "stepUpRequestSkipDryRun";
                self.members[i].election_at = None;
                if !self.try_election(i, now, reason, forced)
                    && self.members[i].election_at.is_none()
                {
                    self.reset_election_timer(i, now);
                }
            }
        }
        for i in 0..n {
            if self.members[i].active() && self.members[i].takeover_at.is_some_and(|t| t <= now) {
                self.members[i].takeover_at = None;
                let p = self.primary();
                let ok = p.is_some_and(|p| {
                    let cfg = self.members[i].config.as_ref();
                    let pi = cfg.and_then(|c| c.member(i)).map_or(0.0, |c| c.priority);
                    let pp = cfg.and_then(|c| c.member(p)).map_or(0.0, |c| c.priority);
                    p != i
                        && pi > pp
                        && self.can_see(i, p)
                        && self.members[i].last_optime() >= self.members[p].last_optime()
                });
                if ok {
                    self.try_election(i, now, "priorityTakeover", false);
                }
            }
        }
        for i in 0..n {
            if self.members[i].active() && self.noop_due(i).is_some_and(|t| t <= now) {
                let term = self.members[i].term;
                let entry = self.make_entry(
                    i,
                    Op::Noop {
                        msg: "periodic noop".into(),
                    },
                    term,
                    now,
                );
                self.members[i].oplog.push(entry);
                self.update_commit(i);
            }
        }
        for i in 0..n {
            if self.members[i].active() {
                self.replicate(i, now);
            }
        }
        for i in 0..n {
            if self.members[i].active() {
                self.update_commit(i);
            }
        }
        self.settle(now);
    }

    /// Completes parked requests whose condition or deadline has come.
    fn settle(&mut self, now: Millis) {
        let parked = std::mem::take(&mut self.parked);
        let mut keep = Vec::new();
        for p in parked {
            let m = p.key().0;
            if !self.members[m].up {
                continue;
            }
            if self.members[m].paused {
                keep.push(p);
                continue;
            }
            match p {
                Parked::Hello {
                    member,
                    conn,
                    request_id,
                    ref command,
                    process_id,
                    counter,
                    deadline,
                } => {
                    let mem = &self.members[member];
                    if mem.process_id != process_id || mem.tv_counter != counter || now >= deadline
                    {
                        let d = self.hello_reply(member, command, conn);
                        let reply = self.finish(member, d);
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else {
                        keep.push(p);
                    }
                }
                Parked::Write {
                    member,
                    conn,
                    request_id,
                    ref reply,
                    optime,
                    term,
                    ref concern,
                    deadline,
                    retryable,
                } => {
                    let mem = &self.members[member];
                    let done = if mem.state != MemberState::Primary || mem.term != term {
                        Some(Some(doc! {
                            "code": 189,
                            "codeName": "PrimarySteppedDown",
                            "errmsg": "Primary stepped down while waiting for replication",
                        }))
                    } else if self.write_satisfied(member, optime, &concern.mode) {
                        Some(None)
                    } else if deadline.is_some_and(|d| now >= d) {
                        Some(Some(doc! {
                            "code": 64,
                            "codeName": "WriteConcernFailed",
                            "errmsg": "waiting for replication timed out",
                            "errInfo": {"wtimeout": true, "writeConcern": concern.echo.clone()},
                        }))
                    } else {
                        None
                    };
                    match done {
                        None => keep.push(p),
                        Some(wce) => {
                            let mut d = reply.clone();
                            if let Some(wce) = wce {
                                let code = wce.get_i32("code").unwrap_or(0);
                                d.insert("writeConcernError", wce);
                                if retryable && crate::error::RETRYABLE_READ_CODES.contains(&code) {
                                    d.insert("errorLabels", vec!["RetryableWriteError"]);
                                }
                            }
                            let reply = self.finish(member, d);
                            self.ready.push(Ready {
                                member,
                                conn,
                                request_id,
                                reply,
                            });
                        }
                    }
                }
                Parked::StepDown {
                    member,
                    conn,
                    request_id,
                    secs,
                    deadline,
                } => {
                    if self.members[member].state != MemberState::Primary {
                        let e = CmdError::new(
                            10107,
                            "NotWritablePrimary",
                            "not primary so can't step down",
                        );
                        let reply = self.error_reply(member, &e);
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else if !self.caught_up_electable(member).is_empty() {
                        self.do_stepdown(member, secs, now);
                        let reply = self.finish(member, doc! {});
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else if now >= deadline {
                        let e = CmdError::new(
                            262,
                            "ExceededTimeLimit",
                            format!(
                                "No electable secondaries caught up as of {}. Please use the replSetStepDown command with the argument {{force: true}} to force node to step down.",
                                self.date(now).try_to_rfc3339_string().unwrap_or_default()
                            ),
                        );
                        let reply = self.error_reply(member, &e);
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else {
                        keep.push(p);
                    }
                }
            }
        }
        // New requests may have been parked while settling (none today), keep them too.
        keep.append(&mut self.parked);
        self.parked = keep;
    }

    /// Whether a write at `optime` on primary `p` satisfies `mode`.
    pub(super) fn write_satisfied(&self, p: usize, optime: OpTime, mode: &WMode) -> bool {
        let Some(cfg) = self.members[p].config.as_ref() else {
            return true;
        };
        let has = |j: usize| j == p || self.members[j].has_optime(optime);
        match mode {
            WMode::None => true,
            WMode::Nodes(n) => {
                let count = cfg
                    .members
                    .iter()
                    .filter(|c| c.data_bearing() && has(c.index))
                    .count();
                count as i64 >= *n
            }
            WMode::Majority => {
                let count = cfg
                    .members
                    .iter()
                    .filter(|c| c.data_bearing() && c.voting() && has(c.index))
                    .count();
                count >= cfg.write_majority_count()
            }
        }
    }
}

/// `{ok: 0, errmsg, code, codeName}`.
pub(super) fn error_document(e: &CmdError) -> Document {
    doc! {"ok": 0.0, "errmsg": e.message.clone(), "code": e.code, "codeName": e.code_name}
}

fn build_info() -> Document {
    doc! {
        "version": "7.0.12",
        "gitVersion": "0000000000000000000000000000000000000000",
        "modules": [],
        "allocator": "system",
        "javascriptEngine": "none",
        "sysInfo": "deprecated",
        "versionArray": [7, 0, 12, 0],
        "openssl": {"running": "disabled", "compiled": "disabled"},
        "buildEnvironment": {"distmod": "rsctl-lab", "target_arch": std::env::consts::ARCH, "target_os": std::env::consts::OS},
        "bits": 64,
        "debug": false,
        "maxBsonObjectSize": 16_777_216,
        "storageEngines": ["wiredTiger"],
    }
}

/// A convenient alias for tag maps in lab configs.
pub type MemberTags = Tags;
