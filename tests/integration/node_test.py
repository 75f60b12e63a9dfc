#!/usr/bin/env python3
"""Integration: a real `qfs node` on port 0 in a temporary data dir, driven over HTTP, plus the
`qfs math` command as a user runs it. usage: node_test.py PATH_TO_QFS"""
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

QFS = sys.argv.pop(1) if len(sys.argv) > 1 else "qfs"


def start_node(data_dir, *extra):
    proc = subprocess.Popen([QFS, "node", "--listen-port", "0", "--data-dir", data_dir, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise AssertionError("node did not start: %r %r" % (line, proc.stderr.read()))
    return proc, int(m.group(1))


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


class NodeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="qfs-node-test-")
        self.proc, self.port = start_node(self.dir)

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_healthz(self):
        status, ctype, body = get(self.port, "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "application/json")
        self.assertEqual(json.loads(body)["status"], "ok")

    def test_metrics_prometheus_text(self):
        get(self.port, "/healthz")
        status, ctype, body = get(self.port, "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"))
        self.assertIn("# TYPE qfs_up gauge\nqfs_up 1\n", body)
        self.assertIn('qfs_http_requests_total{route="/healthz",code="200"} 1', body)
        for line in body.splitlines():
            if not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{[^}]*\})? -?[0-9.]+$')

    def test_unknown_route_is_json_error(self):
        status, _, body = get(self.port, "/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"]["code"], "NOT_FOUND")

    def test_data_dir_is_exclusive(self):
        second = subprocess.run([QFS, "node", "--listen-port", "0", "--data-dir", self.dir],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(second.returncode, 1)
        self.assertIn("ALREADY_EXISTS", second.stderr)

    def test_sigterm_stops_cleanly(self):
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=30), 0)
        self.assertTrue(os.path.isdir(self.dir))


class OptionsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="qfs-options-test-")
        self.addCleanup(self.tmp.cleanup)

    def test_bad_option_value_is_a_clear_error(self):
        r = subprocess.run([QFS, "node", "--listen-port", "99999", "--data-dir",
                            self.tmp.name], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("OUT_OF_RANGE", r.stderr)

    def test_config_file_and_environment(self):
        d = self.tmp.name
        conf = os.path.join(d, "qfs.conf")
        with open(conf, "w") as f:
            f.write("listen_port = 0\ndata_dir = %s/data\n" % d)
        env = dict(os.environ, QFS_LOG_LEVEL="nonsense")
        r = subprocess.run([QFS, "node", "--config", conf], capture_output=True, text=True,
                           env=env, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("log_level", r.stderr)


class MathCliTest(unittest.TestCase):
    def test_single_and_batch(self):
        r = subprocess.run([QFS, "math", "exp", "1"], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout), (0, "2.718281828459045235\n"))
        r = subprocess.run([QFS, "math", "--unsigned"], input="ln 10\nln 0.5\n",
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.splitlines()[0], "2.302585092994045684")
        self.assertTrue(r.stdout.splitlines()[1].startswith("error DOMAIN_ERROR"))


class CryptoCliTest(unittest.TestCase):
    def run_qfs(self, *args):
        r = subprocess.run([QFS, "crypto", *args], capture_output=True, text=True, timeout=30)
        return r.returncode, json.loads(r.stdout)

    def test_json_output(self):
        code, out = self.run_qfs("hash", "--algorithm", "sha3-256", "--data", "616263")
        self.assertEqual(code, 0)
        self.assertEqual(out["digest"],
                         "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")

    def test_sign_then_recover_an_ethereum_login(self):
        digest = self.run_qfs("eip191", "hash", "--text", "Sign this message to login to ATLAS: 7")[1]
        self.assertEqual(len(digest["hash"]), 64)
        code, out = self.run_qfs("secp256k1", "pubkey", "--private", "00" * 31 + "01")
        self.assertEqual(out["address"], "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")

    def test_errors_are_json_with_exit_1(self):
        code, out = self.run_qfs("aead", "open", "--algorithm", "aes-gcm", "--key", "00" * 16,
                                 "--nonce", "00" * 12, "--data", "00" * 20)
        self.assertEqual(code, 1)
        self.assertEqual(out["error"]["code"], "AUTHENTICATION_FAILED")


if __name__ == "__main__":
    unittest.main(verbosity=2)
