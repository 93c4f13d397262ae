use std::collections::BTreeSet;

use bson::{doc, Bson, Document};
use proptest::prelude::*;

use super::checks::{check, static_problems, Environment, NewMemberProbe};
use super::diff::diff;
use super::steps::{counted_voters, split};
use super::*;

/// A config as replSetGetConfig returns it: members `h{i}:27017` with the given (votes, priority).
fn config(members: &[(i64, f64)]) -> Config {
    let list: Vec<Bson> = members
        .iter()
        .enumerate()
        .map(|(i, (v, p))| {
            Bson::Document(doc! {
                "_id": i as i32, "host": format!("h{i}:27017"), "arbiterOnly": false,
                "buildIndexes": true, "hidden": false, "priority": *p, "tags": {},
                "secondaryDelaySecs": 0_i64, "votes": *v as i32,
            })
        })
        .collect();
    Config::parse(&doc! {
        "_id": "rs0", "version": 4, "term": 3, "members": list, "protocolVersion": 1_i64,
        "settings": {"electionTimeoutMillis": 10000, "replicaSetId": bson::oid::ObjectId::from_bytes([7; 12]),
                     "futureSetting": {"x": 1}},
        "futureTopLevel": "kept",
    })
    .unwrap()
}

fn hosts_env(cfg: &Config, primary: &str) -> Environment {
    Environment {
        primary: Some(primary.into()),
        reachable: cfg.members.iter().map(|m| m.host().to_string()).collect(),
        ..Default::default()
    }
}

fn remove(host: &str) -> Change {
    Change::Remove { host: host.into() }
}

#[test]
fn parse_keeps_unknown_fields_and_round_trips() {
    let c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    assert_eq!(c.set_name(), "rs0");
    assert_eq!((c.version(), c.term()), (4, Some(3)));
    let d = c.to_document();
    assert_eq!(d.get_str("futureTopLevel").unwrap(), "kept");
    assert!(d
        .get_document("settings")
        .unwrap()
        .contains_key("futureSetting"));
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(&keys[..4], ["_id", "version", "term", "members"]);
    assert_eq!(Config::parse(&d).unwrap(), c);
    // For replSetReconfig: version set, term and newlyAdded dropped, the rest as is.
    let mut with_flag = c.clone();
    with_flag.members[0].set("newlyAdded", true);
    let r = with_flag.for_reconfig(9);
    assert_eq!(r.get_i32("version").unwrap(), 9);
    assert!(!r.contains_key("term"));
    let m0 = r.get_array("members").unwrap()[0].as_document().unwrap();
    assert!(!m0.contains_key("newlyAdded"));
    assert_eq!(r.get_str("futureTopLevel").unwrap(), "kept");
}

#[test]
fn parse_refuses_bad_documents() {
    for (d, needle) in [
        (doc! {"members": []}, "_id"),
        (doc! {"_id": "rs0"}, "members"),
        (doc! {"_id": "rs0", "members": [1]}, "members.0"),
        (doc! {"_id": "rs0", "members": [{"host": "a:1"}]}, "_id"),
        (doc! {"_id": "rs0", "members": [{"_id": 0}]}, "host"),
        (
            doc! {"_id": "rs0", "members": [{"_id": 0, "host": "a:1", "votes": "x"}]},
            "votes",
        ),
        (
            doc! {"_id": "rs0", "members": [{"_id": 0, "host": "a:1", "tags": {"dc": 1}}]},
            "tag dc",
        ),
    ] {
        let e = Config::parse(&d).unwrap_err();
        assert!(e.contains(needle), "{needle}: {e}");
    }
}

#[test]
fn defaults_follow_mongod() {
    let m = Member::parse("m", doc! {"_id": 0, "host": "a:1"}).unwrap();
    assert_eq!((m.votes(), m.priority()), (1.0, 1.0));
    assert!(m.build_indexes() && !m.hidden() && !m.arbiter() && m.electable());
    let a = Member::parse("m", doc! {"_id": 1, "host": "b:1", "arbiterOnly": true}).unwrap();
    assert_eq!(a.priority(), 0.0);
    assert!(a.is_voter() && !a.electable());
    let d = Member::parse("m", doc! {"_id": 2, "host": "c:1", "slaveDelay": 60}).unwrap();
    assert_eq!(d.secondary_delay_secs(), 60.0);
}

