#!/usr/bin/env bash
# Times `keyaudit scan --history` on a large history against the cost of reading it: `git
# cat-file --batch-all-objects --batch`, which inflates every object once on one core, in
# object-id order (random access) and with `--unordered` (pack order, about twice as fast).
# Prints each time, keyaudit's ratio to each reference, and the peak memory of all three. The
# three commands run in turns within each repetition, so a busy machine slows them alike.
#
#   bench/history.sh [REPO] [RUNS]
#
# Without REPO, a synthetic history of 20,000 commits is generated once (bench/gen-history.py)
# in $TMPDIR/keyaudit-bench-history.git and reused by later runs. bench/gen-real-history.py
# builds a history of real code to pass as REPO.
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
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/keyaudit"

ordered=(git -C "$repo" cat-file --batch-all-objects --batch)
unordered=(git -C "$repo" cat-file --batch-all-objects --batch --unordered)
ka=("$bin" scan --history --no-manifest --format json -q "$repo")

# One warm-up of each fills the page cache; then each repetition times the three in turn.
for cmd in ordered unordered ka; do
    declare -n c=$cmd
    "${c[@]}" >/dev/null 2>&1 || true
done
best_ordered=0 best_unordered=0 best_ka=0
for _ in $(seq "$runs"); do
    for cmd in ordered unordered ka; do
        declare -n c=$cmd best=best_$cmd
        start=$(date +%s%N)
        "${c[@]}" >/dev/null 2>&1 || true
        elapsed=$(($(date +%s%N) - start))
        if [ "$best" -eq 0 ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
    done
done
mem_ordered=$(peak_kib "${ordered[@]}")
mem_unordered=$(peak_kib "${unordered[@]}")
mem_ka=$(peak_kib "${ka[@]}")
read -r commits blobs bytes keys < <("${ka[@]}" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["scan"]; print(s["commits"], s["blobs"], s["bytes"], d["summary"]["keys"])')
objects=$(git -C "$repo" count-objects -v | awk '/^in-pack:/ {print $2}')
pack_size=$(git -C "$repo" count-objects -vH | awk '/^size-pack:/ {print $2, $3}')

printf 'repository:            %s (%s objects, pack %s)\n' "$repo" "$objects" "$pack_size"
printf 'history:               %s commits, %s unique text blobs, %s bytes scanned, %s keys\n' "$commits" "$blobs" "$bytes" "$keys"
printf 'cat-file (id order):   %7s s  %6d MiB peak\n' "$(secs "$best_ordered")" $((mem_ordered / 1024))
printf 'cat-file --unordered:  %7s s  %6d MiB peak\n' "$(secs "$best_unordered")" $((mem_unordered / 1024))
printf 'keyaudit --history:    %7s s  %6d MiB peak   (best of %s)\n' "$(secs "$best_ka")" $((mem_ka / 1024)) "$runs"
printf 'time ratio:            %s x cat-file (id order), %s x cat-file --unordered\n' \
    "$(ratio "$best_ka" "$best_ordered")" "$(ratio "$best_ka" "$best_unordered")"
printf 'memory ratio:          %s x cat-file (id order), %s x cat-file --unordered\n' \
    "$(ratio "$mem_ka" "$mem_ordered")" "$(ratio "$mem_ka" "$mem_unordered")"
