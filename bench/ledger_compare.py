#!/usr/bin/env python3
"""The ledger benchmark with its peer, in one run on one machine (docs/BENCHMARKS.md):

  `qfs_ledger_bench` (in process, real fsyncs): (a) single Ed25519 / hybrid transfers at rising
  offered load vs. the signature-verification bound, (b) batched transfers, (d) verify;
  PostgreSQL 15 with pgbench running a transfer script (two balance updates and a logged row per
  transaction, fsync and synchronous_commit on), best of several client counts.

Prints each run's figures and the medians as JSON, and the ratio of QFS's single-transfer
throughput to PostgreSQL's. Installs PostgreSQL from Debian if needed (scripts/setup
bench/packages.txt). usage: bench/ledger_compare.py [--runs 3] [--build build/release] [--smoke]

--smoke (the ctest `bench_smoke_ledger_compare`): one run, pgbench for 1 s with 4 clients, and
`qfs_ledger_bench` on a few users at 50 % of the bound for 0.2 s per scheme; the same parsing,
checks, medians and ratios; exits non-zero if a figure is missing on either side. Where
PostgreSQL cannot be installed (scripts/setup needs root or sudo, and the network) it says
"peer skipped: why" and parses a recorded pgbench output instead, so that the rest of the path
still runs.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_BIN = "/usr/lib/postgresql/15/bin"
ACCOUNTS = 1024
SCHEMES = ("ed25519", "ed25519+ml-dsa-65")
# The smoke run's `qfs_ledger_bench`: a few users, one load step at half the bound, tiny batches.
QFS_SMOKE_ARGS = ["--loads", "50", "--users", "8", "--batch-legs", "10", "--batch-packets", "20"]
# What pgbench 15 printed for the transfer script (`-c 4 -j 2 -T 1`, 2026-12-05); parsed when the
# peer is skipped, so that the parser is exercised all the same.
PGBENCH_SAMPLE = """\
pgbench (15.18 (Debian 15.18-0+deb12u1))
transaction type: /tmp/qfs-bench-pg-07v_uic9/transfer.sql
scaling factor: 1
query mode: simple
number of clients: 4
number of threads: 2
maximum number of tries: 1
duration: 1 s
number of transactions actually processed: 2326
number of failed transactions: 0 (0.000%)
latency average = 1.632 ms
initial connection time = 52.996 ms
tps = 2450.789289 (without initial connection time)
"""

SCHEMA = f"""
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(38,18) NOT NULL CHECK (balance >= 0));
CREATE TABLE transfers (id bigserial PRIMARY KEY, from_id int NOT NULL, to_id int NOT NULL,
                        amount numeric(38,18) NOT NULL, at timestamptz NOT NULL DEFAULT now());
