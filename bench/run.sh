#!/usr/bin/env bash
# run.sh - `make bench`: tyndau's throughput and latency beside a reference
# for each benchmark, on 127.0.0.1 only, in at most BENCH_DEADLINE seconds.
#
#   1. intake  POST /api/v1/appeals (wrk + bench/intake.lua, a new appeal per
#              request), then the DB count against the 201s; beside it nginx
#              answering a static 201 to the same requests, and the raw SQLite
#              insert rate for the same rows (bench/raw_sqlite.c) at 1, 64,
#              256 per commit and at the group size tyndau reached.
#   2. queue   GET /api/v1/queue?limit=50 as an official, on BENCH_SEED_COUNT
#              appeals (bench/seed.c; the file is kept under /tmp and reused);
#              beside it nginx serving the same response bytes as a static
#              file, and the raw SQLite rate of the queue SELECT.
#   3. memory  each server's VmRSS and VmHWM after its benchmark.
#
# Raw output goes to bench/out/<time>/ (bench/out/latest points there):
# the wrk outputs, server logs, summary.txt (name=value) and results.md (the
# tables for BENCHMARKS.md). Stops by itself: wrk runs are timed, every
# server runs under timeout(1) to the deadline, and an EXIT trap stops them.
#
# Environment (defaults in brackets):
#   TYNDAU_BIN [./tyndau]   BENCH_DURATION [20] s per measured wrk run
#   BENCH_CONNS [50]        BENCH_THREADS [2] wrk threads
#   BENCH_WARMUP [3] s      BENCH_RAW_SECONDS [5] s per raw SQLite run
#   BENCH_SEED_DB [/tmp/tyndau-bench-1m.db]  BENCH_SEED_COUNT [1000000]
#   BENCH_SERVER_ARGS []    extra options for both tyndau servers (--threads=2 ...)
#   BENCH_DEADLINE [570] s  the whole run, seeding included
#   BENCH_ONLY [intake queue]  run only these benchmarks
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

TYNDAU_BIN=${TYNDAU_BIN:-./tyndau}
DUR=${BENCH_DURATION:-20}
CONNS=${BENCH_CONNS:-50}
WRK_THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-3}
RAW_SECONDS=${BENCH_RAW_SECONDS:-5}
SEED_DB=${BENCH_SEED_DB:-/tmp/tyndau-bench-1m.db}
SEED_COUNT=${BENCH_SEED_COUNT:-1000000}
SERVER_ARGS=${BENCH_SERVER_ARGS:-}
DEADLINE_S=${BENCH_DEADLINE:-570}
ONLY=${BENCH_ONLY:-intake queue}
QUEUE_AGENCY=almaty-city.energy

START=$(date +%s)
DEADLINE=$((START + DEADLINE_S))
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/out/$STAMP
BIN=bench/out/bin
mkdir -p "$OUT" "$BIN"
ln -sfn "$STAMP" bench/out/latest
TMP=$(mktemp -d /tmp/tyndau-bench.XXXXXX)
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

say() { printf '%s\n' "$*" | tee -a "$OUT/log.txt"; }
put() { printf '%s=%s\n' "$1" "$2" >>"$SUMMARY"; }
get() { sed -n "s/^$1=//p" "$SUMMARY" | tail -1; }
die() {
    say "bench: $*"
    exit 1
}
remaining() { echo $((DEADLINE - $(date +%s))); }
need_time() {
    local left
    left=$(remaining)
    [ "$left" -ge "$1" ] || die "out of time: $left s left, $2 needs $1 s (BENCH_DEADLINE=$DEADLINE_S)"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
wants() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# wrk's latency ("812.00us", "1.25ms", "2.01s") in ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
        printf "%.2f", n }'
}
# From a wrk output file: requests/s, p50 and p99 in ms, non-2xx count, socket errors.
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_pct() { to_ms "$(awk -v p="$2%" '$1 == p {print $2}' "$1")"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ {n = $NF} END {print n + 0}' "$1"; }
wrk_sockerr() {
    awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10; f = 1} END {if (!f) print 0}' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
pass() { awk -v ok="$1" 'BEGIN { print (ok ? "pass" : "FAIL") }'; }

proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
proc_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
# One line per thread: "tid comm ticks" (user + system).
thread_ticks() {
    local t
    for t in /proc/"$1"/task/*; do
        sed 's/^[0-9]* (\(.*\)) /\1 /' "$t/stat" 2>/dev/null |
            awk -v tid="${t##*/}" '{print tid, $1, $13 + $14}'
    done
}
# From two thread_ticks snapshots of process pid: CPU seconds of the busiest
# thread that is neither the main thread (it only waits for signals) nor an
# MHD worker - the store's writer, the scheduler being off - and of the MHD
# workers, as "writer http".
thread_secs() { # before-file after-file pid
    awk -v hz="$(getconf CLK_TCK)" -v pid="$3" '
        NR == FNR { t0[$1] = $3; next }
        { d = $3 - t0[$1]; if ($2 ~ /^MHD/) h += d; else if ($1 != pid && d > w) w = d }
        END { printf "%.2f %.2f\n", w / hz, h / hz }' "$1" "$2"
}
pct() { awk -v s="$1" -v d="$2" 'BEGIN {printf "%.0f", 100 * s / d}'; }
us_per() { awk -v s="$1" -v n="$2" 'BEGIN {printf "%.0f", (n > 0 ? s * 1e6 / n : 0)}'; }