#[test]
fn add_member_with_tags_and_implied_priority() {
    let c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    let mut tags = Tags::new();
    tags.insert("dc".into(), "sf".into());
    let a = apply(
        &c,
        &Change::Add(AddMember {
            host: "H9:27017".into(),
            tags,
            hidden: true,
            secondary_delay_secs: Some(3600),
            ..Default::default()
        }),
    )
    .unwrap();
    let m = a.config.member_by_host("h9:27017").expect("added");
    assert_eq!(m.id(), 3);
    assert_eq!(m.priority(), 0.0, "hidden: priority 0");
    assert!(m.hidden());
    assert_eq!(m.secondary_delay_secs(), 3600.0);
    assert_eq!(m.tags().get("dc").map(String::as_str), Some("sf"));
    assert_eq!(a.notes.len(), 1, "{:?}", a.notes);
    assert_eq!(a.config.version(), 4, "rsctl sets the version per step");
    // Already there.
    let e = apply(
        &c,
        &Change::Add(AddMember {
            host: "h1".into(),
            ..Default::default()
        }),
    )
    .unwrap_err();
    assert!(e.contains("already a member"), "{e}");
}

#[test]
fn set_member_tags_votes_and_unknown_host() {
    let mut c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    let mut t = Tags::new();
    t.insert("rack".into(), "1".into());
    t.insert("dc".into(), "ny".into());
    c.members[1].set_tags(&t);
    let a = apply(
        &c,
        &Change::Set(SetMember {
            host: "h1:27017".into(),
            votes: Some(0),
            tag: vec![("dc".into(), "sf".into())],
            untag: vec!["rack".into()],
            ..Default::default()
        }),
    )
    .unwrap();
    let m = &a.config.members[1];
    assert_eq!((m.votes(), m.priority()), (0.0, 0.0));
    assert_eq!(m.tags().len(), 1);
    assert_eq!(m.tags()["dc"], "sf");
    let e = apply(&c, &remove("nope:1")).unwrap_err();
    assert!(e.contains("not a member") && e.contains("h0:27017"), "{e}");
}

#[test]
fn diff_is_member_by_member_and_field_by_field() {
    let c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    let mut t = apply(&c, &remove("h2:27017")).unwrap().config;
    t.members[0].set("priority", 2.0);
    t.members[0].set("futureMemberField", "x");
    t.members.push(Member::new(7, "new:1"));
    let mut s = t.fields().get_document("settings").unwrap().clone();
    s.insert("electionTimeoutMillis", 5000);
    t.doc.insert("settings", s);
    let d = diff(&c, &t);
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.removed[0].host(), "h2:27017");
    assert_eq!(d.changed.len(), 1);
    let fields: Vec<&str> = d.changed[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["priority", "futureMemberField"]);
    assert_eq!(d.changed[0].fields[0].from, Some(Bson::Int64(1)));
    assert_eq!(d.changed[0].fields[0].to, Some(Bson::Int64(2)));
    assert_eq!(d.settings.len(), 1);
    assert_eq!(d.settings[0].field, "settings.electionTimeoutMillis");
    // Spelling is not a change: an absent priority is 1.
    let mut same = c.clone();
    same.members[0].unset("priority");
    assert!(diff(&c, &same).is_empty());
}

