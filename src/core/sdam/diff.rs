//! SDAM monitoring events between two topology descriptions (the SDAM logging-and-monitoring
//! spec), plus rsctl's derived primary events, and the events a topology publishes when it opens.
//!
//! Order within one diff: ServerDescriptionChanged (servers in both, not equivalent),
//! ServerOpening (added), ServerClosed (removed), TopologyDescriptionChanged, then the derived
//! PrimaryChanged / PrimaryLost. Equal descriptions give no event at all.
//!
//! PrimaryChanged is published when the primary's address changes, and also when the same
//! server is primary again with another electionId (it was re-elected between two checks).

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, ServerType, TopologyDescription, TopologyType};
use crate::core::events::SdamEvent;
use crate::core::sdam::topology::TopologyOptions;

/// Whether two topology descriptions are the same for event purposes: same type, set name,
/// max setVersion/electionId, compatibility, session timeout, and the same servers with
/// equivalent descriptions.
pub fn topology_equivalent(a: &TopologyDescription, b: &TopologyDescription) -> bool {
    a.topology_type == b.topology_type
        && a.set_name == b.set_name
        && a.max_set_version == b.max_set_version
        && a.max_election_id == b.max_election_id
        && a.compatible == b.compatible
        && a.compatibility_error == b.compatibility_error
        && a.logical_session_timeout_minutes == b.logical_session_timeout_minutes
        && a.servers.len() == b.servers.len()
        && a.servers
            .iter()
            .zip(b.servers.iter())
            .all(|((ka, sa), (kb, sb))| ka == kb && sa.equivalent(sb))
}

/// The events published after one server's description was applied (a check's result, or an
/// application error that marked it Unknown): as [`diff`], except that ServerDescriptionChanged
/// is published for `updated` only. Other servers whose descriptions changed as a side effect
/// (a seed a secondary names as its primary becomes PossiblePrimary, a stale primary is
/// invalidated) show in the TopologyDescriptionChanged event, with no event of their own, as the
/// SDAM monitoring spec and its test suite have it.
pub fn diff_for(
    previous: &TopologyDescription,
    next: &TopologyDescription,
    updated: &ServerAddress,
) -> Vec<SdamEvent> {
    diff_servers(previous, next, Some(updated))
}

/// The events that take `previous` to `next`, comparing every server.
pub fn diff(previous: &TopologyDescription, next: &TopologyDescription) -> Vec<SdamEvent> {
    diff_servers(previous, next, None)
}

/// [`diff`], with ServerDescriptionChanged limited to `only` when it is given.
fn diff_servers(
    previous: &TopologyDescription,
    next: &TopologyDescription,
    only: Option<&ServerAddress>,
) -> Vec<SdamEvent> {
    let mut events = Vec::new();
    for (address, new) in &next.servers {
        if only.is_some_and(|o| o != address) {
            continue;
        }
        if let Some(old) = previous.servers.get(address) {
            if !old.equivalent(new) {
                events.push(SdamEvent::ServerDescriptionChanged {
                    address: address.clone(),
                    previous: Box::new(old.clone()),
                    new: Box::new(new.clone()),
                });
            }
        }
    }
    for address in next.servers.keys() {
        if !previous.servers.contains_key(address) {
            events.push(SdamEvent::ServerOpening {
                address: address.clone(),
            });
        }
    }
    for address in previous.servers.keys() {
        if !next.servers.contains_key(address) {
            events.push(SdamEvent::ServerClosed {
                address: address.clone(),
            });
        }
    }
    if !topology_equivalent(previous, next) {
        events.push(SdamEvent::TopologyDescriptionChanged {
            previous: Box::new(previous.clone()),
            new: Box::new(next.clone()),
        });
    }
    let old_primary = previous.primary();
    match (old_primary, next.primary()) {
        (old, Some(new))
            if old.is_none_or(|o| o.address != new.address || o.election_id != new.election_id) =>
        {
            events.push(SdamEvent::PrimaryChanged {
                previous: old.map(|o| o.address.clone()),
                new: new.address.clone(),
                set_version: new.set_version,
                election_id: new.election_id,
            });
        }
        (Some(old), None) => events.push(SdamEvent::PrimaryLost {
            previous: old.address.clone(),
        }),
        _ => {}
    }
    events
}

