//! Parsing a hello (or legacy hello) outcome into a [`ServerDescription`], the SDAM spec's
//! "Parsing a hello or legacy hello response", and the spec's Server Description Equality.
//!
//! Replies are untrusted input: a field of the wrong type never panics. Structural fields
//! (addresses, set name and version, electionId, topologyVersion, wire versions, tags, lastWrite)
//! of the wrong type make the description Unknown with an [`Error::Protocol`] naming the field;
//! flags (`isWritablePrimary`, `secondary`, `hidden`...) are read by truthiness, as servers and
//! other drivers do.

use std::cmp::Ordering;

use bson::oid::ObjectId;
use bson::{Bson, Document};

use crate::core::address::ServerAddress;
use crate::core::bson_value::{as_i64, field, flag};
use crate::core::description::{OpTime, ServerDescription, ServerType, Tags, TopologyVersion};
use crate::core::error::Error;
use crate::core::reply::{command_failure, parse_topology_version};

fn type_error(key: &str, expected: &str, got: &Bson) -> String {
    format!(
        "hello reply field \"{key}\" should be {expected}, got {:?} value {got}",
        got.element_type()
    )
}

fn get_i64(doc: &Document, key: &str) -> Result<Option<i64>, String> {
    match field(doc, key) {
        None => Ok(None),
        Some(v) => as_i64(v)
            .map(Some)
            .ok_or_else(|| type_error(key, "an integer", v)),
    }
}

fn get_i32(doc: &Document, key: &str) -> Result<Option<i32>, String> {
    match get_i64(doc, key)? {
        None => Ok(None),
        Some(n) => i32::try_from(n)
            .map(Some)
            .map_err(|_| format!("hello reply field \"{key}\" is out of range: {n}")),
    }
}

fn get_str<'a>(doc: &'a Document, key: &str) -> Result<Option<&'a str>, String> {
    match field(doc, key) {
        None => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s)),
        Some(v) => Err(type_error(key, "a string", v)),
    }
}

fn get_oid(doc: &Document, key: &str) -> Result<Option<ObjectId>, String> {
    match field(doc, key) {
        None => Ok(None),
        Some(Bson::ObjectId(o)) => Ok(Some(*o)),
        Some(v) => Err(type_error(key, "an ObjectId", v)),
    }
}

fn parse_address(key: &str, s: &str) -> Result<ServerAddress, String> {
    ServerAddress::parse(s)
        .map_err(|e| format!("hello reply field \"{key}\" has an invalid address: {e}"))
}

fn get_address(doc: &Document, key: &str) -> Result<Option<ServerAddress>, String> {
    match get_str(doc, key)? {
        None => Ok(None),
        Some(s) => parse_address(key, s).map(Some),
    }
}

/// An array of addresses (lower-cased by `ServerAddress::parse`), duplicates dropped.
fn get_addresses(doc: &Document, key: &str) -> Result<Vec<ServerAddress>, String> {
    match field(doc, key) {
        None => Ok(Vec::new()),
        Some(Bson::Array(items)) => {
            let mut out: Vec<ServerAddress> = Vec::with_capacity(items.len());
            for item in items {
                let Bson::String(s) = item else {
                    return Err(type_error(key, "an array of strings", item));
                };
                out.push(parse_address(key, s)?);
            }
            // Drop duplicates (keeping the first), without a quadratic scan in the common case.
            let mut sorted: Vec<&ServerAddress> = out.iter().collect();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                let mut seen = std::collections::BTreeSet::new();
                out.retain(|a| seen.insert(a.clone()));
            }
            Ok(out)
        }
        Some(v) => Err(type_error(key, "an array", v)),
    }
}

fn get_tags(doc: &Document) -> Result<Tags, String> {
    match field(doc, "tags") {
        None => Ok(Tags::new()),
        Some(Bson::Document(d)) => {
            let mut tags = Tags::new();
            for (k, v) in d {
                match v {
                    Bson::String(s) => {
                        tags.insert(k.clone(), s.clone());
                    }
                    other => return Err(type_error(&format!("tags.{k}"), "a string", other)),
                }
            }
            Ok(tags)
        }
        Some(v) => Err(type_error("tags", "a document", v)),
    }
}

