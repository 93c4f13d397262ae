//! Property tests for SDAM: `ServerDescription::from_hello` on hostile hello documents (every
//! hello key with values of arbitrary types) never panics, and sequences of such replies, failed
//! checks and application errors fed to `TopologyDescription::apply` /
//! `handle_application_error` keep the spec's invariants:
//!
//! - at most one RSPrimary; ReplicaSetWithPrimary has exactly one, ReplicaSetNoPrimary none;
//! - while a primary is known, every server is in its hosts, passives or arbiters;
//! - the topology type agrees with the servers (Sharded: Mongos/Unknown, or a ghost met before; replica set types:
//!   no Standalone/Mongos, members carry the set's name; Unknown: only Unknown and RSGhost;
//!   Single and LoadBalanced: exactly the seeds);
//! - `compatible` agrees with `compatibility_error`, and `diff` is empty exactly when the two
//!   descriptions are equivalent.

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};
use proptest::prelude::*;
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use rsctl::core::sdam::{self, ErrorContext, TopologyOptions};
use rsctl::error::{Error, NetworkErrorKind};

const HOSTS: [&str; 5] = ["a:27017", "b:27017", "c:27017", "d:27017", "e:27017"];

fn oid(n: u8) -> ObjectId {
    let mut b = [0u8; 12];
    b[11] = n;
    ObjectId::from_bytes(b)
}

/// Any BSON value, a few levels deep.
fn any_bson() -> impl Strategy<Value = Bson> {
    let leaf = prop_oneof![
        Just(Bson::Null),
        any::<bool>().prop_map(Bson::Boolean),
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<f64>().prop_map(Bson::Double),
        ".{0,12}".prop_map(Bson::String),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(ObjectId::from_bytes(b))),
        any::<i64>().prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Bson::Array),
            prop::collection::vec(("[a-zA-Z]{1,8}", inner), 0..4)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    })
}

/// A host string: mostly one of the topology's, sometimes hostile.
fn host_string() -> impl Strategy<Value = Bson> {
    prop_oneof![
        8 => prop::sample::select(HOSTS.to_vec()).prop_map(|h| Bson::String(h.to_uppercase())),
        8 => prop::sample::select(HOSTS.to_vec()).prop_map(|h| Bson::String(h.to_string())),
        1 => "[a-z:\\[\\]0-9]{0,10}".prop_map(Bson::String),
        1 => any_bson(),
    ]
}

fn host_list() -> impl Strategy<Value = Bson> {
    prop_oneof![
        9 => prop::collection::vec(host_string(), 0..6).prop_map(Bson::Array),
        1 => any_bson(),
    ]
}

fn flag() -> impl Strategy<Value = Bson> {
    prop_oneof![6 => any::<bool>().prop_map(Bson::Boolean), 1 => any_bson()]
}

fn small_int() -> impl Strategy<Value = Bson> {
    prop_oneof![
        6 => (0i32..30).prop_map(Bson::Int32),
        2 => (0i64..30).prop_map(Bson::Int64),
        1 => any_bson(),
    ]
}

fn election_id() -> impl Strategy<Value = Bson> {
    prop_oneof![6 => (0u8..5).prop_map(|n| Bson::ObjectId(oid(n))), 1 => any_bson()]
}

fn topology_version() -> impl Strategy<Value = Bson> {
    prop_oneof![
        6 => ((0u8..2), (0i64..4)).prop_map(|(p, c)| Bson::Document(doc! {"processId": oid(p), "counter": c})),
        1 => any_bson(),
    ]
}

