"""Fidelity check: the official Python driver (pymongo) against an rsctl lab.

Run by tests/it/fidelity.rs as `python3 tests/fidelity/pymongo_lab.py SEEDLIST` against a 3-member
lab (tags dc=ny, dc=ny, dc=sf) that is already initiated. pymongo must see a replica set with its
primary, secondaries and tags, write with w: "majority", read from the sf secondary through a tag
set, parse replSetGetStatus, and survive a failover: the script prints `KILL HOST` and waits for a
`killed` line on stdin (the Rust side kills that member), then finds the new primary and checks
that every majority-acknowledged write survived. Before that it asks for latency on one member
(`LATENCY HOST MS`, answered `done`) and checks that pymongo's RTT sees it and `nearest` avoids
that member. It prints `OK` at the end; any failure raises.
"""

import sys
import time

from pymongo import MongoClient
from pymongo.read_preferences import Nearest, Secondary
from pymongo.write_concern import WriteConcern

PATIENCE = 30.0


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def wait_for(what, predicate, timeout=PATIENCE):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.1)


def address_of(host):
    name, port = host.rsplit(":", 1)
    return (name, int(port))


def ask(request):
    """Asks the Rust side for a fault and waits for its `done`."""
    print(request, flush=True)
    answer = sys.stdin.readline().strip()
    assert answer == "done", (request, answer)


def main():
    seeds = sys.argv[1]
    hosts = seeds.split(",")
    client = MongoClient(
        "mongodb://" + seeds + "/",
        replicaSet="rs0",
        serverSelectionTimeoutMS=int(PATIENCE * 1000),
        heartbeatFrequencyMS=500,
        connectTimeoutMS=5000,
    )
    # Discovery: the primary and both secondaries, with their tags.
    wait_for("a primary and two secondaries", lambda: client.primary and len(client.secondaries) == 2)
    nodes = {"%s:%d" % n for n in client.nodes}
    assert nodes == set(hosts), (nodes, hosts)
    td = client.topology_description
    assert td.topology_type_name == "ReplicaSetWithPrimary", td.topology_type_name
    assert td.replica_set_name == "rs0", td.replica_set_name
    tags = {}
    for address, sd in td.server_descriptions().items():
        tags["%s:%d" % address] = dict(sd.tags)
        assert sd.server_type_name in ("RSPrimary", "RSSecondary"), (address, sd.server_type_name)
        assert sd.replica_set_name == "rs0"
    assert tags[hosts[0]] == {"dc": "ny"}, tags
    assert tags[hosts[1]] == {"dc": "ny"}, tags
    assert tags[hosts[2]] == {"dc": "sf"}, tags
    primary = "%s:%d" % client.primary
    log("pymongo sees primary", primary, "secondaries", sorted("%s:%d" % s for s in client.secondaries))

    # A majority write, then a tagged secondary read served by the sf member.
    coll = client.get_database("fidelity").get_collection(
        "c", write_concern=WriteConcern(w="majority", wtimeout=10000)
    )
    coll.drop()
    docs = [{"_id": i, "v": "doc %d" % i} for i in range(10)]
    result = coll.insert_many(docs)
    assert result.acknowledged and len(result.inserted_ids) == 10
    sf = coll.with_options(read_preference=Secondary(tag_sets=[{"dc": "sf"}]))

    def read_sf():
        cursor = sf.find({}).sort("_id", 1)
        found = list(cursor)
        return (found, cursor.address) if len(found) == 10 else None

    found, address = wait_for("the sf secondary to have the writes", read_sf)
    assert "%s:%d" % address == hosts[2], ("served by", address, "expected", hosts[2])
    assert [d["_id"] for d in found] == list(range(10)), found
    assert sf.count_documents({"v": "doc 3"}) == 1

    # Latency: the lab delays a ny secondary's replies; pymongo's RTT sees it, nearest avoids it.
    slow = next(h for h in hosts[:2] if h != primary)
    ask("LATENCY %s 250" % slow)

    def slow_rtt():
        sd = client.topology_description.server_descriptions().get(address_of(slow))
        return sd is not None and sd.round_trip_time is not None and sd.round_trip_time > 0.1

    wait_for("pymongo's RTT of the slowed member to pass 100 ms", slow_rtt)
    near = coll.with_options(read_preference=Nearest())
    for _ in range(10):
        cursor = near.find({})
        assert len(list(cursor)) == 10
        assert "%s:%d" % cursor.address != slow, ("nearest picked the slowed member", slow)
    ask("LATENCY %s 0" % slow)

    # replSetGetStatus parses and agrees.
    status = client.admin.command("replSetGetStatus")
    assert status["set"] == "rs0", status
    assert len(status["members"]) == 3, status
    states = sorted(m["stateStr"] for m in status["members"])
    assert states == ["PRIMARY", "SECONDARY", "SECONDARY"], states
    assert any(m.get("self") for m in status["members"]), status

    # Failover: the Rust side kills the primary; pymongo must find the new one.
    print("KILL " + primary, flush=True)
    answer = sys.stdin.readline().strip()
    assert answer == "killed", answer
    more = [{"_id": 100 + i, "v": "after failover"} for i in range(5)]
    coll.insert_many(more)  # selection waits for the new primary; retryable writes cover the gap
    new_primary = "%s:%d" % client.primary
    assert new_primary != primary, (new_primary, primary)
    log("pymongo sees the new primary", new_primary)
    everything = sorted(d["_id"] for d in coll.find({}))
    assert everything == list(range(10)) + [100 + i for i in range(5)], everything
    client.close()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
