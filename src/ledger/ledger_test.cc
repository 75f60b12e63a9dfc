#include "ledger/ledger.h"

#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "ledger/audit.h"
#include "ledger/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace qfs::ledger {
namespace {

namespace fs = std::filesystem;

Amount Tokens(std::uint64_t whole) { return Amount::FromInteger(whole).value(); }

const crypto::SignatureScheme& Ed25519() {
  return *crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519).value();
}

struct User {
  crypto::SignatureKeyPair key;
  IdentityId id;
  std::uint64_t sequence = 0;
};
User MakeUser(std::uint8_t seed) {
  User u{Ed25519().KeyPairFromSeed(Bytes(32, seed)).value(), {}};
  u.id = DeriveIdentity(1, u.key.public_key);
  return u;
}

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest()
      : clock_(1'800'000'000'000'000),
        node_(Ed25519().KeyPairFromSeed(Bytes(32, 99)).value()),
        admin_(MakeUser(1)) {
    for (int i = 0; i < 4; ++i) users_.push_back(MakeUser(static_cast<std::uint8_t>(10 + i)));
    dir_ = fs::path(::testing::TempDir()) /
           ("qfs_ledger_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  ~LedgerTest() override { fs::remove_all(dir_); }

  LedgerOptions Options() {
    LedgerOptions o;
    o.directory = dir_.string();
    GenesisParams& g = o.genesis.emplace();
    g.network = 5;
    g.identities.push_back({admin_.id, 1, admin_.key.public_key, kRolesAll});
    for (const User& u : users_) g.identities.push_back({u.id, 1, u.key.public_key, 0});
    // The node key signs checkpoints, halts and resumes: an admin's key, so that it is pinned.
    g.identities.push_back({DeriveIdentity(1, node_.public_key), 1, node_.public_key, kRoleAdmin});
    o.clock = &clock_;
    o.node_scheme = &Ed25519();
    o.node_secret_key = &node_.secret_key;
    o.node_public_key = node_.public_key;
    o.checkpoint_interval = 10;
    return o;
  }

  Bytes Make(User& u, Operation op) {
    Packet p;
    p.network = 5;
    p.signer = u.id;
    p.sequence = ++u.sequence;
    p.client_time_us = clock_.NowMicros();
    p.operation_id.bytes[0] = static_cast<std::uint8_t>(p.sequence);
    p.operation_id.bytes[1] = static_cast<std::uint8_t>(p.sequence >> 8);
    p.operation = std::move(op);
    EXPECT_TRUE(SignPacket(p, Ed25519(), u.key.secret_key).ok());
    return EncodePacket(p);
  }

  ManualClock clock_;
  crypto::SignatureKeyPair node_;
  User admin_;
  std::vector<User> users_;
  fs::path dir_;
};

TEST_F(LedgerTest, CommitsReplaysAndProves) {
  Digest32 root;
  {
    auto ledger = Ledger::Open(Options()).value();
    EXPECT_EQ(ledger->Head().size, 1u);  // genesis
    SubmitResult r =
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(50)})).value();
    EXPECT_EQ(r.result, ResultCode::kOk);
    EXPECT_EQ(r.index, 1u);
    r = ledger->Submit(Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(80)}})).value();
    EXPECT_EQ(r.result, ResultCode::kInsufficientFunds);  // logged all the same
    EXPECT_EQ(r.index, 2u);
    r = ledger->Submit(Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(20)}})).value();
    EXPECT_EQ(r.result, ResultCode::kOk);
    EXPECT_EQ(ledger->GetAccount(users_[1].id).value().account.balance[3], Tokens(20).raw());
    const LedgerHead head = ledger->Head();
    EXPECT_EQ(head.size, 4u);
    root = head.root;
    for (std::uint64_t i = 0; i < head.size; ++i) {
      const LogEntry e = ledger->GetEntry(i).value();
      EXPECT_TRUE(VerifyInclusion(i, head.size, LeafHash(e.entry_hash),
                                  ledger->InclusionProof(i, head.size).value(), head.root)
                      .ok());
    }
  }
  auto ledger = Ledger::Open(Options()).value();  // replay
  EXPECT_EQ(ledger->Head().root, root);
  EXPECT_FALSE(ledger->Head().halted);
  EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.balance[3], Tokens(30).raw());
  EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.sequence, 2u);
}

