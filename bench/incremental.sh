#!/usr/bin/env bash
# A nightly audit of COUNT repositories of which CHANGED gained one commit since the night
# before: the full night (`scan --repos LIST --history`, every history read) against the
# incremental one (`--incremental --db`, starting from the database of the night before).
# Prints, for each, the wall time (best of RUNS, the two run in turns so a busy machine slows
# them alike) and the objects read (commits walked and blobs scanned, from the JSON reports),
# and the incremental night's share of each. The bar (docs/reference/incremental.md): at most 5%
# of the objects and 10% of the time.
#
#   bench/incremental.sh [COUNT] [CHANGED] [RUNS]
#
# The repositories are bare, listed by path (a mirror kept up to date by the engine: fetching
# is not what is measured), each a synthetic history of 300 commits over a 3 MB tree of real
# code (bench/gen-history.py; ten distinct histories, each copied COUNT/10 times), generated
# once in $TMPDIR/keyaudit-bench-incremental-COUNT and reused.
#
# With URLS=1 the list names the repositories by file:// URL instead, so each night also
# fetches every mirror (in --clone-dir), as a nightly run over URLs does.
#
# Every run is also a check: after the incremental night, the database's open keys and their
# locations must be those of a database given the full night. On failure: one line starting
# `incremental: FAIL`, exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
count="${1:-100}"
changed="${2:-5}"
runs="${3:-3}"
base="${TMPDIR:-/tmp}/keyaudit-bench-incremental-$count"
git_as_bench
if [ ! -f "$base/done" ]; then
    echo "bench: generating $count repositories in $base (once)" >&2
    rm -rf "$base"
    mkdir -p "$base/templates" "$base/bare"
    # Real code to build the histories from: the crates cargo fetched, else this repository.
    source="${CARGO_HOME:-$HOME/.cargo}/registry/src"
    [ -d "$source" ] || source="$PWD"
    for t in $(seq 0 9); do
        python3 bench/gen-history.py "$base/templates/t$t.git" --commits 300 --tree-mb 3 \
            --seed "$((t + 1))" --source "$source" >/dev/null
    done
    for i in $(seq -w 1 "$count"); do
        cp -r "$base/templates/t$((10#$i % 10)).git" "$base/bare/r$i.git"
        echo "$base/bare/r$i.git r$i" >>"$base/repos.txt"
    done
    touch "$base/done"
fi
bin=$(keyaudit_bin)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$base/bare" "$work/bare"
if [ "${URLS:-0}" = 1 ]; then
    # As file:// URLs: each run fetches every mirror first, as a nightly run over URLs does.
    sed "s|$base/bare|file://$work/bare|" "$base/repos.txt" >"$work/repos.txt"
else
    sed "s|$base/bare|$work/bare|" "$base/repos.txt" >"$work/repos.txt"
fi

scan() {
    "$bin" scan --repos "$work/repos.txt" --clone-dir "$work/mirrors" --history --quiet \
        --format json "$@" || [ $? -eq 1 ]
}

# The night before: a full run recorded in night-1.db.
scan --db "$work/night-1.db" >/dev/null
# The day: CHANGED repositories gain one commit each (a new file, one of them with a key).
for n in $(seq 1 "$changed"); do
    i=$(printf "%0${#count}d" "$n")
    repo="$work/bare/r$i.git"
    clone="$work/clone-$i"
    git clone -q -b main "$repo" "$clone"
    printf 'def added_%s():\n    return %s\n' "$i" "$i" >"$clone/added_$i.py"
    if [ "$n" = 1 ]; then
        key=$(head -c 1000 /dev/urandom | tr -dc 'BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz0-9' | head -c 32)
        printf 'STRIPE_KEY=sk_live_%s\n' "$key" >"$clone/tonight.env"
    fi
    git -C "$clone" add -A
    git -C "$clone" commit -q -m "one more commit"
    git -C "$clone" push -q origin HEAD:main
done

full_best=0
inc_best=0
for _ in $(seq "$runs"); do
    rm -f "$work/full.db"*
    start=$(date +%s%N)
    scan --db "$work/full.db" >"$work/full.json"
    elapsed=$(($(date +%s%N) - start))
    if [ "$full_best" -eq 0 ] || [ "$elapsed" -lt "$full_best" ]; then full_best=$elapsed; fi
    rm -f "$work/inc.db"*
    cp "$work/night-1.db" "$work/inc.db"
    start=$(date +%s%N)
    scan --incremental --db "$work/inc.db" >"$work/inc.json"
    elapsed=$(($(date +%s%N) - start))
    if [ "$inc_best" -eq 0 ] || [ "$elapsed" -lt "$inc_best" ]; then inc_best=$elapsed; fi
done
"$bin" db report --db "$work/full.db" --format json >"$work/full-db.json"
"$bin" db report --db "$work/inc.db" --format json >"$work/inc-db.json"

python3 - "$work" "$full_best" "$inc_best" "$count" "$changed" <<'PY'
import json, sys

work, full_ns, inc_ns, count, changed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]


def load(name):
    with open(f"{work}/{name}") as f:
        return json.load(f)


def fail(message):
    print(f"incremental: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def open_keys(report):
    return {
        k["fingerprint"]: sorted(
            (l["source"], l.get("repo") or "", l["path"], l["line"], l.get("commit") or "")
            for l in k["locations"]
        )
        for k in report["keys"]
        if k["status"] == "open"
    }


full, inc = load("full.json"), load("inc.json")
reads = inc["scan"]["incremental"]
forward = [name for name, read in reads.items() if not read["full"]]
if len(forward) != int(count):
    fail(f"{int(count) - len(forward)} repositories were read in full: {[r['reason'] for r in reads.values() if r['full']][:3]}")
if open_keys(load("full-db.json")) != open_keys(load("inc-db.json")):
    fail("the incremental database's open keys differ from the full night's")
objects = lambda r: r["scan"]["commits"] + r["scan"]["blobs"]
full_objects, inc_objects = objects(full), objects(inc)
print(f"repositories: {count}, {changed} with one new commit")
print(f"full night:        {full_ns / 1e9:7.3f} s, {full_objects:8d} objects "
      f"({full['scan']['commits']} commits, {full['scan']['blobs']} blobs)")
print(f"incremental night: {inc_ns / 1e9:7.3f} s, {inc_objects:8d} objects "
      f"({inc['scan']['commits']} commits, {inc['scan']['blobs']} blobs)")
print(f"incremental/full:  time {100 * inc_ns / full_ns:.1f}% (bar 10%), "
      f"objects {100 * inc_objects / max(full_objects, 1):.2f}% (bar 5%)")
PY
