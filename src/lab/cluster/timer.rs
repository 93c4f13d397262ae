//! A member's timers, as one table (the shape of quinn-proto's `connection/timer.rs`).
//!
//! Each [`Timer`] is either unset or set to a lab time. Four of them fire (the cluster's `step`
//! acts when they come due); two are guards that only say "not before" (a member may not stand
//! for election until they pass). [`TimerTable::next_deadline`] is the earliest timer that fires,
//! which is all the cluster needs to say when it must be ticked next. Pure.

use super::Millis;

/// One kind of member timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The next heartbeat round to every peer (`heartbeatIntervalMillis`).
    Heartbeat,
    /// Stand for election (election timeout with jitter, or an election handoff).
    Election,
    /// Priority takeover: a caught-up member of higher priority than the primary runs.
    Takeover,
    /// Initial sync ends: the STARTUP2 member copies its sync source's data and becomes
    /// SECONDARY.
    InitialSync,
    /// Rollback ends: the ROLLBACK member is SECONDARY again and resumes replication.
    Rollback,
    /// Guard: no standing for election before this (the `replSetStepDown` period).
    StandAfter,
    /// Guard: frozen by `replSetFreeze` until this.
    Frozen,
}

impl Timer {
    /// Every timer, in table order.
    pub(crate) const ALL: [Timer; 7] = [
        Timer::Heartbeat,
        Timer::Election,
        Timer::Takeover,
        Timer::InitialSync,
        Timer::Rollback,
        Timer::StandAfter,
        Timer::Frozen,
    ];

    /// Whether the cluster acts when this timer comes due (guards do not).
    pub(crate) fn fires(self) -> bool {
        matches!(
            self,
            Timer::Heartbeat
                | Timer::Election
                | Timer::Takeover
                | Timer::InitialSync
                | Timer::Rollback
        )
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// A member's timers: each unset or set to a lab time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TimerTable {
    data: [Option<Millis>; Timer::ALL.len()],
}

impl TimerTable {
    /// Sets `timer` to fire (or to expire) at `at`.
    pub(crate) fn set(&mut self, timer: Timer, at: Millis) {
        self.data[timer.slot()] = Some(at);
    }

    /// Unsets `timer`.
    pub(crate) fn stop(&mut self, timer: Timer) {
        self.data[timer.slot()] = None;
    }

    /// When `timer` is set for, if it is.
    pub(crate) fn get(&self, timer: Timer) -> Option<Millis> {
        self.data[timer.slot()]
    }

    /// Whether `timer` is set.
    pub(crate) fn is_set(&self, timer: Timer) -> bool {
        self.get(timer).is_some()
    }

    /// Whether `timer` is set and due at `now`.
    pub(crate) fn is_due(&self, timer: Timer, now: Millis) -> bool {
        self.get(timer).is_some_and(|t| t <= now)
    }

    /// Whether the guard `timer` still holds at `now` (set, and not yet passed).
    pub(crate) fn holds(&self, timer: Timer, now: Millis) -> bool {
        self.get(timer).is_some_and(|t| now < t)
    }

    /// Extends `timer` to at least `at` (an unset timer counts as expired long ago).
    pub(crate) fn extend(&mut self, timer: Timer, at: Millis) {
        let t = self.get(timer).map_or(at, |t| t.max(at));
        self.set(timer, t);
    }

    /// The earliest timer that fires, if any is set.
    pub(crate) fn next_deadline(&self) -> Option<Millis> {
        Timer::ALL
            .iter()
            .filter(|t| t.fires())
            .filter_map(|&t| self.get(t))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_deadline_is_the_earliest_firing_timer() {
        let mut t = TimerTable::default();
        assert_eq!(t.next_deadline(), None);
        t.set(Timer::Election, 900);
        t.set(Timer::Heartbeat, 2_000);
        assert_eq!(t.next_deadline(), Some(900));
        t.stop(Timer::Election);
        assert_eq!(t.next_deadline(), Some(2_000));
        t.set(Timer::Takeover, 1_500);
        assert_eq!(t.next_deadline(), Some(1_500));
    }

    #[test]
    fn guards_never_wake_the_cluster() {
        let mut t = TimerTable::default();
        t.set(Timer::StandAfter, 10);
        t.set(Timer::Frozen, 20);
        assert_eq!(t.next_deadline(), None);
        assert!(t.holds(Timer::Frozen, 19));
        assert!(!t.holds(Timer::Frozen, 20));
        assert!(!t.holds(Timer::Heartbeat, 0));
    }

    #[test]
    fn extend_only_moves_forward() {
        let mut t = TimerTable::default();
        t.extend(Timer::StandAfter, 50);
        assert_eq!(t.get(Timer::StandAfter), Some(50));
        t.extend(Timer::StandAfter, 30);
        assert_eq!(t.get(Timer::StandAfter), Some(50));
        t.extend(Timer::StandAfter, 70);
        assert_eq!(t.get(Timer::StandAfter), Some(70));
        assert!(t.is_due(Timer::StandAfter, 70) && !t.is_due(Timer::StandAfter, 69));
    }
}