TEST_F(LedgerTest, TheCommitWindowGroupsConcurrentWritersAndNeverHoldsALoneOne) {
  constexpr auto kWindow = std::chrono::seconds(3);  // long enough to gather writers 10 ms apart
  LedgerOptions o = Options();
  o.commit_window_us = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(kWindow).count());
  auto ledger = Ledger::Open(std::move(o)).value();
  const std::uint64_t before = ledger->Head().group_commits;
  // A lone writer: every commit covered one entry, so none waits for the window.
  const std::uint64_t waits_before = ledger->Head().commit_window_waits;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(1)})).value().result,
        ResultCode::kOk);
  }
  EXPECT_EQ(ledger->Head().group_commits, before + 4);
  EXPECT_EQ(ledger->Head().commit_window_waits, waits_before) << "a lone one waited";
  // Concurrent writers. The first packet commits alone; its answer runs on the sequencer and
  // holds it until seven more are queued, so the next commit covers all seven; after it the
  // sequencer waits for the window, so five packets sent 10 ms apart share one commit. That
  // commit starts a window after the seven's, which started after their release: five sent
  // within kWindow of the release must share it. An attempt that a stalled machine made take
  // longer proves nothing either way and is repeated. Returns the five's commits, or nullopt.
  std::chrono::milliseconds late{0};  // the last attempt's time from the release to the fifth
  const auto attempt = [&]() -> std::optional<std::uint64_t> {
    std::mutex mutex;
    std::condition_variable cv;
    bool release = false;
    std::vector<std::uint64_t> indexes;
    const auto answered = [&](const Result<SubmitResult>& r) {
      std::lock_guard<std::mutex> lock(mutex);
      indexes.push_back(r.ok() && r.value().result == ResultCode::kOk ? r.value().index : 0);
      cv.notify_all();
    };
    const auto mint = [&] { return Make(admin_, Mint{users_[1].id, Token::kAtr, Tokens(1)}); };
    const std::uint64_t commits_before = ledger->Head().group_commits;
    ledger->SubmitAsync(mint(), [&](const Result<SubmitResult>& r) {
      answered(r);
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return release; });
    });
    const auto wait_for = [&](std::size_t n) {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return indexes.size() == n; });
    };
    // Only once the first is answered: queued while it was, some of the seven could share its
    // commit and leave the last one alone (seen under AddressSanitizer's slower admission).
    wait_for(1);
    for (int i = 0; i < 7; ++i) ledger->SubmitAsync(mint(), answered);
    const auto released = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(mutex);
      release = true;
      cv.notify_all();
    }
    wait_for(8);
    const LedgerHead after_burst = ledger->Head();
    EXPECT_EQ(after_burst.group_commits, commits_before + 2);
    for (int i = 0; i < 5; ++i) {
      ledger->SubmitAsync(mint(), answered);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    late = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 released);
    const bool in_time = late < kWindow;
    wait_for(13);
    EXPECT_EQ(std::count(indexes.begin(), indexes.end(), 0u), 0);
    const LedgerHead after = ledger->Head();
    if (!in_time) return std::nullopt;
    EXPECT_EQ(after.commit_window_waits, after_burst.commit_window_waits + 1);
    return after.group_commits - after_burst.group_commits;
  };
  constexpr int kAttempts = 5;
  for (int i = 0; i < kAttempts; ++i) {
    const std::optional<std::uint64_t> commits = attempt();
    if (!commits.has_value()) continue;
    EXPECT_EQ(*commits, 1u) << "the window did not group them";
    return;
  }
  FAIL() << "in " << kAttempts << " attempts the five packets never went out within the window "
         << "of the release (the last after " << late.count() << " ms): the machine stalled for "
         << "seconds each time, or the seven's commit waited for the window";
}

// Threads that spin until stopped, to keep the process's cores busy.
class Spinners {
 public:
  ~Spinners() { Stop(); }
  void Add(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        while (!stop_.load(std::memory_order_relaxed)) {
        }
      });
    }
  }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  std::size_t size() const { return threads_.size(); }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// The window widens while the process keeps its cores busy and narrows once they are free
// again. "Its cores" are one here (LedgerOptions::cores), kept busy by spinning threads: twice
// as many as the machine has cores, and more (up to 16 a core) while the process gets under 1.2
// cores' worth of CPU, so that it gets its one core on a machine that other busy threads share.
TEST_F(LedgerTest, TheCommitWindowWidensWhileTheCoresAreSaturated) {
  LedgerOptions o = Options();
  o.commit_window_us = 1000;
  o.commit_window_busy_us = 4000;
  o.cores = 1;
  auto ledger = Ledger::Open(std::move(o)).value();
  EXPECT_EQ(ledger->Head().commit_window_us, 1000u);
  // Rounds of four packets in flight at once (a commit of several entries is what makes the
  // next one wait for the window, and read the CPU time), until `done` or 20 s.
  const auto drive_until = [&](const std::function<bool()>& done, std::chrono::milliseconds pause) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::mutex mutex;
      std::condition_variable cv;
      int answered = 0;
      for (int i = 0; i < 4; ++i) {
        ledger->SubmitAsync(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(1)}),
                            [&](const Result<SubmitResult>& r) {
                              EXPECT_TRUE(r.ok() && r.value().result == ResultCode::kOk);
                              std::lock_guard<std::mutex> lock(mutex);
                              ++answered;
                              cv.notify_all();
                            });
      }
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return answered == 4; });
      lock.unlock();
      std::this_thread::sleep_for(pause);
    }
    return true;
  };
  const std::uint32_t machine_cores = UsableCores();
  const std::size_t spinners_max = 16 * machine_cores + 1;
  Spinners spinners;
  spinners.Add(2 * machine_cores + 1);
  // The process's CPU over the last quarter second, permille of one core.
  std::uint64_t share_permille = 0;
  auto sample_start = std::chrono::steady_clock::now();
  std::uint64_t sample_cpu_us = ProcessCpuMicros();
  const auto widened_or_spin_more = [&] {
    if (ledger->Head().commit_window_us == 4000) return true;
    const auto now = std::chrono::steady_clock::now();
    const auto wall_us =
        std::chrono::duration_cast<std::chrono::microseconds>(now - sample_start).count();
    if (wall_us >= 250'000) {
      const std::uint64_t cpu_us = ProcessCpuMicros();
      share_permille = (cpu_us - sample_cpu_us) * 1000 / static_cast<std::uint64_t>(wall_us);
      if (share_permille < 1200 && spinners.size() < spinners_max) spinners.Add(machine_cores);
      sample_start = now;
      sample_cpu_us = cpu_us;
    }
    return false;
  };
  const bool widened = drive_until(widened_or_spin_more, std::chrono::milliseconds(0));
  const std::size_t spinning = spinners.size();
  spinners.Stop();
  EXPECT_TRUE(widened) << "window " << ledger->Head().commit_window_us << " us, not 4000, after "
                       << "20 s; with " << spinning << " threads spinning the process had "
                       << share_permille << " permille of a core (950 needed): is the machine "
                       << "that busy?";
  EXPECT_TRUE(drive_until([&] { return ledger->Head().commit_window_us == 1000; },
                          std::chrono::milliseconds(10)))
      << "window " << ledger->Head().commit_window_us;
}

