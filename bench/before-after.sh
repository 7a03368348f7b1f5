#!/usr/bin/env bash
# Times two keyaudit binaries over one tree, alternating run by run so that both see the same
# machine load and page cache, and prints each one's median, the ratio and peak memory. Used to
# show that a detection change costs no more than it should ("no more than 10% slower than
# before this work").
#
#   bench/before-after.sh BEFORE_BIN AFTER_BIN TREE [RUNS]
#
# RUNS defaults to 7. Each binary scans with `scan --no-manifest --no-default-excludes -q
# --format json`; the reports are discarded.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
[ $# -ge 3 ] || { echo "usage: bench/before-after.sh BEFORE_BIN AFTER_BIN TREE [RUNS]" >&2; exit 2; }
before="$1" after="$2" tree="$3" runs="${4:-7}"
for bin in "$before" "$after"; do
    [ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 2; }
done
[ -d "$tree" ] || { echo "bench: no tree at $tree" >&2; exit 2; }
[ -x /usr/bin/time ] || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

scan() { "$1" scan --no-manifest --no-default-excludes -q --format json "$tree" >/dev/null 2>&1 || true; }
nanos() { local start; start=$(date +%s%N); scan "$1"; echo $(($(date +%s%N) - start)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

scan "$before" # warm the page cache
b_times=() a_times=()
for _ in $(seq "$runs"); do
    b_times+=("$(nanos "$before")")
    a_times+=("$(nanos "$after")")
done
b=$(printf '%s\n' "${b_times[@]}" | median)
a=$(printf '%s\n' "${a_times[@]}" | median)
b_kb=$(peak_kib "$before" scan --no-manifest --no-default-excludes -q --format json "$tree")
a_kb=$(peak_kib "$after" scan --no-manifest --no-default-excludes -q --format json "$tree")

printf 'tree:     %s (%s)\n' "$tree" "$(du -sh "$tree" 2>/dev/null | cut -f1)"
printf 'before:   %s s median of %s, %d MiB  (%s)\n' "$(secs "$b")" "$runs" $((b_kb / 1024)) "$before"
printf 'after:    %s s median of %s, %d MiB  (%s)\n' "$(secs "$a")" "$runs" $((a_kb / 1024)) "$after"
printf 'ratio:    %s (after / before)\n' "$(ratio "$a" "$b")"
