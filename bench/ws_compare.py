#!/usr/bin/env python3
"""WebSocket echo: QFS's server against ws 8 on Node.js, in the same run on the same machine.

For 1, 100 and 1,000 connections, each server in turn is loaded by the same C++ load generator
(build/release/bench/qfs_ws_bench load: closed-loop echo of 64-byte text messages, one thread,
raw pre-masked frames and epoll, so that it is not the bottleneck), alternating servers for each
of --runs runs; prints the medians of round trips per second and p50/p99 latency as a Markdown
table with the ratio of ours to ws. A third server, `qfs_ws_bench raw-echo` (canned frames, no
WebSocket code: one recv and one send per round trip), measures the floor: what the kernel and
the load generator allow any server on this machine.

usage: bench/ws_compare.py [--build build/release] [--runs 3] [--seconds 5] [--threads 1]
                           [--smoke]

--smoke (the ctest `bench_smoke_ws_compare`): 1 and 10 connections, one short run each, the
same parsing, medians and ratios; exits non-zero if a figure is missing. Where ws cannot be
installed it says "peer skipped: why" and compares ours with itself.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ["per_second", "p50_us", "p99_us"]


def fail(why):
    print("ws_compare: " + why, file=sys.stderr)
    sys.exit(1)


class Server:
    """A server process that prints {"port": N} when it listens; stopped with SIGTERM."""

    def __init__(self, args, cwd=None):
        self.proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        try:
            self.port = json.loads(line)["port"]
        except (ValueError, KeyError):
            self.stop()
            fail("%s did not start: %r" % (args[0], line))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def load(bench, port, connections, seconds, warmup):
    out = subprocess.check_output([bench, "load", "--port", str(port), "--connections",
                                   str(connections), "--seconds", str(seconds), "--warmup",
                                   str(warmup)], text=True)
    result = json.loads(out)
    for field in FIELDS:
        if field not in result:
            fail("the load generator printed no %s: %r" % (field, out))
    return result


def install_ws(interactive):
    """scripts/setup installs bench/ws_node's pinned ws if needed; returns why it could not."""
    r = subprocess.run([os.path.join(ROOT, "scripts", "setup")], capture_output=True, text=True,
                       stdin=None if interactive else subprocess.DEVNULL,
                       start_new_session=not interactive)  # sudo cannot wait for a password
    if r.returncode != 0:
        return "scripts/setup could not install bench/ws_node's npm packages: " + " | ".join(
            r.stderr.strip().splitlines()[-4:] or ["exit %d" % r.returncode])
    if not os.path.isdir(os.path.join(ROOT, "bench", "ws_node", "node_modules", "ws")):
        return "bench/ws_node/node_modules/ws is missing after scripts/setup"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="our server's threads (the load generator needs the other core)")
    parser.add_argument("--smoke", action="store_true")
    a = parser.parse_args()
    counts = [1, 100, 1000]
    warmup = 1.0
    if a.smoke:
        counts, a.runs, a.seconds, warmup = [1, 10], 1, 0.3, 0.1
    bench = os.path.join(a.build, "bench", "qfs_ws_bench")
    if not os.path.exists(bench):
        fail("%s is missing: build the release preset first" % bench)
    why = install_ws(interactive=not a.smoke)
    if why:
        print("peer skipped: " + why)
    servers = {
        "ours": lambda: Server([bench, "serve", "--threads", str(a.threads)]),
        "ws": (lambda: Server(["node", "echo.mjs"], cwd=os.path.join(ROOT, "bench", "ws_node")))
        if not why else (lambda: Server([bench, "serve", "--threads", str(a.threads)])),
        "floor": lambda: Server([bench, "raw-echo"]),
    }
    results = {(name, n): [] for name in servers for n in counts}
    for _ in range(a.runs):
        for name, start in servers.items():
            server = start()
            try:
                for n in counts:
                    results[(name, n)].append(load(bench, server.port, n, a.seconds, warmup))
            finally:
                server.stop()
            time.sleep(0.2)
    median = {key: {f: statistics.median(r[f] for r in runs) for f in FIELDS}
              for key, runs in results.items()}
    peer = "ws 8 (Node.js %s)" % subprocess.check_output(["node", "--version"], text=True).strip() \
        if not why else "ours again (peer skipped)"
    print("| connections | ours round trips/s | %s round trips/s | ratio | floor (raw echo) | "
          "ours p50 / p99 µs | ws p50 / p99 µs |" % ("ws" if not why else "peer"))
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in counts:
        o, w, f = median[("ours", n)], median[("ws", n)], median[("floor", n)]
        print("| %d | %.0f | %.0f | %.2f× | %.0f | %.0f / %.0f | %.0f / %.0f |" % (
            n, o["per_second"], w["per_second"], o["per_second"] / w["per_second"],
            f["per_second"], o["p50_us"], o["p99_us"], w["p50_us"], w["p99_us"]))
    print("\nmedians of %d runs of %.1f s (after %.1f s warm-up); ours with %d thread(s); peer: %s"
          % (a.runs, a.seconds, warmup, a.threads, peer))


if __name__ == "__main__":
    main()