/// The spec's topologyVersion comparison of a `current` and a `new` one: `Less` (the new one is
/// more recent) when either is missing or the processIds differ, otherwise the counters' order.
pub fn compare_topology_versions(
    current: Option<&TopologyVersion>,
    new: Option<&TopologyVersion>,
) -> Ordering {
    match (current, new) {
        (Some(c), Some(n)) if c.process_id == n.process_id => c.counter.cmp(&n.counter),
        _ => Ordering::Less,
    }
}

fn parse_last_write(doc: &Document) -> Result<(Option<i64>, Option<OpTime>), String> {
    let Some(lw) = field(doc, "lastWrite") else {
        return Ok((None, None));
    };
    let Bson::Document(lw) = lw else {
        return Err(type_error("lastWrite", "a document", lw));
    };
    let date = match field(lw, "lastWriteDate") {
        None => None,
        Some(Bson::DateTime(d)) => Some(d.timestamp_millis()),
        Some(v) => {
            Some(as_i64(v).ok_or_else(|| type_error("lastWrite.lastWriteDate", "a date", v))?)
        }
    };
    let op_time = match field(lw, "opTime") {
        None => None,
        Some(Bson::Timestamp(ts)) => Some(OpTime { ts: *ts, t: -1 }),
        Some(Bson::Document(ot)) => match field(ot, "ts") {
            Some(Bson::Timestamp(ts)) => Some(OpTime {
                ts: *ts,
                t: get_i64(ot, "t")?.unwrap_or(-1),
            }),
            None => None,
            Some(v) => return Err(type_error("lastWrite.opTime.ts", "a timestamp", v)),
        },
        Some(v) => return Err(type_error("lastWrite.opTime", "a document", v)),
    };
    Ok((date, op_time))
}

/// The [`Error::Command`] a failed hello reply stands for (read by
/// [`crate::core::reply::command_failure`]); `None` when the reply's `ok` is true.
pub fn command_error(address: &ServerAddress, reply: &Document) -> Option<Error> {
    if flag(field(reply, "ok")) {
        return None;
    }
    Some(command_failure(address, reply))
}

/// The spec's ServerType from a successful (`ok: 1`) reply.
fn server_type(reply: &Document, set_name: Option<&str>) -> ServerType {
    if field(reply, "serviceId").is_some() {
        return ServerType::LoadBalancer;
    }
    if flag(field(reply, "isreplicaset")) {
        return ServerType::RSGhost;
    }
    if set_name.is_some() {
        let writable = match field(reply, "isWritablePrimary") {
            Some(v) => flag(Some(v)),
            None => flag(field(reply, "ismaster")),
        };
        return if flag(field(reply, "hidden")) {
            ServerType::RSOther
        } else if writable {
            ServerType::RSPrimary
        } else if flag(field(reply, "secondary")) {
            ServerType::RSSecondary
        } else if flag(field(reply, "arbiterOnly")) {
            ServerType::RSArbiter
        } else {
            ServerType::RSOther
        };
    }
    if matches!(field(reply, "msg"), Some(Bson::String(m)) if m == "isdbgrid") {
        return ServerType::Mongos;
    }
    ServerType::Standalone
}

impl ServerDescription {
    /// The description a successful check produces: every field the spec names, parsed from the
    /// hello (or legacy hello) `reply`. `rtt_ms` is the round-trip time the caller measured (or
    /// averaged with `core::rtt`); `now_ms` becomes `last_update_time_ms`.
    ///
    /// An `ok: 0` reply, a reply without `ok`, or a reply whose fields have the wrong types gives
    /// an Unknown description carrying the error (and, for `ok: 0`, its topologyVersion).
    pub fn from_hello(
        address: ServerAddress,
        reply: &Document,
        rtt_ms: Option<f64>,
        now_ms: i64,
    ) -> Self {
        if let Some(err) = command_error(&address, reply) {
            let topology_version = match &err {
                Error::Command {
                    topology_version, ..
                } => topology_version.clone(),
                _ => None,
            };
            let mut sd = ServerDescription::from_error(address, err, now_ms);
            sd.topology_version = topology_version;
            return sd;
        }
        match parse_ok_reply(&address, reply, rtt_ms, now_ms) {
            Ok(sd) => sd,
            Err(message) => {
                let err = Error::Protocol {
                    address: address.clone(),
                    message,
                };
                ServerDescription::from_error(address, err, now_ms)
            }
        }
    }

