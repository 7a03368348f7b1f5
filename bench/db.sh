#!/usr/bin/env bash
# Times `keyaudit db` against its two targets: ingesting one 10,000-key report
# (< 2 s) and `db report` over a database of 100 runs (< 1 s). Reports are synthetic
# (bench/gen-db-reports.py: fake fingerprints, the shape of `scan --format json`).
# Prints the best of RUNS wall-clock and CPU times of each step (GNU time and bc; installed with
# apt when missing).
#
#   bench/db.sh [RUNS] [KEYS_PER_RUN_IN_THE_100_RUN_DATABASE]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
runs="${1:-3}"
per_run="${2:-1000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in /usr/bin/time bc; do
    if ! command -v "$tool" >/dev/null; then
        apt-get update -qq >/dev/null && apt-get install -y -qq time bc >/dev/null
    fi
done
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/keyaudit"

python3 bench/gen-db-reports.py "$work/big" --keys 10000 --runs 1
python3 bench/gen-db-reports.py "$work/series" --keys "$per_run" --runs 100 --churn 0.02 --audit

# Best of $runs: "WALL s wall, CPU s cpu" (CPU = user + system), after one warm-up run. On a
# shared machine the CPU time is the steadier number; the targets are about wall time.
measure() {
    "$@" >/dev/null 2>&1 || true
    local best_wall="" best_cpu="" out
    out=$(mktemp)
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %U %S' -o "$out" "$@" >/dev/null 2>&1 || true
        read -r wall user sys < <(tail -n1 "$out")
        cpu=$(printf '%.2f' "$(echo "$user + $sys" | bc)")
        if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc)" = 1 ]; then best_wall=$wall; fi
        if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then best_cpu=$cpu; fi
    done
    rm -f "$out"
    echo "$best_wall s wall, $best_cpu s cpu"
}

# A fresh database for every timed ingest: ingesting the same report again is a no-op.
ingest_fresh() {
    rm -f "$work/one.db"*
    "$bin" db ingest -q --db "$work/one.db" "$work/big/run-000.json"
}
export -f ingest_fresh
export bin work
echo "ingest of one 10,000-key report (fresh database): $(measure bash -c ingest_fresh) (target < 2 s)"

start=$(date +%s%N)
"$bin" db ingest -q --db "$work/series.db" "$work"/series/run-*.json
t_series=$(($(date +%s%N) - start))
echo "ingest of 100 reports of ~$per_run keys, one command: $(secs "$t_series") s wall"
# Into a copy each time, so every timed ingest records the run.
ingest_into_series() {
    cp "$work/series.db" "$work/copy.db"
    "$bin" db ingest -q --db "$work/copy.db" "$work/big/run-000.json"
}
export -f ingest_into_series
echo "ingest of the 10,000-key report into that 100-run database: $(measure bash -c ingest_into_series)"
echo "ingest of a report already recorded (a no-op): $(measure "$bin" db ingest -q --db "$work/series.db" "$work/big/run-000.json")"
echo "db report --format json over 101 runs: $(measure "$bin" db report --db "$work/series.db" --format json) (target < 1 s)"
echo "db report --format html over 101 runs: $(measure "$bin" db report --db "$work/series.db" --format html)"
echo "db new over 101 runs: $(measure "$bin" db new --db "$work/series.db" --format json)"
echo "database: $(du -k "$work/series.db" | cut -f1) KiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
