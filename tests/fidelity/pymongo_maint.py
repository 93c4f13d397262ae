"""Fidelity check: the official Python driver (pymongo) through rsctl's planned maintenance.

Run by tests/it/fidelity_maint.rs as `python3 tests/fidelity/pymongo_maint.py SEEDLIST NEWHOST`
against a lab whose first three members are an initiated set and whose fourth (NEWHOST) is a
fresh mongod. While a thread inserts documents one by one with retryable writes and
w: "majority", the script asks the Rust side to run `rsctl member add NEWHOST` (it prints
`ADD`, waits for `done`) and then `rsctl stepdown` (`STEPDOWN`, `done`). pymongo must:
- see NEWHOST join its topology as a secondary, and the set's config version (setVersion) rise;
- follow the stepdown to the new primary;
- have every insert acknowledged (the retryable writes survive the stepdown: none raised), and
  find every acknowledged document afterwards.
It prints `OK` at the end; any failure raises.
"""

import sys
import threading
import time

from pymongo import MongoClient
from pymongo.write_concern import WriteConcern

PATIENCE = 60.0


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
        time.sleep(0.05)


def ask(request):
    """Asks the Rust side to run an rsctl command and waits for its `done`."""
    print(request, flush=True)
    answer = sys.stdin.readline().strip()
    assert answer == "done", (request, answer)


def address_of(host):
    name, port = host.rsplit(":", 1)
    return (name, int(port))


def primary_of(client):
    for address, sd in client.topology_description.server_descriptions().items():
        if sd.server_type_name == "RSPrimary":
            return address
    return None


def set_version(client):
    versions = [
        sd.set_version
        for sd in client.topology_description.server_descriptions().values()
        if sd.server_type_name == "RSPrimary" and sd.set_version is not None
    ]
    return max(versions) if versions else None


class Writer(threading.Thread):
    """Inserts {_id: n} one at a time until stopped; records what was acknowledged."""

    def __init__(self, coll):
        super().__init__(daemon=True)
        self.coll = coll
        self.acked = []
        self.errors = []
        self.stop = threading.Event()

    def run(self):
        n = 0
        while not self.stop.is_set():
            try:
                self.coll.insert_one({"_id": n})
                self.acked.append(n)
            except Exception as e:  # a write that fails is a finding, not a crash
                self.errors.append((n, repr(e)))
            n += 1
            time.sleep(0.01)


def main():
    seeds, new_host = sys.argv[1], sys.argv[2]
    client = MongoClient(
        "mongodb://%s/?replicaSet=rs0" % seeds,
        heartbeatFrequencyMS=500,
        serverSelectionTimeoutMS=30000,
        retryWrites=True,
    )
    client.admin.command("ping")
    wait_for("a primary", lambda: primary_of(client))
    before = wait_for("setVersion", lambda: set_version(client))
    coll = client.test.get_collection("maint", write_concern=WriteConcern(w="majority"))
    coll.drop()
    writer = Writer(coll)
    writer.start()
    wait_for("first writes", lambda: len(writer.acked) >= 5)

    ask("ADD " + new_host)
    added = address_of(new_host)
    wait_for(
        "pymongo to see the new member as a secondary",
        lambda: client.topology_description.server_descriptions().get(added) is not None
        and client.topology_description.server_descriptions()[added].server_type_name
        == "RSSecondary",
    )
    wait_for("setVersion to rise", lambda: (set_version(client) or 0) > before)
    log("added: setVersion %s -> %s" % (before, set_version(client)))

    old = primary_of(client)
    acked_before = len(writer.acked)
    ask("STEPDOWN")
    wait_for("a new primary", lambda: primary_of(client) not in (None, old))
    log("stepped down: %s -> %s" % (old, primary_of(client)))
    wait_for("writes after the stepdown", lambda: len(writer.acked) >= acked_before + 5)
    writer.stop.set()
    writer.join(30)
    assert not writer.errors, "writes failed: %r" % writer.errors[:5]
    found = set(d["_id"] for d in coll.find({}, {"_id": 1}))
    lost = [n for n in writer.acked if n not in found]
    assert not lost, "acknowledged writes missing: %r" % lost[:10]
    log("%d writes acknowledged, none lost, none failed" % len(writer.acked))
    print("OK", flush=True)


if __name__ == "__main__":
    main()
