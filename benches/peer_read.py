"""The peer of `rsctl read DB.COLL`: pymongo reads a whole collection and prints every document
as relaxed Extended JSON, one per line (bson.json_util with RELAXED_JSON_OPTIONS, compact
separators: the same text rsctl prints). Used by benches/side_by_side.sh.

usage: python3 peer_read.py SEEDS SET DB.COLL          (documents on stdout)
       python3 peer_read.py --insert N SEEDS SET DB.COLL  (insert the bench's N documents first)
"""

import sys

import pymongo
from bson import json_util


def client(seeds, set_name):
    return pymongo.MongoClient(
        f"mongodb://{seeds}/?replicaSet={set_name}", serverSelectionTimeoutMS=20000
    )


def insert(n, seeds, set_name, ns):
    db, coll = ns.split(".", 1)
    c = client(seeds, set_name)[db][coll]
    c.drop()
    for i in range(0, n, 1000):
        c.insert_many(
            [
                {"_id": k, "item": "widget", "qty": k % 50, "price": 9.99, "tags": ["a", "b"]}
                for k in range(i, min(i + 1000, n))
            ]
        )
    return c.estimated_document_count()


def read(seeds, set_name, ns):
    db, coll = ns.split(".", 1)
    out = sys.stdout
    opts = json_util.RELAXED_JSON_OPTIONS
    for doc in client(seeds, set_name)[db][coll].find():
        out.write(json_util.dumps(doc, json_options=opts, separators=(",", ":")))
        out.write("\n")
    out.flush()


if __name__ == "__main__":
    if sys.argv[1] == "--insert":
        print(insert(int(sys.argv[2]), *sys.argv[3:6]))
    else:
        read(*sys.argv[1:4])
