#!/usr/bin/env python3
"""Builds a history of real code for the history benchmark: one commit per released version.

    bench/gen-real-history.py DEST [--package NAME]... [--max-versions N]

For each package (default: django and sympy, large pure-Python projects), every released
version with a pure-Python wheel is fetched with `pip download` (the registry's own client),
oldest first, unpacked over the package's directory and committed, so successive releases give
real deltas. DEST becomes a bare repository, packed by `git gc` as a real one would be. Its
size is set by the packages and --max-versions (per package); the script prints the number of
blobs. Downloads are cached in DEST.cache, so a second run is offline. Nothing here is committed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile


def versions(package):
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package],
        check=True, capture_output=True, text=True,
    ).stdout
    line = next(l for l in out.splitlines() if l.startswith("Available versions:"))
    found = [v.strip() for v in line.split(":", 1)[1].split(",")]
    # Final releases only, oldest first.
    final = [v for v in found if re.fullmatch(r"[0-9]+(\.[0-9]+)*", v)]
    return sorted(final, key=lambda v: [int(p) for p in v.split(".")])


def fetch(package, version, cache):
    os.makedirs(cache, exist_ok=True)
    prefix = package.replace("-", "_").lower() + "-" + version + "-"
    for name in os.listdir(cache):
        if name.lower().startswith(prefix) and name.endswith(".whl"):
            return os.path.join(cache, name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
         "--python-version", "3", "--implementation", "py", "--abi", "none",
         "--platform", "any", "-d", cache, f"{package}=={version}"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        return None
    for name in os.listdir(cache):
        if name.lower().startswith(prefix) and name.endswith(".whl"):
            return os.path.join(cache, name)
    return None


def git(work, *args, env=None):
    subprocess.run(["git", "-C", work, *args], check=True, env=env)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dest")
    parser.add_argument("--package", action="append")
    parser.add_argument("--max-versions", type=int, default=1000)
    args = parser.parse_args()
    packages = args.package or ["django", "sympy"]
    dest = os.path.abspath(args.dest)
    cache = dest + ".cache"
    work = tempfile.mkdtemp(prefix="gen-real-history-")
    git(work, "init", "-q", "-b", "main")
    when = 1_300_000_000
    commits = 0
    for package in packages:
        for version in versions(package)[: args.max_versions]:
            wheel = fetch(package, version, cache)
            if wheel is None:
                continue
            target = os.path.join(work, package)
            shutil.rmtree(target, ignore_errors=True)
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)
            when += 86_400
            stamp = f"{when} +0000"
            env = dict(os.environ, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp,
                       GIT_AUTHOR_NAME="release", GIT_AUTHOR_EMAIL="release@example.org",
                       GIT_COMMITTER_NAME="release", GIT_COMMITTER_EMAIL="release@example.org")
            git(work, "add", "-A", env=env)
            git(work, "commit", "-q", "--allow-empty", "-m", f"{package} {version}", env=env)
            commits += 1
            print(f"gen-real-history: {package} {version}", file=sys.stderr)
    if commits == 0:
        sys.exit("gen-real-history: no version could be fetched")
    subprocess.run(["git", "clone", "-q", "--bare", work, dest], check=True)
    shutil.rmtree(work)
    git(dest, "gc", "-q")
    blobs = subprocess.run(
        ["git", "-C", dest, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"],
        check=True, capture_output=True, text=True,
    ).stdout.count("blob")
    print(f"gen-real-history: {dest}: {commits} commits, {blobs} blobs")


if __name__ == "__main__":
    main()
