#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another, seeding each from
# the repository's own rule files, manifests and fixtures. Needs a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). A crash stops the run and leaves its input under
# fuzz/artifacts/TARGET/; keep it as a regression test in the crate before fixing it.
#
# usage: fuzz/run-all.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

seeds_for() {
    local dir
    dir=$(mktemp -d)
    case "$1" in
        rule_file) cp ../rules/*.toml "$dir"/ ;;
        manifest) find ../fixtures ../keyaudit.toml -name 'keyaudit.toml' -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$dir" \; ;;
        evidence) cp ../fixtures/evidence/exports/* ../fixtures/evidence/cloud/exports/* ../fixtures/evidence/deploy/* "$dir"/ ;;
        archive)
            # Small archives of every format, built from the fixtures (their keys are fake).
            tar -cf "$dir/basic.tar" -C ../fixtures/basic config keys
            gzip -c "$dir/basic.tar" > "$dir/basic.tar.gz"
            bzip2 -c ../fixtures/basic/ignored.env > "$dir/ignored.env.bz2"
            xz -c ../fixtures/basic/ignored.env > "$dir/ignored.env.xz"
            (cd ../fixtures/basic && zip -qr "$dir/basic.zip" config) || true
            ;;
        scan_formats) find ../fixtures -type f -size -64k -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$dir" \; ;;
    esac
    echo "$dir"
}

# Build once, then run the binaries: edits made while a long run goes on do not change it.
cargo +nightly fuzz build
bin=target/x86_64-unknown-linux-gnu/release
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    seeds=$(seeds_for "$target")
    echo "== $target: ${seconds}s"
    mkdir -p "artifacts/$target"
    "$bin/$target" "corpus/$target" "$seeds" -artifact_prefix="artifacts/$target/" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 2>&1 |
        tee "corpus/$target.log" | grep -E "^Done|ERROR|panicked" || true
    rm -rf "$seeds"
    if grep -q "ERROR: libFuzzer\|panicked" "corpus/$target.log"; then
        echo "crash in $target: see fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
