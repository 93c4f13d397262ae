"""Fidelity check: pymongo authenticates against an rsctl lab started with auth.

Run by tests/it/auth.rs as `python3 tests/fidelity/pymongo_auth.py HOST USER [CAFILE]` with the
password in the RSCTL_TEST_PASSWORD environment variable (never on the command line). With
CAFILE, every client connects with TLS and trusts that CA (a lab started with TLS). For SCRAM-SHA-256,
SCRAM-SHA-1 and the negotiated default it connects directly, writes and reads back a document,
and prints `authenticated MECH`; then it checks that a wrong password raises OperationFailure
with code 18 and that an unauthenticated find is refused with code 13. Prints `OK` at the end.
"""

import os
import sys

from pymongo import MongoClient
from pymongo.errors import OperationFailure


TLS = {}


def client(host, **kwargs):
    kwargs.update(TLS)
    return MongoClient(
        "mongodb://" + host + "/",
        directConnection=True,
        serverSelectionTimeoutMS=10000,
        connectTimeoutMS=5000,
        **kwargs
    )


def main():
    host, user = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        TLS.update(tls=True, tlsCAFile=sys.argv[3])
    password = os.environ["RSCTL_TEST_PASSWORD"]
    for mech in ["SCRAM-SHA-256", "SCRAM-SHA-1", None]:
        extra = {"authMechanism": mech} if mech else {}
        c = client(host, username=user, password=password, authSource="admin", **extra)
        name = mech or "default"
        coll = c["test"]["auth_" + name.replace("-", "_")]
        coll.insert_one({"mech": name})
        got = coll.find_one({"mech": name})
        assert got and got["mech"] == name, got
        c.close()
        print("authenticated " + name, flush=True)

    bad = client(host, username=user, password="wrong-" + password, authSource="admin")
    try:
        bad["test"]["c"].find_one()
        raise AssertionError("a wrong password was accepted")
    except OperationFailure as e:
        assert e.code == 18, e.details
    bad.close()

    anon = client(host)
    try:
        anon["test"]["c"].find_one()
        raise AssertionError("an unauthenticated find was accepted")
    except OperationFailure as e:
        assert e.code == 13, e.details
    anon.close()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
