//! Connection strings (`mongodb://...` URIs and bare seed lists), per the connection-string and
//! URI-options specifications and the auth specification's connection-string rules.
//!
//! [`ConnectionString::parse`] splits the string the way the connection-string spec's reference
//! algorithm does (scheme, userinfo, hosts, auth database, options), validates and percent-decodes
//! each part, interprets every option of the URI-options spec (module `options`), builds the
//! credential (module `auth`) and finally checks the rules that span several options. Invalid values
//! of individual options are ignored with a warning where the specification says so; everything
//! else is an [`Error::InvalidArgument`] whose message names the culprit (never a password).
//!
//! Passwords never leave this module in clear text through `Display`/`Debug`:
//! [`ConnectionString::redacted`] and [`redact_uri`] replace them by `****`.

mod auth;
mod options;
mod redact;
mod srv;

use std::fmt;
use std::time::Duration;

use crate::core::address::{ServerAddress, DEFAULT_PORT};
use crate::core::description::TopologyType;
use crate::core::error::{Error, Result};
use crate::core::read_pref::ReadPreference;

pub use redact::redact_uri;
pub use srv::{check_target, parse_txt, SrvRecord, DEFAULT_SRV_SERVICE_NAME, TXT_ALLOWED_OPTIONS};

/// Authentication settings taken from the userinfo and the `auth*` options.
///
/// `source` is always resolved (authSource, else the auth database or the mechanism's default),
/// as the auth specification's tests expect. `mechanism_properties` is empty when none apply.
#[derive(Clone, PartialEq, Default)]
pub struct Credential {
    /// The (percent-decoded) user name, if any.
    pub username: Option<String>,
    /// The (percent-decoded) password, if any. Never printed.
    pub password: Option<String>,
    /// The database to authenticate against.
    pub source: Option<String>,
    /// The canonical mechanism name (`SCRAM-SHA-256`, `MONGODB-X509`...); `None` = negotiate.
    pub mechanism: Option<String>,
    /// authMechanismProperties plus the mechanism's defaults (e.g. GSSAPI's SERVICE_NAME).
    pub mechanism_properties: bson::Document,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("source", &self.source)
            .field("mechanism", &self.mechanism)
            .field("mechanism_properties", &self.mechanism_properties)
            .finish()
    }
}

/// serverMonitoringMode: which protocol the server monitors use (SDAM spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ServerMonitoringMode {
    /// Streaming where the environment allows it (the default).
    #[default]
    Auto,
    /// Always use the streaming protocol.
    Stream,
    /// Always poll with hello.
    Poll,
}

