//! The lab's clock skew fault (`Fault::Clock`, `rsctl lab clock`), its periodic no-op writer and
//! the heartbeat/election-timeout guard, on the pure state machine (`rsctl::lab::cluster`) driven
//! on a virtual clock: no sockets, no sleeping.
//!
//! The staleness checks feed the lab's own `hello` replies through rsctl's pure SDAM and server
//! selection, as a driver would see them, so they show a member really excluded by
//! `maxStalenessSeconds` without waiting 90 s.

use std::time::Duration;

use bson::{doc, Bson, Document};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerDescription, TopologyDescription, TopologyType};
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::sdam::TopologyOptions;
use rsctl::core::selection::{select_suitable, Criteria, Filter, SelectionSettings, Verdict};
use rsctl::lab::cluster::{Cluster, Fault, LabEvent, MemberState, PERIODIC_NOOP_INTERVAL_MS};
use rsctl::lab::server::sane_heartbeat;

use crate::util::clock::{host, ClockLab, EPOCH, TIMEOUT};

type Lab = ClockLab;

/// This file's helpers on the shared virtual-clock harness.
trait ClockTests {
    fn new(n: usize) -> Self;
    /// Initiates an n-member set with `settings` and waits for a primary.
    fn initiate(&mut self, n: usize, settings: Document) -> usize;
    fn hello(&mut self, m: usize) -> Document;
    /// `lastWrite.lastWriteDate` of member `m`'s hello, in ms.
    fn last_write(&mut self, m: usize) -> i64;
    fn insert(&mut self, p: usize, id: i32);
    /// What a driver whose monitors just checked every member would see (RTT 1 ms each, the
    /// hello replies taken at the lab's current time).
    fn topology(&mut self, n: usize) -> TopologyDescription;
}

impl ClockTests for ClockLab {
    fn new(n: usize) -> Lab {
        ClockLab::seeded(n, 3)
    }

    /// Initiates an n-member set with `settings` and waits for a primary.
    fn initiate(&mut self, n: usize, settings: Document) -> usize {
        let members: Vec<Bson> = (0..n)
            .map(|i| Bson::Document(doc! {"_id": i as i32, "host": host(i)}))
            .collect();
        let mut cfg = doc! {"_id": "rs0", "members": members};
        if !settings.is_empty() {
            cfg.insert("settings", settings);
        }
        let r = self.run(0, "admin", doc! {"replSetInitiate": cfg});
        assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
        self.advance(3 * TIMEOUT);
        self.c.primary().expect("a primary")
    }

    fn hello(&mut self, m: usize) -> Document {
        self.run(m, "admin", doc! {"hello": 1})
    }

    /// `lastWrite.lastWriteDate` of member `m`'s hello, in ms.
    fn last_write(&mut self, m: usize) -> i64 {
        let h = self.hello(m);
        let d = h
            .get_document("lastWrite")
            .and_then(|lw| lw.get_datetime("lastWriteDate"))
            .unwrap_or_else(|_| panic!("hello of {m} has lastWrite.lastWriteDate: {h}"));
        let from_api = self.c.last_write_date(m).unwrap();
        assert_eq!(d.timestamp_millis(), from_api);
        from_api
    }

    fn insert(&mut self, p: usize, id: i32) {
        let r = self.run(
            p,
            "app",
            doc! {"insert": "c", "documents": [ {"_id": id} ], "writeConcern": {"w": 1}},
        );
        assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    }

    /// What a driver whose monitors just checked every member would see (RTT 1 ms each, the
    /// hello replies taken at the lab's current time).
    fn topology(&mut self, n: usize) -> TopologyDescription {
        let seeds: Vec<ServerAddress> = (0..n).map(|i| host(i).parse().unwrap()).collect();
        let mut t = TopologyDescription::new(&TopologyOptions {
            seeds: seeds.clone(),
            set_name: Some("rs0".into()),
            direct_connection: None,
            load_balanced: false,
        });
        let wall = EPOCH + self.now as i64;
        for (i, a) in seeds.into_iter().enumerate() {
            let h = self.hello(i);
            t.update(ServerDescription::from_hello(a, &h, Some(1.0), wall));
        }
        t
    }
}

fn read(mode: ReadPreferenceMode, max_staleness_s: u64) -> Criteria {
    let mut rp = ReadPreference::new(mode);
    rp.max_staleness = Some(Duration::from_secs(max_staleness_s));
    Criteria::Read(rp)
}

