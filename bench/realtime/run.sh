#!/usr/bin/env bash
# run.sh - the live stream's fan-out against nginx with the nchan module,
# measured in the same run by the same client (bench/realtime/sse_bench.c):
# SSE_SUBS subscribers spread over 127.0.0.x source addresses, events
# published at each rate of SSE_RATES per second for SSE_SECONDS (100/s to
# 10,000 subscribers is a million deliveries a second: on two cores shared
# with the client that saturates any server, so a low rate shows latency
# when the machine keeps up), publish -> receive latency of
# every delivery, delivered events/s, and each server's RSS per idle
# subscriber. tyndau publishes by registering an appeal (the event leaves
# after its durable commit), nchan by a POST to its publisher location.
# raw is the machine's floor (bench/realtime/raw_fanout.c: a publish is
# answered at once and its frame sent to every socket, nothing else), so
# tyndau/raw says how far tyndau is above what any server could do here.
# Results: bench/out/realtime-<time>/summary.txt and results.md. Stops by
# itself: every server runs under timeout(1) and an EXIT trap stops them.
#
# Environment: TYNDAU_BIN [./tyndau], SSE_SUBS [10000], SSE_RATES [2 100],
# SSE_SECONDS [6], SSE_PER_IP [250], SSE_TIMEOUT [300] s per server;
# SSE_WARMUP [5]: events published to each server before its subscribers
# connect, so that its start-up (tyndau's first appeal faults in the
# near-duplicate index, about 0.1 s) is not a delivery latency;
# SERVERS: which to measure, in order, from tyndau, tyndau2 (the same
# binary with --live-writers=2), base, raw, raw2 (two writer threads),
# rawsync (raw, each publish first appended to a file and fdatasync'd, as
# durable as tyndau's) and nchan [tyndau raw nchan, and base when
# TYNDAU_BASE_BIN is set];
# TYNDAU_BASE_BIN (optional): another build, measured in the same run as
# "base" (say, the commit before a change), so a change is a ratio;
# TYNDAU_SERVE_ARGS: more options for every tyndau server;
# RAW_FRAME_BYTES [400]: the raw server's frame, padded to the size of one
# of tyndau's events.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

TYNDAU_BIN=${TYNDAU_BIN:-./tyndau}
BASE_BIN=${TYNDAU_BASE_BIN:-}
SERVERS=${SERVERS:-tyndau${BASE_BIN:+ base} raw nchan}
RAW_FRAME_BYTES=${RAW_FRAME_BYTES:-400}
SUBS=${SSE_SUBS:-10000}
RATES=${SSE_RATES:-2 100}
SERVE_ARGS=${TYNDAU_SERVE_ARGS:-}
SECONDS_EACH=${SSE_SECONDS:-6}
PER_IP=${SSE_PER_IP:-250}
WARMUP=${SSE_WARMUP:-5}
LIMIT=${SSE_TIMEOUT:-300}
OUT=bench/out/realtime-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
work=$(mktemp -d /tmp/tyndau-sse-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -Wall -Wextra -o "$work/sse_bench" bench/realtime/sse_bench.c -lpthread || exit 1
cc -O2 -Wall -Wextra -o "$work/raw_fanout" bench/realtime/raw_fanout.c -lpthread || exit 1
ulimit -n "$(ulimit -Hn)"
port_free() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

{
    echo "nproc=$(nproc)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/summary.txt"

# tyndau (binary $2, more options $3) on a fresh SQLite file, results
# prefixed $1_r<rate>_
run_tyndau() {
    local name=$1 bin=$2 extra=${3:-} port tpid
    port=$(port_free)
    rm -f "$work"/t.db*
    "$bin" migrate --db="sqlite:$work/t.db" >/dev/null || exit 1
    # shellcheck disable=SC2086 # the options are split on purpose
    timeout "$LIMIT" "$bin" serve --db="sqlite:$work/t.db" --listen="127.0.0.1:$port" \
        --conn-max=$((SUBS + 200)) --per-ip-max=$((PER_IP + 50)) --rate-submit=1000000 \
        --scheduler-interval-ms=0 --log-level=warn $SERVE_ARGS $extra 2>"$OUT/$name.log" &
    tpid=$!
    pids+=("$tpid")
    wait_port "$port" || { echo "$name did not start" >&2; exit 1; }
    "$work/sse_bench" --port "$port" --sub-path /api/v1/events --pub-path /api/v1/appeals \
        --mode tyndau --subs "$SUBS" --rate "$RATE" --events "$EVENTS" --per-ip "$PER_IP" \
        --warmup "$WARMUP" \
        --pid "$tpid" | sed "s/^/${name}_r${RATE}_/" | tee -a "$OUT/summary.txt"
    kill "$tpid" 2>/dev/null
    wait "$tpid" 2>/dev/null
}

# the floor (bench/realtime/raw_fanout.c) with $2 writer threads, more
# options $3
run_raw() {
    local name=$1 extra=${3:-} port rpid
    port=$(port_free)
    # shellcheck disable=SC2086 # the options are split on purpose
    timeout "$LIMIT" "$work/raw_fanout" --port "$port" --writers "$2" \
        --frame-bytes "$RAW_FRAME_BYTES" --subs-max $((SUBS + 200)) $extra 2>"$OUT/$name.log" &
    rpid=$!
    pids+=("$rpid")
    wait_port "$port" || { echo "$name did not start" >&2; exit 1; }
    "$work/sse_bench" --port "$port" --sub-path /sub --pub-path /pub --mode raw \
        --subs "$SUBS" --rate "$RATE" --events "$EVENTS" --per-ip "$PER_IP" \
        --warmup "$WARMUP" \
        --pid "$rpid" | sed "s/^/${name}_r${RATE}_/" | tee -a "$OUT/summary.txt"
    kill "$rpid" 2>/dev/null
    wait "$rpid" 2>/dev/null
}

# nginx + nchan, two workers as tyndau has two cores
run_nchan() {
    local port npid
    port=$(port_free)
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes 2;
worker_rlimit_nofile $((SUBS * 2 + 1000));
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections $((SUBS + 1000)); }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        location = /sub { nchan_subscriber eventsource; nchan_channel_id bench; }
        location = /pub { nchan_publisher; nchan_channel_id bench; }
    }
}
EOF
    timeout "$LIMIT" nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$OUT/nginx.log" &
    npid=$!
    pids+=("$npid")
    wait_port "$port" || { echo "nginx did not start" >&2; exit 1; }
    "$work/sse_bench" --port "$port" --sub-path /sub --pub-path /pub --mode nchan \
        --subs "$SUBS" --rate "$RATE" --events "$EVENTS" --per-ip "$PER_IP" \
        --warmup "$WARMUP" \
        --pid "$(cat "$work/nginx/nginx.pid")" | sed "s/^/nchan_r${RATE}_/" | tee -a "$OUT/summary.txt"
    kill "$npid" 2>/dev/null
    wait "$npid" 2>/dev/null
}

