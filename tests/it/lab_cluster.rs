//! Tests of the lab's pure replica-set state machine (`rsctl::lab::cluster`), driven on a virtual
//! clock: no sockets, no sleeping. Each test steps `now` forward through `next_deadline`.

use bson::{doc, Bson, Document};
use rsctl::lab::cluster::{Cluster, Fault, LabEvent, MemberState, Request, Response};

use crate::util::clock::{options, ClockLab, HB, TIMEOUT};

type Lab = ClockLab;

/// This file's helpers on the shared virtual-clock harness.
trait ClusterTests {
    fn new(n: usize) -> Self;
    fn config3(&self, extra: Document) -> Document;
    /// Initiates a 3-member set and waits for a primary.
    fn initiate3(&mut self) -> usize;
    fn insert(&mut self, member: usize, docs: Vec<Document>, wc: Document) -> (i32, Response);
    fn admin_term(&mut self, member: usize) -> i64;
}

impl ClusterTests for ClockLab {
    fn new(n: usize) -> Lab {
        ClockLab::seeded(n, 7)
    }

    fn config3(&self, extra: Document) -> Document {
        let mut members = Vec::new();
        for i in 0..3 {
            members.push(Bson::Document(
                doc! {"_id": i, "host": format!("127.0.0.1:{}", 27017 + i)},
            ));
        }
        let mut d = doc! {"_id": "rs0", "members": members};
        d.extend(extra);
        d
    }

    /// Initiates a 3-member set and waits for a primary.
    fn initiate3(&mut self) -> usize {
        let cfg = self.config3(doc! {});
        let r = self.admin(0, doc! {"replSetInitiate": cfg});
        assert_ok(&r);
        self.until(TIMEOUT + HB, |c| c.primary().is_some())
            .expect("a primary");
        self.c.primary().unwrap()
    }

    fn insert(&mut self, member: usize, docs: Vec<Document>, wc: Document) -> (i32, Response) {
        let docs: Vec<Bson> = docs.into_iter().map(Bson::Document).collect();
        self.request(
            member,
            5,
            "app",
            doc! {"insert": "c", "documents": docs, "writeConcern": wc},
            false,
        )
    }

    fn admin_term(&mut self, member: usize) -> i64 {
        let s = self.admin(member, doc! {"replSetGetStatus": 1});
        s.get_i64("term").unwrap()
    }
}

fn assert_ok(d: &Document) {
    assert_eq!(d.get_f64("ok").ok(), Some(1.0), "expected ok: 1, got {d}");
}

fn assert_code(d: &Document, code: i32, name: &str) {
    assert_eq!(
        d.get_f64("ok").ok(),
        Some(0.0),
        "expected an error, got {d}"
    );
    assert_eq!(d.get_i32("code").unwrap(), code, "{d}");
    assert_eq!(d.get_str("codeName").unwrap(), name, "{d}");
    assert!(!d.get_str("errmsg").unwrap().is_empty());
}

fn secondaries(c: &Cluster, n: usize) -> Vec<usize> {
    (0..n)
        .filter(|&i| c.member_state(i) == Some(MemberState::Secondary))
        .collect()
}

// ----- hello -----

#[test]
fn uninitialized_hello_shape() {
    let mut lab = Lab::new(3);
    let h = lab.admin(1, doc! {"hello": 1, "helloOk": true});
    assert_ok(&h);
    assert!(!h.get_bool("isWritablePrimary").unwrap());
    assert!(!h.get_bool("secondary").unwrap());
    assert!(h.get_bool("isreplicaset").unwrap());
    assert_eq!(
        h.get_str("info").unwrap(),
        "Does not have a valid replica set config"
    );
    assert!(h.get("setName").is_none() && h.get("hosts").is_none());
    assert_eq!(h.get_i32("maxWireVersion").unwrap(), 21);
    assert_eq!(h.get_i32("minWireVersion").unwrap(), 0);
    assert_eq!(h.get_i32("maxBsonObjectSize").unwrap(), 16_777_216);
    assert_eq!(h.get_i32("maxMessageSizeBytes").unwrap(), 48_000_000);
    assert_eq!(h.get_i32("maxWriteBatchSize").unwrap(), 100_000);
    assert_eq!(h.get_i32("logicalSessionTimeoutMinutes").unwrap(), 30);
    assert_eq!(h.get_i32("connectionId").unwrap(), 1);
    assert!(h.get_bool("helloOk").unwrap());
    assert!(!h.get_bool("readOnly").unwrap());
    let tv = h.get_document("topologyVersion").unwrap();
    assert!(tv.get_object_id("processId").is_ok());
    assert_eq!(tv.get_i64("counter").unwrap(), 0);
    // without helloOk, no helloOk field
    assert!(lab.admin(1, doc! {"hello": 1}).get("helloOk").is_none());
}

#[test]
fn legacy_ismaster_uses_the_ismaster_key() {
    let mut lab = Lab::new(1);
    for name in ["isMaster", "ismaster"] {
        let h = lab.admin(0, doc! {name: 1});
        assert!(h.contains_key("ismaster"), "{h}");
        assert!(!h.contains_key("isWritablePrimary"));
    }
    lab.admin(0, doc! {"replSetInitiate": {}});
    lab.until(HB * 2, |c| c.primary().is_some()).unwrap();
    assert!(lab
        .admin(0, doc! {"isMaster": 1})
        .get_bool("ismaster")
        .unwrap());
}

#[test]
fn each_process_has_its_own_process_id() {
    let mut lab = Lab::new(2);
    let a = lab
        .admin(0, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let b = lab
        .admin(1, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    assert_ne!(
        a.get_object_id("processId").unwrap(),
        b.get_object_id("processId").unwrap()
    );
}

// ----- initiate -----

#[test]
fn initiate_without_config_makes_a_one_member_set() {
    let mut lab = Lab::new(3);
    assert_ok(&lab.admin(2, doc! {"replSetInitiate": 1}));
    let at = lab
        .until(HB * 2, |c| c.primary() == Some(2))
        .expect("member 2 becomes primary");
    assert!(at <= HB + HB * 15 / 100);
    let h = lab.admin(2, doc! {"hello": 1});
    assert_eq!(
        h.get_array("hosts").unwrap(),
        &vec![Bson::String("127.0.0.1:27019".into())]
    );
    assert_eq!(h.get_str("setName").unwrap(), "rs0");
    assert_eq!(h.get_str("me").unwrap(), "127.0.0.1:27019");
    // the others are untouched
    assert!(lab
        .admin(0, doc! {"hello": 1})
        .get_bool("isreplicaset")
        .unwrap());
    let ev = lab.c.take_events();
    assert_eq!(
        ev,
        vec![LabEvent::Elected {
            member: 2,
            term: 1,
            at
        }]
    );
}

#[test]
fn initiate_three_members_elects_one_primary_quickly() {
    let mut lab = Lab::new(3);
    let cfg = lab.config3(doc! {});
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    // every member is a secondary right after initiation
    for i in 0..3 {
        let h = lab.admin(i, doc! {"hello": 1});
        assert!(h.get_bool("secondary").unwrap(), "{h}");
        assert_eq!(h.get_i32("setVersion").unwrap(), 1);
        assert_eq!(h.get_array("hosts").unwrap().len(), 3);
    }
    let at = lab
        .until(TIMEOUT + HB, |c| c.primary().is_some())
        .expect("primary within timeout + interval");
    assert!(at <= HB + HB * 15 / 100, "elected at {at}");
    let p = lab.c.primary().unwrap();
    let events = lab.c.take_events();
    assert_eq!(events.len(), 1);
    assert!(matches!(events[0], LabEvent::Elected { member, term: 1, .. } if member == p));
    let h = lab.admin(p, doc! {"hello": 1});
    assert!(h.get_bool("isWritablePrimary").unwrap());
    assert_eq!(
        h.get_object_id("electionId").unwrap().to_hex(),
        "7fffffff0000000000000001"
    );
    assert_eq!(h.get_str("primary").unwrap(), h.get_str("me").unwrap());
    let lw = h.get_document("lastWrite").unwrap();
    assert_eq!(lw.get_document("opTime").unwrap().get_i64("t").unwrap(), 1);
    assert!(lw.get_datetime("lastWriteDate").is_ok());
    // secondaries learn the primary at once (post-election heartbeats)
    for s in secondaries(&lab.c, 3) {
        let h = lab.admin(s, doc! {"hello": 1});
        assert_eq!(
            h.get_str("primary").unwrap(),
            format!("127.0.0.1:{}", 27017 + p)
        );
        assert!(h.get("electionId").is_none());
    }
}

#[test]
fn initiate_errors() {
    let mut lab = Lab::new(3);
    // wrong set name
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "other", "members": [{"_id": 0, "host": "127.0.0.1:27017"}]}});
    assert_code(&r, 93, "InvalidReplicaSetConfig");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .contains("command line reports rs0"));
    // host the lab does not know
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 1, "host": "127.0.0.1:1"}]}});
    assert_code(&r, 74, "NodeNotFound");
    // duplicate hosts / ids
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 1, "host": "127.0.0.1:27017"}]}});
    assert_code(&r, 93, "InvalidReplicaSetConfig");
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 0, "host": "127.0.0.1:27018"}]}});
    assert_code(&r, 93, "InvalidReplicaSetConfig");
    // mixing localhost and non-localhost
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 1, "host": "db.example.com:27018"}]}});
    assert_code(&r, 93, "InvalidReplicaSetConfig");
    // receiving node not in the config
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 1, "host": "127.0.0.1:27018"}]}});
    assert_code(&r, 74, "NodeNotFound");
    // a member that is down
    lab.c.fault(2, Fault::Kill, lab.now).unwrap();
    let cfg = lab.config3(doc! {});
    let r = lab.admin(0, doc! {"replSetInitiate": cfg.clone()});
    assert_code(&r, 74, "NodeNotFound");
    assert!(r.get_str("errmsg").unwrap().contains("127.0.0.1:27019"));
    // not on admin
    let r = lab.run(0, "test", doc! {"replSetInitiate": cfg});
    assert_code(&r, 13, "Unauthorized");
    // nothing was initiated by the failures
    assert!(lab
        .admin(0, doc! {"hello": 1})
        .get_bool("isreplicaset")
        .unwrap());
}

#[test]
fn initiate_twice_is_already_initialized() {
    let mut lab = Lab::new(3);
    lab.initiate3();
    let cfg = lab.config3(doc! {});
    assert_code(
        &lab.admin(1, doc! {"replSetInitiate": cfg}),
        23,
        "AlreadyInitialized",
    );
}

#[test]
fn initiate_accepts_localhost_names_for_lab_members() {
    let mut lab = Lab::new(2);
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "localhost:27017"}, {"_id": 1, "host": "localhost:27018"}]}});
    assert_ok(&r);
    assert_eq!(
        lab.admin(1, doc! {"hello": 1}).get_str("me").unwrap(),
        "localhost:27018"
    );
}

#[test]
fn not_yet_initialized_errors() {
    let mut lab = Lab::new(1);
    assert_code(
        &lab.admin(0, doc! {"replSetGetStatus": 1}),
        94,
        "NotYetInitialized",
    );
    assert_code(
        &lab.admin(0, doc! {"replSetGetConfig": 1}),
        94,
        "NotYetInitialized",
    );
    assert_code(
        &lab.admin(
            0,
            doc! {"replSetReconfig": {"_id": "rs0", "version": 2, "members": []}},
        ),
        94,
        "NotYetInitialized",
    );
    // reads before a config: not primary, not secondary
    assert_code(
        &lab.run(0, "app", doc! {"find": "c"}),
        13435,
        "NotPrimaryNoSecondaryOk",
    );
    let (_, r) = lab.request(0, 1, "app", doc! {"find": "c"}, true);
    let Response::Now(r) = r else { panic!() };
    assert_code(&r, 13436, "NotPrimaryOrSecondary");
    assert_code(
        &lab.run(0, "app", doc! {"insert": "c", "documents": [{"a": 1}]}),
        10107,
        "NotWritablePrimary",
    );
}

// ----- status and config -----

