//! What the maintenance commands (`stepdown`, `freeze`, `member`, `reconfig`) share: finding the
//! primary, reading `replSetGetStatus` and `replSetGetConfig` from it, and the server's errors
//! for these commands explained in plain words with their codes.

use bson::{doc, Bson, Document};

use crate::client::Client;
use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription};
use crate::core::reconfig::Config;

/// One member as the primary's `replSetGetStatus` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusMember {
    /// `_id`.
    pub id: i64,
    /// `name` (host:port).
    pub name: String,
    /// `stateStr` (`PRIMARY`, `SECONDARY`, `STARTUP2`, `(not reachable/healthy)`...).
    pub state: String,
    /// `health` is 1.
    pub healthy: bool,
    /// `optimeDate` in ms since the epoch (None when unknown or null).
    pub optime_date_ms: Option<i64>,
    /// `optime.ts` as (seconds, increment).
    pub optime: Option<(u32, u32)>,
    /// `configVersion` (-1 / None when unknown).
    pub config_version: Option<i64>,
    /// `configTerm`.
    pub config_term: Option<i64>,
    /// The entry of the member that answered.
    pub is_self: bool,
}

fn num(v: Option<&Bson>) -> Option<i64> {
    match v? {
        Bson::Int32(i) => Some(*i as i64),
        Bson::Int64(i) => Some(*i),
        Bson::Double(d) => Some(*d as i64),
        _ => None,
    }
}

/// The members of a `replSetGetStatus` reply.
pub fn parse_status(reply: &Document) -> Vec<StatusMember> {
    let Ok(members) = reply.get_array("members") else {
        return Vec::new();
    };
    members
        .iter()
        .filter_map(Bson::as_document)
        .map(|m| {
            let optime = m
                .get_document("optime")
                .ok()
                .and_then(|o| match o.get("ts") {
                    Some(Bson::Timestamp(t)) => Some((t.time, t.increment)),
                    _ => None,
                });
            let optime_date_ms = match m.get("optimeDate") {
                Some(Bson::DateTime(d)) if d.timestamp_millis() > 0 => Some(d.timestamp_millis()),
                _ => None,
            };
            StatusMember {
                id: num(m.get("_id")).unwrap_or(-1),
                name: m.get_str("name").unwrap_or("").to_string(),
                state: m.get_str("stateStr").unwrap_or("").to_string(),
                healthy: num(m.get("health")).unwrap_or(0) == 1,
                optime_date_ms,
                optime: optime.filter(|t| *t != (0, 0)),
                config_version: num(m.get("configVersion")).filter(|v| *v >= 0),
                config_term: num(m.get("configTerm")),
                is_self: m.get_bool("self").unwrap_or(false),
            }
        })
        .collect()
}

/// The primary the monitors see, if any.
pub fn primary_of(topo: &TopologyDescription) -> Option<ServerAddress> {
    topo.servers
        .values()
        .find(|s| s.server_type == ServerType::RSPrimary)
        .map(|s| s.address.clone())
}

/// The primary, or exit 1 saying there is none (with what each member is).
pub fn require_primary(topo: &TopologyDescription, what: &str) -> anyhow::Result<ServerAddress> {
    if topo.topology_type == crate::core::description::TopologyType::Sharded {
        return Err(super::exit::usage(format!(
            "{what}: the seeds are mongos routers; point --uri at the members of a replica set"
        )));
    }
    primary_of(topo).ok_or_else(|| {
        let members: Vec<String> = topo
            .servers
            .values()
            .map(|s| format!("  - {}: {}", s.address, s.server_type))
            .collect();
        anyhow::anyhow!(
            "{what}: the set has no primary now:\n{}\n(with no primary, a config can only be \
             changed with --force on a secondary)",
            members.join("\n")
        )
    })
}

/// `replSetGetStatus` on `at`.
pub async fn status(client: &Client, at: &ServerAddress) -> anyhow::Result<Vec<StatusMember>> {
    let reply = client
        .run_command_on(at, "admin", doc! { "replSetGetStatus": 1 })
        .await
        .map_err(|e| explain("replSetGetStatus", e))?;
    Ok(parse_status(&reply))
}