impl ServerMonitoringMode {
    /// The option value as spelled in URIs.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerMonitoringMode::Auto => "auto",
            ServerMonitoringMode::Stream => "stream",
            ServerMonitoringMode::Poll => "poll",
        }
    }

    /// Parses `auto`, `stream` or `poll` (case-insensitively).
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Auto, Self::Stream, Self::Poll]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// A parsed connection string.
///
/// Typed fields hold what the rest of rsctl uses; `options` holds every recognised option that
/// was accepted, keyed by its canonical camelCase name (`ssl` is stored as `tls`). Durations of
/// zero keep the spec's meaning for the option (e.g. `connectTimeoutMS=0`: no timeout).
///
/// For `mongodb+srv://` strings `srv` is true and `hosts` holds the one SRV name (port 27017):
/// [`ConnectionString::resolve_srv`] turns it, with the SRV and TXT records DNS returned, into
/// the equivalent `mongodb://` string (the lookup itself is `net::dns`).
#[derive(Clone, PartialEq, Default)]
pub struct ConnectionString {
    /// The seed list (at least one entry after a successful parse).
    pub hosts: Vec<ServerAddress>,
    /// Whether the scheme was `mongodb+srv`.
    pub srv: bool,
    /// The percent-decoded database from the path (`/db`), if any.
    pub default_database: Option<String>,
    /// Credentials, when the userinfo or authMechanism asks for authentication.
    pub credential: Option<Credential>,
    /// replicaSet.
    pub replica_set: Option<String>,
    /// directConnection.
    pub direct_connection: Option<bool>,
    /// readPreference + readPreferenceTags + maxStalenessSeconds (`None` if none was given).
    pub read_preference: Option<ReadPreference>,
    /// localThresholdMS.
    pub local_threshold: Option<Duration>,
    /// heartbeatFrequencyMS (at least 500 ms).
    pub heartbeat_frequency: Option<Duration>,
    /// serverSelectionTimeoutMS.
    pub server_selection_timeout: Option<Duration>,
    /// connectTimeoutMS (zero = no timeout).
    pub connect_timeout: Option<Duration>,
    /// socketTimeoutMS (zero = no timeout).
    pub socket_timeout: Option<Duration>,
    /// appname, sent in the handshake.
    pub app_name: Option<String>,
    /// tls (or its alias ssl).
    pub tls: Option<bool>,
    /// tlsCAFile.
    pub tls_ca_file: Option<String>,
    /// tlsCertificateKeyFile.
    pub tls_certificate_key_file: Option<String>,
    /// tlsCertificateKeyFilePassword. Never printed.
    pub tls_certificate_key_file_password: Option<String>,
    /// tlsAllowInvalidCertificates.
    pub tls_allow_invalid_certificates: Option<bool>,
    /// tlsAllowInvalidHostnames.
    pub tls_allow_invalid_hostnames: Option<bool>,
    /// tlsInsecure.
    pub tls_insecure: Option<bool>,
    /// retryReads.
    pub retry_reads: Option<bool>,
    /// retryWrites.
    pub retry_writes: Option<bool>,
    /// loadBalanced.
    pub load_balanced: Option<bool>,
    /// serverMonitoringMode.
    pub server_monitoring_mode: Option<ServerMonitoringMode>,
    /// Every accepted option, keyed by its canonical camelCase name.
    pub options: bson::Document,
    /// One message per ignored option or value; each names the option and the value.
    pub warnings: Vec<String>,
}

