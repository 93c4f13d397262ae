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

use bson::Document;

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
}

impl Cluster {
    /// Fresh, uninitialized members.
    pub fn new(options: LabOptions, _now: Millis) -> Self {
        Cluster { options }
    }

    /// The options the lab was built with.
    pub fn options(&self) -> &LabOptions {
        &self.options
    }

    /// Handles one command.
    pub fn handle(&mut self, _request: Request, _now: Millis) -> Response {
        todo!("lab::cluster::handle")
    }

    /// Parked requests that completed since the last call.
    pub fn take_ready(&mut self) -> Vec<Ready> {
        todo!("lab::cluster::take_ready")
    }

    /// Advances time: heartbeats, elections, replication, parked-request timeouts.
    pub fn tick(&mut self, _now: Millis) {
        todo!("lab::cluster::tick")
    }

    /// When `tick` must run next (None: only when a request comes).
    pub fn next_deadline(&self) -> Option<Millis> {
        todo!("lab::cluster::next_deadline")
    }

    /// Injects a fault.
    pub fn fault(&mut self, _member: usize, _fault: Fault, _now: Millis) -> Result<(), String> {
        todo!("lab::cluster::fault")
    }

    /// Events since the last call.
    pub fn take_events(&mut self) -> Vec<LabEvent> {
        todo!("lab::cluster::take_events")
    }

    /// What the server needs to know about `member`.
    pub fn member_view(&self, _member: usize) -> MemberView {
        todo!("lab::cluster::member_view")
    }

    /// A client connection closed: forget its parked requests.
    pub fn connection_closed(&mut self, _member: usize, _conn: u64) {
        todo!("lab::cluster::connection_closed")
    }

    /// Index of the member with this `host:port`.
    pub fn member_index(&self, host: &str) -> Option<usize> {
        self.options.hosts.iter().position(|h| h == host)
    }
}

/// A convenient alias for tag maps in lab configs.
pub type MemberTags = Tags;