#[test]
fn replset_get_status_shape() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB * 2);
    let s = lab.admin(p, doc! {"replSetGetStatus": 1});
    assert_ok(&s);
    assert_eq!(s.get_str("set").unwrap(), "rs0");
    assert_eq!(s.get_i32("myState").unwrap(), 1);
    assert_eq!(s.get_i64("term").unwrap(), 1);
    assert_eq!(s.get_i64("heartbeatIntervalMillis").unwrap(), 2000);
    assert_eq!(s.get_i32("majorityVoteCount").unwrap(), 2);
    assert_eq!(s.get_i32("writeMajorityCount").unwrap(), 2);
    let optimes = s.get_document("optimes").unwrap();
    for k in ["lastCommittedOpTime", "appliedOpTime", "durableOpTime"] {
        assert!(optimes.get_document(k).unwrap().get_timestamp("ts").is_ok());
    }
    let ecm = s.get_document("electionCandidateMetrics").unwrap();
    assert_eq!(ecm.get_i64("electionTerm").unwrap(), 1);
    assert_eq!(
        ecm.get_str("lastElectionReason").unwrap(),
        "electionTimeout"
    );
    let members = s.get_array("members").unwrap();
    assert_eq!(members.len(), 3);
    for (i, m) in members.iter().enumerate() {
        let m = m.as_document().unwrap();
        assert_eq!(m.get_i32("_id").unwrap(), i as i32);
        assert_eq!(m.get_f64("health").unwrap(), 1.0);
        assert_eq!(m.get_i32("configVersion").unwrap(), 1);
        if i == p {
            assert!(m.get_bool("self").unwrap());
            assert_eq!(m.get_str("stateStr").unwrap(), "PRIMARY");
            assert!(m.get_datetime("electionDate").is_ok());
        } else {
            assert_eq!(m.get_str("stateStr").unwrap(), "SECONDARY");
            assert!(m.get_datetime("lastHeartbeat").is_ok());
            assert!(m.get_datetime("lastHeartbeatRecv").is_ok());
            assert!(m.contains_key("pingMs"));
            assert_eq!(
                m.get_str("syncSourceHost").unwrap(),
                format!("127.0.0.1:{}", 27017 + p)
            );
        }
    }
    // a secondary's view has no electionCandidateMetrics and names its sync source
    let sec = secondaries(&lab.c, 3)[0];
    let s2 = lab.admin(sec, doc! {"replSetGetStatus": 1});
    assert!(s2.get("electionCandidateMetrics").is_none());
    assert_eq!(s2.get_i32("myState").unwrap(), 2);
}

#[test]
fn status_shows_a_killed_member_as_not_reachable() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let victim = secondaries(&lab.c, 3)[0];
    lab.c.fault(victim, Fault::Kill, lab.now).unwrap();
    lab.advance(HB + 1);
    let s = lab.admin(p, doc! {"replSetGetStatus": 1});
    let m = s.get_array("members").unwrap()[victim]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(m.get_f64("health").unwrap(), 0.0);
    assert_eq!(m.get_i32("state").unwrap(), 8);
    assert_eq!(m.get_str("stateStr").unwrap(), "(not reachable/healthy)");
    assert!(m
        .get_str("lastHeartbeatMessage")
        .unwrap()
        .contains("Connection refused"));
}

#[test]
fn replset_get_config_shape() {
    let mut lab = Lab::new(3);
    let cfg = lab.config3(doc! {"settings": {"electionTimeoutMillis": 5000}});
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    let r = lab.admin(1, doc! {"replSetGetConfig": 1});
    let c = r.get_document("config").unwrap();
    assert_eq!(c.get_str("_id").unwrap(), "rs0");
    assert_eq!(c.get_i32("version").unwrap(), 1);
    assert_eq!(c.get_i64("protocolVersion").unwrap(), 1);
    let m0 = c.get_array("members").unwrap()[0].as_document().unwrap();
    assert_eq!(m0.get_f64("priority").unwrap(), 1.0);
    assert_eq!(m0.get_i32("votes").unwrap(), 1);
    assert!(!m0.get_bool("arbiterOnly").unwrap());
    let st = c.get_document("settings").unwrap();
    assert_eq!(st.get_i32("electionTimeoutMillis").unwrap(), 5000);
    assert_eq!(st.get_i32("heartbeatIntervalMillis").unwrap(), 2000);
    assert!(st.get_object_id("replicaSetId").is_ok());
}

// ----- elections -----

#[test]
fn killing_the_primary_elects_another_after_the_election_timeout() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.c.take_events();
    lab.advance(5_000);
    let killed_at = lab.now;
    lab.c.fault(p, Fault::Kill, killed_at).unwrap();
    assert!(!lab.c.member_view(p).up);
    let ev = lab.c.take_events();
    assert!(matches!(ev[..], [LabEvent::SteppedDown { member, term: 1, .. }] if member == p));
    let at = lab
        .until(TIMEOUT * 2, |c| c.primary().is_some())
        .expect("a new primary");
    // the survivors only give up on the primary after an election timeout (minus at most a
    // heartbeat interval since they last heard from it), plus at most 15 % jitter
    assert!(
        at - killed_at >= TIMEOUT - HB,
        "elected {} ms after the kill",
        at - killed_at
    );
    assert!(
        at - killed_at <= TIMEOUT + TIMEOUT * 15 / 100 + HB,
        "elected {} ms after the kill",
        at - killed_at
    );
    let np = lab.c.primary().unwrap();
    assert_ne!(np, p);
    assert_eq!(lab.c.term(), 2);
    let ev = lab.c.take_events();
    assert!(matches!(ev[..], [LabEvent::Elected { member, term: 2, .. }] if member == np));
    let h = lab.admin(np, doc! {"hello": 1});
    assert_eq!(
        h.get_object_id("electionId").unwrap().to_hex(),
        "7fffffff0000000000000002"
    );
}

#[test]
fn restarted_member_rejoins_as_secondary_with_a_new_process_id() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let (_, r) = lab.insert(p, vec![doc! {"_id": 1}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let before = lab
        .admin(p, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    lab.c.fault(p, Fault::Kill, lab.now).unwrap();
    assert!(lab.c.fault(p, Fault::Kill, lab.now).is_err());
    lab.until(TIMEOUT * 2, |c| c.primary().is_some()).unwrap();
    lab.c.fault(p, Fault::Start, lab.now).unwrap();
    assert!(lab.c.member_view(p).up);
    let h = lab.admin(p, doc! {"hello": 1});
    assert!(h.get_bool("secondary").unwrap(), "{h}");
    let tv = h.get_document("topologyVersion").unwrap();
    assert_ne!(
        tv.get_object_id("processId").unwrap(),
        before.get_object_id("processId").unwrap()
    );
    // it kept its data
    assert_eq!(lab.c.documents(p, "app", "c").len(), 1);
    assert!(lab.c.fault(9, Fault::Kill, lab.now).is_err());
}

#[test]
fn no_primary_without_a_majority() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let secs = secondaries(&lab.c, 3);
    lab.c.take_events();
    lab.c.fault(secs[0], Fault::Kill, lab.now).unwrap();
    lab.c.fault(secs[1], Fault::Kill, lab.now).unwrap();
    // the lone primary steps down once it has not seen a majority for an election timeout
    let at = lab
        .until(TIMEOUT * 3, |c| c.primary().is_none())
        .expect("primary steps down");
    assert!(at >= TIMEOUT);
    assert!(
        matches!(lab.c.take_events()[..], [LabEvent::SteppedDown { member, .. }] if member == p)
    );
    // and nobody is elected however long we wait
    lab.advance(TIMEOUT * 6);
    assert_eq!(lab.c.primary(), None);
    assert!(lab.c.take_events().is_empty());
    let h = lab.admin(p, doc! {"hello": 1});
    assert!(h.get_bool("secondary").unwrap());
    assert!(h.get("primary").is_none());
}

#[test]
fn a_partitioned_primary_steps_down_and_the_majority_elects() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.c.take_events();
    lab.c.fault(p, Fault::Partition, lab.now).unwrap();
    lab.until(TIMEOUT * 3, |c| {
        c.member_state(p) == Some(MemberState::Secondary) && c.primary().is_some()
    })
    .expect("old primary steps down and a new one is elected");
    let np = lab.c.primary().unwrap();
    assert_ne!(np, p);
    let ev = lab.c.take_events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, LabEvent::SteppedDown { member, .. } if *member == p)));
    assert!(ev
        .iter()
        .any(|e| matches!(e, LabEvent::Elected { member, term: 2, .. } if *member == np)));
    // clients still reach the partitioned member; after healing it follows the new primary
    lab.c.fault(p, Fault::Heal, lab.now).unwrap();
    lab.advance(HB * 2);
    let h = lab.admin(p, doc! {"hello": 1});
    assert_eq!(
        h.get_str("primary").unwrap(),
        format!("127.0.0.1:{}", 27017 + np)
    );
}

#[test]
fn priority_takeover() {
    let mut lab = Lab::new(3);
    let cfg = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": "127.0.0.1:27017", "priority": 1},
        {"_id": 1, "host": "127.0.0.1:27018", "priority": 1},
        {"_id": 2, "host": "127.0.0.1:27019", "priority": 5},
    ]};
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    lab.until(TIMEOUT, |c| c.primary().is_some()).unwrap();
    lab.c.take_events();
    // whoever won first, member 2 ends up primary and stays there
    lab.until(TIMEOUT * 3, |c| c.primary() == Some(2))
        .expect("priority 5 member takes over");
    lab.advance(TIMEOUT * 3);
    assert_eq!(lab.c.primary(), Some(2));
    let s = lab.admin(2, doc! {"replSetGetStatus": 1});
    let reason = s
        .get_document("electionCandidateMetrics")
        .unwrap()
        .get_str("lastElectionReason")
        .unwrap()
        .to_string();
    assert!(
        reason == "priorityTakeover" || reason == "electionTimeout",
        "{reason}"
    );
}

#[test]
fn priority_zero_and_arbiters_never_stand() {
    let mut lab = Lab::new(3);
    let cfg = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": "127.0.0.1:27017"},
        {"_id": 1, "host": "127.0.0.1:27018", "priority": 0, "tags": {"dc": "sf"}},
        {"_id": 2, "host": "127.0.0.1:27019", "arbiterOnly": true},
    ]};
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    lab.until(TIMEOUT, |c| c.primary() == Some(0)).unwrap();
    let h1 = lab.admin(1, doc! {"hello": 1});
    assert!(h1.get_bool("passive").unwrap());
    assert_eq!(
        h1.get_array("passives").unwrap(),
        &vec![Bson::String("127.0.0.1:27018".into())]
    );
    assert_eq!(
        h1.get_document("tags").unwrap().get_str("dc").unwrap(),
        "sf"
    );
    let h2 = lab.admin(2, doc! {"hello": 1});
    assert!(h2.get_bool("arbiterOnly").unwrap());
    assert!(!h2.get_bool("secondary").unwrap());
    assert_eq!(
        h2.get_array("arbiters").unwrap(),
        &vec![Bson::String("127.0.0.1:27019".into())]
    );
    assert_eq!(
        h2.get_array("hosts").unwrap(),
        &vec![Bson::String("127.0.0.1:27017".into())]
    );
    // kill the only electable member: nobody else may become primary
    lab.c.fault(0, Fault::Kill, lab.now).unwrap();
    lab.advance(TIMEOUT * 5);
    assert_eq!(lab.c.primary(), None);
}

#[test]
fn elections_are_deterministic_for_a_seed() {
    let run = |seed| {
        let mut lab = Lab::seeded(5, seed);
        let members: Vec<Bson> = (0..5)
            .map(|i| Bson::Document(doc! {"_id": i, "host": format!("127.0.0.1:{}", 27017 + i)}))
            .collect();
        lab.admin(
            0,
            doc! {"replSetInitiate": {"_id": "rs0", "members": members}},
        );
        lab.until(TIMEOUT * 2, |c| c.primary().is_some()).unwrap();
        let p = lab.c.primary().unwrap();
        lab.c.fault(p, Fault::Kill, lab.now).unwrap();
        lab.until(TIMEOUT * 3, |c| c.primary().is_some()).unwrap();
        lab.c.take_events()
    };
    assert_eq!(run(42), run(42));
}

#[test]
fn pause_makes_a_primary_unreachable_and_it_steps_down_on_resume() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.c.fault(p, Fault::Pause, lab.now).unwrap();
    assert!(lab.c.member_view(p).paused);
    lab.until(TIMEOUT * 3, |c| c.primary().is_some_and(|x| x != p))
        .expect("new primary while paused");
    lab.c.fault(p, Fault::Resume, lab.now).unwrap();
    lab.advance(HB * 2);
    assert_eq!(lab.c.member_state(p), Some(MemberState::Secondary));
    assert!(lab.c.fault(p, Fault::Resume, lab.now).is_err());
}

#[test]
fn latency_is_reported_to_the_server() {
    let mut lab = Lab::new(2);
    lab.c.fault(1, Fault::Latency(250), 0).unwrap();
    assert_eq!(lab.c.member_view(1).latency_ms, 250);
    assert_eq!(lab.c.member_view(0).latency_ms, 0);
}

// ----- stepdown, freeze, shutdown -----

