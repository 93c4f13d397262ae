//! Parsing a hello (or legacy hello) outcome into a [`ServerDescription`], the SDAM spec's
//! "Parsing a hello or legacy hello response", and the spec's Server Description Equality.
//!
//! Replies are untrusted input: a field of the wrong type never panics. Structural fields
//! (addresses, set name and version, electionId, topologyVersion, wire versions, tags, lastWrite)
//! of the wrong type make the description Unknown with an [`Error::Protocol`] naming the field;
//! flags (`isWritablePrimary`, `secondary`, `hidden`...) are read by truthiness, as servers and
//! other drivers do.

use std::cmp::Ordering;
use std::sync::Arc;

use bson::oid::ObjectId;
use bson::{Bson, Document, RawArray, RawBsonRef, RawDocument, RawDocumentBuf};

use crate::core::address::ServerAddress;
use crate::core::bson_value::{as_i64, field, flag};
use crate::core::description::{
    AddressList, OpTime, ServerDescription, ServerType, Tags, TopologyVersion,
};
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

/// The fields of a hello reply that name members: `hosts`, `passives`, `arbiters`.
const LIST_KEYS: [&str; 3] = ["hosts", "passives", "arbiters"];

/// The other top-level fields a description is read from. A successful reply's other fields
/// (`$clusterTime`, `localTime`, `connectionId`, size limits...) are never decoded.
const READ_KEYS: [&str; 22] = [
    "ok",
    "setName",
    "serviceId",
    "isreplicaset",
    "isWritablePrimary",
    "ismaster",
    "hidden",
    "secondary",
    "arbiterOnly",
    "msg",
    "lastWrite",
    "topologyVersion",
    "minWireVersion",
    "maxWireVersion",
    "me",
    "tags",
    "setVersion",
    "electionId",
    "primary",
    "logicalSessionTimeoutMinutes",
    "helloOk",
    "iscryptd",
];

/// The member lists a monitor parsed from its server's last reply, each with the raw bytes it
/// was parsed from. Every hello reply of an N-member set lists all N members; between
/// reconfigurations the lists do not change, so a reply whose list bytes are the same shares
/// the parsed list (an [`AddressList`] is shared, not copied) instead of decoding and parsing
/// N addresses again on every heartbeat.
#[derive(Debug, Default, Clone)]
pub struct ListCache {
    lists: [Option<(Vec<u8>, AddressList)>; 3],
}