impl ConnectionString {
    /// Parses a `mongodb://` or `mongodb+srv://` connection string, or a bare seed list
    /// (`host`, `host:port`, `h1:p1,h2:p2`) which yields hosts only.
    pub fn parse(s: &str) -> Result<Self> {
        if s.trim().is_empty() {
            return Err(Error::invalid("empty connection string: expected mongodb://HOST[:PORT][,...] or HOST[:PORT][,...]"));
        }
        let (srv, rest) = if let Some(rest) = strip_prefix_ci(s, "mongodb://") {
            (false, rest)
        } else if let Some(rest) = strip_prefix_ci(s, "mongodb+srv://") {
            (true, rest)
        } else if let Some(i) = s.find("://") {
            let scheme = &s[..i];
            // Echo the scheme only when it has a scheme's shape (RFC 3986): text before "://"
            // that holds ':' or '@' may be userinfo with a password in it.
            let scheme_shaped = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            return Err(Error::invalid(if scheme_shaped {
                format!(
                    "invalid scheme \"{scheme}\" in the connection string: expected mongodb:// or mongodb+srv://"
                )
            } else {
                "invalid connection string: it must start with mongodb:// or mongodb+srv:// (or be a bare \
                 seed list host:port,...); percent-encode ':', '/' and '@' in user names and passwords"
                    .to_string()
            }));
        } else {
            return parse_seed_list(s);
        };

        // 1. Host information ends at the first '/' or '?' (the slash before options is optional).
        let cut = rest.find(['/', '?']).unwrap_or(rest.len());
        let (host_info, tail) = rest.split_at(cut);
        let (db_part, query) = if let Some(t) = tail.strip_prefix('/') {
            match t.split_once('?') {
                Some((db, q)) => (db, Some(q)),
                None => (t, None),
            }
        } else if let Some(q) = tail.strip_prefix('?') {
            ("", Some(q))
        } else {
            ("", None)
        };

        // 2. Userinfo is everything before the last '@' of the host information.
        let (userinfo, hosts_part) = match host_info.rfind('@') {
            Some(i) => (Some(parse_userinfo(&host_info[..i])?), &host_info[i + 1..]),
            None => (None, host_info),
        };

        // An '@' in the database or in the first option name means the userinfo holds an
        // unescaped '/' or '?': say so without echoing any part of it (it may be a password).
        let first_key = query
            .and_then(|q| q.split('&').next())
            .and_then(|p| p.split('=').next());
        if db_part.contains('@') || first_key.is_some_and(|k| k.contains('@')) {
            return Err(Error::invalid(format!(
                "invalid connection string: an '@' follows the first '/' or '?'; {USERINFO_HINT}"
            )));
        }

        // 3. Hosts.
        let hosts = if srv {
            parse_srv_host(hosts_part)
        } else {
            parse_hosts(hosts_part)
        }
        .map_err(|e| {
            if userinfo.is_none() && tail.contains('@') {
                // Most likely "user:pa?ss@host": the "host" shown would be part of a password.
                Error::invalid(format!(
                    "invalid host list in the connection string (an '@' follows the first '/' or '?'); {USERINFO_HINT}"
                ))
            } else {
                e
            }
        })?;

        // 4. Auth database.
        let default_database = if db_part.is_empty() {
            None
        } else {
            let db = percent_decode(db_part, "the database name")?;
            if let Some(c) = db
                .chars()
                .find(|c| matches!(c, '/' | '\\' | ' ' | '"' | '$'))
            {
                return Err(Error::invalid(format!(
                    "invalid database name \"{db}\" in the connection string: it must not contain '{c}' (percent-encode the userinfo if the '/' belongs to it)"
                )));
            }
            Some(db)
        };

        // 5. Options, then the rules spanning options and hosts.
        let parsed = options::parse_query(query.unwrap_or(""))?;
        let mut cs = ConnectionString {
            hosts,
            srv,
            default_database,
            options: parsed.doc,
            warnings: parsed.warnings,
            ..Default::default()
        };
        options::validate(&cs.options, &parsed.present, cs.hosts.len(), srv)?;
        cs.fill_typed_fields()?;
        cs.credential = auth::resolve(userinfo, &cs.options, cs.default_database.as_deref())?;
        Ok(cs)
    }

    /// Copies the accepted options into the typed fields.
    fn fill_typed_fields(&mut self) -> Result<()> {
        let o = &self.options;
        let string = |k: &str| o.get_str(k).ok().map(str::to_string);
        let boolean = |k: &str| o.get_bool(k).ok();
        let millis =
            |k: &str| options::get_int(o, k).map(|v| Duration::from_millis(v.max(0) as u64));
        self.replica_set = string("replicaSet");
        self.direct_connection = boolean("directConnection");
        self.local_threshold = millis("localThresholdMS");
        self.heartbeat_frequency = millis("heartbeatFrequencyMS");
        self.server_selection_timeout = millis("serverSelectionTimeoutMS");
        self.connect_timeout = millis("connectTimeoutMS");
        self.socket_timeout = millis("socketTimeoutMS");
        self.app_name = string("appname");
        self.tls = boolean("tls");
        self.tls_ca_file = string("tlsCAFile");
        self.tls_certificate_key_file = string("tlsCertificateKeyFile");
        self.tls_certificate_key_file_password = string("tlsCertificateKeyFilePassword");
        self.tls_allow_invalid_certificates = boolean("tlsAllowInvalidCertificates");
        self.tls_allow_invalid_hostnames = boolean("tlsAllowInvalidHostnames");
        self.tls_insecure = boolean("tlsInsecure");
        self.retry_reads = boolean("retryReads");
        self.retry_writes = boolean("retryWrites");
        self.load_balanced = boolean("loadBalanced");
        self.server_monitoring_mode = o
            .get_str("serverMonitoringMode")
            .ok()
            .and_then(ServerMonitoringMode::parse);
        self.read_preference = options::read_preference(o)?;
        Ok(())
    }

