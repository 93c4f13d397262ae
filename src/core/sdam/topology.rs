//! Updating the TopologyDescription, per the SDAM spec: the initial TopologyType, the TopologyType
//! table with its subroutines (updateUnknownWithStandalone, updateRSWithoutPrimary,
//! updateRSWithPrimaryFromMember, updateRSFromPrimary, checkIfHasPrimary, remove), wire-version
//! compatibility and logicalSessionTimeoutMinutes.

use std::cmp::Ordering;

use crate::core::address::ServerAddress;
use crate::core::description::{
    ServerDescription, ServerType, TopologyDescription, TopologyType, MAX_SUPPORTED_WIRE_VERSION,
    MIN_SUPPORTED_WIRE_VERSION,
};
use crate::core::error::Error;
use crate::core::sdam::hello::compare_topology_versions;
use crate::core::uri::ConnectionString;

/// What the topology starts from: the parts of the connection string SDAM reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopologyOptions {
    /// The seed list (already normalised: lower-case hosts, default ports).
    pub seeds: Vec<ServerAddress>,
    /// `replicaSet`.
    pub set_name: Option<String>,
    /// `directConnection` (unset behaves as false).
    pub direct_connection: Option<bool>,
    /// `loadBalanced=true`.
    pub load_balanced: bool,
}

impl TopologyOptions {
    /// The SDAM-relevant part of a parsed connection string (hosts, `replicaSet`,
    /// `directConnection`, `loadBalanced`).
    pub fn from_connection_string(cs: &ConnectionString) -> Self {
        TopologyOptions {
            seeds: cs.hosts.clone(),
            set_name: cs.replica_set.clone(),
            direct_connection: cs.direct_connection,
            load_balanced: cs.load_balanced == Some(true),
        }
    }
}

/// A primary that `update` demoted because a newer one was discovered (the spec's "invalidating
/// an old primary").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StalePrimary {
    pub address: ServerAddress,
    /// The old primary runs MongoDB 4.0 or older (maxWireVersion < 8): its pool must be cleared.
    pub clear_pool: bool,
}

/// What `TopologyDescription::apply` did beyond the description itself: the side effects the
/// network layer must carry out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateOutcome {
    /// False when the description was ignored (address not in the topology, or an older
    /// topologyVersion than the current description's).
    pub applied: bool,
    /// Old primaries now marked Unknown: request an immediate check of each.
    pub stale_primaries: Vec<StalePrimary>,
    /// Something beyond the given server's own slot changed: a server was added or removed
    /// (the given one included), another server changed type (a stale primary invalidated, a
    /// PossiblePrimary marked), or a topology-level field changed (type, set name, max
    /// setVersion or electionId, compatibility, logicalSessionTimeoutMinutes). When false, the
    /// new description differs from the old one in that slot only, so when that slot's new
    /// description is equivalent to its old one there is no event to publish and nothing to diff.
    pub topology_changed: bool,
}

/// The topology-level fields of a description, compared before and after an update (strings as
/// hashes, so that the comparison allocates nothing).
#[derive(PartialEq, Eq)]
struct TopLevel {
    topology_type: TopologyType,
    set_name: u64,
    max_set_version: Option<i64>,
    max_election_id: Option<bson::oid::ObjectId>,
    compatible: bool,
    compatibility_error: u64,
    logical_session_timeout_minutes: Option<i64>,
}

impl TopLevel {
    fn of(td: &TopologyDescription) -> Self {
        use std::hash::{Hash, Hasher};
        let hash = |v: &Option<String>| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        };
        TopLevel {
            topology_type: td.topology_type,
            set_name: hash(&td.set_name),
            max_set_version: td.max_set_version,
            max_election_id: td.max_election_id,
            compatible: td.compatible,
            compatibility_error: hash(&td.compatibility_error),
            logical_session_timeout_minutes: td.logical_session_timeout_minutes,
        }
    }
}

/// Wire version of MongoDB 4.2: errors and stale primaries from older servers clear the pool.
pub(crate) const WIRE_VERSION_4_2: i32 = 8;
/// Wire version of MongoDB 6.0: electionId is compared before setVersion from here on.
const WIRE_VERSION_6_0: i32 = 17;

/// The MongoDB release that introduced a wire version, for the compatibility error message.
fn mongodb_version_for_wire(wire: i32) -> &'static str {
    match wire {
        ..=6 => "3.6",
        7 => "4.0",
        8 => "4.2",
        9 => "4.4",
        10..=13 => "5.0",
        14..=17 => "6.0",
        18..=21 => "7.0",
        22..=25 => "8.0",
        _ => "8.2",
    }
}

