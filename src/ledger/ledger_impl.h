// The ledger's implementation: one sequencer thread over the log, the state and the Merkle
// tree, admission on the callers' threads, snapshots off the sequencer. Only src/ledger
// includes this; everyone else holds a Ledger (ledger.h).
#ifndef QFS_LEDGER_LEDGER_IMPL_H_
#define QFS_LEDGER_LEDGER_IMPL_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/file.h"
#include "crypto/prepared_key_cache.h"
#include "ledger/commit_window.h"
#include "ledger/ledger.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "ledger/refusal_budget.h"
#include "ledger/snapshot.h"
#include "ledger/state.h"

namespace qfs::ledger {

class LedgerImpl final : public Ledger {
 public:
  explicit LedgerImpl(LedgerOptions options);
  ~LedgerImpl() override;
  // Ledger::Open's work: the directory, its lock, the log, the genesis, the replay.
  static Result<std::unique_ptr<LedgerImpl>> Open(LedgerOptions options);

  Result<SubmitResult> Submit(ByteSpan packet_bytes) override;
  void SubmitAsync(ByteSpan packet_bytes, SubmitCallback done) override;
  LedgerHead Head() const override;
  const LedgerStart& start() const override { return start_; }
  Result<AccountView> GetAccount(const IdentityId& id) const override;
  Result<LogEntry> GetEntry(std::uint64_t index) const override;
  Result<std::vector<Digest32>> InclusionProof(std::uint64_t index,
                                               std::uint64_t tree_size) const override;
  Result<std::vector<Digest32>> ConsistencyProof(std::uint64_t first,
                                                 std::uint64_t second) const override;
  void Halt(const std::string& reason) override;
  Status Resume(const std::string& reason) override;
  void MutateStateForTesting(const std::function<void(State&)>& mutate) override;

 private:
  struct Pending {
    Bytes wire;  // as submitted: the canonical encoding
    Packet packet;
    Digest32 packet_hash;
    SubmitCallback done;
    SubmitResult logged;  // set by Sequence when the packet is appended: the answer once durable
  };
  // The admission checks that need no sequencing: size, decoding, halt, signature. Fills
  // `pending` and returns nothing if the packet may be queued, else the rejection.
  std::optional<SubmitResult> Admit(ByteSpan packet_bytes, Pending& pending) const;
  Status CheckGenesis();
  Status Replay();
  // The snapshot to start from, if there is a usable one: read, bound to this log, and its
  // state decoded and matching its root. Sets start_.snapshot_note when one is refused.
  std::optional<std::pair<Snapshot, std::unique_ptr<State>>> UsableSnapshot();
  Status WriteSnapshotLocked();
  // A snapshot in the making: its header filled in, its state frozen (State::Freeze).
  struct FrozenSnapshot {
    Snapshot header;  // the records' prefix and the state's head are filled in when written
    State::Frozen state;
  };
  // Appends the records made since the last snapshot to the records file, then (once they are
  // durable) writes the snapshot that names them. Only one runs at a time (see snapshot_writer_).
  Status WriteSnapshotFiles(FrozenSnapshot f);
  // Freezes the state under state_mutex_, which the caller holds (the records are shared, not
  // encoded: microseconds however long the log); marks the snapshot taken so the next one is
  // due snapshot_interval entries later. Encoding it needs no lock.
  FrozenSnapshot TakeSnapshotLocked();
  std::string SnapshotPath() const { return options_.directory + "/snapshot.qsnap"; }
  std::string RecordsPath() const { return options_.directory + "/operations.qops"; }
  Status AppendRecord(RecordType type, ByteSpan body, ResultCode result,
                      std::uint64_t timestamp_us);
  std::uint64_t NextTimestamp();
  void SequencerLoop();
  void CommitBatch(std::vector<std::unique_ptr<Pending>>& batch);
  std::optional<SubmitResult> Sequence(Pending& p);
  // A packet reaching the sequencer while halted: a retry of a durable entry gets its answer;
  // a retry of an entry whose sync failed gets OUTCOME_UNKNOWN; anything else kHalted.
  Result<SubmitResult> AnswerWhileHalted(const Pending& pending) const;
  static Status OutcomeUnknown();
  Status WriteCheckpoint();
  void HaltLocked(const std::string& reason);

