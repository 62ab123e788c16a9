#!/usr/bin/env bash
# deps.sh - install what tyndau needs to build and test (Debian 12), then the
# web-test packages from package-lock.json. Idempotent: when everything is
# present it only reads the dpkg database and returns within a second.
#   TYNDAU_SKIP_APT=1   check nothing, install nothing from Debian
#   TYNDAU_SKIP_NPM=1   leave node_modules alone
set -euo pipefail
cd "$(dirname "$0")/.."

# postgresql: server binaries for the tests (/usr/lib/postgresql/15/bin);
# chromium: the e2e browser; wrk, nginx-light and libnginx-mod-nchan: bench
# and its references (static files; the live stream's fan-out);
# fasttext and python3-sklearn: the router benchmark's references;
# clang, libclang-rt-14-dev and llvm: make fuzz (libFuzzer, sanitizer runtimes,
# symbolizer). R's survey package (r-cran-survey) is optional: the opinion
# conformance test re-runs R when it is installed and checks the committed
# golden files either way.
PKGS=(
    build-essential make pkg-config git ca-certificates
    libmicrohttpd-dev libjansson-dev libsodium-dev libutf8proc-dev
    libsqlite3-dev sqlite3 libcurl4-openssl-dev libpq-dev postgresql
    libcmocka-dev clang-format libstemmer-dev liblinear-dev
    clang libclang-rt-14-dev llvm
    nodejs npm chromium
    wrk nginx-light libnginx-mod-nchan curl procps
    fasttext python3-sklearn
)

say() { printf 'deps: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        say "not root and no sudo: cannot run $*"
        return 1
    fi
}

# Names of installed packages and of what they provide (nodesource's nodejs
# provides npm and conflicts with Debian's npm, so a Provides counts).
installed_names() {
    dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Provides}\n' 2>/dev/null |
        awk -F'|' '$1 ~ /^ii/ {
            print $2
            n = split($3, p, ",")
            for (i = 1; i <= n; i++) {
                sub(/^ +/, "", p[i]); sub(/ .*/, "", p[i]); sub(/:.*/, "", p[i])
                if (p[i] != "") print p[i]
            }
        }'
}

missing_pkgs() {
    local have p
    have=" $(installed_names | tr '\n' ' ') "
    for p in "${PKGS[@]}"; do
        case "$have" in *" $p "*) continue ;; esac
        # node and npm installed outside dpkg (nvm, /usr/local) are fine too
        case "$p" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
        esac
        printf '%s\n' "$p"
    done
}

apt_install() {
    local -a missing
    mapfile -t missing < <(missing_pkgs)
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "installing: ${missing[*]}"
    # Keep package scripts from starting daemons (postgresql on 5432, nginx on
    # 80): the tests start their own. Only when no policy is in place already.
    local policy=/usr/sbin/policy-rc.d made_policy=
    if [ ! -e "$policy" ]; then
        as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
        made_policy=1
        # shellcheck disable=SC2064 # expand now: $policy is local
        trap "as_root rm -f $policy" EXIT
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
        -o Dpkg::Use-Pty=0 "${missing[@]}"
    if [ -n "$made_policy" ]; then
        as_root rm -f "$policy"
        trap - EXIT
    fi
    mapfile -t missing < <(missing_pkgs)
    if [ "${#missing[@]}" -ne 0 ]; then
        say "still missing after install: ${missing[*]}"
        return 1
    fi
}

npm_install() {
    [ -f package-lock.json ] || return 0
    # npm writes node_modules/.package-lock.json last, so it dates the install.
    local stamp=node_modules/.package-lock.json
    if [ -f "$stamp" ] && ! [ package-lock.json -nt "$stamp" ] && ! [ package.json -nt "$stamp" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        say "npm not found: cannot install node_modules"
        return 1
    fi
    say "npm ci (node $(node --version 2>/dev/null), npm $(npm --version 2>/dev/null))"
    # Node trusts only its own CA list; add the system's (local or proxy CAs).
    local ca=/etc/ssl/certs/ca-certificates.crt
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$ca" ]; then
        export NODE_EXTRA_CA_CERTS=$ca
    fi
    npm ci --no-audit --no-fund --loglevel=error
}

if [ -n "${TYNDAU_SKIP_APT:-}" ]; then
    :
elif command -v dpkg-query >/dev/null 2>&1; then
    apt_install
else
    say "no dpkg here; install by hand: ${PKGS[*]}"
fi
[ -n "${TYNDAU_SKIP_NPM:-}" ] || npm_install
