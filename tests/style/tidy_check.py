#!/usr/bin/env python3
"""Runs clang-tidy (.clang-tidy, warnings are errors) over every C++ source file of a build.

usage: tidy_check.py BUILD_DIR

A file that was found clean is remembered in a cache keyed by everything clang-tidy's verdict
depends on: the clang-tidy version, .clang-tidy, the file's compile flags and its preprocessed
text as clang sees it (every header included), with the checkout's path taken out so that
another clone of the same commit hits. Only clean verdicts are cached, so a finding is reported
on every run until it is fixed. Cache: $QFS_TIDY_CACHE, default ~/.cache/qfs/tidy; set it to
"off" to check every file.
"""
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sources():
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "--", "src/*.cc", "bench/*.cc"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [os.path.join(ROOT, f) for f in out.split()]


def compile_args(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    kept, skip = [], False
    for a in args[1:]:  # the compiler itself is replaced by clang++
        if skip:
            skip = False
        elif a in ("-o", "-c", "-MF", "-MT", "-MQ"):
            skip = True
        elif a != entry["file"] and not a.startswith("-M"):
            kept.append(a)
    return kept


def cache_key(base, entry):
    args = compile_args(entry)
    text = subprocess.run(["clang++", "-E", "-P", "-w", *args, entry["file"]],
                          cwd=entry["directory"], capture_output=True).stdout
    h = hashlib.sha256(base)
    h.update(" ".join(args).replace(ROOT, "<root>").encode())
    h.update(os.path.relpath(entry["file"], ROOT).encode())
    h.update(text.replace(ROOT.encode(), b"<root>"))
    return h.hexdigest()


def tidy(build, path):
    r = subprocess.run(["clang-tidy", "-p", build, "--quiet", path],
                       capture_output=True, text=True)
    noise = lambda line: "warnings generated" in line or "warning generated" in line
    err = "\n".join(l for l in r.stderr.splitlines() if not noise(l))
    return r.returncode, (r.stdout + err).strip()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = {os.path.realpath(e["file"]): e for e in json.load(f)}
    files = sources()
    missing = [f for f in files if os.path.realpath(f) not in commands]
    if missing:
        sys.exit("tidy_check: not in the build's compile_commands.json: " + " ".join(missing))
    cache = os.environ.get("QFS_TIDY_CACHE",
                           os.path.join(os.path.expanduser("~"), ".cache", "qfs", "tidy"))
    use_cache = cache != "off"
    base = hashlib.sha256()
    base.update(subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout)
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        base.update(f.read())
    base = base.digest()
    if use_cache:
        os.makedirs(cache, exist_ok=True)

    def check(path):
        key = cache_key(base, commands[os.path.realpath(path)]) if use_cache else None
        marker = os.path.join(cache, key) if key else None
        if marker and os.path.exists(marker):
            return path, 0, "", True
        rc, out = tidy(build, path)
        if rc == 0 and not out and marker:
            with open(marker, "w") as m:
                m.write(os.path.relpath(path, ROOT) + "\n")
        return path, rc, out, False

    failed, cached = [], 0
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for path, rc, out, hit in pool.map(check, files):
            cached += hit
            if rc != 0 or out:
                failed.append(path)
                print(out, file=sys.stderr)
    if failed:
        print(f"clang-tidy: {len(failed)} of {len(files)} files have findings", file=sys.stderr)
        return 1
    print(f"clang-tidy: {len(files)} files clean ({cached} known clean from the cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
