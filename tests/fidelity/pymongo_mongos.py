"""Fidelity check: the official Python driver (pymongo) against the lab's mongos routers.

Run by tests/it/fidelity_mongos.rs as `python3 tests/fidelity/pymongo_mongos.py ROUTERS SETHOSTS`
against an initiated 3-member lab with 3 routers. pymongo must see a Sharded topology of three
Mongos servers, write with w: "majority" through a router, run listShards, read with a
secondary read preference (the script prints `CHECK_SECONDARY ROUTER` and waits for `done`: the
Rust side checks what that router forwarded), and survive the death of the router in use: it
prints `KILL ROUTER` and waits for `killed`, then reads again, which must succeed through another
router and see every document. It prints `OK` at the end; any failure raises.
"""

import sys
import time

from pymongo import MongoClient
from pymongo.read_preferences import Secondary
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


def ask(request, answer_expected):
    print(request, flush=True)
    answer = sys.stdin.readline().strip()
    assert answer == answer_expected, (request, answer)


def host_of(address):
    return "%s:%d" % address


def main():
    routers = sys.argv[1]
    set_hosts = sys.argv[2]
    client = MongoClient(
        "mongodb://" + routers + "/",
        serverSelectionTimeoutMS=int(PATIENCE * 1000),
        heartbeatFrequencyMS=500,
        connectTimeoutMS=5000,
    )

    def mongos_count():
        td = client.topology_description
        if td.topology_type_name != "Sharded":
            return 0
        return sum(1 for s in td.server_descriptions().values() if s.server_type_name == "Mongos")

    client.admin.command("ping")
    wait_for("three mongos", lambda: mongos_count() == 3)
    log("topology:", client.topology_description.topology_type_name)

    shards = client.admin.command("listShards")["shards"]
    assert len(shards) == 1, shards
    assert shards[0]["_id"] == "rs0", shards
    assert shards[0]["host"] == "rs0/" + set_hosts, shards

    coll = client.get_database("fid").get_collection(
        "c", write_concern=WriteConcern(w="majority")
    )
    coll.insert_many([{"_id": i} for i in range(20)])

    secondary = client.get_database("fid").get_collection("c", read_preference=Secondary())
    cursor = secondary.find({}).sort("_id", 1)
    docs = list(cursor)
    assert [d["_id"] for d in docs] == list(range(20)), docs
    ask("CHECK_SECONDARY " + host_of(cursor.address), "done")

    cursor = coll.find({})
    first = list(cursor)
    used = host_of(cursor.address)
    assert len(first) == 20
    ask("KILL " + used, "killed")
    cursor = coll.find({})
    again = list(cursor)
    assert len(again) == 20, again
    assert host_of(cursor.address) != used, (cursor.address, used)
    log("after killing", used, "read through", host_of(cursor.address))
    print("OK", flush=True)


if __name__ == "__main__":
    main()
