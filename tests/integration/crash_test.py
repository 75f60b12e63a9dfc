#!/usr/bin/env python3
"""Crash test: kill -9 a loaded `qfs node` at random moments, CYCLES times (default 50), and
prove that no acknowledged entry is lost and that the log replays.

Each cycle starts the node on the same data directory (checkpoints every 64 entries, state
snapshots every 500, so kills land during both), drives it with `qfs_ledger_bench --node`
(bench/ledger_bench.cc; 8 users sending signed transfers; every acknowledged entry is appended
to a file as soon as the node answers), waits for the cycle's first acknowledged entry, and
kills the node with SIGKILL a random 0.2-1.0 s later. After all cycles: `qfs ledger verify`
passes (every CRC, hash, signature, result code and checkpoint state root), and every
acknowledged entry is in the log at its index with its signer, sequence and operation id.

The verdict does not depend on how fast the machine is. How much a cycle commits does (a node
under AddressSanitizer on a loaded machine commits a fraction of what a release build does), so
the test does not count on it: each cycle waits for the load to be acknowledged before its kill
is timed, and if no snapshot has been written by the last cycle, the load is driven on until one
is (the next start must use it) — up to DRIVE_SECONDS_MAX, failing with what was committed only
if it never is. usage: crash_test.py PATH_TO_QFS PATH_TO_QFS_LEDGER_BENCH  (env QFS_CRASH_CYCLES,
QFS_CRASH_SEED)"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

QFS = sys.argv.pop(1)
LEDGER_BENCH = sys.argv.pop(1)
CYCLES = int(os.environ.get("QFS_CRASH_CYCLES", "50"))
SEED = int(os.environ.get("QFS_CRASH_SEED", "20261122"))
CHECKPOINT_INTERVAL = 64
SNAPSHOT_INTERVAL = 500
# Bounds on waiting for progress, far above what any machine needs (a release build on two cores
# acknowledges its first entry of a cycle within ~0.1 s and commits 500 entries in ~1 s); they
# only turn a node that stopped committing into a clear failure before ctest's timeout.
FIRST_ACK_SECONDS_MAX = 120
DRIVE_SECONDS_MAX = 300


def start_node(data_dir):
    proc = subprocess.Popen([QFS, "node", "--listen-port", "0", "--data-dir", data_dir,
                             "--ledger-checkpoint-interval", str(CHECKPOINT_INTERVAL),
                             "--ledger-snapshot-interval", str(SNAPSHOT_INTERVAL),
                             "--http-requests-per-second-per-client", "100000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise AssertionError("node did not start: %r %r" % (line, proc.stderr.read()))
    started_from_snapshot = int(re.search(r"(\d+) from the snapshot", line).group(1))
    return proc, int(m.group(1)), started_from_snapshot


def kill(proc):
    """SIGKILL (again: harmless); returns what the process wrote to stderr, the first time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    err = proc.stderr.read() if proc.stderr and not proc.stderr.closed else ""
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
    return err.decode(errors="replace") if isinstance(err, bytes) else err