#[test]
fn stepdown_hands_over_and_blocks_reelection() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB * 2);
    lab.c.take_events();
    let r = lab.admin(
        p,
        doc! {"replSetStepDown": 60, "secondaryCatchUpPeriodSecs": 5},
    );
    assert_ok(&r);
    assert_eq!(lab.c.member_state(p), Some(MemberState::Secondary));
    let at = lab
        .until(TIMEOUT, |c| c.primary().is_some())
        .expect("handoff election");
    assert!(at - lab.now <= 1, "handoff is immediate");
    let np = lab.c.primary().unwrap();
    assert_ne!(np, p);
    let ev = lab.c.take_events();
    assert!(matches!(ev[0], LabEvent::SteppedDown { member, .. } if member == p));
    // the old primary cannot come back for 60 s even when the new one dies
    lab.c.fault(np, Fault::Kill, lab.now).unwrap();
    let t0 = lab.now;
    lab.until(TIMEOUT * 3, |c| c.primary().is_some())
        .expect("someone");
    let third = lab.c.primary().unwrap();
    assert!(third != p || lab.now - t0 >= 60_000);
}

#[test]
fn stepdown_refused_when_no_secondary_is_caught_up() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(60_000), lab.now).unwrap();
    }
    let (id, r) = lab.insert(p, vec![doc! {"x": 1}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let _ = id;
    let (sid, r) = lab.request(
        p,
        9,
        "admin",
        doc! {"replSetStepDown": 30, "secondaryCatchUpPeriodSecs": 2},
        false,
    );
    assert_eq!(r, Response::Parked);
    lab.advance(2_000);
    let ready = lab.c.take_ready();
    let done = ready
        .iter()
        .find(|r| r.request_id == sid)
        .expect("stepdown answered");
    assert_code(&done.reply, 262, "ExceededTimeLimit");
    assert_eq!(lab.c.primary(), Some(p));
    // force steps down anyway
    assert_ok(&lab.admin(p, doc! {"replSetStepDown": 30, "force": true}));
    assert_ne!(lab.c.member_state(p), Some(MemberState::Primary));
}

#[test]
fn stepdown_errors() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    assert_code(
        &lab.admin(s, doc! {"replSetStepDown": 10}),
        10107,
        "NotWritablePrimary",
    );
    assert_code(
        &lab.admin(
            p,
            doc! {"replSetStepDown": 5, "secondaryCatchUpPeriodSecs": 10},
        ),
        2,
        "BadValue",
    );
}

#[test]
fn freeze_keeps_a_member_from_standing() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    assert_code(
        &lab.admin(p, doc! {"replSetFreeze": 30}),
        95,
        "NotSecondary",
    );
    let secs = secondaries(&lab.c, 3);
    assert_ok(&lab.admin(secs[0], doc! {"replSetFreeze": 120}));
    lab.c.fault(p, Fault::Kill, lab.now).unwrap();
    lab.until(TIMEOUT * 3, |c| c.primary().is_some()).unwrap();
    assert_eq!(lab.c.primary(), Some(secs[1]));
    let r = lab.admin(secs[0], doc! {"replSetFreeze": 0});
    assert_eq!(r.get_str("info").unwrap(), "unfreezing");
}

#[test]
fn shutdown_replies_then_goes_down() {
    let mut lab = Lab::new(3);
    lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    assert_ok(&lab.admin(s, doc! {"shutdown": 1}));
    assert!(!lab.c.member_view(s).up);
    assert_code(
        &lab.run(0, "test", doc! {"shutdown": 1}),
        13,
        "Unauthorized",
    );
}

// ----- reconfig -----

#[test]
fn reconfig_bumps_set_version_and_topology_version() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    let tv_before = lab
        .admin(s, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .get_i64("counter")
        .unwrap();
    let mut cfg = lab
        .admin(p, doc! {"replSetGetConfig": 1})
        .get_document("config")
        .unwrap()
        .clone();
    cfg.insert("version", 2);
    let mut members = cfg.get_array("members").unwrap().clone();
    if let Bson::Document(m) = &mut members[s] {
        m.insert("tags", doc! {"dc": "east"});
    }
    cfg.insert("members", members);
    assert_ok(&lab.admin(p, doc! {"replSetReconfig": cfg.clone()}));
    lab.advance(HB);
    let h = lab.admin(s, doc! {"hello": 1});
    assert_eq!(h.get_i32("setVersion").unwrap(), 2);
    assert_eq!(
        h.get_document("tags").unwrap().get_str("dc").unwrap(),
        "east"
    );
    assert!(
        h.get_document("topologyVersion")
            .unwrap()
            .get_i64("counter")
            .unwrap()
            > tv_before
    );
    // same version again: incompatible
    assert_code(
        &lab.admin(p, doc! {"replSetReconfig": cfg.clone()}),
        103,
        "NewReplicaSetConfigurationIncompatible",
    );
    // on a secondary: not primary
    cfg.insert("version", 3);
    assert_code(
        &lab.admin(s, doc! {"replSetReconfig": cfg.clone()}),
        10107,
        "NotWritablePrimary",
    );
    // different set name
    let mut bad = cfg.clone();
    bad.insert("_id", "zz");
    assert_code(
        &lab.admin(p, doc! {"replSetReconfig": bad}),
        103,
        "NewReplicaSetConfigurationIncompatible",
    );
    // force works on a secondary and jumps the version
    assert_ok(&lab.admin(s, doc! {"replSetReconfig": cfg, "force": true}));
    let v = lab
        .admin(s, doc! {"hello": 1})
        .get_i32("setVersion")
        .unwrap();
    assert!(v > 3, "{v}");
}

#[test]
fn reconfig_changes_one_voter_at_a_time_and_new_voters_are_newly_added() {
    let mut o = options(5, 7);
    o.initial_sync_ms = 3_000;
    let mut lab = Lab::with_options(o);
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}]}}));
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    let (_, r) = lab.insert(0, vec![doc! {"_id": "seed"}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let member = |i: i32| doc! {"_id": i, "host": format!("127.0.0.1:{}", 27017 + i)};
    // two new voting members in one reconfig: both are newlyAdded (no vote yet), so it is not
    // a change of two voters
    let three = doc! {"_id": "rs0", "version": 2, "members": [member(0), member(1), member(2)]};
    assert_ok(&lab.admin(0, doc! {"replSetReconfig": three}));
    let st = lab.admin(0, doc! {"replSetGetStatus": 1});
    assert_eq!(st.get_i32("votingMembersCount").unwrap(), 1, "{st}");
    assert_eq!(st.get_i32("majorityVoteCount").unwrap(), 1, "{st}");
    // replSetGetConfig never shows the flag
    let cfg = lab.admin(0, doc! {"replSetGetConfig": 1});
    for m in cfg
        .get_document("config")
        .unwrap()
        .get_array("members")
        .unwrap()
    {
        assert!(
            m.as_document().unwrap().get("newlyAdded").is_none(),
            "{cfg}"
        );
    }
    // once each is SECONDARY the primary lifts its flag with its own reconfig (version + 1)
    lab.until(5_000, |c| {
        c.member_state(1) == Some(MemberState::Secondary)
            && c.member_state(2) == Some(MemberState::Secondary)
    })
    .expect("both synced");
    lab.advance(HB * 2);
    let st = lab.admin(0, doc! {"replSetGetStatus": 1});
    assert_eq!(st.get_i32("votingMembersCount").unwrap(), 3, "{st}");
    assert_eq!(st.get_i32("majorityVoteCount").unwrap(), 2, "{st}");
    let h = lab.admin(0, doc! {"hello": 1});
    assert_eq!(
        h.get_i32("setVersion").unwrap(),
        4,
        "two automatic reconfigs: {h}"
    );
    assert_eq!(lab.c.documents(1, "app", "c").len(), 1);
    // removing two voters at once is refused; one at a time works
    let one = doc! {"_id": "rs0", "version": 5, "members": [member(0)]};
    assert_code(
        &lab.admin(0, doc! {"replSetReconfig": one}),
        103,
        "NewReplicaSetConfigurationIncompatible",
    );
    // so is taking the vote from two members at once
    let novote = |i: i32| {
        let mut d = member(i);
        d.insert("votes", 0);
        d.insert("priority", 0);
        d
    };
    let flip = doc! {"_id": "rs0", "version": 5, "members": [member(0), novote(1), novote(2)]};
    assert_code(
        &lab.admin(0, doc! {"replSetReconfig": flip}),
        103,
        "NewReplicaSetConfigurationIncompatible",
    );
    let two = doc! {"_id": "rs0", "version": 5, "members": [member(0), member(1)]};
    assert_ok(&lab.admin(0, doc! {"replSetReconfig": two}));
    // a member not up cannot be added
    lab.c.fault(4, Fault::Kill, lab.now).unwrap();
    let with4 = doc! {"_id": "rs0", "version": 6, "members": [member(0), member(1), member(4)]};
    assert_code(
        &lab.admin(0, doc! {"replSetReconfig": with4}),
        74,
        "NodeNotFound",
    );
}

#[test]
fn user_configs_cannot_carry_newly_added() {
    let mut lab = Lab::new(2);
    let r = lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017", "newlyAdded": true}]}});
    assert_code(&r, 93, "InvalidReplicaSetConfig");
}

#[test]
fn a_reconfig_waits_until_the_current_config_is_committed() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB);
    let s = secondaries(&lab.c, 3);
    // cut from both secondaries, the primary cannot pass the quorum check (at once, 74)
    for &x in &s {
        lab.c.fault(x, Fault::Partition, lab.now).unwrap();
    }
    let mut cfg = lab.config3(doc! {"version": 2});
    cfg.get_array_mut("members").unwrap()[p] = Bson::Document(
        doc! {"_id": p as i32, "host": format!("127.0.0.1:{}", 27017 + p), "priority": 2},
    );
    let (_, r) = lab.request(
        p,
        3,
        "admin",
        doc! {"replSetReconfig": cfg, "maxTimeMS": 1000},
        false,
    );
    let Response::Now(d) = r else {
        panic!("answered at once")
    };
    assert_code(&d, 74, "NodeNotFound");
    for &x in &s {
        lab.c.fault(x, Fault::Heal, lab.now).unwrap();
    }
    lab.advance(HB);
    let p = lab.c.primary().expect("primary");
    // a force reconfig installs a config nobody else reports yet: version + 10,000..110,000,
    // term -1
    let forced = lab.config3(doc! {"version": 3});
    let before = lab.admin(p, doc! {"replSetGetConfig": 1});
    let v0 = before
        .get_document("config")
        .unwrap()
        .get_i32("version")
        .unwrap();
    for &x in &secondaries(&lab.c, 3) {
        lab.c.fault(x, Fault::Partition, lab.now).unwrap();
    }
    assert_ok(&lab.admin(p, doc! {"replSetReconfig": forced, "force": true}));
    let after = lab.admin(p, doc! {"replSetGetConfig": 1});
    let c = after.get_document("config").unwrap();
    let v1 = c.get_i32("version").unwrap();
    assert!(
        (v0.max(3) + 10_000..v0.max(3) + 110_000).contains(&v1),
        "{v0} -> {v1}"
    );
    assert_eq!(c.get_i32("term").unwrap(), -1);
    // the next safe reconfig parks: the forced config is not on a majority
    let mut next = lab.config3(doc! {});
    next.insert("version", v1 + 1);
    let (id, r) = lab.request(
        p,
        4,
        "admin",
        doc! {"replSetReconfig": next.clone(), "maxTimeMS": 500},
        false,
    );
    assert_eq!(r, Response::Parked);
    // another reconfig meanwhile: ConfigurationInProgress
    let again = lab.admin(p, doc! {"replSetReconfig": next.clone()});
    assert_code(&again, 109, "ConfigurationInProgress");
    lab.advance(500);
    let ready = lab.c.take_ready();
    let done = ready.iter().find(|r| r.request_id == id).expect("answered");
    assert_code(&done.reply, 308, "CurrentConfigNotCommittedYet");
}

// ----- awaitable hello -----