const SETTINGS: SelectionSettings = SelectionSettings {
    local_threshold_ms: 15.0,
    heartbeat_frequency_ms: 10_000.0,
};

/// The members other than `p`, each checked to be a secondary.
fn others(c: &Cluster, p: usize, n: usize) -> Vec<usize> {
    let v: Vec<usize> = (0..n).filter(|&i| i != p).collect();
    for &i in &v {
        assert_eq!(
            c.member_state(i),
            Some(MemberState::Secondary),
            "member {i}"
        );
    }
    v
}

// ----- the periodic no-op writer -----

#[test]
fn an_idle_primary_writes_a_periodic_noop_every_interval() {
    let mut lab = Lab::new(3);
    let p = lab.initiate(3, doc! {});
    lab.insert(p, 1);
    let before = lab.c.oplog_len(p);
    let written = lab.last_write(p);
    lab.advance(3 * PERIODIC_NOOP_INTERVAL_MS + 500);
    assert_eq!(
        lab.c.oplog_len(p),
        before + 3,
        "one no-op per idle interval"
    );
    let moved = lab.last_write(p) - written;
    assert_eq!(
        moved,
        3 * PERIODIC_NOOP_INTERVAL_MS as i64,
        "lastWriteDate moved"
    );
    // The secondaries apply it: an idle set stays fresh.
    for s in others(&lab.c, p, 3) {
        assert_eq!(lab.c.last_applied(s), lab.c.last_applied(p));
    }
    let entry = lab.run(
        p,
        "local",
        doc! {"find": "oplog.rs", "sort": {"$natural": -1}, "limit": 1},
    );
    let last = entry
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .ok()
        .and_then(|b| b.first())
        .and_then(Bson::as_document)
        .cloned()
        .unwrap_or_else(|| panic!("the newest oplog entry: {entry}"));
    // It reads like mongod's.
    assert_eq!(last.get_str("op").ok(), Some("n"), "{last}");
    assert_eq!(
        last.get_document("o").unwrap().get_str("msg").ok(),
        Some("periodic noop"),
        "{last}"
    );
}

#[test]
fn writes_postpone_the_noop_and_it_can_be_turned_off() {
    // The same writes, every 6 s, with and without the writer: the set is never idle for
    // 10 s, so the writer adds nothing.
    let grown = |noop: bool| {
        let mut lab = Lab::new(3);
        if !noop {
            lab.c.set_periodic_noop_interval(None);
        }
        let p = lab.initiate(3, doc! {});
        lab.insert(p, 0);
        let before = lab.c.oplog_len(p);
        for i in 1..=5 {
            lab.advance(6_000);
            lab.insert(p, i);
        }
        lab.c.oplog_len(p) - before
    };
    assert_eq!(grown(true), 5);
    assert_eq!(grown(false), 5);

    let mut off = Lab::new(3);
    off.c.set_periodic_noop_interval(None);
    let p = off.initiate(3, doc! {});
    let before = off.c.oplog_len(p);
    off.advance(60_000);
    assert_eq!(off.c.oplog_len(p), before, "no no-op writer");
    let mut on = Lab::new(3);
    let p = on.initiate(3, doc! {});
    let before = on.c.oplog_len(p);
    on.advance(60_000);
    assert_eq!(on.c.oplog_len(p), before + 6, "one no-op per 10 s");
}

#[test]
fn a_partitioned_secondary_grows_stale_on_an_idle_set_thanks_to_the_noop() {
    let mut lab = Lab::new(3);
    let p = lab.initiate(3, doc! {});
    let s = others(&lab.c, p, 3)[0];
    lab.c.fault(s, Fault::Partition, lab.now).unwrap();
    lab.advance(100_000);
    let behind = lab.last_write(p) - lab.last_write(s);
    assert!(
        (90_000..=100_000).contains(&behind),
        "the cut-off member's lastWriteDate is {behind} ms behind"
    );
    let t = lab.topology(3);
    assert_eq!(t.topology_type, TopologyType::ReplicaSetWithPrimary);
    let criteria = read(ReadPreferenceMode::Secondary, 90);
    let sel = select_suitable(&t, &criteria, &SETTINGS, &[]).unwrap();
    let stale = sel
        .candidates
        .iter()
        .find(|c| c.address.to_string() == host(s))
        .unwrap();
    assert_eq!(stale.dropped_by(), Some(Filter::Staleness), "{stale:?}");
}

// ----- the clock fault -----

