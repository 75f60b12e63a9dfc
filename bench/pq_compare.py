#!/usr/bin/env python3
"""ML-DSA and ML-KEM: QFS against @noble/post-quantum, in the same run on the same machine.

Runs build/release/bench/qfs_crypto_benchmark (medians of 5 repetitions) and
bench/noble/bench.mjs (medians of 5), then prints a Markdown table with operations per second
and the ratio. usage: bench/pq_compare.py [--build build/release]
Installs the pinned npm package (bench/noble/package-lock.json) if it is missing.
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_NAMES = {"BM_MlDsaKeyGen": "keygen", "BM_MlDsaSign": "sign", "BM_MlDsaVerify": "verify",
               "BM_MlKemKeyGen": "keygen", "BM_MlKemEncaps": "encaps", "BM_MlKemDecaps": "decaps"}


def ours(build):
    out = subprocess.check_output(
        [os.path.join(build, "bench", "qfs_crypto_benchmark"), "--benchmark_filter=BM_Ml",
         "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
         "--benchmark_format=json"], text=True)
    results = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        base = b["run_name"].split("/")[0]
        results[(BENCH_NAMES[base], b["label"])] = b["real_time"]  # ns
    return results


def noble():
    noble_dir = os.path.join(ROOT, "bench", "noble")
    if not os.path.isdir(os.path.join(noble_dir, "node_modules")):
        subprocess.check_call(["npm", "ci", "--no-audit", "--no-fund"], cwd=noble_dir)
    out = subprocess.check_output(["node", "bench.mjs"], cwd=noble_dir, text=True)
    return {(r["op"], r["set"]): r["ns"] for r in map(json.loads, out.splitlines())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    args = ap.parse_args()
    a, b = ours(args.build), noble()
    print("| parameter set | operation | QFS ops/s | @noble/post-quantum ops/s | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for key in sorted(a, key=lambda k: (k[1], ["keygen", "sign", "verify", "encaps", "decaps"].index(k[0]))):
        op, ps = key
        q, n = 1e9 / a[key], 1e9 / b[key]
        print(f"| {ps} | {op} | {q:,.0f} | {n:,.0f} | {q / n:.1f}x |")


if __name__ == "__main__":
    main()
