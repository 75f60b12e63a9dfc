#!/usr/bin/env python3
"""ML-DSA and ML-KEM: QFS against @noble/post-quantum, in the same run on the same machine.

Runs build/release/bench/qfs_crypto_benchmark (medians of 5 repetitions) and
bench/noble/bench.mjs (medians of 5), then prints a Markdown table with operations per second
and the ratio. Installs the pinned npm package (bench/noble/package-lock.json) through
scripts/setup if it is missing.

usage: bench/pq_compare.py [--build build/release] [--smoke]

--smoke (the ctest `bench_smoke_pq_compare`): one repetition of a few milliseconds per
operation on each side, the same parsing, checks and ratios; exits non-zero if a figure is
missing on either side. Where the peer cannot be installed it says "peer skipped: why" and
compares our figures with themselves, so that the rest of the path still runs.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DSA_SETS = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"]
KEM_SETS = ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"]
# Every benchmark that --benchmark_filter=BM_Ml selects, and the row it fills. A new one must be
# added here: the smoke test fails on a name it does not know, so this script cannot rot.
OURS = {"BM_MlDsaKeyGen": "keygen", "BM_MlDsaSign": "sign", "BM_MlDsaVerify": "verify",
        "BM_MlDsaVerifyPrepared": "verify, key prepared once",
        "BM_MlKemKeyGen": "keygen", "BM_MlKemEncaps": "encaps", "BM_MlKemDecaps": "decaps"}
DSA_OPS = ["keygen", "sign", "verify", "verify, key prepared once"]
KEM_OPS = ["keygen", "encaps", "decaps"]
# noble has no prepared key (each of its verifies expands the public key), so our prepared
# verify is compared with its verify: what a node with a key cache pays against a JS client.
PEER_OP = {"verify, key prepared once": "verify"}
EXPECTED = [(op, s) for s in DSA_SETS for op in DSA_OPS] + [(op, s) for s in KEM_SETS
                                                              for op in KEM_OPS]
TIME_UNIT_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def fail(why):
    print("pq_compare: " + why, file=sys.stderr)
    sys.exit(1)


def parse_ours(text, repetitions):
    """Google Benchmark JSON -> {(op, set): ns}: the median aggregate, or with one repetition
    the one run (Google Benchmark reports no aggregates then)."""
    results = {}
    for b in json.loads(text)["benchmarks"]:
        if repetitions > 1 and b.get("aggregate_name") != "median":
            continue
        if repetitions == 1 and b.get("run_type") != "iteration":
            continue
        base = b["run_name"].split("/")[0]
        if base not in OURS:
            fail("qfs_crypto_benchmark ran %s, which this script does not know: add it to OURS"
                 % base)
        results[(OURS[base], b["label"])] = b["real_time"] * TIME_UNIT_NS[b["time_unit"]]
    return results


def ours(build, repetitions, min_time_s):
    binary = os.path.join(build, "bench", "qfs_crypto_benchmark")
    if not os.path.exists(binary):
        fail("%s is missing: build the release preset first" % binary)
    args = [binary, "--benchmark_filter=BM_Ml", "--benchmark_repetitions=%d" % repetitions,
            "--benchmark_report_aggregates_only=true", "--benchmark_format=json"]
    if min_time_s is not None:
        args.append("--benchmark_min_time=%g" % min_time_s)  # Google Benchmark 1.7: seconds
    return parse_ours(subprocess.check_output(args, text=True), repetitions)


def install_noble(interactive):
    """scripts/setup installs bench/noble's pinned packages if needed (missing, or older than the
    lock file); returns why it could not, or None."""
    r = subprocess.run([os.path.join(ROOT, "scripts", "setup")], capture_output=True, text=True,
                       stdin=None if interactive else subprocess.DEVNULL,
                       start_new_session=not interactive)  # sudo cannot wait for a password
    if r.returncode != 0:
        return "scripts/setup could not install bench/noble's npm packages: " + " | ".join(
            r.stderr.strip().splitlines()[-4:] or ["exit %d" % r.returncode])
    return None


def noble(repetitions, min_ms):
    out = subprocess.check_output(["node", "bench.mjs", "--repetitions", str(repetitions),
                                   "--min-ms", str(min_ms)],
                                  cwd=os.path.join(ROOT, "bench", "noble"), text=True)
    return {(r["op"], r["set"]): r["ns"] for r in map(json.loads, out.splitlines())}


def check_complete(side, results, wanted):
    missing = [k for k in wanted if k not in results]
    if missing:
        fail("%s gave no figure for %s" % (side, ", ".join("%s %s" % (s, op) for op, s in missing)))
    for k in wanted:
        if not results[k] > 0:
            fail("%s: %s %s took %r ns" % (side, k[1], k[0], results[k]))


def table(a, b, peer_note):
    lines = ["| parameter set | operation | QFS ops/s | @noble/post-quantum ops/s%s | ratio |"
             % peer_note, "| --- | --- | --- | --- | --- |"]
    for op, ps in EXPECTED:
        q, n = 1e9 / a[(op, ps)], 1e9 / b[(PEER_OP.get(op, op), ps)]
        lines.append(f"| {ps} | {op} | {q:,.0f} | {n:,.0f} | {q / n:.1f}x |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--smoke", action="store_true",
                    help="one short repetition per side: checks the whole path, not the figures")
    args = ap.parse_args()
    repetitions, min_time_s, min_ms = (1, 0.001, 1) if args.smoke else (5, None, 500)
    a = ours(args.build, repetitions, min_time_s)
    check_complete("qfs_crypto_benchmark", a, EXPECTED)
    why = install_noble(interactive=not args.smoke)
    if why is None:
        b = noble(repetitions, min_ms)
    elif args.smoke:
        print("peer skipped: " + why)
        b = {key: ns for key, ns in a.items() if key[0] not in PEER_OP}
    else:
        fail(why)
    check_complete("bench/noble/bench.mjs", b,
                   sorted({(PEER_OP.get(op, op), s) for op, s in EXPECTED}))
    note = " (peer skipped: our own figures)" if why else ""
    print("\n".join(table(a, b, note)))


if __name__ == "__main__":
    main()
