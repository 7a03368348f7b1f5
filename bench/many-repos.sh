#!/usr/bin/env bash
# The per-repository cost of `--repos`: COUNT small repositories scanned in one run, against
# the same files scanned as one tree (one start-up, the reading cost). Prints each time and
# the overhead per repository.
#
#   bench/many-repos.sh [COUNT] [RUNS]
#
# The repositories (a few files, five commits and a fake key each; bare copies beside them)
# are generated once in $TMPDIR/keyaudit-bench-repos-COUNT and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
count="${1:-200}"
runs="${2:-3}"
base="${TMPDIR:-/tmp}/keyaudit-bench-repos-$count"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
if [ ! -f "$base/done" ]; then
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
                key=$(head -c 300 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)
                printf 'STRIPE_KEY=sk_live_%s\n' "$key" >"$repo/config/app.env"
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
# CPU time (user + sys) of one run, in milliseconds: steadier than wall time on a shared machine.
cpu_ms() {
    local out
    out=$(mktemp)
    /usr/bin/time -f '%U %S' -o "$out" "$@" >/dev/null 2>&1 || true
    tail -n1 "$out" | awk '{printf "%d", ($1 + $2) * 1000}'
    rm -f "$out"
}
if [ ! -x /usr/bin/time ]; then
    apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
fi
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/keyaudit"
scan=("$bin" scan --no-manifest --format json -q)

startup_ns=$(best_of "${scan[@]}" --repos "$base/empty.txt")
tree_ns=$(best_of "${scan[@]}" "$base/work")
repos_ns=$(best_of "${scan[@]}" --repos "$base/work.txt")
history_ns=$(best_of "${scan[@]}" --repos "$base/work.txt" --history)
bare_ns=$(best_of "${scan[@]}" --repos "$base/bare.txt")
mirrors=$(mktemp -d)
start=$(date +%s%N)
"${scan[@]}" --repos "$base/urls.txt" --clone-dir "$mirrors" >/dev/null || true
clone_ns=$(($(date +%s%N) - start))
fetch_ns=$(best_of "${scan[@]}" --repos "$base/urls.txt" --clone-dir "$mirrors")
rm -rf "$mirrors"
keys=$("${scan[@]}" --repos "$base/work.txt" --history | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["keys"])' || true)

startup_cpu=$(cpu_ms "${scan[@]}" --repos "$base/empty.txt")
tree_cpu=$(cpu_ms "${scan[@]}" "$base/work")
repos_cpu=$(cpu_ms "${scan[@]}" --repos "$base/work.txt")
per_repo_us=$(((repos_ns - tree_ns) / count / 1000))
per_repo_cpu_us=$(((repos_cpu - tree_cpu) * 1000 / count))
printf 'repositories:            %s (5 commits, 3 files, 1 key each), best of %s\n' "$count" "$runs"
printf 'start-up (empty list):   %s s wall, %s ms CPU\n' "$(secs "$startup_ns")" "$startup_cpu"
printf 'one tree of all files:   %s s wall, %s ms CPU\n' "$(secs "$tree_ns")" "$tree_cpu"
printf -- '--repos working trees:   %s s wall, %s ms CPU\n' "$(secs "$repos_ns")" "$repos_cpu"
printf 'per repository:          %s us wall, %s us CPU over the one tree\n' "$per_repo_us" "$per_repo_cpu_us"
printf -- '--repos --history:       %s s   (%s keys)\n' "$(secs "$history_ns")" "$keys"
printf -- '--repos bare (history):  %s s\n' "$(secs "$bare_ns")"
printf -- '--repos file:// mirrors: %s s first run (git clone --mirror each), %s s later runs (git fetch each)\n' "$(secs "$clone_ns")" "$(secs "$fetch_ns")"
