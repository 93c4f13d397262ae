#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz targets into fuzz/seeds/TARGET/ (run from any
directory; no dependencies). The fuzzers grow their own corpora (fuzz/corpus/, not committed)
from these."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def cstr(s):
    return s.encode() + b"\0"


def element(key, value):
    k = cstr(key)
    if isinstance(value, bool):
        return b"\x08" + k + (b"\x01" if value else b"\x00")
    if isinstance(value, int):
        return b"\x10" + k + struct.pack("<i", value)
    if isinstance(value, float):
        return b"\x01" + k + struct.pack("<d", value)
    if isinstance(value, str):
        v = value.encode()
        return b"\x02" + k + struct.pack("<i", len(v) + 1) + v + b"\0"
    if isinstance(value, dict):
        return b"\x03" + k + doc(value)
    if isinstance(value, list):
        return b"\x04" + k + doc({str(i): v for i, v in enumerate(value)})
    if isinstance(value, bytes) and len(value) == 12:  # ObjectId
        return b"\x07" + k + value
    if isinstance(value, tuple) and value[0] == "i64":
        return b"\x12" + k + struct.pack("<q", value[1])
    if isinstance(value, tuple) and value[0] == "ts":
        return b"\x11" + k + struct.pack("<II", value[2], value[1])
    if value is None:
        return b"\x0a" + k
    raise TypeError(value)


def doc(d):
    body = b"".join(element(k, v) for k, v in d.items()) + b"\0"
    return struct.pack("<i", len(body) + 4) + body


def frame(request_id, op_code, body):
    return struct.pack("<iiii", 16 + len(body), request_id, 0, op_code) + body


def op_msg(request_id, body, flags=0, sequences=(), checksum=False):
    if checksum:
        flags |= 1
    out = struct.pack("<I", flags) + b"\0" + doc(body)
    for ident, docs in sequences:
        payload = cstr(ident) + b"".join(doc(d) for d in docs)
        out += b"\x01" + struct.pack("<i", 4 + len(payload)) + payload
    if checksum:
        f = frame(request_id, 2013, out + b"\0\0\0\0")
        crc = crc32c(f[:-4])
        return f[:-4] + struct.pack("<I", crc)
    return frame(request_id, 2013, out)


def op_query(request_id, ns, query, flags=0, selector=None):
    out = struct.pack("<i", flags) + cstr(ns) + struct.pack("<ii", 0, -1) + doc(query)
    if selector is not None:
        out += doc(selector)
    return frame(request_id, 2004, out)


def op_reply(request_id, docs):
    out = struct.pack("<iqii", 8, 0, 0, len(docs)) + b"".join(doc(d) for d in docs)
    return frame(request_id, 1, out)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def oid(n):
    return bytes(11) + bytes([n])


# --- wire_decode and lab_request: request and reply frames ---
frames = {
    "hello": op_msg(1, {"hello": 1, "$db": "admin"}),
    "hello_checksum": op_msg(2, {"hello": 1, "$db": "admin"}, checksum=True),
    "insert_seq": op_msg(3, {"insert": "c", "$db": "test"}, sequences=[("documents", [{"_id": 1, "x": "a"}, {"_id": 2}])]),
    "find": op_msg(4, {"find": "c", "filter": {"x": {"$gt": 1}}, "sort": {"x": -1}, "limit": 2, "$db": "test"}),
    "more_to_come": op_msg(5, {"insert": "c", "documents": [{"a": 1}], "writeConcern": {"w": 0}, "$db": "test"}, flags=2),
    "legacy_ismaster": op_query(6, "admin.$cmd", {"isMaster": 1, "helloOk": True}, flags=4),
    "legacy_wrapped": op_query(7, "admin.$cmd", {"$query": {"ismaster": 1}, "$readPreference": {"mode": "secondaryPreferred"}}),
    "legacy_find": op_query(8, "test.c", {"a": 1}, selector={"a": 1}),
}
for name, f in frames.items():
    write("wire_decode", name, f)
write("wire_decode", "op_reply", op_reply(9, [{"ok": 1.0, "ismaster": True}]))
write("wire_decode", "op_msg_no_db", op_msg(10, {"ping": 1}))

