#!/usr/bin/env python3
"""Generates a large synthetic git history for the history benchmark.

    bench/gen-history.py DEST [--commits N] [--tree-mb MB] [--source DIR]

DEST becomes a bare repository. Its first commit holds a realistic tree: text files copied
from SOURCE (default: the crate sources under ~/.cargo/registry/src) up to --tree-mb megabytes.
Each following commit edits a few files (a changed line, an appended block), now and then adds
or deletes one, and about one commit in 500 plants a fake key. The stream goes through
`git fast-import`, then `git gc` packs it with deltas, as a real repository would be.
"""
import argparse
import os
import random
import secrets
import string
import subprocess
import sys

TEXT_EXTENSIONS = {".rs", ".md", ".toml", ".txt", ".c", ".h", ".py", ".json", ".yml", ".yaml"}


def collect_tree(source, limit_bytes, rng):
    files = []
    for root, dirs, names in os.walk(source):
        dirs.sort()
        for name in sorted(names):
            if os.path.splitext(name)[1] not in TEXT_EXTENSIONS:
                continue
            path = os.path.join(root, name)
            try:
                data = open(path, "rb").read()
            except OSError:
                continue
            if b"\0" in data or len(data) > 200_000:
                continue
            files.append((os.path.relpath(path, source), data))
    rng.shuffle(files)
    tree, total = {}, 0
    for rel, data in files:
        if total + len(data) > limit_bytes:
            break
        tree[rel] = data
        total += len(data)
    return tree


def fake_key(rng):
    alphabet = string.ascii_letters + string.digits
    body = "".join(rng.choice(alphabet) for _ in range(36))
    return f"GITHUB_TOKEN=ghp_{body}\n".encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dest")
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--tree-mb", type=int, default=24)
    parser.add_argument("--source", default=os.path.expanduser("~/.cargo/registry/src"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    tree = collect_tree(args.source, args.tree_mb << 20, rng)
    if not tree:
        sys.exit(f"gen-history: no text files under {args.source}")
    subprocess.run(["git", "init", "-q", "--bare", args.dest], check=True)
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=args.dest, stdin=subprocess.PIPE
    )
    out = importer.stdin

    def data(payload):
        out.write(b"data %d\n" % len(payload))
        out.write(payload)
        out.write(b"\n")

    when = 1_600_000_000
    paths = sorted(tree)
    for n in range(1, args.commits + 1):
        when += rng.randint(60, 7200)
        out.write(b"commit refs/heads/main\n")
        out.write(b"mark :%d\n" % n)
        who = rng.choice(["alice", "bob", "carol", "dave", "erin"])
        ident = f"{who} <{who}@corp.example> {when} +0000\n".encode()
        out.write(b"author " + ident)
        out.write(b"committer " + ident)
        data(f"change {n}".encode())
        if n > 1:
            out.write(b"from :%d\n" % (n - 1))
        if n == 1:
            changed = paths
        else:
            changed = rng.sample(paths, k=min(len(paths), rng.randint(1, 4)))
            for path in changed:
                lines = tree[path].split(b"\n")
                i = rng.randrange(len(lines))
                lines[i] = lines[i] + b" // edit %d" % n
                if rng.random() < 0.3:
                    lines.append(b"// appended in change %d" % n)
                tree[path] = b"\n".join(lines)
            if rng.random() < 0.02:
                new = f"generated/file_{n}.txt"
                tree[new] = secrets.token_hex(rng.randint(200, 4000)).encode()
                paths.append(new)
                changed = changed + [new]
            if rng.random() < 0.01 and len(paths) > 10:
                gone = paths.pop(rng.randrange(len(paths)))
                del tree[gone]
                changed = [p for p in changed if p != gone]
                out.write(b"D " + gone.encode() + b"\n")
            if n % 500 == 0:
                path = f"config/leak_{n}.env"
                tree[path] = fake_key(rng)
                paths.append(path)
                changed = changed + [path]
        for path in changed:
            out.write(b"M 100644 inline " + path.encode() + b"\n")
            data(tree[path])
    out.close()
    if importer.wait() != 0:
        sys.exit("gen-history: git fast-import failed")
    subprocess.run(["git", "gc", "-q", "--aggressive"], cwd=args.dest, check=True)


if __name__ == "__main__":
    main()