for RATE in $RATES; do
    EVENTS=$((RATE * SECONDS_EACH))
    for s in $SERVERS; do
        echo "${s}_r${RATE}_load_before=$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/summary.txt"
        case $s in
        tyndau) run_tyndau tyndau "$TYNDAU_BIN" ;;
        tyndau2) run_tyndau tyndau2 "$TYNDAU_BIN" --live-writers=2 ;;
        base) [ -n "$BASE_BIN" ] && run_tyndau base "$BASE_BIN" ;;
        raw) run_raw raw 1 ;;
        raw2) run_raw raw2 2 ;;
        rawsync) run_raw rawsync 1 "--sync-file $work/raw.sync" ;;
        nchan) run_nchan ;;
        *) echo "unknown server $s" >&2; exit 2 ;;
        esac
    done
done

get() { sed -n "s/^$1=//p" "$OUT/summary.txt"; }
# a / b to two places, or "-" when either is missing or b is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }
# tyndau over the floor, per rate: in the summary, and a table below
has() { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }
if has tyndau && has raw; then
    for r in $RATES; do
        for m in lat_p50_ms lat_p99_ms delivered_per_s; do
            echo "tyndau_over_raw_r${r}_$m=$(ratio "$(get "tyndau_r${r}_$m")" "$(get "raw_r${r}_$m")")"
        done
    done >>"$OUT/summary.txt"
fi
{
    echo "| server | subscribers | events × rate | published/s | delivered | delivered/s | p50 ms | p99 ms | p99.9 ms | RSS per idle subscriber | publish ack p50 ms | spread p50 ms | client CPU | server CPU | load before |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for r in $RATES; do
        for s in $SERVERS; do
            k=${s}_r${r}
            echo "| $s | $(get ${k}_subs_ok) | $(get ${k}_events) × $(get ${k}_rate)/s | $(get ${k}_published_per_s) | $(get ${k}_delivered) of $(get ${k}_expected) | $(get ${k}_delivered_per_s) | $(get ${k}_lat_p50_ms) | $(get ${k}_lat_p99_ms) | $(get ${k}_lat_p999_ms) | $(get ${k}_rss_per_sub_bytes) B | $(get ${k}_pub_ack_p50_ms) | $(get ${k}_spread_p50_ms) | $(get ${k}_client_cpu_pct)% | $(get ${k}_server_cpu_pct)% | $(get ${k}_load_before) |"
        done
    done
    echo
    if has tyndau && has raw; then
        echo "| tyndau / raw | p50 | p99 | delivered/s |"
        echo "|---|---:|---:|---:|"
        for r in $RATES; do
            echo "| $r/s | $(get tyndau_over_raw_r${r}_lat_p50_ms) | $(get tyndau_over_raw_r${r}_lat_p99_ms) | $(get tyndau_over_raw_r${r}_delivered_per_s) |"
        done
        echo
    fi
    echo "nproc $(get nproc), $(get cpu); load before: $(get load_before); after: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/results.md"
ln -sfn "$(basename "$OUT")" bench/out/realtime-latest
cat "$OUT/results.md"