INSERT INTO accounts SELECT g, 1000000000 FROM generate_series(1, {ACCOUNTS}) g;
"""

# One transfer: debit (refused if it would go negative), credit, and a row in the transfer log,
# like one ledger entry.
TRANSFER = f"""\\set from random(1, {ACCOUNTS})
\\set to 1 + (:from + random(0, {ACCOUNTS - 2})) % {ACCOUNTS}
BEGIN;
UPDATE accounts SET balance = balance - 0.000001 WHERE id = :from AND balance >= 0.000001;
UPDATE accounts SET balance = balance + 0.000001 WHERE id = :to;
INSERT INTO transfers (from_id, to_id, amount) VALUES (:from, :to, 0.000001);
COMMIT;
"""


def fail(why):
    print("ledger_compare: " + why, file=sys.stderr)
    sys.exit(1)


def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] + cmd) if os.geteuid() == 0 else cmd


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail("%s exited %d\nstdout: %s\nstderr: %s" % (" ".join(cmd), r.returncode,
                                                       r.stdout[-2000:], r.stderr[-2000:]))
    return r


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="qfs-bench-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = "54329"

    def __enter__(self):
        run(as_postgres([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust"]))
        opts = (f"-k {self.dir} -p {self.port} -c listen_addresses='' -c fsync=on "
                "-c synchronous_commit=on -c full_page_writes=on -c shared_buffers=256MB "
                "-c max_connections=200")
        run(as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.data, "-o", opts, "-w", "-l",
                         os.path.join(self.dir, "log"), "start"]))
        self.psql(SCHEMA)
        return self

    def __exit__(self, *exc):
        subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, sql):
        run(as_postgres(["psql", "-h", self.dir, "-p", self.port, "-U", "postgres", "-q",
                         "-v", "ON_ERROR_STOP=1", "-c", sql]))

    def pgbench(self, clients, seconds):
        script = os.path.join(self.dir, "transfer.sql")
        with open(script, "w") as f:
            f.write(TRANSFER)
        if os.geteuid() == 0:
            shutil.chown(script, "postgres", "postgres")
        out = run(as_postgres([f"{PG_BIN}/pgbench", "-h", self.dir, "-p", self.port, "-U",
                               "postgres", "-n", "-c", str(clients), "-j", "2", "-T",
                               str(seconds), "-f", script, "postgres"])).stdout
        return parse_pgbench(out, clients)


def parse_pgbench(out, clients):
    tps = re.search(r"^tps = ([0-9.]+)", out, re.MULTILINE)
    if not tps or not float(tps.group(1)) > 0:
        fail("pgbench printed no positive tps:\n" + out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {"clients": clients, "tps": round(float(tps.group(1))),
            "failed": int(failed.group(1)) if failed else 0}


def install_postgres(interactive):
    """scripts/setup bench/packages.txt; returns why PostgreSQL cannot run here, or None. Not
    interactive (the smoke test): in a session of its own, so that sudo cannot ask for a
    password on the terminal and wait."""
    r = subprocess.run([os.path.join(ROOT, "scripts/setup"),
                        os.path.join(ROOT, "bench/packages.txt")], capture_output=True, text=True,
                       stdin=None if interactive else subprocess.DEVNULL,
                       start_new_session=not interactive)
    if r.returncode != 0:
        return ("scripts/setup bench/packages.txt failed (it needs root or sudo, and the network): "
                + " | ".join(r.stderr.strip().splitlines()[-4:] or ["exit %d" % r.returncode]))
    if not os.path.exists(f"{PG_BIN}/pgbench"):
        return f"{PG_BIN}/pgbench is missing after scripts/setup bench/packages.txt"
    return None


def check_qfs(qfs):
    """Every figure the summary reads, present and a number (the rates positive)."""
    paths = [("single_transfers", s, f) for s in SCHEMES
             for f in ("verify_bound_per_s", "peak_accepted_per_s", "peak_percent_of_bound",
                       "p99_us_at_half_bound")]
    paths += [("batched", "transfers_per_s"), ("verify", "verify_entries_per_s"),
              ("verify", "percent_of_bound")]
    for path in paths:
        v = qfs
        for k in path:
            if not isinstance(v, dict) or k not in v:
                fail("`qfs_ledger_bench` printed no %s" % ".".join(path))
            v = v[k]
        if not isinstance(v, (int, float)) or v < 0 or (path[-1].endswith("_per_s") and v == 0):
            fail("`qfs_ledger_bench`: %s is %r" % (".".join(path), v))


def ledger_bench(build):
    return os.path.join(build, "bench", "qfs_ledger_bench")


def one_run(args, peer_skipped):
    if peer_skipped:
        pg_runs = [parse_pgbench(PGBENCH_SAMPLE, 4)]
    else:
        with Postgres() as pg:
            pg_runs = [pg.pgbench(c, args.pg_seconds) for c in args.clients]
    best_pg = max(pg_runs, key=lambda r: r["tps"])
    cmd = [ledger_bench(args.build), "--step-seconds", str(args.step_seconds)]
    qfs = json.loads(run(cmd + (QFS_SMOKE_ARGS if args.smoke else [])).stdout)
    check_qfs(qfs)
    single = qfs["single_transfers"]
    ed = single["ed25519"]["peak_accepted_per_s"]
    hybrid = single["ed25519+ml-dsa-65"]["peak_accepted_per_s"]
    return {"postgres": {"runs": pg_runs, "best_tps": best_pg["tps"],
                         "peer_skipped": peer_skipped},
            "qfs": qfs,
            "ratio_ed25519_vs_postgres": round(ed / best_pg["tps"], 2),
            "ratio_hybrid_vs_postgres": round(hybrid / best_pg["tps"], 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pg-seconds", type=int, default=10)
    ap.add_argument("--step-seconds", type=float, default=3)
    ap.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")],
                    default=[8, 32, 64])
    ap.add_argument("--smoke", action="store_true",
                    help="one tiny run: checks the whole path, not the figures")
    args = ap.parse_args()
    if args.smoke:
        args.runs, args.pg_seconds, args.step_seconds, args.clients = 1, 1, 0.2, [4]
    if not os.path.exists(ledger_bench(args.build)):
        fail("%s is missing: build the release preset first" % ledger_bench(args.build))
    why = install_postgres(interactive=not args.smoke)
    if why is not None and not args.smoke:
        fail(why)
    if why is not None:
        print("peer skipped: " + why, flush=True)
    runs = []
    for i in range(args.runs):
        if i > 0:
            time.sleep(2)
        try:
            r = one_run(args, peer_skipped=why is not None)
        except SystemExit:
            if not args.smoke:
                raise
            # The smoke checks the path, not the figures: a run starved by the rest of the
            # suite (0.2 s steps) is tried once more; a script that has rotted fails both.
            print("ledger_compare: smoke run failed (above); trying once more", file=sys.stderr,
                  flush=True)
            r = one_run(args, peer_skipped=why is not None)
        runs.append(r)
        print(json.dumps({"run": i + 1, **r}), flush=True)

    def med(f):
        return statistics.median(f(r) for r in runs)

    single = lambda r, s: r["qfs"]["single_transfers"][s]
    summary = {
        "runs": len(runs),
        "postgres_best_tps": med(lambda r: r["postgres"]["best_tps"]),
    }
    if why is not None:
        summary["peer_skipped"] = why
    for s in SCHEMES:
        summary[s] = {
            "verify_bound_per_s": med(lambda r: single(r, s)["verify_bound_per_s"]),
            "peak_accepted_per_s": med(lambda r: single(r, s)["peak_accepted_per_s"]),
            "peak_percent_of_bound": med(lambda r: single(r, s)["peak_percent_of_bound"]),
            "p99_us_at_half_bound": med(lambda r: single(r, s)["p99_us_at_half_bound"]),
        }
    summary["batched_transfers_per_s"] = med(lambda r: r["qfs"]["batched"]["transfers_per_s"])
    summary["verify_entries_per_s"] = med(lambda r: r["qfs"]["verify"]["verify_entries_per_s"])
    summary["verify_percent_of_bound"] = med(lambda r: r["qfs"]["verify"]["percent_of_bound"])
    summary["ratio_ed25519_vs_postgres"] = med(lambda r: r["ratio_ed25519_vs_postgres"])
    summary["ratio_hybrid_vs_postgres"] = med(lambda r: r["ratio_hybrid_vs_postgres"])
    summary["worst_ratio_ed25519_vs_postgres"] = min(r["ratio_ed25519_vs_postgres"] for r in runs)
    print(json.dumps({"median": summary}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