#[test]
fn awaitable_hello_on_a_secondary_follows_the_primary_changing() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    let park = |lab: &mut Lab, tv: Document| {
        let (id, r) = lab.request(
            s,
            77,
            "admin",
            doc! {"hello": 1, "topologyVersion": tv, "maxAwaitTimeMS": 60_000_i64},
            false,
        );
        assert_eq!(r, Response::Parked);
        id
    };
    let tv = lab
        .admin(s, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let id = park(&mut lab, tv);
    assert!(lab.c.take_ready().is_empty());
    // the primary dies: at the next heartbeat the secondary stops reporting it
    lab.c.fault(p, Fault::Kill, lab.now).unwrap();
    lab.advance(HB);
    let done = lab.c.take_ready();
    let done = done
        .iter()
        .find(|r| r.request_id == id)
        .expect("hello completed within a heartbeat");
    assert_eq!((done.conn, done.member), (77, s));
    assert!(done.reply.get("primary").is_none(), "{}", done.reply);
    // park again: it completes when the new primary is elected and names it
    let tv = done.reply.get_document("topologyVersion").unwrap().clone();
    let id = park(&mut lab, tv);
    lab.until(TIMEOUT * 2, |c| c.primary().is_some()).unwrap();
    let np = lab.c.primary().unwrap();
    let ready = lab.c.take_ready();
    let done = ready
        .iter()
        .find(|r| r.request_id == id)
        .expect("hello completed on election");
    let expected = if np == s {
        done.reply.get_str("me").unwrap().to_string()
    } else {
        format!("127.0.0.1:{}", 27017 + np)
    };
    assert_eq!(done.reply.get_str("primary").unwrap(), expected);
}

#[test]
fn awaitable_hello_completes_when_the_member_changes_state() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let tv = lab
        .admin(p, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let (id, r) = lab.request(
        p,
        3,
        "admin",
        doc! {"hello": 1, "topologyVersion": tv.clone(), "maxAwaitTimeMS": 10_000_i64},
        false,
    );
    assert_eq!(r, Response::Parked);
    assert_ok(&lab.admin(p, doc! {"replSetStepDown": 60}));
    let ready = lab.c.take_ready();
    let done = ready
        .iter()
        .find(|r| r.request_id == id)
        .expect("completed at once");
    assert!(!done.reply.get_bool("isWritablePrimary").unwrap());
    let new_tv = done.reply.get_document("topologyVersion").unwrap();
    assert!(new_tv.get_i64("counter").unwrap() > tv.get_i64("counter").unwrap());
}

#[test]
fn awaitable_hello_times_out_with_the_unchanged_reply() {
    let mut lab = Lab::new(1);
    let tv = lab
        .admin(0, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let (id, r) = lab.request(
        0,
        3,
        "admin",
        doc! {"hello": 1, "topologyVersion": tv.clone(), "maxAwaitTimeMS": 500_i64},
        false,
    );
    assert_eq!(r, Response::Parked);
    assert_eq!(lab.c.next_deadline(), Some(500));
    lab.advance(499);
    assert!(lab.c.take_ready().is_empty());
    lab.advance(1);
    let ready = lab.c.take_ready();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].request_id, id);
    assert_eq!(ready[0].reply.get_document("topologyVersion").unwrap(), &tv);
}

#[test]
fn awaitable_hello_with_an_old_topology_version_answers_at_once() {
    let mut lab = Lab::new(1);
    let tv = lab
        .admin(0, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    lab.admin(0, doc! {"replSetInitiate": 1});
    let (_, r) = lab.request(
        0,
        3,
        "admin",
        doc! {"hello": 1, "topologyVersion": tv, "maxAwaitTimeMS": 500_i64},
        false,
    );
    assert!(matches!(r, Response::Now(_)));
    // topologyVersion without maxAwaitTimeMS is an error
    let tv = lab
        .admin(0, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    assert_code(
        &lab.admin(0, doc! {"hello": 1, "topologyVersion": tv}),
        9,
        "FailedToParse",
    );
}

#[test]
fn closed_connections_and_killed_members_drop_parked_requests() {
    let mut lab = Lab::new(2);
    let tv0 = lab
        .admin(0, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let tv1 = lab
        .admin(1, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let (_, r) = lab.request(
        0,
        11,
        "admin",
        doc! {"hello": 1, "topologyVersion": tv0, "maxAwaitTimeMS": 500_i64},
        false,
    );
    assert_eq!(r, Response::Parked);
    let (_, r) = lab.request(
        1,
        12,
        "admin",
        doc! {"hello": 1, "topologyVersion": tv1, "maxAwaitTimeMS": 500_i64},
        false,
    );
    assert_eq!(r, Response::Parked);
    lab.c.connection_closed(0, 11);
    lab.c.fault(1, Fault::Kill, lab.now).unwrap();
    lab.advance(1_000);
    assert!(lab.c.take_ready().is_empty());
}

// ----- reads, writes, write concerns -----

#[test]
fn reads_on_a_secondary_need_secondary_ok() {
    let mut lab = Lab::new(3);
    lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    assert_code(
        &lab.run(s, "app", doc! {"find": "c"}),
        13435,
        "NotPrimaryNoSecondaryOk",
    );
    let r = lab.run(
        s,
        "app",
        doc! {"find": "c", "$readPreference": {"mode": "secondaryPreferred"}},
    );
    assert_ok(&r);
    let r = lab.run(
        s,
        "app",
        doc! {"count": "c", "$readPreference": {"mode": "primary"}},
    );
    assert_code(&r, 13435, "NotPrimaryNoSecondaryOk");
    let (_, r) = lab.request(s, 1, "app", doc! {"find": "c"}, true);
    assert!(matches!(r, Response::Now(ref d) if d.get_f64("ok").unwrap() == 1.0));
    // state-change errors carry the member's topologyVersion
    let e = lab.run(s, "app", doc! {"insert": "c", "documents": [{"a": 1}]});
    assert_code(&e, 10107, "NotWritablePrimary");
    assert_eq!(e.get_str("errmsg").unwrap(), "not primary");
    assert!(e.get_document("topologyVersion").is_ok());
    // retryable writes get the label
    let e = lab.run(
        s,
        "app",
        doc! {"insert": "c", "documents": [{"a": 1}], "txnNumber": 1_i64},
    );
    assert_eq!(
        e.get_array("errorLabels").unwrap(),
        &vec![Bson::String("RetryableWriteError".into())]
    );
}

#[test]
fn majority_insert_parks_until_replicated() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let (id, r) = lab.insert(p, vec![doc! {"_id": 1, "v": "a"}], doc! {"w": "majority"});
    assert_eq!(r, Response::Parked, "replication happens on the next tick");
    lab.advance(0);
    let ready = lab.c.take_ready();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].request_id, id);
    let reply = &ready[0].reply;
    assert_ok(reply);
    assert_eq!(reply.get_i32("n").unwrap(), 1);
    assert!(reply.get("writeConcernError").is_none());
    assert!(reply.get_document("opTime").is_ok());
    assert_eq!(
        reply.get_object_id("electionId").unwrap().to_hex(),
        "7fffffff0000000000000001"
    );
    for s in secondaries(&lab.c, 3) {
        assert_eq!(
            lab.c.documents(s, "app", "c"),
            vec![doc! {"_id": 1, "v": "a"}]
        );
        assert_eq!(lab.c.last_applied(s), lab.c.last_applied(p));
    }
    // the primary's majority optime has caught up
    lab.advance(HB);
    let h = lab.admin(p, doc! {"hello": 1});
    let lw = h.get_document("lastWrite").unwrap();
    assert_eq!(
        lw.get_document("opTime").unwrap(),
        lw.get_document("majorityOpTime").unwrap()
    );
}

#[test]
fn default_write_concern_is_majority() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let (_, r) = lab.request(
        p,
        5,
        "app",
        doc! {"insert": "c", "documents": [{"a": 1}]},
        false,
    );
    assert_eq!(r, Response::Parked);
    lab.advance(0);
    assert_eq!(lab.c.take_ready().len(), 1);
}

#[test]
fn w1_answers_at_once_and_lagged_secondaries_fall_behind() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let secs = secondaries(&lab.c, 3);
    lab.c.fault(secs[0], Fault::Lag(5_000), lab.now).unwrap();
    let (_, r) = lab.insert(p, vec![doc! {"_id": 1}], doc! {"w": 1});
    let Response::Now(r) = r else {
        panic!("w:1 parked")
    };
    assert_ok(&r);
    lab.advance(100);
    assert_eq!(lab.c.documents(secs[1], "app", "c").len(), 1);
    assert!(
        lab.c.documents(secs[0], "app", "c").is_empty(),
        "lagged member has not applied yet"
    );
    assert!(lab.c.last_applied(secs[0]) < lab.c.last_applied(p));
    lab.advance(5_000);
    assert_eq!(lab.c.documents(secs[0], "app", "c").len(), 1);
}

#[test]
fn w3_waits_for_the_lagged_member_and_wtimeout_fails() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let secs = secondaries(&lab.c, 3);
    lab.c.fault(secs[0], Fault::Lag(5_000), lab.now).unwrap();
    let (id, r) = lab.insert(p, vec![doc! {"_id": 1}], doc! {"w": 3, "wtimeout": 1000});
    assert_eq!(r, Response::Parked);
    lab.advance(999);
    assert!(lab.c.take_ready().is_empty());
    lab.advance(1);
    let ready = lab.c.take_ready();
    assert_eq!(ready[0].request_id, id);
    let reply = &ready[0].reply;
    assert_ok(reply);
    assert_eq!(reply.get_i32("n").unwrap(), 1, "the write itself happened");
    let wce = reply.get_document("writeConcernError").unwrap();
    assert_eq!(wce.get_i32("code").unwrap(), 64);
    assert_eq!(wce.get_str("codeName").unwrap(), "WriteConcernFailed");
    assert!(wce
        .get_document("errInfo")
        .unwrap()
        .get_bool("wtimeout")
        .unwrap());
    // without wtimeout, w:3 completes once the lag has passed
    let (id, r) = lab.insert(p, vec![doc! {"_id": 2}], doc! {"w": 3});
    assert_eq!(r, Response::Parked);
    lab.advance(5_000);
    let ready = lab.c.take_ready();
    let done = ready
        .iter()
        .find(|r| r.request_id == id)
        .expect("w:3 completed");
    assert!(done.reply.get("writeConcernError").is_none());
}

#[test]
fn majority_write_times_out_without_a_majority() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Kill, lab.now).unwrap();
    }
    let (id, r) = lab.insert(
        p,
        vec![doc! {"_id": 1}],
        doc! {"w": "majority", "wtimeout": 2000},
    );
    assert_eq!(r, Response::Parked);
    lab.advance(2_000);
    let ready = lab.c.take_ready();
    let done = ready.iter().find(|r| r.request_id == id).unwrap();
    assert_eq!(
        done.reply
            .get_document("writeConcernError")
            .unwrap()
            .get_i32("code")
            .unwrap(),
        64
    );
}

#[test]
fn write_concern_errors() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let (_, r) = lab.insert(p, vec![doc! {"_id": 1}], doc! {"w": 5});
    let Response::Now(r) = r else { panic!() };
    assert_eq!(
        r.get_document("writeConcernError")
            .unwrap()
            .get_i32("code")
            .unwrap(),
        100
    );
    let (_, r) = lab.insert(p, vec![doc! {"_id": 2}], doc! {"w": "dc-east"});
    let Response::Now(r) = r else { panic!() };
    assert_code(&r, 79, "UnknownReplWriteConcern");
    let (_, r) = lab.insert(p, vec![doc! {"_id": 3}], doc! {"w": -1});
    let Response::Now(r) = r else { panic!() };
    assert_code(&r, 9, "FailedToParse");
}

#[test]
fn primary_stepping_down_fails_waiting_writes() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(60_000), lab.now).unwrap();
    }
    let (id, r) = lab.insert(p, vec![doc! {"_id": 1}], doc! {"w": "majority"});
    assert_eq!(r, Response::Parked);
    assert_ok(&lab.admin(p, doc! {"replSetStepDown": 30, "force": true}));
    let ready = lab.c.take_ready();
    let done = ready.iter().find(|r| r.request_id == id).unwrap();
    assert_eq!(
        done.reply
            .get_document("writeConcernError")
            .unwrap()
            .get_i32("code")
            .unwrap(),
        189
    );
}

