#!/usr/bin/env python3
"""MLS: QFS against ts-mls, in the same run on the same machine.

Runs build/release/bench/qfs_mls_benchmark (medians of --repetitions) and
interop/mls/bench.mjs (medians of as many runs), then prints a Markdown table: one application
message (100 B, created and processed), and a Commit (a fresh path) created and processed for
groups of 2, 100 and 1,000 members built the same way on both sides. Ratios are ts-mls time /
QFS time. usage: bench/mls_compare.py [--build build/release] [--suite 1] [--repetitions 5]
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = {"BM_GroupMessageRoundTrip": "message", "BM_GroupCreateCommit": "commit_create",
        "BM_GroupProcessCommit": "commit_process"}


def ours(build, repetitions):
    out = subprocess.check_output(
        [os.path.join(build, "bench", "qfs_mls_benchmark"),
         "--benchmark_filter=BM_Group(MessageRoundTrip|CreateCommit|ProcessCommit)",
         f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
         "--benchmark_format=json"], text=True)
    results = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        base, arg = b["run_name"].split("/")[:2]
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        results[(OURS[base], int(arg))] = b["real_time"] * scale
    return results


def ts_mls(suite, repetitions):
    here = os.path.join(ROOT, "interop", "mls")
    subprocess.check_call([os.path.join(ROOT, "scripts", "setup")], stdout=subprocess.DEVNULL)
    out = subprocess.check_output(["node", "bench.mjs", "--suite", str(suite), "--repetitions",
                                   str(repetitions)], cwd=here, text=True)
    return {(r["op"], r["n"]): r["ns"] for r in map(json.loads, out.splitlines())}


def show(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.1f} µs"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    p.add_argument("--suite", type=int, default=1)
    p.add_argument("--repetitions", type=int, default=5)
    a = p.parse_args()
    q = ours(a.build, a.repetitions)
    t = ts_mls(a.suite, a.repetitions)
    print("| operation | n | QFS | ts-mls | ts-mls / QFS |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for key in sorted(q, key=lambda k: (k[0] != "message", k[0], k[1])):
        if key not in t:
            continue
        print(f"| {key[0]} | {key[1]} | {show(q[key])} | {show(t[key])} | {t[key] / q[key]:.1f}× |")
    for n in sorted({k[1] for k in q if k[0] == "commit_create"}):
        c, pr = q.get(("commit_create", n)), q.get(("commit_process", n))
        if c and pr:
            print(f"\nQFS Commit for {n} members, created + processed: {show(c + pr)}")


if __name__ == "__main__":
    main()
