//! URI options: the table of keys rsctl recognises (the URI-options spec), how each value is
//! parsed, and the validation rules that span several options or the host list.
//!
//! Per the specs, unknown keys and invalid values of typed options are ignored with a warning;
//! conflicting options, unknown read preference modes and authentication mechanisms, and
//! impossible combinations are errors.

use std::collections::HashSet;
use std::time::Duration;

use bson::{Bson, Document};

use crate::core::error::{Error, Result};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};

use super::{auth, parse_tag_set, percent_decode, ServerMonitoringMode};

/// How an option's value is read.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Any non-empty string.
    Str,
    /// `true` or `false`.
    Bool,
    /// An integer within `min..=max`.
    Int { min: i64, max: i64 },
    /// A non-negative integer or a string (write concern `w`).
    W,
    /// One tag set; the key may repeat, each occurrence is the next set in order.
    Tags,
    /// `KEY:value,KEY:value` (authMechanismProperties).
    Properties,
    /// A comma-separated list of compressor names.
    Compressors,
    /// A read preference mode name.
    ReadPreference,
    /// serverMonitoringMode.
    MonitoringMode,
    /// maxStalenessSeconds: -1 or a non-negative number of seconds.
    MaxStaleness,
    /// authMechanism: a mechanism of the auth spec.
    AuthMechanism,
    /// authSource: a non-empty database name.
    AuthSource,
}

const I32: i64 = i32::MAX as i64;

/// Every recognised option: (canonical name, kind).
const OPTIONS: &[(&str, Kind)] = &[
    ("appname", Kind::Str),
    ("authMechanism", Kind::AuthMechanism),
    ("authMechanismProperties", Kind::Properties),
    ("authSource", Kind::AuthSource),
    ("compressors", Kind::Compressors),
    ("connectTimeoutMS", Kind::Int { min: 0, max: I32 }),
    ("directConnection", Kind::Bool),
    ("heartbeatFrequencyMS", Kind::Int { min: 500, max: I32 }),
    ("journal", Kind::Bool),
    ("loadBalanced", Kind::Bool),
    ("localThresholdMS", Kind::Int { min: 0, max: I32 }),
    ("maxConnecting", Kind::Int { min: 1, max: I32 }),
    ("maxIdleTimeMS", Kind::Int { min: 0, max: I32 }),
    ("maxPoolSize", Kind::Int { min: 0, max: I32 }),
    ("maxStalenessSeconds", Kind::MaxStaleness),
    ("minPoolSize", Kind::Int { min: 0, max: I32 }),
    ("proxyHost", Kind::Str),
    ("proxyPassword", Kind::Str),
    ("proxyPort", Kind::Int { min: 0, max: 65535 }),
    ("proxyUsername", Kind::Str),
    ("readConcernLevel", Kind::Str),
    ("readPreference", Kind::ReadPreference),
    ("readPreferenceTags", Kind::Tags),
    ("replicaSet", Kind::Str),
    ("retryReads", Kind::Bool),
    ("retryWrites", Kind::Bool),
    ("serverMonitoringMode", Kind::MonitoringMode),
    ("serverSelectionTimeoutMS", Kind::Int { min: 1, max: I32 }),
    ("serverSelectionTryOnce", Kind::Bool),
    ("socketCheckIntervalMS", Kind::Int { min: 0, max: I32 }),
    ("socketTimeoutMS", Kind::Int { min: 0, max: I32 }),
    ("srvMaxHosts", Kind::Int { min: 0, max: I32 }),
    ("srvServiceName", Kind::Str),
    (
        "timeoutMS",
        Kind::Int {
            min: 0,
            max: i64::MAX,
        },
    ),
    ("tls", Kind::Bool),
    ("tlsAllowInvalidCertificates", Kind::Bool),
    ("tlsAllowInvalidHostnames", Kind::Bool),
    ("tlsCAFile", Kind::Str),
    ("tlsCertificateKeyFile", Kind::Str),
    ("tlsCertificateKeyFilePassword", Kind::Str),
    ("tlsDisableCertificateRevocationCheck", Kind::Bool),
    ("tlsDisableOCSPEndpointCheck", Kind::Bool),
    ("tlsInsecure", Kind::Bool),
    ("w", Kind::W),
    ("waitQueueTimeoutMS", Kind::Int { min: 1, max: I32 }),
    (
        "wTimeoutMS",
        Kind::Int {
            min: 0,
            max: i64::MAX,
        },
    ),
    ("zlibCompressionLevel", Kind::Int { min: -1, max: 9 }),
];