#[test]
fn unreplicated_writes_are_rolled_back_when_the_old_primary_rejoins() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let (_, r) = lab.insert(p, vec![doc! {"_id": "kept"}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    lab.advance(10);
    // cut the primary off, then write to it: nobody else gets these
    lab.c.fault(p, Fault::Partition, lab.now).unwrap();
    let (_, r) = lab.insert(
        p,
        vec![doc! {"_id": "lost1"}, doc! {"_id": "lost2"}],
        doc! {"w": 1},
    );
    assert!(matches!(r, Response::Now(_)));
    assert_eq!(lab.c.documents(p, "app", "c").len(), 3);
    lab.until(TIMEOUT * 3, |c| c.primary().is_some_and(|x| x != p))
        .unwrap();
    let np = lab.c.primary().unwrap();
    let (_, r) = lab.insert(np, vec![doc! {"_id": "new"}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    assert_eq!(lab.c.rollbacks(p), 0);
    lab.c.fault(p, Fault::Heal, lab.now).unwrap();
    lab.until(HB * 2, |c| c.rollbacks(p) == 1)
        .expect("the old primary rolls back");
    // ROLLBACK for a while, as mongod shows it: neither primary nor secondary, no reads.
    let st = lab.admin(p, doc! {"replSetGetStatus": 1});
    assert_eq!(st.get_i32("myState"), Ok(9), "{st}");
    let hello = lab.admin(p, doc! {"hello": 1});
    assert_eq!(hello.get_bool("secondary"), Ok(false), "{hello}");
    assert_eq!(hello.get_bool("isWritablePrimary"), Ok(false), "{hello}");
    lab.advance(HB * 2);
    let st = lab.admin(p, doc! {"replSetGetStatus": 1});
    assert_eq!(
        st.get_i32("myState"),
        Ok(2),
        "SECONDARY after the rollback: {st}"
    );
    assert_eq!(lab.c.rollbacks(p), 1);
    let ids: Vec<Bson> = lab
        .c
        .documents(p, "app", "c")
        .iter()
        .map(|d| d.get("_id").unwrap().clone())
        .collect();
    assert_eq!(
        ids,
        vec![Bson::String("kept".into()), Bson::String("new".into())]
    );
    assert_eq!(lab.c.last_applied(p), lab.c.last_applied(np));
    assert_eq!(
        lab.c.documents(p, "app", "c"),
        lab.c.documents(np, "app", "c")
    );
}

#[test]
fn killed_primary_rolls_back_on_restart() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(60_000), lab.now).unwrap();
    }
    let (_, r) = lab.insert(p, vec![doc! {"_id": "unacked"}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    lab.c.fault(p, Fault::Kill, lab.now).unwrap();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(0), lab.now).unwrap();
    }
    lab.until(TIMEOUT * 3, |c| c.primary().is_some()).unwrap();
    lab.c.fault(p, Fault::Start, lab.now).unwrap();
    lab.advance(HB * 2);
    assert_eq!(lab.c.rollbacks(p), 1);
    assert!(lab.c.documents(p, "app", "c").is_empty());
}

#[test]
fn find_get_more_and_kill_cursors() {
    let mut lab = Lab::new(1);
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    let docs: Vec<Document> = (0..10).map(|i| doc! {"_id": i, "v": 10 - i}).collect();
    let (_, r) = lab.insert(0, docs, doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let r = lab.run(0, "app", doc! {"find": "c", "filter": {"v": {"$gt": 2}}, "sort": {"v": 1}, "projection": {"_id": 1}, "batchSize": 3});
    assert_ok(&r);
    let cur = r.get_document("cursor").unwrap();
    assert_eq!(cur.get_str("ns").unwrap(), "app.c");
    let first = cur.get_array("firstBatch").unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].as_document().unwrap(), &doc! {"_id": 7});
    let id = cur.get_i64("id").unwrap();
    assert_ne!(id, 0);
    let r = lab.run(
        0,
        "app",
        doc! {"getMore": id, "collection": "c", "batchSize": 4},
    );
    let cur = r.get_document("cursor").unwrap();
    assert_eq!(cur.get_array("nextBatch").unwrap().len(), 4);
    assert_eq!(cur.get_i64("id").unwrap(), id);
    let r = lab.run(0, "app", doc! {"getMore": id, "collection": "c"});
    let cur = r.get_document("cursor").unwrap();
    assert_eq!(cur.get_array("nextBatch").unwrap().len(), 1);
    assert_eq!(cur.get_i64("id").unwrap(), 0, "exhausted");
    assert_code(
        &lab.run(0, "app", doc! {"getMore": id, "collection": "c"}),
        43,
        "CursorNotFound",
    );
    // killCursors
    let r = lab.run(0, "app", doc! {"find": "c", "batchSize": 1});
    let id = r.get_document("cursor").unwrap().get_i64("id").unwrap();
    let k = lab.run(
        0,
        "app",
        doc! {"killCursors": "c", "cursors": [id, 12345_i64]},
    );
    assert_eq!(
        k.get_array("cursorsKilled").unwrap(),
        &vec![Bson::Int64(id)]
    );
    assert_eq!(
        k.get_array("cursorsNotFound").unwrap(),
        &vec![Bson::Int64(12345)]
    );
    // singleBatch and limit
    let r = lab.run(
        0,
        "app",
        doc! {"find": "c", "limit": 2, "skip": 1, "sort": {"_id": -1}},
    );
    let cur = r.get_document("cursor").unwrap();
    let b: Vec<i32> = cur
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get_i32("_id").unwrap())
        .collect();
    assert_eq!(b, vec![8, 7]);
    assert_eq!(cur.get_i64("id").unwrap(), 0);
    let r = lab.run(
        0,
        "app",
        doc! {"find": "c", "batchSize": 2, "singleBatch": true},
    );
    assert_eq!(r.get_document("cursor").unwrap().get_i64("id").unwrap(), 0);
    // default first batch is 101
    let many: Vec<Document> = (100..300).map(|i| doc! {"_id": i}).collect();
    lab.insert(0, many, doc! {"w": 1});
    let r = lab.run(0, "app", doc! {"find": "c"});
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .len(),
        101
    );
}

#[test]
fn update_delete_count_and_find_and_modify() {
    let mut lab = Lab::new(1);
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    lab.insert(
        0,
        vec![doc! {"_id": 1, "n": 1}, doc! {"_id": 2, "n": 2}],
        doc! {"w": 1},
    );
    let r = lab.run(
        0,
        "app",
        doc! {"update": "c", "updates": [
            {"q": {"_id": 1}, "u": {"$inc": {"n": 10}}},
            {"q": {"_id": 9}, "u": {"$set": {"n": 9}}, "upsert": true},
        ], "writeConcern": {"w": 1}},
    );
    assert_ok(&r);
    assert_eq!(r.get_i32("n").unwrap(), 2);
    assert_eq!(r.get_i32("nModified").unwrap(), 1);
    let up = r.get_array("upserted").unwrap()[0].as_document().unwrap();
    assert_eq!(up.get_i32("index").unwrap(), 1);
    assert_eq!(up.get_i32("_id").unwrap(), 9);
    let r = lab.run(0, "app", doc! {"count": "c", "query": {"n": {"$gte": 9}}});
    assert_eq!(r.get_i32("n").unwrap(), 2);
    let r = lab.run(0, "app", doc! {"findAndModify": "c", "query": {"_id": 2}, "update": {"$set": {"n": 20}}, "new": true, "writeConcern": {"w": 1}});
    assert_eq!(r.get_document("value").unwrap(), &doc! {"_id": 2, "n": 20});
    assert!(r
        .get_document("lastErrorObject")
        .unwrap()
        .get_bool("updatedExisting")
        .unwrap());
    let r = lab.run(0, "app", doc! {"delete": "c", "deletes": [{"q": {"n": {"$gt": 10}}, "limit": 0}], "writeConcern": {"w": 1}});
    assert_eq!(r.get_i32("n").unwrap(), 2);
    let r = lab.run(
        0,
        "app",
        doc! {"delete": "c", "deletes": [{"q": {}, "limit": 5}]},
    );
    assert_code(&r, 9, "FailedToParse");
    // duplicate key is a write error, not a command error
    let (_, r) = lab.insert(0, vec![doc! {"_id": 9}], doc! {"w": 1});
    let Response::Now(r) = r else { panic!() };
    assert_ok(&r);
    assert_eq!(r.get_i32("n").unwrap(), 0);
    assert_eq!(
        r.get_array("writeErrors").unwrap()[0]
            .as_document()
            .unwrap()
            .get_i32("code")
            .unwrap(),
        11000
    );
    // aggregate count (what drivers' count_documents sends)
    let r = lab.run(0, "app", doc! {"aggregate": "c", "pipeline": [{"$match": {}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}], "cursor": {}});
    let b = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(b[0].as_document().unwrap().get_i32("n").unwrap(), 1);
}

#[test]
fn list_databases_collections_and_drops() {
    let mut lab = Lab::new(1);
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    lab.insert(0, vec![doc! {"a": 1}], doc! {"w": 1});
    let r = lab.admin(0, doc! {"listDatabases": 1, "nameOnly": true});
    let names: Vec<&str> = r
        .get_array("databases")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get_str("name").unwrap())
        .collect();
    assert_eq!(names, vec!["admin", "app", "config", "local"]);
    assert_code(
        &lab.run(0, "app", doc! {"listDatabases": 1}),
        13,
        "Unauthorized",
    );
    let r = lab.run(0, "app", doc! {"listCollections": 1});
    let b = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(b[0].as_document().unwrap().get_str("name").unwrap(), "c");
    assert_eq!(
        r.get_document("cursor").unwrap().get_str("ns").unwrap(),
        "app.$cmd.listCollections"
    );
    let r = lab.run(0, "app", doc! {"drop": "c", "writeConcern": {"w": 1}});
    assert_eq!(r.get_str("ns").unwrap(), "app.c");
    assert_ok(&lab.run(0, "app", doc! {"drop": "c", "writeConcern": {"w": 1}}));
    lab.insert(0, vec![doc! {"a": 1}], doc! {"w": 1});
    let r = lab.run(0, "app", doc! {"dropDatabase": 1, "writeConcern": {"w": 1}});
    assert_eq!(r.get_str("dropped").unwrap(), "app");
    let r = lab.admin(0, doc! {"listDatabases": 1});
    assert_eq!(r.get_array("databases").unwrap().len(), 3);
    assert!(r.get_i64("totalSize").unwrap() > 0);
}

#[test]
fn the_oplog_is_readable_as_local_oplog_rs() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.insert(p, vec![doc! {"_id": 1}], doc! {"w": 1});
    let r = lab.run(
        p,
        "local",
        doc! {"find": "oplog.rs", "sort": {"$natural": 1}},
    );
    // $natural is not a field; a plain find in insertion order instead
    let r = if r.get_f64("ok").unwrap() == 1.0 {
        r
    } else {
        lab.run(p, "local", doc! {"find": "oplog.rs"})
    };
    let b = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    let ops: Vec<&str> = b
        .iter()
        .map(|d| d.as_document().unwrap().get_str("op").unwrap())
        .collect();
    assert_eq!(ops.first(), Some(&"n"));
    assert_eq!(ops.last(), Some(&"i"));
    let last = b.last().unwrap().as_document().unwrap();
    assert_eq!(last.get_str("ns").unwrap(), "app.c");
    assert!(last.get_timestamp("ts").is_ok());
    assert_eq!(last.get_i64("t").unwrap(), 1);
    assert!(last.get("_id").is_none());
}

#[test]
fn misc_commands_and_unknown_commands() {
    let mut lab = Lab::new(1);
    assert_ok(&lab.admin(0, doc! {"ping": 1}));
    let b = lab.admin(0, doc! {"buildInfo": 1});
    assert_eq!(b.get_str("version").unwrap(), "7.0.12");
    assert_eq!(b.get_array("versionArray").unwrap()[0], Bson::Int32(7));
    assert_ok(&lab.admin(0, doc! {"endSessions": [{"id": 1}]}));
    let r = lab.admin(0, doc! {"frobnicate": 1});
    assert_code(&r, 59, "CommandNotFound");
    assert_eq!(
        r.get_str("errmsg").unwrap(),
        "no such command: 'frobnicate'"
    );
    // lsid / $clusterTime / readConcern are accepted and ignored
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    let r = lab.run(0, "app", doc! {"find": "c", "lsid": {"id": 1}, "$clusterTime": {"clusterTime": bson::Timestamp { time: 1, increment: 1 }}, "readConcern": {"level": "local"}});
    assert_ok(&r);
    assert!(r.get_document("$clusterTime").is_ok());
    assert!(r.get_timestamp("operationTime").is_ok());
    let s = lab.admin(0, doc! {"serverStatus": 1});
    assert_eq!(s.get_str("process").unwrap(), "mongod");
}

// ----- more roles and configs -----

#[test]
fn hidden_members_are_not_advertised() {
    let mut lab = Lab::new(3);
    let cfg = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": "127.0.0.1:27017"},
        {"_id": 1, "host": "127.0.0.1:27018"},
        {"_id": 2, "host": "127.0.0.1:27019", "priority": 0, "hidden": true},
    ]};
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    lab.until(TIMEOUT, |c| c.primary().is_some()).unwrap();
    let h = lab.admin(2, doc! {"hello": 1});
    assert!(h.get_bool("hidden").unwrap());
    assert!(h.get_bool("secondary").unwrap());
    let hosts = h.get_array("hosts").unwrap();
    assert_eq!(hosts.len(), 2);
    assert!(!hosts.contains(&Bson::String("127.0.0.1:27019".into())));
    assert!(h.get("passives").is_none());
    assert_eq!(h.get_str("me").unwrap(), "127.0.0.1:27019");
}