#[test]
fn static_checks_report_every_problem_at_once() {
    let mut c = config(&[(1, 1.0); 8]);
    c.members[0].set("votes", 2);
    c.members[1].set("hidden", true);
    c.members[2].set_secondary_delay(60);
    c.members[3].set("buildIndexes", false);
    c.members[4].set("arbiterOnly", true);
    c.members[5].set("arbiterOnly", true);
    c.members[5].set("priority", 0.0);
    c.members[6].set("host", "h0:27017");
    c.members[7].set("_id", 0);
    let p = static_problems(&c);
    for needle in [
        "8 voting members",
        "votes is 2",
        "when hidden",
        "secondaryDelaySecs",
        "buildIndexes is false",
        "arbiter's priority must be 0",
        "2 arbiters",
        "listed more than once",
        "_id 0 is used",
    ] {
        assert!(p.iter().any(|x| x.contains(needle)), "{needle}: {p:#?}");
    }
    let mut n = config(&[(1, 1.0)]);
    n.members[0].set("votes", 0);
    let p = static_problems(&n);
    assert!(p.iter().any(|x| x.contains("0 voting members")), "{p:?}");
    assert!(p.iter().any(|x| x.contains("non-voting")), "{p:?}");
    let mut none = config(&[(1, 0.0), (1, 0.0)]);
    none.members[1].set("arbiterOnly", true);
    assert!(static_problems(&none)
        .iter()
        .any(|x| x.contains("no member could be elected")));
    assert!(static_problems(&config(&[(1, 1.0), (1, 1.0), (0, 0.0)])).is_empty());
}

#[test]
fn removing_the_primary_is_refused_with_step_it_down_first() {
    let c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    let t = apply(&c, &remove("h0:27017")).unwrap().config;
    let r = check(&c, &t, &hosts_env(&c, "h0:27017"));
    assert_eq!(r.problems.len(), 1, "{r:?}");
    assert!(r.problems[0].contains("step it down first"), "{r:?}");
    // Making it unelectable is refused the same way.
    let t = apply(
        &c,
        &Change::Set(SetMember {
            host: "h0:27017".into(),
            priority: Some(0.0),
            ..Default::default()
        }),
    )
    .unwrap()
    .config;
    assert!(check(&c, &t, &hosts_env(&c, "h0:27017")).problems[0].contains("step it down"));
    // Another member: fine.
    let t = apply(&c, &remove("h2:27017")).unwrap().config;
    assert!(check(&c, &t, &hosts_env(&c, "h0:27017"))
        .problems
        .is_empty());
    // With --force (no primary to protect) the primary rule is off.
    let mut env = hosts_env(&c, "h0:27017");
    env.force = true;
    let t = apply(&c, &remove("h0:27017")).unwrap().config;
    assert!(check(&c, &t, &env).problems.is_empty());
}

#[test]
fn new_members_must_be_reachable_fresh_and_a_majority_up() {
    let c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    let add = |h: &str| {
        Change::Add(AddMember {
            host: h.into(),
            ..Default::default()
        })
    };
    let t = apply(&c, &add("x:1")).unwrap().config;
    let mut env = hosts_env(&c, "h0:27017");
    env.new_members.insert(
        host_key("x:1"),
        NewMemberProbe::Unreachable("connection refused".into()),
    );
    let r = check(&c, &t, &env);
    assert!(
        r.problems.iter().any(|p| p.contains("x:1")
            && p.contains("not reachable")
            && p.contains("resolved from where rsctl runs")),
        "{r:?}"
    );
    env.new_members.insert(
        host_key("x:1"),
        NewMemberProbe::Initiated {
            set: "other".into(),
        },
    );
    assert!(check(&c, &t, &env).problems[0].contains("another replica set (other)"));
    env.new_members
        .insert(host_key("x:1"), NewMemberProbe::NotReplicaSet);
    assert!(check(&c, &t, &env).problems[0].contains("--replSet rs0"));
    env.new_members
        .insert(host_key("x:1"), NewMemberProbe::Ready);
    let r = check(&c, &t, &env);
    assert!(r.problems.is_empty(), "{r:?}");
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("resolved from where rsctl runs")));
    // Two of four voters down: no majority of the new config.
    env.reachable = ["h0:27017".to_string()].into_iter().collect();
    let r = check(&c, &t, &env);
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("only 2 of the 4 voting members")),
        "{r:?}"
    );
}