#[test]
fn a_skewed_primary_dates_its_writes_by_its_own_clock() {
    let mut lab = Lab::new(3);
    let p = lab.initiate(3, doc! {});
    lab.c.fault(p, Fault::Clock(120_000), lab.now).unwrap();
    assert_eq!(lab.c.clock_offset(p), Some(120_000));
    let local = lab
        .hello(p)
        .get_datetime("localTime")
        .unwrap()
        .timestamp_millis();
    assert_eq!(local, EPOCH + lab.now as i64 + 120_000);
    let other = others(&lab.c, p, 3)[0];
    let local = lab
        .hello(other)
        .get_datetime("localTime")
        .unwrap()
        .timestamp_millis();
    assert_eq!(
        local,
        EPOCH + lab.now as i64,
        "only the skewed host's clock"
    );
    let status = lab.run(p, "admin", doc! {"replSetGetStatus": 1});
    assert_eq!(
        status.get_datetime("date").unwrap().timestamp_millis(),
        EPOCH + lab.now as i64 + 120_000
    );

    lab.insert(p, 1);
    assert_eq!(lab.last_write(p), EPOCH + lab.now as i64 + 120_000);
    lab.advance(1);
    for s in others(&lab.c, p, 3) {
        assert_eq!(
            lab.last_write(s),
            lab.last_write(p),
            "secondaries copy the date"
        );
    }

    // Back in time: dates go back, optimes still grow.
    let before = lab.c.last_applied(p).unwrap();
    lab.c.fault(p, Fault::Clock(-60_000), lab.now).unwrap();
    lab.insert(p, 2);
    assert_eq!(lab.last_write(p), EPOCH + lab.now as i64 - 60_000);
    assert!(lab.c.last_applied(p).unwrap() > before);
    lab.c.fault(p, Fault::Clock(0), lab.now).unwrap();
    lab.insert(p, 3);
    assert_eq!(lab.last_write(p), EPOCH + lab.now as i64);

    let err = lab.c.fault(p, Fault::Clock(i64::MAX), lab.now).unwrap_err();
    assert!(err.contains("out of range"), "{err}");
    assert!(lab.c.fault(9, Fault::Clock(1), lab.now).is_err());
}

#[test]
fn clock_skew_and_lag_make_one_secondary_too_stale_for_max_staleness_90() {
    let mut lab = Lab::new(3);
    let p = lab.initiate(3, doc! {});
    let secs = others(&lab.c, p, 3);
    let (fresh, stale) = (secs[0], secs[1]);
    lab.c.fault(stale, Fault::Lag(600_000), lab.now).unwrap();
    lab.c.fault(p, Fault::Clock(120_000), lab.now).unwrap();
    // No client write: the periodic no-op carries the skewed date.
    lab.advance(PERIODIC_NOOP_INTERVAL_MS + 1);
    let gap = lab.last_write(p) - lab.last_write(stale);
    assert!(gap >= 120_000, "lastWriteDate gap {gap} ms");
    assert_eq!(lab.last_write(fresh), lab.last_write(p));

    let t = lab.topology(3);
    let criteria = read(ReadPreferenceMode::Secondary, 90);
    let sel = select_suitable(&t, &criteria, &SETTINGS, &[]).unwrap();
    assert_eq!(sel.suitable, vec![host(fresh).parse().unwrap()]);
    let c = sel
        .candidates
        .iter()
        .find(|c| c.address.to_string() == host(stale))
        .unwrap();
    assert!(
        matches!(c.verdict, Verdict::TooStale { max_staleness_s } if max_staleness_s == 90.0),
        "{c:?}"
    );
    let s = c.staleness_s.unwrap();
    assert!((130.0..150.0).contains(&s), "staleness {s}");
    let reason = c.reason();
    assert!(
        reason.contains("exceeds maxStalenessSeconds 90") && reason.contains("staleness 1"),
        "{reason}"
    );
    let f = sel
        .candidates
        .iter()
        .find(|c| c.address.to_string() == host(fresh))
        .unwrap();
    assert!(f.staleness_s.unwrap() < 11.0, "{f:?}");
}

