#!/usr/bin/env bash
# Monitoring that scales (issue 14), side by side: `rsctl failover-watch`, a pymongo
# MongoClient (benches/peer_watch.py, with an SDAM listener) and the official Rust driver
# (benches/rust-peer: the `mongodb` crate 3.9, a Client with an SDAM event handler, a crate of its
# own so the driver never enters rsctl's dependencies) watching the same labs at
# heartbeatFrequencyMS 500 ms, measured from /proc in the same run:
#
#   - idle CPU (share of one core) and RSS of each watcher, over SPAN seconds after WARMUP seconds,
#     for labs of 7, 25, 50 and 100 members (two labs of 50, one watcher process per set for both
#     peers; the figures are the sums). Members after the seventh have votes 0 and priority 0, as
#     mongod requires; the labs' own heartbeat is 500 ms too.
#   - `rsctl status` latency: median wall time of STATUS_RUNS runs, each a fresh process.
#   - failover detection: on a 3-member and a 50-member lab (election timeout 1 s), the primary
#     is killed FAILOVERS times. Each watcher's line naming the new primary (rsctl's
#     `primary_elected`, the peer's listener) is stamped on arrival with bash's $EPOCHREALTIME,
#     as is the lab's `elected` line; the delay is given from two references: the election time
#     the lab's line carries (milliseconds, truncated, so it errs up to 1 ms on the slow side),
#     and the arrival of the lab's line itself.
#
# usage: benches/scale.sh [SIZE...]     (default: 7 25 50 100; builds --release)
# env:   WARMUP=10 SPAN=20 STATUS_RUNS=11 FAILOVERS=7 FAILOVER_SIZES="3 50"
#        ROUNDS=1: idle measurements per size, each on fresh labs (a row each; with more than
#        one, the medians of the CPU per member close the table)
#        RSCTL_BIN=path (skip the build and use that binary), PEER=0 (no pymongo),
#        RUST_PEER=0 (no Rust driver; its first build takes about 2 minutes)
#        WATCH_BIN=path: the rsctl that watches and runs status (default RSCTL_BIN), while
#        RSCTL_BIN runs the labs: to measure an older rsctl against the same labs (before/after)
# Needs python3 (a venv with pymongo 4.20.1 is made under target/bench-venv when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${*:-7 25 50 100}
WARMUP=${WARMUP:-10}
SPAN=${SPAN:-20}
STATUS_RUNS=${STATUS_RUNS:-11}
FAILOVERS=${FAILOVERS:-7}
ROUNDS=${ROUNDS:-1}
FAILOVER_SIZES=${FAILOVER_SIZES-3 50}
PEER=${PEER:-1}
RUST_PEER=${RUST_PEER:-1}
if [ -z "${RSCTL_BIN:-}" ]; then
    cargo build --release -q --bin rsctl
    RSCTL_BIN=$PWD/target/release/rsctl
fi
BIN=$RSCTL_BIN
WBIN=${WATCH_BIN:-$BIN}
VENV=$PWD/target/bench-venv
if [ "$PEER" = 1 ] && ! "$VENV/bin/python" -c 'import pymongo' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pymongo==4.20.1
fi
PY=$VENV/bin/python
if [ "$RUST_PEER" = 1 ]; then
    cargo build --release -q --manifest-path benches/rust-peer/Cargo.toml
fi
RPEER=$PWD/benches/rust-peer/target/release/rsctl-rust-peer
PEER_WATCH=$PWD/benches/peer_watch.py
HZ=1000000 # ticks() counts microseconds
TMP=$(mktemp -d)
LABS=()
WATCHERS=()

