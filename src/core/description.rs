//! Server and topology descriptions, named as in the SDAM specification.
//!
//! Plain values: a monitor produces a [`ServerDescription`] from a hello reply, the topology
//! worker folds it into a [`TopologyDescription`] with [`TopologyDescription::update`]
//! (see `core::sdam`), and server selection reads the result.
//!
//! Times are milliseconds on a clock supplied by the caller (`now_ms` arguments); this module never
//! reads a clock itself.

use std::collections::BTreeMap;
use std::sync::Arc;

use bson::oid::ObjectId;

use crate::core::address::ServerAddress;
use crate::core::error::Error;

/// The oldest wire version rsctl speaks: MongoDB 3.6 (`clientMinWireVersion` in the SDAM spec).
pub const MIN_SUPPORTED_WIRE_VERSION: i32 = 6;
/// The newest wire version rsctl knows: MongoDB 8.2 (`clientMaxWireVersion` in the SDAM spec).
pub const MAX_SUPPORTED_WIRE_VERSION: i32 = 27;

/// Tags of a replica-set member (`{dc: "ny", rack: "1"}`).
pub type Tags = BTreeMap<String, String>;

/// A list of member addresses from a hello reply (`hosts`, `passives`, `arbiters`), shared by every
/// copy of the description it belongs to: the topology worker's, the published snapshot's and
/// those the change events carry. A set of N members is described by N descriptions of N
/// addresses each, so copying the lists would make every copy of a topology quadratic in N;
/// sharing them keeps a copy linear. Reads like a slice; built from a `Vec`.
#[derive(Clone, Default, Eq)]
pub struct AddressList(Arc<[ServerAddress]>);

impl std::hash::Hash for AddressList {
    /// The addresses' hash: equal lists (shared or not) hash alike.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for AddressList {
    /// Two copies of one shared list are equal without comparing their addresses (the common
    /// case: a description compared with the one before it, whose lists it shares).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl std::ops::Deref for AddressList {
    type Target = [ServerAddress];
    fn deref(&self) -> &[ServerAddress] {
        &self.0
    }
}

impl std::fmt::Debug for AddressList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl From<Vec<ServerAddress>> for AddressList {
    fn from(v: Vec<ServerAddress>) -> Self {
        AddressList(v.into())
    }
}

impl FromIterator<ServerAddress> for AddressList {
    fn from_iter<I: IntoIterator<Item = ServerAddress>>(iter: I) -> Self {
        AddressList(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a AddressList {
    type Item = &'a ServerAddress;
    type IntoIter = std::slice::Iter<'a, ServerAddress>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl PartialEq<Vec<ServerAddress>> for AddressList {
    fn eq(&self, other: &Vec<ServerAddress>) -> bool {
        *self.0 == **other
    }
}

/// The spec's ServerType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerType {
    Standalone,
    Mongos,
    PossiblePrimary,
    RSPrimary,
    RSSecondary,
    RSArbiter,
    RSOther,
    RSGhost,
    LoadBalancer,
    Unknown,
}

impl ServerType {
    /// The spec's name for the type (`RSPrimary`, `Unknown`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ServerType::Standalone => "Standalone",
            ServerType::Mongos => "Mongos",
            ServerType::PossiblePrimary => "PossiblePrimary",
            ServerType::RSPrimary => "RSPrimary",
            ServerType::RSSecondary => "RSSecondary",
            ServerType::RSArbiter => "RSArbiter",
            ServerType::RSOther => "RSOther",
            ServerType::RSGhost => "RSGhost",
            ServerType::LoadBalancer => "LoadBalancer",
            ServerType::Unknown => "Unknown",
        }
    }

    /// Data-bearing server types (the spec's "data-bearing" list).
    pub fn is_data_bearing(self) -> bool {
        matches!(
            self,
            ServerType::Standalone
                | ServerType::Mongos
                | ServerType::RSPrimary
                | ServerType::RSSecondary
                | ServerType::LoadBalancer
        )
    }

    /// Whether the server is available for operations at all (not Unknown/PossiblePrimary/RSGhost).
    pub fn is_available(self) -> bool {
        !matches!(self, ServerType::Unknown | ServerType::PossiblePrimary)
    }
}

impl std::fmt::Display for ServerType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The spec's TopologyType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopologyType {
    Unknown,
    Single,
    ReplicaSetNoPrimary,
    ReplicaSetWithPrimary,
    Sharded,
    LoadBalanced,
}

impl TopologyType {
    /// The spec's name for the type.
    pub fn as_str(self) -> &'static str {
        match self {
            TopologyType::Unknown => "Unknown",
            TopologyType::Single => "Single",
            TopologyType::ReplicaSetNoPrimary => "ReplicaSetNoPrimary",
            TopologyType::ReplicaSetWithPrimary => "ReplicaSetWithPrimary",
            TopologyType::Sharded => "Sharded",
            TopologyType::LoadBalanced => "LoadBalanced",
        }
    }
}