/// A hello reply: each key of the hello response present or not, with plausible or arbitrary values.
fn hello_reply() -> impl Strategy<Value = Document> {
    let ok = prop_oneof![
        8 => Just(Some(Bson::Int32(1))),
        1 => Just(Some(Bson::Double(1.0))),
        1 => Just(Some(Bson::Int32(0))),
        1 => Just(None),
        1 => any_bson().prop_map(Some),
    ];
    let set_name = prop_oneof![
        6 => Just(Bson::String("rs".into())),
        1 => Just(Bson::String("other".into())),
        1 => any_bson(),
    ];
    let msg = prop_oneof![Just(Bson::String("isdbgrid".into())), any_bson()];
    let part1 = (
        ok,
        prop::option::weighted(0.4, flag()), // isWritablePrimary
        prop::option::weighted(0.2, flag()), // ismaster
        prop::option::weighted(0.4, flag()), // secondary
        prop::option::weighted(0.1, flag()), // arbiterOnly
        prop::option::weighted(0.1, flag()), // hidden
        prop::option::weighted(0.1, flag()), // isreplicaset
        prop::option::weighted(0.1, msg),    // msg
        prop::option::weighted(0.8, set_name), // setName
    );
    let part2 = (
        prop::option::weighted(0.8, host_list()),        // hosts
        prop::option::weighted(0.2, host_list()),        // passives
        prop::option::weighted(0.2, host_list()),        // arbiters
        prop::option::weighted(0.4, host_string()),      // me
        prop::option::weighted(0.3, host_string()),      // primary
        prop::option::weighted(0.5, small_int()),        // setVersion
        prop::option::weighted(0.5, election_id()),      // electionId
        prop::option::weighted(0.9, small_int()),        // maxWireVersion
        prop::option::weighted(0.5, small_int()),        // minWireVersion
        prop::option::weighted(0.3, topology_version()), // topologyVersion
    );
    let part3 = (
        prop::option::weighted(0.3, small_int()), // logicalSessionTimeoutMinutes
        prop::option::weighted(0.2, any_bson()),  // lastWrite
        prop::option::weighted(0.2, any_bson()),  // tags
        prop::option::weighted(0.02, any_bson()), // serviceId
        prop::option::weighted(0.1, flag()),      // helloOk
        prop::option::weighted(0.1, ("[a-zA-Z]{1,10}", any_bson())), // an unexpected key
    );
    (part1, part2, part3).prop_map(|(p1, p2, p3)| {
        let mut d = Document::new();
        let mut put = |k: &str, v: Option<Bson>| {
            if let Some(v) = v {
                d.insert(k, v);
            }
        };
        put("ok", p1.0);
        put("isWritablePrimary", p1.1);
        put("ismaster", p1.2);
        put("secondary", p1.3);
        put("arbiterOnly", p1.4);
        put("hidden", p1.5);
        put("isreplicaset", p1.6);
        put("msg", p1.7);
        put("setName", p1.8);
        put("hosts", p2.0);
        put("passives", p2.1);
        put("arbiters", p2.2);
        put("me", p2.3);
        put("primary", p2.4);
        put("setVersion", p2.5);
        put("electionId", p2.6);
        put("maxWireVersion", p2.7);
        put("minWireVersion", p2.8);
        put("topologyVersion", p2.9);
        put("logicalSessionTimeoutMinutes", p3.0);
        put("lastWrite", p3.1);
        put("tags", p3.2);
        put("serviceId", p3.3);
        put("helloOk", p3.4);
        if let Some((k, v)) = p3.5 {
            put(&k, Some(v));
        }
        d
    })
}

