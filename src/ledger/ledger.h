// The ledger: log, state machine and Merkle tree behind one door. Packets come in from any
// thread; one sequencer thread admits them in order, applies them, appends them to the log and
// commits groups with one fsync; a submitter is answered only once its entry is durable.
//
//   Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(options);
//   Result<SubmitResult> r = (*ledger)->Submit(packet_bytes);   // blocks until durable
//   AccountView alice = (*ledger)->GetAccount(id).value();
//
// One process at a time may open a directory (a lock file). Opening replays the whole log into a
// fresh state and checks every recorded result code and checkpoint root on the way; a mismatch
// halts the ledger (CIR-302) instead of serving wrong state. Halted, the ledger keeps answering
// reads, refuses writes with kHalted, and resumes only through the operator command (`qfs ledger
// resume`). docs/ledger.md has the whole story.
//
// Thread safety: every public method may be called from any thread.
#ifndef QFS_LEDGER_LEDGER_H_
#define QFS_LEDGER_LEDGER_H_

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

#include "base/clock.h"
#include "base/status.h"
#include "crypto/signature.h"
#include "ledger/commit_window.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "ledger/packet.h"
#include "ledger/refusal_budget.h"
#include "ledger/replay.h"
#include "ledger/snapshot.h"
#include "ledger/state.h"