    /// The description a failed check produces: Unknown, with the error, no RTT.
    pub fn from_error(address: ServerAddress, error: Error, now_ms: i64) -> Self {
        let mut sd = ServerDescription::new_unknown(address);
        sd.error = Some(error);
        sd.last_update_time_ms = now_ms;
        sd
    }

    /// The description of a load balancer (`loadBalanced=true`): only the address and the type
    /// are set, as the load-balancer spec requires.
    pub fn load_balancer(address: ServerAddress, now_ms: i64) -> Self {
        let mut sd = ServerDescription::new_unknown(address);
        sd.server_type = ServerType::LoadBalancer;
        sd.last_update_time_ms = now_ms;
        sd
    }

    /// The spec's Server Description Equality: whether the fields marked (=) are equal (error,
    /// type, wire versions, me, hosts/passives/arbiters as sets, tags, setName, electionId,
    /// setVersion, primary, logicalSessionTimeoutMinutes, topologyVersion, iscryptd), plus the
    /// address. RTT, lastUpdateTime and lastWrite do not count: equal descriptions publish no
    /// event.
    pub fn equivalent(&self, other: &Self) -> bool {
        self.address == other.address
            && self.server_type == other.server_type
            && self.min_wire_version == other.min_wire_version
            && self.max_wire_version == other.max_wire_version
            && self.me == other.me
            && self.set_name == other.set_name
            && self.set_version == other.set_version
            && self.election_id == other.election_id
            && self.primary == other.primary
            && self.logical_session_timeout_minutes == other.logical_session_timeout_minutes
            && self.topology_version == other.topology_version
            && self.iscryptd == other.iscryptd
            && self.tags == other.tags
            && same_set(&self.hosts, &other.hosts)
            && same_set(&self.passives, &other.passives)
            && same_set(&self.arbiters, &other.arbiters)
            && self.error == other.error
    }
}

