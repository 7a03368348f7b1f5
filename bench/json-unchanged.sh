#!/usr/bin/env bash
# Shows that two keyaudit binaries say the same thing on the same inputs: the proof that a pure
# move changed no behaviour. Both binaries run, from the repository root, on
#   - scan and audit of this repository (with its keyaudit.toml, without it, with its history),
#   - scan and audit of fixtures/, and audit of every fixtures/audit case and of
#     fixtures/evidence with evidence exports,
#   - scan --repos and audit --repos over a list of two fixture trees,
#   - audit --inventory and merge of scan reports, rules list and manifest check,
#   - db ingest of the same reports into a temporary database per binary, then db report and
#     db new.
# Each command's stdout is compared as JSON without the fields that differ from run to run
# (generated_at, duration_ms; output that is not JSON is compared as text), and so are its
# exit code and what it says on stderr.
#
# One deliberate addition is left out too: the stable reason codes (docs/reference/audit.md,
# "Reason codes") that an audit report gives each key in `reason_codes` and `warning_codes`,
# and each unused entry in `reason_code`. They are dropped only beside what they code (a
# `reason_codes` as long as its `reasons`, a `warning_codes` as long as its `warnings`, a
# `reason_code` beside a `reason`), so a misplaced or misaligned code still shows as a
# difference; every other field must be identical.
#
#   bench/json-unchanged.sh BEFORE_BIN AFTER_BIN
#
# Prints `json-unchanged: OK`, or each difference and `json-unchanged: DIFFERENT`, exiting 1.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bench/json-unchanged.sh BEFORE_BIN AFTER_BIN" >&2; exit 2; }
for bin in "$1" "$2"; do
    [ -x "$bin" ] || { echo "json-unchanged: $bin is not an executable" >&2; exit 2; }
done
before=$(realpath "$1") after=$(realpath "$2")
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "json-unchanged: python3 is needed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differences=0

# The JSON document on stdin without the fields that vary from run to run, keys sorted; text
# that is not one JSON document is passed through as it is.
normalise() {
    python3 -c '
import json, sys
VARYING = {"generated_at", "duration_ms"}
# The added codes, each with the field it codes and whether that field is a parallel list.
CODES = {"reason_codes": ("reasons", True), "warning_codes": ("warnings", True),
         "reason_code": ("reason", False)}
def added_code(obj, key):
    if key not in CODES:
        return False
    coded, parallel = CODES[key]
    if coded not in obj:
        return False
    return not parallel or (isinstance(obj[key], list) and len(obj[key]) == len(obj[coded]))
def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items()
                if k not in VARYING and not added_code(value, k)}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value
text = sys.stdin.read()
try:
    document = json.loads(text)
except ValueError:
    sys.stdout.write(text)
else:
    json.dump(strip(document), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
'
}

# same NAME ARGS...: runs both binaries with ARGS (stdin empty; @DB@ stands for each binary's
# own database) and compares their exit codes, stdout (normalised) and stderr.
same() {
    local name=$1 side bin code args
    shift
    for side in before after; do
        bin=$before
        [ "$side" = after ] && bin=$after
        args=("${@/#@DB@/$work/db-$side/history.db}")
        code=0
        "$bin" "${args[@]}" </dev/null \
            >"$work/$name.$side.stdout" 2>"$work/$name.$side.stderr" || code=$?
        {
            echo "exit code $code"
            echo "stderr:"
            cat "$work/$name.$side.stderr"
            echo "stdout:"
            normalise <"$work/$name.$side.stdout"
        } >"$work/$name.$side.compared"
    done
    if ! diff -u "$work/$name.before.compared" "$work/$name.after.compared"; then
        echo "json-unchanged: $name differs: keyaudit $*" >&2
        differences=$((differences + 1))
    fi
}

same scan-repo scan . --format json
same scan-repo-no-manifest scan --no-manifest . --format json
same scan-repo-history scan --history --no-manifest -q . --format json
same audit-repo audit . --format json
same scan-fixtures scan --no-manifest fixtures --format json
same scan-fixtures-verbose scan -vv --no-manifest fixtures/basic --format json
same audit-fixtures audit --no-manifest fixtures --format json
for case in fixtures/audit/*/; do
    same "audit-$(basename "$case")" audit "$case" --format json
done
exports=fixtures/evidence/exports
same audit-evidence audit fixtures/evidence --format json \
    --evidence "$exports/az-keyvault-secrets.json" --evidence "$exports/cloudtrail.json" \
    --evidence "$exports/gcloud-secrets.json" --evidence "$exports/list-secrets.json"

printf '%s\n' 'fixtures/basic basic' 'fixtures/clean clean' 'fixtures/no-such-tree missing' \
    >"$work/repos.txt"
same scan-repos scan --no-manifest --repos "$work/repos.txt" --format json
same audit-repos audit --no-manifest --repos "$work/repos.txt" --format json

# Reports read back: the same files (the first binary's) for both.
cp "$work/scan-repo-no-manifest.before.stdout" "$work/repo.json"
cp "$work/scan-fixtures.before.stdout" "$work/fixtures.json"
cp "$work/audit-fixtures.before.stdout" "$work/fixtures-audit.json"
same audit-inventory audit --no-manifest --inventory "$work/fixtures.json" --format json
same merge merge "$work/repo.json" "$work/fixtures.json" --format json
same rules-list rules list --format json
same manifest-check manifest check --manifest keyaudit.toml

# The same reports recorded in a database per binary (@DB@).
mkdir "$work/db-before" "$work/db-after"
same db-ingest db ingest --db @DB@ "$work/fixtures.json" "$work/repo.json"
same db-ingest-again db ingest --db @DB@ "$work/fixtures-audit.json" "$work/fixtures.json"
same db-report db report --db @DB@ --format json
same db-new db new --db @DB@ --format json

if [ "$differences" -eq 0 ]; then
    echo "json-unchanged: OK"
else
    echo "json-unchanged: DIFFERENT ($differences commands)"
    exit 1
fi
