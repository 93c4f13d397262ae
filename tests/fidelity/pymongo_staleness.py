"""Fidelity check: pymongo's max staleness (maxStalenessSeconds) against an rsctl lab.

Run by tests/it/fidelity_staleness.rs as `python3 tests/fidelity/pymongo_staleness.py SEEDLIST`
against an initiated 3-member lab ("rs0") whose idle primary writes a periodic no-op often. The
script asks the Rust side for faults by printing `LAG HOST MS` or `CLOCK HOST MS` (answered
`done` on stdin): one secondary stops applying writes and the primary's clock jumps 2 minutes
ahead, so that secondary's lastWriteDate falls far behind. pymongo must compute it too stale for
Secondary(max_staleness=90) and read from the other secondary. Then, with every secondary stale,
Secondary(max_staleness=90) must find no server and SecondaryPreferred(max_staleness=90) must
read from the primary. Prints `OK` at the end; any failure raises.
"""

import sys
import time

from pymongo import MongoClient
from pymongo.errors import ServerSelectionTimeoutError
from pymongo.read_preferences import Secondary, SecondaryPreferred

PATIENCE = 30.0


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def wait_for(what, predicate, timeout=PATIENCE, detail=None):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what + (": %r" % (detail(),) if detail else ""))
        time.sleep(0.1)


def name(address):
    return "%s:%d" % address


def ask(request):
    """Asks the Rust side for a fault and waits for its `done`."""
    print(request, flush=True)
    answer = sys.stdin.readline().strip()
    assert answer == "done", (request, answer)


def client_for(seeds, selection_timeout):
    return MongoClient(
        "mongodb://" + seeds + "/",
        replicaSet="rs0",
        serverSelectionTimeoutMS=int(selection_timeout * 1000),
        heartbeatFrequencyMS=500,
        connectTimeoutMS=5000,
    )


def write_dates(client):
    """Each known member's lastWriteDate as pymongo's monitor last saw it."""
    out = {}
    for address, sd in client.topology_description.server_descriptions().items():
        if sd.last_write_date is not None:
            out[name(address)] = sd.last_write_date
    return out


def behind(client, primary, host):
    """How many seconds host's lastWriteDate trails the primary's (None if unknown)."""
    dates = write_dates(client)
    if primary not in dates or host not in dates:
        return None
    gap = dates[primary] - dates[host]
    return gap.total_seconds() if hasattr(gap, "total_seconds") else float(gap)


def over(client, primary, host, seconds):
    """Whether host is known to be more than `seconds` behind the primary."""
    gap = behind(client, primary, host)
    return gap is not None and gap > seconds


def served_by(coll, read_preference):
    cursor = coll.with_options(read_preference=read_preference).find({})
    list(cursor)
    return name(cursor.address)


def main():
    seeds = sys.argv[1]
    client = client_for(seeds, PATIENCE)
    wait_for("a primary and two secondaries", lambda: client.primary and len(client.secondaries) == 2)
    primary = name(client.primary)
    fresh, stale = sorted(name(s) for s in client.secondaries)
    log("pymongo sees primary", primary, "secondaries", fresh, stale)
    coll = client.get_database("fidelity").get_collection("stale")

    # Before any fault both secondaries are fresh enough.
    seen = {served_by(coll, Secondary(max_staleness=90)) for _ in range(40)}
    assert seen <= {fresh, stale} and seen, seen

    ask("LAG %s 600000" % stale)
    ask("CLOCK %s 120000" % primary)
    wait_for(
        "pymongo to see %s over 100 s behind" % stale,
        lambda: over(client, primary, stale, 100) and (behind(client, primary, fresh) is not None and behind(client, primary, fresh) < 5),
        detail=lambda: (primary, fresh, stale, write_dates(client), [(name(a), sd.server_type_name) for a, sd in client.topology_description.server_descriptions().items()]),
    )
    log("lastWriteDate behind the primary:", stale, behind(client, primary, stale), "s;", fresh, behind(client, primary, fresh), "s")
    for _ in range(40):
        got = served_by(coll, Secondary(max_staleness=90))
        assert got == fresh, ("Secondary(max_staleness=90) read from", got, "not", fresh)
    # Without a limit the stale member is still a candidate (the limit is what excludes it).
    seen = {served_by(coll, Secondary()) for _ in range(60)}
    assert stale in seen, ("without maxStalenessSeconds pymongo never picked", stale, seen)

    # Every secondary stale.
    ask("LAG %s 600000" % fresh)
    ask("CLOCK %s 300000" % primary)
    wait_for(
        "pymongo to see both secondaries over 100 s behind",
        lambda: all(over(client, primary, h, 100) for h in (fresh, stale)),
    )
    quick = client_for(seeds, 2.0)
    try:
        wait_for("a primary and two secondaries", lambda: quick.primary and len(quick.secondaries) == 2)
        wait_for(
            "the second client to see both secondaries stale",
            lambda: all(over(quick, primary, h, 100) for h in (fresh, stale)),
        )
        qcoll = quick.get_database("fidelity").get_collection("stale")
        try:
            got = served_by(qcoll, Secondary(max_staleness=90))
        except ServerSelectionTimeoutError as e:
            log("Secondary(max_staleness=90) found no server, as expected:", str(e)[:200])
        else:
            raise AssertionError("Secondary(max_staleness=90) read from %s although every secondary is stale" % got)
        got = served_by(qcoll, SecondaryPreferred(max_staleness=90))
        assert got == primary, ("SecondaryPreferred(max_staleness=90) read from", got, "not the primary", primary)
    finally:
        quick.close()
    client.close()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