TEST_F(LedgerTest, RetriesAreIdempotentAndRejectionsAreNotLogged) {
  auto ledger = Ledger::Open(Options()).value();
  const Bytes mint = Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)});
  const SubmitResult first = ledger->Submit(mint).value();
  const SubmitResult again = ledger->Submit(mint).value();
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.index, first.index);
  EXPECT_EQ(again.result, ResultCode::kOk);
  Packet conflicting =
      DecodePacket(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(6)})).value();
  conflicting.operation_id = DecodePacket(mint).value().operation_id;
  ASSERT_TRUE(SignPacket(conflicting, Ed25519(), admin_.key.secret_key).ok());
  EXPECT_EQ(ledger->Submit(EncodePacket(conflicting)).value().result,
            ResultCode::kOperationConflict);
  const std::uint64_t size = ledger->Head().size;
  EXPECT_EQ(ledger->Submit(Bytes{1, 2, 3}).value().result, ResultCode::kMalformedPacket);
  Bytes forged = Make(users_[1], Burn{Token::kAtr, Tokens(1)});
  forged[forged.size() - 1] ^= 1;
  EXPECT_EQ(ledger->Submit(forged).value().result, ResultCode::kInvalidSignature);
  ++users_[2].sequence;  // skips sequence 1
  EXPECT_EQ(ledger->Submit(Make(users_[2], Burn{Token::kAtr, Tokens(1)})).value().result,
            ResultCode::kInvalidSequence);
  EXPECT_EQ(ledger->Head().size, size);
}

// A signer past its refusal budget is answered with the same code and nothing is logged or
// changed (its sequence neither), so a retry is evaluated afresh; other signers keep theirs.
TEST_F(LedgerTest, RefusalsPastTheSignersBudgetAreAnsweredButNotLogged) {
  const Bytes first = Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(5)}});
  const Bytes second = Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(5)}});
  --users_[0].sequence;  // `first` is logged, `second` is not: `second` stays next
  LedgerOptions o = Options();
  o.refusal_budget.identity_bytes_per_s = 0;
  o.refusal_budget.identity_burst_bytes =
      static_cast<std::uint32_t>(first.size() + 1 + kRecordOverheadBytes);  // one entry
  Digest32 root;
  {
    auto ledger = Ledger::Open(o).value();
    const SubmitResult logged = ledger->Submit(first).value();
    EXPECT_EQ(logged.result, ResultCode::kInsufficientFunds);
    EXPECT_TRUE(logged.logged);
    const std::uint64_t size = ledger->Head().size;
    const SubmitResult answered = ledger->Submit(second).value();
    EXPECT_EQ(answered.result, ResultCode::kInsufficientFunds);
    EXPECT_FALSE(answered.logged);
    EXPECT_EQ(ledger->Head().size, size);
    EXPECT_EQ(ledger->Head().refusals_unlogged, 1u);
    EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.sequence, 1u);
    // Another signer's refusal is still logged.
    EXPECT_TRUE(ledger->Submit(Make(users_[1], Burn{Token::kAtr, Tokens(1)})).value().logged);
    // Funded, the same bytes again: evaluated afresh, applied and logged.
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(9)})).value().result,
        ResultCode::kOk);
    const SubmitResult retried = ledger->Submit(second).value();
    EXPECT_EQ(retried.result, ResultCode::kOk);
    EXPECT_TRUE(retried.logged);
    EXPECT_FALSE(retried.duplicate);
    EXPECT_EQ(ledger->GetAccount(users_[1].id).value().account.balance[3], Tokens(5).raw());
    root = ledger->Head().root;
  }
  auto ledger = Ledger::Open(o).value();  // the log replays to the same state without it
  EXPECT_EQ(ledger->Head().root, root);
  EXPECT_FALSE(ledger->Head().halted);
}

