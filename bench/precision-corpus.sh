#!/usr/bin/env bash
# Precision corpus: real code in several languages fetched from the package registries into a
# scratch directory (never committed), then scanned. Every reported key must be examined by hand
# and classified as real key material (test fixtures) or a non-key, by cause.
#
#   bench/precision-corpus.sh [DIR]        # DIR defaults to /tmp/keyaudit-precision
#   KEYAUDIT=/path/to/keyaudit bench/precision-corpus.sh [DIR]   # scan with that binary, no build
#   FETCH_ONLY=1 bench/precision-corpus.sh [DIR]   # fetch and unpack, no scan (bench/scan-tree.sh)
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

# Official provider SDKs (cloud, payments, messaging, identity, observability): their npm
# tarballs, TypeScript declarations (`.d.ts`) included, and their PyPI wheels. Each package on
# its own, so one that cannot be fetched is noted and the rest go on.
mkdir -p "$dir"/sdk-npm "$dir"/sdk-python
if [ ! -f "$dir/sdk-npm/.done" ]; then
    # googleapis itself is hundreds of MiB of generated clients: one of its per-API packages
    # stands for it.
    for pkg in stripe twilio @sendgrid/mail @slack/web-api openai @anthropic-ai/sdk \
        @aws-sdk/client-s3 @aws-sdk/client-sts @google-cloud/storage @googleapis/iam \
        @azure/identity @azure/storage-blob @azure/arm-resources firebase-admin auth0 \
        @okta/okta-auth-js @octokit/rest plaid square braintree mailgun.js \
        @datadog/datadog-api-client @pagerduty/pdjs @mailchimp/mailchimp_marketing \
        @supabase/supabase-js @vercel/sdk; do
        tgz=$(cd "$dir/sdk-npm" && npm pack --silent "$pkg" 2>/dev/null | tail -n 1) &&
            [ -n "$tgz" ] && [ -f "$dir/sdk-npm/$tgz" ] ||
            { echo "precision: could not fetch npm $pkg" >&2; continue; }
        out="$dir/sdk-npm/${tgz%.tgz}"
        mkdir -p "$out" && tar -xzf "$dir/sdk-npm/$tgz" -C "$out" ||
            echo "precision: could not unpack npm $pkg" >&2
    done
    touch "$dir/sdk-npm/.done"
fi
if [ ! -f "$dir/sdk-python/.done" ]; then
    for pkg in stripe twilio botocore google-cloud-storage google-api-core azure-identity \
        azure-storage-blob azure-mgmt-resource slack_sdk openai anthropic sendgrid okta \
        plaid-python squareup datadog-api-client hvac PyGithub python-gitlab kubernetes; do
        # A package that publishes no wheel (plaid-python) is taken as its sdist.
        python3 -m pip download --quiet --no-deps --only-binary :all: \
            -d "$dir/sdk-python/wheels" "$pkg" 2>/dev/null ||
            python3 -m pip download --quiet --no-deps --no-binary :all: \
                -d "$dir/sdk-python/sdist" "$pkg" ||
            echo "precision: could not fetch $pkg from PyPI" >&2
    done
    for f in "$dir"/sdk-python/sdist/*.tar.gz; do
        [ -e "$f" ] || continue
        tar -xzf "$f" -C "$dir/sdk-python" || echo "precision: could not unpack $(basename "$f")" >&2
    done
    for f in "$dir"/sdk-python/wheels/*.whl; do
        [ -e "$f" ] || continue
        out="$dir/sdk-python/$(basename "${f%.whl}")"
        mkdir -p "$out" && unzip -q -o "$f" -d "$out" ||
            echo "precision: could not unpack $(basename "$f")" >&2
    done
    # botocore ships its service models gzipped (`data/**/*.json.gz`), which a scan skips as
    # binary: decompressed, they are the AWS API shapes, ARNs and examples.
    find "$dir/sdk-python" -path '*/botocore/data/*' -name '*.json.gz' -exec gunzip -f {} + ||
        echo "precision: could not decompress botocore's models" >&2
    touch "$dir/sdk-python/.done"
fi

[ -z "${FETCH_ONLY:-}" ] || exit 0

# KEYAUDIT=/path/to/keyaudit scans with that binary; otherwise this tree's release build.
if [ -n "${KEYAUDIT:-}" ]; then
    keyaudit="$KEYAUDIT"
else
    cargo build --release --locked --quiet
    keyaudit="${CARGO_TARGET_DIR:-target}/release/keyaudit"
fi
roots=("$dir/crates/home/registry/src" "$dir/python" "$dir/npm" "$dir/sdk-npm" "$dir/sdk-python")
umask 077
set +e
"$keyaudit" scan --no-manifest --no-default-excludes --show-secrets --format json -q \
    --exclude 'sdist/**' --exclude 'venv/**' --exclude 'wheels/**' "${roots[@]}" >"$dir/report.json"
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
