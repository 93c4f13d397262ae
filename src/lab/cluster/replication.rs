//! Replication: the oplog, sync sources, the majority commit point, rollback, the periodic
//! no-op writer, and whether a write's concern is satisfied.

use super::member::{MemberState, OpTime, OplogEntry};
use super::timer::Timer;
use super::write::WMode;
use super::{Cluster, Millis};
use crate::lab::store::{Op, Store};

/// How long a member stays in ROLLBACK (mongod's takes from under a second for a few writes to
/// much longer for large ones).
const ROLLBACK_MS: Millis = 1_000;

impl Cluster {
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
    pub(super) fn update_commit(&mut self, p: usize) {
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

    // ----- initial sync -----

    /// Member `i` enters STARTUP2: its initial sync ends `initial_sync_ms` from now.
    pub(super) fn begin_initial_sync(&mut self, i: usize, now: Millis) {
        let ms = self.options.initial_sync_ms;
        let mem = &mut self.members[i];
        mem.state = MemberState::Startup2;
        mem.initial_sync_started = Some(now);
        mem.sync_source = None;
        mem.timers.stop(Timer::Election);
        mem.timers.set(Timer::InitialSync, now.saturating_add(ms));
    }

    /// Where a STARTUP2 member copies its data from: a reachable primary or secondary of its
    /// set, the one with the newest oplog (lowest index on ties).
    pub(super) fn initial_sync_source(&self, i: usize) -> Option<usize> {
        let cfg = self.members[i].config.as_ref()?;
        cfg.members
            .iter()
            .filter(|c| c.index != i && c.data_bearing() && self.can_see(i, c.index))
            .map(|c| c.index)
            .filter(|&j| {
                let o = &self.members[j];
                matches!(o.state, MemberState::Primary | MemberState::Secondary)
                    && o.config
                        .as_ref()
                        .is_some_and(|oc| oc.set_name == cfg.set_name)
                    && !o.oplog.is_empty()
            })
            .min_by_key(|&j| (std::cmp::Reverse(self.members[j].last_optime()), j))
    }

    /// Member `i`'s initial sync ends: it copies its source's oplog and data and becomes
    /// SECONDARY; with no source in sight it tries again after a heartbeat interval.
    pub(super) fn initial_sync_timer_fired(&mut self, i: usize, now: Millis) {
        self.members[i].timers.stop(Timer::InitialSync);
        if self.members[i].state != MemberState::Startup2 {
            return;
        }
        let Some(src) = self.initial_sync_source(i) else {
            let retry = self.members[i]
                .config
                .as_ref()
                .map_or(self.options.heartbeat_interval_ms, |c| {
                    c.heartbeat_interval_ms
                });
            self.members[i]
                .timers
                .set(Timer::InitialSync, now.saturating_add(retry.max(1)));
            return;
        };
        let (oplog, store, commit, term) = {
            let s = &self.members[src];
            (s.oplog.clone(), s.store.clone(), s.commit, s.term)
        };
        let mem = &mut self.members[i];
        mem.oplog = oplog;
        mem.store = store;
        mem.reindex_txns();
        mem.commit = commit.min(mem.last_optime());
        mem.term = mem.term.max(term);
        mem.state = MemberState::Secondary;
        mem.initial_sync_started = None;
        mem.sync_source = Some(src);
        self.bump_tv(i);
        self.reset_election_timer(i, now);
        self.broadcast(i, now);
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
    pub(super) fn replication_due(&self, i: usize) -> Option<(usize, Millis)> {
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

    pub(super) fn replicate(&mut self, i: usize, now: Millis) {
        if self.members[i].state == MemberState::Rollback {
            return;
        }
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
            // mongod: ROLLBACK while it undoes the writes (hello neither primary nor secondary,
            // its lastWrite back at the common point), then SECONDARY and it syncs on.
            mem.state = MemberState::Rollback;
            mem.timers.stop(Timer::Election);
            mem.timers
                .set(Timer::Rollback, now.saturating_add(ROLLBACK_MS));
            self.bump_tv(i);
            return;
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
        if self.members[i].oplog.len() > start {
            self.report_position(i, src);
        }
    }

    /// replSetUpdatePosition: a secondary that applied new entries tells its sync source at once,
    /// and each member up the chain passes it on, so the primary's view of every member's
    /// optime (replSetGetStatus, its lag) moves with replication instead of waiting for the next
    /// heartbeat (mongod: ReplicationCoordinatorExternalState / Reporter).
    fn report_position(&mut self, i: usize, src: usize) {
        let optime = self.members[i].last_optime();
        let wall = self.members[i].last_wall();
        let (mut from, mut hop) = (i, Some(src));
        for _ in 0..self.members.len() {
            let Some(s) = hop else { break };
            if s == i || !self.can_see(from, s) {
                break;
            }
            let view = &mut self.members[s].peers[i];
            if view.optime.is_some_and(|o| o >= optime) {
                break;
            }
            view.optime = Some(optime);
            view.wall_ms = wall;
            (from, hop) = (s, self.members[s].sync_source);
        }
    }

    /// Member `i`'s rollback is over: SECONDARY again (it may stand for election again later).
    pub(super) fn rollback_timer_fired(&mut self, i: usize, now: Millis) {
        self.members[i].timers.stop(Timer::Rollback);
        if self.members[i].state != MemberState::Rollback {
            return;
        }
        self.members[i].state = MemberState::Secondary;
        self.bump_tv(i);
        self.reset_election_timer(i, now);
    }

    // ----- periodic no-op -----

    /// Primary `i`'s periodic no-op writer writes `{msg: "periodic noop"}`.
    pub(super) fn write_periodic_noop(&mut self, i: usize, now: Millis) {
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

    /// When primary `i`'s periodic no-op writer next writes: an interval after its last write.
    pub(super) fn noop_due(&self, i: usize) -> Option<Millis> {
        let interval = self.noop_interval_ms?;
        let m = &self.members[i];
        if m.state != MemberState::Primary {
            return None;
        }
        let last = m.oplog.last().map_or(m.started_at, |e| e.at);
        Some(last.saturating_add(interval))
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