/// A well-formed reply of some role (primary, secondary, arbiter, other, ghost, standalone,
/// mongos), so that sequences reach elections, reconfigs and removals often.
fn plausible_reply() -> impl Strategy<Value = Document> {
    (
        0u8..7,
        prop::sample::subsequence(HOSTS.to_vec(), 0..=5),
        prop::option::weighted(0.3, prop::sample::select(HOSTS.to_vec())),
        prop::option::weighted(0.3, prop::sample::select(HOSTS.to_vec())),
        prop::bool::weighted(0.9),
        (prop::option::of(1i64..4), prop::option::of(0u8..5)),
        prop::sample::select(vec![6, 8, 9, 17, 21]),
        prop::option::weighted(0.3, (0u8..2, 0i64..4)),
        prop::option::weighted(0.5, 1i64..40),
    )
        .prop_map(
            |(role, hosts, me, primary, our_set, (set_version, eid), wire, tv, lst)| {
                let mut d =
                    doc! {"ok": 1, "helloOk": true, "minWireVersion": 0, "maxWireVersion": wire};
                let set = if our_set { "rs" } else { "other" };
                match role {
                    0 => d.extend(doc! {"isWritablePrimary": true, "setName": set}),
                    1 => d.extend(
                        doc! {"isWritablePrimary": false, "secondary": true, "setName": set},
                    ),
                    2 => d.extend(
                        doc! {"isWritablePrimary": false, "arbiterOnly": true, "setName": set},
                    ),
                    3 => d.extend(doc! {"isWritablePrimary": false, "setName": set}),
                    4 => d.extend(doc! {"isWritablePrimary": false, "isreplicaset": true}),
                    5 => d.extend(doc! {"isWritablePrimary": true}),
                    _ => d.extend(doc! {"isWritablePrimary": true, "msg": "isdbgrid"}),
                }
                if role <= 3 {
                    d.insert(
                        "hosts",
                        hosts
                            .iter()
                            .map(|h| Bson::String(h.to_string()))
                            .collect::<Vec<_>>(),
                    );
                    if let Some(m) = me {
                        d.insert("me", m);
                    }
                    if let Some(p) = primary {
                        d.insert("primary", p);
                    }
                    if let Some(v) = set_version {
                        d.insert("setVersion", v);
                    }
                    if let (0, Some(e)) = (role, eid) {
                        d.insert("electionId", oid(e));
                    }
                }
                if let Some((p, c)) = tv {
                    d.insert("topologyVersion", doc! {"processId": oid(p), "counter": c});
                }
                if let Some(l) = lst {
                    d.insert("logicalSessionTimeoutMinutes", l);
                }
                d
            },
        )
}

/// One input to the topology.
#[derive(Debug, Clone)]
enum Step {
    Hello(usize, Document),
    CheckFailed(usize),
    /// An application error: (server, kind 0..4, code, handshake completed, stale generation, wire).
    AppError(usize, u8, i32, bool, bool, i32),
}

fn step() -> impl Strategy<Value = Step> {
    let codes = prop::sample::select(vec![
        0, 1, 91, 189, 10107, 11600, 11602, 13435, 13436, 10058,
    ]);
    prop_oneof![
        6 => (0..HOSTS.len(), plausible_reply()).prop_map(|(i, d)| Step::Hello(i, d)),
        2 => (0..HOSTS.len(), hello_reply()).prop_map(|(i, d)| Step::Hello(i, d)),
        1 => (0..HOSTS.len()).prop_map(Step::CheckFailed),
        2 => (0..HOSTS.len(), 0u8..4, codes, any::<bool>(), any::<bool>(), prop::sample::select(vec![6, 7, 8, 9, 21]))
            .prop_map(|(i, k, c, h, s, w)| Step::AppError(i, k, c, h, s, w)),
    ]
}

fn options() -> impl Strategy<Value = TopologyOptions> {
    (
        prop::sample::subsequence(HOSTS.to_vec(), 1..=3),
        prop::option::of(prop_oneof![
            Just("rs".to_string()),
            Just("other".to_string())
        ]),
        prop::option::of(any::<bool>()),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(seeds, set_name, direct, lb)| {
            let seeds: Vec<ServerAddress> = seeds
                .iter()
                .map(|h| ServerAddress::parse(h).unwrap())
                .collect();
            // Keep the combinations the URI spec allows: directConnection=true and loadBalanced
            // need a single seed, loadBalanced excludes replicaSet and directConnection.
            let single = vec![seeds[0].clone()];
            if lb {
                TopologyOptions {
                    seeds: single,
                    set_name: None,
                    direct_connection: None,
                    load_balanced: true,
                }
            } else if direct == Some(true) {
                TopologyOptions {
                    seeds: single,
                    set_name,
                    direct_connection: direct,
                    load_balanced: false,
                }
            } else {
                TopologyOptions {
                    seeds,
                    set_name,
                    direct_connection: direct,
                    load_balanced: false,
                }
            }
        })
}

