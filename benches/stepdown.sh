#!/usr/bin/env bash
# A planned stepdown against an unplanned failover, measured the same way (issue 13).
#
# On one 3-member lab (mongod's default timings: electionTimeoutMillis 10 s, heartbeats 2 s):
#   - RUNS times `rsctl stepdown --probe --json --secs SECS --catch-up CATCHUP`: its own summary
#     gives no_primary_ms (no primary seen), outage_ms (no write acknowledged, with --probe) and
#     writes_failed; between runs, the lab waits until the stepped-down member may stand again;
#   - RUNS times the primary killed (`rsctl lab kill`) while `rsctl failover-watch --probe --json`
#     watches: the primary_elected line's no_primary_ms, and the outage line's duration_ms and
#     writes_failed; the killed member is started again before the next run.
# It prints every run and the medians. Probes are w:"majority" inserts every 100 ms.
#
# usage: benches/stepdown.sh        env: RUNS=10 SECS=10 CATCHUP=5 RSCTL_BIN=path (skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
SECS=${SECS:-10}
CATCHUP=${CATCHUP:-5}
if [ -z "${RSCTL_BIN:-}" ]; then
    cargo build --release -q --bin rsctl
    RSCTL_BIN=$PWD/target/release/rsctl
fi
BIN=$RSCTL_BIN
SET=sd$$
TMP=$(mktemp -d)
WATCH=
cleanup() {
    [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null || true
    "$BIN" lab down --set "$SET" >/dev/null 2>&1 || true
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# The lab stops on its own after 30 minutes whatever happens to this script.
timeout 1800 "$BIN" lab up --port 0 --nodes 3 --initiate --set "$SET" >"$TMP/lab.out" 2>"$TMP/lab.err" &
for _ in $(seq 300); do
    grep -q '^ready' "$TMP/lab.out" 2>/dev/null && break
    sleep 0.2
done
grep -q '^ready' "$TMP/lab.out" || {
    cat "$TMP/lab.out" "$TMP/lab.err" >&2
    exit 1
}
SEEDS=$(awk '/^member/ {print $3}' "$TMP/lab.out" | paste -sd, -)
URI="mongodb://$SEEDS/?replicaSet=$SET"
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d.get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }
median() { sort -n | awk 'NF {a[++n]=$1} END {if (n) print a[int((n+1)/2)]; else print "nan"}'; }
primary() { "$BIN" -u "$URI" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["primary"] or "")'; }

# Waits until every member is SECONDARY or PRIMARY again (after a restart, a stepdown).
settle() {
    for _ in $(seq 300); do
        if "$BIN" -u "$URI" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
ok = d["primary"] and all(m["state"] in ("PRIMARY", "SECONDARY") for m in d["members"])
sys.exit(0 if ok else 1)'; then
            return 0
        fi
        sleep 0.2
    done
    echo "the set did not settle" >&2
    return 1
}

echo "planned: rsctl stepdown --probe --json --secs $SECS --catch-up ${CATCHUP}s ($RUNS runs)"
printf '%-4s %-22s %-22s %12s %10s %13s\n' run old new no_primary_ms outage_ms writes_failed
: >"$TMP/sd"
for i in $(seq "$RUNS"); do
    settle
    line=$("$BIN" -u "$URI" stepdown --probe --json --secs "${SECS}s" --catch-up "${CATCHUP}s" 2>/dev/null | tail -1)
    printf '%-4s %-22s %-22s %12s %10s %13s\n' "$i" "$(field "$line" old_primary)" \
        "$(field "$line" new_primary)" "$(field "$line" no_primary_ms)" "$(field "$line" outage_ms)" \
        "$(field "$line" writes_failed)"
    echo "$(field "$line" no_primary_ms) $(field "$line" outage_ms) $(field "$line" writes_failed)" >>"$TMP/sd"
    # The old primary may not stand for SECS: wait it out so every run has two candidates.
    sleep "$SECS"
done
sd_gap=$(awk '{print $1}' "$TMP/sd" | median)
sd_out=$(awk '{print $2}' "$TMP/sd" | median)
sd_fail=$(awk '{print $3}' "$TMP/sd" | median)

echo
echo "unplanned: rsctl lab kill PRIMARY, watched by rsctl failover-watch --probe --json ($RUNS runs)"
printf '%-4s %-22s %12s %10s %13s\n' run killed no_primary_ms outage_ms writes_failed
: >"$TMP/kill"
"$BIN" -u "$URI" failover-watch --probe --json >"$TMP/watch" 2>/dev/null &
WATCH=$!
for i in $(seq "$RUNS"); do
    settle
    sleep 1
    old=$(primary)
    n_el=$(grep -c '"primary_elected"' "$TMP/watch" || true)
    n_out=$(grep -c '"type":"outage"' "$TMP/watch" || true)
    "$BIN" lab kill "$old" --set "$SET" >/dev/null
    for _ in $(seq 600); do
        [ "$(grep -c '"type":"outage"' "$TMP/watch" || true)" -gt "$n_out" ] &&
            [ "$(grep -c '"primary_elected"' "$TMP/watch" || true)" -gt "$n_el" ] && break
        sleep 0.1
    done
    el=$(grep '"primary_elected"' "$TMP/watch" | sed -n "$((n_el + 1))p")
    out=$(grep '"type":"outage"' "$TMP/watch" | sed -n "$((n_out + 1))p")
    gap=$(field "$el" no_primary_ms)
    dur=$(field "$out" duration_ms)
    failed=$(field "$out" writes_failed)
    printf '%-4s %-22s %12s %10s %13s\n' "$i" "$old" "$gap" "$dur" "$failed"
    echo "$gap $dur $failed" >>"$TMP/kill"
    "$BIN" lab start "$old" --set "$SET" >/dev/null
done
kill "$WATCH" 2>/dev/null || true
WATCH=
k_gap=$(awk '{print $1}' "$TMP/kill" | median)
k_out=$(awk '{print $2}' "$TMP/kill" | median)
k_fail=$(awk '{print $3}' "$TMP/kill" | median)

echo
echo "medians over $RUNS runs   no_primary_ms  outage_ms  writes_failed"
printf 'rsctl stepdown           %13s %10s %14s\n' "$sd_gap" "$sd_out" "$sd_fail"
printf 'primary killed           %13s %10s %14s\n' "$k_gap" "$k_out" "$k_fail"
