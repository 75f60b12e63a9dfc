#!/usr/bin/env python3
"""Integration: the ledger through a real `qfs node` on port 0, driven by the CLI a user runs
(`qfs keygen`, `qfs tx ...`, `qfs account ...`, `qfs ledger ...`) and by plain HTTP.
usage: ledger_node_test.py PATH_TO_QFS PATH_TO_OPENAPI_JSON"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

QFS = sys.argv.pop(1)
OPENAPI = sys.argv.pop(1)


def start_node(data_dir, checkpoint_interval=5):
    proc = subprocess.Popen([QFS, "node", "--listen-port", "0", "--data-dir", data_dir,
                             "--ledger-checkpoint-interval", str(checkpoint_interval)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+) .*identity (0x[0-9a-f]{40})", line)
    if not m:
        proc.kill()
        raise AssertionError("node did not start: %r %r" % (line, proc.stderr.read()))
    return proc, int(m.group(1)), m.group(2)


def stop_node(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()


def http(port, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data,
                                 method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def leaf_hash(entry_hash_hex):
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2, written independently of the C++ code."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        p = bytes.fromhex(p)
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


class LedgerNodeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qfs-ledger-test-")
        self.data = os.path.join(self.tmp, "data")
        self.proc, self.port, self.node_id = start_node(self.data)
        self.env = dict(os.environ, QFS_NODE="http://127.0.0.1:%d" % self.port)
        self.node_key = os.path.join(self.data, "node.key")

    def tearDown(self):
        stop_node(self.proc, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def qfs(self, *args):
        r = subprocess.run([QFS, *args], capture_output=True, text=True, env=self.env, timeout=60)
        lines = r.stdout.strip().splitlines()
        return r.returncode, json.loads(lines[-1]) if lines else None

    def user(self, name, algorithm="ed25519"):
        key = os.path.join(self.tmp, name + ".key")
        code, _ = self.qfs("keygen", "-o", key, "--kind", "device", "--algorithm", algorithm)
        self.assertEqual(code, 0)
        code, out = self.qfs("account", "id", "-k", key)
        self.assertEqual(code, 0)
        return key, out["identity"]

    def balance(self, identity, token="ATR"):
        code, out = self.qfs("account", "show", identity)
        self.assertEqual(code, 0, out)
        return out["balances"][token]

    def test_users_register_mint_transfer_and_reserve(self):
        alice_key, alice = self.user("alice")
        bob_key, bob = self.user("bob", "ed25519+ml-dsa-65")
        for key in (alice_key, bob_key):
            code, out = self.qfs("tx", "-k", key, "register")
            self.assertEqual((code, out["result_name"]), (0, "OK"), out)
        code, out = self.qfs("tx", "-k", self.node_key, "mint", alice, "ATR", "100")
        self.assertEqual((code, out["result"]), (0, 0), out)
        code, out = self.qfs("tx", "-k", alice_key, "transfer", bob, "ATR", "12.5")
        self.assertEqual(code, 0, out)
        self.assertEqual(self.balance(alice)["available"], "87.500000000000000000")
        self.assertEqual(self.balance(bob)["available"], "12.500000000000000000")
        # A business rejection is logged with its code and changes no balance.
        code, out = self.qfs("tx", "-k", alice_key, "transfer", bob, "ATR", "1000")
        self.assertEqual((code, out["result_name"]), (1, "INSUFFICIENT_FUNDS"))
        self.assertIsNotNone(out["index"])
        code, out = self.qfs("tx", "-k", alice_key, "mint", alice, "ATR", "1")
        self.assertEqual((code, out["result_name"]), (1, "ROLE_REQUIRED"))
        # Roles by name: the admin grants minter; an unknown name is refused before signing.
        code, out = self.qfs("tx", "-k", self.node_key, "set-roles", alice, "minter,burner")
        self.assertEqual((code, out["result"]), (0, 0), out)
        code, out = self.qfs("account", "show", alice)
        self.assertEqual(out["roles"], ["minter", "burner"])
        code, out = self.qfs("tx", "-k", self.node_key, "set-roles", alice, "minter,root")
        self.assertEqual((code, out["error"]["code"]), (1, "INVALID_ARGUMENT"), out)
        self.assertIn("'minter,root'", out["error"]["message"])
        code, out = self.qfs("tx", "-k", self.node_key, "set-roles", alice, "none")
        self.assertEqual((code, out["result"]), (0, 0), out)
        # An admission rejection never reaches the log.
        size = int(http(self.port, "/v1/ledger/head")[1]["size"])
        code, out = self.qfs("tx", "-k", alice_key, "--sequence", "77", "transfer", bob, "ATR", "1")
        self.assertEqual((code, out["error"]["code"], out["error"]["result"]),
                         (1, "INVALID_SEQUENCE", 1))
        self.assertEqual(int(http(self.port, "/v1/ledger/head")[1]["size"]), size)
        # Two-phase: reserve then post; reserve then void.
        code, r1 = self.qfs("tx", "-k", alice_key, "reserve", bob, "ATR", "5",
                            "--timeout-seconds", "600")
        self.assertEqual(code, 0, r1)
        self.assertEqual(self.balance(alice)["reserved"], "5.000000000000000000")
        code, out = self.qfs("tx", "-k", alice_key, "post", r1["operation_id"])
        self.assertEqual(code, 0, out)
        code, r2 = self.qfs("tx", "-k", alice_key, "reserve", bob, "ATR", "2",
                            "--timeout-seconds", "600")
        code, out = self.qfs("tx", "-k", alice_key, "void", r2["operation_id"])
        self.assertEqual(code, 0, out)
        code, out = self.qfs("tx", "-k", alice_key, "batch", bob + ":ATR:1", bob + ":ATR:2")
        self.assertEqual(code, 0, out)
        self.assertEqual(self.balance(alice), {"available": "79.500000000000000000",
                                               "reserved": "0.000000000000000000"})
        self.assertEqual(self.balance(bob)["available"], "20.500000000000000000")
        # A retry of the same signed packet returns the original entry.
        code, printed = self.qfs("tx", "-k", alice_key, "--print", "transfer", bob, "ATR", "1")
        first = http(self.port, "/v1/packets", {"packet": printed["packet"]})
        again = http(self.port, "/v1/packets", {"packet": printed["packet"]})
        self.assertEqual(first[0], 200)
        self.assertEqual(again[1]["index"], first[1]["index"])
        self.assertEqual((first[1]["duplicate"], again[1]["duplicate"]), (False, True))

    def test_entries_carry_inclusion_proofs_and_page(self):
        alice_key, alice = self.user("alice")
        self.qfs("tx", "-k", alice_key, "register")
        for i in range(6):
            self.assertEqual(self.qfs("tx", "-k", self.node_key, "mint", alice, "CHR", "1")[0], 0)
        status, head = http(self.port, "/v1/ledger/head")
        self.assertEqual(status, 200)
        size = int(head["size"])
        self.assertIsNotNone(head["checkpoint"])  # every 5 entries
        for n in range(size):
            status, doc = http(self.port, "/v1/ledger/entries/%d" % n)
            self.assertEqual(status, 200)
            proof = doc["proof"]
            root = root_from_inclusion(n, int(proof["tree_size"]),
                                       leaf_hash(doc["entry"]["entry_hash"]), proof["inclusion"])
            self.assertEqual(root.hex(), proof["root"], "entry %d" % n)
        self.assertEqual(http(self.port, "/v1/ledger/entries/%d" % size)[0], 404)
        self.assertEqual(http(self.port, "/v1/ledger/entries/x1")[0], 400)
        seen, cursor = [], "0"
        while cursor is not None:
            status, page = http(self.port, "/v1/ledger/entries?from=%s&limit=3" % cursor)
            self.assertEqual(status, 200)
            seen += [int(e["index"]) for e in page["entries"]]
            cursor = page["next"]
        self.assertEqual(seen, list(range(size)))
        self.assertEqual(http(self.port, "/v1/ledger/entries?limit=0")[0], 400)
        self.assertEqual(http(self.port, "/v1/ledger/entries?limit=1001")[0], 400)
        self.assertEqual(http(self.port, "/v1/accounts/0x12")[0], 400)
        self.assertEqual(http(self.port, "/v1/accounts/0x" + "ab" * 20)[0], 404)

    def test_bad_packets_get_clear_errors(self):
        cases = [({"packet": "zz"}, 400, "INVALID_ARGUMENT"),
                 ({"pkt": "00"}, 400, "INVALID_ARGUMENT"),
                 ({"packet": "0001"}, 400, "MALFORMED_PACKET"),
                 ({"packet": "00" * 65537}, 413, "PACKET_TOO_LARGE"),
                 # Past the route's body limit (132,096 B): refused before the handler reads it.
                 ({"packet": "00" * 70000}, 413, "TOO_LARGE")]
        for body, status, code in cases:
            got = http(self.port, "/v1/packets", body)
            self.assertEqual((got[0], got[1]["error"]["code"]), (status, code), body)
        self.assertEqual(http(self.port, "/v1/ledger/head")[1]["size"], "1")

    def test_openapi_is_served_and_metrics_count_the_ledger(self):
        status, doc = http(self.port, "/v1/openapi.json")
        self.assertEqual(status, 200)
        with open(OPENAPI) as f:
            self.assertEqual(doc, json.load(f))
        alice_key, alice = self.user("alice")
        self.qfs("tx", "-k", alice_key, "register")
        self.qfs("tx", "-k", alice_key, "--sequence", "5", "transfer", alice, "ATR", "1")
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port) as r:
            text = r.read().decode()
        self.assertIn("qfs_ledger_entries 2\n", text)
        self.assertIn("qfs_ledger_halted 0\n", text)
        self.assertIn("qfs_ledger_commit_window_us 1000\n", text)  # an idle node: the default
        self.assertIn("qfs_ledger_commit_latency_seconds_count 1\n", text)
        self.assertIn('qfs_ledger_rejections_total{code="INVALID_SEQUENCE"} 1\n', text)

    def test_restart_keeps_everything_and_verify_agrees(self):
        alice_key, alice = self.user("alice")
        self.qfs("tx", "-k", alice_key, "register")
        self.qfs("tx", "-k", self.node_key, "mint", alice, "ATR", "3")
        head = http(self.port, "/v1/ledger/head")[1]
        stop_node(self.proc)
        code, verify = self.qfs("ledger", "verify", os.path.join(self.data, "ledger"))
        self.assertEqual(code, 0, verify)
        self.assertEqual((verify["entries"], verify["tree_root"]), (head["size"], head["root"]))
        self.proc, self.port, node_id = start_node(self.data)
        self.env["QFS_NODE"] = "http://127.0.0.1:%d" % self.port
        self.assertEqual(node_id, self.node_id)
        self.assertEqual(http(self.port, "/v1/ledger/head")[1]["root"], head["root"])
        self.assertEqual(self.balance(alice)["available"], "3.000000000000000000")
        # The ledger is locked while the node runs; resume needs a halted ledger anyway.
        code, out = self.qfs("ledger", "resume", os.path.join(self.data, "ledger"), "-k",
                             self.node_key, "--reason", "test")
        self.assertEqual((code, out["error"]["code"]), (1, "ALREADY_EXISTS"))
        stop_node(self.proc)
        code, out = self.qfs("ledger", "resume", os.path.join(self.data, "ledger"), "-k",
                             self.node_key, "--reason", "test")
        self.assertEqual((code, out["error"]["code"]), (1, "FAILED_PRECONDITION"))
        # A reason that is not UTF-8 (it aborted the process) is refused with a clear error.
        code, out = self.qfs("ledger", "resume", os.path.join(self.data, "ledger"), "-k",
                             self.node_key, "--reason", "repaired \udcff\udcfe")
        self.assertEqual((code, out["error"]["code"]), (1, "INVALID_ARGUMENT"))
        self.proc, self.port, _ = start_node(self.data)

    def test_a_corrupt_log_halts_the_node_which_serves_reads_until_repaired(self):
        stop_node(self.proc)  # no checkpoint: the last entry is the last mint
        self.proc, self.port, _ = start_node(self.data, checkpoint_interval=1000)
        self.env["QFS_NODE"] = "http://127.0.0.1:%d" % self.port
        alice_key, alice = self.user("alice")
        self.qfs("tx", "-k", alice_key, "register")
        for _ in range(3):
            self.qfs("tx", "-k", self.node_key, "mint", alice, "ATR", "1")
        stop_node(self.proc)
        log_dir = os.path.join(self.data, "ledger", "log")
        segment = os.path.join(log_dir, sorted(os.listdir(log_dir))[0])
        backup = segment + ".bak"
        shutil.copyfile(segment, backup)
        with open(segment, "r+b") as f:  # a byte in the last entry's payload
            f.seek(-60, os.SEEK_END)
            b = f.read(1)
            f.seek(-60, os.SEEK_END)
            f.write(bytes([b[0] ^ 0x40]))
        code, out = self.qfs("ledger", "verify", os.path.join(self.data, "ledger"))
        self.assertEqual((code, out["error"]["code"]), (1, "CORRUPTION"))
        self.assertIn("entry 4", out["error"]["message"])
        self.proc, self.port, _ = start_node(self.data)
        self.env["QFS_NODE"] = "http://127.0.0.1:%d" % self.port
        status, health = http(self.port, "/healthz")
        self.assertEqual((status, health["status"], health["code"]), (503, "halted", 302))
        code, out = self.qfs("tx", "-k", self.node_key, "mint", alice, "ATR", "1")
        self.assertEqual((code, out["error"]["code"], out["error"]["result"]),
                         (1, "CIR_302_HALTED", 302))
        # Reads serve the good prefix: two of the three mints.
        self.assertEqual(self.balance(alice)["available"], "2.000000000000000000")
        stop_node(self.proc)
        os.replace(backup, segment)  # the operator restores the segment
        self.proc, self.port, _ = start_node(self.data)
        self.assertEqual(http(self.port, "/healthz")[0], 200)
        self.env["QFS_NODE"] = "http://127.0.0.1:%d" % self.port
        self.assertEqual(self.balance(alice)["available"], "3.000000000000000000")

    def test_a_torn_tail_is_cut_reported_and_counted_by_verify(self):
        stop_node(self.proc)
        ledger = os.path.join(self.data, "ledger")
        segment = os.path.join(ledger, "log", "00000000000000000000.qlog")
        size = os.path.getsize(segment)
        with open(segment, "ab") as f:  # a frame promising 256 bytes, 20 of which arrived
            f.write(bytes.fromhex("00000100fffffeff") + b"\x11" * 12)
        code, verify = self.qfs("ledger", "verify", ledger)  # read-only: left in place
        self.assertEqual((code, verify["torn_tail_bytes"], verify["torn_tails_cut"]),
                         (0, "20", "0"), verify)
        proc = subprocess.Popen([QFS, "node", "--listen-port", "0", "--data-dir", self.data],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertIn("listening", proc.stdout.readline())
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        self.assertIn("torn tail of 20 bytes at byte %d of 00000000000000000000.qlog" % size, err)
        self.assertEqual(os.path.getsize(segment), size)
        code, verify = self.qfs("ledger", "verify", ledger)
        self.assertEqual((code, verify["torn_tail_bytes"], verify["torn_tails_cut"],
                          verify["torn_bytes_cut"]), (0, "0", "1", "20"), verify)
        self.proc, self.port, _ = start_node(self.data)


if __name__ == "__main__":
    unittest.main(verbosity=2)
