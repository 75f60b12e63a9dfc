// State snapshots: the whole state machine at a log size, so that a restart replays only the
// entries after it (docs/formats/log.md, "Snapshots"). A snapshot is bound to its log by the
// hash of its last entry and checked against its own state root before it is used; anything
// wrong with it (missing, damaged, from another log) means a full replay, never wrong state.
//
//   QFS_RETURN_IF_ERROR(WriteSnapshot(dir + "/snapshot.qsnap", snapshot));
//   Result<Snapshot> s = ReadSnapshot(dir + "/snapshot.qsnap");
//
// Thread safety: plain functions.
#ifndef QFS_LEDGER_SNAPSHOT_H_
#define QFS_LEDGER_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "ledger/replay.h"

namespace qfs::ledger {

inline constexpr std::uint64_t kSnapshotBytesMax = 16ull << 30;

struct Snapshot {
  std::uint64_t tree_size = 0;  // entries applied
  Digest32 last_entry_hash{};   // of entry tree_size - 1
  Digest32 state_root{};        // State::Root() of `state`
  std::uint64_t last_checkpoint_size = 0;
  std::optional<Checkpoint> last_checkpoint;
  Bytes state;  // State::Encode()
};

// Writes atomically: a temporary file, fsync, rename over `path`, fsync of the directory.
Status WriteSnapshot(const std::string& path, const Snapshot& snapshot);
// NOT_FOUND if there is none; CORRUPTION (checksum, format) or TOO_LARGE otherwise.
Result<Snapshot> ReadSnapshot(const std::string& path);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_SNAPSHOT_H_