namespace qfs::ledger {

struct LedgerOptions {
  std::string directory;  // the log lives in directory + "/log"
  // Written as entry 0 when the log is empty; otherwise it must equal entry 0 (else
  // FAILED_PRECONDITION: this ledger belongs to another network). nullopt: take the logged one
  // (FAILED_PRECONDITION on an empty log).
  std::optional<GenesisParams> genesis;
  // Node time (entry timestamps), and the monotonic and CPU times the group-commit window is
  // measured by. REQUIRED.
  Clock* clock = nullptr;
  // The node key: signs checkpoints and halt records. REQUIRED.
  const crypto::SignatureScheme* node_scheme = nullptr;
  const SecretBytes* node_secret_key = nullptr;
  Bytes node_public_key;
  std::uint64_t checkpoint_interval = 10'000;  // entries between checkpoints
  std::size_t commit_batch_max = 4096;         // entries per group commit
  // Group commit window: under concurrent load (the last commit covered more than one entry), a
  // sync starts no sooner than this after the previous one started unless a full batch is
  // waiting, so that one fdatasync covers more entries and leaves the cores to signature
  // checks. Adds at most this much to a commit's latency, and nothing for a lone writer or
  // after a quiet spell. 0: sync as soon as entries are waiting.
  std::uint32_t commit_window_us = 1000;
  // The window while the process keeps (nearly) every core busy: each sync's CPU then comes
  // out of signature checks, so fewer, larger commits raise throughput (ledger/commit_window.h
  // says how it moves between the two). Below commit_window_us: no stretching.
  std::uint32_t commit_window_busy_us = 4000;
  // The cores the busy share is taken of. 0: the process's affinity mask — set it under a CPU
  // quota (a cgroup's cpu.max), which the mask does not show.
  std::uint32_t cores = 0;
  std::size_t queue_max = 65'536;  // waiting submissions; more get kUnavailable
  // Memory for admission's prepared signer keys (crypto/prepared_key_cache.h): ~31 KiB per
  // Ed25519 key, ~69 KiB per hybrid key; the most recently used stay. 0: no cache.
  std::size_t key_cache_bytes_max = 64u << 20;
  std::uint64_t segment_bytes_target = 64ull << 20;
  // A state snapshot (DIR/snapshot.qsnap) is written after this many entries and when the
  // ledger closes, so that a start replays only the entries after it. 0: only on close.
  std::uint64_t snapshot_interval = 100'000;
  // How many bytes of refused packets are logged, per signer and in all (RefusalBudget); a
  // refusal past them is answered with its code and not logged (SubmitResult::logged false).
  RefusalBudgetOptions refusal_budget;
  // Every file-system call of the log, the snapshots and the lock goes through it (tests inject
  // faults). Not owned; must outlive the ledger. nullptr: PosixFileSystem().
  FileSystem* file_system = nullptr;
};

// How the last Open got its state.
struct LedgerStart {
  std::uint64_t snapshot_entries = 0;  // entries covered by the snapshot used (0: none)
  std::uint64_t replayed_entries = 0;  // entries replayed after it
  std::string snapshot_note;           // why a snapshot found was not used, if one was not
  // What opening the log found: a torn tail cut at this start (log.torn; the node reports it),
  // the tails cut at earlier starts, the corruption that halted it.
  LogRecovery log;
};

struct SubmitResult {
  std::uint64_t index = 0;  // the packet's entry (for a retry: the original's)
  ResultCode result = ResultCode::kOk;
  bool duplicate = false;  // a retry of an already logged packet
  // In the log (applied, or refused by the state machine with `result`); false: refused at
  // admission or halted, nothing written.
  bool logged = false;
};

struct AccountView {
  IdentityId id;
  Account account;
  std::uint64_t as_of_index = 0;  // entries applied when read
};

struct LedgerHead {
  std::uint64_t size = 0;  // entries
  Digest32 root{};         // Merkle tree head
  Digest32 last_entry_hash{};
  bool halted = false;
  std::string halt_reason;
  std::optional<Checkpoint> checkpoint;  // the last signed tree head, if any
  std::uint64_t group_commits = 0;       // syncs of logged entries since this process opened it
  std::uint32_t commit_window_us = 0;    // the group-commit window now (CommitWindow)
  // Times the sequencer has waited for the window since this process opened it: it does after
  // a commit of several entries, never after a lone one. A window already past counts too.
  std::uint64_t commit_window_waits = 0;
  // Refusals answered without an entry since this process opened it: their signer or the node
  // had spent its refusal budget (LedgerOptions::refusal_budget).
  std::uint64_t refusals_unlogged = 0;
};

class Ledger {
 public:
  static Result<std::unique_ptr<Ledger>> Open(LedgerOptions options);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Admits, sequences and durably logs one encoded packet. An admission rejection (decode,
  // signature, key, sequence, time window, operation-id conflict) returns its code with no
  // entry; kHalted while halted; UNAVAILABLE (a Status) when the queue is full; OUTCOME_UNKNOWN
  // (a Status) when the entry was appended but its sync failed (the ledger halts): the same
  // packet submitted again is answered from the log once it is known to be there.
  Result<SubmitResult> Submit(ByteSpan packet_bytes);
  // The same without blocking: `done` runs exactly once, on this thread for an answer known at
  // once (a rejection, a full queue), else on the sequencer thread after the commit. `done`
  // must be quick and must not call back into the ledger.
  using SubmitCallback = std::function<void(Result<SubmitResult>)>;
  void SubmitAsync(ByteSpan packet_bytes, SubmitCallback done);

  LedgerHead Head() const;
  const LedgerStart& start() const { return start_; }
  Result<AccountView> GetAccount(const IdentityId& id) const;
  Result<LogEntry> GetEntry(std::uint64_t index) const;
  Result<std::vector<Digest32>> InclusionProof(std::uint64_t index, std::uint64_t tree_size) const;
  Result<std::vector<Digest32>> ConsistencyProof(std::uint64_t first, std::uint64_t second) const;

  // Enters CIR-302: stops writes, appends a signed halt record with the state root and reason.
  void Halt(const std::string& reason);
  // The operator's way out of CIR-302 (`qfs ledger resume`, node stopped): allowed only when
  // this ledger was opened halted by a halt record and every entry replayed cleanly, i.e. the
  // operator has removed the cause. Appends a signed resume record; writes are accepted again.
  // FAILED_PRECONDITION (with why) if not halted, the log is damaged, or the cause persists.
  Status Resume(const std::string& reason);
  // Tests only: changes the state behind the log's back (to prove that checks catch it).
  void MutateStateForTesting(const std::function<void(State&)>& mutate);

 private:
  struct Pending {
    Bytes wire;  // as submitted: the canonical encoding
    Packet packet;
    Digest32 packet_hash;
    SubmitCallback done;
    SubmitResult logged;  // set by Sequence when the packet is appended: the answer once durable
  };
  explicit Ledger(LedgerOptions options);
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

#endif  // QFS_LEDGER_LEDGER_H_
