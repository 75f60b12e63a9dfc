// The disk fails under the ledger (base/faulty_file_system.h): no descriptor for a new segment
// (EMFILE), a failed fdatasync (EIO), a full disk (ENOSPC after a short write), a failed rename,
// a failed read. Each ends in its documented outcome (docs/ledger.md, "CIR-302"): a halt or a
// clean error, nothing acknowledged that is not durable, nothing durable reported as failed —
// and once the disk is healthy again the log opens, verifies, and answers every retry.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <future>
#include <vector>

#include "base/clock.h"
#include "base/faulty_file_system.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"

namespace qfs::ledger {
namespace {

namespace fs = std::filesystem;

const crypto::SignatureScheme& Ed25519() {
  return *crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519).value();
}

class FaultTest : public ::testing::Test {
 protected:
  FaultTest()
      : clock_(1'800'000'000'000'000),
        node_(Ed25519().KeyPairFromSeed(Bytes(32, 99)).value()),
        admin_(Ed25519().KeyPairFromSeed(Bytes(32, 1)).value()),
        admin_id_(DeriveIdentity(1, admin_.public_key)),
        dir_(fs::path(::testing::TempDir()) /
             ("qfs_fault_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
  }
  ~FaultTest() override { fs::remove_all(dir_); }

  LedgerOptions Options(FileSystem* file_system) {
    LedgerOptions o;
    o.directory = dir_.string();
    GenesisParams& g = o.genesis.emplace();
    g.network = 5;
    g.identities.push_back({admin_id_, 1, admin_.public_key, kRolesAll});
    g.identities.push_back({DeriveIdentity(1, node_.public_key), 1, node_.public_key, kRoleAdmin});
    o.clock = &clock_;
    o.node_scheme = &Ed25519();
    o.node_secret_key = &node_.secret_key;
    o.node_public_key = node_.public_key;
    o.checkpoint_interval = 1'000'000;
    o.snapshot_interval = 0;  // on close only
    o.file_system = file_system;
    return o;
  }
  // The admin's next packet: a mint of `whole` ATR to itself.
  Bytes Mint(std::uint64_t whole) {
    clock_.Advance(1000);
    Packet p;
    p.network = 5;
    p.signer = admin_id_;
    p.sequence = ++sequence_;
    p.client_time_us = clock_.NowMicros();
    p.operation_id.bytes[0] = static_cast<std::uint8_t>(sequence_);
    p.operation = ledger::Mint{admin_id_, Token::kAtr, Amount::FromInteger(whole).value()};
    EXPECT_TRUE(SignPacket(p, Ed25519(), admin_.secret_key).ok());
    return EncodePacket(p);
  }
  u128 Balance(const Ledger& ledger) {
    return ledger.GetAccount(admin_id_).value().account.balance[static_cast<int>(Token::kAtr)];
  }
  static u128 Whole(std::uint64_t n) { return Amount::FromInteger(n).value().raw(); }
  void ExpectVerifies() {
    Result<VerifyReport> report = VerifyLedger(dir_.string(), [](std::uint64_t, std::uint64_t) {});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }

  ManualClock clock_;
  crypto::SignatureKeyPair node_, admin_;
  IdentityId admin_id_;
  std::uint64_t sequence_ = 0;
  fs::path dir_;
};

TEST_F(FaultTest, AFailedSyncHaltsAnswersOutcomeUnknownAndTheRetryLearnsTheOutcome) {
  FaultyFileSystem disk;
  const Bytes first = Mint(1);
  const Bytes second = Mint(2);
  {
    auto ledger = Ledger::Open(Options(&disk)).value();
    ASSERT_TRUE(ledger->Submit(first).value().logged);
    disk.Inject({.op = FileOp::kSyncData, .error = EIO, .path_part = "/log/"});
    Result<SubmitResult> unknown = ledger->Submit(second);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.code(), StatusCode::kOutcomeUnknown);  // never "failed"
    EXPECT_TRUE(ledger->Head().halted);
    EXPECT_NE(ledger->Head().halt_reason.find("sync"), std::string::npos);
  }
  disk.Heal();
  auto ledger = Ledger::Open(Options(&disk)).value();
  // The entry reached the file before the failed sync: the retry finds it, applied once.
  const SubmitResult retry = ledger->Submit(second).value();
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.result, ResultCode::kOk);
  EXPECT_EQ(Balance(*ledger), Whole(3));
  ledger.reset();
  ExpectVerifies();
}

TEST_F(FaultTest, AFullDiskNeverAcknowledgesWhatItCutAndTheRetryAppliesItOnce) {
  FaultyFileSystem disk;
  const Bytes first = Mint(1);
  const Bytes second = Mint(2);
  {
    auto ledger = Ledger::Open(Options(&disk)).value();
    ASSERT_TRUE(ledger->Submit(first).value().logged);
    const std::uint64_t size = ledger->Head().size;
    // Half of the record goes, then nothing more: the halt record cannot be written either.
    disk.Inject({.op = FileOp::kWrite, .error = ENOSPC, .path_part = "/log/", .sticky = true});
    Result<SubmitResult> unknown = ledger->Submit(second);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.code(), StatusCode::kOutcomeUnknown);
    EXPECT_TRUE(ledger->Head().halted);
    EXPECT_EQ(ledger->Submit(Mint(5)).value().result, ResultCode::kHalted);  // refused, unlogged
    --sequence_;
    EXPECT_GE(ledger->Head().size, size);
  }
  disk.Heal();
  auto ledger = Ledger::Open(Options(&disk)).value();
  // A record cut short (the mint's or the halt's: which one the disk took half of) is a torn
  // tail, cut and saved; the halt record never reached the disk whole.
  ASSERT_TRUE(ledger->start().log.torn.has_value());
  EXPECT_FALSE(ledger->Head().halted);
  // The mint was answered OUTCOME_UNKNOWN: it landed whole or not at all, and the retry says
  // which, applying it only if it had not.
  const bool landed = Balance(*ledger) == Whole(3);
  if (!landed) {
    EXPECT_EQ(Balance(*ledger), Whole(1));
  }
  const SubmitResult retry = ledger->Submit(second).value();
  EXPECT_EQ(retry.duplicate, landed);
  EXPECT_EQ(retry.result, ResultCode::kOk);
  EXPECT_EQ(Balance(*ledger), Whole(3));
  ledger.reset();
  ExpectVerifies();
}

