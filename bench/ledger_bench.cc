// The ledger's throughput and latency, measured against the bounds the machine sets in the same
// run (docs/BENCHMARKS.md records the figures), or a load on a running node. Run:
//   build/release/bench/qfs_ledger_bench --step-seconds 3
//   build/release/bench/qfs_ledger_bench --node http://127.0.0.1:PORT --admin-key FILE
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
// Either way it prints an indented JSON report; on failure, the error as `qfs` prints one.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "base/strings.h"
#include "base/text_encoding.h"
#include "cli/output.h"
#include "codec/json.h"
#include "crypto/hash.h"
#include "crypto/prepared_key_cache.h"
#include "keys/key_file.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "net/http_client.h"

namespace qfs::bench {
namespace {

using codec::Json;
using ledger::Amount;
using ledger::IdentityId;
using ledger::Operation;
using SteadyClock = std::chrono::steady_clock;

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

struct NodeLoadOptions {
  std::string node;       // http://HOST:PORT
  std::string admin_key;  // a key file with the minter role (mints to new users)
  std::string acks_file;  // "": none; else one JSON line per acknowledged entry
  std::uint32_t users = 16;
  std::uint32_t concurrency = 16;
  double seconds = 5;
  std::uint64_t seed = 1;  // users' keys derive from it: the same users across runs
};

constexpr std::uint32_t kNetwork = 1;

struct User {
  const crypto::SignatureScheme* scheme = nullptr;
  crypto::SignatureKeyPair key;
  IdentityId id;
  std::uint16_t algorithm = 0;
  std::uint64_t sequence = 0;  // of the last packet built
  std::uint32_t key_index = 0;
};

const crypto::SignatureScheme& Scheme(std::string_view name) {
  return *crypto::SignatureRegistry::Default().FindByName(name).value();
}

// The same user for the same (scheme, seed, number), on every run.
User MakeUser(const crypto::SignatureScheme& scheme, std::uint64_t seed, std::uint32_t number) {
  Bytes material;
  for (std::uint32_t block = 0; material.size() < scheme.seed_bytes(); ++block) {
    const std::string label = "qfs.bench.user/" + std::string(scheme.name()) + "/" +
                              std::to_string(seed) + "/" + std::to_string(number) + "/" +
                              std::to_string(block);
    const crypto::Digest32 d =
        crypto::Sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
    material.insert(material.end(), d.begin(), d.end());
  }
  material.resize(scheme.seed_bytes());
  User u;
  u.scheme = &scheme;
  u.key = scheme.KeyPairFromSeed(material).value();
  u.algorithm = static_cast<std::uint16_t>(scheme.id());
  u.id = ledger::DeriveIdentity(u.algorithm, u.key.public_key);
  return u;
}

std::uint64_t WallMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// The operation id of a bench packet: unique per (signer, sequence).
ledger::OperationId BenchOperationId(std::uint64_t sequence) {
  ledger::OperationId id;
  for (std::size_t i = 0; i < 8; ++i) id.bytes[i] = static_cast<std::uint8_t>(sequence >> (8 * i));
  id.bytes[15] = 0xbe;
  return id;
}

// The user's next packet carrying `op`.
Bytes NextPacket(User& u, Operation op, std::uint32_t network = kNetwork) {
  ledger::Packet p;
  p.network = network;
  p.signer = u.id;
  p.key.value = u.key_index;
  p.sequence = ++u.sequence;
  p.client_time_us = WallMicros();
  p.operation_id = BenchOperationId(p.sequence);
  p.operation = std::move(op);
  QFS_CHECK(ledger::SignPacket(p, *u.scheme, u.key.secret_key).ok());
  return ledger::EncodePacket(p);
}

Amount Micro() { return Amount::FromRaw(1'000'000'000'000); }  // 0.000001

std::uint64_t Percentile(std::vector<std::uint64_t>& v, std::uint32_t permille) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t rank = (v.size() * permille + 999) / 1000;  // nearest rank, rounded up
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::uint64_t PerSecond(std::uint64_t count, SteadyClock::duration elapsed) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  return us <= 0 ? 0 : count * 1'000'000 / static_cast<std::uint64_t>(us);
}

// Runs body(t) on `threads` threads and joins them.
void Parallel(std::uint32_t threads, const std::function<void(std::uint32_t)>& body) {
  std::vector<std::thread> pool;
  for (std::uint32_t t = 0; t < threads; ++t) pool.emplace_back(body, t);
  for (std::thread& th : pool) th.join();
}

// Counts answers and wakes the waiter when all have come.
class Completion {
 public:
  explicit Completion(std::size_t expected) : expected_(expected) {}
  void Done() {
    if (done_.fetch_add(1) + 1 == expected_) {
      std::lock_guard<std::mutex> lock(mu_);
      cv_.notify_all();
    }
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_.load() >= expected_; });
  }

 private:
  const std::size_t expected_;
  std::atomic<std::size_t> done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

