#!/usr/bin/env python3
"""MLS: QFS against ts-mls, in the same run on the same machine.

Runs build/release/bench/qfs_mls_benchmark (medians of --repetitions) and
interop/mls/bench.mjs (medians of as many runs), then prints a Markdown table: one application
message (100 B, created and processed), and a Commit (a fresh path) created and processed for
groups of 2, 100 and 1,000 members built the same way on both sides. Ratios are ts-mls time /
QFS time. ts-mls is installed by scripts/setup (interop/mls/package-lock.json).

usage: bench/mls_compare.py [--build build/release] [--suite 1] [--repetitions 5] [--smoke]

--smoke (the ctest `bench_smoke_mls_compare`): groups of 2 only, one short repetition per side,
the same parsing, checks and ratios; exits non-zero if a figure is missing on either side. Where
ts-mls cannot be installed it says "peer skipped: why" and compares our figures with themselves,
so that the rest of the path still runs.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = {"BM_GroupMessageRoundTrip": "message", "BM_GroupCreateCommit": "commit_create",
        "BM_GroupProcessCommit": "commit_process"}
MESSAGE_BYTES = 100  # the message row's n: its size, on both sides
TIME_UNIT_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def fail(why):
    print("mls_compare: " + why, file=sys.stderr)
    sys.exit(1)


def expected(sizes):
    return [("message", MESSAGE_BYTES)] + [(op, n) for op in ("commit_create", "commit_process")
                                           for n in sizes]


def parse_ours(text, repetitions):
    """Google Benchmark JSON -> {(op, n): ns}: the median aggregate, or with one repetition the
    one run (Google Benchmark reports no aggregates then)."""
    results = {}
    for b in json.loads(text)["benchmarks"]:
        if repetitions > 1 and b.get("aggregate_name") != "median":
            continue
        if repetitions == 1 and b.get("run_type") != "iteration":
            continue
        base, arg = b["run_name"].split("/")[:2]
        results[(OURS[base], int(arg))] = b["real_time"] * TIME_UNIT_NS[b["time_unit"]]
    return results


def ours(build, sizes, repetitions, min_time_s):
    binary = os.path.join(build, "bench", "qfs_mls_benchmark")
    if not os.path.exists(binary):
        fail("%s is missing: build the release preset first" % binary)
    commits = "|".join(str(n) for n in sizes)
    args = [binary,
            "--benchmark_filter=^BM_Group(MessageRoundTrip/%d|(CreateCommit|ProcessCommit)/(%s))$"
            % (MESSAGE_BYTES, commits),
            f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
            "--benchmark_format=json"]
    if min_time_s is not None:
        args.append("--benchmark_min_time=%g" % min_time_s)  # Google Benchmark 1.7: seconds
    return parse_ours(subprocess.check_output(args, text=True), repetitions)


def install_ts_mls(interactive):
    """scripts/setup installs interop/mls's pinned packages if needed; returns why not, or None."""
    r = subprocess.run([os.path.join(ROOT, "scripts", "setup")], capture_output=True, text=True,
                       stdin=None if interactive else subprocess.DEVNULL,
                       start_new_session=not interactive)  # sudo cannot wait for a password
    if r.returncode != 0:
        return "scripts/setup could not install ts-mls: " + " | ".join(
            r.stderr.strip().splitlines()[-4:] or ["exit %d" % r.returncode])
    return None


def ts_mls(suite, sizes, repetitions, min_ms):
    out = subprocess.check_output(["node", "bench.mjs", "--suite", str(suite), "--sizes",
                                   ",".join(str(n) for n in sizes), "--repetitions",
                                   str(repetitions), "--min-ms", str(min_ms)],
                                  cwd=os.path.join(ROOT, "interop", "mls"), text=True)
    return {(r["op"], r["n"]): r["ns"] for r in map(json.loads, out.splitlines())}


def check_complete(side, results, wanted):
    missing = [k for k in wanted if k not in results]
    if missing:
        fail("%s gave no figure for %s" % (side, ", ".join("%s n=%d" % k for k in missing)))
    for k in wanted:
        if not results[k] > 0:
            fail("%s: %s n=%d took %r ns" % (side, k[0], k[1], results[k]))


def show(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.1f} µs"


def report(q, t, sizes, peer_note):
    lines = ["| operation | n | QFS | ts-mls%s | ts-mls / QFS |" % peer_note,
             "| --- | ---: | ---: | ---: | ---: |"]
    for key in expected(sizes):
        lines.append(f"| {key[0]} | {key[1]} | {show(q[key])} | {show(t[key])} | "
                     f"{t[key] / q[key]:.1f}× |")
    for n in sizes:
        lines.append(f"\nQFS Commit for {n} members, created + processed: "
                     f"{show(q[('commit_create', n)] + q[('commit_process', n)])}")
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    p.add_argument("--suite", type=int, default=1)
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--smoke", action="store_true",
                   help="groups of 2, one short repetition: checks the whole path, not the figures")
    a = p.parse_args()
    if a.smoke:
        sizes, repetitions, min_time_s, min_ms = [2], 1, 0.001, 1
    else:
        sizes, repetitions, min_time_s, min_ms = [2, 100, 1000], a.repetitions, None, 300
    q = ours(a.build, sizes, repetitions, min_time_s)
    check_complete("qfs_mls_benchmark", q, expected(sizes))
    why = install_ts_mls(interactive=not a.smoke)
    if why is None:
        t = ts_mls(a.suite, sizes, repetitions, min_ms)
    elif a.smoke:
        print("peer skipped: " + why)
        t = dict(q)
    else:
        fail(why)
    check_complete("interop/mls/bench.mjs", t, expected(sizes))
    print("\n".join(report(q, t, sizes, " (peer skipped: our own figures)" if why else "")))


if __name__ == "__main__":
    main()