lab = {
    "hello": frames["hello"] + frames["hello_checksum"],
    "insert_then_find": op_msg(1, {"insert": "c", "documents": [{"_id": 1, "x": 5}, {"_id": 2, "x": 7}], "writeConcern": {"w": "majority"}, "$db": "test"})
    + frames["find"],
    "update_delete": op_msg(1, {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"y": 2}}, "upsert": True}], "$db": "test"})
    + op_msg(2, {"delete": "c", "deletes": [{"q": {"x": {"$lt": 9}}, "limit": 0}], "$db": "test"}),
    "status": op_msg(1, {"replSetGetStatus": 1, "$db": "admin"}) + op_msg(2, {"replSetGetConfig": 1, "$db": "admin"}),
    "awaitable_hello": op_msg(1, {"hello": 1, "topologyVersion": {"processId": oid(1), "counter": ("i64", 0)}, "maxAwaitTimeMS": 500, "$db": "admin"}, flags=1 << 16),
    "stepdown": op_msg(1, {"replSetStepDown": 10, "secondaryCatchUpPeriodSecs": 1, "$db": "admin"}),
    "legacy": frames["legacy_ismaster"] + frames["legacy_wrapped"] + frames["legacy_find"],
    "aggregate_count": op_msg(1, {"aggregate": "c", "pipeline": [{"$match": {}}], "cursor": {}, "$db": "test"})
    + op_msg(2, {"count": "c", "query": {"a": 1}, "$db": "test"})
    + op_msg(3, {"getMore": ("i64", 1), "collection": "c", "$db": "test"}),
    "no_db": frames["hello"][:0] + op_msg(1, {"ping": 1}),
    "reconfig": op_msg(1, {"replSetReconfig": {"_id": "rs0", "version": 2, "members": [{"_id": 0, "host": "127.0.0.1:27017"}, {"_id": 1, "host": "127.0.0.1:27018", "priority": 0}, {"_id": 2, "host": "127.0.0.1:27019", "tags": {"dc": "sf"}}]}, "$db": "admin"}),
}
for i, (name, stream) in enumerate(lab.items()):
    write("lab_request", name, bytes([i % 3]) + stream)

# --- hello_to_sd: options byte, then [selector, rtt, document] records ---
HOSTS = ["a:1", "b:2", "c:3", "d:4"]


def record(i, kind, rtt, body=None):
    out = bytes([i | (kind << 2), rtt])
    return out + (doc(body) if body is not None else b"")


def primary(setv, eid, hosts=HOSTS[:3], **extra):
    d = {"ok": 1.0, "isWritablePrimary": True, "setName": "rs", "hosts": list(hosts), "setVersion": setv,
         "electionId": oid(eid), "maxWireVersion": 21, "minWireVersion": 0, "me": None,
         "topologyVersion": {"processId": oid(9), "counter": ("i64", 1)}, "logicalSessionTimeoutMinutes": 30,
         "lastWrite": {"lastWriteDate": ("i64", 1000), "opTime": {"ts": ("ts", 1, 1), "t": ("i64", 1)}}}
    d.update(extra)
    return d


def secondary(primary_host="a:1", **extra):
    d = {"ok": 1.0, "isWritablePrimary": False, "secondary": True, "setName": "rs", "hosts": HOSTS[:3],
         "primary": primary_host, "maxWireVersion": 21, "tags": {"dc": "ny"}}
    d.update(extra)
    return d


write("hello_to_sd", "rs_primary_then_secondaries", bytes([2 | 4]) + record(0, 0, 3, primary(1, 1, me="a:1"))
      + record(1, 0, 5, secondary(me="b:2")) + record(2, 0, 9, secondary(me="c:3")))
write("hello_to_sd", "two_primaries", bytes([2]) + record(0, 0, 1, primary(1, 1)) + record(1, 0, 1, primary(1, 2))
      + record(0, 0, 1, primary(1, 1)) + record(2, 1, 2, primary(2, 1, maxWireVersion=7)))
write("hello_to_sd", "errors", bytes([1 | 4]) + record(0, 0, 1, primary(1, 1)) + record(0, 3, 0x42) + record(1, 2, 0)
      + record(0, 0, 1, {"ok": 0.0, "code": 10107, "errmsg": "not primary", "topologyVersion": {"processId": oid(9), "counter": ("i64", 2)}}))