TEST_F(LedgerTest, ConcurrentSubmittersShareGroupCommitsAndCheckpointsReplay) {
  {
    auto ledger = Ledger::Open(Options()).value();
    for (User& u : users_) {
      ASSERT_EQ(ledger->Submit(Make(admin_, Mint{u.id, Token::kAtr, Tokens(1000)})).value().result,
                ResultCode::kOk);
    }
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < users_.size(); ++t) {
      threads.emplace_back([&, t] {
        User& u = users_[t];
        for (int i = 0; i < 50; ++i) {
          const User& to = users_[(t + 1) % users_.size()];
          Result<SubmitResult> r =
              ledger->Submit(Make(u, Transfer{{to.id, Token::kAtr, Tokens(1)}}));
          ASSERT_TRUE(r.ok());
          ASSERT_EQ(r.value().result, ResultCode::kOk);
          clock_.Advance(1);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    // 1 genesis + 4 mints + 200 transfers, and a checkpoint after every 10 or more entries.
    std::uint64_t checkpoints = 0;
    const std::uint64_t size = ledger->Head().size;
    for (std::uint64_t i = 0; i < size; ++i) {
      checkpoints += ledger->GetEntry(i).value().payload[0] ==
                     static_cast<std::uint8_t>(RecordType::kCheckpoint);
    }
    EXPECT_EQ(size, 205u + checkpoints);
    EXPECT_GE(checkpoints, 10u);
    EXPECT_LE(checkpoints, 21u);
    for (const User& u : users_) {
      EXPECT_EQ(ledger->GetAccount(u.id).value().account.balance[3], Tokens(1000).raw());
    }
  }
  auto ledger = Ledger::Open(Options()).value();  // replays and checks every checkpoint
  EXPECT_FALSE(ledger->Head().halted) << ledger->Head().halt_reason;
}

TEST_F(LedgerTest, AReplayMismatchHaltsButServesReads) {
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
  }
  {
    // An entry whose frame, CRC and hash are all valid but whose recorded result is a lie.
    auto log = Log::Open({(dir_ / "log").string(), 64ull << 20, false}).value();
    LogEntry e;
    e.index = log->size();
    e.previous_hash = log->last_hash();
    e.timestamp_us = log->last_timestamp_us() + 1;
    Bytes packet = Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(1)}});
    e.payload.push_back(static_cast<std::uint8_t>(RecordType::kPacket));
    e.payload.insert(e.payload.end(), packet.begin(), packet.end());
    e.result = static_cast<std::uint16_t>(ResultCode::kInsufficientFunds);
    e.entry_hash = EntryHash(e);
    ASSERT_TRUE(log->Append(e).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  auto ledger = Ledger::Open(Options()).value();
  const LedgerHead head = ledger->Head();
  EXPECT_TRUE(head.halted);
  EXPECT_NE(head.halt_reason.find("entry 2"), std::string::npos) << head.halt_reason;
  EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.balance[3], Tokens(5).raw());
  EXPECT_EQ(ledger->Submit(Make(users_[2], Burn{Token::kAtr, Tokens(1)})).value().result,
            ResultCode::kHalted);
  // The halt record is the last entry, and the halt survives a restart.
  EXPECT_EQ(ledger->GetEntry(head.size - 1).value().payload[0],
            static_cast<std::uint8_t>(RecordType::kHalt));
  ledger.reset();
  auto again = Ledger::Open(Options()).value();
  EXPECT_TRUE(again->Head().halted);
  EXPECT_EQ(again->Head().size, head.size);  // no second halt record
  EXPECT_NE(again->Head().halt_reason.find("entry 2"), std::string::npos);
  Status refused = again->Resume("operator: try anyway");
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("persists"), std::string::npos) << refused.message();
  EXPECT_EQ(again->Head().size, head.size);
}

TEST_F(LedgerTest, AnOperatorResumesAHaltOnceItsCauseIsGone) {
  {
    auto ledger = Ledger::Open(Options()).value();
    EXPECT_EQ(ledger->Resume("nothing to resume").code(), StatusCode::kFailedPrecondition);
    // One process per directory.
    EXPECT_EQ(Ledger::Open(Options()).code(), StatusCode::kAlreadyExists);
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
    ledger->Halt("disk controller reported errors");
    // A halt in this process is not resumable here: its state is suspect until a replay.
    EXPECT_EQ(ledger->Resume("too soon").code(), StatusCode::kFailedPrecondition);
  }
  {
    auto ledger = Ledger::Open(Options()).value();
    EXPECT_TRUE(ledger->Head().halted);
    EXPECT_NE(ledger->Head().halt_reason.find("disk controller"), std::string::npos)
        << ledger->Head().halt_reason;
    ASSERT_TRUE(ledger->Resume("controller replaced, log verified").ok());
    EXPECT_FALSE(ledger->Head().halted);
    EXPECT_EQ(ledger->Submit(Make(users_[0], Burn{Token::kAtr, Tokens(1)})).value().result,
              ResultCode::kRoleRequired);  // logged again: writes are back
  }
  auto ledger = Ledger::Open(Options()).value();
  EXPECT_FALSE(ledger->Head().halted);
  const std::uint64_t size = ledger->Head().size;
  EXPECT_EQ(ledger->GetEntry(size - 2).value().payload[0],
            static_cast<std::uint8_t>(RecordType::kResume));
  ledger.reset();
  EXPECT_TRUE(VerifyLedger(dir_.string(), nullptr).ok());
}