// Bursts of submissions, so that the rollover that fails falls inside a group commit with
// entries before it (appended, then synced by the rollover itself).
TEST_F(FaultTest, NoDescriptorForANewSegmentHaltsAndLosesNothingAcknowledged) {
  FaultyFileSystem disk;
  LedgerOptions options = Options(&disk);
  options.segment_bytes_target = 2048;  // a new segment every few entries
  std::uint64_t acknowledged = 0;
  {
    auto ledger = Ledger::Open(options).value();
    disk.Inject({.op = FileOp::kOpen, .error = EMFILE, .path_part = ".qlog", .sticky = true});
    std::vector<Bytes> packets(64);
    for (Bytes& p : packets) p = Mint(1);
    std::vector<std::promise<Result<SubmitResult>>> answers(packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i) {
      ledger->SubmitAsync(
          packets[i], [&answers, i](const Result<SubmitResult>& r) { answers[i].set_value(r); });
    }
    for (auto& answer : answers) {
      Result<SubmitResult> r = answer.get_future().get();
      if (r.ok() && r.value().logged) {
        acknowledged += 1;
      } else if (r.ok()) {
        EXPECT_EQ(r.value().result, ResultCode::kHalted);
      } else {
        EXPECT_EQ(r.code(), StatusCode::kOutcomeUnknown) << r.status().ToString();
      }
    }
    ASSERT_TRUE(ledger->Head().halted) << "the segment never rolled over";
    EXPECT_NE(ledger->Head().halt_reason.find("Too many open files"), std::string::npos)
        << ledger->Head().halt_reason;
    EXPECT_GT(acknowledged, 0u);
  }
  disk.Heal();
  auto ledger = Ledger::Open(options).value();
  EXPECT_GE(Balance(*ledger), Whole(acknowledged));  // every acknowledged mint is there
  ledger.reset();
  ExpectVerifies();
}

TEST_F(FaultTest, AFailedSnapshotRenameCostsOnlyALongerReplay) {
  FaultyFileSystem disk;
  Digest32 root;
  {
    auto ledger = Ledger::Open(Options(&disk)).value();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->Submit(Mint(1)).value().logged);
    root = ledger->Head().root;
    disk.Inject({.op = FileOp::kRename, .error = EIO, .path_part = "snapshot", .sticky = true});
  }  // the snapshot on close fails
  disk.Heal();
  auto ledger = Ledger::Open(Options(&disk)).value();
  EXPECT_EQ(ledger->start().snapshot_entries, 0u);
  EXPECT_EQ(ledger->Head().root, root);
  EXPECT_FALSE(ledger->Head().halted);
  EXPECT_EQ(Balance(*ledger), Whole(5));
}

TEST_F(FaultTest, NoDescriptorForTheLockIsACleanErrorThatChangesNothing) {
  FaultyFileSystem disk;
  disk.Inject({.op = FileOp::kOpen, .error = EMFILE, .path_part = "/LOCK"});
  Result<std::unique_ptr<Ledger>> opened = Ledger::Open(Options(&disk));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.code(), StatusCode::kIoError);
  EXPECT_NE(opened.status().message().find("LOCK"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "log"));
  auto ledger = Ledger::Open(Options(&disk)).value();  // and then it opens
  EXPECT_EQ(ledger->Head().size, 1u);
}

TEST_F(FaultTest, AFailedReadIsAnIoErrorNotCorruptionAndNoHalt) {
  FaultyFileSystem disk;
  auto ledger = Ledger::Open(Options(&disk)).value();
  ASSERT_TRUE(ledger->Submit(Mint(1)).value().logged);
  disk.Inject({.op = FileOp::kRead, .error = EIO, .path_part = "/log/"});
  Result<LogEntry> entry = ledger->GetEntry(0);
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(entry.code(), StatusCode::kIoError) << entry.status().ToString();
  EXPECT_FALSE(ledger->Head().halted);
  EXPECT_TRUE(ledger->GetEntry(0).ok());  // the next read goes through
}

}  // namespace
}  // namespace qfs::ledger