# Start tyndau serve on db; sets SRV_PID and SRV_PORT. Extra args follow.
start_tyndau() {
    local db=$1 log=$2
    shift 2
    # shellcheck disable=SC2086  # SERVER_ARGS is a list of options
    timeout -k 5 "$(remaining)" "$TYNDAU_BIN" serve --listen=127.0.0.1:0 --db="sqlite:$db" \
        --scheduler_interval_ms=0 --log_level=warn "$@" $SERVER_ARGS >"$log" 2>&1 &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    SRV_PORT=
    local _
    for _ in $(seq 100); do
        SRV_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log")
        [ -n "$SRV_PORT" ] && break
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$SRV_PORT" ] || die "tyndau did not start; see $log"
    # timeout(1) is the parent; the server is its child.
    local child
    child=$(pgrep -P "$SRV_PID" | head -1)
    SRV_REAL=${child:-$SRV_PID}
}

# SIGTERM the server and wait (it drains in-flight writes first).
stop_tyndau() {
    kill -TERM "$SRV_REAL" 2>/dev/null
    local _
    for _ in $(seq 300); do
        kill -0 "$SRV_REAL" 2>/dev/null || break
        sleep 0.1
    done
    wait "$SRV_PID" 2>/dev/null
    local rc=$?
    [ "$rc" -eq 0 ] || say "bench: tyndau exited with status $rc"
    return 0
}

# nginx on a free port with a config in $TMP/nginx; sets NGX_PID and NGX_PORT.
start_nginx() {
    local dir=$TMP/nginx try port
    mkdir -p "$dir/tmp"
    local user_line=
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    for try in 1 2 3 4 5 6 7 8; do
        port=$((20000 + RANDOM % 40000))
        [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ] || continue
        cat >"$dir/nginx.conf" <<EOF
# The reference server for bench/run.sh: what a request costs with no work behind it.
$user_line
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        location = /api/v1/appeals {
            default_type application/json;
            return 201 '$NGX_201_BODY';
        }
        location = /api/v1/queue {
            default_type application/json;
            alias $dir/queue.json;
        }
    }
}
EOF
        [ -f "$dir/queue.json" ] || printf '{"items":[],"next_cursor":null}' >"$dir/queue.json"
        timeout -k 5 "$(remaining)" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
            >"$OUT/nginx-$try.log" 2>&1 &
        NGX_PID=$!
        PIDS+=("$NGX_PID")
        local _
        for _ in $(seq 50); do
            if curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/queue"; then
                NGX_PORT=$port
                return 0
            fi
            kill -0 "$NGX_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM "$NGX_PID" 2>/dev/null
        wait "$NGX_PID" 2>/dev/null
    done
    cat "$dir/error.log" >>"$OUT/log.txt" 2>/dev/null
    die "nginx did not start (see $OUT/log.txt)"
}

stop_nginx() {
    kill -QUIT "$(cat "$TMP/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null || kill -TERM "$NGX_PID"
    wait "$NGX_PID" 2>/dev/null
    return 0
}

