#!/usr/bin/env bash
# lint.sh - the checks behind `make lint`; exits 1 if any of them fails.
#   1. format:  clang-format --dry-run (.clang-format) over src/ tests/ bench/ *.c *.h
#   2. banned:  calls we never use in src/ (see STYLE.md §6-7 for what to use instead)
#   3. layers:  every #include "X/..." in src/<layer>/ names its own layer or
#               one below it (STYLE.md §1)
# CLANG_FORMAT picks the binary (clang-format).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
BANNED='atoi|atol|strtol|strtoul|sscanf|sprintf|vsprintf|strcpy|strcat|strncpy|strtok|gets'

# Which layers a layer may include, besides itself.
declare -A ALLOW=(
    [base]=""
    [domain]="base"
    [text]="base"
    [pipeline]="domain text base"
    [analytics]="domain base"
    [store]="domain base"
    [realtime]="base"
    [app]="base domain text pipeline analytics store realtime"
    [http]="app realtime base domain text pipeline analytics store"
    [connectors]="app base domain text pipeline analytics store realtime"
    [cli]="base domain text pipeline analytics store realtime app http connectors"
)

status=0
fail() {
    status=1
    printf '%s\n' "$@"
}

sources() { find "$@" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort; }

# 1. format
fmt_files=()
mapfile -t fmt_files < <(sources src tests bench)
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
    fail "format: $CLANG_FORMAT not found (scripts/deps.sh installs it)"
elif [ ${#fmt_files[@]} -gt 0 ]; then
    bad_fmt=()
    for f in "${fmt_files[@]}"; do
        out=$("$CLANG_FORMAT" --style=file --dry-run --Werror "$f" 2>&1) && continue
        bad_fmt+=("$f")
        n=$(printf '%s\n' "$out" | grep -c 'error:')
        printf 'format: %s: %s place(s) differ from .clang-format; first:\n' "$f" "$n"
        printf '%s\n' "$out" | grep -m 3 -A 2 'error:' | sed 's/^/    /'
    done
    if [ ${#bad_fmt[@]} -gt 0 ]; then
        fail "format: ${#bad_fmt[@]} of ${#fmt_files[@]} files need clang-format:" \
            "$(printf '    %s\n' "${bad_fmt[@]}")"
    fi
fi

# 2. banned calls
if [ -d src ]; then
    hits=$(grep -rnwE --include='*.c' --include='*.h' "$BANNED" src 2>/dev/null)
    if [ -n "$hits" ]; then
        fail "banned: calls not allowed in src/ ($(printf '%s' "$BANNED" | tr '|' ' ')):" \
            "$(printf '%s\n' "$hits" | sed 's/^/    /')"
    fi
fi

# 3. include layers
layer_bad=()
while IFS= read -r f; do
    rel=${f#src/}
    case "$rel" in */*) ;; *) continue ;; esac
    layer=${rel%%/*}
    if [ -z "${ALLOW[$layer]+set}" ]; then
        layer_bad+=("$f: src/$layer/ is not a layer in STYLE.md §1")
        continue
    fi
    while IFS=: read -r line inc; do
        target=$(printf '%s' "$inc" | sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1/')
        case "$target" in
        */*) to=${target%%/*} ;;
        *) continue ;; # a header beside this file: same layer
        esac
        [ "$to" = "$layer" ] && continue
        case " ${ALLOW[$layer]} " in *" $to "*) continue ;; esac
        if [ -z "${ALLOW[$to]+set}" ]; then
            layer_bad+=("$f:$line: #include \"$target\" names no layer")
        else
            layer_bad+=("$f:$line: #include \"$target\": $layer may include only ${ALLOW[$layer]:-nothing but itself}")
        fi
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done < <(sources src)
if [ ${#layer_bad[@]} -gt 0 ]; then
    fail "layers: includes that point up or sideways:" "$(printf '    %s\n' "${layer_bad[@]}")"
fi

if [ $status -eq 0 ]; then
    echo "lint: ok (${#fmt_files[@]} files formatted, no banned calls, layers clean)"
else
    echo "lint: FAILED" >&2
fi
exit $status