impl TopologyDescription {
    /// The initial TopologyDescription: one Unknown server per seed, and the initial type from
    /// the spec's table: `loadBalanced` -> LoadBalanced, `directConnection=true` -> Single,
    /// `replicaSet` -> ReplicaSetNoPrimary, otherwise Unknown (a lone seed too: a lone
    /// standalone makes it Single later).
    ///
    /// In LoadBalanced mode the server starts Unknown; the caller then applies
    /// [`ServerDescription::load_balancer`] (see `sdam::open`), which publishes the change events
    /// the load-balancer spec expects.
    pub fn new(options: &TopologyOptions) -> Self {
        let topology_type = if options.load_balanced {
            TopologyType::LoadBalanced
        } else if options.direct_connection == Some(true) {
            TopologyType::Single
        } else if options.set_name.is_some() {
            TopologyType::ReplicaSetNoPrimary
        } else {
            TopologyType::Unknown
        };
        let servers = options
            .seeds
            .iter()
            .map(|a| (a.clone(), ServerDescription::new_unknown(a.clone())))
            .collect();
        TopologyDescription {
            topology_type,
            set_name: options.set_name.clone(),
            servers,
            seeds: options.seeds.clone(),
            ..TopologyDescription::default()
        }
    }

    /// The RSPrimary, if one is known.
    pub fn primary(&self) -> Option<&ServerDescription> {
        self.servers
            .values()
            .find(|s| s.server_type == ServerType::RSPrimary)
    }

    /// The description of one server.
    pub fn server(&self, address: &ServerAddress) -> Option<&ServerDescription> {
        self.servers.get(address)
    }

    /// Folds the outcome of one check into the topology (the spec's TopologyType table). A
    /// description for an address not in `servers`, or with an older topologyVersion than the
    /// current one, is ignored. The description is stored as given (its RTT, as the caller
    /// averaged it, and its `last_update_time_ms`), except that an Unknown server has no RTT.
    pub fn update(&mut self, sd: ServerDescription) {
        let _ = self.apply(sd);
    }

    /// [`update`](Self::update), returning the side effects for the network layer.
    pub fn apply(&mut self, mut sd: ServerDescription) -> UpdateOutcome {
        let mut out = UpdateOutcome::default();
        let Some(current) = self.servers.get(&sd.address) else {
            return out;
        };
        if compare_topology_versions(
            current.topology_version.as_ref(),
            sd.topology_version.as_ref(),
        ) == Ordering::Greater
        {
            return out;
        }
        out.applied = true;
        if sd.server_type == ServerType::Unknown {
            sd.round_trip_time_ms = None;
            sd.min_round_trip_time_ms = None;
        }
        let before = TopLevel::of(self);
        let out_ = &mut out;
        match self.topology_type {
            TopologyType::Single => self.update_single(sd, out_),
            TopologyType::LoadBalanced => self.replace(sd, out_),
            TopologyType::Unknown => self.update_unknown(sd, out_),
            TopologyType::Sharded => match sd.server_type {
                ServerType::Unknown | ServerType::Mongos | ServerType::PossiblePrimary => {
                    self.replace(sd, out_)
                }
                _ => self.remove(&sd.address, out_),
            },
            TopologyType::ReplicaSetNoPrimary => match sd.server_type {
                ServerType::Unknown | ServerType::RSGhost | ServerType::PossiblePrimary => {
                    self.replace(sd, out_)
                }
                ServerType::Standalone | ServerType::Mongos | ServerType::LoadBalancer => {
                    self.remove(&sd.address, out_)
                }
                ServerType::RSPrimary => {
                    self.topology_type = TopologyType::ReplicaSetWithPrimary;
                    self.update_rs_from_primary(sd, out_);
                }
                ServerType::RSSecondary | ServerType::RSArbiter | ServerType::RSOther => {
                    self.update_rs_without_primary(sd, out_)
                }
            },
            TopologyType::ReplicaSetWithPrimary => match sd.server_type {
                ServerType::Unknown | ServerType::RSGhost | ServerType::PossiblePrimary => {
                    self.replace(sd, out_);
                    self.check_if_has_primary();
                }
                ServerType::Standalone | ServerType::Mongos | ServerType::LoadBalancer => {
                    self.remove(&sd.address, out_);
                    self.check_if_has_primary();
                }
                ServerType::RSPrimary => self.update_rs_from_primary(sd, out_),
                ServerType::RSSecondary | ServerType::RSArbiter | ServerType::RSOther => {
                    self.update_rs_with_primary_from_member(sd, out_)
                }
            },
        }
        self.update_compatibility();
        self.update_logical_session_timeout();
        if TopLevel::of(self) != before {
            out.topology_changed = true;
        }
        out
    }