#[test]
fn arbiters_make_the_default_write_concern_w1() {
    let mut lab = Lab::new(3);
    let cfg = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": "127.0.0.1:27017"},
        {"_id": 1, "host": "127.0.0.1:27018"},
        {"_id": 2, "host": "127.0.0.1:27019", "arbiterOnly": true},
    ]};
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    lab.until(TIMEOUT, |c| c.primary().is_some()).unwrap();
    let p = lab.c.primary().unwrap();
    let (_, r) = lab.request(
        p,
        5,
        "app",
        doc! {"insert": "c", "documents": [{"a": 1}]},
        false,
    );
    assert!(matches!(r, Response::Now(_)), "PSA sets default to w:1");
    // the arbiter holds no data and cannot serve reads
    lab.advance(10);
    assert!(lab.c.documents(2, "app", "c").is_empty());
    let (_, r) = lab.request(2, 5, "app", doc! {"find": "c"}, true);
    let Response::Now(r) = r else { panic!() };
    assert_code(&r, 13436, "NotPrimaryOrSecondary");
    let s = lab.admin(2, doc! {"replSetGetStatus": 1});
    assert_eq!(s.get_i32("myState").unwrap(), 7);
    assert_eq!(s.get_i32("writeMajorityCount").unwrap(), 2);
}

#[test]
fn a_member_removed_by_reconfig_reports_no_config() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let victim = secondaries(&lab.c, 3)[0];
    let members: Vec<Bson> = (0..3)
        .filter(|&i| i != victim)
        .map(|i| Bson::Document(doc! {"_id": i as i32, "host": format!("127.0.0.1:{}", 27017 + i)}))
        .collect();
    assert_ok(&lab.admin(
        p,
        doc! {"replSetReconfig": {"_id": "rs0", "version": 2, "members": members}},
    ));
    assert_eq!(lab.c.member_state(victim), Some(MemberState::Removed));
    let h = lab.admin(victim, doc! {"hello": 1});
    assert!(h.get_bool("isreplicaset").unwrap());
    assert!(!h.get_bool("secondary").unwrap());
    assert_code(
        &lab.admin(victim, doc! {"replSetGetStatus": 1}),
        93,
        "InvalidReplicaSetConfig",
    );
    let h = lab.admin(p, doc! {"hello": 1});
    assert_eq!(h.get_array("hosts").unwrap().len(), 2);
    assert_eq!(h.get_i32("setVersion").unwrap(), 2);
}

#[test]
fn election_id_grows_with_every_term() {
    let mut lab = Lab::new(3);
    lab.initiate3();
    let mut last = String::new();
    for _ in 0..3 {
        let p = lab.c.primary().unwrap();
        let id = lab
            .admin(p, doc! {"hello": 1})
            .get_object_id("electionId")
            .unwrap()
            .to_hex();
        assert!(id > last, "{id} after {last}");
        last = id;
        assert_ok(&lab.admin(p, doc! {"replSetStepDown": 10, "force": true}));
        lab.until(TIMEOUT * 3, |c| c.primary().is_some())
            .expect("re-elected");
    }
    assert!(lab.c.term() >= 4);
}

#[test]
fn step_up_runs_an_immediate_election() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    lab.c.take_events();
    assert_ok(&lab.admin(s, doc! {"replSetStepUp": 1}));
    assert_eq!(lab.c.primary(), Some(s));
    let ev = lab.c.take_events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, LabEvent::SteppedDown { member, .. } if *member == p)));
    assert!(ev
        .iter()
        .any(|e| matches!(e, LabEvent::Elected { member, term: 2, .. } if *member == s)));
}

#[test]
fn lag_shows_in_replset_get_status() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let secs = secondaries(&lab.c, 3);
    lab.c.fault(secs[0], Fault::Lag(30_000), lab.now).unwrap();
    lab.advance(1_000);
    lab.insert(p, vec![doc! {"a": 1}], doc! {"w": 1});
    lab.advance(HB * 2);
    let s = lab.admin(p, doc! {"replSetGetStatus": 1});
    let members = s.get_array("members").unwrap();
    let date = |i: usize| {
        members[i]
            .as_document()
            .unwrap()
            .get_datetime("optimeDate")
            .unwrap()
            .timestamp_millis()
    };
    assert!(
        date(p) - date(secs[0]) >= 1_000,
        "lagged member's optime is older"
    );
    assert_eq!(date(p), date(secs[1]));
}

#[test]
fn a_healed_secondary_catches_up() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    lab.c.fault(s, Fault::Partition, lab.now).unwrap();
    for i in 0..5 {
        lab.insert(p, vec![doc! {"_id": i}], doc! {"w": 1});
        lab.advance(500);
    }
    assert!(lab.c.documents(s, "app", "c").is_empty());
    assert_eq!(
        lab.c.primary(),
        Some(p),
        "the majority side keeps its primary"
    );
    lab.c.fault(s, Fault::Heal, lab.now).unwrap();
    lab.advance(HB);
    assert_eq!(lab.c.documents(s, "app", "c").len(), 5);
    assert_eq!(lab.c.rollbacks(s), 0);
}

/// Random faults and writes: never two primaries in one term, and once everything is healed
/// the set converges to one primary and identical data everywhere.
#[test]
fn random_faults_keep_the_invariants() {
    use rand::{Rng, SeedableRng};
    let mut total_acked = 0;
    for seed in 0..40u64 {
        let n = if seed % 2 == 0 { 3 } else { 5 };
        let mut lab = Lab::seeded(n, seed);
        let members: Vec<Bson> = (0..n)
            .map(|i| {
                Bson::Document(doc! {"_id": i as i32, "host": format!("127.0.0.1:{}", 27017 + i)})
            })
            .collect();
        assert_ok(&lab.admin(
            0,
            doc! {"replSetInitiate": {"_id": "rs0", "members": members}},
        ));
        let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
        let mut next_id = 0;
        let mut acked: Vec<i32> = Vec::new();
        let mut pending: Vec<(i32, i32)> = Vec::new();
        for _ in 0..60 {
            let m = rng.gen_range(0..n);
            let fault = match rng.gen_range(0..8) {
                0 => Some(Fault::Kill),
                1 => Some(Fault::Start),
                2 => Some(Fault::Partition),
                3 => Some(Fault::Heal),
                4 => Some(Fault::Pause),
                5 => Some(Fault::Resume),
                6 => Some(Fault::Lag(rng.gen_range(0..3_000))),
                _ => None,
            };
            if let Some(f) = fault {
                let _ = lab.c.fault(m, f, lab.now);
            }
            if let Some(p) = lab.c.primary() {
                if !lab.c.member_view(p).paused {
                    next_id += 1;
                    if next_id % 2 == 0 {
                        lab.insert(p, vec![doc! {"_id": next_id}], doc! {"w": 1});
                    } else {
                        let (rid, r) = lab.insert(
                            p,
                            vec![doc! {"_id": next_id}],
                            doc! {"w": "majority", "wtimeout": 5_000},
                        );
                        match r {
                            Response::Now(d) if acknowledged(&d) => acked.push(next_id),
                            Response::Now(_) => {}
                            Response::Parked => pending.push((rid, next_id)),
                        }
                    }
                }
            }
            lab.advance(rng.gen_range(0..8_000));
            for r in lab.c.take_ready() {
                if let Some(k) = pending.iter().position(|(rid, _)| *rid == r.request_id) {
                    let (_, id) = pending.remove(k);
                    if acknowledged(&r.reply) {
                        acked.push(id);
                    }
                }
            }
            // at most one primary per term
            let primaries: Vec<usize> = (0..n)
                .filter(|&i| {
                    lab.c.member_view(i).up && lab.c.member_state(i) == Some(MemberState::Primary)
                })
                .collect();
            let mut terms: Vec<i64> = primaries.into_iter().map(|i| lab.admin_term(i)).collect();
            let before = terms.len();
            terms.sort();
            terms.dedup();
            assert_eq!(
                terms.len(),
                before,
                "seed {seed}: two primaries in one term"
            );
        }
        for i in 0..n {
            let _ = lab.c.fault(i, Fault::Start, lab.now);
            let _ = lab.c.fault(i, Fault::Resume, lab.now);
            let _ = lab.c.fault(i, Fault::Heal, lab.now);
            let _ = lab.c.fault(i, Fault::Lag(0), lab.now);
        }
        lab.advance(TIMEOUT * 6);
        let p = lab
            .c
            .primary()
            .unwrap_or_else(|| panic!("seed {seed}: no primary after healing"));
        for i in 0..n {
            assert_eq!(
                lab.c.last_applied(i),
                lab.c.last_applied(p),
                "seed {seed}: member {i} did not converge"
            );
            assert_eq!(
                lab.c.documents(i, "app", "c"),
                lab.c.documents(p, "app", "c"),
                "seed {seed}: member {i} data"
            );
        }
        // a write acknowledged by a majority is never rolled back
        let ids: Vec<i32> = lab
            .c
            .documents(p, "app", "c")
            .iter()
            .map(|d| d.get_i32("_id").unwrap())
            .collect();
        for id in &acked {
            assert!(
                ids.contains(id),
                "seed {seed}: majority-acknowledged write {id} was lost"
            );
        }
        total_acked += acked.len();
        let primaries = (0..n)
            .filter(|&i| lab.c.member_state(i) == Some(MemberState::Primary))
            .count();
        assert_eq!(primaries, 1, "seed {seed}");
    }
    assert!(
        total_acked > 40,
        "only {total_acked} majority writes were acknowledged"
    );
}

/// A write reply that reports the write done and its write concern satisfied.
fn acknowledged(d: &Document) -> bool {
    d.get_f64("ok").ok() == Some(1.0)
        && d.get_i32("n").ok() == Some(1)
        && d.get("writeConcernError").is_none()
        && d.get("writeErrors").is_none()
}

#[test]
fn a_restarted_member_is_seen_healthy_at_once() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    lab.c.fault(s, Fault::Kill, lab.now).unwrap();
    lab.advance(HB * 2);
    let health = |lab: &mut Lab| {
        let st = lab.admin(p, doc! {"replSetGetStatus": 1});
        st.get_array("members").unwrap()[s]
            .as_document()
            .unwrap()
            .get_f64("health")
            .unwrap()
    };
    assert_eq!(health(&mut lab), 0.0);
    lab.c.fault(s, Fault::Start, lab.now).unwrap();
    lab.advance(0);
    assert_eq!(
        health(&mut lab),
        1.0,
        "the restarted member heartbeats the primary, which answers back"
    );
}

#[test]
fn distinct_lists_unique_values() {
    let mut lab = Lab::new(1);
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    lab.insert(
        0,
        vec![
            doc! {"t": ["a", "b"], "k": 1},
            doc! {"t": "b", "k": 2},
            doc! {"t": "c", "k": 1},
            doc! {"k": 1},
        ],
        doc! {"w": 1},
    );
    let r = lab.run(
        0,
        "app",
        doc! {"distinct": "c", "key": "t", "query": {"k": 1}},
    );
    assert_eq!(
        r.get_array("values").unwrap(),
        &vec![Bson::from("a"), Bson::from("b"), Bson::from("c")]
    );
    assert_code(
        &lab.run(0, "app", doc! {"distinct": "c"}),
        40414,
        "Location40414",
    );
}

