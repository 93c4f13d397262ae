//! The virtual-clock harness for the lab's pure replica-set state machine
//! (`rsctl::lab::cluster::Cluster`): requests go straight to `handle`, and time moves only when a
//! test steps it through the cluster's own deadlines. No sockets, no sleeping.

use bson::Document;
use rsctl::lab::cluster::{Cluster, LabOptions, Millis, Request, Response};

/// The wall-clock time at virtual time 0.
pub const EPOCH: i64 = 1_700_000_000_000;
/// The election timeout the harness's sets use.
pub const TIMEOUT: Millis = 10_000;
/// The heartbeat interval the harness's sets use.
pub const HB: Millis = 2_000;

/// Member `i`'s host name (`127.0.0.1:27017+i`; nothing listens there, the names are labels).
pub fn host(i: usize) -> String {
    format!("127.0.0.1:{}", 27017 + i)
}

/// The options of an `n`-member set named `rs0` whose elections draw from `seed`.
pub fn options(n: usize, seed: u64) -> LabOptions {
    LabOptions {
        set_name: "rs0".into(),
        hosts: (0..n).map(host).collect(),
        election_timeout_ms: TIMEOUT,
        heartbeat_interval_ms: HB,
        seed,
        epoch_ms: EPOCH,
        initial_sync_ms: 0,
    }
}

/// A cluster and its virtual clock.
pub struct ClockLab {
    /// The state machine under test.
    pub c: Cluster,
    /// Virtual time, in ms since the cluster was made.
    pub now: Millis,
    next_req: i32,
}

impl ClockLab {
    /// An `n`-member set, not yet initiated, with election randomness from `seed`.
    pub fn seeded(n: usize, seed: u64) -> ClockLab {
        ClockLab::with_options(options(n, seed))
    }

    /// A set built from `options` (see [`options`] for the usual ones).
    pub fn with_options(options: LabOptions) -> ClockLab {
        ClockLab {
            c: Cluster::new(options, 0),
            now: 0,
            next_req: 1,
        }
    }

    /// Hands one request to `member` at the current time; returns its request id and response.
    pub fn request(
        &mut self,
        member: usize,
        conn: u64,
        db: &str,
        command: Document,
        secondary_ok: bool,
    ) -> (i32, Response) {
        self.next_req += 1;
        let id = self.next_req;
        let r = self.c.handle(
            Request {
                member,
                conn,
                request_id: id,
                db: db.into(),
                command,
                secondary_ok,
                legacy: false,
            },
            self.now,
        );
        (id, r)
    }

    /// Runs a command that must answer at once (connection 1, no secondaryOk).
    pub fn run(&mut self, member: usize, db: &str, command: Document) -> Document {
        match self.request(member, 1, db, command.clone(), false).1 {
            Response::Now(d) => d,
            Response::Parked => panic!("{command} parked"),
        }
    }

    /// [`ClockLab::run`] on the admin database.
    pub fn admin(&mut self, member: usize, command: Document) -> Document {
        self.run(member, "admin", command)
    }

    /// Steps the clock through every deadline up to `now + ms`.
    pub fn advance(&mut self, ms: Millis) {
        let end = self.now + ms;
        while let Some(d) = self.c.next_deadline() {
            if d > end {
                break;
            }
            self.now = d.max(self.now);
            self.c.tick(self.now);
        }
        self.now = end;
        self.c.tick(end);
    }

    /// Advances until `pred` holds (checking at each deadline), at most `limit` ms. Returns the
    /// time it held at, or `None` (with the clock at `now + limit`).
    pub fn until(
        &mut self,
        limit: Millis,
        mut pred: impl FnMut(&Cluster) -> bool,
    ) -> Option<Millis> {
        let end = self.now + limit;
        loop {
            if pred(&self.c) {
                return Some(self.now);
            }
            match self.c.next_deadline() {
                Some(d) if d <= end => {
                    self.now = d.max(self.now);
                    self.c.tick(self.now);
                }
                _ => {
                    self.now = end;
                    self.c.tick(end);
                    return pred(&self.c).then_some(self.now);
                }
            }
        }
    }
}
