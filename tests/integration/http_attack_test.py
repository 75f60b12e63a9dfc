#!/usr/bin/env python3
"""Integration: a seeded run of hostile HTTP requests against a live `qfs node`.

Every request gets an answer that is not a 500 (400, 404, 405, 413, 501 ... are all fine), every
error body is JSON, and the node is alive and healthy afterwards. The targets are the node's own
route patterns spelled literally ("{id}"), mutated, percent-encoded, oversized, with NULs and
non-UTF-8 bytes, plus malformed request framing.
usage: http_attack_test.py PATH_TO_QFS [SEED] [REQUESTS]"""
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile

QFS = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 20261205
REQUESTS = int(sys.argv[3]) if len(sys.argv) > 3 else 3000

ROUTES = ["/healthz", "/metrics", "/v1/openapi.json", "/v1/packets", "/v1/accounts/{id}",
          "/v1/ledger/head", "/v1/ledger/entries/{n}", "/v1/ledger/entries"]
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "get", "G@T", "X" * 40]
SEGMENTS = ["{id}", "{n}", "", "0", "-1", "18446744073709551615", "18446744073709551616",
            "0x" + "ab" * 20, "0x" + "AB" * 20, "0x" + "zz" * 20, "%00", "%2e%2e", "..", ".",
            "%ff%fe", "a+b", "%2F", "\xff", "é", "{", "}", "x" * 3000, "%", "%2", "1e3"]
QUERIES = ["", "from=0", "limit=1000", "from=18446744073709551615&limit=1",
           "from=-1", "limit=0", "limit=%00", "from=a+b", "limit=1001", "from=0&from=1",
           "&&&", "=", "limit", "from=" + "9" * 100]


def request(port, raw, timeout=10.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def status_of(response):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", response)
    return int(m.group(1)) if m else None


def random_target(rng):
    pattern = rng.choice(ROUTES)
    parts = pattern.split("/")
    for i in range(1, len(parts)):
        if rng.random() < 0.3:
            parts[i] = rng.choice(SEGMENTS)
    if rng.random() < 0.1:
        parts.append(rng.choice(SEGMENTS))
    path = "/".join(parts)
    if rng.random() < 0.5:
        path += "?" + rng.choice(QUERIES)
    return path


def random_request(rng):
    method = rng.choice(METHODS)
    target = random_target(rng).encode("utf-8", "surrogateescape")
    body = b""
    if rng.random() < 0.3:
        body = rng.choice([b"{}", b'{"packet":"00"}', b'{"packet":""}', b"\xff" * 10,
                           b'{"packet":"' + b"ab" * 100 + b'"}', b"[" * 100])
    head = method.encode() + b" " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    head += b"Content-Length: %d\r\n\r\n" % len(body)
    return head + body


MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET /healthz HTTP/9.x\r\n\r\n",
    b"POST /v1/packets HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"POST /v1/packets HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /v1/packets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /healthz HTTP/1.1\r\nNoColon\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nX-A: a\x00b\r\n\r\n",
    b"POST /v1/packets HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"GET /v1/accounts/{id} HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET /v1/ledger/entries/{n} HTTP/1.1\r\nConnection: close\r\n\r\n",
]


def main():
    rng = random.Random(SEED)
    data_dir = tempfile.mkdtemp(prefix="qfs-http-attack-")
    proc = subprocess.Popen([QFS, "node", "--listen-port", "0", "--data-dir", data_dir,
                             "--http-requests-per-second-per-client", "1000000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failures = []
    try:
        line = proc.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            raise SystemExit("node did not start: %r %r" % (line, proc.stderr.read()))
        port = int(m.group(1))
        cases = [(raw, "malformed") for raw in MALFORMED]
        cases += [(random_request(rng), "random") for _ in range(REQUESTS)]
        for raw, kind in cases:
            response = request(port, raw)
            status = status_of(response)
            head, _, body = response.partition(b"\r\n\r\n")
            if status is None or (status >= 500 and status not in (501, 503)):
                failures.append("%s request %r -> %r" % (kind, raw[:120], response[:200]))
            elif raw.startswith(b"HEAD ") and status < 400 and body:
                failures.append("HEAD answered with a body: %r -> %r" % (raw[:120], body[:200]))
            elif status >= 400 and b"application/json" in head and not raw.startswith(b"HEAD "):
                try:
                    json.loads(body.decode("utf-8"))
                except ValueError:
                    failures.append("error body not JSON: %r -> %r" % (raw[:120], body[:200]))
            if proc.poll() is not None:
                failures.append("the node died on %r" % raw[:200])
                break
        health = request(port, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        if status_of(health) != 200:
            failures.append("healthz after the run: %r" % health[:200])
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)
    for f in failures[:20]:
        print("FAIL:", f)
    print("%d passed, %d failed" % (len(cases) - len(failures), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
