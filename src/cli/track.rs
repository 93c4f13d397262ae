//! The pure bookkeeping behind `failover-watch`: [`Tracker`] diffs successive topology snapshots
//! into watch events (type changes, primary lost/elected with the no-primary gap, members added or
//! removed, tags changes, config changes with the members the primary lists that came, went or
//! changed role, a member's applied optime moving backwards (a rollback), RTT moves), and
//! [`ProbeTracker`] turns probe write results into outages. Times are milliseconds since the
//! epoch, passed in.

use std::collections::BTreeMap;

use crate::core::address::ServerAddress;
use crate::core::description::{OpTime, ServerDescription, ServerType, TopologyDescription};

use super::render::{r3, rfc3339_ms, term_from_election_id, RoleChange, WatchEvent, WatchMember};

/// Each member the primary's `hello` lists, with its role there (`host`: electable, `passive`:
/// priority 0, `arbiter`).
fn roles(primary: &ServerDescription) -> BTreeMap<String, &'static str> {
    let mut m = BTreeMap::new();
    for a in &primary.hosts {
        m.insert(a.to_string(), "host");
    }
    for a in &primary.passives {
        m.insert(a.to_string(), "passive");
    }
    for a in &primary.arbiters {
        m.insert(a.to_string(), "arbiter");
    }
    m
}

/// `a` is older than `b` as mongod orders optimes (term first, then timestamp).
fn older(a: &OpTime, b: &OpTime) -> bool {
    (a.t, a.ts) < (b.t, b.ts)
}

fn primary_of(t: &TopologyDescription) -> Option<&crate::core::description::ServerDescription> {
    t.servers
        .values()
        .find(|s| s.server_type == ServerType::RSPrimary)
}

fn error_text(sd: &crate::core::description::ServerDescription) -> Option<String> {
    sd.error
        .as_ref()
        .map(|e| super::render::redact_text(&e.to_string()))
}

/// Diffs topology snapshots into [`WatchEvent`]s.
#[derive(Debug)]
pub struct Tracker {
    last: Option<TopologyDescription>,
    /// The last primary seen, kept through a no-primary gap so that `primary_elected` names the
    /// primary it replaced even when `primary_lost` came first (the usual order).
    last_primary: Option<ServerAddress>,
    /// When rsctl noticed the set had no primary (for `no_primary_ms`).
    no_primary_since: Option<i64>,
    /// RTT last reported per member (the baseline for the threshold).
    rtt_reported: BTreeMap<ServerAddress, f64>,
    rtt_threshold_ms: f64,
    /// The members the last primary seen listed, with their roles (for `config_changed`).
    roles: Option<BTreeMap<String, &'static str>>,
    /// Each member's newest applied optime and its lastWriteDate (for `rollback`), kept while the
    /// member is unreachable.
    applied: BTreeMap<ServerAddress, (OpTime, Option<i64>)>,
    /// Primaries elected while watching (not counting the initial one).
    pub elections: u64,
}

impl Tracker {
    /// A tracker reporting RTT moves larger than `rtt_threshold_ms`.
    pub fn new(rtt_threshold_ms: f64) -> Self {
        Tracker {
            last: None,
            last_primary: None,
            no_primary_since: None,
            rtt_reported: BTreeMap::new(),
            rtt_threshold_ms,
            roles: None,
            applied: BTreeMap::new(),
            elections: 0,
        }
    }

