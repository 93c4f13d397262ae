//! [`ClientOptions`]: the parts of a connection string the driver uses, their defaults, and the
//! selection settings derived from them.

use std::sync::Arc;
use std::time::Duration;

use crate::core::address::ServerAddress;
use crate::core::read_pref::ReadPreference;
use crate::core::selection::SelectionSettings;
use crate::core::uri::{ConnectionString, ServerMonitoringMode};
use crate::net::connection::ConnectionCaches;

/// Default heartbeatFrequencyMS.
pub const DEFAULT_HEARTBEAT_FREQUENCY: Duration = Duration::from_secs(10);
/// Default localThresholdMS.
pub const DEFAULT_LOCAL_THRESHOLD: Duration = Duration::from_millis(15);
/// Default serverSelectionTimeoutMS.
pub const DEFAULT_SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connectTimeoutMS.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Client settings (the parts of a connection string the driver uses).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub hosts: Vec<ServerAddress>,
    pub replica_set: Option<String>,
    pub direct_connection: Option<bool>,
    pub load_balanced: bool,
    pub app_name: Option<String>,
    pub heartbeat_frequency: Duration,
    pub local_threshold: Duration,
    pub server_selection_timeout: Duration,
    pub connect_timeout: Duration,
    pub socket_timeout: Option<Duration>,
    pub server_monitoring_mode: ServerMonitoringMode,
    pub retry_reads: bool,
    pub read_preference: ReadPreference,
    /// Application connections authenticate with it (monitoring connections never do).
    pub credential: Option<crate::core::uri::Credential>,
    /// TLS for every connection (monitors included); `None` = plain TCP.
    pub tls: Option<crate::net::tls::TlsOptions>,
    /// Resolve member host names through this resolver first (`--dns-server`), the system
    /// resolver answering for the names it does not know; `None` = the system resolver only.
    pub host_resolver: Option<Arc<crate::net::dns::HickoryDns>>,
    /// TLS configurations and SCRAM keys built once and shared by the client's connections
    /// (and by the clients of options cloned from these).
    pub caches: ConnectionCaches,
}

impl ClientOptions {
    /// Defaults of the specs for the given seed list.
    pub fn new(hosts: Vec<ServerAddress>) -> Self {
        ClientOptions {
            hosts,
            replica_set: None,
            direct_connection: None,
            load_balanced: false,
            app_name: None,
            heartbeat_frequency: DEFAULT_HEARTBEAT_FREQUENCY,
            local_threshold: DEFAULT_LOCAL_THRESHOLD,
            server_selection_timeout: DEFAULT_SERVER_SELECTION_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            socket_timeout: None,
            server_monitoring_mode: ServerMonitoringMode::default(),
            retry_reads: true,
            read_preference: ReadPreference::primary(),
            credential: None,
            tls: None,
            host_resolver: None,
            caches: ConnectionCaches::default(),
        }
    }

    /// Options from a parsed connection string (unset options take the defaults).
    pub fn from_connection_string(cs: &ConnectionString) -> Self {
        let mut o = ClientOptions::new(cs.hosts.clone());
        o.replica_set = cs.replica_set.clone();
        o.direct_connection = cs.direct_connection;
        o.load_balanced = cs.load_balanced.unwrap_or(false);
        o.app_name = cs.app_name.clone();
        o.credential = cs.credential.clone();
        o.tls = crate::net::tls::TlsOptions::from_connection_string(cs);
        if let Some(v) = cs.heartbeat_frequency {
            o.heartbeat_frequency = v;
        }
        if let Some(v) = cs.local_threshold {
            o.local_threshold = v;
        }
        if let Some(v) = cs.server_selection_timeout {
            o.server_selection_timeout = v;
        }
        if let Some(v) = cs.connect_timeout {
            // connectTimeoutMS=0 means "no timeout": use a day.
            o.connect_timeout = if v.is_zero() {
                Duration::from_secs(86_400)
            } else {
                v
            };
        }
        o.socket_timeout = cs.socket_timeout.filter(|d| !d.is_zero());
        if let Some(m) = cs.server_monitoring_mode {
            o.server_monitoring_mode = m;
        }
        if let Some(r) = cs.retry_reads {
            o.retry_reads = r;
        }
        if let Some(rp) = &cs.read_preference {
            o.read_preference = rp.clone();
        }
        o
    }

    pub(super) fn selection_settings(&self) -> SelectionSettings {
        SelectionSettings {
            local_threshold_ms: self.local_threshold.as_secs_f64() * 1000.0,
            heartbeat_frequency_ms: self.heartbeat_frequency.as_secs_f64() * 1000.0,
        }
    }
}