/// Hostile or malformed commands get typed error replies, never a panic.
#[test]
fn malformed_commands_never_panic() {
    let weird: Vec<Bson> = vec![
        Bson::Null,
        Bson::Int32(-1),
        Bson::Int64(i64::MAX),
        Bson::Double(f64::NAN),
        Bson::Double(1e300),
        Bson::String("$bad".into()),
        Bson::String(String::new()),
        Bson::Array(vec![Bson::Int32(1), Bson::Null]),
        Bson::Document(doc! {"$foo": 1}),
        Bson::Document(doc! {"a": {"$in": 5}}),
        Bson::Boolean(true),
    ];
    let names = [
        "hello",
        "isMaster",
        "replSetInitiate",
        "replSetReconfig",
        "replSetStepDown",
        "replSetFreeze",
        "replSetGetStatus",
        "find",
        "getMore",
        "killCursors",
        "count",
        "distinct",
        "aggregate",
        "insert",
        "update",
        "delete",
        "findAndModify",
        "create",
        "createIndexes",
        "drop",
        "dropDatabase",
        "listCollections",
        "listIndexes",
        "listDatabases",
    ];
    let fields = [
        "filter",
        "sort",
        "projection",
        "skip",
        "limit",
        "batchSize",
        "documents",
        "updates",
        "deletes",
        "writeConcern",
        "topologyVersion",
        "maxAwaitTimeMS",
        "secondaryCatchUpPeriodSecs",
        "collection",
        "cursors",
        "pipeline",
        "query",
        "update",
        "key",
        "$readPreference",
        "force",
        "cursor",
    ];
    for members in [1, 3] {
        let mut lab = Lab::new(members);
        for phase in 0..2 {
            if phase == 1 {
                lab.admin(0, doc! {"replSetInitiate": 1});
                lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
            }
            for name in names {
                for v in &weird {
                    for field in fields {
                        let mut cmd = doc! {name: v.clone()};
                        cmd.insert(field, v.clone());
                        for db in ["admin", "app"] {
                            let (_, r) = lab.request(0, 1, db, cmd.clone(), false);
                            if let Response::Now(d) = r {
                                assert!(d.get("ok").is_some(), "{cmd} -> {d}");
                            }
                        }
                    }
                }
                // updates and filters with nested garbage
                let cmd = doc! {name: "c", "updates": [{"q": {"a": {"$elemMatch": 5}}, "u": {"$set": {"a.99999999999": 1}}}], "writeConcern": {"w": 1}};
                let _ = lab.request(0, 1, "app", cmd, false);
            }
            lab.advance(120_000);
            lab.c.take_ready();
        }
    }
    // the lab is still healthy afterwards
    let mut lab = Lab::new(1);
    assert_ok(&lab.admin(0, doc! {"ping": 1}));
}

#[test]
fn zero_timings_do_not_hang_the_clock() {
    let mut opts = options(3, 1);
    opts.election_timeout_ms = 0;
    opts.heartbeat_interval_ms = 0;
    let mut c = Cluster::new(opts, 0);
    let r = c.handle(
        Request {
            member: 0,
            conn: 1,
            request_id: 1,
            db: "admin".into(),
            command: doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 1, "host": "127.0.0.1:27018"}]}},
            secondary_ok: false,
            legacy: false,
        },
        0,
    );
    assert!(matches!(r, Response::Now(_)));
    c.tick(1_000);
    assert!(c.primary().is_some());
    assert!(c.next_deadline().is_some_and(|d| d > 1_000));
}

#[test]
fn stepdown_hands_over_to_an_unfrozen_secondary() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB);
    let secs = secondaries(&lab.c, 3);
    assert_ok(&lab.admin(secs[0], doc! {"replSetFreeze": 120}));
    assert_ok(&lab.admin(p, doc! {"replSetStepDown": 60}));
    lab.advance(0);
    assert_eq!(
        lab.c.primary(),
        Some(secs[1]),
        "the frozen member is skipped"
    );
}

#[test]
fn positional_updates_are_refused_not_misapplied() {
    let mut lab = Lab::new(1);
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    lab.insert(0, vec![doc! {"_id": 1, "a": [1, 2]}], doc! {"w": 1});
    let r = lab.run(0, "app", doc! {"update": "c", "updates": [{"q": {"a": 2}, "u": {"$set": {"a.$": 9}}}], "writeConcern": {"w": 1}});
    assert_ok(&r);
    assert_eq!(
        r.get_array("writeErrors").unwrap()[0]
            .as_document()
            .unwrap()
            .get_i32("code")
            .unwrap(),
        2
    );
    assert_eq!(
        lab.c.documents(0, "app", "c"),
        vec![doc! {"_id": 1, "a": [1, 2]}]
    );
}

#[test]
fn awaitable_hello_with_zero_wait_answers_at_once() {
    let mut lab = Lab::new(1);
    let tv = lab
        .admin(0, doc! {"hello": 1})
        .get_document("topologyVersion")
        .unwrap()
        .clone();
    let (_, r) = lab.request(
        0,
        3,
        "admin",
        doc! {"hello": 1, "topologyVersion": tv, "maxAwaitTimeMS": 0_i64},
        false,
    );
    assert!(matches!(r, Response::Now(ref d) if d.get_f64("ok").unwrap() == 1.0));
}

#[test]
fn retryable_writes_are_not_applied_twice_even_after_a_failover() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let lsid =
        doc! {"id": bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![7; 16] }};
    let insert = |id: i32, txn: i64, w: Bson| {
        doc! {"insert": "c", "documents": [{"_id": id}], "lsid": lsid.clone(), "txnNumber": txn, "writeConcern": {"w": w}}
    };
    let r = lab.run(p, "app", insert(1, 1, Bson::Int32(1)));
    assert_eq!(r.get_i32("n").unwrap(), 1);
    // the driver retries the same statement: same answer, no duplicate key error
    let r = lab.run(p, "app", insert(1, 1, Bson::Int32(1)));
    assert_ok(&r);
    assert_eq!(r.get_i32("n").unwrap(), 1);
    assert!(r.get("writeErrors").is_none(), "{r}");
    // a w:majority write replicates, then the primary dies before the client hears back
    let (_, r) = lab.request(
        p,
        5,
        "app",
        insert(2, 2, Bson::String("majority".into())),
        false,
    );
    assert_eq!(r, Response::Parked);
    lab.advance(0);
    lab.c.fault(p, Fault::Kill, lab.now).unwrap();
    lab.c.take_ready();
    lab.until(TIMEOUT * 3, |c| c.primary().is_some()).unwrap();
    let np = lab.c.primary().unwrap();
    // the retry on the new primary is recognised
    let (_, r) = lab.request(
        np,
        6,
        "app",
        insert(2, 2, Bson::String("majority".into())),
        false,
    );
    let r = match r {
        Response::Now(d) => d,
        Response::Parked => {
            lab.advance(0);
            lab.c.take_ready().pop().unwrap().reply
        }
    };
    assert_ok(&r);
    assert_eq!(r.get_i32("n").unwrap(), 1);
    assert!(r.get("writeErrors").is_none(), "{r}");
    assert_eq!(lab.c.documents(np, "app", "c").len(), 2);
    // a new txnNumber is a new write
    let r = lab.run(np, "app", insert(2, 3, Bson::Int32(1)));
    assert_eq!(
        r.get_array("writeErrors").unwrap()[0]
            .as_document()
            .unwrap()
            .get_i32("code")
            .unwrap(),
        11000
    );
}

#[test]
fn a_write_waiting_when_the_primary_steps_down_gets_a_retryable_label() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(60_000), lab.now).unwrap();
    }
    let cmd = doc! {"insert": "c", "documents": [{"_id": 1}], "lsid": {"id": 1}, "txnNumber": 1_i64, "writeConcern": {"w": "majority"}};
    let (id, r) = lab.request(p, 5, "app", cmd, false);
    assert_eq!(r, Response::Parked);
    assert_ok(&lab.admin(p, doc! {"replSetStepDown": 30, "force": true}));
    let ready = lab.c.take_ready();
    let done = ready.iter().find(|r| r.request_id == id).unwrap();
    assert_eq!(
        done.reply
            .get_document("writeConcernError")
            .unwrap()
            .get_i32("code")
            .unwrap(),
        189
    );
    assert_eq!(
        done.reply.get_array("errorLabels").unwrap(),
        &vec![Bson::from("RetryableWriteError")]
    );
}

#[test]
fn the_local_database_reads_on_a_secondary_without_secondary_ok() {
    let mut lab = Lab::new(3);
    lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    let r = lab.run(s, "local", doc! {"find": "oplog.rs", "limit": 1});
    assert_ok(&r);
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .len(),
        1
    );
    assert_code(
        &lab.run(s, "app", doc! {"find": "c"}),
        13435,
        "NotPrimaryNoSecondaryOk",
    );
}

#[test]
fn current_date_uses_the_lab_clock() {
    let mut lab = Lab::new(1);
    lab.admin(0, doc! {"replSetInitiate": 1});
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    lab.insert(0, vec![doc! {"_id": 1}], doc! {"w": 1});
    lab.advance(5_000);
    let r = lab.run(0, "app", doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$currentDate": {"at": true}}}], "writeConcern": {"w": 1}});
    assert_eq!(r.get_i32("nModified").unwrap(), 1);
    let d = &lab.c.documents(0, "app", "c")[0];
    assert_eq!(
        d.get_datetime("at").unwrap().timestamp_millis(),
        1_700_000_000_000 + lab.now as i64
    );
}

#[test]
fn get_config_commitment_status_only_on_the_primary() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB);
    let r = lab.admin(p, doc! {"replSetGetConfig": 1, "commitmentStatus": true});
    assert!(r.get_bool("commitmentStatus").unwrap(), "{r}");
    assert!(r.get_document("config").is_ok());
    let s = secondaries(&lab.c, 3)[0];
    assert_code(
        &lab.admin(s, doc! {"replSetGetConfig": 1, "commitmentStatus": true}),
        10107,
        "NotWritablePrimary",
    );
    assert_code(
        &lab.admin(p, doc! {"replSetGetConfig": 1, "commitmentStatus": "yes"}),
        14,
        "TypeMismatch",
    );
    let plain = lab.admin(p, doc! {"replSetGetConfig": 1});
    assert!(plain.get("commitmentStatus").is_none());
}

// ----- initial sync (STARTUP2) -----

/// A 3-member set whose initial sync takes `sync_ms`.
fn syncing_lab(sync_ms: u64, seed: u64) -> Lab {
    let mut o = options(3, seed);
    o.initial_sync_ms = sync_ms;
    Lab::with_options(o)
}

fn status_of(lab: &mut Lab, m: usize) -> Document {
    let st = lab.admin(m, doc! {"replSetGetStatus": 1});
    assert_ok(&st);
    st
}

fn self_entry(st: &Document) -> Document {
    st.get_array("members")
        .unwrap()
        .iter()
        .filter_map(Bson::as_document)
        .find(|e| e.get_bool("self").unwrap_or(false))
        .cloned()
        .unwrap()
}

#[test]
fn the_member_that_ran_initiate_becomes_the_first_primary() {
    for seed in 0..12 {
        for initiator in 0..3 {
            let mut lab = syncing_lab(0, seed);
            let cfg = lab.config3(doc! {});
            assert_ok(&lab.admin(initiator, doc! {"replSetInitiate": cfg}));
            lab.until(TIMEOUT + HB, |c| c.primary().is_some())
                .expect("a primary");
            assert_eq!(
                lab.c.primary(),
                Some(initiator),
                "seed {seed}: the initiator wins the first election"
            );
        }
    }
}