    /// Rollbacks: members whose applied optime is older than the newest seen before.
    fn rollback_events(&mut self, topology: &TopologyDescription) -> Vec<WatchEvent> {
        let mut events = Vec::new();
        for (a, sd) in &topology.servers {
            let Some(op) = sd.op_time else {
                continue;
            };
            let date = sd.last_write_date_ms;
            match self.applied.get(a) {
                Some((prev, prev_date)) if older(&op, prev) => {
                    let lost = match (date, *prev_date) {
                        (Some(d), Some(p)) if p >= d => Some((d, p)),
                        _ => None,
                    };
                    events.push(WatchEvent::Rollback {
                        host: a.to_string(),
                        from: (*prev).into(),
                        to: op.into(),
                        lost_from: lost.map(|(d, _)| rfc3339_ms(d)),
                        lost_to: lost.map(|(_, p)| rfc3339_ms(p)),
                        lost_ms: lost.map(|(d, p)| p - d),
                    });
                    self.applied.insert(a.clone(), (op, date));
                }
                Some((prev, _)) if !older(prev, &op) => {}
                _ => {
                    self.applied.insert(a.clone(), (op, date));
                }
            }
        }
        events
    }

    /// The `topology` event for the first snapshot; later snapshots are diffed against it.
    pub fn initial(&mut self, now_ms: i64, topology: &TopologyDescription) -> WatchEvent {
        let primary = primary_of(topology);
        if primary.is_none() {
            self.no_primary_since = Some(now_ms);
        }
        self.last_primary = primary.map(|p| p.address.clone());
        self.roles = primary.map(roles);
        self.rollback_events(topology);
        for (a, sd) in &topology.servers {
            if let Some(r) = sd.round_trip_time_ms {
                self.rtt_reported.insert(a.clone(), r);
            }
        }
        let event = WatchEvent::Topology {
            set: topology.set_name.clone(),
            topology_type: topology.topology_type.as_str().to_string(),
            primary: primary.map(|p| p.address.to_string()),
            term: primary
                .and_then(|p| p.election_id.as_ref())
                .map(term_from_election_id),
            config_version: topology.max_set_version,
            members: topology
                .servers
                .values()
                .map(|sd| WatchMember {
                    host: sd.address.to_string(),
                    server_type: sd.server_type.as_str().to_string(),
                    rtt_ms: sd.round_trip_time_ms.map(r3),
                    tags: sd.tags.clone(),
                    error: error_text(sd),
                })
                .collect(),
        };
        self.last = Some(topology.clone());
        event
    }