/// The events a topology publishes as it opens: TopologyOpening, then TopologyDescriptionChanged
/// from an empty Unknown topology to `initial`, then ServerOpening for each seed.
pub fn opening_events(initial: &TopologyDescription) -> Vec<SdamEvent> {
    let mut events = vec![SdamEvent::TopologyOpening];
    let empty = TopologyDescription::default();
    events.push(SdamEvent::TopologyDescriptionChanged {
        previous: Box::new(empty),
        new: Box::new(initial.clone()),
    });
    for address in initial.servers.keys() {
        events.push(SdamEvent::ServerOpening {
            address: address.clone(),
        });
    }
    events
}

/// Opens a topology: the initial description and the events to publish. In LoadBalanced mode the
/// server becomes a LoadBalancer right away (no monitoring), so the events also carry its
/// ServerDescriptionChanged and the second TopologyDescriptionChanged, as the load-balancer
/// spec requires.
pub fn open(options: &TopologyOptions, now_ms: i64) -> (TopologyDescription, Vec<SdamEvent>) {
    let mut td = TopologyDescription::new(options);
    let mut events = opening_events(&td);
    if td.topology_type == TopologyType::LoadBalanced {
        let before = td.clone();
        let addresses: Vec<_> = td
            .servers
            .values()
            .filter(|s| s.server_type != ServerType::LoadBalancer)
            .map(|s| s.address.clone())
            .collect();
        for address in addresses {
            td.update(ServerDescription::load_balancer(address, now_ms));
        }
        events.extend(diff(&before, &td));
    }
    (td, events)
}