// Finding 3: any key file could resume a ledger, and verify checked checkpoints against the key
// they carried and halts and resumes not at all. Now only node keys (unrevoked keys of admin
// identities, pinned by the log) may sign them, and an auditor tells a forged one.
TEST_F(LedgerTest, OnlyANodeKeyResumesAndVerifyRefusesRecordsSignedByAnyOtherKey) {
  const crypto::SignatureKeyPair stranger = Ed25519().KeyPairFromSeed(Bytes(32, 77)).value();
  auto with_key = [&](const crypto::SignatureKeyPair& key) {
    LedgerOptions o = Options();
    o.node_secret_key = &key.secret_key;
    o.node_public_key = key.public_key;
    return o;
  };
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
    ledger->Halt("operator test");
  }
  {
    // A user's device key (not a node key) may not resume, and writes nothing.
    auto ledger = Ledger::Open(with_key(users_[0].key)).value();
    const std::uint64_t size = ledger->Head().size;
    EXPECT_EQ(ledger->Resume("forged").code(), StatusCode::kPermissionDenied);
    EXPECT_TRUE(ledger->Head().halted);
    EXPECT_EQ(ledger->Head().size, size);
  }
  ASSERT_TRUE(VerifyLedger(dir_.string(), nullptr).ok());
  {
    // A node running with a stranger's key writes a resume and checkpoints verify must refuse.
    auto ledger = Ledger::Open(with_key(stranger)).value();
    EXPECT_EQ(ledger->Resume("forged").code(), StatusCode::kPermissionDenied);
  }
  fs::remove_all(dir_);
  admin_.sequence = 0;
  {
    auto ledger = Ledger::Open(with_key(stranger)).value();
    for (int i = 0; i < 12; ++i) {  // past the checkpoint interval (10)
      ASSERT_EQ(
          ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(1)})).value().result,
          ResultCode::kOk);
    }
  }
  Result<VerifyReport> forged = VerifyLedger(dir_.string(), nullptr);
  ASSERT_FALSE(forged.ok());
  EXPECT_NE(forged.status().message().find("not a node key"), std::string::npos)
      << forged.status().ToString();
  fs::remove_all(dir_);
  admin_.sequence = 0;
  {
    auto ledger = Ledger::Open(with_key(stranger)).value();
    ledger->Halt("forged halt");
  }
  forged = VerifyLedger(dir_.string(), nullptr);
  ASSERT_FALSE(forged.ok());
  EXPECT_NE(forged.status().message().find("halt record not signed by a node key"),
            std::string::npos)
      << forged.status().ToString();
}

TEST_F(LedgerTest, AnInvariantViolationHaltsAtTheNextCheckpoint) {
  auto ledger = Ledger::Open(Options()).value();
  ASSERT_EQ(ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
            ResultCode::kOk);
  ledger->MutateStateForTesting(
      [&](State& s) { s.AdjustBalanceForTesting(users_[0].id, Token::kAtr, 7); });
  ResultCode last = ResultCode::kOk;
  for (int i = 0; i < 12 && last != ResultCode::kHalted; ++i) {
    last = ledger->Submit(Make(admin_, Mint{users_[1].id, Token::kFlx, Tokens(1)})).value().result;
  }
  EXPECT_EQ(last, ResultCode::kHalted);
  EXPECT_TRUE(ledger->Head().halted);
  EXPECT_NE(ledger->Head().halt_reason.find("not conserved"), std::string::npos)
      << ledger->Head().halt_reason;
}

TEST_F(LedgerTest, ACorruptLogHaltsAndServesTheGoodPrefix) {
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[1].id, Token::kAtr, Tokens(7)})).value().result,
        ResultCode::kOk);
  }
  // Flip a byte inside the last record (entry 2): a complete record that fails its CRC.
  const fs::path segment = dir_ / "log" / "00000000000000000000.qlog";
  const auto size = fs::file_size(segment);
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 40));
    f.put('\x55');
  }
  auto ledger = Ledger::Open(Options()).value();
  const LedgerHead head = ledger->Head();
  EXPECT_TRUE(head.halted);
  EXPECT_NE(head.halt_reason.find("log entry 2 "), std::string::npos) << head.halt_reason;
  EXPECT_EQ(head.size, 2u);
  EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.balance[3], Tokens(5).raw());
  EXPECT_EQ(ledger->GetAccount(users_[1].id).value().account.balance[3], 0u);
  EXPECT_EQ(ledger->Submit(Make(users_[0], Burn{Token::kAtr, Tokens(1)})).value().result,
            ResultCode::kHalted);
  EXPECT_EQ(fs::file_size(segment), size);  // nothing written
}

// The last record of a frame promising `body_bytes`, of which only `bytes_written` reached the
// disk (the frame's CRC and the body are filler).
Bytes PartialRecord(std::uint32_t body_bytes, std::size_t bytes_written) {
  Bytes record;
  for (std::uint32_t v : {body_bytes, ~body_bytes}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      record.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  record.resize(bytes_written, 0x33);
  return record;
}

void AppendToFile(const fs::path& path, const Bytes& bytes) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST_F(LedgerTest, ATornTailIsReportedAtStartAndStaysVisibleToVerify) {
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
  }
  const fs::path segment = dir_ / "log" / "00000000000000000000.qlog";
  const auto size = fs::file_size(segment);
  AppendToFile(segment, PartialRecord(200, 40));  // a write that never finished
  // An auditor's copy before the node restarts: the tail is there, left in place.
  VerifyReport before = VerifyLedger(dir_.string(), nullptr).value();
  EXPECT_EQ(before.torn_bytes, 40u);
  EXPECT_EQ(before.torn_tails_cut, 0u);
  {
    auto ledger = Ledger::Open(Options()).value();
    const LedgerStart& start = ledger->start();
    ASSERT_TRUE(start.log.torn.has_value());
    EXPECT_EQ(start.log.torn->bytes, 40u);
    EXPECT_EQ(start.log.torn->offset, size);
    EXPECT_EQ(start.log.torn->entry, ledger->Head().size);
    EXPECT_FALSE(start.log.torn->saved_as.empty());
    EXPECT_FALSE(ledger->Head().halted);
    EXPECT_EQ(fs::file_size(segment), size);
    EXPECT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[1].id, Token::kAtr, Tokens(7)})).value().result,
        ResultCode::kOk);
  }
  // After the cut, verify still counts it.
  VerifyReport after = VerifyLedger(dir_.string(), nullptr).value();
  EXPECT_EQ(after.torn_bytes, 0u);
  EXPECT_EQ(after.torn_tails_cut, 1u);
  EXPECT_EQ(after.torn_bytes_cut, 40u);
  auto ledger = Ledger::Open(Options()).value();
  EXPECT_FALSE(ledger->start().log.torn.has_value());
  EXPECT_EQ(ledger->start().log.torn_tails_saved, 1u);
}