    /// The events between the previous snapshot and `new`.
    pub fn update(&mut self, now_ms: i64, new: &TopologyDescription) -> Vec<WatchEvent> {
        let Some(old) = self.last.take() else {
            return vec![self.initial(now_ms, new)];
        };
        let mut events = Vec::new();

        for (a, sd) in &new.servers {
            match old.servers.get(a) {
                None => events.push(WatchEvent::MemberAdded {
                    host: a.to_string(),
                    server_type: sd.server_type.as_str().to_string(),
                }),
                Some(prev) => {
                    if prev.server_type != sd.server_type {
                        events.push(WatchEvent::ServerChanged {
                            host: a.to_string(),
                            from: prev.server_type.as_str().to_string(),
                            to: sd.server_type.as_str().to_string(),
                            error: if sd.server_type == ServerType::Unknown {
                                error_text(sd)
                            } else {
                                None
                            },
                        });
                    } else if prev.server_type != ServerType::Unknown && prev.tags != sd.tags {
                        events.push(WatchEvent::TagsChanged {
                            host: a.to_string(),
                            from: prev.tags.clone(),
                            to: sd.tags.clone(),
                        });
                    }
                }
            }
        }
        for a in old.servers.keys() {
            if !new.servers.contains_key(a) {
                self.rtt_reported.remove(a);
                events.push(WatchEvent::MemberRemoved {
                    host: a.to_string(),
                });
            }
        }

        let old_primary = primary_of(&old);
        let new_primary = primary_of(new);
        match (old_primary, new_primary) {
            (Some(o), None) => {
                self.no_primary_since = Some(now_ms);
                events.push(WatchEvent::PrimaryLost {
                    host: o.address.to_string(),
                });
            }
            (o, Some(n)) if o.map(|o| &o.address) != Some(&n.address) => {
                self.elections += 1;
                let gap = self
                    .no_primary_since
                    .take()
                    .map(|since| (now_ms - since).max(0));
                events.push(WatchEvent::PrimaryElected {
                    host: n.address.to_string(),
                    previous: o
                        .map(|o| &o.address)
                        .or(self.last_primary.as_ref())
                        .map(|a| a.to_string()),
                    term: n.election_id.as_ref().map(term_from_election_id),
                    election_id: n.election_id.map(|id| id.to_hex()),
                    no_primary_ms: Some(gap.unwrap_or(0)),
                });
            }
            (Some(o), Some(n)) if o.election_id != n.election_id && n.election_id.is_some() => {
                // Same host, new term: it stepped down and was re-elected between two checks.
                self.elections += 1;
                events.push(WatchEvent::PrimaryElected {
                    host: n.address.to_string(),
                    previous: Some(o.address.to_string()),
                    term: n.election_id.as_ref().map(term_from_election_id),
                    election_id: n.election_id.map(|id| id.to_hex()),
                    no_primary_ms: None,
                });
            }
            _ => {}
        }

        let new_roles = new_primary.map(roles);
        if old.max_set_version.is_some() && old.max_set_version != new.max_set_version {
            let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
            if let (Some(before), Some(after)) = (&self.roles, &new_roles) {
                for (h, r) in after {
                    match before.get(h) {
                        None => added.push(h.clone()),
                        Some(o) if o != r => changed.push(RoleChange {
                            host: h.clone(),
                            from: o.to_string(),
                            to: r.to_string(),
                        }),
                        Some(_) => {}
                    }
                }
                removed.extend(before.keys().filter(|h| !after.contains_key(*h)).cloned());
            }
            events.push(WatchEvent::ConfigChanged {
                from: old.max_set_version,
                to: new.max_set_version,
                term: new_primary
                    .and_then(|p| p.election_id.as_ref())
                    .map(term_from_election_id),
                added,
                removed,
                changed,
            });
        }
        events.extend(self.rollback_events(new));

        if let Some(n) = new_primary {
            self.last_primary = Some(n.address.clone());
        }
        if new_roles.is_some() {
            self.roles = new_roles;
        }
        events.extend(self.rtt_events(new));
        self.last = Some(new.clone());
        events
    }

    /// RTT moves beyond the threshold (also called on a timer, since RTT-only changes do not
    /// produce description-changed events).
    pub fn rtt_events(&mut self, topology: &TopologyDescription) -> Vec<WatchEvent> {
        let mut events = Vec::new();
        for (a, sd) in &topology.servers {
            if sd.server_type == ServerType::Unknown {
                continue;
            }
            let Some(rtt) = sd.round_trip_time_ms else {
                continue;
            };
            match self.rtt_reported.get(a) {
                None => {
                    self.rtt_reported.insert(a.clone(), rtt);
                }
                Some(&prev) if (rtt - prev).abs() > self.rtt_threshold_ms => {
                    self.rtt_reported.insert(a.clone(), rtt);
                    events.push(WatchEvent::Rtt {
                        host: a.to_string(),
                        from_ms: r3(prev),
                        to_ms: r3(rtt),
                    });
                }
                Some(_) => {}
            }
        }
        events
    }
}

/// Turns the results of probe writes into outages.
#[derive(Debug, Default)]
pub struct ProbeTracker {
    /// Start of the current outage and writes failed so far.
    current: Option<(i64, u64)>,
    /// Durations of the outages that ended.
    pub outages: Vec<i64>,
    /// Successful probe writes.
    pub ok: u64,
    /// Failed probe writes.
    pub failed: u64,
}

impl ProbeTracker {
    /// A new tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// A write started at `started_ms` failed.
    pub fn failure(&mut self, started_ms: i64, error: &str) -> WatchEvent {
        self.failed += 1;
        let cur = self.current.get_or_insert((started_ms, 0));
        cur.1 += 1;
        WatchEvent::ProbeFailed {
            error: error.to_string(),
            writes_failed: cur.1,
        }
    }

