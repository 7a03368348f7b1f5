#!/usr/bin/env bash
# Bounded memory on a huge input: a 200 MB file of one line (minified-code-like words, no
# newline) with two freshly generated fake Stripe keys, one across the boundary of the first
# two scan windows (2 MiB) and one at the very end. Scans it with --max-file-size 1GiB, checks
# that both keys are found and that peak memory stays under 256 MiB, and prints the time, the
# peak memory and the cost of reading it. Exits non-zero when a check fails (CI runs it).
#
# usage: bench/huge-line.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-200}
runs=1
# shellcheck source=bench/lib.sh
. bench/lib.sh

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/keyaudit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/one-line.min.js

python3 - "$file" "$size_mb" >"$work/keys" <<'PY'
import random, secrets, string, sys

path, size = sys.argv[1], int(sys.argv[2]) << 20
alphabet = string.ascii_letters + string.digits
def key():
    return "sk_live_" + "".join(secrets.choice(alphabet) for _ in range(32))
rng = random.Random(7)
words = ["var", "function", "return", "this", "null", "length", "push", "a.b", "c(d)", "e=f;"]
block = " ".join(rng.choice(words) for _ in range(1 << 18)).encode()[: 1 << 20]
boundary, end = key(), key()
window = 2 << 20
with open(path, "wb") as out:
    written = 0
    while written < size - (1 << 20):
        out.write(block)
        written += len(block)
    # The first key straddles the first window boundary (it starts 20 bytes before it).
    out.seek(window - 20)
    out.write(f" {boundary} ".encode())
    out.seek(0, 2)
    out.write(f" {end}".encode())
print(boundary)
print(end)
PY

bytes=$(stat -c %s "$file")
start=$(date +%s%N)
peak=$(mktemp)
/usr/bin/time -f '%M' -o "$peak" "$bin" scan "$file" --no-manifest --max-file-size 1GiB \
    --show-secrets --format jsonl >"$work/report" || true
elapsed=$(($(date +%s%N) - start))
read_ns=$(best_of cat "$file")

found=0
while read -r key; do
    if grep -q "$key" "$work/report"; then found=$((found + 1)); fi
done <"$work/keys"
echo "file: $((bytes >> 20)) MiB on one line; keys planted: 2 (one across the first 2 MiB window boundary, one at the end); found: $found"
peak_mib=$(($(tail -n1 "$peak") >> 10))
rm -f "$peak"
echo "keyaudit: $(secs "$elapsed") s, peak $peak_mib MiB (bound: 256 MiB); cat: $(secs "$read_ns") s"
[ "$found" -eq 2 ] && [ "$peak_mib" -lt 256 ]
