//! Consensus: terms, votes, heartbeats, elections and takeovers (mongod's protocol version 1).
//!
//! Members learn about each other only through heartbeats; a secondary whose election timer
//! fires stands for election, a caught-up member of higher priority than the primary takes over
//! after a delay, and a primary that cannot see a majority steps down. Each election says why it
//! was called with an [`ElectionReason`].

use rand::Rng;

use super::member::{ElectionInfo, MemberState, OpTime, PeerView};
use super::timer::Timer;
use super::{Cluster, LabEvent, Millis};
use crate::lab::replconfig::{self, ReplConfig};
use crate::lab::store::Op;

/// Why an election was called, as `electionCandidateMetrics.lastElectionReason` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElectionReason {
    /// The member heard from no primary for an election timeout.
    ElectionTimeout,
    /// `replSetStepUp`.
    StepUpRequest,
    /// Election handoff from a primary that stepped down (no dry run).
    StepUpRequestSkipDryRun,
    /// A caught-up member of higher priority than the primary.
    PriorityTakeover,
}

impl ElectionReason {
    /// mongod's name for the reason.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ElectionReason::ElectionTimeout => "electionTimeout",
            ElectionReason::StepUpRequest => "stepUpRequest",
            ElectionReason::StepUpRequestSkipDryRun => "stepUpRequestSkipDryRun",
            ElectionReason::PriorityTakeover => "priorityTakeover",
        }
    }

    /// Whether the election runs even inside the stepdown period (a handoff).
    fn skips_stand_guard(self) -> bool {
        self == ElectionReason::StepUpRequestSkipDryRun
    }
}

/// mongod's `priorityTakeoverFreshnessWindowSeconds` (default 2).
const PRIORITY_TAKEOVER_FRESHNESS_SECS: u32 = 2;

/// Whether a member whose last applied optime is `mine` is fresh enough to take over from a
/// primary at `primary`: the same term, and at most the freshness window behind it.
fn fresh_for_takeover(mine: OpTime, primary: OpTime) -> bool {
    mine.term == primary.term
        && primary.secs.saturating_sub(mine.secs) <= PRIORITY_TAKEOVER_FRESHNESS_SECS
}

/// The ObjectId mongod uses as electionId for a term.
pub fn election_id(term: i64) -> bson::oid::ObjectId {
    let mut b = [0u8; 12];
    b[..4].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
    b[4..].copy_from_slice(&term.to_be_bytes());
    bson::oid::ObjectId::from_bytes(b)
}

impl Cluster {
    pub(super) fn in_config(&self, m: usize) -> Option<&replconfig::MemberConfig> {
        let mem = &self.members[m];
        match mem.state {
            MemberState::Startup | MemberState::Removed => None,
            _ => mem.config.as_ref()?.member(m),
        }
    }