    /// A write was acknowledged at `acked_ms`: ends the current outage, if any.
    pub fn success(&mut self, acked_ms: i64) -> Option<WatchEvent> {
        self.ok += 1;
        let (started, failed) = self.current.take()?;
        let duration = (acked_ms - started).max(0);
        self.outages.push(duration);
        Some(WatchEvent::Outage {
            started: rfc3339_ms(started),
            ended: rfc3339_ms(acked_ms),
            duration_ms: duration,
            writes_failed: failed,
        })
    }

    /// How long the current outage has lasted at `now_ms`, if one is open.
    pub fn ongoing(&self, now_ms: i64) -> Option<i64> {
        self.current.map(|(s, _)| (now_ms - s).max(0))
    }

    /// The summary event.
    pub fn summary(&self, now_ms: i64, watched_ms: i64, elections: u64) -> WatchEvent {
        WatchEvent::Summary {
            duration_ms: watched_ms,
            elections,
            outages: self.outages.len() as u64,
            longest_outage_ms: self.outages.iter().copied().max().unwrap_or(0),
            total_outage_ms: self.outages.iter().sum(),
            probes_ok: self.ok,
            probes_failed: self.failed,
            ongoing_outage_ms: self.ongoing(now_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::description::ServerDescription;
    use bson::oid::ObjectId;

    fn topo(servers: &[(&str, ServerType, Option<u8>)]) -> TopologyDescription {
        let servers = servers
            .iter()
            .map(|(h, t, term)| {
                let mut sd = ServerDescription::new_unknown(ServerAddress::parse(h).unwrap());
                sd.server_type = *t;
                sd.round_trip_time_ms = Some(1.0);
                if let Some(term) = term {
                    let mut b = [0u8; 12];
                    b[..4].copy_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
                    b[11] = *term;
                    sd.election_id = Some(ObjectId::from_bytes(b));
                }
                sd
            })
            .collect();
        crate::cli::fixtures::rs_topology(servers)
    }

    #[test]
    fn failover_sequence() {
        use ServerType::*;
        let mut t = Tracker::new(50.0);
        let a = topo(&[
            ("a:1", RSPrimary, Some(1)),
            ("b:1", RSSecondary, None),
            ("c:1", RSSecondary, None),
        ]);
        match t.initial(1000, &a) {
            WatchEvent::Topology {
                primary,
                term,
                members,
                ..
            } => {
                assert_eq!(primary.as_deref(), Some("a:1"));
                assert_eq!(term, Some(1));
                assert_eq!(members.len(), 3);
            }
            other => panic!("{other:?}"),
        }
        let b = topo(&[
            ("a:1", Unknown, None),
            ("b:1", RSSecondary, None),
            ("c:1", RSSecondary, None),
        ]);
        let ev = t.update(2000, &b);
        assert!(
            ev.contains(&WatchEvent::PrimaryLost { host: "a:1".into() }),
            "{ev:?}"
        );
        assert!(ev.iter().any(|e| matches!(e, WatchEvent::ServerChanged { host, to, .. } if host == "a:1" && to == "Unknown")));
        let c = topo(&[
            ("a:1", Unknown, None),
            ("b:1", RSPrimary, Some(2)),
            ("c:1", RSSecondary, None),
        ]);
        let ev = t.update(3500, &c);
        let elected = ev
            .iter()
            .find(|e| matches!(e, WatchEvent::PrimaryElected { .. }))
            .expect("elected");
        match elected {
            WatchEvent::PrimaryElected {
                host,
                previous,
                term,
                no_primary_ms,
                ..
            } => {
                assert_eq!(host, "b:1");
                // primary_lost came first: previous still names the primary it replaced.
                assert_eq!(previous.as_deref(), Some("a:1"));
                assert_eq!(*term, Some(2));
                assert_eq!(*no_primary_ms, Some(1500));
            }
            _ => unreachable!(),
        }
        assert_eq!(t.elections, 1);
        // Nothing changed: no events.
        assert!(t.update(3600, &c).is_empty());
    }

    #[test]
    fn members_tags_config_and_rtt() {
        use ServerType::*;
        let mut t = Tracker::new(50.0);
        let a = topo(&[("a:1", RSPrimary, Some(1)), ("b:1", RSSecondary, None)]);
        t.initial(0, &a);
        let mut b = topo(&[("a:1", RSPrimary, Some(1)), ("c:1", RSSecondary, None)]);
        b.max_set_version = Some(2);
        b.servers
            .get_mut(&ServerAddress::parse("a:1").unwrap())
            .unwrap()
            .tags
            .insert("dc".into(), "ny".into());
        b.servers
            .get_mut(&ServerAddress::parse("a:1").unwrap())
            .unwrap()
            .round_trip_time_ms = Some(120.0);
        let ev = t.update(10, &b);
        assert!(ev
            .iter()
            .any(|e| matches!(e, WatchEvent::MemberAdded { host, .. } if host == "c:1")));
        assert!(ev.contains(&WatchEvent::MemberRemoved { host: "b:1".into() }));
        assert!(ev
            .iter()
            .any(|e| matches!(e, WatchEvent::TagsChanged { host, .. } if host == "a:1")));
        assert!(ev.iter().any(|e| matches!(
            e,
            WatchEvent::ConfigChanged {
                from: Some(1),
                to: Some(2),
                ..
            }
        )));
        assert!(ev.contains(&WatchEvent::Rtt {
            host: "a:1".into(),
            from_ms: 1.0,
            to_ms: 120.0
        }));
        // Small moves are not reported.
        b.servers
            .get_mut(&ServerAddress::parse("a:1").unwrap())
            .unwrap()
            .round_trip_time_ms = Some(130.0);
        assert!(t.rtt_events(&b).is_empty());
    }

    fn with_optime(
        mut t: TopologyDescription,
        host: &str,
        secs: u32,
        term: i64,
        date: i64,
    ) -> TopologyDescription {
        let sd = t
            .servers
            .get_mut(&ServerAddress::parse(host).unwrap())
            .unwrap();
        sd.op_time = Some(OpTime {
            ts: bson::Timestamp {
                time: secs,
                increment: 1,
            },
            t: term,
        });
        sd.last_write_date_ms = Some(date);
        t
    }

    #[test]
    fn config_changed_names_members_and_term_and_rollback_is_seen() {
        use ServerType::*;
        let addr = |h: &str| ServerAddress::parse(h).unwrap();
        let mut a = topo(&[
            ("a:1", RSPrimary, Some(4)),
            ("b:1", RSSecondary, None),
            ("c:1", RSSecondary, None),
        ]);
        {
            let p = a.servers.get_mut(&addr("a:1")).unwrap();
            p.hosts = vec![addr("a:1"), addr("b:1"), addr("c:1")].into();
        }
        let a = with_optime(a, "b:1", 100, 4, 100_000);
        let mut t = Tracker::new(50.0);
        t.initial(0, &a);
        // Version 2: c removed, d added, b now priority 0 (a passive).
        let mut b = topo(&[
            ("a:1", RSPrimary, Some(4)),
            ("b:1", RSSecondary, None),
            ("d:1", RSSecondary, None),
        ]);
        b.max_set_version = Some(2);
        {
            let p = b.servers.get_mut(&addr("a:1")).unwrap();
            p.hosts = vec![addr("a:1"), addr("d:1")].into();
            p.passives = vec![addr("b:1")].into();
        }
        // b's optime went back from (100, term 4) to (90, term 4): 10 s of writes lost.
        let b = with_optime(b, "b:1", 90, 4, 90_000);
        let ev = t.update(10, &b);
        let cc = ev
            .iter()
            .find_map(|e| match e {
                WatchEvent::ConfigChanged {
                    from,
                    to,
                    term,
                    added,
                    removed,
                    changed,
                } => Some((
                    *from,
                    *to,
                    *term,
                    added.clone(),
                    removed.clone(),
                    changed.clone(),
                )),
                _ => None,
            })
            .expect("config_changed");
        assert_eq!((cc.0, cc.1, cc.2), (Some(1), Some(2), Some(4)));
        assert_eq!(cc.3, ["d:1"]);
        assert_eq!(cc.4, ["c:1"]);
        assert_eq!(
            cc.5,
            [RoleChange {
                host: "b:1".into(),
                from: "host".into(),
                to: "passive".into()
            }]
        );
        let rb = ev
            .iter()
            .find(|e| matches!(e, WatchEvent::Rollback { .. }))
            .expect("rollback");
        let line = super::super::render::WatchLine::new(10, rb.clone()).json();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["type"], "rollback");
        assert_eq!(v["host"], "b:1");
        assert_eq!(v["from"]["ts"]["t"], 100);
        assert_eq!(v["to"]["ts"]["t"], 90);
        assert_eq!(v["lost_ms"], 10_000);
        assert_eq!(v["lost_from"], "1970-01-01T00:01:30.000Z");
        // Moving forward again is no rollback; the JSON keeps from/to for config_changed.
        let c = with_optime(b.clone(), "b:1", 95, 5, 95_000);
        assert!(t.update(20, &c).is_empty());
        let cc_line = super::super::render::WatchLine::new(
            0,
            ev.iter()
                .find(|e| matches!(e, WatchEvent::ConfigChanged { .. }))
                .unwrap()
                .clone(),
        )
        .json();
        let v: serde_json::Value = serde_json::from_str(&cc_line).unwrap();
        assert_eq!((v["from"].as_i64(), v["to"].as_i64()), (Some(1), Some(2)));
        let plain = crate::cli::output::Style::plain();
        let text = |e: &WatchEvent| super::super::render::WatchLine::new(0, e.clone()).text(&plain);
        let cc_event = ev
            .iter()
            .find(|e| matches!(e, WatchEvent::ConfigChanged { .. }))
            .unwrap();
        assert!(
            text(cc_event).ends_with(
                "config version 1 → 2, term 4, added d:1, removed c:1, b:1 host → passive"
            ),
            "{}",
            text(cc_event)
        );
        assert!(text(rb).contains("rollback: b:1 went back from optime (100:1, term 4) to (90:1, term 4); writes from 1970-01-01T00:01:30.000Z to 1970-01-01T00:01:40.000Z (10.00 s) were lost"), "{}", text(rb));
        // A newer term with an older timestamp is not a rollback (term orders first).
        let d = with_optime(c, "b:1", 80, 6, 80_000);
        assert!(t.update(30, &d).is_empty());
    }

    #[test]
    fn probe_outages() {
        let mut p = ProbeTracker::new();
        assert!(p.success(0).is_none());
        p.failure(100, "no primary");
        match p.failure(200, "no primary") {
            WatchEvent::ProbeFailed { writes_failed, .. } => assert_eq!(writes_failed, 2),
            e => panic!("{e:?}"),
        }
        assert_eq!(p.ongoing(500), Some(400));
        match p.success(1600).expect("outage") {
            WatchEvent::Outage {
                duration_ms,
                writes_failed,
                ..
            } => {
                assert_eq!(duration_ms, 1500);
                assert_eq!(writes_failed, 2);
            }
            e => panic!("{e:?}"),
        }
        p.failure(2000, "x");
        p.success(2100);
        match p.summary(3000, 3000, 1) {
            WatchEvent::Summary {
                outages,
                longest_outage_ms,
                total_outage_ms,
                probes_ok,
                probes_failed,
                ongoing_outage_ms,
                ..
            } => {
                assert_eq!(
                    (outages, longest_outage_ms, total_outage_ms),
                    (2, 1500, 1600)
                );
                assert_eq!((probes_ok, probes_failed), (3, 3));
                assert_eq!(ongoing_outage_ms, None);
            }
            e => panic!("{e:?}"),
        }
    }
}