#[test]
fn arbiter_and_build_indexes_cannot_toggle_and_ids_are_stable() {
    let c = config(&[(1, 1.0), (1, 1.0), (1, 1.0)]);
    let mut t = c.clone();
    t.members[2].set("arbiterOnly", true);
    t.members[2].set("priority", 0.0);
    t.members[1].set("buildIndexes", false);
    t.members[1].set("priority", 0.0);
    t.members[0].set("_id", 9);
    let r = check(&c, &t, &hosts_env(&c, "h1:27017"));
    for needle in [
        "arbiterOnly cannot change",
        "buildIndexes cannot change",
        "keeps its _id",
    ] {
        assert!(
            r.problems.iter().any(|p| p.contains(needle)),
            "{needle}: {r:?}"
        );
    }
}

fn voters_differ(prev: &Config, next: &Config) -> usize {
    let a = counted_voters(prev, prev);
    let b = counted_voters(prev, next);
    a.symmetric_difference(&b).count()
}

#[test]
fn removing_two_voters_takes_two_reconfigs() {
    let c = config(&[(1, 1.0); 5]);
    let mut t = apply(&c, &remove("h3:27017")).unwrap().config;
    t = apply(&t, &remove("h4:27017")).unwrap().config;
    let steps = split(&c, &t).unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].config.version(), 5);
    assert_eq!(steps[1].config.version(), 6);
    assert_eq!(steps[0].changes, ["remove h3:27017 (voting)"]);
    assert_eq!(steps[0].config.members.len(), 4);
    let mut want = t.clone();
    want.set_version(6);
    assert_eq!(steps[1].config, want);
}

#[test]
fn new_voters_are_exempt_and_priority_changes_do_not_count() {
    let c = config(&[(1, 1.0); 3]);
    let mut t = c.clone();
    t.members.push(Member::new(3, "n1:1"));
    t.members.push(Member::new(4, "n2:1"));
    t.members[0].set("priority", 5.0);
    t.members[1].set("priority", 0.5);
    let steps = split(&c, &t).unwrap();
    assert_eq!(steps.len(), 1, "{steps:#?}");
    assert_eq!(steps[0].changes.len(), 4);
    // A new arbiter does count; flipping votes counts.
    let mut t2 = c.clone();
    let mut arb = Member::new(3, "arb:1");
    arb.set("arbiterOnly", true);
    t2.members.push(arb);
    t2.members[2].set("votes", 0);
    t2.members[2].set("priority", 0.0);
    let steps = split(&c, &t2).unwrap();
    assert_eq!(steps.len(), 2);
    assert!(steps[0].changes[0].contains("votes 1 → 0"), "{steps:#?}");
}

#[test]
fn seven_voters_swap_demotes_before_promoting() {
    // 7 voters + 2 non-voters -> swap two voters for the two non-voters.
    let mut members = vec![(1, 1.0); 7];
    members.extend([(0, 0.0), (0, 0.0)]);
    let c = config(&members);
    let mut t = c.clone();
    for i in [5, 6] {
        t.members[i].set("votes", 0);
        t.members[i].set("priority", 0.0);
    }
    for i in [7, 8] {
        t.members[i].set("votes", 1);
        t.members[i].set("priority", 1.0);
    }
    let steps = split(&c, &t).unwrap();
    assert_eq!(steps.len(), 4);
    let mut prev = c.clone();
    for s in &steps {
        assert!(static_problems(&s.config).is_empty(), "{s:#?}");
        assert!(voters_differ(&prev, &s.config) <= 1);
        prev = s.config.clone();
    }
    assert!(steps[0].changes[0].contains("1 → 0"));
    assert!(steps[1].changes[0].contains("1 → 0"));
}

#[test]
fn settings_changes_travel_in_one_step() {
    let c = config(&[(1, 1.0); 3]);
    let mut t = c.clone();
    let mut s = t.fields().get_document("settings").unwrap().clone();
    s.insert("chainingAllowed", false);
    t.doc.insert("settings", s);
    let steps = split(&c, &t).unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0]
            .config
            .fields()
            .get_document("settings")
            .unwrap()
            .get_bool("chainingAllowed"),
        Ok(false)
    );
    assert!(split(&c, &c).unwrap().is_empty(), "nothing to do");
}