/// Whether two address lists hold the same set of addresses.
fn same_set(a: &[ServerAddress], b: &[ServerAddress]) -> bool {
    if a == b {
        return true;
    }
    let mut a: Vec<&ServerAddress> = a.iter().collect();
    let mut b: Vec<&ServerAddress> = b.iter().collect();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

fn parse_ok_reply(
    address: &ServerAddress,
    reply: &Document,
    rtt_ms: Option<f64>,
    now_ms: i64,
) -> Result<ServerDescription, String> {
    let set_name = get_str(reply, "setName")?.map(str::to_string);
    let server_type = server_type(reply, set_name.as_deref());
    let (last_write_date_ms, op_time) = parse_last_write(reply)?;
    let topology_version = match field(reply, "topologyVersion") {
        None => None,
        Some(v) => Some(parse_topology_version(v)?),
    };
    Ok(ServerDescription {
        address: address.clone(),
        server_type,
        error: None,
        round_trip_time_ms: rtt_ms.filter(|r| r.is_finite() && *r >= 0.0),
        min_round_trip_time_ms: None,
        last_update_time_ms: now_ms,
        last_write_date_ms,
        op_time,
        min_wire_version: get_i32(reply, "minWireVersion")?.unwrap_or(0),
        max_wire_version: get_i32(reply, "maxWireVersion")?.unwrap_or(0),
        me: get_address(reply, "me")?,
        hosts: get_addresses(reply, "hosts")?.into(),
        passives: get_addresses(reply, "passives")?.into(),
        arbiters: get_addresses(reply, "arbiters")?.into(),
        tags: get_tags(reply)?,
        set_name,
        set_version: get_i64(reply, "setVersion")?,
        election_id: get_oid(reply, "electionId")?,
        primary: get_address(reply, "primary")?,
        logical_session_timeout_minutes: get_i64(reply, "logicalSessionTimeoutMinutes")?,
        topology_version,
        hidden: flag(field(reply, "hidden")),
        hello_ok: flag(field(reply, "helloOk")),
        reply: Some(std::sync::Arc::new(reply.clone())),
        service_id: get_oid(reply, "serviceId")?,
        iscryptd: flag(field(reply, "iscryptd")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn addr(s: &str) -> ServerAddress {
        ServerAddress::parse(s).unwrap()
    }

    #[test]
    fn types_from_replies() {
        let a = addr("a:1");
        let cases = [
            (
                doc! {"ok": 1, "isWritablePrimary": true},
                ServerType::Standalone,
            ),
            (doc! {"ok": 1, "msg": "isdbgrid"}, ServerType::Mongos),
            (doc! {"ok": 1, "isreplicaset": true}, ServerType::RSGhost),
            (
                doc! {"ok": 1, "setName": "rs", "isWritablePrimary": true},
                ServerType::RSPrimary,
            ),
            (
                doc! {"ok": 1.0, "setName": "rs", "ismaster": true},
                ServerType::RSPrimary,
            ),
            // isWritablePrimary wins over the legacy field when both are present.
            (
                doc! {"ok": 1, "setName": "rs", "isWritablePrimary": false, "ismaster": true},
                ServerType::RSOther,
            ),
            (
                doc! {"ok": 1, "setName": "rs", "secondary": true},
                ServerType::RSSecondary,
            ),
            (
                doc! {"ok": 1, "setName": "rs", "arbiterOnly": true},
                ServerType::RSArbiter,
            ),
            (
                doc! {"ok": 1, "setName": "rs", "secondary": true, "hidden": true},
                ServerType::RSOther,
            ),
            (doc! {"ok": 1, "setName": "rs"}, ServerType::RSOther),
            (
                doc! {"ok": 1, "serviceId": ObjectId::new()},
                ServerType::LoadBalancer,
            ),
            (doc! {"ok": 0, "errmsg": "boom"}, ServerType::Unknown),
            (doc! {"isWritablePrimary": true}, ServerType::Unknown),
        ];
        for (reply, expected) in cases {
            let sd = ServerDescription::from_hello(a.clone(), &reply, Some(1.0), 5);
            assert_eq!(sd.server_type, expected, "{reply}");
            assert_eq!(sd.last_update_time_ms, 5);
        }
    }

    #[test]
    fn parses_every_field() {
        let oid = ObjectId::parse_str("000000000000000000000007").unwrap();
        let pid = ObjectId::parse_str("0000000000000000000000aa").unwrap();
        let reply = doc! {
            "ok": 1, "helloOk": true, "isWritablePrimary": true, "setName": "rs", "setVersion": 3i64,
            "electionId": oid, "me": "A:27017", "primary": "a:27017",
            "hosts": ["A:27017", "b:27017", "a:27017"], "passives": ["p:1"], "arbiters": ["x:2"],
            "tags": {"dc": "ny"}, "minWireVersion": 0, "maxWireVersion": 21,
            "logicalSessionTimeoutMinutes": 30,
            "topologyVersion": {"processId": pid, "counter": 4i64},
            "lastWrite": {"lastWriteDate": bson::DateTime::from_millis(1000),
                          "opTime": {"ts": bson::Timestamp{time: 9, increment: 1}, "t": 2i64}},
        };
        let sd = ServerDescription::from_hello(addr("a:27017"), &reply, Some(2.5), 77);
        assert_eq!(sd.server_type, ServerType::RSPrimary);
        assert_eq!(sd.hosts, vec![addr("a:27017"), addr("b:27017")]);
        assert_eq!(sd.passives, vec![addr("p:1")]);
        assert_eq!(sd.arbiters, vec![addr("x:2")]);
        assert_eq!(sd.me, Some(addr("a:27017")));
        assert_eq!(sd.set_version, Some(3));
        assert_eq!(sd.election_id, Some(oid));
        assert_eq!(sd.tags.get("dc").map(String::as_str), Some("ny"));
        assert_eq!(sd.max_wire_version, 21);
        assert_eq!(sd.logical_session_timeout_minutes, Some(30));
        assert_eq!(sd.topology_version.as_ref().unwrap().counter, 4);
        assert_eq!(sd.last_write_date_ms, Some(1000));
        assert_eq!(sd.op_time.unwrap().t, 2);
        assert_eq!(sd.round_trip_time_ms, Some(2.5));
        assert!(sd.hello_ok);
    }

    #[test]
    fn wrong_types_give_unknown_with_a_named_field() {
        for (reply, culprit) in [
            (doc! {"ok": 1, "setName": 5}, "setName"),
            (doc! {"ok": 1, "setName": "rs", "hosts": "a:1"}, "hosts"),
            (
                doc! {"ok": 1, "setName": "rs", "hosts": ["a:99999"]},
                "hosts",
            ),
            (doc! {"ok": 1, "maxWireVersion": "x"}, "maxWireVersion"),
            (
                doc! {"ok": 1, "maxWireVersion": 1i64 << 40},
                "maxWireVersion",
            ),
            (doc! {"ok": 1, "electionId": 3}, "electionId"),
            (
                doc! {"ok": 1, "topologyVersion": {"counter": 1}},
                "topologyVersion",
            ),
            (doc! {"ok": 1, "tags": {"dc": 1}}, "tags.dc"),
        ] {
            let sd = ServerDescription::from_hello(addr("a:1"), &reply, None, 0);
            assert_eq!(sd.server_type, ServerType::Unknown, "{reply}");
            let msg = sd.error.expect("an error").to_string();
            assert!(msg.contains(culprit), "{msg} should name {culprit}");
        }
    }

    #[test]
    fn ok_zero_keeps_code_and_topology_version() {
        let pid = ObjectId::new();
        let reply = doc! {"ok": 0, "code": 91, "errmsg": "shutting down",
        "topologyVersion": {"processId": pid, "counter": 2}};
        let sd = ServerDescription::from_hello(addr("a:1"), &reply, Some(3.0), 0);
        assert_eq!(sd.server_type, ServerType::Unknown);
        assert_eq!(sd.round_trip_time_ms, None);
        assert_eq!(sd.error.as_ref().and_then(Error::code), Some(91));
        assert_eq!(sd.topology_version.unwrap().counter, 2);
    }

    #[test]
    fn equivalence_ignores_rtt_and_host_order() {
        let a = addr("a:1");
        let r1 = doc! {"ok": 1, "setName": "rs", "secondary": true, "hosts": ["a:1", "b:1"]};
        let r2 = doc! {"ok": 1, "setName": "rs", "secondary": true, "hosts": ["b:1", "a:1"]};
        let s1 = ServerDescription::from_hello(a.clone(), &r1, Some(1.0), 1);
        let s2 = ServerDescription::from_hello(a.clone(), &r2, Some(9.0), 2);
        assert!(s1.equivalent(&s2));
        let r3 = doc! {"ok": 1, "setName": "rs", "secondary": true, "hosts": ["a:1"]};
        let s3 = ServerDescription::from_hello(a, &r3, Some(1.0), 1);
        assert!(!s1.equivalent(&s3));
    }

    #[test]
    fn topology_version_order() {
        let p = ObjectId::new();
        let q = ObjectId::new();
        let tv = |pid, counter| TopologyVersion {
            process_id: pid,
            counter,
        };
        assert_eq!(
            compare_topology_versions(None, Some(&tv(p, 1))),
            Ordering::Less
        );
        assert_eq!(
            compare_topology_versions(Some(&tv(p, 1)), None),
            Ordering::Less
        );
        assert_eq!(
            compare_topology_versions(Some(&tv(p, 2)), Some(&tv(q, 1))),
            Ordering::Less
        );
        assert_eq!(
            compare_topology_versions(Some(&tv(p, 2)), Some(&tv(p, 1))),
            Ordering::Greater
        );
        assert_eq!(
            compare_topology_versions(Some(&tv(p, 2)), Some(&tv(p, 2))),
            Ordering::Equal
        );
    }

    #[test]
    fn copies_of_a_description_share_its_member_lists_and_reply() {
        // A topology copy must stay linear in the set's size: the lists are shared, not copied.
        let hosts: Vec<String> = (0..50).map(|i| format!("h{i}:27017")).collect();
        let reply = doc! {"ok": 1, "setName": "rs", "secondary": true,
        "hosts": &hosts[..7], "passives": &hosts[7..]};
        let sd = ServerDescription::from_hello(addr("h1:27017"), &reply, Some(1.0), 5);
        assert_eq!((sd.hosts.len(), sd.passives.len()), (7, 43));
        let copy = sd.clone();
        assert!(std::ptr::eq(sd.hosts.as_ptr(), copy.hosts.as_ptr()));
        assert!(std::ptr::eq(sd.passives.as_ptr(), copy.passives.as_ptr()));
        assert!(std::sync::Arc::ptr_eq(
            sd.reply.as_ref().unwrap(),
            copy.reply.as_ref().unwrap()
        ));
        assert!(sd.equivalent(&copy));
        assert_eq!(
            copy.hosts,
            hosts[..7].iter().map(|h| addr(h)).collect::<Vec<_>>()
        );
    }
}