run_wrk() { # out-file url [wrk args...]
    local out=$1 url=$2
    shift 2
    timeout -k 5 $((DUR + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" "$@" "$url" >"$out" 2>&1
}

# ---- the machine ----

[ -x "$TYNDAU_BIN" ] || die "$TYNDAU_BIN not found: run make tyndau"
for tool in wrk nginx curl cc timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
say "tyndau benchmarks $(date -u +%Y-%m-%dT%H:%M:%SZ), output in $OUT"
say "nproc: $(nproc)"
say "cpu: ${CPU_MODEL:-unknown}"
say "kernel: $(uname -r); memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
say "tyndau: $(git describe --always --dirty 2>/dev/null || echo unknown); sqlite $(
    cc -E -dM -include sqlite3.h -x c /dev/null 2>/dev/null | sed -n 's/^#define SQLITE_VERSION "\(.*\)"/\1/p'
); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $(nginx -v 2>&1 | cut -d' ' -f3)"
say "binary: $TYNDAU_BIN ($(stat -c '%y' "$TYNDAU_BIN" | cut -d. -f1))"
say "load average before: $(loadavg)"
put date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
put nproc "$(nproc)"
put cpu "${CPU_MODEL:-unknown}"
put load_before "$(loadavg)"
put binary "$TYNDAU_BIN"

CFLAGS_B="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra"
# shellcheck disable=SC2086
cc $CFLAGS_B -o "$BIN/raw_sqlite" bench/raw_sqlite.c -lsqlite3 -lpthread || die "cannot build raw_sqlite"
# shellcheck disable=SC2086
cc $CFLAGS_B -o "$BIN/seed" bench/seed.c -lsqlite3 || die "cannot build seed"

# What tyndau answers a submission with, in size and shape (the nginx reference sends it).
NGX_201_BODY='{"tracking_id":"pbgjd5aorn6ocxvw","secret":"ddh5prvaqplecngfmnadpw7tn4","registration_number":"75-2026-0000001","registered_at":"2026-11-30T09:00:00+05:00","registered_by":"almaty-city.energy","status":"registered","topic":"water","agency":"almaty-city.energy","due_at":"2026-12-22T23:59:59+05:00","track_url":"/track/pbgjd5aorn6ocxvw"}'

# ---- 1. intake ----

intake() {
    need_time $((2 * (DUR + WARMUP) + 6 * RAW_SECONDS + 30)) "the intake benchmark"
    say ""
    say "== 1. intake: POST /api/v1/appeals, $CONNS connections, $WRK_THREADS threads, ${DUR}s"
    local db=$TMP/intake.db
    start_tyndau "$db" "$OUT/intake-tyndau.log" --rate_submit=100000000
    local url="http://127.0.0.1:$SRV_PORT/api/v1/appeals"
    BENCH_RUN="warm$START" timeout -k 5 $((WARMUP + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" \
        -d"${WARMUP}s" -s bench/intake.lua "$url" >"$OUT/intake-warmup.txt" 2>&1
    sleep 0.5
    local before after
    before=$("$BIN/raw_sqlite" count "$db")
    local cpu0 perf_pid=
    cpu0=$(proc_cpu_ticks "$SRV_REAL")
    thread_ticks "$SRV_REAL" >"$TMP/threads0"
    if command -v perf >/dev/null; then
        # Commits: one fdatasync of the WAL per group (plus two per checkpoint).
        perf stat -x, -e syscalls:sys_enter_fdatasync -p "$SRV_REAL" -o "$OUT/intake-fsync.csv" \
            -- sleep "$DUR" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    BENCH_RUN="run$START" run_wrk "$OUT/intake-tyndau.txt" "$url" -d"${DUR}s" --latency \
        -s bench/intake.lua
    [ -n "$perf_pid" ] && wait "$perf_pid"
    local cpu1
    cpu1=$(proc_cpu_ticks "$SRV_REAL")
    thread_ticks "$SRV_REAL" >"$TMP/threads1"
    local wsec hsec
    read -r wsec hsec < <(thread_secs "$TMP/threads0" "$TMP/threads1" "$SRV_REAL")
    put intake_rss_kb "$(proc_kb "$SRV_REAL" VmRSS)"
    put intake_hwm_kb "$(proc_kb "$SRV_REAL" VmHWM)"
    stop_tyndau
    after=$("$BIN/raw_sqlite" count "$db")
    cat "$OUT/intake-tyndau.txt" >>"$OUT/log.txt"

    local f=$OUT/intake-tyndau.txt
    local n201 nnon rps p50 p99
    n201=$(awk '/^status 201 / {print $3}' "$f")
    nnon=$(awk '/^status non201 / {print $3}' "$f")
    rps=$(wrk_rps "$f")
    p50=$(awk '/^latency / {printf "%.2f", $3 / 1000}' "$f")
    p99=$(awk '/^latency / {printf "%.2f", $7 / 1000}' "$f")
    if [ -z "$n201" ] || [ -z "$rps" ]; then
        die "the intake wrk run failed; see $f"
    fi
    local a0 a1 i0 i1
    a0=$(sed 's/.*appeals=\([0-9]*\).*/\1/' <<<"$before")
    a1=$(sed 's/.*appeals=\([0-9]*\).*/\1/' <<<"$after")
    i0=$(sed 's/.*idempotency=\([0-9]*\).*/\1/' <<<"$before")
    i1=$(sed 's/.*idempotency=\([0-9]*\).*/\1/' <<<"$after")
    local added=$((a1 - a0)) keys=$((i1 - i0)) inflight=$((a1 - a0 - n201))
    # wrk stops with up to CONNS requests in flight: the server commits them, wrk never
    # reads the 201. So the DB may hold up to CONNS appeals more than the 201s counted.
    local db_ok=0
    [ "$inflight" -ge 0 ] && [ "$inflight" -le "$CONNS" ] && [ "$keys" -eq "$added" ] && db_ok=1
    local ticks secs_cpu
    ticks=$(getconf CLK_TCK)
    secs_cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$ticks" 'BEGIN {printf "%.1f", (b - a) / t}')
    local syncs group=
    syncs=$(awk -F, '/fdatasync/ {print $1}' "$OUT/intake-fsync.csv" 2>/dev/null)
    if [ -n "$syncs" ] && [ "$syncs" -gt 0 ] 2>/dev/null; then
        group=$(awk -v n="$n201" -v s="$syncs" 'BEGIN {printf "%d", n / s + 0.5}')
    fi
    put intake_rps "$rps"
    put intake_p50_ms "$p50"
    put intake_p99_ms "$p99"
    put intake_201 "$n201"
    put intake_non201 "$nnon"
    put intake_db_added "$added"
    put intake_db_keys_added "$keys"
    put intake_inflight_at_stop "$inflight"
    put intake_db_ok "$db_ok"
    put intake_server_cpu_s "$secs_cpu"
    put intake_cpu_us_per_appeal "$(us_per "$secs_cpu" "$n201")"
    put intake_writer_busy_pct "$(pct "$wsec" "$DUR")"
    put intake_http_busy_pct "$(pct "$hsec" "$DUR")"
    put intake_writer_us_per_appeal "$(us_per "$wsec" "$n201")"
    put intake_http_us_per_appeal "$(us_per "$hsec" "$n201")"
    put intake_fdatasync "${syncs:-n/a}"
    put intake_group "${group:-n/a}"
    say "tyndau: $rps appeals/s, p50 $p50 ms, p99 $p99 ms; 201: $n201, other: $nnon;" \
        "server CPU ${secs_cpu}s in ${DUR}s ($(get intake_cpu_us_per_appeal) us per appeal;" \
        "writer thread busy $(get intake_writer_busy_pct)% ($(get intake_writer_us_per_appeal) us per" \
        "appeal), HTTP threads $(get intake_http_busy_pct)% ($(get intake_http_us_per_appeal) us));" \
        "fdatasync: ${syncs:-n/a} (about ${group:-?} appeals per commit)"
    say "db: $added appeals and $keys idempotency keys added; 201s $n201;" \
        "committed but unanswered at the stop: $inflight (0..$CONNS allowed) -> $(pass "$db_ok")"

    start_nginx
    local nurl="http://127.0.0.1:$NGX_PORT/api/v1/appeals"
    BENCH_RUN="nwarm$START" timeout -k 5 $((WARMUP + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" \
        -d"${WARMUP}s" -s bench/intake.lua "$nurl" >/dev/null 2>&1
    BENCH_RUN="nrun$START" run_wrk "$OUT/intake-nginx.txt" "$nurl" -d"${DUR}s" --latency \
        -s bench/intake.lua
    stop_nginx
    f=$OUT/intake-nginx.txt
    local nrps np50 np99 nn201
    nrps=$(wrk_rps "$f")
    np50=$(awk '/^latency / {printf "%.2f", $3 / 1000}' "$f")
    np99=$(awk '/^latency / {printf "%.2f", $7 / 1000}' "$f")
    nn201=$(awk '/^status non201 / {print $3}' "$f")
    put nginx_intake_rps "$nrps"
    put nginx_intake_p50_ms "$np50"
    put nginx_intake_p99_ms "$np99"
    put nginx_intake_non201 "$nn201"
    say "nginx static 201: $nrps req/s, p50 $np50 ms, p99 $np99 ms (non-201: $nn201)"

    # Raw SQLite: the same rows per appeal, fresh schema for each run.
    local groups="1 64 256"
    case " $groups " in *" ${group:-x} "*) ;; *) [ -n "$group" ] && groups="$groups $group" ;; esac
    local g
    for g in $groups; do
        rm -f "$TMP/raw.db"*
        "$TYNDAU_BIN" migrate --db="sqlite:$TMP/raw.db" --log_level=warn >/dev/null ||
            die "tyndau migrate failed"
        "$BIN/raw_sqlite" insert "$TMP/raw.db" --group="$g" --seconds="$RAW_SECONDS" \
            >"$OUT/raw-insert-$g.txt" 2>&1 || die "raw_sqlite failed; see $OUT/raw-insert-$g.txt"
        put "raw_insert_g${g}_rps" "$(sed -n 's/.*appeals_per_s=\([0-9]*\).*/\1/p' "$OUT/raw-insert-$g.txt")"
        put "raw_insert_g${g}_cpu_us" "$(sed -n 's/.*cpu_us_per_appeal=\([0-9]*\).*/\1/p' "$OUT/raw-insert-$g.txt")"
        say "raw SQLite, group $g: $(cat "$OUT/raw-insert-$g.txt")"
    done
    # At tyndau's group size: what its writer runs per appeal (all statements, a
    # savepoint each), then the same with the savepoint journal in memory.
    local gs=${group:-32} v
    for v in "full --savepoint" "full --savepoint --temp-store-memory"; do
        local tag
        tag=$(tr -d ' -' <<<"$v")
        rm -f "$TMP/raw.db"*
        "$TYNDAU_BIN" migrate --db="sqlite:$TMP/raw.db" --log_level=warn >/dev/null ||
            die "tyndau migrate failed"
        # shellcheck disable=SC2086
        "$BIN/raw_sqlite" insert "$TMP/raw.db" --group="$gs" --seconds="$RAW_SECONDS" --$v \
            >"$OUT/raw-insert-$tag.txt" 2>&1 || die "raw_sqlite failed"
        put "raw_insert_${tag}_rps" "$(sed -n 's/.*appeals_per_s=\([0-9]*\).*/\1/p' "$OUT/raw-insert-$tag.txt")"
        put "raw_insert_${tag}_cpu_us" "$(sed -n 's/.*cpu_us_per_appeal=\([0-9]*\).*/\1/p' "$OUT/raw-insert-$tag.txt")"
        say "raw SQLite, group $gs, --$v: $(cat "$OUT/raw-insert-$tag.txt")"
    done
    rm -f "$TMP/raw.db"* "$db"*
}

# ---- 2. queue ----

seed_db() {
    if [ -f "$SEED_DB" ]; then
        # A seed made by an older schema is useless: this tyndau must find nothing to migrate.
        if "$BIN/seed" "$SEED_DB" --count="$SEED_COUNT" >"$OUT/seed.txt" 2>&1 &&
            "$TYNDAU_BIN" migrate --db="sqlite:$SEED_DB" --log_level=info 2>&1 >/dev/null |
            { ! grep -q "applied\|cannot"; }; then
            say "$(cat "$OUT/seed.txt")"
            return 0
        fi
        say "bench: $SEED_DB is not a seed of $SEED_COUNT appeals ($(cat "$OUT/seed.txt")); seeding anew"
        rm -f "$SEED_DB" "$SEED_DB-wal" "$SEED_DB-shm"
    fi
    need_time 120 "seeding $SEED_COUNT appeals"
    local tmpdb=$SEED_DB.tmp
    rm -f "$tmpdb" "$tmpdb-wal" "$tmpdb-shm"
    "$TYNDAU_BIN" migrate --db="sqlite:$tmpdb" --log_level=warn >/dev/null || die "tyndau migrate failed"
    local t0=$SECONDS
    timeout -k 5 "$(remaining)" "$BIN/seed" "$tmpdb" --count="$SEED_COUNT" >"$OUT/seed.txt" 2>&1 ||
        die "seeding failed: $(cat "$OUT/seed.txt")"
    rm -f "$tmpdb-wal" "$tmpdb-shm"
    mv "$tmpdb" "$SEED_DB"
    say "$(cat "$OUT/seed.txt") in $((SECONDS - t0)) s"
}

queue() {
    say ""
    say "== 2. queue: GET /api/v1/queue?limit=50 as an official of $QUEUE_AGENCY, $CONNS connections, ${DUR}s"
    seed_db
    need_time $((2 * (DUR + WARMUP) + RAW_SECONDS + 20)) "the queue benchmark"
    local login=bench-official
    if ! "$TYNDAU_BIN" user token "$login" --db="sqlite:$SEED_DB" --log_level=error >/dev/null 2>&1; then
        echo "bench-official-password" | "$TYNDAU_BIN" user add "$login" --role=official \
            --agency="$QUEUE_AGENCY" --name="Bench Official" --db="sqlite:$SEED_DB" \
            --log_level=warn >/dev/null || die "cannot add the official $login"
    fi
    local token
    token=$("$TYNDAU_BIN" user token "$login" --label=bench --db="sqlite:$SEED_DB" --log_level=warn)
    [ -n "$token" ] || die "cannot make an API token for $login"

    start_tyndau "$SEED_DB" "$OUT/queue-tyndau.log"
    local url="http://127.0.0.1:$SRV_PORT/api/v1/queue?limit=50"
    local code
    code=$(curl -s -o "$TMP/queue.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
    [ "$code" = 200 ] || die "GET /api/v1/queue answered $code: $(head -c 300 "$TMP/queue.json")"
    local items
    items=$(grep -o '"tracking_id"' "$TMP/queue.json" | wc -l)
    put queue_items "$items"
    put queue_body_bytes "$(wc -c <"$TMP/queue.json")"
    timeout -k 5 $((WARMUP + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" \
        -H "Authorization: Bearer $token" "$url" >/dev/null 2>&1
    local cpu0 cpu1
    cpu0=$(proc_cpu_ticks "$SRV_REAL")
    thread_ticks "$SRV_REAL" >"$TMP/threads0"
    run_wrk "$OUT/queue-tyndau.txt" "$url" -d"${DUR}s" --latency -H "Authorization: Bearer $token"
    cpu1=$(proc_cpu_ticks "$SRV_REAL")
    thread_ticks "$SRV_REAL" >"$TMP/threads1"
    local wsec hsec
    read -r wsec hsec < <(thread_secs "$TMP/threads0" "$TMP/threads1" "$SRV_REAL")
    put queue_http_busy_pct "$(pct "$hsec" "$DUR")"
    put queue_rss_kb "$(proc_kb "$SRV_REAL" VmRSS)"
    put queue_hwm_kb "$(proc_kb "$SRV_REAL" VmHWM)"
    stop_tyndau
    cat "$OUT/queue-tyndau.txt" >>"$OUT/log.txt"
    local f=$OUT/queue-tyndau.txt rps p50 p99 non err
    rps=$(wrk_rps "$f")
    p50=$(wrk_pct "$f" 50)
    p99=$(wrk_pct "$f" 99)
    non=$(wrk_non2xx "$f")
    err=$(wrk_sockerr "$f")
    [ -n "$rps" ] || die "the queue wrk run failed; see $f"
    put queue_rps "$rps"
    put queue_p50_ms "$p50"
    put queue_p99_ms "$p99"
    put queue_non2xx "$non"
    put queue_socket_errors "$err"
    put queue_server_cpu_s "$(awk -v a="$cpu0" -v b="$cpu1" -v t="$(getconf CLK_TCK)" \
        'BEGIN {printf "%.1f", (b - a) / t}')"
    put queue_cpu_us_per_req "$(awk -v c="$(get queue_server_cpu_s)" -v r="$rps" -v d="$DUR" \
        'BEGIN {printf "%.0f", r ? c * 1e6 / (r * d) : 0}')"
    say "tyndau: $rps req/s, p50 $p50 ms, p99 $p99 ms; $items items, $(get queue_body_bytes) bytes" \
        "per response; non-2xx $non, socket errors $err; server CPU $(get queue_server_cpu_s)s" \
        "in ${DUR}s ($(get queue_cpu_us_per_req) us per request; HTTP threads" \
        "$(get queue_http_busy_pct)% of one CPU)"

    mkdir -p "$TMP/nginx"
    cp "$TMP/queue.json" "$TMP/nginx/queue.json"
    start_nginx
    local nurl="http://127.0.0.1:$NGX_PORT/api/v1/queue?limit=50"
    timeout -k 5 $((WARMUP + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" "$nurl" \
        >/dev/null 2>&1
    run_wrk "$OUT/queue-nginx.txt" "$nurl" -d"${DUR}s" --latency -H "Authorization: Bearer $token"
    stop_nginx
    f=$OUT/queue-nginx.txt
    put nginx_queue_rps "$(wrk_rps "$f")"
    put nginx_queue_p50_ms "$(wrk_pct "$f" 50)"
    put nginx_queue_p99_ms "$(wrk_pct "$f" 99)"
    say "nginx static file of the same bytes: $(get nginx_queue_rps) req/s, p50" \
        "$(get nginx_queue_p50_ms) ms, p99 $(get nginx_queue_p99_ms) ms"

    local v
    for v in "" "--narrow"; do
        local tag=queue${v//-/}
        "$BIN/raw_sqlite" queue "$SEED_DB" --agency="$QUEUE_AGENCY" --limit=50 \
            --threads="$(nproc)" --seconds="$RAW_SECONDS" $v >"$OUT/raw-$tag.txt" 2>&1 ||
            die "raw_sqlite queue failed; see $OUT/raw-$tag.txt"
        put "raw_${tag}_qps" "$(sed -n 's/.*queries_per_s=\([0-9]*\).*/\1/p' "$OUT/raw-$tag.txt")"
        put "raw_${tag}_cpu_us" "$(sed -n 's/.*cpu_us_per_query=\([0-9]*\).*/\1/p' "$OUT/raw-$tag.txt")"
        say "raw SQLite queue SELECT $v: $(cat "$OUT/raw-$tag.txt")"
    done
}

wants intake && intake
wants queue && queue

# ---- results ----

say ""
say "load average after: $(loadavg)"
put load_after "$(loadavg)"
R=$OUT/results.md
{
    echo "Machine: $(nproc) CPUs ($(get cpu)), $(get date); load average before/after:" \
        "$(get load_before) / $(get load_after)."
    if wants intake; then
        ok=$(awk -v r="$(get intake_rps)" -v p="$(get intake_p99_ms)" \
            'BEGIN {print (r >= 5000 && p <= 20)}')
        g=$(get intake_group)
        echo ""
        echo "| intake, POST /api/v1/appeals | appeals/s | p50 ms | p99 ms | CPU µs each | tyndau / it |"
        echo "|---|---:|---:|---:|---:|---:|"
        echo "| **tyndau** | **$(get intake_rps)** | $(get intake_p50_ms) | $(get intake_p99_ms) |" \
            "$(get intake_cpu_us_per_appeal) | 1 |"
        echo "| nginx, static 201 | $(get nginx_intake_rps) | $(get nginx_intake_p50_ms) |" \
            "$(get nginx_intake_p99_ms) | | $(ratio "$(get intake_rps)" "$(get nginx_intake_rps)") |"
        ks="1 64 256"
        case " $ks " in *" $g "*) ;; *) [[ "$g" =~ ^[0-9]+$ ]] && ks="$ks $g" ;; esac
        for k in $ks; do
            v=$(get "raw_insert_g${k}_rps")
            [ -n "$v" ] || continue
            echo "| raw SQLite, 4 rows per appeal, $k per commit | $v | | |" \
                "$(get "raw_insert_g${k}_cpu_us") | $(ratio "$(get intake_rps)" "$v") |"
        done
        v=$(get raw_insert_fullsavepoint_rps)
        echo "| raw SQLite, tyndau's statements + savepoint, ${g:-32} per commit | $v | | |" \
            "$(get raw_insert_fullsavepoint_cpu_us) | $(ratio "$(get intake_rps)" "$v") |"
        v=$(get raw_insert_fullsavepointtempstorememory_rps)
        echo "| same, temp_store=MEMORY | $v | | | $(get raw_insert_fullsavepointtempstorememory_cpu_us) |" \
            "$(ratio "$(get intake_rps)" "$v") |"
        echo "| target | ≥ 5000 | | ≤ 20 | | **$(pass "$ok")** |"
        echo ""
        echo "201: $(get intake_201), non-201: $(get intake_non201); DB: $(get intake_db_added)" \
            "appeals and $(get intake_db_keys_added) idempotency keys added," \
            "$(get intake_inflight_at_stop) committed after wrk stopped reading" \
            "(allowed 0..$CONNS) -> $(pass "$(get intake_db_ok)"). fdatasync calls:" \
            "$(get intake_fdatasync), about $(get intake_group) appeals per commit. Server CPU" \
            "$(get intake_server_cpu_s) s in $DUR s, $(get intake_cpu_us_per_appeal) µs per appeal;" \
            "the store's writer thread was on a CPU $(get intake_writer_busy_pct)% of the run" \
            "($(get intake_writer_us_per_appeal) µs per appeal), the HTTP threads" \
            "$(get intake_http_busy_pct)% of one CPU ($(get intake_http_us_per_appeal) µs per appeal)."
    fi
    if wants queue; then
        ok=$(awk -v r="$(get queue_rps)" -v p="$(get queue_p99_ms)" \
            'BEGIN {print (r >= 10000 && p <= 20)}')
        echo ""
        echo "| queue, GET /api/v1/queue?limit=50 | req/s | p50 ms | p99 ms | CPU µs each | tyndau / it |"
        echo "|---|---:|---:|---:|---:|---:|"
        echo "| **tyndau** | **$(get queue_rps)** | $(get queue_p50_ms) | $(get queue_p99_ms) |" \
            "$(get queue_cpu_us_per_req) | 1 |"
        echo "| nginx, the same $(get queue_body_bytes) bytes from a file | $(get nginx_queue_rps) |" \
            "$(get nginx_queue_p50_ms) | $(get nginx_queue_p99_ms) | |" \
            "$(ratio "$(get queue_rps)" "$(get nginx_queue_rps)") |"
        echo "| raw SQLite, the queue SELECT, $(nproc) threads | $(get raw_queue_qps) | | |" \
            "$(get raw_queue_cpu_us) | $(ratio "$(get queue_rps)" "$(get raw_queue_qps)") |"
        echo "| raw SQLite, the 19 columns the JSON shows | $(get raw_queuenarrow_qps) | | |" \
            "$(get raw_queuenarrow_cpu_us) | $(ratio "$(get queue_rps)" "$(get raw_queuenarrow_qps)") |"
        echo "| target | ≥ 10000 | | ≤ 20 | | **$(pass "$ok")** |"
        echo ""
        echo "$(get queue_items) items, $(get queue_body_bytes) bytes per response; non-2xx:" \
            "$(get queue_non2xx), socket errors: $(get queue_socket_errors). Server CPU" \
            "$(get queue_server_cpu_s) s in $DUR s, $(get queue_cpu_us_per_req) µs per request" \
            "(HTTP threads $(get queue_http_busy_pct)% of one CPU)."
    fi
    echo ""
    echo "| memory after the benchmark | VmRSS MB | VmHWM MB | target | |"
    echo "|---|---:|---:|---:|---|"
    for b in intake queue; do
        wants "$b" || continue
        rss=$(get "${b}_rss_kb")
        hwm=$(get "${b}_hwm_kb")
        ok=$(awk -v h="$hwm" 'BEGIN {print (h > 0 && h <= 200 * 1024)}')
        echo "| tyndau after $b | $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}') |" \
            "$(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}') | ≤ 200 | **$(pass "$ok")** |"
    done
} >"$R"
say ""
tee -a "$OUT/log.txt" <"$R"
say ""
say "raw results: $OUT (bench/out/latest); took $(($(date +%s) - START)) s"