impl std::fmt::Display for TopologyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `topologyVersion` from a hello reply or an error reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyVersion {
    pub process_id: ObjectId,
    pub counter: i64,
}

/// A replica-set optime (`{ts, t}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpTime {
    /// Timestamp (seconds, increment) packed as the server orders it.
    pub ts: bson::Timestamp,
    /// The election term in which it was written (-1 for pre-protocol-1 optimes).
    pub t: i64,
}

/// What the client knows about one server, as in the SDAM spec.
///
/// Built by `ServerDescription::from_hello` (a successful check) or
/// `ServerDescription::from_error` (a failed one), see `core::sdam`.
#[derive(Debug, Clone)]
pub struct ServerDescription {
    pub address: ServerAddress,
    pub server_type: ServerType,
    /// The last error a check or an operation produced (set when the type went Unknown).
    pub error: Option<Error>,
    /// Moving-average round trip time in milliseconds (None until the first measurement).
    pub round_trip_time_ms: Option<f64>,
    /// Minimum RTT over the recent samples (server monitoring spec), in milliseconds.
    pub min_round_trip_time_ms: Option<f64>,
    /// When the client last updated this description (caller's clock, ms).
    pub last_update_time_ms: i64,
    /// `lastWrite.lastWriteDate` in ms since the Unix epoch.
    pub last_write_date_ms: Option<i64>,
    /// `lastWrite.opTime`.
    pub op_time: Option<OpTime>,
    pub min_wire_version: i32,
    pub max_wire_version: i32,
    pub me: Option<ServerAddress>,
    pub hosts: AddressList,
    pub passives: AddressList,
    pub arbiters: AddressList,
    pub tags: Tags,
    pub set_name: Option<String>,
    pub set_version: Option<i64>,
    pub election_id: Option<ObjectId>,
    pub primary: Option<ServerAddress>,
    pub logical_session_timeout_minutes: Option<i64>,
    pub topology_version: Option<TopologyVersion>,
    /// `hidden: true` in the reply.
    pub hidden: bool,
    /// `helloOk: true` in the reply (the server understands `hello`).
    pub hello_ok: bool,
    /// The whole hello reply, when there was one, raw as it came off the wire (for debugging);
    /// shared by the copies of the description, like the address lists.
    pub reply: Option<Arc<bson::RawDocumentBuf>>,
    /// `serviceId` of a server behind a load balancer (MongoDB 5.0+, `loadBalanced=true`).
    pub service_id: Option<ObjectId>,
    /// `iscryptd: true` in the reply (a mongocryptd process).
    pub iscryptd: bool,
}

impl ServerDescription {
    /// A description of a server nothing is known about yet.
    pub fn new_unknown(address: ServerAddress) -> Self {
        ServerDescription {
            address,
            server_type: ServerType::Unknown,
            error: None,
            round_trip_time_ms: None,
            min_round_trip_time_ms: None,
            last_update_time_ms: 0,
            last_write_date_ms: None,
            op_time: None,
            min_wire_version: 0,
            max_wire_version: 0,
            me: None,
            hosts: AddressList::default(),
            passives: AddressList::default(),
            arbiters: AddressList::default(),
            tags: Tags::new(),
            set_name: None,
            set_version: None,
            election_id: None,
            primary: None,
            logical_session_timeout_minutes: None,
            topology_version: None,
            hidden: false,
            hello_ok: false,
            reply: None,
            service_id: None,
            iscryptd: false,
        }
    }

    /// All members this server reports: hosts, passives and arbiters.
    pub fn all_members(&self) -> impl Iterator<Item = &ServerAddress> {
        self.hosts
            .iter()
            .chain(self.passives.iter())
            .chain(self.arbiters.iter())
    }
}

/// What the client knows about the whole deployment, as in the SDAM spec.
#[derive(Debug, Clone)]
pub struct TopologyDescription {
    pub topology_type: TopologyType,
    /// The replica set name (from the URI or discovered).
    pub set_name: Option<String>,
    pub max_set_version: Option<i64>,
    pub max_election_id: Option<ObjectId>,
    /// Every server the client monitors, keyed by address.
    pub servers: BTreeMap<ServerAddress, ServerDescription>,
    /// False when some server's wire versions do not overlap the driver's.
    pub compatible: bool,
    /// Why the topology is incompatible, when it is.
    pub compatibility_error: Option<String>,
    pub logical_session_timeout_minutes: Option<i64>,
    /// The seed list the topology started from (SDAM's `settings.seeds`: a lone standalone seed
    /// makes the topology Single, one among several is removed).
    pub seeds: Vec<ServerAddress>,
}

impl Default for TopologyDescription {
    /// An empty topology of type Unknown: no servers, no seeds, compatible.
    fn default() -> Self {
        TopologyDescription {
            topology_type: TopologyType::Unknown,
            set_name: None,
            max_set_version: None,
            max_election_id: None,
            servers: BTreeMap::new(),
            compatible: true,
            compatibility_error: None,
            logical_session_timeout_minutes: None,
            seeds: Vec::new(),
        }
    }
}