  LedgerOptions options_;
  FileSystem& fs_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<State> state_;
  MerkleTree tree_;
  std::atomic<bool> halted_{false};  // written under state_mutex_; read anywhere
  std::uint32_t network_ = 0;        // the genesis's, fixed once Open has replayed
  std::uint64_t durable_size_ = 0;   // log size at the last successful sync (sequencer's)
  bool resumable_ = false;  // halted only by a logged halt record, and the log replays cleanly
  std::string halt_reason_;
  UniqueFd lock_;                           // DIR/LOCK, held while open
  std::uint64_t last_checkpoint_size_ = 0;  // log size right after the last checkpoint
  std::optional<Checkpoint> last_checkpoint_;
  std::uint64_t last_snapshot_size_ = 0;
  std::uint64_t group_commits_ = 0;
  RefusalBudget refusal_budget_;  // the sequencer's
  std::atomic<std::uint64_t> refusals_unlogged_{0};
  LedgerStart start_;
  std::vector<Digest32> opened_hashes_;    // every entry's hash, from the log's open scan
  mutable std::shared_mutex state_mutex_;  // state_, tree_, log_, halted_: shared for reads

  // Every identity's keys, for admission's signature check. A copy of the state's, kept under
  // its own lock so that admission never waits for the sequencer's exclusive hold across a
  // group commit's fsync. It may run ahead of durability; the sequencer re-checks keys anyway.
  // Each list is immutable and shared: admission takes a reference under the lock (an atomic
  // increment) instead of copying a public key (up to ~2 KB for hybrid) for every packet.
  using KeyList = std::shared_ptr<const std::vector<KeyRecord>>;
  void CopyKeys(const IdentityId& id);  // REQUIRES: state_mutex_ held
  mutable std::shared_mutex keys_mutex_;
  // Hashed, not ordered: the verification working set (prepared keys) keeps evicting a tree's
  // nodes, so a std::map cost ~10 cache-missing comparisons per packet (1.2 % of both cores at
  // the bound). Only probed, never iterated; SipHash under a per-process random key, so nobody
  // can grind identities into one bucket.
  struct IdentityHash {
    std::array<std::uint8_t, 16> secret{};
    std::size_t operator()(const IdentityId& id) const;
  };
  std::unordered_map<IdentityId, KeyList, IdentityHash> keys_;
  // Admission verifies through prepared keys (crypto/prepared_key_cache.h).
  mutable crypto::PreparedKeyCache key_cache_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool stopping_ = false;
  // The sequencer's alone: when the last sync started, and how many entries it covered.
  std::uint64_t last_sync_start_us_ = 0;  // Clock::MonotonicMicros
  std::size_t last_sync_entries_ = 0;
  CommitWindow commit_window_;  // fed the process's CPU time after each commit of several
  std::atomic<std::uint32_t> commit_window_now_us_{0};  // its window, for Head()
  std::atomic<std::uint64_t> commit_window_waits_{0};   // for Head()
  std::thread sequencer_;
  std::thread snapshot_writer_;  // the last interval snapshot's file write; joined before the next
  // While it runs, a due snapshot waits (the sequencer never blocks on a slow writer).
  std::atomic<bool> snapshot_writing_{false};
  // The records file's prefix known to hold the first records (bytes / State::kRecordBytes of
  // them) durably, and its CRC32C: set by the snapshot used at start, advanced by each write.
  // Touched only by the one snapshot writer of the moment (handed over by join).
  std::uint64_t records_file_bytes_ = 0;
  std::uint32_t records_file_crc32c_ = 0;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_LEDGER_IMPL_H_