    fn replace(&mut self, sd: ServerDescription, out: &mut UpdateOutcome) {
        match self.servers.get_mut(&sd.address) {
            Some(slot) => *slot = sd,
            None => {
                out.topology_changed = true;
                self.servers.insert(sd.address.clone(), sd);
            }
        }
    }

    fn remove(&mut self, address: &ServerAddress, out: &mut UpdateOutcome) {
        if self.servers.remove(address).is_some() {
            out.topology_changed = true;
        }
    }

    /// TopologyType Single: always replace; with a set name, a server that does not report it
    /// becomes a default Unknown.
    fn update_single(&mut self, sd: ServerDescription, out: &mut UpdateOutcome) {
        if let Some(expected) = &self.set_name {
            if sd.server_type != ServerType::Unknown && sd.set_name.as_ref() != Some(expected) {
                let message = match &sd.set_name {
                    Some(got) => format!(
                        "replicaSet is \"{expected}\" but the server reports setName \"{got}\""
                    ),
                    None => format!(
                        "replicaSet is \"{expected}\" but the server ({}) reports no setName",
                        sd.server_type
                    ),
                };
                let error = Error::Topology {
                    address: sd.address.clone(),
                    message,
                };
                let unknown = ServerDescription::from_error(
                    sd.address.clone(),
                    error,
                    sd.last_update_time_ms,
                );
                self.replace(unknown, out);
                return;
            }
        }
        self.replace(sd, out);
    }

    fn update_unknown(&mut self, sd: ServerDescription, out: &mut UpdateOutcome) {
        match sd.server_type {
            ServerType::Unknown | ServerType::RSGhost | ServerType::PossiblePrimary => {
                self.replace(sd, out)
            }
            // A load balancer's reply (serviceId) without loadBalanced=true: not usable here.
            ServerType::LoadBalancer => self.remove(&sd.address, out),
            ServerType::Standalone => {
                // updateUnknownWithStandalone
                if self.seeds.len() == 1 {
                    self.topology_type = TopologyType::Single;
                    self.replace(sd, out);
                } else {
                    self.remove(&sd.address, out);
                }
            }
            ServerType::Mongos => {
                self.topology_type = TopologyType::Sharded;
                self.replace(sd, out);
            }
            ServerType::RSPrimary => {
                self.topology_type = TopologyType::ReplicaSetWithPrimary;
                self.update_rs_from_primary(sd, out);
            }
            ServerType::RSSecondary | ServerType::RSArbiter | ServerType::RSOther => {
                self.topology_type = TopologyType::ReplicaSetNoPrimary;
                self.update_rs_without_primary(sd, out);
            }
        }
    }

    /// Adds an Unknown description for every member `sd` reports that is not monitored yet.
    fn add_members(&mut self, sd: &ServerDescription, out: &mut UpdateOutcome) {
        for member in sd.all_members() {
            if !self.servers.contains_key(member) {
                out.topology_changed = true;
                self.servers.insert(
                    member.clone(),
                    ServerDescription::new_unknown(member.clone()),
                );
            }
        }
    }

    /// The spec's handling of `primary` from a non-primary: an Unknown server named as the
    /// primary becomes PossiblePrimary.
    fn mark_possible_primary(&mut self, primary: Option<&ServerAddress>, out: &mut UpdateOutcome) {
        if let Some(p) = primary {
            if let Some(s) = self.servers.get_mut(p) {
                if s.server_type == ServerType::Unknown {
                    out.topology_changed = true;
                    s.server_type = ServerType::PossiblePrimary;
                }
            }
        }
    }

    /// `me` is reported and differs from the address the client uses.
    fn me_mismatch(sd: &ServerDescription) -> bool {
        sd.me.as_ref().is_some_and(|me| me != &sd.address)
    }