def size_of(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def file_id(path):
    """Which file is at `path` now (a snapshot is renamed into place: a new one, a new id)."""
    try:
        st = os.stat(path)
        return st.st_ino, st.st_mtime_ns, st.st_size
    except FileNotFoundError:
        return None


def wait_for(condition, seconds, procs, what):
    """Polls `condition` until it holds. Fails with what() if one of `procs` (name -> process)
    exits first, or if `seconds` pass: a bound on time, never the verdict's measure."""
    deadline = time.monotonic() + seconds
    while not condition():
        for name, proc in procs.items():
            if proc.poll() is not None:
                raise AssertionError("%s: the %s exited (%s): %s (seed %d)"
                                     % (what(), name, proc.returncode, kill(proc)[-2000:], SEED))
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %.0f s (seed %d)" % (what(), seconds, SEED))
        time.sleep(0.01)


def read_acks(path):
    acks = []
    if not os.path.exists(path):
        return acks
    with open(path) as f:
        for line in f:
            try:
                acks.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut short by the kill
                pass
    return acks


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.rng = random.Random(SEED)
        self.tmp = tempfile.mkdtemp(prefix="qfs-crash-test-")
        self.data = os.path.join(self.tmp, "data")
        self.acks_file = os.path.join(self.tmp, "acks.jsonl")
        self.snapshot_file = os.path.join(self.data, "ledger", "snapshot.qsnap")  # formats/log.md
        self.snapshot_notes = []  # the node's "snapshot not used: why" lines
        self.snapshot_starts = 0  # starts that read a snapshot
        self.drive_deadline = None

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cycle(self, number):
        """Starts the node and the load, waits for the cycle's first acknowledged entry, kills
        both at a random moment after that. From the last planned cycle on, while no start has
        read a snapshot, it first drives the load until a new snapshot is written."""
        node, port, from_snapshot = start_node(self.data)
        self.snapshot_starts += from_snapshot > 0
        drive_to_snapshot = number >= CYCLES - 1 and self.snapshot_starts == 0
        load = subprocess.Popen(
            [LEDGER_BENCH, "--node", "http://127.0.0.1:%d" % port,
             "--admin-key", os.path.join(self.data, "node.key"), "--acks", self.acks_file,
             "--seconds", str(FIRST_ACK_SECONDS_MAX + DRIVE_SECONDS_MAX), "--load-users", "8",
             "--concurrency", "8", "--seed", "7"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs = {"node": node, "load": load}
        try:
            acked, snapshot = size_of(self.acks_file), file_id(self.snapshot_file)
            wait_for(lambda: size_of(self.acks_file) > acked, FIRST_ACK_SECONDS_MAX, procs,
                     lambda: "cycle %d: the load's first acknowledged entry" % number)
            if drive_to_snapshot:
                self.drive_deadline = self.drive_deadline or time.monotonic() + DRIVE_SECONDS_MAX
                wait_for(lambda: file_id(self.snapshot_file) not in (None, snapshot),
                         max(0.0, self.drive_deadline - time.monotonic()), procs,
                         lambda: "cycle %d: no start has used a snapshot, and none was written "
                                 "at %d acknowledged entries (every %d entries; notes: %s)"
                                 % (number, len(read_acks(self.acks_file)), SNAPSHOT_INTERVAL,
                                    self.snapshot_notes))
            time.sleep(0.2 + 0.8 * self.rng.random())
        finally:
            err = kill(node)
            kill(load)
        self.snapshot_notes += [line for line in err.splitlines() if "snapshot not used" in line]

    def test_kill_9_under_load_loses_no_acknowledged_entry(self):
        data, acks_file = self.data, self.acks_file
        # The planned cycles, and more only while no start has read a snapshot (each of those
        # drives the load to a new one, which the next start must read).
        cycles = 0
        while cycles < CYCLES or self.snapshot_starts == 0:
            self.cycle(cycles)
            cycles += 1
        acks = read_acks(acks_file)
        self.assertGreater(len(acks), CYCLES, "the load hardly ran (seed %d)" % SEED)
        verify = subprocess.run([QFS, "ledger", "verify", os.path.join(data, "ledger")],
                                capture_output=True, text=True, timeout=600)
        self.assertEqual(verify.returncode, 0, "seed %d: %s" % (SEED, verify.stdout))
        report = json.loads(verify.stdout)
        self.assertFalse(report["halted"])
        self.assertGreater(int(report["checkpoints"]), 0)
        export = subprocess.run([QFS, "ledger", "export", os.path.join(data, "ledger")],
                                capture_output=True, text=True, timeout=600)
        self.assertEqual(export.returncode, 0)
        entries = [json.loads(line) for line in export.stdout.splitlines()]
        self.assertEqual(len(entries), int(report["entries"]))
        for ack in acks:
            entry = entries[int(ack["index"])]
            record = entry["record"]
            self.assertEqual(
                (record["type"], record["signer"], record["sequence"],
                 record["operation_id"], entry["result"]),
                ("packet", ack["signer"], ack["sequence"], ack["operation_id"], 0),
                "seed %d: acknowledged entry %s lost or changed" % (SEED, ack["index"]))
        # The node starts on what is left, not halted, with the same tree.
        node, port, _ = start_node(data)
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/v1/ledger/head" % port) as r:
                head = json.loads(r.read())
            self.assertEqual((head["size"], head["root"], head["halted"]),
                             (report["entries"], report["tree_root"], False))
        finally:
            kill(node)
        print("crash test: %d cycles (%d planned), %d started from a snapshot, %d "
              "acknowledged entries, %s log entries, %s torn tails cut (%s bytes), seed %d"
              % (cycles, CYCLES, self.snapshot_starts, len(acks), report["entries"],
                 report["torn_tails_cut"], report["torn_bytes_cut"], SEED))


if __name__ == "__main__":
    unittest.main(verbosity=2)
