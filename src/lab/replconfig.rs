//! Replica-set configurations for the lab: parsing and validating the documents given to
//! `replSetInitiate` / `replSetReconfig` the way mongod does (codes, messages, defaults), and
//! rendering them back as `replSetGetConfig` shows them. Pure.

use std::collections::BTreeSet;

use bson::{doc, oid::ObjectId, Bson, Document};

use super::cluster::{MemberTags, Millis};
use super::error::{Code, ServerError};
use crate::core::bson_value::{as_f64, flag};

/// [`flag`] of a present value.
fn flag_value(v: &Bson) -> bool {
    flag(Some(v))
}

/// One member of a replica-set config.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberConfig {
    pub id: i32,
    pub host: String,
    /// The lab member this host resolves to (filled in by the cluster).
    pub index: usize,
    pub arbiter_only: bool,
    pub build_indexes: bool,
    pub hidden: bool,
    pub priority: f64,
    pub tags: MemberTags,
    pub secondary_delay_secs: i64,
    pub votes: i32,
    /// Set by the primary on a new voting member (safe reconfig); until it is lifted the member
    /// has effective votes 0 and priority 0. Never shown by `replSetGetConfig`.
    pub newly_added: bool,
}

impl MemberConfig {
    /// Can stand for election.
    pub fn electable(&self) -> bool {
        self.priority > 0.0
            && !self.arbiter_only
            && !self.hidden
            && self.votes > 0
            && !self.newly_added
    }

    /// The priority in effect (0 while newly added).
    pub fn effective_priority(&self) -> f64 {
        if self.newly_added {
            0.0
        } else {
            self.priority
        }
    }

    /// Votes in elections and counts in majorities (mongod's `isVoter`: votes, and not
    /// newly added).
    pub fn voting(&self) -> bool {
        self.votes > 0 && !self.newly_added
    }

    /// Holds data (everything but arbiters).
    pub fn data_bearing(&self) -> bool {
        !self.arbiter_only
    }
}

/// A replica-set configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplConfig {
    pub set_name: String,
    pub version: i64,
    pub term: i64,
    pub members: Vec<MemberConfig>,
    pub election_timeout_ms: Millis,
    pub heartbeat_interval_ms: Millis,
    pub heartbeat_timeout_secs: i64,
    pub chaining_allowed: bool,
    pub catch_up_timeout_ms: i64,
    pub catch_up_takeover_delay_ms: i64,
    pub replica_set_id: ObjectId,
}

impl ReplConfig {
    /// The member config of lab member `index`.
    pub fn member(&self, index: usize) -> Option<&MemberConfig> {
        self.members.iter().find(|m| m.index == index)
    }

    /// Number of voting members.
    pub fn voting_count(&self) -> usize {
        self.members.iter().filter(|m| m.voting()).count()
    }

    /// Votes needed to win an election.
    pub fn majority_vote_count(&self) -> usize {
        self.voting_count() / 2 + 1
    }

    /// Members that must acknowledge a `w: "majority"` write.
    pub fn write_majority_count(&self) -> usize {
        let data_voters = self
            .members
            .iter()
            .filter(|m| m.voting() && m.data_bearing())
            .count();
        self.majority_vote_count().min(data_voters)
    }

    /// Number of data-bearing members.
    pub fn data_bearing_count(&self) -> usize {
        self.members.iter().filter(|m| m.data_bearing()).count()
    }

    /// The config document as `replSetGetConfig` returns it.
    pub fn to_document(&self) -> Document {
        let members: Vec<Bson> = self
            .members
            .iter()
            .map(|m| {
                let mut tags = Document::new();
                for (k, v) in &m.tags {
                    tags.insert(k.clone(), v.clone());
                }
                Bson::Document(doc! {
                    "_id": m.id,
                    "host": m.host.clone(),
                    "arbiterOnly": m.arbiter_only,
                    "buildIndexes": m.build_indexes,
                    "hidden": m.hidden,
                    "priority": m.priority,
                    "tags": tags,
                    "secondaryDelaySecs": m.secondary_delay_secs,
                    "votes": m.votes,
                })
            })
            .collect();
        doc! {
            "_id": self.set_name.clone(),
            "version": self.version as i32,
            "term": self.term as i32,
            "members": members,
            "protocolVersion": 1_i64,
            "writeConcernMajorityJournalDefault": true,
            "settings": {
                "chainingAllowed": self.chaining_allowed,
                "heartbeatIntervalMillis": self.heartbeat_interval_ms as i32,
                "heartbeatTimeoutSecs": self.heartbeat_timeout_secs as i32,
                "electionTimeoutMillis": self.election_timeout_ms as i32,
                "catchUpTimeoutMillis": self.catch_up_timeout_ms as i32,
                "catchUpTakeoverDelayMillis": self.catch_up_takeover_delay_ms as i32,
                "getLastErrorModes": {},
                "getLastErrorDefaults": {"w": 1, "wtimeout": 0},
                "replicaSetId": self.replica_set_id,
            },
        }
    }
}