// A fresh ledger with an admin and `users` per scheme, each funded with ATR.
class BenchLedger {
 public:
  static Result<std::unique_ptr<BenchLedger>> Create(const LedgerBenchOptions& options) {
    auto b = std::unique_ptr<BenchLedger>(new BenchLedger());
    std::string base = options.directory.empty() ? std::filesystem::temp_directory_path().string()
                                                 : options.directory;
    std::string pattern = base + "/qfs-bench-ledger-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status(StatusCode::kIoError, "cannot create a directory in " + base);
    }
    b->dir_ = pattern;
    b->admin_ = MakeUser(Scheme("ed25519"), 0, 0);
    ledger::GenesisParams genesis;
    genesis.network = kNetwork;
    genesis.identities.push_back(
        {b->admin_.id, b->admin_.algorithm, b->admin_.key.public_key, ledger::kRolesAll});
    for (const std::string& name : options.schemes) {
      std::vector<User>& users = b->users_[name];
      for (std::uint32_t i = 0; i < options.users; ++i) {
        users.push_back(MakeUser(Scheme(name), 1, i));
        genesis.identities.push_back(
            {users.back().id, users.back().algorithm, users.back().key.public_key, 0});
      }
    }
    // The node's key signs checkpoints; verify accepts only keys of admin identities.
    b->node_key_ = MakeUser(Scheme("ed25519"), 0, 1);
    genesis.identities.push_back(
        {b->node_key_.id, b->node_key_.algorithm, b->node_key_.key.public_key, ledger::kRolesAll});
    ledger::LedgerOptions o;
    o.directory = b->dir_ + "/ledger";
    o.genesis = genesis;
    o.clock = &b->clock_;
    o.node_scheme = b->node_key_.scheme;
    o.node_secret_key = &b->node_key_.key.secret_key;
    o.node_public_key = b->node_key_.key.public_key;
    o.commit_batch_max = options.commit_batch_max;
    o.commit_window_us = options.commit_window_us;
    o.commit_window_busy_us = options.commit_window_busy_us;
    o.snapshot_interval = options.snapshot_interval;
    o.queue_max = 1 << 20;
    QFS_ASSIGN_OR_RETURN(b->ledger_, ledger::Ledger::Open(std::move(o)));
    QFS_RETURN_IF_ERROR(b->Fund());
    return b;
  }
  ~BenchLedger() {
    ledger_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  ledger::Ledger& ledger() { return *ledger_; }
  std::vector<User>& users(const std::string& scheme) { return users_[scheme]; }
  const std::string& directory() const { return dir_; }
  void Close() { ledger_.reset(); }

  // Submits every packet (in order, from this thread) and waits for every answer.
  std::vector<Result<ledger::SubmitResult>> SubmitAll(const std::vector<Bytes>& packets) {
    std::vector<Result<ledger::SubmitResult>> results(packets.size(),
                                                      Status(StatusCode::kInternal, "no answer"));
    Completion done(packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i) {
      ledger_->SubmitAsync(packets[i], [&, i](const Result<ledger::SubmitResult>& r) {
        results[i] = r;
        done.Done();
      });
    }
    if (!packets.empty()) done.Wait();
    return results;
  }

 private:
  BenchLedger() = default;
  Status Fund() {
    std::vector<Bytes> mints;
    for (auto& [name, users] : users_) {
      for (const User& u : users) {
        mints.push_back(NextPacket(
            admin_,
            ledger::Mint{u.id, ledger::Token::kAtr, Amount::FromInteger(1'000'000'000).value()}));
      }
    }
    for (const Result<ledger::SubmitResult>& r : SubmitAll(mints)) {
      if (!r.ok() || r.value().result != ledger::ResultCode::kOk) {
        return Status(StatusCode::kInternal, "funding the bench users failed");
      }
    }
    return OkStatus();
  }

  std::string dir_;
  SystemClock clock_;
  User admin_, node_key_;
  std::map<std::string, std::vector<User>> users_;
  std::unique_ptr<ledger::Ledger> ledger_;
};

// Single transfers for each thread's users (user i belongs to thread i % threads), in the order
// each thread will send them.
std::vector<std::vector<Bytes>> SignTransfers(std::vector<User>& users, std::uint32_t threads,
                                              std::size_t total) {
  std::vector<std::vector<Bytes>> out(threads);
  Parallel(threads, [&](std::uint32_t t) {
    std::vector<User*> mine;
    for (std::size_t i = t; i < users.size(); i += threads) mine.push_back(&users[i]);
    const std::size_t count = total / threads + (t < total % threads ? 1 : 0);
    for (std::size_t k = 0; k < count; ++k) {
      User& from = *mine[k % mine.size()];
      const std::size_t from_index = static_cast<std::size_t>(&from - users.data());
      const User& to = users[(from_index + 1 + k % (users.size() - 1)) % users.size()];
      out[t].push_back(NextPacket(from, ledger::Transfer{{to.id, ledger::Token::kAtr, Micro()}}));
    }
  });
  return out;
}

// Packets/s that one thread per packet list verifies as admission does (decode, hash, signature
// through a cache of prepared keys like the ledger's), going round its list for `duration`.
std::uint64_t VerifyBound(const std::vector<std::vector<Bytes>>& packets,
                          const std::map<IdentityId, const User*>& keys,
                          crypto::PreparedKeyCache& key_cache, SteadyClock::duration duration) {
  std::atomic<std::uint64_t> verified{0};
  std::atomic<bool> all_valid{true};
  const auto start = SteadyClock::now();
  Parallel(static_cast<std::uint32_t>(packets.size()), [&](std::uint32_t t) {
    std::uint64_t mine = 0;
    for (std::size_t i = 0; SteadyClock::now() - start < duration; ++i) {
      const Bytes& wire = packets[t][i % packets[t].size()];
      ledger::Packet p = ledger::DecodePacket(wire).value();
      (void)crypto::Sha256(wire);  // admission hashes the packet too
      const User& u = *keys.at(p.signer);
      if (!key_cache.Verify(*u.scheme, u.key.public_key, ledger::SigningMessage(p), p.signature)
               .ok()) {
        all_valid = false;
      }
      ++mine;
    }
    verified += mine;
  });
  QFS_CHECK(all_valid.load());
  return PerSecond(verified.load(), SteadyClock::now() - start);
}

struct StepFigures {
  std::uint64_t offered = 0, accepted_per_s = 0, p50_us = 0, p99_us = 0, p100_us = 0;
  std::uint64_t rejected = 0;
  std::uint64_t group_commits = 0;  // fdatasyncs during the step
};

// Open loop: the k-th packet (thread k % T) is due at start + k / rate; latency runs from the
// due time, so a submitter that falls behind is charged for it.
StepFigures RunStep(BenchLedger& bench, const std::vector<std::vector<Bytes>>& packets,
                    std::uint64_t rate) {
  const auto threads = static_cast<std::uint32_t>(packets.size());
  std::size_t total = 0;
  for (const auto& list : packets) total += list.size();
  std::vector<std::uint64_t> latency(total, 0);
  std::vector<std::uint8_t> ok(total, 0);
  Completion done(total);
  std::atomic<std::int64_t> last_answer_ns{0};
  const std::uint64_t commits_before = bench.ledger().Head().group_commits;
  const auto start = SteadyClock::now() + std::chrono::milliseconds(20);
  Parallel(threads, [&](std::uint32_t t) {
    for (std::size_t i = 0; i < packets[t].size(); ++i) {
      const std::size_t k = t + i * threads;
      const auto due = start + std::chrono::nanoseconds(k * 1'000'000'000ull / rate);
      std::this_thread::sleep_until(due);
      bench.ledger().SubmitAsync(packets[t][i], [&, k, due](const Result<ledger::SubmitResult>& r) {
        const auto now = SteadyClock::now();
        latency[k] = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - due).count());
        ok[k] = r.ok() && r.value().result == ledger::ResultCode::kOk ? 1 : 0;
        std::int64_t ns = (now - start).count();
        std::int64_t prev = last_answer_ns.load();
        while (ns > prev && !last_answer_ns.compare_exchange_weak(prev, ns)) {
        }
        done.Done();
      });
    }
  });
  done.Wait();
  StepFigures f;
  f.group_commits = bench.ledger().Head().group_commits - commits_before;
  f.offered = rate;
  std::uint64_t accepted = 0;
  for (std::uint8_t x : ok) accepted += x;
  f.rejected = total - accepted;
  f.accepted_per_s = PerSecond(accepted, std::chrono::nanoseconds(last_answer_ns.load()));
  f.p50_us = Percentile(latency, 500);
  f.p99_us = Percentile(latency, 990);
  f.p100_us = Percentile(latency, 1000);
  return f;
}

Json SchemeFigures(BenchLedger& bench, const std::string& scheme, const LedgerBenchOptions& options,
                   std::uint32_t threads) {
  std::vector<User>& users = bench.users(scheme);
  std::map<IdentityId, const User*> keys;
  for (const User& u : users) keys[u.id] = &u;
  // The bound: packets like the ones the steps send, verified on every core for a second before
  // each step and after the last (the users' sequences are put back: these packets never reach
  // the ledger). A shared machine's speed drifts by tens of percent within seconds, so each step
  // is offered a share of the sample just taken and compared with the mean of the samples on
  // either side of it; the bound reported is the samples' median.
  std::vector<std::uint64_t> sequences;
  sequences.reserve(users.size());
  for (const User& u : users) sequences.push_back(u.sequence);
  const std::vector<std::vector<Bytes>> bound_packets =
      SignTransfers(users, threads, std::size_t{threads} * 500);
  for (std::size_t i = 0; i < users.size(); ++i) users[i].sequence = sequences[i];
  // The ledger's key cache is warm during the steps (each signer is prepared on its second
  // packet), so the bound's is too: 300 untimed ms (several rounds of the lists) warm it first.
  crypto::PreparedKeyCache key_cache;
  (void)VerifyBound(bound_packets, keys, key_cache, std::chrono::milliseconds(300));
  const auto sample = [&] {
    return VerifyBound(bound_packets, keys, key_cache, std::chrono::seconds(1));
  };
  std::vector<std::uint64_t> samples{sample()};
  std::vector<StepFigures> figures;
  for (std::uint32_t percent : options.load_percent) {
    const std::uint64_t rate = std::max<std::uint64_t>(1, samples.back() * percent / 100);
    const auto total = static_cast<std::size_t>(static_cast<double>(rate) * options.step_seconds);
    figures.push_back(RunStep(bench, SignTransfers(users, threads, total), rate));
    samples.push_back(sample());
  }
  Json steps = Json::array();
  std::uint64_t peak = 0, peak_percent = 0, p99_at_half = 0;
  for (std::size_t k = 0; k < figures.size(); ++k) {
    const StepFigures& f = figures[k];
    const std::uint64_t step_bound = (samples[k] + samples[k + 1]) / 2;
    const std::uint64_t percent = step_bound == 0 ? 0 : f.accepted_per_s * 100 / step_bound;
    peak = std::max(peak, f.accepted_per_s);
    peak_percent = std::max(peak_percent, percent);
    if (options.load_percent[k] == 50) p99_at_half = f.p99_us;
    steps.push_back({{"offered_percent_of_bound", options.load_percent[k]},
                     {"bound_per_s", step_bound},
                     {"offered_per_s", f.offered},
                     {"accepted_per_s", f.accepted_per_s},
                     {"accepted_percent_of_bound", percent},
                     {"rejected", f.rejected},
                     {"group_commits", f.group_commits},
                     {"p50_us", f.p50_us},
                     {"p99_us", f.p99_us},
                     {"p100_us", f.p100_us}});
  }
  Json bound_samples = samples;
  const std::uint64_t bound = Percentile(samples, 500);
  return {{"verify_bound_per_s", bound},
          {"verify_bound_samples", bound_samples},
          {"steps", steps},
          {"peak_accepted_per_s", peak},
          {"peak_percent_of_bound", peak_percent},
          {"p99_us_at_half_bound", p99_at_half}};
}

Json BatchFigures(BenchLedger& bench, const LedgerBenchOptions& options) {
  std::vector<User>& users = bench.users(options.schemes.front());
  std::vector<Bytes> packets;
  for (std::uint32_t k = 0; k < options.batch_packets; ++k) {
    User& from = users[k % users.size()];
    ledger::Batch batch;
    for (std::uint32_t j = 0; j < options.batch_legs; ++j) {  // never to itself
      const std::size_t to = (k % users.size() + 1 + j % (users.size() - 1)) % users.size();
      batch.legs.push_back({users[to].id, ledger::Token::kAtr, Micro()});
    }
    packets.push_back(NextPacket(from, batch));
  }
  const auto start = SteadyClock::now();
  std::uint64_t ok = 0;
  for (const auto& r : bench.SubmitAll(packets)) {
    ok += r.ok() && r.value().result == ledger::ResultCode::kOk ? 1 : 0;
  }
  const auto elapsed = SteadyClock::now() - start;
  return {{"packets", options.batch_packets},
          {"legs_per_packet", options.batch_legs},
          {"accepted_packets", ok},
          {"transfers_per_s", PerSecond(ok * options.batch_legs, elapsed)}};
}

// (d): `qfs ledger verify` against the bare work it cannot avoid: per entry the entry hash, the
// leaf hash and (for packets) the signature, on one core, entries already in memory.
Json VerifyFigures(BenchLedger& bench) {
  const std::string dir = bench.directory() + "/ledger";
  bench.Close();
  auto start = SteadyClock::now();
  Result<ledger::VerifyReport> report = ledger::VerifyLedger(dir, nullptr);
  const auto verify_elapsed = SteadyClock::now() - start;
  QFS_CHECK_MSG(report.ok(), report.ok() ? "" : report.status().ToString().c_str());
  auto log = ledger::Log::Open({dir + "/log", 64ull << 20, true}).value();
  std::vector<ledger::LogEntry> entries;
  for (std::uint64_t i = 0; i < log->size(); ++i) entries.push_back(log->Read(i).value());
  std::map<IdentityId, std::pair<const crypto::SignatureScheme*, Bytes>> keys;
  ledger::GenesisParams genesis =
      ledger::DecodeGenesis(ByteSpan(entries[0].payload).subspan(1)).value();
  for (const auto& id : genesis.identities) {
    keys[id.id] = {crypto::SignatureRegistry::Default().Find(id.algorithm).value(), id.public_key};
  }
  crypto::PreparedKeyCache key_cache;  // as `qfs ledger verify` has
  start = SteadyClock::now();
  for (const ledger::LogEntry& e : entries) {
    QFS_CHECK(ledger::EntryHash(e) == e.entry_hash);
    (void)ledger::LeafHash(e.entry_hash);
    if (e.payload[0] != static_cast<std::uint8_t>(ledger::RecordType::kPacket)) continue;
    ledger::Packet p = ledger::DecodePacket(ByteSpan(e.payload).subspan(1)).value();
    const auto& [scheme, key] = keys.at(p.signer);
    QFS_CHECK(key_cache.Verify(*scheme, key, ledger::SigningMessage(p), p.signature).ok());
  }
  const auto bound_elapsed = SteadyClock::now() - start;
  const std::uint64_t rate = PerSecond(report.value().entries, verify_elapsed);
  const std::uint64_t bound = PerSecond(entries.size(), bound_elapsed);
  return {{"entries", report.value().entries},
          {"verify_entries_per_s", rate},
          {"hash_and_verify_bound_per_s", bound},
          {"percent_of_bound", bound == 0 ? 0 : rate * 100 / bound}};
}

// Runs (a), (b) and (d) and returns the figures as JSON.
Result<Json> RunLedgerBench(const LedgerBenchOptions& options) {
  auto bad = [](const std::string& why) { return Status(StatusCode::kInvalidArgument, why); };
  if (options.schemes.empty()) return bad("--schemes: at least one signature scheme");
  if (options.users < 2 || options.users < options.threads) {
    return bad("--users: at least 2, and at least one per submitting thread");
  }
  if (options.batch_legs < 1 || options.batch_legs > ledger::kBatchLegsMax) {
    return bad("--batch-legs: 1.." + std::to_string(ledger::kBatchLegsMax));
  }
  if (options.step_seconds <= 0) return bad("--step-seconds must be positive");
  for (const std::string& name : options.schemes) {
    QFS_RETURN_IF_ERROR(crypto::SignatureRegistry::Default().FindByName(name).status());
  }
  const std::uint32_t threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<BenchLedger> bench, BenchLedger::Create(options));
  Json single = Json::object();
  for (const std::string& scheme : options.schemes) {
    single[scheme] = SchemeFigures(*bench, scheme, options, threads);
  }
  Json batched = BatchFigures(*bench, options);
  Json verify = VerifyFigures(*bench);
  return Json{{"threads", threads},
              {"cores", std::thread::hardware_concurrency()},
              {"single_transfers", single},
              {"batched", batched},
              {"verify", verify}};
}

// The node load: each worker owns some users and sends their transfers one at a time.
class NodeLoad {
 public:
  explicit NodeLoad(const NodeLoadOptions& o) : options_(o) {}

  Result<Json> Run() {
    QFS_RETURN_IF_ERROR(Prepare());
    if (!options_.acks_file.empty()) {
      acks_.open(options_.acks_file, std::ios::app);
      if (!acks_) return Status(StatusCode::kIoError, "cannot open " + options_.acks_file);
    }
    const auto start = SteadyClock::now();
    deadline_ =
        start + std::chrono::milliseconds(static_cast<std::int64_t>(options_.seconds * 1000));
    Parallel(options_.concurrency, [this](std::uint32_t w) { Work(w); });
    const auto elapsed = SteadyClock::now() - start;
    std::vector<std::uint64_t> latency = latency_us_;
    return Json{{"acknowledged", acknowledged_.load()},
                {"rejected", rejected_.load()},
                {"errors", errors_.load()},
                {"acknowledged_per_s", PerSecond(acknowledged_.load(), elapsed)},
                {"p50_us", Percentile(latency, 500)},
                {"p99_us", Percentile(latency, 990)},
                {"p100_us", Percentile(latency, 1000)},
                {"node_lost", node_lost_.load()}};
  }

 private:
  Result<Json> Get(const std::string& target) {
    QFS_ASSIGN_OR_RETURN(net::HttpResponse r, net::HttpFetch(options_.node, "GET", target));
    QFS_ASSIGN_OR_RETURN(Json j, codec::ParseJson(r.body));
    if (r.status == 404) return Status(StatusCode::kNotFound, target);
    if (r.status != 200) return Status(StatusCode::kUnavailable, target + ": " + r.body);
    return j;
  }

  // POSTs one packet; the node's JSON answer and HTTP status.
  Result<std::pair<int, Json>> Post(const Bytes& packet) {
    const std::string body = Json{{"packet", HexEncode(packet)}}.dump();
    QFS_ASSIGN_OR_RETURN(net::HttpResponse r,
                         net::HttpFetch(options_.node, "POST", "/v1/packets", body));
    QFS_ASSIGN_OR_RETURN(Json j, codec::ParseJson(r.body));
    return std::make_pair(r.status, std::move(j));
  }

  Status Refresh(User& u) {
    QFS_ASSIGN_OR_RETURN(Json account, Get("/v1/accounts/" + u.id.ToHex()));
    const auto sequence = account.find("sequence");
    if (sequence == account.end() || !sequence->is_string()) {
      return Status(StatusCode::kParseError, "the node's account answer has no sequence");
    }
    QFS_ASSIGN_OR_RETURN(u.sequence,
                         ParseUint64(sequence->get<std::string>(), "the account's sequence"));
    return OkStatus();
  }

  // Registers and funds the users the node does not know yet; reads everyone's sequence.
  Status Prepare() {
    QFS_ASSIGN_OR_RETURN(keys::KeyFile admin_key, keys::ReadKeyFile(options_.admin_key));
    admin_.scheme = crypto::SignatureRegistry::Default().Find(admin_key.algorithm).value();
    admin_.key = {admin_key.public_key, std::move(admin_key.secret_key)};
    admin_.algorithm = static_cast<std::uint16_t>(admin_key.algorithm);
    admin_.id = ledger::DeriveIdentity(admin_.algorithm, admin_.key.public_key);
    QFS_ASSIGN_OR_RETURN(Json genesis, Get("/v1/ledger/entries/0"));
    network_ = genesis["entry"]["record"].value("network", 1u);
    QFS_RETURN_IF_ERROR(Refresh(admin_));
    for (std::uint32_t i = 0; i < options_.users; ++i) {
      users_.push_back(MakeUser(Scheme("ed25519"), options_.seed, i));
      User& u = users_.back();
      Status known = Refresh(u);
      if (known.ok()) continue;
      if (known.code() != StatusCode::kNotFound) return known;
      QFS_RETURN_IF_ERROR(Expect(Post(
          NextPacket(u, ledger::RegisterIdentity{u.algorithm, u.key.public_key, {}}, network_))));
      QFS_RETURN_IF_ERROR(Expect(Post(NextPacket(
          admin_, ledger::Mint{u.id, ledger::Token::kAtr, Amount::FromInteger(1'000'000).value()},
          network_))));
    }
    latency_us_.reserve(1 << 20);
    return OkStatus();
  }

  static Status Expect(const Result<std::pair<int, Json>>& r) {
    if (!r.ok()) return r.status();
    if (r.value().first != 200 || r.value().second.value("result", -1) != 0) {
      return Status(StatusCode::kInternal, "setup packet refused: " + r.value().second.dump());
    }
    return OkStatus();
  }

  void Work(std::uint32_t w) {
    std::vector<User*> mine;
    for (std::size_t i = w; i < users_.size(); i += options_.concurrency)
      mine.push_back(&users_[i]);
    if (mine.empty()) return;
    auto unreachable_since = SteadyClock::time_point::max();
    for (std::size_t k = 0; SteadyClock::now() < deadline_; ++k) {
      User& u = *mine[k % mine.size()];
      const User& to = users_[(k * 7 + w + 1) % users_.size()];
      if (to.id == u.id) continue;
      const std::uint64_t sequence_before = u.sequence;
      const Bytes packet =
          NextPacket(u, ledger::Transfer{{to.id, ledger::Token::kAtr, Micro()}}, network_);
      const auto sent = SteadyClock::now();
      Result<std::pair<int, Json>> r = Post(packet);
      if (!r.ok()) {  // the node is down (or restarting): the packet may or may not be logged
        ++errors_;
        if (unreachable_since == SteadyClock::time_point::max()) unreachable_since = sent;
        if (SteadyClock::now() - unreachable_since > std::chrono::seconds(2)) {
          node_lost_ = true;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!Refresh(u).ok()) u.sequence = sequence_before;
        continue;
      }
      unreachable_since = SteadyClock::time_point::max();
      const Json& answer = r.value().second;
      if (r.value().first == 200) {
        Acknowledge(u, answer, SteadyClock::now() - sent);
      } else {
        ++rejected_;
        if (!Refresh(u).ok()) u.sequence = sequence_before;
      }
    }
  }

  void Acknowledge(const User& u, const Json& answer, SteadyClock::duration took) {
    ++acknowledged_;
    std::lock_guard<std::mutex> lock(mu_);
    latency_us_.push_back(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
    if (acks_.is_open()) {
      const ledger::OperationId id = BenchOperationId(u.sequence);
      acks_ << Json{{"index", answer.value("index", std::string())},
                    {"signer", u.id.ToHex()},
                    {"sequence", std::to_string(u.sequence)},
                    {"operation_id", HexEncode(id.bytes)}}
                   .dump()
            << std::endl;  // flushed: the process may be killed next
    }
  }

  NodeLoadOptions options_;
  User admin_;
  std::vector<User> users_;
  std::uint32_t network_ = 1;
  SteadyClock::time_point deadline_;
  std::mutex mu_;
  std::ofstream acks_;
  std::vector<std::uint64_t> latency_us_;
  std::atomic<std::uint64_t> acknowledged_{0}, rejected_{0}, errors_{0};
  std::atomic<bool> node_lost_{false};
};

// Drives a running node until `seconds` pass or the node stays unreachable for 2 s.
Result<Json> RunNodeLoad(const NodeLoadOptions& options) {
  if (options.users < 2 || options.concurrency < 1 || options.seconds <= 0) {
    return Status(StatusCode::kInvalidArgument, "need 2+ users, 1+ workers, a positive duration");
  }
  NodeLoad load(options);
  return load.Run();
}

void AddOptions(CLI::App& app, LedgerBenchOptions& o, NodeLoadOptions& load) {
  app.add_option("--dir", o.directory, "Directory for the temporary ledger (default $TMPDIR)");
  app.add_option("--schemes", o.schemes, "Signature schemes for (a)")->delimiter(',');
  app.add_option("--loads", o.load_percent, "Offered loads, % of the bound")->delimiter(',');
  app.add_option("--step-seconds", o.step_seconds, "Seconds per load step");
  app.add_option("--users", o.users, "Users per scheme");
  app.add_option("--batch-legs", o.batch_legs, "(b): transfers per packet");
  app.add_option("--batch-packets", o.batch_packets, "(b): packets");
  app.add_option("--threads", o.threads, "Submitting threads (default: one per core)");
  app.add_option("--commit-window-us", o.commit_window_us, "The ledger's group commit window");
  app.add_option("--commit-window-busy-us", o.commit_window_busy_us,
                 "The ledger's group commit window with every core busy");
  app.add_option("--snapshot-interval", o.snapshot_interval,
                 "The ledger's entries between snapshots (0: only at close)");
  app.add_option("--node", load.node, "Load this running node over HTTP instead");
  app.add_option("--admin-key", load.admin_key, "With --node: a minter's key file");
  app.add_option("--acks", load.acks_file, "With --node: append acknowledged entries here");
  app.add_option("--seconds", load.seconds, "With --node: how long");
  app.add_option("--concurrency", load.concurrency, "With --node: parallel requests");
  app.add_option("--load-users", load.users, "With --node: users");
  app.add_option("--seed", load.seed, "With --node: users' key seed");
}

int Run(int argc, char** argv) {
  CLI::App app{
      "Ledger throughput and latency vs. the machine's bounds, or a load on a running node "
      "(docs/BENCHMARKS.md)",
      "qfs_ledger_bench"};
  LedgerBenchOptions options;
  NodeLoadOptions load;
  AddOptions(app, options, load);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  Result<Json> r = load.node.empty() ? RunLedgerBench(options) : RunNodeLoad(load);
  if (!r.ok()) {
    cli::PrintError(r.status());
    return 1;
  }
  std::cout << r.value().dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace qfs::bench

int main(int argc, char** argv) {
  try {
    return qfs::bench::Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qfs_ledger_bench: %s\n", e.what());
  }
  return 1;
}
