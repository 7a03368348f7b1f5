#!/usr/bin/env bash
# Precision corpus: real code in several languages fetched from the package registries into a
# scratch directory (never committed), then scanned. Every reported key must be examined by hand
# and classified as real key material (test fixtures) or a non-key, by cause.
#
#   bench/precision-corpus.sh [DIR]        # DIR defaults to /tmp/keyaudit-precision
#
# Prints one line per reported key location (rule, provider, path:line, redacted) and writes the
# full JSON report (with --show-secrets, for review only) to DIR/report.json, mode 0600.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp/keyaudit-precision}"
mkdir -p "$dir"/crates "$dir"/python "$dir"/npm

# Crates with key-shaped test data: a throwaway project whose `cargo fetch` brings them.
if [ ! -f "$dir/crates/.done" ]; then
    proj="$dir/crates/fetch"
    mkdir -p "$proj/src"
    echo 'fn main() {}' >"$proj/src/main.rs"
    cat >"$proj/Cargo.toml" <<'TOML'
[package]
name = "precision-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
openssl-src = "300"
ring = "0.17"
rustls = "0.23"
aws-lc-rs = "1"
object_store = { version = "0.11", features = ["aws", "gcp", "azure"] }
reqwest = "0.12"
jsonwebtoken = "9"
oauth2 = "4"
TOML
    CARGO_HOME="$dir/crates/home" cargo fetch --quiet --manifest-path "$proj/Cargo.toml"
    touch "$dir/crates/.done"
fi

# Python sdists.
if [ ! -f "$dir/python/.done" ]; then
    # No build isolation: pip would otherwise build each sdist's build dependencies (Cython)
    # from source just to read its metadata. A scratch venv brings a current setuptools.
    python3 -m venv "$dir/python/venv"
    "$dir/python/venv/bin/pip" install --quiet --upgrade pip 'setuptools>=77' wheel hatchling
    for pkg in django ansible-core boto3 requests sqlalchemy celery; do
        "$dir/python/venv/bin/pip" download --quiet --no-deps --no-binary :all: \
            --no-build-isolation -d "$dir/python/sdist" "$pkg" ||
            echo "precision: could not fetch $pkg" >&2
    done
    for f in "$dir"/python/sdist/*.tar.gz; do tar -xzf "$f" -C "$dir/python"; done
    touch "$dir/python/.done"
fi

# npm tarballs.
if [ ! -f "$dir/npm/.done" ]; then
    (cd "$dir/npm" && npm pack --silent express axios mongoose next >/dev/null)
    for f in "$dir"/npm/*.tgz; do
        mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"
    done
    touch "$dir/npm/.done"
fi

cargo build --release --locked --quiet
roots=("$dir/crates/home/registry/src" "$dir/python" "$dir/npm")
umask 077
set +e
"${CARGO_TARGET_DIR:-target}/release/keyaudit" scan --no-manifest --no-default-excludes --show-secrets --format json -q \
    --exclude 'sdist/**' --exclude 'venv/**' "${roots[@]}" >"$dir/report.json"
code=$?
set -e
[ "$code" -le 1 ] || { echo "precision: keyaudit exited $code" >&2; exit "$code"; }
python3 - "$dir/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
keys = report["keys"]
print(f"{len(keys)} keys, {sum(len(k['locations']) for k in keys)} locations, "
      f"{report['scan']['files']} files, {report['scan']['bytes'] >> 20} MiB")
for k in keys:
    loc = k["locations"][0]
    print(f"{k['rule']}\t{k['provider']}\t{loc['path']}:{loc['line']}\t{k['redacted']}")
PY
