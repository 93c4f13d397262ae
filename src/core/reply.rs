//! Reading a server's reply to a command, the rules every reader shares: the
//! [`Error::Command`] an `ok: 0` reply stands for (code, codeName, errmsg or the legacy `$err`,
//! errorLabels, topologyVersion) and the `topologyVersion` document. The connection (any
//! command) and SDAM (hello replies) both read failures through here, so they cannot disagree.
//! Pure.

use bson::{Bson, Document};

use crate::core::address::ServerAddress;
use crate::core::bson_value::{as_i64, field};
use crate::core::description::TopologyVersion;
use crate::core::error::Error;

fn type_error(key: &str, expected: &str, got: &Bson) -> String {
    format!(
        "reply field \"{key}\" should be {expected}, got {:?} value {got}",
        got.element_type()
    )
}

/// Parses a `topologyVersion` value: `{processId: ObjectId, counter: integer}`. The error names
/// what is wrong with it.
pub fn parse_topology_version(value: &Bson) -> Result<TopologyVersion, String> {
    let Bson::Document(d) = value else {
        return Err(type_error("topologyVersion", "a document", value));
    };
    let process_id = match field(d, "processId") {
        Some(Bson::ObjectId(o)) => *o,
        Some(v) => return Err(type_error("topologyVersion.processId", "an ObjectId", v)),
        None => return Err("reply field \"topologyVersion\" has no processId".to_string()),
    };
    let counter = match field(d, "counter") {
        Some(v) => {
            as_i64(v).ok_or_else(|| type_error("topologyVersion.counter", "an integer", v))?
        }
        None => return Err("reply field \"topologyVersion\" has no counter".to_string()),
    };
    Ok(TopologyVersion {
        process_id,
        counter,
    })
}

/// The [`Error::Command`] a failed (`ok: 0`) reply from `address` stands for. Whether the reply
/// failed is the caller's call (a hello reply and a command reply read `ok` differently); this is
/// the one reading of what it says:
///
/// - `code`: an integer of any numeric type (a double only when it holds an exact integer, as
///   servers write it) that fits an i32; otherwise there is no code;
/// - the message: `errmsg`, else the legacy `$err` (OP_REPLY query failures), a value of another
///   type shown as it is; with neither, a sentence saying so;
/// - `codeName` when it is a string, the string `errorLabels`, and a well-formed
///   `topologyVersion` (SDAM's staleness check; a malformed one is left out).
pub fn command_failure(address: &ServerAddress, reply: &Document) -> Error {
    let code = field(reply, "code")
        .and_then(as_i64)
        .and_then(|c| i32::try_from(c).ok());
    let code_name = match field(reply, "codeName") {
        Some(Bson::String(s)) => Some(s.clone()),
        _ => None,
    };
    let message = match field(reply, "errmsg").or_else(|| field(reply, "$err")) {
        Some(Bson::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None if field(reply, "ok").is_none() => "the reply has no \"ok\" field".to_string(),
        None => "command failed without an errmsg".to_string(),
    };
    let labels = match field(reply, "errorLabels") {
        Some(Bson::Array(items)) => items
            .iter()
            .filter_map(|b| b.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let topology_version =
        field(reply, "topologyVersion").and_then(|v| parse_topology_version(v).ok());
    Error::Command {
        address: address.clone(),
        code,
        code_name,
        message,
        labels,
        topology_version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;
    use bson::oid::ObjectId;

    fn failure(reply: Document) -> Error {
        command_failure(&ServerAddress::new("a", 1), &reply)
    }

    /// (code, codeName, message, labels, topologyVersion) of a command error.
    type Parts = (
        Option<i32>,
        Option<String>,
        String,
        Vec<String>,
        Option<TopologyVersion>,
    );

    fn parts(e: Error) -> Parts {
        match e {
            Error::Command {
                code,
                code_name,
                message,
                labels,
                topology_version,
                ..
            } => (code, code_name, message, labels, topology_version),
            other => panic!("not a command error: {other:?}"),
        }
    }

    #[test]
    fn legacy_dollar_err_is_the_message_when_errmsg_is_missing() {
        let (code, _, message, ..) =
            parts(failure(doc! {"ok": 0, "$err": "not master", "code": 10107}));
        assert_eq!((code, message.as_str()), (Some(10107), "not master"));
        let (_, _, message, ..) = parts(failure(doc! {"ok": 0, "errmsg": "new", "$err": "old"}));
        assert_eq!(message, "new");
        let (_, _, message, ..) = parts(failure(doc! {"$err": "no ok at all"}));
        assert_eq!(message, "no ok at all");
    }

    #[test]
    fn a_code_of_any_numeric_type_is_read_when_it_is_an_exact_i32() {
        for (value, want) in [
            (Bson::Int32(91), Some(91)),
            (Bson::Int64(13435), Some(13435)),
            (Bson::Double(10107.0), Some(10107)),
            (Bson::Double(10107.5), None),
            (Bson::Double(f64::NAN), None),
            (Bson::Int64(1 << 40), None),
            (Bson::String("91".into()), None),
            (Bson::Null, None),
        ] {
            let reply = doc! {"ok": 0, "errmsg": "x", "code": value.clone()};
            assert_eq!(parts(failure(reply)).0, want, "code {value:?}");
        }
    }

    #[test]
    fn a_missing_code_is_none_and_the_message_rule_applies() {
        let e = failure(doc! {"ok": 0, "errmsg": "not master"});
        assert_eq!(e.code(), None);
        assert!(e.is_not_writable_primary() && e.is_state_change(), "{e}");
        assert_eq!(e.to_string(), "a:1: not master");
        let e = failure(doc! {"ok": 0.0});
        assert_eq!(parts(e).2, "command failed without an errmsg");
        assert_eq!(parts(failure(doc! {})).2, "the reply has no \"ok\" field");
    }

    #[test]
    fn code_name_and_error_labels_are_kept_when_they_are_strings() {
        let reply = doc! {"ok": 0, "errmsg": "x", "code": 189, "codeName": "PrimarySteppedDown",
        "errorLabels": ["RetryableWriteError", 5, "TransientTransactionError"]};
        let (code, name, _, labels, _) = parts(failure(reply));
        assert_eq!(code, Some(189));
        assert_eq!(name.as_deref(), Some("PrimarySteppedDown"));
        assert_eq!(labels, ["RetryableWriteError", "TransientTransactionError"]);
        let (_, name, _, labels, _) = parts(failure(
            doc! {"ok": 0, "codeName": 3, "errorLabels": "RetryableError"},
        ));
        assert_eq!((name, labels), (None, Vec::<String>::new()));
    }

    #[test]
    fn topology_version_is_kept_when_well_formed() {
        let pid = ObjectId::new();
        let reply = doc! {"ok": 0, "code": 91, "errmsg": "shutting down",
        "topologyVersion": {"processId": pid, "counter": 4_i64}};
        let tv = parts(failure(reply)).4.expect("a topologyVersion");
        assert_eq!((tv.process_id, tv.counter), (pid, 4));
        for bad in [
            Bson::Int32(1),
            Bson::Document(doc! {"counter": 1}),
            Bson::Document(doc! {"processId": "x", "counter": 1}),
            Bson::Document(doc! {"processId": pid, "counter": 1.5}),
        ] {
            let reply = doc! {"ok": 0, "errmsg": "x", "topologyVersion": bad.clone()};
            assert_eq!(parts(failure(reply)).4, None, "{bad}");
            assert!(parse_topology_version(&bad)
                .unwrap_err()
                .contains("topologyVersion"));
        }
    }
}