/// `replSetGetConfig` on `at`, parsed.
pub async fn config(client: &Client, at: &ServerAddress) -> anyhow::Result<Config> {
    let reply = client
        .run_command_on(at, "admin", doc! { "replSetGetConfig": 1 })
        .await
        .map_err(|e| explain("replSetGetConfig", e))?;
    let doc = reply
        .get_document("config")
        .map_err(|_| anyhow::anyhow!("{at}: replSetGetConfig returned no config"))?;
    Config::parse(doc).map_err(|e| anyhow::anyhow!("{at}: the current config: {e}"))
}

/// What a server error code means for these commands, in plain words.
pub fn code_meaning(code: i32) -> Option<&'static str> {
    Some(match code {
        2 => "a value in the command was refused",
        74 => {
            "a member of the new config could not be reached, or the node running the \
               command is not in it"
        }
        93 => "the config is invalid",
        95 => "the member is not a secondary (a primary cannot be frozen)",
        103 => {
            "the new config is not compatible with the current one (at most one voting \
                member may change per reconfig, version and set name rules)"
        }
        104 => "the node would not be electable in the new config",
        109 => {
            "another reconfig (or an initial config) is still being installed; try again \
                in a moment"
        }
        117 => "another stepdown is already in progress",
        125 => "the election failed",
        189 => "the primary stepped down while the command ran",
        262 => "no electable secondary caught up with the primary in time",
        308 => {
            "the current config is not committed yet: a majority of the voting members \
                has not installed it (are members down or lagging?)"
        }
        10107 => "the member is not (or no longer) the primary",
        11602 => "the operation was interrupted by a change of primary",
        _ => return None,
    })
}

/// A command's error, explained: `COMMAND on HOST failed: plain words (code N Name): server text`.
pub fn explain(command: &str, e: crate::core::error::Error) -> anyhow::Error {
    if let crate::core::error::Error::Command {
        address,
        code,
        code_name,
        message,
        ..
    } = &e
    {
        let codes = crate::core::error::code_suffix(*code, code_name.as_deref());
        let words = code
            .and_then(code_meaning)
            .unwrap_or("the server refused it");
        return anyhow::anyhow!("{command} on {address} failed: {words}{codes}: {message}");
    }
    anyhow::Error::new(e).context(format!("{command} failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_members_parse() {
        let reply = doc! {"members": [
            {"_id": 0, "name": "a:1", "stateStr": "PRIMARY", "health": 1.0, "self": true,
             "optime": {"ts": bson::Timestamp{time: 5, increment: 1}, "t": 2_i64},
             "optimeDate": bson::DateTime::from_millis(5000), "configVersion": 3, "configTerm": 2},
            {"_id": 1, "name": "b:1", "stateStr": "(not reachable/healthy)", "health": 0.0,
             "optime": {"ts": bson::Timestamp{time: 0, increment: 0}, "t": -1_i64},
             "optimeDate": bson::DateTime::from_millis(0), "configVersion": -1},
        ]};
        let m = parse_status(&reply);
        assert_eq!(m.len(), 2);
        assert!(m[0].is_self && m[0].healthy);
        assert_eq!(m[0].optime, Some((5, 1)));
        assert_eq!(m[0].optime_date_ms, Some(5000));
        assert_eq!((m[0].config_version, m[0].config_term), (Some(3), Some(2)));
        assert!(!m[1].healthy);
        assert_eq!(
            (m[1].optime, m[1].optime_date_ms, m[1].config_version),
            (None, None, None)
        );
    }

    #[test]
    fn errors_are_explained_with_their_codes() {
        let e = crate::core::error::Error::Command {
            address: ServerAddress::new("a", 1),
            code: Some(109),
            code_name: Some("ConfigurationInProgress".into()),
            message: "Cannot run replSetReconfig because the node is currently updating its configuration".into(),
            labels: vec![],
            topology_version: None,
        };
        let t = explain("replSetReconfig", e).to_string();
        for needle in [
            "replSetReconfig on a:1",
            "still being installed",
            "code 109 ConfigurationInProgress",
            "currently updating",
        ] {
            assert!(t.contains(needle), "{needle}: {t}");
        }
        for code in [74, 103, 262, 308, 10107] {
            assert!(code_meaning(code).is_some());
        }
    }
}
