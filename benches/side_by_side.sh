#!/usr/bin/env bash
# Side by side: `rsctl read bench.docs` vs pymongo (benches/peer_read.py) reading the same 100 000
# documents from the same lab to /dev/null. Both print the same relaxed Extended JSON (checked
# first, byte for byte). Timings by hyperfine when installed, else 5 runs each (median).
#
# usage: benches/side_by_side.sh [N_DOCS]      (needs python3 with pymongo; builds --release)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
SET=sbs$$
cargo build --release -q
BIN=$PWD/target/release/rsctl
PEER=$PWD/benches/peer_read.py
TMP=$(mktemp -d)
LAB_PID=
cleanup() {
    "$BIN" lab down --set "$SET" >/dev/null 2>&1 || true
    if [ -n "$LAB_PID" ]; then kill "$LAB_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# The lab stops on its own after 15 minutes whatever happens to this script.
timeout 900 "$BIN" lab up --port 0 --initiate --set "$SET" >"$TMP/lab.out" 2>&1 &
LAB_PID=$!
for _ in $(seq 100); do
    grep -q '^ready' "$TMP/lab.out" && break
    sleep 0.2
done
grep -q '^ready' "$TMP/lab.out" || { cat "$TMP/lab.out"; echo "the lab did not start" >&2; exit 1; }
SEEDS=$(awk '/^member/ {print $3}' "$TMP/lab.out" | paste -sd, -)
echo "lab $SET: $SEEDS"
python3 "$PEER" --insert "$N" "$SEEDS" "$SET" bench.docs >/dev/null

RSCTL="$BIN -u $SEEDS read bench.docs"
PYMONGO="python3 $PEER $SEEDS $SET bench.docs"
$RSCTL >"$TMP/rsctl.out" 2>/dev/null
$PYMONGO >"$TMP/pymongo.out"
if cmp -s "$TMP/rsctl.out" "$TMP/pymongo.out"; then
    echo "same output: $(wc -l <"$TMP/rsctl.out") lines, $(wc -c <"$TMP/rsctl.out") bytes"
else
    echo "the outputs differ:" >&2
    diff <(head -c 2000 "$TMP/rsctl.out") <(head -c 2000 "$TMP/pymongo.out") >&2 || true
    exit 1
fi

if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 --style basic --export-json "$TMP/h.json" \
        -n rsctl "$RSCTL >/dev/null 2>&1" -n pymongo "$PYMONGO >/dev/null"
    python3 - "$TMP/h.json" "$N" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
a, b = r["rsctl"]["median"], r["pymongo"]["median"]
print(f"median: rsctl {a:.3f} s ({n / a:,.0f} docs/s), pymongo {b:.3f} s ({n / b:,.0f} docs/s); "
      f"pymongo/rsctl = {b / a:.1f}x")
PY
else
    median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    t() { local s e; s=$(date +%s.%N); eval "$1" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
    A=$(for _ in 1 2 3 4 5; do t "$RSCTL"; done | median)
    B=$(for _ in 1 2 3 4 5; do t "$PYMONGO"; done | median)
    echo "median over 5 runs: rsctl $A s, pymongo $B s; pymongo/rsctl = $(echo "scale=1; $B / $A" | bc)x"
fi
