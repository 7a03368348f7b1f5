#!/usr/bin/env bash
# The working-tree benchmark: `keyaudit scan` over about 1 GB of real code against the cost of
# reading it, ripgrep 15 searching the same files for every rule keyword (fixed strings,
# case-insensitive, no ignore files, hidden files included: the same work keyaudit's prefilter
# does). The two run alternately, RUNS times each after a warm-up run of each that fills the page
# cache; prints both medians, the ratio and keyaudit's peak memory.
#
#   bench/scan-tree.sh [RUNS] [TREE...]
#
# RUNS defaults to 7. Without TREE, the tree is the crates, Python and npm packages that
# bench/precision-corpus.sh fetches from the registries into /tmp/keyaudit-precision (about
# 1.0 GB in 45,000 files; fetched on the first run). BIN=path/to/keyaudit measures that binary
# instead of building this checkout's; RG=path/to/rg another ripgrep.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
runs="${1:-7}"
shift || true
if [ $# -gt 0 ]; then
    trees=("$@")
else
    corpus=/tmp/keyaudit-precision
    FETCH_ONLY=1 bench/precision-corpus.sh "$corpus"
    trees=("$corpus/crates" "$corpus/python" "$corpus/npm")
fi
for tree in "${trees[@]}"; do
    [ -d "$tree" ] || { echo "bench: no tree at $tree" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

# ripgrep 15 (Debian's is older and slower): the one on PATH if it is 15 or later, else
# installed with cargo.
rg="${RG:-}"
if [ -z "$rg" ]; then
    for candidate in rg "$HOME/.cargo/bin/rg"; do
        version=$("$candidate" --version 2>/dev/null | awk 'NR == 1 { split($2, v, "."); print v[1] }') || true
        if [ -n "$version" ] && [ "$version" -ge 15 ]; then rg=$candidate; break; fi
    done
fi
if [ -z "$rg" ]; then
    echo "bench: installing ripgrep 15 with cargo" >&2
    cargo install --quiet --locked ripgrep
    rg="$HOME/.cargo/bin/rg"
fi

bin=$(keyaudit_bin)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keywords="$work/keywords"
# rg reads one pattern a line: keywords are trimmed, so one ending in a newline (`key\n`) does
# not become an empty pattern that matches every line.
"$bin" rules list --format json |
    python3 -c 'import json,sys; print("\n".join(sorted({k.strip() for r in json.load(sys.stdin) for k in r["keywords"] if k.strip()})))' \
    >"$keywords"

rg_cmd=("$rg" --no-ignore --hidden -i -F -c -f "$keywords" "${trees[@]}")
# --no-archives: ripgrep does not open archives, so both read the same bytes.
ka_cmd=("$bin" scan --no-manifest --no-default-excludes --no-archives --format json -q "${trees[@]}")

# Wall-clock nanoseconds of one run.
time_ns() {
    local start
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    echo $(($(date +%s%N) - start))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

"${rg_cmd[@]}" >/dev/null 2>&1 || true
"${ka_cmd[@]}" >/dev/null 2>&1 || true
for _ in $(seq "$runs"); do
    time_ns "${rg_cmd[@]}" >>"$work/rg"
    time_ns "${ka_cmd[@]}" >>"$work/ka"
done
rg_ns=$(median <"$work/rg")
ka_ns=$(median <"$work/ka")
/usr/bin/time -f '%M' -o "$work/memory" "${ka_cmd[@]}" >"$work/report.json" 2>/dev/null || true
read -r files bytes < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["scan"]; print(d["files"], d["bytes"])' "$work/report.json")

printf 'tree:            %s\n' "${trees[*]}"
printf 'scanned:         %s files, %s MiB\n' "$files" $((bytes >> 20))
printf 'keywords:        %s\n' "$(wc -l <"$keywords")"
printf 'rg:              %s (%s)\n' "$("$rg" --version | head -n1)" "$rg"
printf 'rg (keywords):   %s s (median of %s, alternating)\n' "$(secs "$rg_ns")" "$runs"
printf 'keyaudit scan:   %s s (median of %s, alternating)\n' "$(secs "$ka_ns")" "$runs"
printf 'ratio:           %s (keyaudit / rg)\n' "$(awk -v a="$ka_ns" -v b="$rg_ns" 'BEGIN { printf "%.2f", a / b }')"
printf 'peak memory:     %d MiB (keyaudit)\n' $(($(tail -n1 "$work/memory") / 1024))