TEST_F(LedgerTest, AnImpossibleLengthInTheLastFrameHaltsInsteadOfBeingCut) {
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
  }
  const fs::path segment = dir_ / "log" / "00000000000000000000.qlog";
  AppendToFile(segment, PartialRecord(static_cast<std::uint32_t>(kLogRecordBytesMax) + 1, 64));
  const auto size = fs::file_size(segment);
  auto ledger = Ledger::Open(Options()).value();
  const LedgerHead head = ledger->Head();
  EXPECT_TRUE(head.halted);
  EXPECT_NE(head.halt_reason.find("record length"), std::string::npos) << head.halt_reason;
  EXPECT_FALSE(ledger->start().log.torn.has_value());
  EXPECT_EQ(ledger->Submit(Make(users_[0], Burn{Token::kAtr, Tokens(1)})).value().result,
            ResultCode::kHalted);
  EXPECT_EQ(fs::file_size(segment), size);  // nothing cut, nothing written
  Result<VerifyReport> verified = VerifyLedger(dir_.string(), nullptr);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kCorruption);
}

TEST_F(LedgerTest, AuditorsVerifyAndExportReadOnly) {
  LedgerHead head;
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(100)})).value().result,
        ResultCode::kOk);
    for (int i = 0; i < 25; ++i) {
      ASSERT_TRUE(
          ledger->Submit(Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(1)}})).ok());
      clock_.Advance(10);
    }
    head = ledger->Head();
  }
  std::uint64_t calls = 0;
  const VerifyReport report =
      VerifyLedger(dir_.string(), [&](std::uint64_t done, std::uint64_t total) {
        ++calls;
        EXPECT_LE(done, total);
      }).value();
  EXPECT_EQ(report.entries, head.size);
  EXPECT_EQ(report.packets, 26u);
  EXPECT_GE(report.checkpoints, 2u);
  EXPECT_EQ(report.tree_root, head.root);
  EXPECT_GT(calls, 0u);
  std::ostringstream out;
  ASSERT_TRUE(ExportLedger(dir_.string(), out).ok());
  std::istringstream lines(out.str());
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(lines, line)) {
    codec::Json j = codec::ParseJson(line).value();
    EXPECT_EQ(j["index"], std::to_string(n++));
    EXPECT_EQ(codec::CanonicalJson(j).value(), line);
  }
  EXPECT_EQ(n, head.size);
  EXPECT_NE(out.str().find(R"("op":"transfer")"), std::string::npos);

  // A flipped byte anywhere: verify names the entry.
  const fs::path segment = dir_ / "log" / "00000000000000000000.qlog";
  const auto size = fs::file_size(segment);
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put('\x7f');
  }
  Result<VerifyReport> bad = VerifyLedger(dir_.string(), nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("log entry "), std::string::npos) << bad.status().message();
}

TEST_F(LedgerTest, VerifyChecksTheSignatureOfEveryLoggedPacket) {
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(5)})).value().result,
        ResultCode::kOk);
  }
  {
    // Well framed and chained, with the result replay would give, but the signature is forged.
    auto log = Log::Open({(dir_ / "log").string(), 64ull << 20, false}).value();
    Packet p = DecodePacket(Make(users_[0], Burn{Token::kAtr, Tokens(1)})).value();
    p.signature[0] ^= 1;
    LogEntry e;
    e.index = log->size();
    e.previous_hash = log->last_hash();
    e.timestamp_us = log->last_timestamp_us() + 1;
    e.payload.push_back(static_cast<std::uint8_t>(RecordType::kPacket));
    const Bytes wire = EncodePacket(p);
    e.payload.insert(e.payload.end(), wire.begin(), wire.end());
    e.result = static_cast<std::uint16_t>(ResultCode::kRoleRequired);
    e.entry_hash = EntryHash(e);
    ASSERT_TRUE(log->Append(e).ok());
    ASSERT_TRUE(log->Sync().ok());
  }
  Result<VerifyReport> report = VerifyLedger(dir_.string(), nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(
      report.status().message().find("entry 2: logged packet fails admission: INVALID_SIGNATURE"),
      std::string::npos)
      << report.status().message();
}

