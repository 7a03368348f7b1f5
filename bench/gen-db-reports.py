#!/usr/bin/env python3
"""Generates synthetic keyaudit JSON reports for the `keyaudit db` benchmark.

    bench/gen-db-reports.py DEST --keys N [--runs R] [--churn FRACTION] [--audit]

Writes DEST/run-000.json ... : R reports of one root, one day apart, in the shape of
`keyaudit scan --format json` (or `audit` with --audit). The first holds N keys; each later run
drops FRACTION of the keys and adds as many new ones, so statuses move. Keys are fake:
fingerprints and redacted hints are random, no secret value is in any report.
"""
import argparse
import datetime
import json
import os
import random

PROVIDERS = [
    ("stripe-secret-key-live", "Stripe", "api-key", "full"),
    ("github-classic-pat", "GitHub", "token", "full"),
    ("slack-bot-token", "Slack", "token", "scoped"),
    ("aws-access-key-id", "AWS", "api-key", "full"),
    ("generic-password", "generic", "password", "full"),
]


def new_key(rng, serial):
    rule, provider, kind, privilege = rng.choice(PROVIDERS)
    locations = [
        {
            "source": "file",
            "path": f"service-{serial % 97}/config/{serial}.env",
            "line": rng.randint(1, 200),
            "column": 1,
            "variable": "TOKEN",
        }
        for _ in range(rng.choice([1, 1, 2, 3]))
    ]
    return {
        "fingerprint": "hmac-sha256:%032x" % rng.getrandbits(128),
        "key_id": None,
        "rule": rule,
        "provider": provider,
        "kind": kind,
        "redacted": "%04x…%02x" % (rng.getrandbits(16), rng.getrandbits(8)),
        "privilege": privilege,
        "privilege_evidence": "rule default",
        "environment": "live",
        "environment_evidence": "rule default",
        "lifetime": "long",
        "expires": None,
        "first_seen": None,
        "in_current_tree": True,
        "rotate": None,
        "locations": locations,
    }


def report(keys, when, audit):
    summary = {
        "keys": len(keys),
        "locations": sum(len(k["locations"]) for k in keys),
        "by_provider": {},
        "by_privilege": {},
        "skipped": 0,
        "errors": 0,
        "complete": True,
        "allowed": 0,
    }
    out_keys = keys
    if audit:
        out_keys = [
            dict(k, declared_as=None, flags=["unknown"], reasons=["not declared"], warnings=[], age_days=None)
            for k in keys
        ]
        summary["flagged"] = {"unknown": len(keys), "stale": 0, "over-privileged": 0, "unused": 0}
    return {
        "version": 1,
        "tool": {"name": "keyaudit", "version": "0.1.0"},
        "scan": {
            "roots": ["."],
            "files": len(keys),
            "bytes": 0,
            "blobs": 0,
            "commits": 0,
            "skipped": [],
            "errors": [],
            "duration_ms": 1,
            "salt_id": "0123456789abcdef",
        },
        "keys": out_keys,
        "unused": [],
        "unmatched_evidence": [],
        "managed": [],
        "summary": summary,
        "generated_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dest")
    parser.add_argument("--keys", type=int, required=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--churn", type=float, default=0.01)
    parser.add_argument("--audit", action="store_true")
    args = parser.parse_args()
    rng = random.Random(18)
    os.makedirs(args.dest, exist_ok=True)
    serial = 0
    keys = []
    for _ in range(args.keys):
        keys.append(new_key(rng, serial))
        serial += 1
    start = datetime.datetime(2026, 1, 1, 2, 0, 0)
    for run in range(args.runs):
        if run:
            changed = max(1, int(len(keys) * args.churn))
            for _ in range(changed):
                keys.pop(rng.randrange(len(keys)))
                keys.append(new_key(rng, serial))
                serial += 1
        when = start + datetime.timedelta(days=run)
        with open(os.path.join(args.dest, "run-%03d.json" % run), "w") as f:
            json.dump(report(keys, when, args.audit), f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