/// An array of addresses (lower-cased by `ServerAddress::parse`), duplicates dropped; `cached`
/// is returned as it is when `raw` holds the bytes it was parsed from.
fn raw_addresses(
    key: &str,
    raw: &RawArray,
    cached: &mut Option<(Vec<u8>, AddressList)>,
) -> Result<AddressList, String> {
    if let Some((bytes, list)) = cached {
        if bytes.as_slice() == raw.as_bytes() {
            return Ok(list.clone());
        }
    }
    let mut out: Vec<ServerAddress> = Vec::new();
    for item in raw {
        let item = item.map_err(|e| format!("hello reply field \"{key}\" is invalid BSON: {e}"))?;
        let RawBsonRef::String(s) = item else {
            return Err(type_error(key, "an array of strings", &to_bson(item)));
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
    let list = AddressList::from(out);
    *cached = Some((raw.as_bytes().to_vec(), list.clone()));
    Ok(list)
}

/// A raw value as a `Bson` (for an error message); a value that does not convert shows as null.
fn to_bson(value: RawBsonRef<'_>) -> Bson {
    Bson::try_from(value).unwrap_or(Bson::Null)
}

/// The fields of `reply` a description is read from: the [`READ_KEYS`] decoded into a
/// `Document`, and the member lists ([`LIST_KEYS`]), raw (absent, null or undefined: `None`).
#[allow(clippy::type_complexity)]
fn read_raw(reply: &RawDocument) -> Result<(Document, [Option<RawBsonRef<'_>>; 3]), String> {
    let mut doc = Document::new();
    let mut lists = [None; 3];
    for element in reply {
        let (key, value) = element.map_err(|e| format!("hello reply is invalid BSON: {e}"))?;
        if let Some(i) = LIST_KEYS.iter().position(|k| *k == key) {
            lists[i] =
                Some(value).filter(|v| !matches!(v, RawBsonRef::Null | RawBsonRef::Undefined));
        } else if READ_KEYS.contains(&key) {
            let value = Bson::try_from(value)
                .map_err(|e| format!("hello reply field \"{key}\" is invalid BSON: {e}"))?;
            doc.insert(key, value);
        }
    }
    Ok((doc, lists))
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
        match RawDocumentBuf::from_document(reply) {
            Ok(raw) => Self::from_raw_hello(
                address,
                Arc::new(raw),
                &mut ListCache::default(),
                rtt_ms,
                now_ms,
            ),
            Err(e) => {
                let err = Error::Protocol {
                    address: address.clone(),
                    message: format!("hello reply does not encode as BSON: {e}"),
                };
                ServerDescription::from_error(address, err, now_ms)
            }
        }
    }

    /// [`ServerDescription::from_hello`] for a reply as it came off the wire (a monitor's every
    /// check): only the fields a description needs are decoded, the member lists are taken from
    /// `cache` when their bytes did not change (and `cache` learns the new ones), and the
    /// description keeps `reply` without a copy.
    pub fn from_raw_hello(
        address: ServerAddress,
        reply: Arc<RawDocumentBuf>,
        cache: &mut ListCache,
        rtt_ms: Option<f64>,
        now_ms: i64,
    ) -> Self {
        let parsed = read_raw(&reply).and_then(|(doc, lists)| {
            if !flag(field(&doc, "ok")) {
                // A failed reply: its error fields are read from the whole reply.
                let full = Document::try_from(reply.as_ref() as &RawDocument)
                    .map_err(|e| format!("hello reply is invalid BSON: {e}"))?;
                return Ok(Err(full));
            }
            let mut out: [AddressList; 3] = Default::default();
            for (i, raw) in lists.into_iter().enumerate() {
                let key = LIST_KEYS[i];
                out[i] = match raw {
                    None => AddressList::default(),
                    Some(RawBsonRef::Array(a)) => raw_addresses(key, a, &mut cache.lists[i])?,
                    Some(v) => return Err(type_error(key, "an array", &to_bson(v))),
                };
            }
            parse_ok_reply(&address, &doc, out, rtt_ms, now_ms).map(Ok)
        });
        match parsed {
            Ok(Ok(mut sd)) => {
                sd.reply = Some(reply);
                sd
            }
            Ok(Err(failed)) => {
                let err = command_error(&address, &failed)
                    .unwrap_or_else(|| Error::internal("a hello reply both failed and did not"));
                let topology_version = match &err {
                    Error::Command {
                        topology_version, ..
                    } => topology_version.clone(),
                    _ => None,
                };
                let mut sd = ServerDescription::from_error(address, err, now_ms);
                sd.topology_version = topology_version;
                sd
            }
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
fn same_set(a: &AddressList, b: &AddressList) -> bool {
    // Shared lists (a description and the one before it) are equal at once.
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
    [hosts, passives, arbiters]: [AddressList; 3],
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
        hosts,
        passives,
        arbiters,
        tags: get_tags(reply)?,
        set_name,
        set_version: get_i64(reply, "setVersion")?,
        election_id: get_oid(reply, "electionId")?,
        primary: get_address(reply, "primary")?,
        logical_session_timeout_minutes: get_i64(reply, "logicalSessionTimeoutMinutes")?,
        topology_version,
        hidden: flag(field(reply, "hidden")),
        hello_ok: flag(field(reply, "helloOk")),
        reply: None,
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

    fn raw(d: &Document) -> Arc<RawDocumentBuf> {
        Arc::new(RawDocumentBuf::from_document(d).unwrap())
    }

    fn member_reply(hosts: &[String], local_time: i64) -> Document {
        doc! {"ok": 1, "setName": "rs", "secondary": true, "setVersion": 3,
        "hosts": &hosts[..7], "passives": &hosts[7..], "localTime": local_time,
        "$clusterTime": {"clusterTime": bson::Timestamp { time: 9, increment: 1 }},
        "lastWrite": {"opTime": {"ts": bson::Timestamp { time: 9, increment: 1 }, "t": 2_i64}}}
    }

    #[test]
    fn a_reply_with_the_same_member_lists_reuses_the_parsed_lists() {
        // Every heartbeat of an N-member set lists N members: unchanged lists are not parsed
        // again, they are shared with the previous description.
        let hosts: Vec<String> = (0..50).map(|i| format!("h{i}:27017")).collect();
        let mut cache = ListCache::default();
        let first = ServerDescription::from_raw_hello(
            addr("h1:27017"),
            raw(&member_reply(&hosts, 1)),
            &mut cache,
            Some(1.0),
            5,
        );
        let second = ServerDescription::from_raw_hello(
            addr("h1:27017"),
            raw(&member_reply(&hosts, 2)),
            &mut cache,
            Some(1.0),
            6,
        );
        assert_eq!(first.server_type, ServerType::RSSecondary);
        assert!(std::ptr::eq(first.hosts.as_ptr(), second.hosts.as_ptr()));
        assert!(std::ptr::eq(
            first.passives.as_ptr(),
            second.passives.as_ptr()
        ));
        assert!(first.equivalent(&second));
        // A changed list is parsed again, and the other one is still shared.
        let mut moved = hosts.clone();
        moved[3] = "h3b:27017".to_string();
        let third = ServerDescription::from_raw_hello(
            addr("h1:27017"),
            raw(&member_reply(&moved, 3)),
            &mut cache,
            Some(1.0),
            7,
        );
        assert!(!std::ptr::eq(first.hosts.as_ptr(), third.hosts.as_ptr()));
        assert_eq!(third.hosts[3], addr("h3b:27017"));
        assert!(std::ptr::eq(
            first.passives.as_ptr(),
            third.passives.as_ptr()
        ));
        assert!(!first.equivalent(&third));
        // The description keeps the very reply it was given, whole.
        let reply = raw(&member_reply(&hosts, 4));
        let fourth = ServerDescription::from_raw_hello(
            addr("h1:27017"),
            Arc::clone(&reply),
            &mut cache,
            None,
            8,
        );
        assert!(Arc::ptr_eq(fourth.reply.as_ref().unwrap(), &reply));
        assert!(fourth
            .reply
            .as_ref()
            .unwrap()
            .get("$clusterTime")
            .unwrap()
            .is_some());
    }

    #[test]
    fn raw_and_decoded_replies_give_the_same_description() {
        let hosts: Vec<String> = (0..9).map(|i| format!("H{i}:27017")).collect();
        let mut cache = ListCache::default();
        let cases = [
            member_reply(&hosts, 1),
            doc! {"ok": 1, "isWritablePrimary": true, "setName": "rs", "hosts": ["A:1", "b:2", "a:1"],
            "arbiters": ["c:3"], "tags": {"dc": "ny"}, "electionId": bson::oid::ObjectId::new(),
            "topologyVersion": {"processId": bson::oid::ObjectId::new(), "counter": 4_i64},
            "primary": "a:1", "me": "a:1", "minWireVersion": 0, "maxWireVersion": 21,
            "logicalSessionTimeoutMinutes": 30, "helloOk": true, "passives": null},
            doc! {"ok": 0, "code": 91, "codeName": "ShutdownInProgress", "errmsg": "bye",
            "topologyVersion": {"processId": bson::oid::ObjectId::new(), "counter": 2_i64}},
            doc! {"ok": 1, "setName": "rs", "secondary": true, "hosts": ["a:1", 7]},
            doc! {"ok": 1, "setName": "rs", "secondary": true, "passives": "a:1"},
            doc! {"ok": 1, "setName": 5},
        ];
        for reply in &cases {
            let decoded = ServerDescription::from_hello(addr("a:1"), reply, Some(2.0), 9);
            let from_raw = ServerDescription::from_raw_hello(
                addr("a:1"),
                raw(reply),
                &mut cache,
                Some(2.0),
                9,
            );
            assert_eq!(format!("{decoded:?}"), format!("{from_raw:?}"), "{reply}");
            assert!(decoded.equivalent(&from_raw), "{reply}");
        }
        let bad_item = ServerDescription::from_hello(addr("a:1"), &cases[3], None, 9);
        assert_eq!(bad_item.server_type, ServerType::Unknown);
        assert!(bad_item
            .error
            .unwrap()
            .to_string()
            .contains("\"hosts\" should be an array of strings"));
        let failed = ServerDescription::from_hello(addr("a:1"), &cases[2], None, 9);
        assert!(matches!(
            failed.error,
            Some(Error::Command { code: Some(91), .. })
        ));
        assert!(failed.topology_version.is_some());
    }

    #[test]
    fn a_corrupt_raw_reply_is_an_unknown_server_not_a_panic() {
        let mut bytes = raw(&doc! {"ok": 1, "setName": "rs", "hosts": ["a:1"]})
            .as_bytes()
            .to_vec();
        // The type byte of the second element ("setName") becomes an undefined type.
        let at = bytes.windows(8).position(|w| w == b"setName\0").unwrap() - 1;
        bytes[at] = 0x7f;
        let corrupt = RawDocumentBuf::from_bytes(bytes).unwrap();
        let sd = ServerDescription::from_raw_hello(
            addr("a:1"),
            Arc::new(corrupt),
            &mut ListCache::default(),
            Some(1.0),
            3,
        );
        assert_eq!(sd.server_type, ServerType::Unknown);
        assert!(matches!(sd.error, Some(Error::Protocol { .. })));
    }
}