/// Other accepted spellings: (alias, canonical name).
const ALIASES: &[(&str, &str)] = &[("ssl", "tls")];

/// Options whose values are secrets: never echoed in messages, redacted in URIs.
pub(super) const SECRET_OPTIONS: &[&str] = &["tlsCertificateKeyFilePassword", "proxyPassword"];

/// Compressors the wire-compression spec defines.
const KNOWN_COMPRESSORS: &[&str] = &["snappy", "zlib", "zstd"];

/// The TLS options that must not appear together (URI-options spec, "Conflicting TLS options").
const TLS_CONFLICTS: &[(&str, &str)] = &[
    ("tlsInsecure", "tlsAllowInvalidCertificates"),
    ("tlsInsecure", "tlsAllowInvalidHostnames"),
    ("tlsInsecure", "tlsDisableOCSPEndpointCheck"),
    ("tlsInsecure", "tlsDisableCertificateRevocationCheck"),
    ("tlsAllowInvalidCertificates", "tlsDisableOCSPEndpointCheck"),
    (
        "tlsAllowInvalidCertificates",
        "tlsDisableCertificateRevocationCheck",
    ),
    (
        "tlsDisableOCSPEndpointCheck",
        "tlsDisableCertificateRevocationCheck",
    ),
];

/// The canonical name and kind of an option key, case-insensitively.
fn lookup(key: &str) -> Option<(&'static str, Kind)> {
    if let Some((_, canonical)) = ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(key)) {
        return OPTIONS.iter().find(|(n, _)| n == canonical).copied();
    }
    OPTIONS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(key))
        .copied()
}

/// The canonical names of the options held in `doc` (for [`validate`] after a merge).
pub(super) fn present_keys(doc: &Document) -> HashSet<&'static str> {
    doc.keys()
        .filter_map(|k| lookup(k).map(|(name, _)| name))
        .collect()
}

/// What went wrong with one value.
enum Problem {
    /// Ignore the value and record this warning.
    Warn(String),
    /// Fail the whole parse.
    Fail(Error),
}

/// The result of reading the query string.
pub(super) struct Parsed {
    /// Accepted options by canonical name.
    pub doc: Document,
    /// Warnings for ignored keys and values.
    pub warnings: Vec<String>,
    /// Canonical names of every recognised key that appeared, valid or not.
    pub present: HashSet<&'static str>,
}

/// How a value is shown in a message (secrets are masked).
/// How an option's value may appear in a message: secret options are masked, and so is any value
/// holding an unescaped '@', which may be the tail of a password whose '/' or '?' was not
/// percent-encoded (`u:PW?x=XY@host`).
fn shown(canonical: &str, value: &str) -> String {
    if SECRET_OPTIONS.contains(&canonical) || value.contains('@') {
        "****".to_string()
    } else {
        value.to_string()
    }
}

