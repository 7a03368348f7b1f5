#!/usr/bin/env bash
# Regenerates docs/html-report.png, the README's picture of the HTML report: an audit of a copy
# of fixtures/basic (fake keys only) against a manifest edited to raise every audit class, with
# one key left only in git history, rendered by the same headless Chromium the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "needs $chromium (apt-get install chromium)" >&2; exit 2; }
cargo build --locked --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/keyaudit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/billing-service
cp -r fixtures/basic "$tree"
git() { command git -C "$tree" -c user.name=demo -c user.email=demo@example.org "$@"; }
git init -q -b main
git add -A && git commit -qm "billing service" --date 2025-03-01T10:00:00Z
# A token committed by mistake, then deleted: it stays in every clone (random, made here).
token=$(head -c 600 /dev/urandom | tr -dc 'A-Za-z0-9' | cut -c1-36)
echo "DEPLOY_TOKEN=ghp_$token" >"$tree/deploy.env"
git add -A && git commit -qm "deploy token" --date 2025-06-01T10:00:00Z
git rm -q deploy.env && git commit -qm "remove token" --date 2025-06-02T10:00:00Z
"$bin" manifest init --quiet "$tree"
python3 - "$tree/keyaudit.toml" <<'EOF'
import re, sys
path = sys.argv[1]
text = re.sub(r"created = \d{4}-\d\d-\d\d", "created = 2026-10-01", open(path).read())
entries = text.split("\n[[key]]\n")
keep = []
for entry in entries:
    if entry.startswith('id = "github-token"'):
        entry += 'state = "revoked"\n'
    if entry.startswith('id = "npm-token-txt"'):
        entry = entry.replace("created = 2026-10-01", "created = 2025-01-15")
    if entry.startswith('id = "stripe-secret-key"'):
        entry = entry.replace('max_privilege = "full"', 'max_privilege = "scoped"')
    if entry.startswith(('id = "private-key-id-rsa"', 'id = "openai-api-key"')):
        continue
    keep.append(entry)
text = "\n[[key]]\n".join(keep).replace("# [policy]\n# max_age", "[policy]\nmax_age")
text += '\n[[key]]\nid = "legacy-twilio"\nfingerprint = "hmac-sha256:00000000000000000000000000000000"\nowner = "payments"\n'
open(path, "w").write(text)
EOF
(cd "$work" && "$bin" audit --quiet --history --now 2026-11-29 billing-service -o report.html) || true
"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1200,1500 \
  --screenshot="$PWD/docs/html-report.png" "file://$work/report.html" 2>/dev/null
ls -l docs/html-report.png
