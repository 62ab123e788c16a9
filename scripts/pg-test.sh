#!/usr/bin/env bash
# pg-test.sh - a throwaway PostgreSQL 15 for the tests.
#   eval "$(scripts/pg-test.sh [start])"   start one; prints the exports below
#   scripts/pg-test.sh stop DIR            stop it and remove DIR
# start initialises a cluster in a fresh /tmp/tyndau-pg.XXXXXX (as the
# postgres user when run as root: initdb refuses root), listens on 127.0.0.1
# at the first free port from 55432 up, keeps its unix socket in that folder,
# runs with fsync on, creates database tyndau_test, and prints to stdout:
#   export TEST_PG_DSN=postgresql://postgres@127.0.0.1:PORT/tyndau_test
#   export TEST_PG_DIR=DIR
#   trap '.../pg-test.sh stop DIR' EXIT
# Everything else goes to stderr. PG_BIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
MARK=.tyndau-pg-test

say() { printf 'pg-test: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

# Run a command as the cluster's owner: postgres when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
    local dir=${1:?usage: pg-test.sh stop DIR}
    [ -d "$dir" ] || return 0
    [ -e "$dir/$MARK" ] || die "$dir was not made by pg-test.sh; not touching it"
    if [ -f "$dir/data/postmaster.pid" ]; then
        (cd "$dir" && as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null) ||
            say "pg_ctl stop failed; see $dir/log"
    fi
    rm -rf "$dir"
}

start() {
    [ -x "$PG_BIN/initdb" ] || die "no $PG_BIN/initdb (apt-get install postgresql)"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user"
    fi
    local dir port tries=0
    dir=$(mktemp -d /tmp/tyndau-pg.XXXXXX)
    : >"$dir/$MARK"
    [ "$(id -u)" -ne 0 ] || chown -R postgres: "$dir"
    # Leave nothing behind if we fail half way.
    # shellcheck disable=SC2064 # expand now: $dir is local
    trap "stop '$dir' 2>/dev/null || true" EXIT
    cd "$dir" # the owner must be able to stand in the working directory

    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
        --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    }
    cat >>"$dir/data/postgresql.conf" <<EOF
# pg-test.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
max_connections = 200
log_min_messages = warning
EOF
    port=55432
    while :; do
        tries=$((tries + 1))
        [ "$tries" -le 50 ] || die "no free port in 55432..$((55432 + 49))"
        if port_busy "$port"; then
            port=$((port + 1))
            continue
        fi
        if as_owner "$PG_BIN/pg_ctl" start -D "$dir/data" -o "-p $port" -l "$dir/log" -w -t 60 \
            >/dev/null 2>&1; then
            break
        fi
        # Lost a race for the port, or something else is wrong: look at the log.
        if grep -q -e 'could not bind' -e 'could not create listen socket' \
            -e 'Address already in use' "$dir/log" 2>/dev/null; then
            : >"$dir/log"
            port=$((port + 1))
            continue
        fi
        cat "$dir/log" >&2
        die "postgres did not start"
    done
    as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres tyndau_test ||
        die "createdb failed"
    trap - EXIT
    say "postgres 15 on 127.0.0.1:$port, data in $dir"
    printf 'export TEST_PG_DSN=postgresql://postgres@127.0.0.1:%s/tyndau_test\n' "$port"
    printf 'export TEST_PG_DIR=%s\n' "$dir"
    printf "trap '%s stop %s' EXIT\n" "$SELF" "$dir"
}

case "${1:-start}" in
start) start ;;
stop) stop "${2:-}" ;;
*) die "usage: pg-test.sh [start] | stop DIR" ;;
esac