/// Parses the part after `?`: `key=value` pairs separated by `&`.
pub(super) fn parse_query(query: &str) -> Result<Parsed> {
    let mut doc = Document::new();
    let mut warnings = Vec::new();
    let mut present = HashSet::new();
    let mut seen_keys: HashSet<String> = HashSet::new();
    let mut tag_sets: Vec<Bson> = Vec::new();
    let mut tls_seen: Vec<(String, bool)> = Vec::new();

    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let Some((raw_key, raw_value)) = pair.split_once('=') else {
            let shown_pair = if pair.contains('@') { "****" } else { pair };
            return Err(Error::invalid(format!(
                "invalid option \"{shown_pair}\" in the connection string: expected key=value"
            )));
        };
        // A raw key or value holding an unescaped '@' may be the tail of a password whose '/' or
        // '?' was not percent-encoded: its decoding errors do not echo it.
        let key = percent_decode(raw_key, "an option name").map_err(|e| {
            if raw_key.contains('@') {
                Error::invalid("invalid percent-encoding in an option name")
            } else {
                e
            }
        })?;
        let Some((canonical, kind)) = lookup(&key) else {
            // An unknown key may be a misspelt secret: do not echo what looks like one.
            let lower = key.to_ascii_lowercase();
            let secret_like = ["pass", "secret", "token", "key"]
                .iter()
                .any(|w| lower.contains(w));
            let shown_value = if secret_like || key.is_empty() || raw_value.contains('@') {
                "****"
            } else {
                raw_value
            };
            let shown_key = if key.contains('@') {
                "****"
            } else {
                key.as_str()
            };
            warnings.push(format!(
                "ignoring unsupported option '{shown_key}' (value \"{shown_value}\")"
            ));
            continue;
        };
        let value =
            percent_decode(raw_value, &format!("the value of option {key}")).map_err(|e| {
                if SECRET_OPTIONS.contains(&canonical) || raw_value.contains('@') {
                    Error::invalid(format!(
                        "invalid percent-encoding in the value of option {key}"
                    ))
                } else {
                    e
                }
            })?;
        present.insert(canonical);
        let lower = key.to_ascii_lowercase();
        if !matches!(kind, Kind::Tags) && !seen_keys.insert(lower) {
            if canonical.starts_with("proxy") {
                // The SOCKS5 spec makes a repeated proxy option an error, not a warning.
                return Err(Error::invalid(format!(
                    "option {key} must not be given more than once"
                )));
            }
            warnings.push(format!(
                "option {key} appears more than once; the last value (\"{}\") wins",
                shown(canonical, &value)
            ));
        }
        match parse_value(kind, canonical, &key, &value, &mut warnings) {
            Ok(v) => {
                if let Kind::Tags = kind {
                    tag_sets.push(v);
                    continue;
                }
                if canonical == "tls" {
                    let b = v.as_bool().unwrap_or_default();
                    if let Some((other, ob)) = tls_seen.iter().find(|(_, ob)| *ob != b) {
                        return Err(Error::invalid(format!(
                            "conflicting TLS options: {other}={ob} and {key}={b} (tls and its alias ssl must agree)"
                        )));
                    }
                    tls_seen.push((key.clone(), b));
                }
                doc.insert(canonical, v);
            }
            Err(Problem::Warn(w)) => warnings.push(w),
            Err(Problem::Fail(e)) => return Err(e),
        }
    }
    if !tag_sets.is_empty() {
        doc.insert("readPreferenceTags", tag_sets);
    }
    Ok(Parsed {
        doc,
        warnings,
        present,
    })
}

fn int_bson(n: i64) -> Bson {
    match i32::try_from(n) {
        Ok(i) => Bson::Int32(i),
        Err(_) => Bson::Int64(n),
    }
}

/// Reads an integer option stored as Int32 or Int64.
pub(super) fn get_int(doc: &Document, key: &str) -> Option<i64> {
    match doc.get(key)? {
        Bson::Int32(i) => Some(i64::from(*i)),
        Bson::Int64(i) => Some(*i),
        _ => None,
    }
}