#[test]
fn members_that_receive_a_config_pass_through_startup2() {
    let mut lab = syncing_lab(5_000, 3);
    let cfg = lab.config3(doc! {});
    assert_ok(&lab.admin(1, doc! {"replSetInitiate": cfg}));
    for m in [0, 2] {
        assert_eq!(lab.c.member_state(m), Some(MemberState::Startup2));
        let st = status_of(&mut lab, m);
        assert_eq!(st.get_i32("myState").unwrap(), 5, "{st}");
        let me = self_entry(&st);
        assert_eq!(me.get_str("stateStr").unwrap(), "STARTUP2");
        assert_eq!(
            me.get_str("infoMessage").unwrap(),
            "syncing from: 127.0.0.1:27018"
        );
        let iss = st
            .get_document("initialSyncStatus")
            .expect("initialSyncStatus");
        assert_eq!(iss.get_i32("failedInitialSyncAttempts").unwrap(), 0);
        let h = lab.admin(m, doc! {"hello": 1});
        assert!(!h.get_bool("secondary").unwrap(), "{h}");
        assert!(!h.get_bool("isWritablePrimary").unwrap(), "{h}");
        assert_eq!(h.get_str("setName").unwrap(), "rs0");
        // no reads while the data is being copied
        let r = lab.run(
            m,
            "app",
            doc! {"find": "c", "$readPreference": {"mode": "secondaryPreferred"}},
        );
        assert_code(&r, 13436, "NotPrimaryOrSecondary");
    }
    // the initiator is elected by the votes of members still in STARTUP2 (they can vote, not
    // stand)
    let at = lab
        .until(HB * 2, |c| c.primary().is_some())
        .expect("primary");
    assert_eq!(lab.c.primary(), Some(1));
    assert!(at < 5_000);
    assert_eq!(lab.c.member_state(0), Some(MemberState::Startup2));
    let (_, r) = lab.insert(1, vec![doc! {"_id": "x"}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    // sync ends 5 s after the config arrived: SECONDARY with the data, no initialSyncStatus
    lab.until(5_000, |c| {
        c.member_state(0) == Some(MemberState::Secondary)
            && c.member_state(2) == Some(MemberState::Secondary)
    })
    .expect("initial sync ends");
    assert!(lab.now >= 5_000);
    let st = status_of(&mut lab, 0);
    assert!(st.get("initialSyncStatus").is_none(), "{st}");
    assert_eq!(self_entry(&st).get_str("infoMessage").unwrap(), "");
    lab.advance(HB);
    assert_eq!(lab.c.documents(0, "app", "c").len(), 1);
}

#[test]
fn startup2_members_never_stand_and_wait_for_a_source() {
    let mut lab = syncing_lab(60_000, 5);
    let cfg = lab.config3(doc! {});
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": cfg}));
    lab.until(HB * 2, |c| c.primary() == Some(0))
        .expect("initiator elected");
    lab.c.take_events();
    // the only member with data dies: the syncing members cannot stand, however long we wait
    lab.c.fault(0, Fault::Kill, lab.now).unwrap();
    lab.advance(TIMEOUT * 5);
    assert_eq!(lab.c.primary(), None);
    assert!(lab
        .c
        .take_events()
        .iter()
        .all(|e| !matches!(e, LabEvent::Elected { .. })));
    let st = status_of(&mut lab, 1);
    assert_eq!(
        self_entry(&st).get_str("infoMessage").unwrap(),
        "Could not find member to sync from"
    );
    // past the sync time, with no source, they stay in STARTUP2 until one comes back
    lab.advance(60_000);
    assert_eq!(lab.c.member_state(1), Some(MemberState::Startup2));
    lab.c.fault(0, Fault::Start, lab.now).unwrap();
    lab.until(TIMEOUT * 3, |c| {
        c.member_state(1) == Some(MemberState::Secondary)
            && c.member_state(2) == Some(MemberState::Secondary)
    })
    .expect("synced from the restarted member");
}

#[test]
fn an_added_member_initial_syncs_before_it_is_secondary() {
    let mut o = options(2, 1);
    o.initial_sync_ms = 3_000;
    let mut lab = Lab::with_options(o);
    assert_ok(&lab.admin(0, doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:27017"}]}}));
    lab.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    let (_, r) = lab.insert(0, vec![doc! {"_id": 1}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let two = doc! {"_id": "rs0", "version": 2, "members": [
    {"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 1, "host": "127.0.0.1:27018"}]};
    assert_ok(&lab.admin(0, doc! {"replSetReconfig": two}));
    let t0 = lab.now;
    assert_eq!(lab.c.member_state(1), Some(MemberState::Startup2));
    let at = lab
        .until(10_000, |c| {
            c.member_state(1) == Some(MemberState::Secondary)
        })
        .expect("secondary after the sync");
    assert_eq!(at - t0, 3_000);
    assert_eq!(lab.c.documents(1, "app", "c").len(), 1);
}

// ----- stepdown, handoff, takeover, freeze -----

/// Initiates members 0..n with these priorities (member 0 runs replSetInitiate and becomes
/// primary) and waits until everyone has the primary's first entry.
fn initiate_with_priorities(lab: &mut Lab, priorities: &[f64]) {
    let members: Vec<Bson> = priorities
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Bson::Document(
                doc! {"_id": i as i32, "host": format!("127.0.0.1:{}", 27017 + i), "priority": *p},
            )
        })
        .collect();
    assert_ok(&lab.admin(
        0,
        doc! {"replSetInitiate": {"_id": "rs0", "members": members}},
    ));
    lab.until(HB * 2, |c| c.primary() == Some(0))
        .expect("the initiator is elected");
}

fn election_reason(lab: &mut Lab, p: usize) -> String {
    let s = lab.admin(p, doc! {"replSetGetStatus": 1});
    s.get_document("electionCandidateMetrics")
        .unwrap()
        .get_str("lastElectionReason")
        .unwrap()
        .to_string()
}

#[test]
fn a_waiting_stepdown_is_not_writable_at_once_and_hands_over_when_caught_up() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB);
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(3_000), lab.now).unwrap();
    }
    let (_, r) = lab.insert(p, vec![doc! {"x": 1}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let tv0 = lab.admin(p, doc! {"hello": 1});
    let counter = |h: &Document| {
        h.get_document("topologyVersion")
            .unwrap()
            .get_i64("counter")
            .unwrap()
    };
    let (id, r) = lab.request(
        p,
        9,
        "admin",
        doc! {"replSetStepDown": 60, "secondaryCatchUpPeriodSecs": 10},
        false,
    );
    assert_eq!(r, Response::Parked);
    // at once: hello says not writable (a new topology version), writes are refused, and
    // replSetGetStatus still says PRIMARY
    let h = lab.admin(p, doc! {"hello": 1});
    assert!(!h.get_bool("isWritablePrimary").unwrap(), "{h}");
    assert!(counter(&h) > counter(&tv0));
    let (_, w) = lab.insert(p, vec![doc! {"x": 2}], doc! {"w": 1});
    let Response::Now(w) = w else {
        panic!("answered")
    };
    assert_code(&w, 10107, "NotWritablePrimary");
    let st = lab.admin(p, doc! {"replSetGetStatus": 1});
    assert_eq!(st.get_i32("myState").unwrap(), 1);
    // the lagged secondaries catch up after 3 s: the stepdown succeeds and hands over
    let t0 = lab.now;
    let at = lab
        .until(5_000, |c| c.primary().is_some_and(|np| np != p))
        .expect("a new primary");
    assert!(at - t0 >= 2_000 && at - t0 <= 3_500, "{}", at - t0);
    let done = lab.c.take_ready();
    let reply = &done
        .iter()
        .find(|r| r.request_id == id)
        .expect("answered")
        .reply;
    assert_ok(reply);
    let np = lab.c.primary().unwrap();
    assert_eq!(election_reason(&mut lab, np), "stepUpRequestSkipDryRun");
}

#[test]
fn a_stepdown_that_times_out_leaves_the_primary_writable() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    for s in secondaries(&lab.c, 3) {
        lab.c.fault(s, Fault::Lag(60_000), lab.now).unwrap();
    }
    let (_, r) = lab.insert(p, vec![doc! {"x": 1}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)));
    let (id, r) = lab.request(
        p,
        9,
        "admin",
        doc! {"replSetStepDown": 30, "secondaryCatchUpPeriodSecs": 2},
        false,
    );
    assert_eq!(r, Response::Parked);
    lab.advance(2_000);
    let done = lab.c.take_ready();
    let reply = &done.iter().find(|r| r.request_id == id).unwrap().reply;
    assert_code(reply, 262, "ExceededTimeLimit");
    assert!(reply
        .get_str("errmsg")
        .unwrap()
        .starts_with("No electable secondaries caught up as of "));
    let h = lab.admin(p, doc! {"hello": 1});
    assert!(h.get_bool("isWritablePrimary").unwrap(), "{h}");
    // force with a catch-up period waits, then steps down anyway (no handoff)
    let (id, r) = lab.request(
        p,
        9,
        "admin",
        doc! {"replSetStepDown": 30, "secondaryCatchUpPeriodSecs": 1, "force": true},
        false,
    );
    assert_eq!(r, Response::Parked);
    lab.advance(1_000);
    let done = lab.c.take_ready();
    assert_ok(&done.iter().find(|r| r.request_id == id).unwrap().reply);
    assert_eq!(lab.c.member_state(p), Some(MemberState::Secondary));
}

#[test]
fn handoff_goes_to_the_highest_priority_caught_up_member_lowest_index_on_ties() {
    let mut lab = Lab::new(4);
    initiate_with_priorities(&mut lab, &[3.0, 1.0, 2.0, 2.0]);
    lab.advance(HB * 2);
    lab.c.take_events();
    assert_ok(&lab.admin(0, doc! {"replSetStepDown": 60}));
    let t0 = lab.now;
    lab.until(HB, |c| c.primary().is_some()).expect("handoff");
    assert_eq!(lab.now, t0, "the handoff elects at once");
    assert_eq!(lab.c.primary(), Some(2));
    assert_eq!(election_reason(&mut lab, 2), "stepUpRequestSkipDryRun");
}

#[test]
fn a_forced_stepdown_does_not_hand_over() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(HB * 2);
    assert_ok(&lab.admin(p, doc! {"replSetStepDown": 60, "force": true}));
    let t0 = lab.now;
    let at = lab
        .until(TIMEOUT * 3, |c| c.primary().is_some())
        .expect("an election after a timeout");
    assert!(
        at - t0 >= TIMEOUT - HB,
        "no handoff: elected after {} ms",
        at - t0
    );
    assert_ne!(
        lab.c.primary(),
        Some(p),
        "the old primary waits out stepDownSecs"
    );
}

#[test]
fn priority_takeover_waits_rank_plus_one_election_timeouts() {
    let mut lab = Lab::new(4);
    initiate_with_priorities(&mut lab, &[1.0, 1.0, 3.0, 5.0]);
    let elected = lab.now;
    lab.c.take_events();
    let at = lab
        .until(TIMEOUT * 4, |c| c.primary().is_some_and(|p| p != 0))
        .expect("a takeover");
    // member 3 (rank 0) runs after one election timeout (+ up to 15 %), before member 2
    // (rank 1, two timeouts)
    assert_eq!(lab.c.primary(), Some(3));
    let waited = at - elected;
    assert!(
        (TIMEOUT..=TIMEOUT * 115 / 100 + 2 * HB).contains(&waited),
        "took over after {waited} ms"
    );
    assert_eq!(election_reason(&mut lab, 3), "priorityTakeover");
}

#[test]
fn freeze_one_second_warns_and_unfreezing_a_lone_member_elects_it_at_once() {
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let s = secondaries(&lab.c, 3)[0];
    let r = lab.admin(s, doc! {"replSetFreeze": 1});
    assert_ok(&r);
    assert_eq!(
        r.get_str("warning").unwrap(),
        "you really want to freeze for only 1 second?"
    );
    let e = lab.admin(p, doc! {"replSetFreeze": 10});
    assert_code(&e, 95, "NotSecondary");
    assert!(e
        .get_str("errmsg")
        .unwrap()
        .starts_with("Cannot freeze node when primary"));

    let mut one = Lab::new(1);
    assert_ok(&one.admin(0, doc! {"replSetInitiate": {}}));
    one.until(HB * 2, |c| c.primary() == Some(0)).unwrap();
    assert_ok(&one.admin(0, doc! {"replSetStepDown": 60, "force": true}));
    one.advance(HB);
    assert_eq!(one.c.primary(), None, "the stepdown period holds");
    let r = one.admin(0, doc! {"replSetFreeze": 0});
    assert_eq!(r.get_str("info").unwrap(), "unfreezing");
    let t0 = one.now;
    one.until(HB, |c| c.primary() == Some(0)).expect("elected");
    assert_eq!(one.now, t0, "at once");
}

#[test]
fn the_primary_sees_a_secondary_apply_a_write_before_the_next_heartbeat() {
    // replSetUpdatePosition: a secondary reports what it applied to its sync source at once, so
    // the primary's replSetGetStatus shows no lag a moment after a write (here 50 ms), not a
    // heartbeat later (here 2 s), as mongod's does.
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    lab.advance(3 * HB);
    let (_, r) = lab.insert(p, vec![doc! {"x": 1}], doc! {"w": 1});
    assert!(
        matches!(r, Response::Now(ref d) if d.get_i32("n") == Ok(1)),
        "{r:?}"
    );
    lab.advance(50);
    let st = lab.admin(p, doc! {"replSetGetStatus": 1});
    let members: Vec<&Document> = st
        .get_array("members")
        .unwrap()
        .iter()
        .filter_map(Bson::as_document)
        .collect();
    let primary_optime = members
        .iter()
        .find(|m| m.get_str("stateStr") == Ok("PRIMARY"))
        .unwrap()
        .get_document("optime")
        .unwrap()
        .clone();
    for m in &members {
        assert_eq!(
            m.get_document("optime").unwrap(),
            &primary_optime,
            "{} lags in the primary's view: {st}",
            m.get_str("name").unwrap()
        );
    }
}

#[test]
fn a_malformed_statement_fails_the_whole_write_and_changes_nothing() {
    // Typed commands are parsed before they are applied: the first statement of an update whose
    // second lacks `q` must not be applied on the primary alone (its store and oplog would part).
    let mut lab = Lab::new(3);
    let p = lab.initiate3();
    let (_, r) = lab.insert(p, vec![doc! {"_id": 1, "a": 0}], doc! {"w": 1});
    assert!(matches!(r, Response::Now(_)), "{r:?}");
    let r = lab.run(
        p,
        "app",
        doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"a": 1}}}, {"u": {"$set": {"a": 2}}}]},
    );
    assert_eq!(r.get_i32("code"), Ok(40414), "{r}");
    lab.advance(HB);
    for m in 0..3 {
        assert_eq!(
            lab.c.documents(m, "app", "c"),
            vec![doc! {"_id": 1, "a": 0}],
            "member {m}"
        );
    }
}
