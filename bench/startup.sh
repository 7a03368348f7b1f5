#!/usr/bin/env bash
# Start-up and pre-commit latency: what a developer waits for on every commit.
#   - `keyaudit scan` and `keyaudit audit` on an empty directory (start-up: loading the rules,
#     nothing to read);
#   - `keyaudit audit --staged` in a generated repository of FILES files (5,000 by default, a
#     few KiB of code each, one commit) with one changed file staged: what the pre-commit hook
#     runs.
# Prints the median and the fastest of RUNS runs of each (wall clock, after a warm-up run) and
# the peak memory of the staged audit.
#
#   bench/startup.sh [RUNS] [FILES]
#
# BIN=path/to/keyaudit measures that binary instead of building this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
runs="${1:-21}"
files="${2:-5000}"
command -v git >/dev/null || { echo "bench: git is needed" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }

bin=$(keyaudit_bin)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/empty"
repo="$work/repo"
# A repository like a service's: nested packages of source files with imports, functions and
# configuration reads, none holding a key; one commit.
python3 - "$repo" "$files" <<'EOF'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(5000)
words = "user order invoice account session client config cache queue token handler".split()
for n in range(count):
    package = os.path.join(root, "src", f"pkg{n % 50:02d}", f"mod{n % 7}")
    os.makedirs(package, exist_ok=True)
    lines = [f"import {rng.choice(words)}_{n % 13} from './{rng.choice(words)}';", ""]
    for f in range(rng.randint(4, 12)):
        name = f"{rng.choice(words)}_{rng.choice(words)}_{f}"
        lines += [f"export function {name}(input) {{",
                  f"  const value = process.env.{name.upper()} || 'default';",
                  f"  return input.map((x) => x + value.length * {rng.randint(1, 99)});",
                  "}", ""]
    with open(os.path.join(package, f"file{n}.js"), "w") as out:
        out.write("\n".join(lines))
EOF
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -qm files
echo "// one more line" >>"$repo/src/pkg00/mod0/file0.js"
git -C "$repo" add src/pkg00/mod0/file0.js

# Median and fastest of $runs runs of a command run in directory $1, in milliseconds.
latency() {
    local dir=$1
    shift
    (cd "$dir" && "$@" >/dev/null 2>&1) || true
    for _ in $(seq "$runs"); do
        local start
        start=$(date +%s%N)
        (cd "$dir" && "$@" >/dev/null 2>&1) || true
        echo $((($(date +%s%N) - start) / 1000))
    done | sort -n | awk '{ v[NR] = $1 } END { printf "median %.1f ms, fastest %.1f ms\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000 }'
}

memory=$(mktemp -p "$work")
(cd "$repo" && /usr/bin/time -f '%M' -o "$memory" "$bin" audit --staged >/dev/null 2>&1) || true
printf 'binary:                     %s\n' "$bin"
printf 'scan, empty directory:      %s\n' "$(latency "$work/empty" "$bin" scan . -q)"
printf 'audit, empty directory:     %s\n' "$(latency "$work/empty" "$bin" audit . -q)"
printf 'audit --staged, %s files: %s\n' "$files" "$(latency "$repo" "$bin" audit --staged)"
printf 'audit --staged peak memory: %d MiB\n' $(($(tail -n1 "$memory") / 1024))