// A system record's result is fixed (0, or 302 for a halt); the entry hash covers it, so verify
// must refuse any other, as it refuses a wrong packet result.
TEST_F(LedgerTest, VerifyRefusesASystemRecordWithAnotherResult) {
  {
    auto ledger = Ledger::Open(Options()).value();
    while (!ledger->Head().checkpoint.has_value()) {
      ASSERT_TRUE(
          ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(1)})).value().logged);
    }
  }
  auto original = Log::Open({(dir_ / "log").string(), 64ull << 20, true}).value();
  std::uint64_t checkpoint = 0;
  for (std::uint64_t i = 0; i < original->size(); ++i) {
    if (original->Read(i).value().payload[0] ==
        static_cast<std::uint8_t>(RecordType::kCheckpoint)) {
      checkpoint = i;
    }
  }
  ASSERT_NE(checkpoint, 0u);
  // The log up to and with that checkpoint, its result `result`, each hash recomputed.
  const auto copy_with = [&](std::uint16_t result) {
    const fs::path copy = dir_ / ("copy" + std::to_string(result));
    fs::create_directories(copy);
    auto log = Log::Open({(copy / "log").string(), 64ull << 20, false}).value();
    for (std::uint64_t i = 0; i <= checkpoint; ++i) {
      LogEntry e = original->Read(i).value();
      if (i == checkpoint) e.result = result;
      e.previous_hash = log->last_hash();
      e.entry_hash = EntryHash(e);
      EXPECT_TRUE(log->Append(e).ok());
    }
    EXPECT_TRUE(log->Sync().ok());
    return VerifyLedger(copy.string(), nullptr);
  };
  EXPECT_TRUE(copy_with(0).ok());
  Result<VerifyReport> forged = copy_with(7);
  ASSERT_FALSE(forged.ok());
  EXPECT_NE(forged.status().message().find("a system record with result 7"), std::string::npos)
      << forged.status().message();
}

TEST_F(LedgerTest, InclusionAndConsistencyProofsCheckAgainstSignedHeads) {
  {
    auto ledger = Ledger::Open(Options()).value();
    ASSERT_EQ(
        ledger->Submit(Make(admin_, Mint{users_[0].id, Token::kAtr, Tokens(100)})).value().result,
        ResultCode::kOk);
    for (int i = 0; i < 30; ++i) {
      ASSERT_TRUE(
          ledger->Submit(Make(users_[0], Transfer{{users_[1].id, Token::kAtr, Tokens(1)}})).ok());
    }
  }
  const std::string dir = dir_.string();
  codec::Json inclusion = InclusionProofJson(dir, 3).value();
  // What an outsider receives: the document's canonical text.
  inclusion = codec::ParseJson(codec::CanonicalJson(inclusion).value()).value();
  EXPECT_TRUE(CheckProof(inclusion, {}).ok());
  EXPECT_TRUE(CheckProof(inclusion, node_.public_key).ok());
  EXPECT_EQ(CheckProof(inclusion, Bytes(32, 1)).code(), StatusCode::kBadSignature);
  codec::Json tampered = inclusion;
  tampered["index"] = "4";
  EXPECT_EQ(CheckProof(tampered, {}).code(), StatusCode::kBadProof);
  tampered = inclusion;
  tampered["head"]["tree_root"] = std::string(64, '0');
  EXPECT_FALSE(CheckProof(tampered, {}).ok());  // the head's signature no longer matches
  tampered = inclusion;
  tampered["head"]["algorithm"] = "one";
  EXPECT_EQ(CheckProof(tampered, {}).code(), StatusCode::kBadProof);
  EXPECT_EQ(InclusionProofJson(dir, 10'000).status().code(), StatusCode::kOutOfRange);

  const std::uint64_t first = std::stoull(inclusion["head"]["tree_size"].get<std::string>());
  std::uint64_t second = 0;
  for (std::uint64_t i = first + 1; i < 200 && second == 0; ++i) {
    if (ConsistencyProofJson(dir, first, i).ok()) second = i;
  }
  ASSERT_GT(second, first);
  codec::Json consistency = ConsistencyProofJson(dir, first, second).value();
  EXPECT_TRUE(CheckProof(consistency, node_.public_key).ok());
  consistency["proof"][0] = std::string(64, 'a');
  EXPECT_EQ(CheckProof(consistency, {}).code(), StatusCode::kBadProof);
  EXPECT_EQ(ConsistencyProofJson(dir, first, first + 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CheckProof(codec::Json::array(), {}).code(), StatusCode::kBadProof);
}

TEST_F(LedgerTest, TheGenesisMustMatchTheLoggedOne) {
  LedgerOptions none = Options();
  none.genesis.reset();
  EXPECT_EQ(Ledger::Open(none).code(), StatusCode::kFailedPrecondition);  // nothing to start from
  EXPECT_TRUE(Ledger::Open(Options()).ok());
  EXPECT_TRUE(Ledger::Open(none).ok());  // takes the logged genesis
  LedgerOptions other = Options();
  other.genesis->network = 6;
  Result<std::unique_ptr<Ledger>> refused = Ledger::Open(other);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("another genesis"), std::string::npos);
  EXPECT_EQ(Ledger::Open(Options()).value()->Head().size, 1u);  // nothing was written
}

// Fills the ledger with mints and transfers; returns alice's ATR balance.
u128 Traffic(Ledger& ledger, User& admin, std::vector<User>& users, int rounds,
             const std::function<Bytes(User&, Operation)>& make) {
  for (int i = 0; i < rounds; ++i) {
    EXPECT_EQ(ledger.Submit(make(admin, Mint{users[0].id, Token::kAtr, Tokens(3)})).value().result,
              ResultCode::kOk);
    EXPECT_EQ(ledger.Submit(make(users[0], Transfer{{users[1].id, Token::kAtr, Tokens(1)}}))
                  .value()
                  .result,
              ResultCode::kOk);
  }
  return ledger.GetAccount(users[0].id).value().account.balance[3];
}

TEST_F(LedgerTest, AStartReplaysOnlyWhatFollowsTheSnapshot) {
  auto make = [this](User& u, Operation op) { return Make(u, std::move(op)); };
  LedgerOptions options = Options();
  options.snapshot_interval = 7;
  LedgerHead head;
  {
    auto ledger = Ledger::Open(options).value();
    EXPECT_EQ(ledger->start().snapshot_entries, 0u);
    Traffic(*ledger, admin_, users_, 10, make);
    head = ledger->Head();
  }  // closing writes a snapshot of everything
  {
    auto ledger = Ledger::Open(options).value();
    EXPECT_EQ(ledger->start().snapshot_entries, head.size);
    EXPECT_EQ(ledger->start().replayed_entries, 0u);
    EXPECT_EQ(ledger->Head().root, head.root);
    EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.balance[3], Tokens(20).raw());
  }
  // An older snapshot (as after a crash): the suffix is replayed on top of it.
  const fs::path snapshot = dir_ / "snapshot.qsnap";
  const fs::path older = dir_ / "older.qsnap";
  fs::copy_file(snapshot, older);
  std::uint64_t older_size = 0;
  u128 balance = 0;
  {
    auto ledger = Ledger::Open(options).value();
    older_size = ledger->Head().size;
    balance = Traffic(*ledger, admin_, users_, 10, make);
    head = ledger->Head();
  }
  fs::copy_file(older, snapshot, fs::copy_options::overwrite_existing);
  auto ledger = Ledger::Open(options).value();
  EXPECT_EQ(ledger->start().snapshot_entries, older_size);
  EXPECT_EQ(ledger->start().replayed_entries, head.size - older_size);
  EXPECT_EQ(ledger->Head().root, head.root);
  EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.balance[3], balance);
  // It goes on from there: sequences and operation records came back too.
  EXPECT_EQ(Traffic(*ledger, admin_, users_, 1, make), balance + Tokens(2).raw());
  head = ledger->Head();
  ledger.reset();
  // The snapshot written on closing extended the records file from the older snapshot's end
  // (past records the newer one had written there before): it starts the next open.
  ledger = Ledger::Open(options).value();
  EXPECT_EQ(ledger->start().snapshot_entries, head.size);
  EXPECT_EQ(ledger->start().snapshot_note, "");
  EXPECT_EQ(ledger->Head().root, head.root);
}

