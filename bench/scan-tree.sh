#!/usr/bin/env bash
# Times `keyaudit scan` over a large real tree against the cost of reading it: ripgrep searching
# the same files for every rule keyword (fixed strings, case-insensitive, no ignore files, hidden
# files included: the same work keyaudit's prefilter does). Prints both times, the ratio and
# keyaudit's peak memory.
#
#   bench/scan-tree.sh [TREE] [RUNS]
#
# TREE defaults to the crate sources under ~/.cargo/registry/src (present after any build).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
tree="${1:-$HOME/.cargo/registry/src}"
runs="${2:-10}"
[ -d "$tree" ] || { echo "bench: no tree at $tree (build the project once to fill the registry)" >&2; exit 2; }

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rg || [ ! -x /usr/bin/time ]; then
    echo "bench: installing ripgrep and GNU time" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq ripgrep time >/dev/null
fi

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/release/keyaudit"
keywords=$(mktemp)
trap 'rm -f "$keywords"' EXIT
# rg reads one pattern a line: keywords are trimmed, so one ending in a newline (`key\n`) does
# not become an empty pattern that matches every line.
"$bin" rules list --format json |
    python3 -c 'import json,sys; print("\n".join(sorted({k.strip() for r in json.load(sys.stdin) for k in r["keywords"] if k.strip()})))' \
    >"$keywords"

rg_cmd=(rg --no-ignore --hidden -i -F -c -f "$keywords" "$tree")
ka_cmd=("$bin" scan --no-default-excludes --format json -q "$tree")


rg_ns=$(best_of "${rg_cmd[@]}")
ka_ns=$(best_of "${ka_cmd[@]}")
peak_kb=$(peak_kib "${ka_cmd[@]}")
read -r files bytes < <("${ka_cmd[@]}" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["scan"]; print(d["files"], d["bytes"])')

printf 'tree:            %s\n' "$tree"
printf 'scanned:         %s files, %s bytes\n' "$files" "$bytes"
printf 'keywords:        %s\n' "$(wc -l <"$keywords")"
printf 'rg (keywords):   %s s (best of %s)\n' "$(secs "$rg_ns")" "$runs"
printf 'keyaudit scan:   %s s (best of %s)\n' "$(secs "$ka_ns")" "$runs"
printf 'ratio:           %s (keyaudit / rg)\n' "$(ratio "$ka_ns" "$rg_ns")"
printf 'peak memory:     %d MiB (keyaudit)\n' $((peak_kb / 1024))
