#!/usr/bin/env python3
"""Crash test: kill -9 a loaded `qfs node` at random moments, CYCLES times (default 50), and
prove that no acknowledged entry is lost and that the log replays.

Each cycle starts the node on the same data directory (checkpoints every 64 entries, state
snapshots every 500, so kills land during both), drives it with `qfs bench ledger --node`
(8 users sending signed transfers; every acknowledged entry is appended to a file as soon as the
node answers), and kills the node with SIGKILL after a random 0.2-1.0 s. After all cycles:
`qfs ledger verify` passes (every CRC, hash, signature, result code and checkpoint state root),
and every acknowledged entry is in the log at its index with its signer, sequence and operation
id. usage: crash_test.py PATH_TO_QFS  (env QFS_CRASH_CYCLES, QFS_CRASH_SEED)"""
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

QFS = sys.argv.pop(1)
CYCLES = int(os.environ.get("QFS_CRASH_CYCLES", "50"))
SEED = int(os.environ.get("QFS_CRASH_SEED", "20261122"))


def start_node(data_dir):
    proc = subprocess.Popen([QFS, "node", "--listen-port", "0", "--data-dir", data_dir,
                             "--ledger-checkpoint-interval", "64",
                             "--ledger-snapshot-interval", "500",
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
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


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
    def test_kill_9_under_load_loses_no_acknowledged_entry(self):
        rng = random.Random(SEED)
        tmp = tempfile.mkdtemp(prefix="qfs-crash-test-")
        data = os.path.join(tmp, "data")
        acks_file = os.path.join(tmp, "acks.jsonl")
        try:
            snapshot_starts = 0
            for cycle in range(CYCLES):
                node, port, from_snapshot = start_node(data)
                snapshot_starts += 1 if from_snapshot > 0 else 0
                load = subprocess.Popen(
                    [QFS, "bench", "ledger", "--node", "http://127.0.0.1:%d" % port,
                     "--admin-key", os.path.join(data, "node.key"), "--acks", acks_file,
                     "--seconds", "60", "--load-users", "8", "--concurrency", "8",
                     "--seed", "7"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(0.2 + 0.8 * rng.random())
                kill(node)
                kill(load)
            acks = read_acks(acks_file)
            self.assertGreater(snapshot_starts, 0, "no start used a snapshot (seed %d)" % SEED)
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
                import urllib.request
                with urllib.request.urlopen("http://127.0.0.1:%d/v1/ledger/head" % port) as r:
                    head = json.loads(r.read())
                self.assertEqual((head["size"], head["root"], head["halted"]),
                                 (report["entries"], report["tree_root"], False))
            finally:
                kill(node)
            print("crash test: %d cycles, %d acknowledged entries, %s log entries, seed %d"
                  % (CYCLES, len(acks), report["entries"], SEED))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
