// Replays log entries, in order from the genesis entry, into a state machine and a Merkle tree,
// checking each one as it goes: the record decodes, a logged packet passes admission (with its
// signature, when asked) and reproduces its recorded result code, and a checkpoint's tree head,
// state root, signature and invariants match. The node replays on start; `qfs ledger verify`
// replays with signatures on.
//
//   Replayer replay({.check_signatures = true});
//   for (...) QFS_RETURN_IF_ERROR(replay.Apply(log.Read(i).value()));
//   Digest32 root = replay.state().Root();
//
// Thread safety: none.
#ifndef QFS_LEDGER_REPLAY_H_
#define QFS_LEDGER_REPLAY_H_

#include <memory>
#include <optional>
#include <string>

#include "crypto/prepared_key_cache.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "ledger/state.h"

namespace qfs::ledger {

// The kinds of log entry payloads: the first byte of every payload (docs/ledger.md).
enum class RecordType : std::uint8_t {
  kGenesis = 1,
  kPacket = 2,
  kCheckpoint = 3,
  kHalt = 4,
  kResume = 5
};

// A signed tree head and the state root after the entry before it, written every
// checkpoint_interval entries. Signed by the node key over CheckpointMessage().
struct Checkpoint {
  std::uint64_t tree_size = 0;  // entries before this one
  Digest32 tree_root{};
  Digest32 state_root{};
  std::uint16_t algorithm = 0;
  Bytes public_key;
  Bytes signature;
  bool operator==(const Checkpoint&) const = default;
};
Bytes CheckpointMessage(const Checkpoint& c);
Bytes EncodeCheckpoint(const Checkpoint& c);
Result<Checkpoint> DecodeCheckpoint(ByteSpan bytes);

// The halt record (CIR-302): why, the state root when it was written, and the node key's
// signature over HaltMessage(). `signature` is empty when the node could not sign.
struct HaltRecord {
  std::string reason;  // UTF-8, at most kHaltReasonBytesMax
  Digest32 state_root{};
  std::uint16_t algorithm = 0;
  Bytes signature;
};
Bytes HaltMessage(const HaltRecord& h);
Bytes EncodeHalt(const HaltRecord& h);
Result<HaltRecord> DecodeHalt(ByteSpan bytes);
// The resume record: the operator's reason, signed with a node key over ResumeMessage().
struct ResumeRecord {
  std::string reason;
  std::uint16_t algorithm = 0;
  Bytes signature;
};
Bytes ResumeMessage(const ResumeRecord& r);
Bytes EncodeResume(const ResumeRecord& r);
Result<ResumeRecord> DecodeResume(ByteSpan bytes);

// The keys that may sign checkpoints, halts and resumes ("node keys"), pinned by the log
// itself: the unrevoked keys of the identities holding the admin role at that point of the log
// (the genesis's, and any an admin later granted the role). An auditor needs nothing but the log.
bool IsNodeKey(const State& state, std::uint16_t algorithm, ByteSpan public_key);
// True if `signature` over `message` verifies under some node key of `algorithm`.
bool SignedByANodeKey(const State& state, std::uint16_t algorithm, ByteSpan message,
                      ByteSpan signature);

struct ReplayOptions {
  // Packets, and checkpoints, halts and resumes against the node keys; admission and the node
  // already checked them once.
  bool check_signatures = false;
  // Packet signatures are checked through this cache of prepared keys (faster; the same
  // verdicts). nullptr: the plain way.
  crypto::PreparedKeyCache* key_cache = nullptr;
};

class Replayer {
 public:
  explicit Replayer(ReplayOptions options) : options_(options) {}

  // Checks and applies the next entry. CORRUPTION "entry N: reason" if it does not replay as
  // recorded; the state may then hold part of that entry's effect.
  Status Apply(const LogEntry& entry);
  // Continues from a snapshot: `state` after the tree's entries, with the checkpoint bookkeeping
  // as of then. The next Apply is entry tree.size().
  void StartAt(std::unique_ptr<State> state, MerkleTree tree, std::uint64_t last_checkpoint_size,
               std::optional<Checkpoint> last_checkpoint) {
    state_ = std::move(state);
    tree_ = std::move(tree);
    last_checkpoint_size_ = last_checkpoint_size;
    last_checkpoint_ = std::move(last_checkpoint);
  }
  // Adds an entry's leaf without replaying it (entries after a failure).
  void AppendLeaf(const LogEntry& entry) { tree_.Append(LeafHash(entry.entry_hash)); }

  bool has_state() const { return state_ != nullptr; }
  State& state() { return *state_; }
  std::unique_ptr<State> TakeState() { return std::move(state_); }
  MerkleTree& tree() { return tree_; }
  bool halted() const { return halted_; }
  const std::string& halt_reason() const { return halt_reason_; }
  std::uint64_t last_checkpoint_size() const { return last_checkpoint_size_; }
  std::uint64_t checkpoints() const { return checkpoints_; }
  const std::optional<Checkpoint>& last_checkpoint() const { return last_checkpoint_; }

 private:
  Status ApplyPacket(const LogEntry& entry, ByteSpan body);
  Status ApplyCheckpoint(const LogEntry& entry, ByteSpan body);
  Status ApplyHalt(const LogEntry& entry, ByteSpan body);
  Status ApplyResume(const LogEntry& entry, ByteSpan body);

  ReplayOptions options_;
  std::unique_ptr<State> state_;
  MerkleTree tree_;
  bool halted_ = false;
  std::string halt_reason_;
  std::uint64_t last_checkpoint_size_ = 0;
  std::uint64_t checkpoints_ = 0;
  std::optional<Checkpoint> last_checkpoint_;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_REPLAY_H_
