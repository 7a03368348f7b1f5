#!/usr/bin/env bash
# Times `keyaudit scan --history` on a large history against the cost of reading it:
# `git cat-file --batch-all-objects --batch`, which inflates every object once on one core.
# Prints both times, the ratio and keyaudit's peak memory.
#
#   bench/history.sh [REPO] [RUNS]
#
# Without REPO, a synthetic history of 20,000 commits is generated once (bench/gen-history.py)
# in $TMPDIR/keyaudit-bench-history.git and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
runs="${2:-3}"
repo="${1:-${TMPDIR:-/tmp}/keyaudit-bench-history.git}"
if [ -z "${1:-}" ] && [ ! -d "$repo" ]; then
    echo "bench: generating a 20,000-commit history in $repo (a few minutes, once)" >&2
    python3 bench/gen-history.py "$repo"
fi
[ -d "$repo" ] || { echo "bench: no repository at $repo" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
fi
cargo build --release --locked --quiet
bin=$PWD/target/release/keyaudit

cat_cmd=(git -C "$repo" cat-file --batch-all-objects --batch)
ka_cmd=("$bin" scan --history --no-manifest --format json -q "$repo")


cat_ns=$(best_of "${cat_cmd[@]}")
ka_ns=$(best_of "${ka_cmd[@]}")
peak_kb=$(peak_kib "${ka_cmd[@]}")
read -r commits blobs bytes keys < <("${ka_cmd[@]}" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["scan"]; print(s["commits"], s["blobs"], s["bytes"], d["summary"]["keys"])')
objects=$(git -C "$repo" count-objects -v | awk '/^in-pack:/ {print $2}')
pack_size=$(git -C "$repo" count-objects -vH | awk '/^size-pack:/ {print $2, $3}')

printf 'repository:        %s (%s objects, pack %s)\n' "$repo" "$objects" "$pack_size"
printf 'history:           %s commits, %s unique text blobs, %s bytes scanned, %s keys\n' "$commits" "$blobs" "$bytes" "$keys"
printf 'git cat-file:      %s s (best of %s)\n' "$(secs "$cat_ns")" "$runs"
printf 'keyaudit history:  %s s (best of %s)\n' "$(secs "$ka_ns")" "$runs"
printf 'ratio:             %s (keyaudit / git cat-file)\n' "$(ratio "$ka_ns" "$cat_ns")"
printf 'peak memory:       %d MiB (keyaudit)\n' $((peak_kb / 1024))
