#!/usr/bin/env python3
"""Builds a history of real code for the history benchmark: one commit per released version.

    bench/gen-real-history.py DEST [--package NAME[:LAST]]... [--max-versions N]

For each package (default: django, ansible-core and sympy, large pure-Python projects), every
final release with a pure-Python wheel is fetched from PyPI's JSON API (eight downloads at a
time) and, oldest first, committed as the package's directory (through `git fast-import`), so successive
releases give real deltas. DEST becomes a bare repository, packed by `git gc` as a real one would be. Its
size is set by the packages, --max-versions (the first N of each package) and NAME:LAST (the
last LAST releases of NAME); the script prints the number of blobs. With `--package django
--package ansible-core --package sympy --package ansible:N`: 98,017 blobs for N = 20 and
149,149 for N = 60 (a 523 MiB pack), each further ansible release adding about 1,300. Downloads are cached in DEST.cache, so a second run is offline. Nothing here is committed.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile


INDEX = "https://pypi.org/pypi/{}/json"


def wheels(package):
    """(version, url, filename) of each final release's pure-Python wheel, oldest first."""
    url = INDEX.format(package)
    with urllib.request.urlopen(url, timeout=60) as response:
        releases = json.load(response)["releases"]
    found = []
    for version, files in releases.items():
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", version):
            continue
        pure = [f for f in files if f["filename"].endswith("-none-any.whl")]
        if pure:
            # The registry may answer with URLs relative to the JSON document.
            found.append((version, urllib.parse.urljoin(url, pure[0]["url"]), pure[0]["filename"]))
    return sorted(found, key=lambda w: [int(p) for p in w[0].split(".")])


def fetch(url, filename, cache):
    path = os.path.join(cache, filename)
    if not os.path.exists(path):
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
        with open(path + ".part", "wb") as out:
            out.write(data)
        os.replace(path + ".part", path)
    return path


def git(work, *args, env=None):
    subprocess.run(["git", "-C", work, *args], check=True, env=env)


def commit_release(importer, package, version, wheel, when):
    """Streams `wheel`'s files to `git fast-import` as the package's directory in a new commit
    on main; 1 when committed. fast-import stores each distinct blob once."""
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile:
        return 0
    message = f"{package} {version}".encode()
    out = importer.stdin
    out.write(b"commit refs/heads/main\n")
    out.write(f"author release <release@example.org> {when} +0000\n".encode())
    out.write(f"committer release <release@example.org> {when} +0000\n".encode())
    out.write(b"data %d\n%s\n" % (len(message), message))
    # Each commit continues the branch: fast-import keeps its tip between commits.
    # The package's directory is replaced whole; other packages' stay.
    out.write(f"D {package}\n".encode())
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            data = archive.read(info)
            out.write(f"M 644 inline {package}/{info.filename}\n".encode())
            out.write(b"data %d\n" % len(data))
            out.write(data)
            out.write(b"\n")
    print(f"gen-real-history: {package} {version}", file=sys.stderr)
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dest")
    parser.add_argument("--package", action="append")
    parser.add_argument("--max-versions", type=int, default=1000)
    args = parser.parse_args()
    packages = args.package or ["django", "ansible-core", "sympy"]
    dest = os.path.abspath(args.dest)
    cache = dest + ".cache"
    work = tempfile.mkdtemp(prefix="gen-real-history-")
    git(work, "init", "-q", "--bare", "-b", "main")
    importer = subprocess.Popen(["git", "-C", work, "fast-import", "--quiet"],
                                stdin=subprocess.PIPE)
    when = 1_300_000_000
    commits = 0
    os.makedirs(cache, exist_ok=True)
    for spec in packages:
        # NAME or NAME:N, the last N releases of NAME (for packages whose releases are large).
        package, _, last = spec.partition(":")
        releases = wheels(package)[: args.max_versions]
        if last:
            releases = releases[-int(last):]
        # Downloads run eight at a time; commits follow in release order.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            downloads = [pool.submit(fetch, url, name, cache) for _, url, name in releases]
            for (version, _, _), download in zip(releases, downloads):
                try:
                    wheel = download.result()
                except OSError as err:
                    print(f"gen-real-history: {package} {version}: {err}", file=sys.stderr)
                    continue
                commits += commit_release(importer, package, version, wheel,
                                          when + 86_400 * commits)
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("gen-real-history: git fast-import failed")
    if commits == 0:
        sys.exit("gen-real-history: no version could be fetched")
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(work, dest)
    git(dest, "gc", "-q")
    blobs = subprocess.run(
        ["git", "-C", dest, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"],
        check=True, capture_output=True, text=True,
    ).stdout.count("blob")
    print(f"gen-real-history: {dest}: {commits} commits, {blobs} blobs")


if __name__ == "__main__":
    main()