fn addr(i: usize) -> ServerAddress {
    ServerAddress::parse(HOSTS[i]).unwrap()
}

fn check_invariants(
    td: &TopologyDescription,
    options: &TopologyOptions,
) -> Result<(), TestCaseError> {
    let primaries: Vec<&ServerDescription> = td
        .servers
        .values()
        .filter(|s| s.server_type == ServerType::RSPrimary)
        .collect();
    prop_assert!(
        primaries.len() <= 1,
        "two primaries: {:?}",
        td.servers.keys()
    );
    prop_assert_eq!(td.compatible, td.compatibility_error.is_none());
    for (a, s) in &td.servers {
        prop_assert_eq!(a, &s.address);
        if s.server_type == ServerType::Unknown {
            prop_assert!(s.round_trip_time_ms.is_none());
        }
    }
    let seeds: std::collections::BTreeSet<_> = options.seeds.iter().cloned().collect();
    let keys: std::collections::BTreeSet<_> = td.servers.keys().cloned().collect();
    match td.topology_type {
        TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary => {
            if td.topology_type == TopologyType::ReplicaSetWithPrimary {
                prop_assert_eq!(primaries.len(), 1);
                let p = primaries[0];
                for a in td.servers.keys() {
                    prop_assert!(
                        p.all_members().any(|m| m == a),
                        "{} not in primary {}'s lists",
                        a,
                        p.address
                    );
                }
            } else {
                prop_assert_eq!(primaries.len(), 0);
            }
            prop_assert!(
                td.set_name.is_some() || td.servers.values().all(|s| s.set_name.is_none())
            );
            for s in td.servers.values() {
                prop_assert!(
                    !matches!(
                        s.server_type,
                        ServerType::Standalone | ServerType::Mongos | ServerType::LoadBalancer
                    ),
                    "{} is {} in a replica set",
                    s.address,
                    s.server_type
                );
                if matches!(
                    s.server_type,
                    ServerType::RSPrimary
                        | ServerType::RSSecondary
                        | ServerType::RSArbiter
                        | ServerType::RSOther
                ) {
                    prop_assert_eq!(&s.set_name, &td.set_name);
                }
            }
        }
        TopologyType::Sharded => {
            for s in td.servers.values() {
                prop_assert!(
                    // A ghost seen while the type was still Unknown stays until its next check.
                    matches!(
                        s.server_type,
                        ServerType::Mongos | ServerType::Unknown | ServerType::RSGhost
                    ),
                    "{} is {} in a sharded topology",
                    s.address,
                    s.server_type
                );
            }
        }
        TopologyType::Unknown => {
            for s in td.servers.values() {
                prop_assert!(
                    matches!(s.server_type, ServerType::Unknown | ServerType::RSGhost),
                    "{} is {} in an Unknown topology",
                    s.address,
                    s.server_type
                );
            }
            prop_assert!(keys.is_subset(&seeds));
        }
        TopologyType::Single | TopologyType::LoadBalanced => prop_assert_eq!(keys, seeds),
    }
    Ok(())
}