write("hello_to_sd", "mongos", bytes([1]) + record(0, 0, 2, {"ok": 1, "msg": "isdbgrid", "maxWireVersion": 21})
      + record(1, 0, 2, {"ok": 1, "maxWireVersion": 21}))
write("hello_to_sd", "standalone_single", bytes([8]) + record(0, 0, 2, {"ok": 1, "isWritablePrimary": True, "maxWireVersion": 21}))
write("hello_to_sd", "ghost_arbiter_hidden", bytes([3 | 4]) + record(0, 0, 1, {"ok": 1, "isreplicaset": True, "maxWireVersion": 21})
      + record(1, 0, 1, secondary(arbiterOnly=True, secondary=False)) + record(2, 0, 1, secondary(hidden=True))
      + record(3, 0, 1, secondary(primary_host="d:4", setName="other")))
write("hello_to_sd", "passives_and_load_balancer", bytes([2]) + record(0, 0, 4, primary(3, 3, passives=["d:4"], arbiters=["c:3"]))
      + record(1, 0, 1, {"ok": 1, "serviceId": oid(5), "maxWireVersion": 21}))

# --- uri_parse: connection strings ---
uris = {
    "full": "mongodb://alice:s3cr%40t@db1.example.com:27017,db2:27018/admin?replicaSet=rs0&readPreference=secondaryPreferred&readPreferenceTags=dc:ny,rack:1&readPreferenceTags=&maxStalenessSeconds=120&w=majority&tls=true&tlsCertificateKeyFilePassword=hunter22&appname=ops",
    "srv": "mongodb+srv://bob:pw0rd@cluster0.example.net/test?authSource=admin&authMechanism=SCRAM-SHA-256",
    "seed_list": "h1:27017,h2:27018,[::1]:27019",
    "ipv6_unix": "mongodb://u:p4ss@[fe80::1]:27017,%2Ftmp%2Fmongodb-27017.sock/?directConnection=false",
    "x509": "mongodb://CN=client@localhost/?authMechanism=MONGODB-X509&tls=true",
    "aws": "mongodb://AKIA:SECRETKEY@localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok123",
    "gssapi": "mongodb://user%40REALM@kdc/?authMechanism=GSSAPI&authMechanismProperties=SERVICE_NAME:mongo,CANONICALIZE_HOST_NAME:true",
    "broken_userinfo": "mongodb://user:pa?ss@host/db",
    "slash_in_password": "mongodb://user:pa/ss@host:27017",
    "options": "mongodb://localhost/?heartbeatFrequencyMS=500&localThresholdMS=20&serverSelectionTimeoutMS=1000&connectTimeoutMS=0&socketTimeoutMS=0&retryReads=false&loadBalanced=false&serverMonitoringMode=poll&compressors=zlib&zlibCompressionLevel=3&ssl=false",
    "lb": "mongodb://lb.example.com/?loadBalanced=true",
}
for name, u in uris.items():
    write("uri_parse", name, u)

# --- ejson_filter: --filter / --projection / --sort texts ---
filters = {
    "range": '{"qty": {"$gte": 6, "$lt": 20}, "item": {"$in": ["pears", "plums"]}}',
    "types": '{"_id": {"$oid": "0123456789abcdef01234567"}, "d": {"$date": "2024-01-02T03:04:05Z"}, "n": {"$numberLong": "42"}, "x": {"$numberDecimal": "1.5"}, "b": {"$binary": {"base64": "AQI=", "subType": "00"}}}',
    "regex_ts": '{"name": {"$regularExpression": {"pattern": "^a.*", "options": "i"}}, "ts": {"$timestamp": {"t": 1, "i": 2}}, "m": {"$minKey": 1}}',
    "projection": '{"_id": 0, "a.b": 1, "arr": {"$slice": [1, 2]}}',
    "sort": '{"qty": -1, "item": 1}',
    "numbers": '{"f": 1.5e300, "neg": -0.0, "big": 9223372036854775807, "i": -2147483649, "u": "\\u00e9\\ud83d\\ude00"}',
    "array": '[1, 2]',
    "nested": '{"a": [{"b": {"c": [null, true, {"$undefined": true}]}}]}',
}
for name, f in filters.items():
    write("ejson_filter", name, f)
