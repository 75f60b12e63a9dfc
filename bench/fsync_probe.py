#!/usr/bin/env python3
"""What one durable write costs this machine: N writes of SIZE bytes, each followed by fdatasync,
appending to a new file or (--in-place) overwriting a file written and synced beforehand.

Prints wall time and the whole machine's busy CPU time per sync (from /proc/stat: user, nice,
system, irq, softirq, steal — so the kernel's work for the disk counts wherever it runs), and the
sync latency's p50/p99. docs/BENCHMARKS.md ("Why the window") uses it; run it on a quiet machine.

usage: bench/fsync_probe.py [--syncs 5000] [--size 12000] [--in-place] [--dir /tmp] [--smoke]

--smoke (the ctest `bench_smoke_fsync_probe`): 20 syncs each way, append and in place; checks
that /proc/stat and the timings parse, not what they say.
"""
import argparse
import os
import sys
import tempfile
import time


def machine_ticks():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    if fields[0] != "cpu" or len(fields) < 9:  # cpu user nice system idle iowait irq softirq steal
        sys.exit("fsync_probe: /proc/stat's first line is not the cpu line: %r" % fields)
    return [int(x) for x in fields[1:]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--syncs", type=int, default=5000)
    ap.add_argument("--size", type=int, default=12000)
    ap.add_argument("--in-place", action="store_true")
    ap.add_argument("--dir", default=tempfile.gettempdir())
    ap.add_argument("--smoke", action="store_true", help="20 syncs each way: checks the script")
    a = ap.parse_args()
    if a.smoke:
        for in_place in (False, True):
            a.syncs, a.in_place = 20, in_place
            probe(a)
    else:
        probe(a)


def probe(a):
    fd, path = tempfile.mkstemp(dir=a.dir, prefix="qfs-fsync-probe-")
    try:
        if a.in_place:
            os.write(fd, b"\0" * (a.syncs * a.size + 4096))
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        record = b"x" * a.size
        hz = os.sysconf("SC_CLK_TCK")
        before, start = machine_ticks(), time.perf_counter()
        latencies = []
        for _ in range(a.syncs):
            os.write(fd, record)
            t = time.perf_counter()
            os.fdatasync(fd)
            latencies.append(time.perf_counter() - t)
        wall = time.perf_counter() - start
        d = [y - x for x, y in zip(before, machine_ticks())]
        busy = d[0] + d[1] + d[2] + d[5] + d[6] + d[7]  # user nice system irq softirq steal
        latencies.sort()
        per = 1e6 / hz / a.syncs
        print(f"{'in place' if a.in_place else 'append'}: {a.syncs} syncs of {a.size} B, "
              f"wall {1e6 * wall / a.syncs:.0f} us/sync, machine busy {busy * per:.0f} us/sync "
              f"(system {d[2] * per:.0f}, softirq {d[6] * per:.0f}), "
              f"p50 {latencies[len(latencies) // 2] * 1e6:.0f} us, "
              f"p99 {latencies[len(latencies) * 99 // 100] * 1e6:.0f} us")
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == "__main__":
    main()
