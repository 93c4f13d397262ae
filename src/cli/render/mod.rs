//! Pure renderers: core types and server replies in, report values and strings out (status
//! table/JSON, the `read --explain` report, failover-watch lines/JSON Lines). No I/O and no clock,
//! so every format is unit-tested (`tests.rs`). One module per report: `status`, `explain`
//! (`read --explain`), `watch` (failover-watch); the small formatting helpers they share are here.

use std::fmt::Write as _;

use crate::core::description::{ServerType, Tags};

/// Hides the password of every `scheme://user:password@` in free text (error messages may quote a
/// URI), using the connection-string module's redaction.
pub fn redact_text(text: &str) -> String {
    crate::core::uri::redact_uri(text)
}

/// `{dc: ny, rack: 1}`, `{}` when empty.
pub fn tags_text(tags: &Tags) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in tags.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{k}: {v}");
    }
    s.push('}');
    s
}

/// `dc=ny,rack=1`, `-` when empty (compact, for table cells).
fn tags_cell(tags: &Tags) -> String {
    if tags.is_empty() {
        return "-".into();
    }
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Rounds to 3 decimals (microseconds for ms values): JSON output stays readable and stable.
pub fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A millisecond count as `0.4 ms`, `12 ms`, `1.25 s`.
pub fn ms_text(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A duration in seconds as `42s`, `5m 3s`, `2h 10m`, `3d 4h`.
pub fn uptime_text(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// RFC 3339 with milliseconds, UTC (`2026-11-24T21:14:31.123Z`) for a time in ms since the epoch.
pub fn rfc3339_ms(epoch_ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(epoch_ms.max(0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// The replica-set term mongod encodes in an electionId: the trailing 8 bytes, big-endian (the
/// leading 4 bytes are 0x7fffffff).
pub fn term_from_election_id(id: &bson::oid::ObjectId) -> i64 {
    let b = id.bytes();
    let mut t = [0u8; 8];
    t.copy_from_slice(&b[4..12]);
    i64::from_be_bytes(t)
}

/// The member state word for a server type, as replSetGetStatus spells states.
pub fn state_word(t: ServerType) -> &'static str {
    match t {
        ServerType::RSPrimary => "PRIMARY",
        ServerType::RSSecondary => "SECONDARY",
        ServerType::RSArbiter => "ARBITER",
        ServerType::RSOther => "OTHER",
        ServerType::RSGhost => "GHOST",
        ServerType::Standalone => "STANDALONE",
        ServerType::Mongos => "MONGOS",
        ServerType::LoadBalancer => "LOADBALANCER",
        ServerType::PossiblePrimary => "POSSIBLE_PRIMARY",
        ServerType::Unknown => "UNKNOWN",
    }
}

/// A value, or `-` when there is none (table cells, event lines).
fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

mod explain;
mod status;
mod watch;

pub use explain::*;
pub use status::*;
pub use watch::*;

#[cfg(test)]
mod tests;