/// `apply` said nothing changed beyond server `i`'s slot (`topology_changed` false, what the
/// topology worker relies on to skip the diff): then the same servers are there, every other one
/// is equivalent to before, the topology-level fields are the same, and the only events `diff`
/// can find are `i`'s own change.
fn only_slot_changed(
    before: &TopologyDescription,
    after: &TopologyDescription,
    i: usize,
    out: &sdam::UpdateOutcome,
) -> Result<(), TestCaseError> {
    if !out.applied {
        prop_assert!(!out.topology_changed);
        prop_assert!(sdam::diff(before, after).is_empty());
        return Ok(());
    }
    if out.topology_changed {
        return Ok(());
    }
    let a = addr(i);
    prop_assert!(before.servers.keys().eq(after.servers.keys()));
    for (k, s) in &after.servers {
        if k != &a {
            prop_assert!(before.servers[k].equivalent(s), "{} changed", k);
        }
    }
    prop_assert_eq!(before.topology_type, after.topology_type);
    prop_assert_eq!(&before.set_name, &after.set_name);
    prop_assert_eq!(before.max_set_version, after.max_set_version);
    prop_assert_eq!(before.max_election_id, after.max_election_id);
    prop_assert_eq!(before.compatible, after.compatible);
    prop_assert_eq!(&before.compatibility_error, &after.compatibility_error);
    prop_assert_eq!(
        before.logical_session_timeout_minutes,
        after.logical_session_timeout_minutes
    );
    if before.servers[&a].equivalent(&after.servers[&a]) {
        prop_assert!(sdam::diff(before, after).is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(1500) })]

    #[test]
    fn from_hello_never_panics_on_any_document(
        reply in prop::collection::vec(("[a-zA-Z]{1,12}", any_bson()), 0..8),
        plausible in hello_reply(),
    ) {
        let a = addr(0);
        for d in [reply.into_iter().collect::<Document>(), plausible] {
            let sd = ServerDescription::from_hello(a.clone(), &d, Some(1.0), 7);
            prop_assert_eq!(&sd.address, &a);
            prop_assert_eq!(sd.last_update_time_ms, 7);
            if matches!(sd.server_type, ServerType::RSPrimary | ServerType::RSSecondary
                | ServerType::RSArbiter | ServerType::RSOther) {
                prop_assert!(sd.set_name.is_some());
            }
            prop_assert_eq!(sd.server_type == ServerType::Unknown, sd.error.is_some());
            prop_assert!(sd.equivalent(&sd.clone()));
        }
    }

    #[test]
    fn update_sequences_keep_the_invariants(options in options(), steps in prop::collection::vec(step(), 1..30)) {
        let (mut td, _) = sdam::open(&options, 0);
        let mut pools = [0u32; HOSTS.len()];
        check_invariants(&td, &options)?;
        for (n, step) in steps.into_iter().enumerate() {
            let now = (n as i64 + 1) * 100;
            let before = td.clone();
            match step {
                Step::Hello(i, d) => {
                    let out = td.apply(ServerDescription::from_hello(addr(i), &d, Some(2.0), now));
                    only_slot_changed(&before, &td, i, &out)?;
                }
                Step::CheckFailed(i) => {
                    let out = td.apply(ServerDescription::from_error(
                        addr(i),
                        Error::network(&addr(i), NetworkErrorKind::Io, "refused"),
                        now,
                    ));
                    only_slot_changed(&before, &td, i, &out)?;
                }
                Step::AppError(i, kind, code, handshake_completed, stale, wire) => {
                    let a = addr(i);
                    let error = match kind {
                        0 => Error::network(&a, NetworkErrorKind::Closed, "closed"),
                        1 => Error::network(&a, NetworkErrorKind::Timeout, "timeout"),
                        2 => Error::Authentication { message: "denied".into() },
                        _ => Error::Command {
                            address: a.clone(), code: (code != 0).then_some(code), code_name: None,
                            message: "not master".into(), labels: vec![], topology_version: None,
                        },
                    };
                    let ctx = ErrorContext {
                        connection_generation: if stale && pools[i] > 0 { pools[i] - 1 } else { pools[i] },
                        pool_generation: pools[i],
                        handshake_completed,
                        max_wire_version: wire,
                    };
                    let out = td.handle_application_error(&a, &error, &ctx);
                    if stale && pools[i] > 0 {
                        prop_assert!(!out.marked_unknown && !out.clear_pool);
                    }
                    if out.clear_pool {
                        pools[i] += 1;
                    }
                }
            }
            check_invariants(&td, &options)?;
            let events = sdam::diff(&before, &td);
            prop_assert_eq!(events.is_empty(), sdam::topology_equivalent(&before, &td));
            prop_assert!(sdam::diff(&td, &td).is_empty());
        }
    }
}
