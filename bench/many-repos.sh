#!/usr/bin/env bash
# The per-repository cost of `--repos`: COUNT small repositories scanned in one run, against
# the same files scanned as one tree (one start-up, the reading cost). Prints each time and
# the overhead per repository.
#
#   bench/many-repos.sh [COUNT] [RUNS]
#
# The repositories (a few files, five commits and a fake key each; bare copies beside them)
# are generated once in $TMPDIR/keyaudit-bench-repos-COUNT and reused by later runs.
#
# Every run is also a check (CI runs this script): keyaudit must exit 1 (0 for the empty list),
# and its JSON report must be complete, without errors, list every repository (with its five
# commits when history is scanned) and hold exactly the planted keys, one in each repository's
# config/app.env. A failed check prints one line starting `many-repos: FAIL` and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
count="${1:-200}"
runs="${2:-3}"
base="${TMPDIR:-/tmp}/keyaudit-bench-repos-$count"
git_as_bench
# planted.txt (one key a line, in repository order) came with the checks: older copies lack it.
if [ ! -f "$base/done" ] || [ ! -f "$base/planted.txt" ]; then
    echo "bench: generating $count repositories in $base (once)" >&2
    rm -rf "$base"
    mkdir -p "$base/work" "$base/bare"
    for i in $(seq -w 1 "$count"); do
        repo="$base/work/r$i"
        mkdir -p "$repo/src" "$repo/config"
        git -C "$repo" init -q -b main
        for c in 1 2 3 4 5; do
            printf 'def handler_%s(event):\n    return {"status": %s, "repo": "r%s"}\n' "$c" "$c" "$i" >>"$repo/src/app.py"
            printf '# r%s\n\nRevision %s of a small service.\n' "$i" "$c" >"$repo/README.md"
            if [ "$c" = 3 ]; then
                # No vowels: random text never spells a placeholder word (`fake`, `example`)
                # that keyaudit rightly skips, so every planted key must be found.
                key=$(head -c 1000 /dev/urandom | tr -dc 'BCDFGHJKLMNPQRSTVWXZbcdfghjklmnpqrstvwxz0-9' | head -c 32)
                [ "${#key}" = 32 ] || { echo "many-repos: FAIL: a short random key ($key)" >&2; exit 1; }
                printf 'STRIPE_KEY=sk_live_%s\n' "$key" >"$repo/config/app.env"
                echo "sk_live_$key" >>"$base/planted.txt"
            fi
            git -C "$repo" add -A
            git -C "$repo" commit -q -m "change $c"
        done
        git clone -q --bare "$repo" "$base/bare/r$i.git"
    done
    ls -d "$base"/work/* >"$base/work.txt"
    ls -d "$base"/bare/* >"$base/bare.txt"
    sed 's|^|file://|' "$base/bare.txt" >"$base/urls.txt"
    : >"$base/empty.txt"
    touch "$base/done"
fi
# check WHAT EXPECTED_CODE CODE REPORT STDERR [LIST SOURCES [shown]]: the run's exit code and
# JSON report, which holds the planted keys when EXPECTED_CODE is 1 and none when it is 0.
# Without LIST the report is of the one tree (its paths start rNNN/); with LIST it is of
# --repos LIST, whose every repository must be reported, each key found once per SOURCES
# (`file`: the working tree; `git`: history, five commits scanned; `file+git`: both). With
# `shown` (--show-secrets) the keys' values must be the planted ones. On failure: one line,
# exit 1.
check() {
    python3 - "$base/planted.txt" "$@" <<'PY' || exit 1
import json, sys

planted_file, what, expected_code, code, report_file, stderr_file = sys.argv[1:7]
listed = sys.argv[7] if len(sys.argv) > 7 else ""
sources = sys.argv[8].split("+") if len(sys.argv) > 8 else ["file"]
commits = 5 if "git" in sources else 0
shown = len(sys.argv) > 9 and sys.argv[9] == "shown"


def fail(message):
    print(f"many-repos: FAIL: {what}: {message}", file=sys.stderr)
    sys.exit(1)


if code != expected_code:
    with open(stderr_file, errors="replace") as f:
        stderr = f.read().strip().splitlines()
    fail(f"exit code {code}, expected {expected_code}" + (f" ({stderr[0]})" if stderr else ""))
try:
    with open(report_file) as f:
        report = json.load(f)
except ValueError as e:
    fail(f"stdout is not a JSON report ({e})")
with open(planted_file) as f:
    planted = f.read().split()
want = planted if expected_code == "1" else []
summary, scan, keys = report["summary"], report["scan"], report["keys"]
if summary["complete"] is not True:
    fail("summary.complete is not true")
if summary["errors"] != 0 or scan["errors"]:
    fail(f"{summary['errors']} errors, first: {scan['errors'][:1]}")
if summary["keys"] != len(want) or len(keys) != len(want):
    fail(f"{summary['keys']} keys ({len(keys)} listed), expected the {len(want)} planted")
# Each repository holds its own key, once, at line 1 of config/app.env.
if listed:
    with open(listed) as f:
        repos = [line.strip() for line in f if line.strip()]
    reported = scan["repos"]
    if [r["name"] for r in reported] != repos:
        fail(f"{len(reported)} repositories reported, expected the {len(repos)} listed")
    for r in reported:
        if r["keys"] != 1 or r["errors"] != 0:
            fail(f"{r['name']}: {r['keys']} keys, {r['errors']} errors, expected 1 and 0")
        if r["commits"] != commits:
            fail(f"{r['name']}: {r['commits']} commits scanned, expected {commits}")
    places = sorted(
        (l["source"], l.get("repo"), l["path"], l["line"]) for k in keys for l in k["locations"]
    )
    expected = sorted((s, r, "config/app.env", 1) for s in sources for r in repos)
else:
    places = sorted((l["source"], l["path"], l["line"]) for k in keys for l in k["locations"])
    width = len(str(len(planted)))  # seq -w
    expected = sorted(
        ("file", f"r{i:0{width}d}/config/app.env", 1) for i in range(1, len(want) + 1)
    )
if places != expected:
    missing = sorted(set(expected) - set(places))[:1]
    extra = sorted(set(places) - set(expected))[:1]
    fail(
        f"{len(places)} locations, expected {len(expected)} (config/app.env per repository and "
        f"source {'+'.join(sources)}): missing {missing}, unexpected {extra}"
    )
if shown and sorted(k.get("secret") or "" for k in keys) != sorted(want):
    fail("the keys shown are not the planted ones")
PY
}
# Best of $runs wall-clock times of a checked run (check's arguments after WHAT and
# EXPECTED_CODE, then the command after --), in nanoseconds, after one warm-up run that fills
# the page cache; every run, the warm-up too, is checked.
checked_best_of() {
    local what=$1 expected=$2 report err
    shift 2
    local args=()
    while [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    shift
    report=$(mktemp)
    err=$(mktemp)
    local best=0
    for i in $(seq 0 "$runs"); do
        local start elapsed code=0
        start=$(date +%s%N)
        "$@" >"$report" 2>"$err" || code=$?
        elapsed=$(($(date +%s%N) - start))
        check "$what" "$expected" "$code" "$report" "$err" "${args[@]}"
        if [ "$i" -gt 0 ] && { [ "$best" -eq 0 ] || [ "$elapsed" -lt "$best" ]; }; then best=$elapsed; fi
    done
    rm -f "$report" "$err"
    echo "$best"
}
# CPU time (user + sys) of one checked run (arguments as for checked_best_of), in milliseconds:
# steadier than wall time on a shared machine.
cpu_ms() {
    local what=$1 expected=$2 out report err code=0
    shift 2
    local args=()
    while [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    shift
    out=$(mktemp)
    report=$(mktemp)
    err=$(mktemp)
    /usr/bin/time -f '%U %S' -o "$out" "$@" >"$report" 2>"$err" || code=$?
    check "$what" "$expected" "$code" "$report" "$err" "${args[@]}"
    tail -n1 "$out" | awk '{printf "%d", ($1 + $2) * 1000}'
    rm -f "$out" "$report" "$err"
}
if [ ! -x /usr/bin/time ]; then
    apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
fi
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/keyaudit"
scan=("$bin" scan --no-manifest --format json -q)
empty="$base/empty.txt" work="$base/work.txt" bare="$base/bare.txt" urls="$base/urls.txt"

startup_ns=$(checked_best_of 'start-up (empty list)' 0 "$empty" file -- "${scan[@]}" --repos "$empty")
tree_ns=$(checked_best_of 'one tree' 1 -- "${scan[@]}" "$base/work")
repos_ns=$(checked_best_of '--repos working trees' 1 "$work" file -- "${scan[@]}" --repos "$work")
history_ns=$(checked_best_of '--repos --history' 1 "$work" file+git -- "${scan[@]}" --repos "$work" --history)
bare_ns=$(checked_best_of '--repos bare' 1 "$bare" git -- "${scan[@]}" --repos "$bare")
mirrors=$(mktemp -d)
report=$(mktemp)
start=$(date +%s%N)
code=0
"${scan[@]}" --repos "$urls" --clone-dir "$mirrors" >"$report" 2>"$report.err" || code=$?
clone_ns=$(($(date +%s%N) - start))
check '--repos file:// mirrors, first run' 1 "$code" "$report" "$report.err" "$urls" git
rm -f "$report" "$report.err"
cloned=$(find "$mirrors" -mindepth 1 -maxdepth 1 | wc -l)
[ "$cloned" -eq "$count" ] || {
    echo "many-repos: FAIL: --repos file:// mirrors: $cloned mirrors in --clone-dir, expected $count" >&2
    exit 1
}
fetch_ns=$(checked_best_of '--repos file:// mirrors, later runs' 1 "$urls" git -- "${scan[@]}" --repos "$urls" --clone-dir "$mirrors")
rm -rf "$mirrors"
# Once with the secrets shown: the keys found are the very keys planted.
report=$(mktemp)
code=0
"${scan[@]}" --repos "$work" --history --show-secrets >"$report" 2>"$report.err" || code=$?
check '--repos --history --show-secrets' 1 "$code" "$report" "$report.err" "$work" file+git shown
keys=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["keys"])' "$report")
rm -f "$report" "$report.err"

startup_cpu=$(cpu_ms 'start-up (empty list), CPU' 0 "$empty" file -- "${scan[@]}" --repos "$empty")
tree_cpu=$(cpu_ms 'one tree, CPU' 1 -- "${scan[@]}" "$base/work")
repos_cpu=$(cpu_ms '--repos working trees, CPU' 1 "$work" file -- "${scan[@]}" --repos "$work")
per_repo_us=$(((repos_ns - tree_ns) / count / 1000))
per_repo_cpu_us=$(((repos_cpu - tree_cpu) * 1000 / count))
printf 'repositories:            %s (5 commits, 3 files, 1 key each), best of %s; every run checked\n' "$count" "$runs"
printf 'start-up (empty list):   %s s wall, %s ms CPU\n' "$(secs "$startup_ns")" "$startup_cpu"
printf 'one tree of all files:   %s s wall, %s ms CPU\n' "$(secs "$tree_ns")" "$tree_cpu"
printf -- '--repos working trees:   %s s wall, %s ms CPU\n' "$(secs "$repos_ns")" "$repos_cpu"
printf 'per repository:          %s us wall, %s us CPU over the one tree\n' "$per_repo_us" "$per_repo_cpu_us"
printf -- '--repos --history:       %s s   (%s keys, the %s planted)\n' "$(secs "$history_ns")" "$keys" "$count"
printf -- '--repos bare (history):  %s s\n' "$(secs "$bare_ns")"
printf -- '--repos file:// mirrors: %s s first run (git clone --mirror each), %s s later runs (git fetch each)\n' "$(secs "$clone_ns")" "$(secs "$fetch_ns")"
