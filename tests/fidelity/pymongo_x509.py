"""Fidelity check: pymongo authenticates with MONGODB-X509 against an rsctl lab started with TLS
and auth.

Run by tests/it/x509.rs as
`python3 tests/fidelity/pymongo_x509.py HOST CAFILE CLIENT_PEM STRANGER_PEM`: CLIENT_PEM is the
lab's client certificate and key (its subject is an `$external` user), STRANGER_PEM one signed by
the same CA whose subject is not a user. With CLIENT_PEM it connects directly with
`authMechanism=MONGODB-X509`, writes and finds a document, asks `connectionStatus` who it is and
prints `authenticated as USER on DB`; with STRANGER_PEM the find must raise OperationFailure with
code 18 (`stranger refused with code 18`). Prints `OK` at the end.
"""

import sys

from pymongo import MongoClient
from pymongo.errors import OperationFailure


def client(host, ca, cert):
    return MongoClient(
        "mongodb://" + host + "/",
        directConnection=True,
        serverSelectionTimeoutMS=10000,
        connectTimeoutMS=5000,
        tls=True,
        tlsCAFile=ca,
        tlsCertificateKeyFile=cert,
        authMechanism="MONGODB-X509",
    )


def main():
    host, ca, cert, stranger = sys.argv[1:5]
    c = client(host, ca, cert)
    coll = c["test"]["x509"]
    coll.insert_one({"by": "pymongo-x509"})
    got = coll.find_one({"by": "pymongo-x509"})
    assert got and got["by"] == "pymongo-x509", got
    status = c.admin.command("connectionStatus")
    users = status["authInfo"]["authenticatedUsers"]
    assert len(users) == 1, status
    print("authenticated as %s on %s" % (users[0]["user"], users[0]["db"]), flush=True)
    c.close()

    bad = client(host, ca, stranger)
    try:
        bad["test"]["x509"].find_one()
        raise AssertionError("a certificate whose subject is not a user was accepted")
    except OperationFailure as e:
        assert e.code == 18, e.details
        print("stranger refused with code 18", flush=True)
    bad.close()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