/// Whether a `host:port` names this machine by a loopback name.
pub fn is_localhost(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.starts_with("127.") || name == "::1"
}

/// Defaults a config inherits when its document does not say.
#[derive(Debug, Clone, Copy)]
pub struct ConfigDefaults {
    pub election_timeout_ms: Millis,
    pub heartbeat_interval_ms: Millis,
}

/// Parses and validates a config document (without resolving hosts to lab members).
pub fn parse_config(
    d: &Document,
    defaults: ConfigDefaults,
    replica_set_id: ObjectId,
) -> Result<ReplConfig, ServerError> {
    let set_name = match d.get("_id") {
        Some(Bson::String(s)) => s.clone(),
        Some(other) => {
            return Err(ServerError::type_mismatch(format!(
                "\"_id\" had the wrong type. Expected string, found {}",
                super::store::type_name(other)
            )))
        }
        None => {
            return Err(ServerError::new(
                Code::NoSuchKey,
                "Missing expected field \"_id\"",
            ))
        }
    };
    let version = match d.get("version") {
        None => 1,
        Some(v) => match as_f64(v) {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => n as i64,
            _ => {
                return Err(ServerError::invalid_config(format!(
                    "version field value of {v} is out of range"
                )))
            }
        },
    };
    if let Some(pv) = d.get("protocolVersion") {
        if as_f64(pv) != Some(1.0) {
            return Err(ServerError::invalid_config(format!(
                "Only protocolVersion 1 is supported (found {pv})"
            )));
        }
    }
    let members_doc = match d.get("members") {
        Some(Bson::Array(a)) => a,
        Some(_) => {
            return Err(ServerError::type_mismatch(
                "\"members\" had the wrong type. Expected array",
            ))
        }
        None => {
            return Err(ServerError::new(
                Code::NoSuchKey,
                "Missing expected field \"members\"",
            ))
        }
    };
    if members_doc.is_empty() || members_doc.len() > 50 {
        return Err(ServerError::invalid_config(format!(
            "Replica set configuration contains {} members, but must have at least 1 and no more than 50",
            members_doc.len()
        )));
    }
    let mut members = Vec::new();
    for (i, m) in members_doc.iter().enumerate() {
        let Bson::Document(m) = m else {
            return Err(ServerError::type_mismatch(format!(
                "Expected type object for members.{i}"
            )));
        };
        members.push(parse_member(i, m)?);
    }
    let mut ids = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        if let Some(j) = members[..i].iter().position(|o| o.id == m.id) {
            let _ = ids.insert(m.id);
            return Err(ServerError::invalid_config(format!(
                "Found two member configurations with same _id field, members.{j}._id == members.{i}._id == {}",
                m.id
            )));
        }
        if let Some(j) = members[..i]
            .iter()
            .position(|o| o.host.eq_ignore_ascii_case(&m.host))
        {
            let _ = hosts.insert(m.host.clone());
            return Err(ServerError::invalid_config(format!(
                "Found two member configurations with same host field, members.{j}.host == members.{i}.host == {}",
                m.host
            )));
        }
    }
    let local = members.iter().filter(|m| is_localhost(&m.host)).count();
    if local != 0 && local != members.len() {
        return Err(ServerError::invalid_config(format!(
            "Either all host names in a replica set configuration must be localhost references, or none must be; found {local} out of {}",
            members.len()
        )));
    }
    let voting = members.iter().filter(|m| m.voting()).count();
    if voting == 0 || voting > 7 {
        return Err(ServerError::invalid_config(format!(
            "Replica set configuration contains {voting} voting members, but must be at least 1 and no more than 7"
        )));
    }
    if !members.iter().any(|m| m.electable()) {
        return Err(ServerError::invalid_config(
            "Replica set configuration must contain at least one non-arbiter member with priority > 0",
        ));
    }
    let mut cfg = ReplConfig {
        set_name,
        version,
        term: 0,
        members,
        election_timeout_ms: defaults.election_timeout_ms,
        heartbeat_interval_ms: defaults.heartbeat_interval_ms,
        heartbeat_timeout_secs: 10,
        chaining_allowed: true,
        catch_up_timeout_ms: -1,
        catch_up_takeover_delay_ms: 30_000,
        replica_set_id,
    };
    if let Some(settings) = d.get("settings") {
        let Bson::Document(s) = settings else {
            return Err(ServerError::type_mismatch(
                "\"settings\" had the wrong type. Expected object",
            ));
        };
        for (k, v) in s {
            let positive = |name: &str| -> Result<u64, ServerError> {
                match as_f64(v) {
                    Some(n) if n > 0.0 => Ok(n as u64),
                    _ => Err(ServerError::bad_value(format!(
                        "{name} must be greater than 0, found {v}"
                    ))),
                }
            };
            match k.as_str() {
                "electionTimeoutMillis" => cfg.election_timeout_ms = positive(k)?,
                "heartbeatIntervalMillis" => cfg.heartbeat_interval_ms = positive(k)?,
                "heartbeatTimeoutSecs" => cfg.heartbeat_timeout_secs = positive(k)? as i64,
                "chainingAllowed" => cfg.chaining_allowed = flag_value(v),
                "catchUpTimeoutMillis" => {
                    cfg.catch_up_timeout_ms = as_f64(v).unwrap_or(-1.0) as i64
                }
                "catchUpTakeoverDelayMillis" => {
                    cfg.catch_up_takeover_delay_ms = as_f64(v).unwrap_or(30_000.0) as i64
                }
                "replicaSetId" => {
                    if let Bson::ObjectId(o) = v {
                        cfg.replica_set_id = *o;
                    }
                }
                "getLastErrorModes" => {
                    if let Bson::Document(modes) = v {
                        if !modes.is_empty() {
                            return Err(ServerError::invalid_config(
                                "the lab does not support settings.getLastErrorModes (custom write concern modes)",
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(cfg)
}

fn parse_member(i: usize, m: &Document) -> Result<MemberConfig, ServerError> {
    let id = match m.get("_id").and_then(as_f64) {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 255.0 => n as i32,
        Some(n) => {
            return Err(ServerError::bad_value(format!(
                "_id field value of {n} is out of range in members.{i}"
            )))
        }
        None => {
            return Err(ServerError::new(
                Code::NoSuchKey,
                format!("Missing expected field \"_id\" in members.{i}"),
            ))
        }
    };
    let host = match m.get("host") {
        Some(Bson::String(h)) if !h.is_empty() => {
            if h.contains(':') {
                h.clone()
            } else {
                format!("{h}:27017")
            }
        }
        _ => {
            return Err(ServerError::new(
                Code::NoSuchKey,
                format!("Missing expected field \"host\" in members.{i}"),
            ))
        }
    };
    if m.contains_key("newlyAdded") {
        return Err(ServerError::invalid_config(format!(
            "Cannot provide newlyAdded field to member config (members.{i})"
        )));
    }
    let arbiter_only = m.get("arbiterOnly").is_some_and(flag_value);
    let hidden = m.get("hidden").is_some_and(flag_value);
    let votes = match m.get("votes") {
        None => 1,
        Some(v) => match as_f64(v) {
            Some(n) if n == 0.0 || n == 1.0 => n as i32,
            _ => {
                return Err(ServerError::bad_value(format!(
                    "votes field value is {v} but must be 0 or 1 in members.{i}"
                )))
            }
        },
    };
    let priority = match m.get("priority") {
        None => {
            if arbiter_only || hidden || votes == 0 {
                0.0
            } else {
                1.0
            }
        }
        Some(v) => match as_f64(v) {
            Some(p) if (0.0..=1000.0).contains(&p) => p,
            _ => {
                return Err(ServerError::bad_value(format!(
                    "priority field value of {v} is out of range in members.{i}"
                )))
            }
        },
    };
    if arbiter_only && priority > 0.0 {
        return Err(ServerError::invalid_config(format!(
            "priority must be 0 when arbiterOnly=true (members.{i})"
        )));
    }
    if arbiter_only && votes != 1 {
        return Err(ServerError::invalid_config(format!(
            "Arbiter must vote (cannot have 0 votes) (members.{i})"
        )));
    }
    if hidden && priority > 0.0 {
        return Err(ServerError::invalid_config(format!(
            "priority must be 0 when hidden=true (members.{i})"
        )));
    }
    if votes == 0 && priority > 0.0 {
        return Err(ServerError::invalid_config(format!(
            "priority must be 0 when non-voting (votes:0) (members.{i})"
        )));
    }
    let mut tags = MemberTags::new();
    if let Some(t) = m.get("tags") {
        let Bson::Document(t) = t else {
            return Err(ServerError::type_mismatch(format!(
                "tags must be an object in members.{i}"
            )));
        };
        for (k, v) in t {
            let Bson::String(s) = v else {
                return Err(ServerError::type_mismatch(format!(
                    "tags.{k} field has non-string value of type {} in members.{i}",
                    super::store::type_name(v)
                )));
            };
            tags.insert(k.clone(), s.clone());
        }
        if arbiter_only && !tags.is_empty() {
            return Err(ServerError::invalid_config(format!(
                "Cannot set tags on arbiters. (members.{i})"
            )));
        }
    }
    let secondary_delay_secs = m
        .get("secondaryDelaySecs")
        .or_else(|| m.get("slaveDelay"))
        .and_then(as_f64)
        .unwrap_or(0.0) as i64;
    if secondary_delay_secs > 0 && priority > 0.0 {
        return Err(ServerError::invalid_config(format!(
            "priority must be 0 when secondaryDelaySecs is used (members.{i})"
        )));
    }
    Ok(MemberConfig {
        id,
        host,
        index: usize::MAX,
        arbiter_only,
        build_indexes: m.get("buildIndexes").is_none_or(flag_value),
        hidden,
        priority,
        tags,
        secondary_delay_secs,
        votes,
        newly_added: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> ConfigDefaults {
        ConfigDefaults {
            election_timeout_ms: 10_000,
            heartbeat_interval_ms: 2_000,
        }
    }

    fn parse(d: Document) -> Result<ReplConfig, ServerError> {
        parse_config(&d, defaults(), ObjectId::from_bytes([1; 12]))
    }

    #[test]
    fn defaults_and_settings() {
        let c = parse(doc! {"_id": "rs", "members": [
            {"_id": 0, "host": "127.0.0.1:1"},
            {"_id": 1, "host": "127.0.0.1:2", "priority": 0, "tags": {"dc": "ny"}},
            {"_id": 2, "host": "127.0.0.1:3", "arbiterOnly": true},
        ], "settings": {"electionTimeoutMillis": 500, "heartbeatIntervalMillis": 100}})
        .unwrap();
        assert_eq!(c.version, 1);
        assert_eq!(c.election_timeout_ms, 500);
        assert_eq!(c.heartbeat_interval_ms, 100);
        assert_eq!(c.members[2].priority, 0.0);
        assert!(c.members[0].electable() && !c.members[1].electable() && !c.members[2].electable());
        assert_eq!(c.members[1].tags.get("dc").map(String::as_str), Some("ny"));
        assert_eq!(c.majority_vote_count(), 2);
        assert_eq!(c.write_majority_count(), 2);
        let d = c.to_document();
        assert_eq!(
            d.get_document("settings")
                .unwrap()
                .get_i32("electionTimeoutMillis")
                .unwrap(),
            500
        );
        assert_eq!(d.get_array("members").unwrap().len(), 3);
    }

    #[test]
    fn invalid_configs_name_the_culprit() {
        let dup_id = parse(doc! {"_id": "rs", "members": [{"_id": 0, "host": "127.0.0.1:1"}, {"_id": 0, "host": "127.0.0.1:2"}]}).unwrap_err();
        assert_eq!(dup_id.number(), 93);
        assert!(dup_id.message.contains("same _id"));
        let dup_host = parse(doc! {"_id": "rs", "members": [{"_id": 0, "host": "127.0.0.1:1"}, {"_id": 1, "host": "127.0.0.1:1"}]}).unwrap_err();
        assert!(dup_host.message.contains("same host field"));
        let mixed = parse(doc! {"_id": "rs", "members": [{"_id": 0, "host": "localhost:1"}, {"_id": 1, "host": "db.example.com:1"}]}).unwrap_err();
        assert_eq!(mixed.number(), 93);
        assert!(mixed.message.contains("found 1 out of 2"));
        let hidden = parse(doc! {"_id": "rs", "members": [{"_id": 0, "host": "127.0.0.1:1", "hidden": true, "priority": 1}]}).unwrap_err();
        assert!(hidden.message.contains("hidden"));
        let none_electable = parse(
            doc! {"_id": "rs", "members": [{"_id": 0, "host": "127.0.0.1:1", "priority": 0}]},
        )
        .unwrap_err();
        assert_eq!(none_electable.number(), 93);
        let bad_votes =
            parse(doc! {"_id": "rs", "members": [{"_id": 0, "host": "127.0.0.1:1", "votes": 2}]})
                .unwrap_err();
        assert_eq!(bad_votes.number(), 2);
        assert_eq!(parse(doc! {"members": []}).unwrap_err().number(), 4);
        assert_eq!(
            parse(doc! {"_id": "rs", "members": []})
                .unwrap_err()
                .number(),
            93
        );
    }

    #[test]
    fn localhost_detection() {
        assert!(is_localhost("127.0.0.1:27017"));
        assert!(is_localhost("localhost:1"));
        assert!(is_localhost("[::1]:5"));
        assert!(!is_localhost("db1.example.com:27017"));
    }
}
