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
//!
//! One module per idea:
//! - `timer`: each member's timers as one table (heartbeat, election, takeover; the stepdown
//!   and freeze guards); `next_deadline` is a minimum over the tables.
//! - `member`: a member's state, oplog entries and optimes, its view of its peers.
//! - `consensus`: terms, votes, heartbeats, elections with their reason, takeover, stepping down.
//! - `replication`: the oplog, sync sources, commit point, rollback, periodic no-ops.
//! - `commands`: dispatch of a request to the module that owns its command.
//! - `admin_cmd`: hello and the replica-set commands parsed into typed commands (`from_doc`);
//!   `admin` applies them; `read`, `write`, `cursor`: the data commands.
//! - `parked`: requests waiting for a topology change, a write concern or a stepdown.
//! - `reply`: `ok`, cluster time and topology version on replies.

use std::collections::{BTreeMap, HashMap};

use bson::{doc, oid::ObjectId, Document};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use self::consensus::ElectionReason;
use self::member::{Member, PeerView};
use self::parked::Parked;
use self::timer::{Timer, TimerTable};
use super::error::{is_retryable_write, retryable_write_label, Code, ServerError};
use super::replconfig;
use super::store::Store;
use crate::core::description::Tags;

mod admin;
mod admin_cmd;
mod commands;
mod consensus;
mod crud_cmd;
mod cursor;
mod member;
mod parked;
mod read;
mod replication;
mod reply;
mod timer;
mod write;

pub use self::consensus::election_id;
pub use self::member::{MemberState, OpTime, OplogEntry};

/// A convenient alias for tag maps in lab configs.
pub type MemberTags = Tags;

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
    /// How long a member that receives a config without data stays in STARTUP2 copying it
    /// (initial sync) before it becomes SECONDARY.
    pub initial_sync_ms: Millis,
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

/// The whole simulated replica set.
#[derive(Debug)]
pub struct Cluster {
    options: LabOptions,
    rng: SmallRng,
    members: Vec<Member>,
    parked: Vec<Parked>,
    ready: Vec<Ready>,
    events: Vec<LabEvent>,
    /// The latest time seen (ticks never go backwards).
    clock: Millis,
    /// mongod's periodic no-op writer (`periodicNoopIntervalSecs`, default 10 s): a primary
    /// whose oplog has not moved for this long writes `{msg: "periodic noop"}`, so that
    /// `lastWriteDate` keeps moving on an idle set and drivers can estimate staleness
    /// (max-staleness spec, idleWritePeriodMS). None: off.
    noop_interval_ms: Option<Millis>,
}

/// The outcome of one command.
enum Outcome {
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

type CmdResult = Result<Outcome, ServerError>;

fn reply(d: Document) -> CmdResult {
    Ok(Outcome::Reply(d))
}

/// mongod's default `periodicNoopIntervalSecs` (10 s), in ms.
pub const PERIODIC_NOOP_INTERVAL_MS: Millis = 10_000;

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
                timers: TimerTable::default(),
                election_reason: ElectionReason::ElectionTimeout,
                election: None,
                peers: vec![PeerView::default(); n],
                cursors: BTreeMap::new(),
                sync_source: None,
                rollbacks: 0,
                initial_sync_started: None,
                stepping_down: false,
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
                ServerError::new(
                    Code::InternalError,
                    format!("the lab encoded an invalid reply: {e}"),
                )
                .to_document()
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
            return WireResponse::Now(
                ServerError::new(Code::HostUnreachable, format!("no member {m} in this lab"))
                    .to_document(),
            );
        }
        if !self.members[m].up {
            return WireResponse::Now(self.error_reply(
                m,
                &ServerError::new(
                    Code::ShutdownInProgress,
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
                if retryable_write_label(is_retryable_write(&request.command), Some(e.code), None) {
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
                        // a member that had not finished its initial sync starts it again
                        Some(_) if m.oplog.is_empty() => MemberState::Startup2,
                        Some(_) => MemberState::Secondary,
                    },
                };
                match m.config {
                    Some(_) => m.timers.set(Timer::Heartbeat, now),
                    None => m.timers.stop(Timer::Heartbeat),
                }
                m.timers.stop(Timer::Election);
                m.timers.stop(Timer::Takeover);
                m.commit = m.commit.min(m.last_optime());
                if m.state == MemberState::Startup2 {
                    self.begin_initial_sync(member, now);
                }
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
                    m.timers.set(Timer::Heartbeat, now);
                }
                if m.timers.is_set(Timer::Election) {
                    self.reset_election_timer(member, now);
                }
            }
            Fault::Partition => self.members[member].partitioned = true,
            Fault::Heal => {
                self.members[member].partitioned = false;
                for i in 0..n {
                    if self.members[i].timers.is_set(Timer::Heartbeat) {
                        self.members[i].timers.set(Timer::Heartbeat, now);
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
        let before = self.parked.len();
        self.parked.retain(|p| p.key() != (member, conn));
        // A stepdown whose client went away is abandoned: the primary is writable again.
        let stepping = self
            .parked
            .iter()
            .any(|p| matches!(p, Parked::StepDown { member: m, .. } if *m == member));
        if self.parked.len() != before && self.members[member].stepping_down && !stepping {
            self.members[member].stepping_down = false;
            self.bump_tv(member);
        }
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

    /// How many members that are up are in initial sync (STARTUP2).
    pub fn initial_syncs_running(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.up && m.state == MemberState::Startup2)
            .count()
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

    // ----- time -----

    /// The earliest moment anything is due: a member's timers, its periodic no-op, its next
    /// oplog entry to apply, a parked request's deadline. Members that are down or paused wait.
    fn due_deadline(&self) -> Option<Millis> {
        let members = (0..self.members.len())
            .filter(|&i| self.members[i].active())
            .flat_map(|i| {
                [
                    self.members[i].timers.next_deadline(),
                    self.noop_due(i),
                    self.replication_due(i).map(|(_, due)| due.max(self.clock)),
                ]
            });
        let parked = self
            .parked
            .iter()
            .filter(|p| self.members[p.key().0].active())
            .map(Parked::deadline);
        members.chain(parked).flatten().min()
    }

    /// Runs everything due at `now`, in this order: heartbeats, elections, takeovers, periodic
    /// no-ops, replication, commit points; then completes parked requests.
    fn step(&mut self, now: Millis) {
        let n = self.members.len();
        let due = |c: &Self, i: usize, t: Timer| {
            c.members[i].active() && c.members[i].timers.is_due(t, now)
        };
        for i in 0..n {
            if due(self, i, Timer::Heartbeat) {
                self.heartbeat_round(i, now);
            }
        }
        for i in 0..n {
            if due(self, i, Timer::Election) {
                self.election_timer_fired(i, now);
            }
        }
        for i in 0..n {
            if due(self, i, Timer::Takeover) {
                self.takeover_timer_fired(i, now);
            }
        }
        for i in 0..n {
            if due(self, i, Timer::InitialSync) {
                self.initial_sync_timer_fired(i, now);
            }
        }
        for i in 0..n {
            if due(self, i, Timer::Rollback) {
                self.rollback_timer_fired(i, now);
            }
        }
        for i in 0..n {
            if self.members[i].active() && self.noop_due(i).is_some_and(|t| t <= now) {
                self.write_periodic_noop(i, now);
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
}