/// Closes a topology, as the spec suggests: every server removed and the type set to Unknown
/// (ServerClosed for each, a TopologyDescriptionChanged, PrimaryLost if there was a primary),
/// then TopologyClosed. Returns the final, empty description and the events.
pub fn close(current: &TopologyDescription) -> (TopologyDescription, Vec<SdamEvent>) {
    let closed = TopologyDescription {
        seeds: current.seeds.clone(),
        ..TopologyDescription::default()
    };
    let mut events = diff(current, &closed);
    events.push(SdamEvent::TopologyClosed);
    (closed, events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::address::ServerAddress;
    use bson::doc;

    fn addr(s: &str) -> ServerAddress {
        ServerAddress::parse(s).unwrap()
    }

    fn kinds(events: &[SdamEvent]) -> Vec<&'static str> {
        events
            .iter()
            .map(|e| match e {
                SdamEvent::TopologyOpening => "TopologyOpening",
                SdamEvent::TopologyDescriptionChanged { .. } => "TopologyDescriptionChanged",
                SdamEvent::ServerOpening { .. } => "ServerOpening",
                SdamEvent::ServerClosed { .. } => "ServerClosed",
                SdamEvent::ServerDescriptionChanged { .. } => "ServerDescriptionChanged",
                SdamEvent::PrimaryChanged { .. } => "PrimaryChanged",
                SdamEvent::PrimaryLost { .. } => "PrimaryLost",
                _ => "other",
            })
            .collect()
    }

    #[test]
    fn a_seed_marked_possible_primary_gets_no_event_of_its_own() {
        let (mut td, _) = open(
            &TopologyOptions {
                seeds: vec![addr("a:1"), addr("b:1")],
                set_name: Some("rs".into()),
                ..Default::default()
            },
            0,
        );
        // b is a secondary and names a as its primary: the topology marks a PossiblePrimary.
        let secondary = doc! {"ok": 1, "secondary": true, "setName": "rs", "hosts": ["a:1", "b:1"], "primary": "a:1", "maxWireVersion": 21};
        let before = td.clone();
        td.update(ServerDescription::from_hello(
            addr("b:1"),
            &secondary,
            Some(1.0),
            1,
        ));
        assert_eq!(
            td.servers[&addr("a:1")].server_type,
            ServerType::PossiblePrimary
        );
        let events = diff_for(&before, &td, &addr("b:1"));
        assert_eq!(
            kinds(&events),
            ["ServerDescriptionChanged", "TopologyDescriptionChanged"]
        );
        match &events[0] {
            SdamEvent::ServerDescriptionChanged { address, .. } => {
                assert_eq!(address, &addr("b:1"))
            }
            e => panic!("{e:?}"),
        }
        match &events[1] {
            SdamEvent::TopologyDescriptionChanged { new, .. } => assert_eq!(
                new.servers[&addr("a:1")].server_type,
                ServerType::PossiblePrimary
            ),
            e => panic!("{e:?}"),
        }
        // Comparing whole descriptions (diff) does see a's change: the filter is what differs.
        assert_eq!(
            kinds(&diff(&before, &td))
                .iter()
                .filter(|k| **k == "ServerDescriptionChanged")
                .count(),
            2
        );
    }

    #[test]
    fn failover_gives_primary_events_and_heartbeats_give_none() {
        let (mut td, events) = open(
            &TopologyOptions {
                seeds: vec![addr("a:1"), addr("b:1")],
                set_name: Some("rs".into()),
                ..Default::default()
            },
            0,
        );
        assert_eq!(
            kinds(&events),
            [
                "TopologyOpening",
                "TopologyDescriptionChanged",
                "ServerOpening",
                "ServerOpening"
            ]
        );
        let primary = doc! {"ok": 1, "isWritablePrimary": true, "setName": "rs", "hosts": ["a:1", "b:1"], "maxWireVersion": 21};
        let before = td.clone();
        td.update(ServerDescription::from_hello(
            addr("a:1"),
            &primary,
            Some(1.0),
            1,
        ));
        assert_eq!(
            kinds(&diff(&before, &td)),
            [
                "ServerDescriptionChanged",
                "TopologyDescriptionChanged",
                "PrimaryChanged"
            ]
        );
        // The same reply again, with another RTT and time: nothing to publish.
        let before = td.clone();
        td.update(ServerDescription::from_hello(
            addr("a:1"),
            &primary,
            Some(7.0),
            2,
        ));
        assert!(diff(&before, &td).is_empty());
        // The primary goes away.
        let before = td.clone();
        td.update(ServerDescription::from_error(
            addr("a:1"),
            crate::core::error::Error::internal("down"),
            3,
        ));
        let events = diff(&before, &td);
        assert_eq!(
            kinds(&events),
            [
                "ServerDescriptionChanged",
                "TopologyDescriptionChanged",
                "PrimaryLost"
            ]
        );
        assert!(
            matches!(&events[2], SdamEvent::PrimaryLost { previous } if previous == &addr("a:1"))
        );
    }

    #[test]
    fn close_removes_every_server_last() {
        let mut td = TopologyDescription::new(&TopologyOptions {
            seeds: vec![addr("a:1"), addr("b:1")],
            set_name: Some("rs".into()),
            ..Default::default()
        });
        let primary = doc! {"ok": 1, "isWritablePrimary": true, "setName": "rs", "hosts": ["a:1", "b:1"], "maxWireVersion": 21};
        td.update(ServerDescription::from_hello(
            addr("a:1"),
            &primary,
            Some(1.0),
            1,
        ));
        let (closed, events) = close(&td);
        assert!(closed.servers.is_empty());
        assert_eq!(closed.topology_type, TopologyType::Unknown);
        assert_eq!(
            kinds(&events),
            [
                "ServerClosed",
                "ServerClosed",
                "TopologyDescriptionChanged",
                "PrimaryLost",
                "other"
            ]
        );
        assert!(matches!(events.last(), Some(SdamEvent::TopologyClosed)));
    }

    #[test]
    fn load_balanced_open_publishes_the_load_balancer() {
        let (td, events) = open(
            &TopologyOptions {
                seeds: vec![addr("lb:1")],
                load_balanced: true,
                ..Default::default()
            },
            0,
        );
        assert_eq!(
            td.servers[&addr("lb:1")].server_type,
            ServerType::LoadBalancer
        );
        assert_eq!(
            kinds(&events),
            [
                "TopologyOpening",
                "TopologyDescriptionChanged",
                "ServerOpening",
                "ServerDescriptionChanged",
                "TopologyDescriptionChanged"
            ]
        );
    }
}
