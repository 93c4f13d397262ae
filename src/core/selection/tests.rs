//! Unit tests: each filter's verdict and sentence, validation messages, and `pick`.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::*;
use crate::core::description::ServerDescription;

fn addr(s: &str) -> ServerAddress {
    ServerAddress::parse(s).unwrap()
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn server(a: &str, t: ServerType, rtt: f64, tg: &[(&str, &str)]) -> ServerDescription {
    let mut sd = ServerDescription::new_unknown(addr(a));
    sd.server_type = t;
    sd.round_trip_time_ms = Some(rtt);
    sd.tags = tags(tg);
    sd
}

fn topology(t: TopologyType, servers: Vec<ServerDescription>) -> TopologyDescription {
    TopologyDescription {
        topology_type: t,
        set_name: None,
        max_set_version: None,
        max_election_id: None,
        servers: servers
            .into_iter()
            .map(|s| (s.address.clone(), s))
            .collect::<BTreeMap<_, _>>(),
        compatible: true,
        compatibility_error: None,
        logical_session_timeout_minutes: None,
        ..TopologyDescription::default()
    }
}

fn read(mode: ReadPreferenceMode, tag_sets: Vec<Tags>, max_staleness: Option<u64>) -> Criteria {
    Criteria::Read(ReadPreference {
        mode,
        tag_sets,
        max_staleness: max_staleness.map(Duration::from_secs),
    })
}

fn candidate<'s, 'a>(sel: &'s Selection<'a>, a: &str) -> &'s Candidate<'a> {
    sel.candidates
        .iter()
        .find(|c| c.address == &addr(a))
        .expect("candidate present")
}

fn rs() -> TopologyDescription {
    topology(
        TopologyType::ReplicaSetWithPrimary,
        vec![
            server("a:1", ServerType::RSPrimary, 5.0, &[("dc", "ny")]),
            server("b:1", ServerType::RSSecondary, 3.1, &[("dc", "sf")]),
            server("c:1", ServerType::RSSecondary, 42.0, &[("dc", "sf")]),
            server("d:1", ServerType::RSArbiter, 1.0, &[]),
            server("e:1", ServerType::RSSecondary, 4.0, &[("dc", "ny")]),
        ],
    )
}

#[test]
fn mode_secondary_excludes_the_primary_and_arbiters_are_never_selectable() {
    let topo = rs();
    let c = read(ReadPreferenceMode::Secondary, vec![], None);
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    let a = candidate(&sel, "a:1");
    assert_eq!(a.reason(), "mode secondary excludes the primary");
    assert_eq!(a.dropped_by(), Some(Filter::Mode));
    assert_eq!(
        candidate(&sel, "d:1").reason(),
        "type RSArbiter is never selectable in a ReplicaSetWithPrimary topology"
    );
    assert_eq!(sel.suitable, vec![addr("b:1"), addr("c:1"), addr("e:1")]);
}

#[test]
fn latency_window_reason_quotes_the_window() {
    let topo = rs();
    let c = read(
        ReadPreferenceMode::Secondary,
        vec![tags(&[("dc", "sf")])],
        None,
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(sel.in_window, vec![addr("b:1")]);
    assert_eq!(sel.latency_window_ms, Some((3.1, 18.1)));
    let far = candidate(&sel, "c:1");
    assert!(far.suitable && !far.eligible);
    assert_eq!(
        far.reason(),
        "rtt 42.0 ms outside the latency window 3.1–18.1 ms"
    );
    assert_eq!(far.dropped_by(), Some(Filter::LatencyWindow));
    let near = candidate(&sel, "b:1");
    assert!(near.eligible);
    assert_eq!(near.matched_tag_set, Some(0));
    assert_eq!(
        near.reason(),
        "eligible: secondary, tag set #1 {dc: sf}, rtt 3.1 ms"
    );
}

#[test]
fn tag_mismatch_names_the_winning_tag_set() {
    let topo = rs();
    let c = read(
        ReadPreferenceMode::Secondary,
        vec![tags(&[("dc", "sf")]), tags(&[("dc", "ny")])],
        None,
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    let e = candidate(&sel, "e:1");
    assert_eq!(e.dropped_by(), Some(Filter::TagSets));
    assert_eq!(
        e.reason(),
        "tags {dc: ny} match only tag set #2; tag set #1 {dc: sf} comes first and matched other members"
    );
    let c = read(
        ReadPreferenceMode::Secondary,
        vec![tags(&[("dc", "sf")])],
        None,
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(
        candidate(&sel, "e:1").reason(),
        "tags {dc: ny} match no tag set; tag set #1 {dc: sf} matched other members"
    );
}

#[test]
fn no_tag_set_matching_anyone_is_explained() {
    let topo = rs();
    let c = read(
        ReadPreferenceMode::Nearest,
        vec![tags(&[("dc", "tokyo")]), tags(&[("rack", "9")])],
        None,
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert!(sel.suitable.is_empty());
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "tags {dc: sf} match no tag set, and no tag set matched any member: tag set #1 {dc: tokyo}, tag set #2 {rack: 9}"
    );
}

#[test]
fn staleness_filter_uses_the_primary_formula_and_explains() {
    let mut topo = rs();
    let now = 1_000_000_000;
    for (a, lag_s) in [("a:1", 0), ("b:1", 114), ("c:1", 0), ("e:1", 10)] {
        let sd = topo.servers.get_mut(&addr(a)).unwrap();
        sd.last_update_time_ms = now;
        sd.last_write_date_ms = Some(now - lag_s * 1000);
    }
    let c = read(ReadPreferenceMode::Nearest, vec![], Some(90));
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    let b = candidate(&sel, "b:1");
    // 114 s behind the primary + 10 s heartbeat = 124 s.
    assert_eq!(b.staleness_s, Some(124.0));
    assert_eq!(b.reason(), "staleness 124s exceeds maxStalenessSeconds 90");
    assert_eq!(b.dropped_by(), Some(Filter::Staleness));
    assert_eq!(candidate(&sel, "e:1").staleness_s, Some(20.0));
    assert_eq!(candidate(&sel, "a:1").staleness_s, Some(0.0));
    assert_eq!(
        candidate(&sel, "e:1").reason(),
        "eligible: secondary, staleness 20s, rtt 4.0 ms"
    );
    assert_eq!(sel.suitable, vec![addr("a:1"), addr("c:1"), addr("e:1")]);
}

#[test]
fn staleness_without_primary_uses_the_freshest_secondary() {
    let mut topo = rs();
    topo.topology_type = TopologyType::ReplicaSetNoPrimary;
    topo.servers.remove(&addr("a:1"));
    for (a, write) in [("b:1", 0), ("c:1", 200_000), ("e:1", 150_000)] {
        let sd = topo.servers.get_mut(&addr(a)).unwrap();
        sd.last_update_time_ms = 999_999;
        sd.last_write_date_ms = Some(write);
    }
    let c = read(ReadPreferenceMode::Secondary, vec![], Some(100));
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(candidate(&sel, "b:1").staleness_s, Some(210.0));
    assert_eq!(candidate(&sel, "e:1").staleness_s, Some(60.0));
    assert_eq!(sel.suitable, vec![addr("c:1"), addr("e:1")]);
}

#[test]
fn missing_last_write_with_max_staleness_is_explained() {
    let topo = rs();
    let c = read(ReadPreferenceMode::Secondary, vec![], Some(120));
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert!(sel.suitable.is_empty());
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "staleness unknown (no lastWriteDate) while maxStalenessSeconds is 120"
    );
}

#[test]
fn preferred_modes_fall_back_and_say_so() {
    let topo = rs();
    let pp = read(ReadPreferenceMode::PrimaryPreferred, vec![], None);
    let sel = select_suitable(&topo, &pp, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(sel.suitable, vec![addr("a:1")]);
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "mode primaryPreferred: the primary is available"
    );

    let sp = read(ReadPreferenceMode::SecondaryPreferred, vec![], None);
    let sel = select_suitable(&topo, &sp, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(
        candidate(&sel, "a:1").reason(),
        "mode secondaryPreferred: eligible secondaries exist"
    );

    let sp_none = read(
        ReadPreferenceMode::SecondaryPreferred,
        vec![tags(&[("dc", "tokyo")])],
        None,
    );
    let sel = select_suitable(&topo, &sp_none, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(sel.suitable, vec![addr("a:1")]);
    assert_eq!(
        candidate(&sel, "a:1").reason(),
        "eligible: primary, rtt 5.0 ms"
    );

    let p = read(ReadPreferenceMode::Primary, vec![], None);
    let sel = select_suitable(&topo, &p, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "mode primary excludes secondaries"
    );
}

#[test]
fn writes_go_to_the_primary_and_unknown_topology_selects_nothing() {
    let topo = rs();
    let sel = select_suitable(&topo, &Criteria::Write, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(sel.in_window, vec![addr("a:1")]);
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "writes go to the primary only"
    );

    let mut unknown = rs();
    unknown.topology_type = TopologyType::Unknown;
    let sel = select_suitable(
        &unknown,
        &Criteria::Write,
        &SelectionSettings::default(),
        &[],
    )
    .unwrap();
    assert!(sel.suitable.is_empty());
    assert!(candidate(&sel, "a:1")
        .reason()
        .starts_with("topology type Unknown"));
}

#[test]
fn unavailable_servers_are_explained() {
    let mut topo = rs();
    topo.servers.get_mut(&addr("c:1")).unwrap().server_type = ServerType::Unknown;
    let c = read(ReadPreferenceMode::Nearest, vec![], None);
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(
        candidate(&sel, "c:1").reason(),
        "type Unknown is not available"
    );
    assert_eq!(candidate(&sel, "c:1").dropped_by(), Some(Filter::Topology));
}

#[test]
fn deprioritized_servers_are_dropped_only_while_others_are_suitable() {
    let topo = rs();
    let c = read(
        ReadPreferenceMode::Secondary,
        vec![tags(&[("dc", "sf")])],
        None,
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[addr("b:1")]).unwrap();
    assert_eq!(sel.suitable, vec![addr("c:1")]);
    assert!(!sel.used_deprioritized);
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "deprioritized (a previous attempt failed here) and other servers are suitable"
    );
    let sel = select_suitable(
        &topo,
        &c,
        &SelectionSettings::default(),
        &[addr("b:1"), addr("c:1")],
    )
    .unwrap();
    assert!(sel.used_deprioritized);
    assert_eq!(sel.in_window, vec![addr("b:1")]);
    assert_eq!(
        candidate(&sel, "b:1").reason(),
        "eligible: secondary (deprioritized, but no other server is suitable), tag set #1 {dc: sf}, rtt 3.1 ms"
    );
}

#[test]
fn sharded_ignores_the_read_preference() {
    let topo = topology(
        TopologyType::Sharded,
        vec![
            server("m1:1", ServerType::Mongos, 5.0, &[]),
            server("m2:1", ServerType::Mongos, 30.0, &[]),
            server("x:1", ServerType::Unknown, 1.0, &[]),
        ],
    );
    let c = read(
        ReadPreferenceMode::Secondary,
        vec![tags(&[("dc", "ny")])],
        Some(1),
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    assert_eq!(sel.suitable, vec![addr("m1:1"), addr("m2:1")]);
    assert_eq!(sel.in_window, vec![addr("m1:1")]);
    assert_eq!(
        candidate(&sel, "m1:1").reason(),
        "eligible: mongos, rtt 5.0 ms"
    );
}

#[test]
fn validation_messages_quote_the_rule() {
    let s = SelectionSettings::default();
    let rp = |mode, tag_sets, secs: Option<u64>| ReadPreference {
        mode,
        tag_sets,
        max_staleness: secs.map(Duration::from_secs),
    };
    let e = validate(
        &rp(
            ReadPreferenceMode::Primary,
            vec![tags(&[("dc", "ny")])],
            None,
        ),
        &s,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("mode primary cannot be combined with tag sets (got {dc: ny})"),
        "{e}"
    );
    assert!(validate(
        &rp(ReadPreferenceMode::Primary, vec![Tags::new()], None),
        &s
    )
    .is_ok());
    let e = validate(&rp(ReadPreferenceMode::Primary, vec![], Some(120)), &s).unwrap_err();
    assert!(
        e.to_string()
            .contains("cannot be combined with maxStalenessSeconds"),
        "{e}"
    );
    let e = validate(&rp(ReadPreferenceMode::Nearest, vec![], Some(89)), &s).unwrap_err();
    assert!(
        e.to_string().contains("smallestMaxStalenessSeconds (90 s)"),
        "{e}"
    );
    let slow = SelectionSettings {
        heartbeat_frequency_ms: 120_000.0,
        ..s
    };
    let e = validate(&rp(ReadPreferenceMode::Nearest, vec![], Some(129)), &slow).unwrap_err();
    assert!(
        e.to_string()
            .contains("heartbeatFrequencyMS + idleWritePeriodMS"),
        "{e}"
    );
    assert!(e.to_string().contains("= 130 s"), "{e}");
    assert!(validate(&rp(ReadPreferenceMode::Nearest, vec![], Some(130)), &slow).is_ok());
    // select_suitable applies the bounds to replica sets only.
    let c = Criteria::Read(rp(ReadPreferenceMode::Nearest, vec![], Some(10)));
    assert!(select_suitable(&rs(), &c, &s, &[]).is_err());
}

#[test]
fn incompatible_topology_is_an_error() {
    let mut topo = rs();
    topo.compatible = false;
    topo.compatibility_error = Some("server a:1 requires wire version 99".into());
    let e =
        select_suitable(&topo, &Criteria::Write, &SelectionSettings::default(), &[]).unwrap_err();
    assert!(e.to_string().contains("requires wire version 99"), "{e}");
}

#[test]
fn pick_prefers_the_less_busy_of_two_and_handles_small_windows() {
    let mut rng = SmallRng::seed_from_u64(7);
    assert_eq!(pick(&[], |_| 0, &mut rng), None);
    assert_eq!(pick(&[addr("a:1")], |_| 9, &mut rng), Some(addr("a:1")));
    let window = [addr("a:1"), addr("b:1")];
    for _ in 0..100 {
        let busy = |a: &ServerAddress| if *a == addr("a:1") { 10 } else { 1 };
        assert_eq!(pick(&window, busy, &mut rng), Some(addr("b:1")));
    }
    let window = [addr("a:1"), addr("b:1"), addr("c:1")];
    let mut seen = [0usize; 3];
    for _ in 0..3000 {
        let chosen = pick(&window, |_| 0, &mut rng).unwrap();
        seen[window.iter().position(|a| *a == chosen).unwrap()] += 1;
    }
    assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
}

#[test]
fn explain_lists_every_server() {
    let topo = rs();
    let c = read(ReadPreferenceMode::Nearest, vec![], None);
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    let text = sel.explain();
    assert_eq!(text.lines().count(), 5);
    assert!(
        text.contains("c:1 (RSSecondary, rtt 42.0 ms): rtt 42.0 ms outside the latency window"),
        "{text}"
    );
}

#[test]
fn json_explanation_carries_the_same_reason() {
    let topo = rs();
    let c = read(
        ReadPreferenceMode::Secondary,
        vec![tags(&[("dc", "sf")])],
        None,
    );
    let sel = select_suitable(&topo, &c, &SelectionSettings::default(), &[]).unwrap();
    let v = serde_json::to_value(&sel).unwrap();
    assert_eq!(v["in_window"], serde_json::json!(["b:1"]));
    assert_eq!(v["latency_window_ms"], serde_json::json!([3.1, 18.1]));
    let c1 = &v["candidates"][2];
    assert_eq!(c1["address"], "c:1");
    assert_eq!(c1["dropped_by"], "latency_window");
    assert_eq!(c1["reason"], candidate(&sel, "c:1").reason().as_str());
    assert_eq!(v["candidates"][1]["tags"], serde_json::json!({"dc": "sf"}));
    assert_eq!(v["candidates"][1]["dropped_by"], serde_json::Value::Null);
}

mod properties {
    //! Invariants over random topologies: selection never panics, the explanation agrees with
    //! the result, and each filter's rule holds for what it kept.

    use proptest::prelude::*;

    use super::*;

    const TYPES: [ServerType; 10] = [
        ServerType::Standalone,
        ServerType::Mongos,
        ServerType::PossiblePrimary,
        ServerType::RSPrimary,
        ServerType::RSSecondary,
        ServerType::RSArbiter,
        ServerType::RSOther,
        ServerType::RSGhost,
        ServerType::LoadBalancer,
        ServerType::Unknown,
    ];
    const TOPOLOGIES: [TopologyType; 6] = [
        TopologyType::Unknown,
        TopologyType::Single,
        TopologyType::ReplicaSetNoPrimary,
        TopologyType::ReplicaSetWithPrimary,
        TopologyType::Sharded,
        TopologyType::LoadBalanced,
    ];
    const MODES: [ReadPreferenceMode; 5] = [
        ReadPreferenceMode::Primary,
        ReadPreferenceMode::PrimaryPreferred,
        ReadPreferenceMode::Secondary,
        ReadPreferenceMode::SecondaryPreferred,
        ReadPreferenceMode::Nearest,
    ];

    fn arb_tags() -> impl Strategy<Value = Tags> {
        proptest::collection::btree_map(
            prop_oneof![Just("dc".to_string()), Just("rack".to_string())],
            prop_oneof![
                Just("ny".to_string()),
                Just("sf".to_string()),
                Just("1".to_string())
            ],
            0..3,
        )
    }

    fn arb_time() -> impl Strategy<Value = i64> {
        prop_oneof![4 => 0i64..400_000, 1 => any::<i64>()]
    }

    fn arb_server(i: usize) -> impl Strategy<Value = ServerDescription> {
        (
            0..TYPES.len(),
            proptest::option::weighted(0.9, 0.0f64..100.0),
            arb_tags(),
            arb_time(),
            proptest::option::weighted(0.9, arb_time()),
        )
            .prop_map(move |(t, rtt, tags, update, write)| {
                let mut sd =
                    ServerDescription::new_unknown(ServerAddress::new(format!("h{i}"), 27017));
                sd.server_type = TYPES[t];
                sd.round_trip_time_ms = rtt;
                sd.tags = tags;
                sd.last_update_time_ms = update;
                sd.last_write_date_ms = write;
                sd
            })
    }

    fn arb_topology() -> impl Strategy<Value = TopologyDescription> {
        (0..TOPOLOGIES.len(), 0usize..8).prop_flat_map(|(t, n)| {
            (0..n)
                .map(arb_server)
                .collect::<Vec<_>>()
                .prop_map(move |servers| topology(TOPOLOGIES[t], servers))
        })
    }

    fn arb_criteria() -> impl Strategy<Value = Criteria> {
        prop_oneof![
            1 => Just(Criteria::Write),
            4 => (
                0..MODES.len(),
                proptest::collection::vec(arb_tags(), 0..3),
                proptest::option::of(0u64..300),
            )
                .prop_map(|(m, tag_sets, secs)| Criteria::Read(ReadPreference {
                    mode: MODES[m],
                    tag_sets,
                    max_staleness: secs.map(Duration::from_secs),
                })),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn selection_agrees_with_its_explanation(
            topo in arb_topology(),
            criteria in arb_criteria(),
            deprioritized_mask in any::<u8>(),
            threshold in 0.0f64..40.0,
            heartbeat in 500.0f64..150_000.0,
        ) {
            let settings = SelectionSettings { local_threshold_ms: threshold, heartbeat_frequency_ms: heartbeat };
            let deprioritized: Vec<ServerAddress> = topo
                .servers
                .keys()
                .enumerate()
                .filter(|(i, _)| deprioritized_mask & (1 << i) != 0)
                .map(|(_, a)| a.clone())
                .collect();
            let rp = criteria.read_preference();
            let is_rs = matches!(topo.topology_type, TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary);
            let invalid = rp.is_some_and(|rp| {
                validate_mode(rp).is_err() || (is_rs && validate_staleness(rp, &settings).is_err())
            });
            let result = select_suitable(&topo, &criteria, &settings, &deprioritized);
            prop_assert_eq!(result.is_err(), invalid);
            let Ok(sel) = result else { return Ok(()) };

            prop_assert_eq!(sel.candidates.len(), topo.servers.len());
            let suitable: Vec<ServerAddress> = sel.candidates.iter().filter(|c| c.suitable).map(|c| c.address.clone()).collect();
            let eligible: Vec<ServerAddress> = sel.candidates.iter().filter(|c| c.eligible).map(|c| c.address.clone()).collect();
            prop_assert_eq!(&sel.suitable, &suitable);
            prop_assert_eq!(&sel.in_window, &eligible);
            prop_assert_eq!(sel.suitable.is_empty(), sel.in_window.is_empty());
            for c in &sel.candidates {
                prop_assert!(!c.reason().is_empty());
                prop_assert_eq!(c.eligible, c.dropped_by().is_none());
                prop_assert!(!c.eligible || c.suitable);
                if c.suitable && !c.eligible {
                    prop_assert_eq!(c.dropped_by(), Some(Filter::LatencyWindow));
                    let (_, high) = sel.latency_window_ms.unwrap();
                    prop_assert!(c.rtt_ms.unwrap() > high);
                }
                if c.eligible {
                    if let (Some(r), Some((low, high))) = (c.rtt_ms, sel.latency_window_ms) {
                        prop_assert!(low <= r && r <= high);
                    }
                    if let Some(i) = c.matched_tag_set {
                        prop_assert!(tags_match(&rp.unwrap().tag_sets[i], c.tags));
                    }
                }
                if c.suitable {
                    let ok_type = match topo.topology_type {
                        TopologyType::Unknown => false,
                        TopologyType::Single => c.server_type.is_available(),
                        TopologyType::Sharded => c.server_type == ServerType::Mongos,
                        TopologyType::LoadBalanced => c.server_type == ServerType::LoadBalancer,
                        _ => match rp.map(|r| r.mode) {
                            None | Some(ReadPreferenceMode::Primary) => c.server_type == ServerType::RSPrimary,
                            Some(ReadPreferenceMode::Secondary) => c.server_type == ServerType::RSSecondary,
                            Some(_) => matches!(c.server_type, ServerType::RSPrimary | ServerType::RSSecondary),
                        },
                    };
                    prop_assert!(ok_type, "{} suitable in {:?}: {}", c.server_type, topo.topology_type, c.reason());
                    if c.deprioritized {
                        prop_assert!(sel.used_deprioritized);
                    }
                    if let (true, Some(rp), ServerType::RSSecondary) = (is_rs, rp, c.server_type) {
                        if let Some(max) = rp.max_staleness {
                            prop_assert!(c.staleness_s.unwrap() <= max.as_secs_f64());
                        }
                    }
                }
            }
            if sel.used_deprioritized {
                prop_assert!(sel.candidates.iter().any(|c| c.deprioritized));
            }
        }
    }
}