    /// The host a member believes is primary.
    pub(super) fn seen_primary(&self, m: usize) -> Option<usize> {
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

    // ----- state changes -----

    pub(super) fn bump_tv(&mut self, m: usize) {
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
    pub(super) fn reset_election_timer(&mut self, m: usize, now: Millis) {
        let electable = self.in_config(m).is_some_and(|c| c.electable());
        if !electable || self.members[m].state != MemberState::Secondary {
            self.members[m].timers.stop(Timer::Election);
            return;
        }
        let timeout = self.election_timeout(m).max(1);
        let jitter = self.rng.gen_range(0..=timeout.saturating_mul(15) / 100);
        self.members[m].timers.set(
            Timer::Election,
            now.saturating_add(timeout).saturating_add(jitter),
        );
        self.members[m].election_reason = ElectionReason::ElectionTimeout;
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
        mem.timers.stop(Timer::Election);
        mem.timers.stop(Timer::Takeover);
        mem.timers.stop(Timer::Heartbeat);
        mem.timers.stop(Timer::InitialSync);
        mem.initial_sync_started = None;
        self.parked.retain(|p| p.key().0 != m);
    }

    /// Leaves the primary state (emits `SteppedDown`).
    pub(super) fn step_down(&mut self, m: usize, now: Millis) {
        if self.members[m].state != MemberState::Primary {
            return;
        }
        self.members[m].state = MemberState::Secondary;
        self.members[m].stepping_down = false;
        self.members[m].timers.stop(Timer::Takeover);
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
    pub(super) fn install_config(
        &mut self,
        m: usize,
        cfg: ReplConfig,
        source: Option<usize>,
        now: Millis,
    ) {
        let was = self.members[m].state;
        let mine = cfg.member(m).cloned();
        let joining = matches!(was, MemberState::Startup | MemberState::Removed) && mine.is_some();
        // A data-bearing member that joins without data copies it first (initial sync, in
        // STARTUP2); one with data (the initiator, a removed member added back) does not.
        let new_state = match &mine {
            None => MemberState::Removed,
            Some(mc) if mc.arbiter_only => MemberState::Arbiter,
            Some(_) => match was {
                MemberState::Primary => MemberState::Primary,
                MemberState::Startup2 => MemberState::Startup2,
                MemberState::Rollback => MemberState::Rollback,
                _ if joining && self.members[m].oplog.is_empty() => MemberState::Startup2,
                _ => MemberState::Secondary,
            },
        };
        if joining {
            if let Some(src) = source {
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
        if !mem.timers.is_set(Timer::Heartbeat) && mem.up {
            mem.timers.set(Timer::Heartbeat, now);
        }
        self.bump_tv(m);
        if primary_unelectable {
            self.step_down(m, now);
        }
        if self.members[m].state == MemberState::Secondary
            && (was != MemberState::Secondary || !self.members[m].timers.is_set(Timer::Election))
        {
            self.reset_election_timer(m, now);
        }
        if !matches!(self.members[m].state, MemberState::Secondary) {
            self.members[m].timers.stop(Timer::Election);
        }
        if new_state == MemberState::Startup2 && was != MemberState::Startup2 {
            self.begin_initial_sync(m, now);
        }
        if new_state != MemberState::Startup2 {
            self.members[m].timers.stop(Timer::InitialSync);
            self.members[m].initial_sync_started = None;
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
        // A primary that sees a newly added member SECONDARY lifts its flag.
        if self.members[i].state == MemberState::Primary
            && j_state == MemberState::Secondary
            && self.members[i]
                .config
                .as_ref()
                .and_then(|c| c.member(j))
                .is_some_and(|c| c.newly_added)
        {
            self.remove_newly_added(i, j, now);
        }
        let me_state = self.members[i].state;
        if j_state == MemberState::Primary
            && j_term == self.members[i].term
            && me_state == MemberState::Secondary
        {
            // Heard from the primary: restart the election timer, learn its commit point.
            if self.members[i].election_reason != ElectionReason::StepUpRequestSkipDryRun
                || !self.members[i].timers.is_set(Timer::Election)
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
                && fresh_for_takeover(my_last, j_last)
                && !self.members[i].timers.is_set(Timer::Takeover)
            {
                // mongod's priority takeover delay: (rank + 1) x electionTimeout + a random
                // [0, 15 %) of it, rank = how many members have a higher priority.
                let rank = cfg.map_or(0, |c| {
                    c.members
                        .iter()
                        .filter(|x| x.effective_priority() > pi)
                        .count()
                }) as u64;
                let timeout = self.election_timeout(i).max(1);
                let jitter = self
                    .rng
                    .gen_range(0..(timeout.saturating_mul(15) / 100).max(1));
                let delay = (rank + 1).saturating_mul(timeout).saturating_add(jitter);
                self.members[i]
                    .timers
                    .set(Timer::Takeover, now.saturating_add(delay));
            }
        }
    }

    /// After a state change, the member heartbeats everyone at once (as mongod does).
    pub(super) fn broadcast(&mut self, p: usize, now: Millis) {
        for j in 0..self.members.len() {
            if j != p && self.members[j].config.is_some() {
                self.observe(j, p, now);
                self.observe(p, j, now);
            }
        }
    }

    pub(super) fn heartbeat_round(&mut self, i: usize, now: Millis) {
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
        self.members[i]
            .timers
            .set(Timer::Heartbeat, now.saturating_add(hb.max(1)));
    }

    /// Member `i`'s election timer fired: it stands (and, losing, waits another timeout).
    pub(super) fn election_timer_fired(&mut self, i: usize, now: Millis) {
        let reason = self.members[i].election_reason;
        self.members[i].timers.stop(Timer::Election);
        if !self.try_election(i, now, reason, reason.skips_stand_guard())
            && !self.members[i].timers.is_set(Timer::Election)
        {
            self.reset_election_timer(i, now);
        }
    }

    /// Member `i`'s takeover timer fired: it runs if it still outranks a primary it can see
    /// and is caught up with it.
    pub(super) fn takeover_timer_fired(&mut self, i: usize, now: Millis) {
        self.members[i].timers.stop(Timer::Takeover);
        let p = self.primary();
        let ok = p.is_some_and(|p| {
            let cfg = self.members[i].config.as_ref();
            let pi = cfg.and_then(|c| c.member(i)).map_or(0.0, |c| c.priority);
            let pp = cfg.and_then(|c| c.member(p)).map_or(0.0, |c| c.priority);
            p != i
                && pi > pp
                && self.can_see(i, p)
                && fresh_for_takeover(self.members[i].last_optime(), self.members[p].last_optime())
        });
        if ok {
            self.try_election(i, now, ElectionReason::PriorityTakeover, false);
        }
    }

    /// Runs an election for `c`. Returns whether it won.
    pub(super) fn try_election(
        &mut self,
        c: usize,
        now: Millis,
        reason: ElectionReason,
        forced: bool,
    ) -> bool {
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
            || (!forced && mem.timers.holds(Timer::StandAfter, now))
            || mem.timers.holds(Timer::Frozen, now)
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
            self.members[j].timers.stop(Timer::Takeover);
            if self.members[j].state == MemberState::Secondary {
                self.reset_election_timer(j, now);
            }
        }
        let commit = self.members[c].commit;
        let mem = &mut self.members[c];
        mem.term = new_term;
        mem.voted_term = new_term;
        mem.state = MemberState::Primary;
        mem.timers.stop(Timer::Election);
        mem.timers.stop(Timer::Takeover);
        mem.election_reason = ElectionReason::ElectionTimeout;
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
}