    /// This connection string as a URI with every secret (password, tlsCertificateKeyFilePassword,
    /// proxyPassword) shown as `****`.
    pub fn redacted(&self) -> String {
        redact::render(self)
    }

    /// Whether connections must use TLS: `tls`/`ssl` when given, otherwise required for
    /// `mongodb+srv://` (URI-options spec) and off for `mongodb://`.
    pub fn tls_required(&self) -> bool {
        self.tls.unwrap_or(self.srv)
    }

    /// The topology type SDAM starts from: directConnection=true → Single, loadBalanced=true →
    /// LoadBalanced, replicaSet given → ReplicaSetNoPrimary, otherwise Unknown.
    pub fn initial_topology_type(&self) -> TopologyType {
        if self.direct_connection == Some(true) {
            TopologyType::Single
        } else if self.load_balanced == Some(true) {
            TopologyType::LoadBalanced
        } else if self.replica_set.is_some() {
            TopologyType::ReplicaSetNoPrimary
        } else {
            TopologyType::Unknown
        }
    }
}

impl std::str::FromStr for ConnectionString {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ConnectionString::parse(s)
    }
}

impl fmt::Display for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("uri", &self.redacted())
            .field("credential", &self.credential)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Parses a tag set: `k:v,k:v` (URI form) or `k=v,k=v` (CLI form); an empty string (or `''`,
/// `{}`) is the empty tag set `{}` that matches every member. Keys and values are trimmed.
pub fn parse_tag_set(s: &str) -> Result<crate::core::read_pref::TagSet> {
    let mut set = crate::core::read_pref::TagSet::new();
    let t = s.trim();
    if t.is_empty() || t == "''" || t == "\"\"" || t == "{}" {
        return Ok(set);
    }
    for item in t.split(',') {
        let Some(i) = item.find([':', '=']) else {
            return Err(Error::invalid(format!(
                "invalid tag \"{item}\" in tag set \"{s}\": expected key:value or key=value"
            )));
        };
        let (k, v) = (item[..i].trim(), item[i + 1..].trim());
        if k.is_empty() {
            return Err(Error::invalid(format!(
                "invalid tag \"{item}\" in tag set \"{s}\": the key is empty"
            )));
        }
        if v.is_empty() {
            return Err(Error::invalid(format!(
                "invalid tag \"{item}\" in tag set \"{s}\": the value is empty"
            )));
        }
        if set.insert(k.to_string(), v.to_string()).is_some() {
            return Err(Error::invalid(format!(
                "invalid tag set \"{s}\": the key \"{k}\" appears twice"
            )));
        }
    }
    Ok(set)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A bare seed list: comma-separated `host[:port]` entries, nothing else.
fn parse_seed_list(s: &str) -> Result<ConnectionString> {
    if s.contains('@') {
        return Err(Error::invalid(
            "a bare seed list cannot carry credentials: use mongodb://USER:PASSWORD@HOST[:PORT]",
        ));
    }
    let hosts = s
        .split(',')
        .map(|h| {
            host_address(h.trim())
                .map_err(|e| Error::invalid(format!("invalid seed list \"{s}\": {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ConnectionString {
        hosts,
        ..Default::default()
    })
}

fn parse_hosts(s: &str) -> Result<Vec<ServerAddress>> {
    if s.is_empty() {
        return Err(Error::invalid("missing host in the connection string: expected at least one HOST[:PORT] after mongodb://"));
    }
    s.split(',')
        .map(|raw| {
            if raw.is_empty() {
                return Err(Error::invalid(format!(
                    "empty host in the host list \"{s}\""
                )));
            }
            let host = percent_decode(raw, "a host")?;
            host_address(&host)
        })
        .collect()
}

/// `ServerAddress::parse`, plus: a host name (not an IPv6 literal) is made of letters (any
/// script), digits, '-', '.', '_' and '~'.
fn host_address(s: &str) -> Result<ServerAddress> {
    let a = ServerAddress::parse(s)?;
    if let ServerAddress::Tcp { host, .. } = &a {
        let literal = host.contains(':');
        let bad = host.chars().find(|&c| {
            if literal {
                c.is_whitespace() || c.is_control()
            } else {
                !(c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
            }
        });
        if let Some(c) = bad {
            let what = if c.is_whitespace() {
                "whitespace".to_string()
            } else {
                format!("'{c}'")
            };
            return Err(Error::invalid(format!(
                "invalid host \"{s}\": a host name cannot contain {what}"
            )));
        }
    }
    Ok(a)
}

/// `mongodb+srv://`: exactly one host name, no port.
fn parse_srv_host(s: &str) -> Result<Vec<ServerAddress>> {
    if s.is_empty() {
        return Err(Error::invalid(
            "missing host in the mongodb+srv connection string",
        ));
    }
    if s.contains(',') {
        return Err(Error::invalid(format!(
            "invalid mongodb+srv host list \"{s}\": a mongodb+srv URI takes exactly one host name"
        )));
    }
    let host = percent_decode(s, "the SRV host")?;
    if host.contains(':') || host.starts_with('[') {
        return Err(Error::invalid(format!(
            "invalid mongodb+srv host \"{host}\": a mongodb+srv URI must not give a port or an IP literal"
        )));
    }
    match host_address(&host)? {
        a @ ServerAddress::Tcp { .. } => Ok(vec![ServerAddress::new(a.host(), DEFAULT_PORT)]),
        ServerAddress::Unix { .. } => Err(Error::invalid(format!(
            "invalid mongodb+srv host \"{host}\": a unix socket cannot be an SRV name"
        ))),
    }
}

/// How to fix a userinfo the parser cannot split.
const USERINFO_HINT: &str = "the username and password must be percent-encoded (e.g. '@' as %40, ':' as %3A, '/' as %2F, '?' as %3F)";

/// Splits and decodes `user[:password]`, enforcing the spec's escaping rules.
fn parse_userinfo(raw: &str) -> Result<(String, Option<String>)> {
    if let Some(c) = raw
        .chars()
        .find(|c| matches!(c, '@' | '/' | '?' | '#' | '[' | ']'))
    {
        return Err(Error::invalid(format!(
            "invalid userinfo in the connection string: unescaped '{c}'; {USERINFO_HINT}"
        )));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(format!(
            "invalid userinfo in the connection string: unescaped whitespace or control character; {USERINFO_HINT}"
        )));
    }
    if raw.matches(':').count() > 1 {
        return Err(Error::invalid(format!(
            "invalid userinfo in the connection string: more than one ':'; {USERINFO_HINT}"
        )));
    }
    let (user, pass) = match raw.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (raw, None),
    };
    let user = percent_decode(user, "the username").map_err(|_| {
        Error::invalid(format!("invalid username in the connection string: a '%' not followed by two hex digits; {USERINFO_HINT}"))
    })?;
    let pass = match pass {
        Some(p) => Some(percent_decode(p, "the password").map_err(|_| {
            Error::invalid(format!(
                "invalid password in the connection string: a '%' not followed by two hex digits; {USERINFO_HINT}"
            ))
        })?),
        None => None,
    };
    Ok((user, pass))
}

/// Strict percent-decoding: every '%' must start a `%XY` escape and the result must be UTF-8.
/// `+` stays a plus sign. `what` names the part in error messages.
pub(crate) fn percent_decode(s: &str, what: &str) -> Result<String> {
    if !s.contains('%') {
        return Ok(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let digits = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(&[hi, lo]) = digits else {
                return Err(Error::invalid(format!(
                    "invalid percent-encoding in {what} \"{s}\": '%' must be followed by two hex digits"
                )));
            };
            out.push(hex_value(hi) << 4 | hex_value(lo));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        Error::invalid(format!(
            "invalid percent-encoding in {what} \"{s}\": the bytes are not UTF-8"
        ))
    })
}

/// The value of one ASCII hex digit (the caller checked it is one).
fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.to_ascii_uppercase().wrapping_sub(b'A').wrapping_add(10),
    }
}

#[cfg(test)]
mod tests;