#[test]
fn with_every_secondary_stale_secondary_finds_none_and_secondary_preferred_the_primary() {
    let mut lab = Lab::new(3);
    let p = lab.initiate(3, doc! {});
    for s in others(&lab.c, p, 3) {
        lab.c.fault(s, Fault::Lag(600_000), lab.now).unwrap();
    }
    lab.c.fault(p, Fault::Clock(300_000), lab.now).unwrap();
    lab.advance(PERIODIC_NOOP_INTERVAL_MS + 1);
    let t = lab.topology(3);
    let secondary = read(ReadPreferenceMode::Secondary, 90);
    let sel = select_suitable(&t, &secondary, &SETTINGS, &[]).unwrap();
    assert!(sel.suitable.is_empty(), "{:?}", sel.candidates);
    let preferred = read(ReadPreferenceMode::SecondaryPreferred, 90);
    let sel = select_suitable(&t, &preferred, &SETTINGS, &[]).unwrap();
    assert_eq!(sel.suitable, vec![host(p).parse().unwrap()]);
    // Lag lifted: they catch up (the entries carry the skewed date) and are fresh again.
    for s in others(&lab.c, p, 3) {
        lab.c.fault(s, Fault::Lag(0), lab.now).unwrap();
    }
    lab.advance(1);
    let t = lab.topology(3);
    let secondary = read(ReadPreferenceMode::Secondary, 90);
    let sel = select_suitable(&t, &secondary, &SETTINGS, &[]).unwrap();
    assert_eq!(sel.suitable.len(), 2, "{:?}", sel.candidates);
}

#[test]
fn a_skewed_secondary_elected_later_writes_with_its_clock() {
    let mut lab = Lab::new(3);
    // Member 2 has priority 0: it votes but never stands, so when the primary dies the skewed
    // secondary is the one member that can win.
    let cfg = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": host(0)},
        {"_id": 1, "host": host(1)},
        {"_id": 2, "host": host(2), "priority": 0},
    ]};
    let r = lab.admin(0, doc! {"replSetInitiate": cfg});
    assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    lab.advance(3 * TIMEOUT);
    let p = lab.c.primary().expect("a primary");
    assert_ne!(p, 2, "a priority-0 member is never elected");
    let next = 1 - p;
    lab.c.fault(next, Fault::Clock(-45_000), lab.now).unwrap();
    lab.c.fault(p, Fault::Kill, lab.now).unwrap();
    lab.advance(3 * TIMEOUT);
    let q = lab.c.primary().expect("a new primary");
    assert_eq!(
        q, next,
        "the skewed secondary, the only electable member, wins"
    );
    let at = lab.now as i64;
    lab.insert(q, 7);
    // Its write is dated by its own clock, 45 s behind the others'.
    assert_eq!(lab.last_write(q), EPOCH + at - 45_000);
}

// ----- heartbeat versus election timeout -----

#[test]
fn sane_heartbeat_clamps_to_half_the_election_timeout_and_says_so() {
    let (hb, warn) = sane_heartbeat(Duration::from_secs(1), Duration::from_secs(2));
    assert_eq!(hb, Duration::from_millis(500));
    let warn = warn.expect("a warning");
    assert!(
        warn.contains("2s") && warn.contains("1s") && warn.contains("using 500ms"),
        "{warn}"
    );
    assert_eq!(
        sane_heartbeat(Duration::from_secs(10), Duration::from_secs(2)),
        (Duration::from_secs(2), None)
    );
    assert_eq!(
        sane_heartbeat(Duration::from_secs(1), Duration::from_millis(500)),
        (Duration::from_millis(500), None)
    );
    let (hb, warn) = sane_heartbeat(Duration::from_secs(1), Duration::ZERO);
    assert_eq!(hb, Duration::from_millis(500));
    assert!(warn.is_some());
    let (hb, _) = sane_heartbeat(Duration::ZERO, Duration::from_secs(2));
    assert_eq!(hb, Duration::from_millis(1));
}

/// Elections in a minute of a 3-member set with these settings.
fn elections_in_a_minute(election_ms: u64, heartbeat_ms: u64) -> usize {
    let mut lab = Lab::new(3);
    lab.initiate(
        3,
        doc! {"electionTimeoutMillis": election_ms as i64, "heartbeatIntervalMillis": heartbeat_ms as i64},
    );
    lab.c.take_events();
    lab.advance(60_000);
    lab.c
        .take_events()
        .iter()
        .filter(|e| matches!(e, LabEvent::Elected { .. }))
        .count()
}

#[test]
fn the_clamped_heartbeat_keeps_a_1s_election_timeout_stable() {
    let flapping = elections_in_a_minute(1_000, 2_000);
    assert!(
        flapping > 3,
        "a 2 s heartbeat with a 1 s election timeout flaps: {flapping} elections"
    );
    let (hb, _) = sane_heartbeat(Duration::from_secs(1), Duration::from_secs(2));
    let stable = elections_in_a_minute(1_000, hb.as_millis() as u64);
    assert_eq!(stable, 0, "no election once the heartbeat is 500 ms");
}
