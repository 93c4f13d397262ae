"""The peer of `rsctl failover-watch` in benches/scale.sh: a pymongo MongoClient monitoring one
replica set with the same heartbeat, with an SDAM listener that records topology changes (as an
application watching its set would), and otherwise idle.

usage: python3 peer_watch.py URI [SECONDS]

It prints `ready N` once it sees every member of the set (N servers) and, with --elections, one
line `primary HOST` each time it sees a new primary (for failover detection).
"""

import sys
import time

import pymongo
from pymongo import monitoring


class Topology(monitoring.TopologyListener):
    def __init__(self, print_primary):
        self.print_primary = print_primary
        self.primary = None
        self.changes = 0

    def opened(self, event):
        pass

    def description_changed(self, event):
        self.changes += 1
        new = event.new_description
        primary = None
        for address, sd in new.server_descriptions().items():
            if sd.server_type_name == "RSPrimary":
                primary = "%s:%d" % address
        if primary is not None and primary != self.primary and self.print_primary:
            print("primary", primary, flush=True)
        self.primary = primary

    def closed(self, event):
        pass


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    uri = args[0]
    seconds = float(args[1]) if len(args) > 1 else 3600.0
    listener = Topology("--elections" in sys.argv)
    client = pymongo.MongoClient(uri, event_listeners=[listener], serverSelectionTimeoutMS=30000)
    client.admin.command("ping")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        servers = client.topology_description.server_descriptions()
        if servers and all(s.server_type_name != "Unknown" for s in servers.values()):
            break
        time.sleep(0.05)
    print("ready", len(client.topology_description.server_descriptions()), flush=True)
    time.sleep(seconds)
    client.close()


if __name__ == "__main__":
    main()