fn parse_value(
    kind: Kind,
    canonical: &str,
    key: &str,
    value: &str,
    warnings: &mut Vec<String>,
) -> Result<Bson, Problem> {
    let warn = |why: &str| {
        Problem::Warn(format!(
            "ignoring {key}=\"{}\": {why}",
            shown(canonical, value)
        ))
    };
    if value.is_empty() {
        return match kind {
            Kind::Tags => Ok(Bson::Document(Document::new())),
            Kind::AuthSource | Kind::AuthMechanism => Err(Problem::Fail(Error::invalid(format!(
                "invalid {key}: the value must not be empty"
            )))),
            _ => Err(warn("the value is empty")),
        };
    }
    match kind {
        Kind::Str | Kind::AuthSource => Ok(Bson::String(value.to_string())),
        Kind::Bool => match value.to_ascii_lowercase().as_str() {
            "true" => Ok(Bson::Boolean(true)),
            "false" => Ok(Bson::Boolean(false)),
            _ => Err(warn("expected true or false")),
        },
        Kind::Int { min, max } => {
            let n: i64 = value.parse().map_err(|_| warn("not an integer"))?;
            if n < min {
                Err(warn(&format!("must be at least {min}")))
            } else if n > max {
                Err(warn(&format!("must be at most {max}")))
            } else {
                Ok(int_bson(n))
            }
        }
        Kind::MaxStaleness => {
            let n: i64 = value.parse().map_err(|_| warn("not an integer"))?;
            if n < -1 {
                Err(warn("must be -1 (no limit) or a number of seconds"))
            } else {
                Ok(int_bson(n))
            }
        }
        Kind::W => match value.parse::<i64>() {
            Ok(n) if (0..=I32).contains(&n) => Ok(int_bson(n)),
            Ok(_) => Err(warn("must be a non-negative 32-bit integer or a string")),
            Err(_) => Ok(Bson::String(value.to_string())),
        },
        Kind::Tags => {
            let set = parse_tag_set(value).map_err(|e| {
                if value.contains('@') {
                    warn("malformed tag set")
                } else {
                    warn(&e.to_string())
                }
            })?;
            Ok(Bson::Document(set.into_iter().map(|(k, v)| (k, Bson::String(v))).collect()))
        }
        Kind::Properties => {
            // A piece that is not KEY:value (often the tail of a value that held a ',') is
            // ignored with a warning; the pairs around it still count.
            let mut props = Document::new();
            for item in value.split(',') {
                match item.split_once(':') {
                    Some((k, v)) if !k.is_empty() => {
                        props.insert(k, v);
                    }
                    _ => warnings.push(format!(
                        "ignoring \"{item}\" in {key}: not a KEY:value pair (a ',' inside a value \
                         splits it; percent-encoding does not help, as the value is decoded first)"
                    )),
                }
            }
            if props.is_empty() {
                return Err(warn("no KEY:value pair"));
            }
            Ok(Bson::Document(props))
        }
        Kind::Compressors => {
            let names: Vec<&str> = value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            if names.is_empty() {
                return Err(warn("no compressor named"));
            }
            if let Some(bad) = names.iter().find(|n| !KNOWN_COMPRESSORS.contains(n)) {
                return Err(warn(&format!("unknown compressor \"{bad}\" (known: snappy, zlib, zstd)")));
            }
            Ok(Bson::Array(names.into_iter().map(Bson::from).collect()))
        }
        Kind::ReadPreference => match ReadPreferenceMode::parse(value) {
            Some(m) => Ok(Bson::String(m.as_str().to_string())),
            None => Err(Problem::Fail(Error::invalid(format!(
                "invalid {key}=\"{}\": expected primary, primaryPreferred, secondary, secondaryPreferred or nearest",
                shown(canonical, value)
            )))),
        },
        Kind::MonitoringMode => match ServerMonitoringMode::parse(value) {
            Some(m) => Ok(Bson::String(m.as_str().to_string())),
            None => Err(warn("expected auto, stream or poll")),
        },
        Kind::AuthMechanism => match auth::canonical_mechanism(value) {
            Some(m) => Ok(Bson::String(m.to_string())),
            None => Err(Problem::Fail(Error::invalid(format!(
                "invalid {key}=\"{}\": supported mechanisms are {}",
                shown(canonical, value),
                auth::MECHANISMS.join(", ")
            )))),
        },
    }
}

