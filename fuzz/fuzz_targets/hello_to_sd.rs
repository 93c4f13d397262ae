//! Hello replies from arbitrary BSON into SDAM. The input is one options byte, then records:
//! `[selector, rtt, BSON document...]`. Each record becomes a `ServerDescription` (from the
//! raw reply with `from_raw_hello` and the host's `ListCache`, as a monitor reads it, and it must
//! agree with `from_hello` of the decoded document; or a failed check, or an application
//! error), folded into a
//! `TopologyDescription`; after each one the topology must keep the SDAM invariants (at most one
//! primary, the type agreeing with it, no standalone or mongos in a replica set, members of the
//! set's name only...), `diff` must agree with `topology_equivalent`, and server selection for a
//! write must only choose a primary (or the one server of a Single/Sharded topology's kinds).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::sdam::hello::ListCache;
use rsctl::core::sdam::{self, ErrorContext, TopologyOptions};
use rsctl::core::selection::{select_suitable, Criteria, SelectionSettings};
use rsctl::error::{Error, NetworkErrorKind};
use rsctl::wire::{self, Message};

const HOSTS: [&str; 4] = ["a:1", "b:2", "c:3", "d:4"];

fn addr(i: usize) -> ServerAddress {
    ServerAddress::parse(HOSTS[i % HOSTS.len()]).expect("valid host")
}

fn check_sd(sd: &ServerDescription, address: &ServerAddress, now: i64) {
    assert_eq!(&sd.address, address);
    assert_eq!(sd.last_update_time_ms, now);
    assert_eq!(
        sd.server_type == ServerType::Unknown,
        sd.error.is_some(),
        "{sd:?}"
    );
    if matches!(
        sd.server_type,
        ServerType::RSPrimary
            | ServerType::RSSecondary
            | ServerType::RSArbiter
            | ServerType::RSOther
    ) {
        assert!(sd.set_name.is_some(), "{sd:?}");
    }
    assert!(sd.equivalent(&sd.clone()));
}