TEST_F(LedgerTest, ADamagedOrForeignSnapshotIsNeverUsed) {
  auto make = [this](User& u, Operation op) { return Make(u, std::move(op)); };
  u128 balance = 0;
  LedgerHead head;
  {
    auto ledger = Ledger::Open(Options()).value();
    balance = Traffic(*ledger, admin_, users_, 5, make);
    head = ledger->Head();
  }
  const fs::path snapshot = dir_ / "snapshot.qsnap";
  auto expect_full_replay = [&](const std::string& why) {
    auto ledger = Ledger::Open(Options()).value();
    EXPECT_EQ(ledger->start().snapshot_entries, 0u) << why;
    EXPECT_EQ(ledger->start().replayed_entries, head.size) << why;
    EXPECT_NE(ledger->start().snapshot_note.find(why), std::string::npos)
        << ledger->start().snapshot_note;
    EXPECT_EQ(ledger->Head().root, head.root);
    EXPECT_EQ(ledger->GetAccount(users_[0].id).value().account.balance[3], balance);
  };
  // A flipped byte: the checksum catches it.
  Snapshot good = ReadSnapshot(snapshot.string()).value();
  {
    std::fstream f(snapshot, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  expect_full_replay("checksum");
  // A well-formed snapshot whose state was changed (a balance) and re-checksummed.
  Snapshot forged = good;
  const fs::path records = dir_ / "operations.qops";
  const Bytes good_records = ReadRecordsFile(records.string(), good).value();
  std::unique_ptr<State> state = State::Decode(good.state, good_records).value();
  state->AdjustBalanceForTesting(users_[2].id, Token::kAtr, 5);
  forged.state = state->Freeze().head();
  ASSERT_TRUE(WriteSnapshot(snapshot.string(), forged).ok());
  expect_full_replay("damaged");
  // A snapshot of another log (its last entry hash differs).
  Snapshot foreign = good;
  foreign.last_entry_hash[0] ^= 1;
  ASSERT_TRUE(WriteSnapshot(snapshot.string(), foreign).ok());
  expect_full_replay("does not belong");
  // A snapshot beyond the log's end (the log lost its tail).
  Snapshot ahead = good;
  ahead.tree_size = head.size + 5;
  ASSERT_TRUE(WriteSnapshot(snapshot.string(), ahead).ok());
  expect_full_replay("does not belong");
  // The good snapshot again, but its records file damaged, cut short or gone.
  ASSERT_TRUE(WriteSnapshot(snapshot.string(), good).ok());
  {
    std::fstream f(records, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(good.records_bytes / 2));
    f.put(static_cast<char>(good_records[good.records_bytes / 2] ^ 1));
  }
  expect_full_replay("records checksum mismatch");
  fs::resize_file(records, good.records_bytes - 1);
  ASSERT_TRUE(WriteSnapshot(snapshot.string(), good).ok());  // the full replay wrote a new one
  expect_full_replay("shorter than named");
  ASSERT_TRUE(WriteSnapshot(snapshot.string(), good).ok());
  fs::remove(records);
  expect_full_replay("records are unusable");
}

}  // namespace
}  // namespace qfs::ledger