/// Rules that span several options or the host list (errors, never warnings).
pub(super) fn validate(
    doc: &Document,
    present: &HashSet<&'static str>,
    nhosts: usize,
    srv: bool,
) -> Result<()> {
    for (a, b) in TLS_CONFLICTS {
        if present.contains(a) && present.contains(b) {
            return Err(Error::invalid(format!(
                "conflicting TLS options: {a} and {b} must not both be given"
            )));
        }
    }
    let flag = |k: &str| doc.get_bool(k).ok();
    if flag("directConnection") == Some(true) {
        if nhosts > 1 {
            return Err(Error::invalid(format!(
                "directConnection=true cannot be used with {nhosts} hosts: give exactly one"
            )));
        }
        if srv {
            return Err(Error::invalid(
                "directConnection=true cannot be used with a mongodb+srv URI",
            ));
        }
    }
    if flag("loadBalanced") == Some(true) {
        if nhosts > 1 {
            return Err(Error::invalid(format!(
                "loadBalanced=true cannot be used with {nhosts} hosts: give exactly one"
            )));
        }
        if let Ok(rs) = doc.get_str("replicaSet") {
            return Err(Error::invalid(format!(
                "loadBalanced=true cannot be used with replicaSet={rs}"
            )));
        }
        if flag("directConnection") == Some(true) {
            return Err(Error::invalid(
                "loadBalanced=true cannot be used with directConnection=true",
            ));
        }
    }
    if !srv {
        for k in ["srvMaxHosts", "srvServiceName"] {
            if present.contains(k) {
                return Err(Error::invalid(format!(
                    "{k} can only be used with a mongodb+srv URI"
                )));
            }
        }
    }
    if let Some(n) = get_int(doc, "srvMaxHosts").filter(|n| *n > 0) {
        if let Ok(rs) = doc.get_str("replicaSet") {
            return Err(Error::invalid(format!(
                "srvMaxHosts={n} cannot be used with replicaSet={rs}"
            )));
        }
        if flag("loadBalanced") == Some(true) {
            return Err(Error::invalid(format!(
                "srvMaxHosts={n} cannot be used with loadBalanced=true"
            )));
        }
    }
    if get_int(doc, "w") == Some(0) && flag("journal") == Some(true) {
        return Err(Error::invalid("w=0 cannot be combined with journal=true"));
    }
    if let (Some(min), Some(max)) = (get_int(doc, "minPoolSize"), get_int(doc, "maxPoolSize")) {
        if max > 0 && min > max {
            return Err(Error::invalid(format!(
                "minPoolSize={min} must not exceed maxPoolSize={max}"
            )));
        }
    }
    if !present.contains("proxyHost") {
        for k in ["proxyPort", "proxyUsername", "proxyPassword"] {
            if present.contains(k) {
                return Err(Error::invalid(format!("{k} requires proxyHost")));
            }
        }
    }
    if present.contains("proxyUsername") != present.contains("proxyPassword") {
        return Err(Error::invalid(
            "proxyUsername and proxyPassword must be given together",
        ));
    }
    if let Ok(name) = doc.get_str("appname") {
        if name.len() > 128 {
            return Err(Error::invalid(format!(
                "appname \"{name}\" is {} bytes long: at most 128 are allowed",
                name.len()
            )));
        }
    }
    Ok(())
}

/// readPreference + readPreferenceTags + maxStalenessSeconds, if any was given.
pub(super) fn read_preference(doc: &Document) -> Result<Option<ReadPreference>> {
    let mode = doc.get_str("readPreference").ok();
    let tags = doc.get_array("readPreferenceTags").ok();
    let staleness = get_int(doc, "maxStalenessSeconds");
    if mode.is_none() && tags.is_none() && staleness.is_none() {
        return Ok(None);
    }
    let mode = mode.and_then(ReadPreferenceMode::parse).unwrap_or_default();
    let tag_sets: Vec<_> = tags
        .into_iter()
        .flatten()
        .filter_map(Bson::as_document)
        .map(|d| {
            d.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect::<crate::core::read_pref::TagSet>()
        })
        .collect();
    if mode == ReadPreferenceMode::Primary && tag_sets.iter().any(|t| !t.is_empty()) {
        return Err(Error::invalid(
            "readPreferenceTags cannot be used with readPreference=primary (choose another mode)",
        ));
    }
    let max_staleness = match staleness {
        None | Some(-1) => None,
        Some(n) => Some(Duration::from_secs(n.max(0) as u64)),
    };
    if let (ReadPreferenceMode::Primary, Some(s)) = (mode, max_staleness) {
        return Err(Error::invalid(format!(
            "maxStalenessSeconds={} cannot be used with readPreference=primary (choose another mode)",
            s.as_secs()
        )));
    }
    Ok(Some(ReadPreference {
        mode,
        tag_sets,
        max_staleness,
    }))
}
