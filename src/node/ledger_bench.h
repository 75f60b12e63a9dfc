// `qfs bench ledger`: the ledger's throughput and latency, measured against the bounds the
// machine sets in the same run (docs/BENCHMARKS.md records the figures).
//
// In process (the default), on a fresh ledger in a temporary directory with real fsyncs:
//   (a) single-transfer packets signed with Ed25519 and with the hybrid scheme, offered at
//       rising open-loop rates relative to the signature-verification bound (packets/s that all
//       cores verify, measured first): accepted tx/s and p50/p99/p100 commit latency, measured
//       from each packet's scheduled send time (no coordinated omission);
//   (b) batched packets (many transfers per signed packet): transfers/s;
//   (d) `qfs ledger verify` over the log written: entries/s against the hash-and-verify bound.
// Against a running node (`--node URL`): signed transfers over HTTP from several users for a
// while, optionally writing each acknowledged entry to a file (the crash test uses this).
#ifndef QFS_NODE_LEDGER_BENCH_H_
#define QFS_NODE_LEDGER_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "codec/json.h"
#include "ledger/ledger.h"

namespace CLI {
class App;
}

namespace qfs::node {

struct LedgerBenchOptions {
  std::string directory;  // where the temporary ledger goes ("": $TMPDIR)
  std::vector<std::string> schemes = {"ed25519", "ed25519+ml-dsa-65"};
  std::vector<std::uint32_t> load_percent = {25, 50, 75, 100, 150};  // of the bound
  double step_seconds = 3;                                           // per load step
  std::uint32_t users = 256;        // per scheme, in the genesis (which holds at most 1024, 1 MiB)
  std::uint32_t batch_legs = 1000;  // (b): transfers per packet
  std::uint32_t batch_packets = 400;  // (b): packets
  std::uint32_t threads = 0;          // submitters; 0: one per core
  std::uint32_t commit_batch_max = 4096;
  std::uint32_t commit_window_us = ledger::LedgerOptions{}.commit_window_us;
  std::uint32_t commit_window_busy_us = ledger::LedgerOptions{}.commit_window_busy_us;
  std::uint64_t snapshot_interval = ledger::LedgerOptions{}.snapshot_interval;
};

// Runs (a), (b) and (d) and returns the figures as JSON.
Result<codec::Json> RunLedgerBench(const LedgerBenchOptions& options);

struct NodeLoadOptions {
  std::string node;       // http://HOST:PORT
  std::string admin_key;  // a key file with the minter role (mints to new users)
  std::string acks_file;  // "": none; else one JSON line per acknowledged entry
  std::uint32_t users = 16;
  std::uint32_t concurrency = 16;
  double seconds = 5;
  std::uint64_t seed = 1;  // users' keys derive from it: the same users across runs
};

// Drives a running node until `seconds` pass or the node stays unreachable for 2 s.
Result<codec::Json> RunNodeLoad(const NodeLoadOptions& options);

// Adds `qfs bench ledger`.
void AddBenchCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::node

#endif  // QFS_NODE_LEDGER_BENCH_H_
