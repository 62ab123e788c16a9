#!/usr/bin/env bash
# run.sh - GET /api/v1/stats on 100,000 seeded appeals (bench/seed.c), as an
# analyst: every agency, then the busiest agency; wrk -t2 -c8 for
# BENCH_DURATION seconds each. Run it for a build without the figures cache
# (REF_BIN) and for this one (TYNDAU_BIN) in the same run: the ratio is the
# figure to compare. Prints wrk's summary lines, the load average before and
# after, and the time of one cold call.
#
#   REF_BIN=/path/to/older/tyndau bench/stats/run.sh
#
# Environment: TYNDAU_BIN [./tyndau], REF_BIN [none: only TYNDAU_BIN],
# BENCH_DURATION [10], BENCH_STATS_DB [/tmp/tyndau-bench-stats-100k.db].
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
TYNDAU_BIN=${TYNDAU_BIN:-./tyndau}
DUR=${BENCH_DURATION:-10}
DB=${BENCH_STATS_DB:-/tmp/tyndau-bench-stats-100k.db}
OUT=$(mktemp -d /tmp/tyndau-bench-stats.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -o "$OUT/seed" bench/seed.c -lsqlite3 ||
    exit 2
[ -f "$DB" ] || "$TYNDAU_BIN" migrate --db="sqlite:$DB" >/dev/null || exit 2
"$OUT/seed" "$DB" --count=100000 || exit 2
if ! sqlite3 "$DB" "SELECT 1 FROM users WHERE login = 'bench-analyst'" | grep -q 1; then
    echo 'correct-horse-battery-9' |
        "$TYNDAU_BIN" user add bench-analyst --role=analyst --name=Bench --db="sqlite:$DB" >/dev/null
fi
TOKEN=$("$TYNDAU_BIN" user token bench-analyst --db="sqlite:$DB")
AGENCY=$(sqlite3 "$DB" "SELECT agency FROM appeals GROUP BY agency ORDER BY count(*) DESC LIMIT 1")
echo "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo)"

one() {
    local bin=$1 name=$2
    echo "== $name ($bin); load $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout $((DUR * 2 + 60)) "$bin" serve --listen=127.0.0.1:0 --db="sqlite:$DB" \
        --scheduler_interval_ms=0 --log_level=warn --threads=4 >"$OUT/$name.out" 2>"$OUT/$name.err" &
    local pid=$!
    for _ in $(seq 1 100); do
        grep -q listening "$OUT/$name.out" 2>/dev/null && break
        sleep 0.2
    done
    local port
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/$name.out" | head -1)
    curl -s -o /dev/null -w "one cold call: %{time_total} s\n" -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$port/api/v1/stats"
    for path in "/api/v1/stats" "/api/v1/stats?agency=$AGENCY"; do
        echo "-- $path"
        wrk -t2 -c8 -d"${DUR}s" --latency -H "Authorization: Bearer $TOKEN" \
            "http://127.0.0.1:$port$path" | grep -E 'Requests/sec|50%|99%|requests in|Non-2xx'
    done
    kill "$pid"
    wait "$pid" 2>/dev/null
    echo "load after $(cut -d' ' -f1-3 /proc/loadavg)"
}

[ -n "${REF_BIN:-}" ] && one "$REF_BIN" reference
one "$TYNDAU_BIN" tyndau