cleanup() {
    for p in "${WATCHERS[@]}"; do kill "$p" 2>/dev/null || true; done
    for s in "${LABS[@]}"; do "$BIN" lab down --set "$s" >/dev/null 2>&1 || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# Prefixes each line of stdin with the arrival time (seconds since the epoch, microseconds).
stamp() {
    local line
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done
}

# start_lab SET NODES [ARGS...]: starts a lab (it stops on its own after 30 minutes whatever
# happens to this script) and waits until it printed `ready`.
start_lab() {
    local set=$1 nodes=$2
    shift 2
    timeout 1800 "$BIN" lab up --port 0 --nodes "$nodes" --initiate --set "$set" \
        --heartbeat-interval 500ms "$@" >"$TMP/$set.out" 2> >(stamp >"$TMP/$set.err") &
    LABS+=("$set")
    for _ in $(seq 600); do
        grep -q '^ready' "$TMP/$set.out" 2>/dev/null && break
        sleep 0.2
    done
    grep -q '^ready' "$TMP/$set.out" || {
        cat "$TMP/$set.out" "$TMP/$set.err" >&2
        echo "lab $set did not start" >&2
        exit 1
    }
}

stop_lab() {
    "$BIN" lab down --set "$1" >/dev/null 2>&1 || true
    local rest=()
    for s in "${LABS[@]}"; do [ "$s" = "$1" ] || rest+=("$s"); done
    LABS=("${rest[@]+"${rest[@]}"}")
}

uri() {
    local seeds
    seeds=$(awk '/^member/ {print $3}' "$TMP/$1.out" | paste -sd, -)
    echo "mongodb://$seeds/?replicaSet=$1&heartbeatFrequencyMS=500"
}

# CPU time PID has run, in microseconds: the sum over its threads of /proc/PID/task/TID/schedstat's
# first field (nanoseconds on a CPU). utime + stime from /proc/PID/stat count in clock ticks
# (10 ms), too coarse for a 7-member watch that runs ~0.1 s in a minute; every watcher's threads
# live for the whole window, so none is lost by summing the live ones.
ticks() { cat /proc/"$1"/task/*/schedstat | awk '{t += $1} END {printf "%d\n", t / 1000}'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
sum_ticks() {
    local t=0 p
    for p in "$@"; do t=$((t + $(ticks "$p"))); done
    echo $t
}
sum_rss() {
    local t=0 p
    for p in "$@"; do t=$((t + $(rss_kib "$p"))); done
    echo $t
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'; }

# wait_for FILE PATTERN SECONDS
wait_for() {
    for _ in $(seq $(($3 * 10))); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

printf '\n%-8s %-5s %9s %9s %12s %11s %11s %12s %9s %9s %12s %10s\n' members sets rsctl_cpu \
    rsctl_rss rsctl/mbr pymongo_cpu pymongo_rss pymongo/mbr rust_cpu rust_rss rust/mbr \
    status_ms | tee "$TMP/table"
ROWS=()
for size in $SIZES; do
  for round in $(seq "$ROUNDS"); do
    if [ "$size" -gt 50 ]; then
        sets=$(((size + 49) / 50))
        per=$((size / sets))
    else
        sets=1
        per=$size
    fi
    names=()
    for i in $(seq "$sets"); do
        name=scale${size}x${i}r$round$$
        start_lab "$name" "$per"
        names+=("$name")
    done
    rs_pids=()
    py_pids=()
    ru_pids=()
    for name in "${names[@]}"; do
        "$WBIN" -u "$(uri "$name")" failover-watch --json >"$TMP/$name.watch" 2>&1 &
        rs_pids+=($!)
        WATCHERS+=($!)
        if [ "$PEER" = 1 ]; then
            "$PY" "$PEER_WATCH" "$(uri "$name")" >"$TMP/$name.peer" 2>&1 &
            py_pids+=($!)
            WATCHERS+=($!)
        fi
        if [ "$RUST_PEER" = 1 ]; then
            "$RPEER" "$(uri "$name")" >"$TMP/$name.rust" 2>&1 &
            ru_pids+=($!)
            WATCHERS+=($!)
        fi
    done
    sleep "$WARMUP"
    r0=$(sum_ticks "${rs_pids[@]}")
    p0=0
    [ "$PEER" = 1 ] && p0=$(sum_ticks "${py_pids[@]}")
    u0=0
    [ "$RUST_PEER" = 1 ] && u0=$(sum_ticks "${ru_pids[@]}")
    sleep "$SPAN"
    r1=$(sum_ticks "${rs_pids[@]}")
    rrss=$(sum_rss "${rs_pids[@]}")
    if [ "$PEER" = 1 ]; then
        p1=$(sum_ticks "${py_pids[@]}")
        prss=$(sum_rss "${py_pids[@]}")
    fi
    if [ "$RUST_PEER" = 1 ]; then
        u1=$(sum_ticks "${ru_pids[@]}")
        urss=$(sum_rss "${ru_pids[@]}")
    fi
    all=("${rs_pids[@]}" "${py_pids[@]+"${py_pids[@]}"}" "${ru_pids[@]+"${ru_pids[@]}"}")
    for p in "${all[@]}"; do kill "$p" 2>/dev/null || true; done
    wait "${all[@]}" 2>/dev/null || true
    WATCHERS=()
    # Every run is a fresh process against one 50-member (or smaller) set; with two sets, the
    # runs alternate between them.
    st=$(for i in $(seq "$STATUS_RUNS"); do
        name=${names[$((i % sets))]}
        s=$EPOCHREALTIME
        "$WBIN" -u "$(uri "$name")" status >/dev/null 2>&1 || echo "status failed" >&2
        e=$EPOCHREALTIME
        echo "($e - $s) * 1000" | bc -l
    done | median)
    for name in "${names[@]}"; do stop_lab "$name"; done
    # figures ENABLED T0 T1 RSS_KIB: "CPU% CPU%/member RSS_MB" of one watcher kind ("- - -" when
    # that peer is not run).
    figures() {
        if [ "$1" != 1 ]; then
            echo "- - -"
            return
        fi
        echo "$(echo "scale=3; ($3 - $2) * 100 / $HZ / $SPAN" | bc -l)" \
            "$(echo "scale=5; ($3 - $2) * 100 / $HZ / $SPAN / $size" | bc -l)" \
            "$(echo "scale=1; $4 / 1024" | bc -l)"
    }
    read -r rcpu rper _ < <(figures 1 "$r0" "$r1" "$rrss")
    read -r pcpu pper prss_mb < <(figures "$PEER" "$p0" "${p1:-0}" "${prss:-0}")
    read -r ucpu uper urss_mb < <(figures "$RUST_PEER" "$u0" "${u1:-0}" "${urss:-0}")
    num() { if [ "$1" = - ]; then echo -; else printf "%.${2}f" "$1"; fi; }
    printf '%-8s %-5s %8s%% %6s MB %11s%% %10s%% %8s MB %11s%% %8s%% %6s MB %11s%% %10.1f\n' \
        "$size" "$sets" "$(num "$rcpu" 2)" "$(num "$(echo "$rrss / 1024" | bc -l)" 1)" \
        "$(num "$rper" 4)" "$(num "$pcpu" 2)" "$(num "$prss_mb" 1)" "$(num "$pper" 4)" \
        "$(num "$ucpu" 2)" "$(num "$urss_mb" 1)" "$(num "$uper" 4)" "$st" | tee -a "$TMP/table"
    echo "$size $rper $pper $uper" >>"$TMP/rounds"
  done
done
if [ "$ROUNDS" -gt 1 ]; then
    echo
    echo "CPU per member, median of $ROUNDS rounds (each a fresh lab):" | tee -a "$TMP/table"
    printf '%-8s %12s %12s %12s\n' members rsctl/mbr pymongo/mbr rust/mbr | tee -a "$TMP/table"
    for size in $SIZES; do
        col() { awk -v s="$size" -v c="$1" '$1 == s {print $c}' "$TMP/rounds" | median; }
        printf '%-8s %11s%% %11s%% %11s%%\n' "$size" "$(col 2)" "$(col 3)" "$(col 4)" |
            tee -a "$TMP/table"
    done
fi

# Failover detection.
echo
for size in $FAILOVER_SIZES; do
    name=fo$size$$
    start_lab "$name" "$size" --election-timeout 1s
    "$WBIN" -u "$(uri "$name")" failover-watch --json > >(stamp >"$TMP/$name.watch") 2>/dev/null &
    rs_pid=$!
    WATCHERS+=($rs_pid)
    if [ "$PEER" = 1 ]; then
        "$PY" "$PEER_WATCH" --elections "$(uri "$name")" > >(stamp >"$TMP/$name.peer") 2>&1 &
        py_pid=$!
        WATCHERS+=($py_pid)
        wait_for "$TMP/$name.peer" ' ready ' 60 || echo "the peer did not see the set" >&2
    fi
    if [ "$RUST_PEER" = 1 ]; then
        "$RPEER" --elections "$(uri "$name")" > >(stamp >"$TMP/$name.rust") 2>&1 &
        WATCHERS+=($!)
        wait_for "$TMP/$name.rust" ' ready ' 60 || echo "the Rust driver did not see the set" >&2
    fi
    wait_for "$TMP/$name.watch" '"type":"topology"' 60 || echo "failover-watch did not start" >&2
    sleep 2
    rs_lat=()
    py_lat=()
    rs_line=()
    py_line=()
    ru_lat=()
    ru_line=()
    lab_lag=()
    for round in $(seq "$FAILOVERS"); do
        old=$(grep ' elected ' "$TMP/$name.err" | tail -1 | awk '{print $4}')
        n_elected=$(grep -c ' elected ' "$TMP/$name.err" || true)
        n_watch=$(grep -c '"primary_elected"' "$TMP/$name.watch" || true)
        n_peer=$(grep -c ' primary ' "$TMP/$name.peer" 2>/dev/null || true)
        n_rust=$(grep -c ' primary ' "$TMP/$name.rust" 2>/dev/null || true)
        "$BIN" lab kill "$old" --set "$name" >/dev/null
        for _ in $(seq 200); do
            [ "$(grep -c ' elected ' "$TMP/$name.err" || true)" -gt "$n_elected" ] && break
            sleep 0.1
        done
        sleep 1.5
        line=$(grep ' elected ' "$TMP/$name.err" | sed -n "$((n_elected + 1))p")
        t_el=$(date -d "$(echo "$line" | awk '{print $2}')" +%s.%N)
        t_line=$(echo "$line" | awk '{print $1}')
        [ -n "$t_line" ] && lab_lag+=("$(echo "($t_line - $t_el) * 1000" | bc -l)")
        new=$(echo "$line" | awk '{print $4}')
        t_rs=$(grep '"primary_elected"' "$TMP/$name.watch" | sed -n "$((n_watch + 1)),\$p" |
            grep -F "\"host\":\"$new\"" | head -1 | awk '{print $1}')
        if [ -n "$t_el" ] && [ -n "$t_rs" ]; then
            rs_lat+=("$(echo "($t_rs - $t_el) * 1000" | bc -l)")
            rs_line+=("$(echo "($t_rs - $t_line) * 1000" | bc -l)")
        fi
        if [ "$PEER" = 1 ]; then
            t_py=$(grep ' primary ' "$TMP/$name.peer" | sed -n "$((n_peer + 1)),\$p" |
                grep -F " primary $new" | head -1 | awk '{print $1}')
            if [ -n "$t_el" ] && [ -n "$t_py" ]; then
                py_lat+=("$(echo "($t_py - $t_el) * 1000" | bc -l)")
                py_line+=("$(echo "($t_py - $t_line) * 1000" | bc -l)")
            fi
        fi
        if [ "$RUST_PEER" = 1 ]; then
            t_ru=$(grep ' primary ' "$TMP/$name.rust" | sed -n "$((n_rust + 1)),\$p" |
                grep -F " primary $new" | head -1 | awk '{print $1}')
            if [ -n "$t_el" ] && [ -n "$t_ru" ]; then
                ru_lat+=("$(echo "($t_ru - $t_el) * 1000" | bc -l)")
                ru_line+=("$(echo "($t_ru - $t_line) * 1000" | bc -l)")
            fi
        fi
        "$BIN" lab start "$old" --set "$name" >/dev/null
        sleep 3
    done
    for p in "${WATCHERS[@]}"; do kill "$p" 2>/dev/null || true; done
    WATCHERS=()
    stop_lab "$name"
    fmt() { printf '%s\n' "$@" | awk 'NF {printf "%.2f ", $1}'; }
    med() { printf '%.2f' "$(printf '%s\n' "$@" | awk 'NF' | median)"; }
    report() {
        local who=$1
        shift
        local -n at=$1 ln=$2
        echo "failover detection, $size members, $who: median $(med "${at[@]+"${at[@]}"}") ms after" \
            "the election time, $(med "${ln[@]+"${ln[@]}"}") ms after the lab's line arrived, over" \
            "${#at[@]} elections (ms after the election time: $(fmt "${at[@]+"${at[@]}"}"))" |
            tee -a "$TMP/table"
    }
    echo "failover detection, $size members: the lab's elected line arrived a median" \
        "$(med "${lab_lag[@]+"${lab_lag[@]}"}") ms after the election time it carries" | tee -a "$TMP/table"
    report "rsctl failover-watch" rs_lat rs_line
    if [ "$PEER" = 1 ]; then
        report pymongo py_lat py_line
    fi
    if [ "$RUST_PEER" = 1 ]; then
        report "Rust driver" ru_lat ru_line
    fi
done