// ---------------------------------------------------------------------------------------------
// property: the splitter

#[derive(Debug, Clone)]
struct Spec {
    id: i64,
    votes: bool,
    priority: u8,
    hidden: bool,
    arbiter: bool,
}

fn build(specs: &[Spec]) -> Config {
    let list: Vec<Bson> = specs
        .iter()
        .map(|s| {
            let mut d = doc! {"_id": s.id as i32, "host": format!("m{}:27017", s.id)};
            let (votes, prio) = if s.arbiter {
                (1, 0.0)
            } else if !s.votes || s.hidden {
                (if s.votes { 1 } else { 0 }, 0.0)
            } else {
                (1, s.priority as f64)
            };
            d.insert("votes", votes);
            d.insert("priority", prio);
            if s.hidden && !s.arbiter {
                d.insert("hidden", true);
            }
            if s.arbiter {
                d.insert("arbiterOnly", true);
            }
            Bson::Document(d)
        })
        .collect();
    Config::parse(&doc! {"_id": "rs0", "version": 10, "term": 2, "members": list}).unwrap()
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0i64..14,
        any::<bool>(),
        0u8..3,
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(id, votes, priority, hidden, arbiter)| Spec {
            id,
            votes,
            priority,
            hidden,
            arbiter,
        })
}

fn specs() -> impl Strategy<Value = Vec<Spec>> {
    proptest::collection::vec(spec(), 1..12).prop_map(|v| {
        let mut seen = BTreeSet::new();
        v.into_iter().filter(|s| seen.insert(s.id)).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn split_steps_follow_the_safe_reconfig_rule(a in specs(), b in specs()) {
        let current = build(&a);
        let mut b = b;
        // The transition rules: a kept member keeps arbiterOnly.
        for s in &mut b {
            if let Some(o) = a.iter().find(|o| o.id == s.id) {
                s.arbiter = o.arbiter;
            }
        }
        let target = build(&b);
        prop_assume!(static_problems(&current).is_empty());
        prop_assume!(static_problems(&target).is_empty());
        let steps = split(&current, &target).map_err(TestCaseError::fail)?;
        let mut prev = current.clone();
        for (k, s) in steps.iter().enumerate() {
            prop_assert_eq!(s.config.version(), current.version() + k as i64 + 1);
            prop_assert!(static_problems(&s.config).is_empty(), "step {} invalid: {:?}", k, static_problems(&s.config));
            prop_assert!(voters_differ(&prev, &s.config) <= 1, "step {} changes {} voters", k, voters_differ(&prev, &s.config));
            prop_assert!(!s.changes.is_empty());
            prev = s.config.clone();
        }
        match steps.last() {
            Some(last) => {
                let mut want = target.clone();
                want.set_version(last.config.version());
                prop_assert_eq!(&last.config, &want);
            }
            None => prop_assert!(diff(&current, &target).is_empty()),
        }
    }
}

#[test]
fn numbers_compare_by_value_whatever_their_type() {
    // A config saved as JSON comes back with Int32 where the server had Int64 or Double.
    let c = config(&[(1, 1.0); 3]);
    let mut t = c.clone();
    t.doc.insert("protocolVersion", 1_i32);
    t.members[0].set("secondaryDelaySecs", 0_i32);
    t.members[1].set("priority", 1_i32);
    assert!(diff(&c, &t).is_empty(), "{:?}", diff(&c, &t));
    assert!(split(&c, &t).unwrap().is_empty());
    assert!(!same(&Bson::Int32(1), &Bson::String("1".into())));
    assert!(same(&Bson::Int64(2), &Bson::Double(2.0)));
}

#[test]
fn document_helpers() {
    let c = config(&[(1, 1.0); 2]);
    assert_eq!(c.next_id(), 2);
    assert_eq!(c.majority(), 2);
    assert_eq!(host_key("H0"), "h0:27017");
    let _unused: Document = c.for_reconfig(5);
}
