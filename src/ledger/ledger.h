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

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file_system.h"
#include "base/status.h"
#include "crypto/signature.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "ledger/packet.h"
#include "ledger/refusal_budget.h"
#include "ledger/replay.h"
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

// The ledger's interface; its implementation (the sequencer, the log, the state, the
// snapshots) is LedgerImpl in ledger_impl.h, which nothing outside src/ledger includes.
class Ledger {
 public:
  static Result<std::unique_ptr<Ledger>> Open(LedgerOptions options);
  virtual ~Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Admits, sequences and durably logs one encoded packet. An admission rejection (decode,
  // signature, key, sequence, time window, operation-id conflict) returns its code with no
  // entry; kHalted while halted; UNAVAILABLE (a Status) when the queue is full; OUTCOME_UNKNOWN
  // (a Status) when the entry was appended but its sync failed (the ledger halts): the same
  // packet submitted again is answered from the log once it is known to be there.
  virtual Result<SubmitResult> Submit(ByteSpan packet_bytes) = 0;
  // The same without blocking: `done` runs exactly once, on this thread for an answer known at
  // once (a rejection, a full queue), else on the sequencer thread after the commit. `done`
  // must be quick and must not call back into the ledger.
  using SubmitCallback = std::function<void(Result<SubmitResult>)>;
  virtual void SubmitAsync(ByteSpan packet_bytes, SubmitCallback done) = 0;

  virtual LedgerHead Head() const = 0;
  virtual const LedgerStart& start() const = 0;
  virtual Result<AccountView> GetAccount(const IdentityId& id) const = 0;
  virtual Result<LogEntry> GetEntry(std::uint64_t index) const = 0;
  virtual Result<std::vector<Digest32>> InclusionProof(std::uint64_t index,
                                                       std::uint64_t tree_size) const = 0;
  virtual Result<std::vector<Digest32>> ConsistencyProof(std::uint64_t first,
                                                         std::uint64_t second) const = 0;

  // Enters CIR-302: stops writes, appends a signed halt record with the state root and reason.
  virtual void Halt(const std::string& reason) = 0;
  // The operator's way out of CIR-302 (`qfs ledger resume`, node stopped): allowed only when
  // this ledger was opened halted by a halt record and every entry replayed cleanly, i.e. the
  // operator has removed the cause. Appends a signed resume record; writes are accepted again.
  // FAILED_PRECONDITION (with why) if not halted, the log is damaged, or the cause persists.
  virtual Status Resume(const std::string& reason) = 0;
  // Tests only: changes the state behind the log's back (to prove that checks catch it).
  virtual void MutateStateForTesting(const std::function<void(State&)>& mutate) = 0;

 protected:
  Ledger() = default;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_LEDGER_H_