    /// updateRSWithoutPrimary.
    fn update_rs_without_primary(&mut self, sd: ServerDescription, out: &mut UpdateOutcome) {
        match &self.set_name {
            None => self.set_name = sd.set_name.clone(),
            Some(name) if sd.set_name.as_ref() != Some(name) => {
                self.remove(&sd.address, out);
                return;
            }
            Some(_) => {}
        }
        self.add_members(&sd, out);
        self.mark_possible_primary(sd.primary.as_ref(), out);
        if Self::me_mismatch(&sd) {
            self.remove(&sd.address, out);
            return;
        }
        self.replace(sd, out);
    }

    /// updateRSWithPrimaryFromMember.
    fn update_rs_with_primary_from_member(
        &mut self,
        sd: ServerDescription,
        out: &mut UpdateOutcome,
    ) {
        if self.set_name != sd.set_name || Self::me_mismatch(&sd) {
            self.remove(&sd.address, out);
            self.check_if_has_primary();
            return;
        }
        let hint = sd.primary.clone();
        self.replace(sd, out);
        if self.primary().is_none() {
            self.topology_type = TopologyType::ReplicaSetNoPrimary;
            self.mark_possible_primary(hint.as_ref(), out);
        }
    }

    /// Why a primary's (electionId, setVersion) is older than the newest seen, if it is; updates
    /// maxElectionId / maxSetVersion otherwise. Both orders of the spec: electionId first from
    /// MongoDB 6.0 (maxWireVersion 17), setVersion first before.
    fn check_stale_primary(&mut self, sd: &ServerDescription) -> Option<&'static str> {
        if sd.max_wire_version >= WIRE_VERSION_6_0 {
            // None compares less than any value, as the spec requires for null electionId/setVersion.
            match sd.election_id.cmp(&self.max_election_id) {
                Ordering::Less => return Some("primary marked stale due to mismatched electionId"),
                Ordering::Equal if sd.set_version < self.max_set_version => {
                    return Some("primary marked stale due to mismatched setVersion")
                }
                _ => {
                    self.max_election_id = sd.election_id;
                    self.max_set_version = sd.set_version;
                }
            }
        } else {
            if let (Some(sv), Some(eid)) = (sd.set_version, sd.election_id) {
                if let (Some(max_sv), Some(max_eid)) = (self.max_set_version, self.max_election_id)
                {
                    if max_sv > sv {
                        return Some("primary marked stale due to mismatched setVersion");
                    }
                    if max_sv == sv && max_eid > eid {
                        return Some("primary marked stale due to mismatched electionId");
                    }
                }
                self.max_election_id = Some(eid);
            }
            if let Some(sv) = sd.set_version {
                if self.max_set_version.is_none_or(|max| sv > max) {
                    self.max_set_version = Some(sv);
                }
            }
        }
        None
    }

    /// updateRSFromPrimary.
    fn update_rs_from_primary(&mut self, sd: ServerDescription, out: &mut UpdateOutcome) {
        match &self.set_name {
            None => self.set_name = sd.set_name.clone(),
            Some(name) if sd.set_name.as_ref() != Some(name) => {
                self.remove(&sd.address, out);
                self.check_if_has_primary();
                return;
            }
            Some(_) => {}
        }

        if let Some(reason) = self.check_stale_primary(&sd) {
            let error = Error::Topology {
                address: sd.address.clone(),
                message: reason.to_string(),
            };
            let unknown =
                ServerDescription::from_error(sd.address.clone(), error, sd.last_update_time_ms);
            self.replace(unknown, out);
            self.check_if_has_primary();
            return;
        }

        // Invalidate any other primary: it is stale now.
        let now_ms = sd.last_update_time_ms;
        for (address, server) in self.servers.iter_mut() {
            if address != &sd.address && server.server_type == ServerType::RSPrimary {
                out.topology_changed = true;
                out.stale_primaries.push(StalePrimary {
                    address: address.clone(),
                    clear_pool: server.max_wire_version < WIRE_VERSION_4_2,
                });
                let error = Error::Topology {
                    address: address.clone(),
                    message: format!(
                        "primary marked stale due to electionId/setVersion mismatch: {} is the new primary",
                        sd.address
                    ),
                };
                *server = ServerDescription::from_error(address.clone(), error, now_ms);
            }
        }

        // Keep exactly the primary's members: remove the others, add the missing ones. Both
        // the map and the sorted member list are in address order, so one merge walk removes.
        let mut members: Vec<&ServerAddress> = sd.all_members().collect();
        members.sort_unstable();
        members.dedup();
        let mut next = 0;
        let count = self.servers.len();
        self.servers.retain(|address, _| {
            while next < members.len() && members[next] < address {
                next += 1;
            }
            next < members.len() && members[next] == address
        });
        if self.servers.len() != count {
            out.topology_changed = true;
        }
        let in_own_list = members.binary_search(&&sd.address).is_ok();
        if self.servers.len() < members.len() {
            for member in members {
                if !self.servers.contains_key(member) {
                    out.topology_changed = true;
                    self.servers.insert(
                        member.clone(),
                        ServerDescription::new_unknown(member.clone()),
                    );
                }
            }
        }
        if in_own_list {
            self.replace(sd, out);
        }
        self.check_if_has_primary();
    }

    /// checkIfHasPrimary.
    fn check_if_has_primary(&mut self) {
        self.topology_type = if self.primary().is_some() {
            TopologyType::ReplicaSetWithPrimary
        } else {
            TopologyType::ReplicaSetNoPrimary
        };
    }

    /// Checking wire protocol compatibility, over every server whose type is known.
    fn update_compatibility(&mut self) {
        self.compatible = true;
        self.compatibility_error = None;
        for sd in self.servers.values() {
            if matches!(
                sd.server_type,
                ServerType::Unknown | ServerType::PossiblePrimary | ServerType::LoadBalancer
            ) {
                continue;
            }
            let message = if sd.min_wire_version > MAX_SUPPORTED_WIRE_VERSION {
                format!(
                    "Server at {} requires wire version {}, but this version of rsctl only supports up to {}.",
                    sd.address, sd.min_wire_version, MAX_SUPPORTED_WIRE_VERSION
                )
            } else if sd.max_wire_version < MIN_SUPPORTED_WIRE_VERSION {
                format!(
                    "Server at {} reports wire version {}, but this version of rsctl requires at least {} (MongoDB {}).",
                    sd.address,
                    sd.max_wire_version,
                    MIN_SUPPORTED_WIRE_VERSION,
                    mongodb_version_for_wire(MIN_SUPPORTED_WIRE_VERSION)
                )
            } else {
                continue;
            };
            self.compatible = false;
            self.compatibility_error = Some(message);
            return;
        }
    }

    /// The smallest logicalSessionTimeoutMinutes among data-bearing servers; null if any of them
    /// has none, or if there is none.
    fn update_logical_session_timeout(&mut self) {
        let mut min: Option<i64> = None;
        for sd in self
            .servers
            .values()
            .filter(|s| s.server_type.is_data_bearing())
        {
            match sd.logical_session_timeout_minutes {
                None => {
                    self.logical_session_timeout_minutes = None;
                    return;
                }
                Some(v) => min = Some(min.map_or(v, |m| m.min(v))),
            }
        }
        self.logical_session_timeout_minutes = min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::oid::ObjectId;
    use bson::{doc, Document};

    fn addr(s: &str) -> ServerAddress {
        ServerAddress::parse(s).unwrap()
    }

    fn rs(seeds: &[&str]) -> TopologyDescription {
        TopologyDescription::new(&TopologyOptions {
            seeds: seeds.iter().map(|s| addr(s)).collect(),
            set_name: Some("rs".into()),
            ..Default::default()
        })
    }

    fn hello(td: &mut TopologyDescription, a: &str, reply: Document) -> UpdateOutcome {
        td.apply(ServerDescription::from_hello(
            addr(a),
            &reply,
            Some(1.0),
            10,
        ))
    }

    fn oid(n: u8) -> ObjectId {
        let mut b = [0u8; 12];
        b[11] = n;
        ObjectId::from_bytes(b)
    }

    #[test]
    fn initial_types_follow_the_spec_table() {
        let one = vec![addr("a")];
        let t = |set: Option<&str>, direct: Option<bool>, lb: bool| {
            TopologyDescription::new(&TopologyOptions {
                seeds: one.clone(),
                set_name: set.map(str::to_string),
                direct_connection: direct,
                load_balanced: lb,
            })
            .topology_type
        };
        assert_eq!(t(None, None, false), TopologyType::Unknown);
        assert_eq!(t(None, Some(false), false), TopologyType::Unknown);
        assert_eq!(t(None, Some(true), false), TopologyType::Single);
        assert_eq!(t(Some("rs"), Some(true), false), TopologyType::Single);
        assert_eq!(
            t(Some("rs"), None, false),
            TopologyType::ReplicaSetNoPrimary
        );
        assert_eq!(t(None, None, true), TopologyType::LoadBalanced);
    }

    #[test]
    fn new_primary_demotes_the_old_one_and_asks_for_a_check() {
        let mut td = rs(&["a:1", "b:1"]);
        let primary = |eid: u8| {
            doc! {"ok": 1, "isWritablePrimary": true, "setName": "rs", "hosts": ["a:1", "b:1"],
            "setVersion": 1, "electionId": oid(eid), "maxWireVersion": 7}
        };
        hello(&mut td, "a:1", primary(1));
        assert_eq!(td.primary().unwrap().address, addr("a:1"));
        let out = hello(&mut td, "b:1", primary(2));
        assert_eq!(td.primary().unwrap().address, addr("b:1"));
        assert_eq!(
            out.stale_primaries,
            vec![StalePrimary {
                address: addr("a:1"),
                clear_pool: true
            }]
        );
        let old = td.server(&addr("a:1")).unwrap();
        assert_eq!(old.server_type, ServerType::Unknown);
        assert!(old
            .error
            .as_ref()
            .unwrap()
            .to_string()
            .contains("primary marked stale"));
        // The old primary reporting its old election again is itself stale now.
        let out = hello(&mut td, "a:1", primary(1));
        assert!(out.applied && out.stale_primaries.is_empty());
        assert_eq!(
            td.server(&addr("a:1")).unwrap().server_type,
            ServerType::Unknown
        );
        assert_eq!(td.max_election_id, Some(oid(2)));
        assert_eq!(td.topology_type, TopologyType::ReplicaSetWithPrimary);
    }

    #[test]
    fn keeps_the_callers_rtt_and_time_but_not_for_unknown() {
        let mut td = rs(&["a:1"]);
        let reply = doc! {"ok": 1, "setName": "rs", "secondary": true, "hosts": ["a:1"]};
        let mut sd = ServerDescription::from_hello(addr("a:1"), &reply, Some(4.5), 1234);
        sd.min_round_trip_time_ms = Some(3.0);
        td.update(sd);
        let s = td.server(&addr("a:1")).unwrap();
        assert_eq!(
            (s.round_trip_time_ms, s.min_round_trip_time_ms),
            (Some(4.5), Some(3.0))
        );
        assert_eq!(s.last_update_time_ms, 1234);
        let mut down = ServerDescription::from_error(addr("a:1"), Error::internal("x"), 2000);
        down.round_trip_time_ms = Some(9.0);
        td.update(down);
        let s = td.server(&addr("a:1")).unwrap();
        assert_eq!(s.round_trip_time_ms, None);
        assert_eq!(s.last_update_time_ms, 2000);
    }

    #[test]
    fn replies_from_unknown_addresses_are_ignored() {
        let mut td = rs(&["a:1"]);
        let before = td.clone();
        let out = hello(
            &mut td,
            "z:1",
            doc! {"ok": 1, "setName": "rs", "isWritablePrimary": true, "hosts": ["z:1"]},
        );
        assert!(!out.applied);
        assert_eq!(td.servers.len(), before.servers.len());
        assert_eq!(td.topology_type, TopologyType::ReplicaSetNoPrimary);
    }

    #[test]
    fn older_topology_version_is_ignored() {
        let mut td = rs(&["a:1"]);
        let pid = oid(9);
        let r = |c: i64, secondary: bool| {
            doc! {"ok": 1, "setName": "rs", "secondary": secondary, "isWritablePrimary": !secondary,
            "hosts": ["a:1"], "topologyVersion": {"processId": pid, "counter": c}}
        };
        hello(&mut td, "a:1", r(5, true));
        assert!(!hello(&mut td, "a:1", r(4, false)).applied);
        assert_eq!(
            td.server(&addr("a:1")).unwrap().server_type,
            ServerType::RSSecondary
        );
        assert!(hello(&mut td, "a:1", r(5, false)).applied);
        assert_eq!(
            td.server(&addr("a:1")).unwrap().server_type,
            ServerType::RSPrimary
        );
    }

    #[test]
    fn incompatible_server_sets_the_error() {
        let mut td = rs(&["a:1"]);
        hello(
            &mut td,
            "a:1",
            doc! {"ok": 1, "setName": "rs", "secondary": true, "hosts": ["a:1"], "maxWireVersion": 2},
        );
        assert!(!td.compatible);
        let msg = td.compatibility_error.clone().unwrap();
        assert!(
            msg.contains("a:1") && msg.contains("requires at least 6 (MongoDB 3.6)"),
            "{msg}"
        );
    }
}