fn check_topology(td: &TopologyDescription, options: &TopologyOptions) {
    let primaries: Vec<&ServerDescription> = td
        .servers
        .values()
        .filter(|s| s.server_type == ServerType::RSPrimary)
        .collect();
    assert!(
        primaries.len() <= 1,
        "two primaries: {:?}",
        td.servers.keys()
    );
    assert_eq!(td.compatible, td.compatibility_error.is_none());
    for (a, s) in &td.servers {
        assert_eq!(a, &s.address);
        if s.server_type == ServerType::Unknown {
            assert!(s.round_trip_time_ms.is_none());
        }
    }
    let seeds: std::collections::BTreeSet<_> = options.seeds.iter().cloned().collect();
    let keys: std::collections::BTreeSet<_> = td.servers.keys().cloned().collect();
    match td.topology_type {
        TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary => {
            let with = td.topology_type == TopologyType::ReplicaSetWithPrimary;
            assert_eq!(primaries.len(), usize::from(with), "{:?}", td.topology_type);
            if let Some(p) = primaries.first() {
                for a in td.servers.keys() {
                    assert!(
                        p.all_members().any(|m| m == a),
                        "{a} is not in the primary's lists"
                    );
                }
            }
            for s in td.servers.values() {
                assert!(
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
                    assert_eq!(s.set_name, td.set_name, "{}", s.address);
                }
            }
        }
        TopologyType::Sharded => {
            for s in td.servers.values() {
                assert!(
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
                assert!(
                    matches!(s.server_type, ServerType::Unknown | ServerType::RSGhost),
                    "{} is {} in an Unknown topology",
                    s.address,
                    s.server_type
                );
            }
            assert!(keys.is_subset(&seeds));
        }
        TopologyType::Single | TopologyType::LoadBalanced => assert_eq!(keys, seeds),
    }
}

fn check_selection(td: &TopologyDescription, mode: u8) {
    let settings = SelectionSettings::default();
    let criteria = match mode % 6 {
        0 => Criteria::Write,
        1 => Criteria::Read(ReadPreference::primary()),
        2 => Criteria::Read(ReadPreference::new(ReadPreferenceMode::PrimaryPreferred)),
        3 => Criteria::Read(ReadPreference::new(ReadPreferenceMode::Secondary)),
        4 => Criteria::Read(ReadPreference::new(ReadPreferenceMode::SecondaryPreferred)),
        _ => Criteria::Read(ReadPreference::new(ReadPreferenceMode::Nearest)),
    };
    let Ok(sel) = select_suitable(td, &criteria, &settings, &[]) else {
        assert!(!td.compatible, "selection failed on a compatible topology");
        return;
    };
    let _ = sel.explain();
    assert_eq!(sel.candidates.len(), td.servers.len());
    for a in &sel.in_window {
        assert!(
            sel.suitable.contains(a),
            "{a} in the window but not suitable"
        );
    }
    for a in &sel.suitable {
        let s = td.server(a).expect("a suitable server is in the topology");
        let ok = match (td.topology_type, mode % 6) {
            (TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary, 0 | 1) => {
                s.server_type == ServerType::RSPrimary
            }
            (TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary, 3) => {
                s.server_type == ServerType::RSSecondary
            }
            (TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary, _) => {
                matches!(
                    s.server_type,
                    ServerType::RSPrimary | ServerType::RSSecondary
                )
            }
            (TopologyType::Sharded, _) => s.server_type == ServerType::Mongos,
            (TopologyType::Unknown, _) => false,
            _ => s.server_type.is_available(),
        };
        assert!(
            ok,
            "{a} ({}) is suitable in {:?} for mode {}",
            s.server_type,
            td.topology_type,
            mode % 6
        );
    }
}

/// `bytes` as the body of an OP_MSG reply frame.
fn frame_of(bytes: &[u8]) -> Vec<u8> {
    let len = 16 + 4 + 1 + bytes.len();
    let mut frame = Vec::with_capacity(len);
    for v in [len as i32, 1, 1, wire::OP_MSG] {
        frame.extend_from_slice(&v.to_le_bytes());
    }
    frame.extend_from_slice(&[0, 0, 0, 0, 0]);
    frame.extend_from_slice(bytes);
    frame
}

/// The document decoded, through `wire::decode`.
fn reply_body(frame: &[u8]) -> Result<bson::Document, String> {
    match wire::decode(frame) {
        Ok((_, Message::Msg(m))) => Ok(m.body),
        Ok((_, other)) => panic!("an OP_MSG frame decoded as {other:?}"),
        Err(e) => Err(e.to_string()),
    }
}

/// The body as a monitor reads it: raw, through `wire::decode_op_msg_raw`.
fn raw_reply_body(frame: &[u8]) -> Result<bson::RawDocumentBuf, String> {
    match wire::decode_op_msg_raw(frame) {
        Ok(Some((_, _, body))) => Ok(body),
        Ok(None) => panic!("an OP_MSG frame was not read as one"),
        Err(e) => Err(e.to_string()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&opts, mut rest)) = data.split_first() else {
        return;
    };
    let seeds = usize::from(opts & 3) + 1;
    let options = TopologyOptions {
        seeds: (0..seeds).map(addr).collect(),
        set_name: (opts & 4 != 0).then(|| "rs".to_string()),
        direct_connection: (opts & 8 != 0 && seeds == 1).then_some(true),
        load_balanced: false,
    };
    let (mut td, _) = sdam::open(&options, 0);
    check_topology(&td, &options);
    let mut pool_generation = [0u32; HOSTS.len()];
    let mut caches: [ListCache; HOSTS.len()] = Default::default();
    let mut now = 0i64;
    while rest.len() >= 2 {
        let (selector, rtt) = (rest[0], rest[1]);
        rest = &rest[2..];
        now += 100;
        let i = usize::from(selector & 3);
        let a = addr(i);
        let before = td.clone();
        match (selector >> 2) & 3 {
            // A hello reply: a BSON document.
            0 | 1 => {
                if rest.len() < 4 {
                    break;
                }
                let len = i32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
                let len = usize::try_from(len)
                    .unwrap_or(0)
                    .clamp(5, rest.len().max(5));
                let Some(bytes) = rest.get(..len) else { break };
                rest = &rest[len..];
                let frame = frame_of(bytes);
                let sd = match raw_reply_body(&frame) {
                    Ok(raw) => {
                        let sd = ServerDescription::from_raw_hello(
                            a.clone(),
                            std::sync::Arc::new(raw),
                            &mut caches[i],
                            Some(f64::from(rtt)),
                            now,
                        );
                        check_sd(&sd, &a, now);
                        // The decoded reply tells the same story.
                        if let Ok(doc) = reply_body(&frame) {
                            let decoded = ServerDescription::from_hello(
                                a.clone(),
                                &doc,
                                Some(f64::from(rtt)),
                                now,
                            );
                            assert!(decoded.equivalent(&sd), "raw {sd:?}\ndecoded {decoded:?}");
                        }
                        sd
                    }
                    Err(e) => ServerDescription::from_error(
                        a.clone(),
                        Error::network(&a, NetworkErrorKind::Io, e),
                        now,
                    ),
                };
                td.update(sd);
            }
            // A failed check.
            2 => td.update(ServerDescription::from_error(
                a.clone(),
                Error::network(&a, NetworkErrorKind::Timeout, "timed out"),
                now,
            )),
            // An application error: the rtt byte picks the kind and the code.
            _ => {
                let error = match rtt % 4 {
                    0 => Error::network(&a, NetworkErrorKind::Closed, "closed"),
                    1 => Error::network(&a, NetworkErrorKind::Timeout, "timeout"),
                    _ => Error::Command {
                        address: a.clone(),
                        code: Some(
                            [10107, 13435, 11600, 91, 189, 2, 11602, 13436][usize::from(rtt >> 5)],
                        ),
                        code_name: None,
                        message: "not writable primary".into(),
                        labels: vec![],
                        topology_version: None,
                    },
                };
                let ctx = ErrorContext {
                    connection_generation: pool_generation[i],
                    pool_generation: pool_generation[i],
                    handshake_completed: rtt & 4 != 0,
                    max_wire_version: if rtt & 8 != 0 { 7 } else { 21 },
                };
                let out = td.handle_application_error(&a, &error, &ctx);
                if out.clear_pool {
                    pool_generation[i] += 1;
                }
            }
        }
        check_topology(&td, &options);
        let events = sdam::diff(&before, &td);
        assert_eq!(events.is_empty(), sdam::topology_equivalent(&before, &td));
        assert!(sdam::diff(&td, &td).is_empty());
        check_selection(&td, selector >> 4);
    }
});
