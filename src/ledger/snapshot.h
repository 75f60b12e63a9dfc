// State snapshots: the whole state machine at a log size, so that a restart replays only the
// entries after it (docs/formats/log.md, "Snapshots"). A snapshot is two files: the snapshot
// proper (the state without its operation records, rewritten whole each time) and the records
// file, which only ever grows: each snapshot appends the records made since the last one and
// names, with a CRC32C, the prefix it covers — so a snapshot writes O(new records), not
// O(records). A snapshot is bound to its log by the hash of its last entry and checked against
// its own state root before it is used; anything wrong with it (missing, damaged, from another
// log) means a full replay, never wrong state.
//
//   // base/file.h: keeps the prefix an existing snapshot names, writes the new records after it
//   QFS_RETURN_IF_ERROR(WriteFileFrom(dir + "/operations.qops", old_size, new_records));
//   QFS_RETURN_IF_ERROR(WriteSnapshot(dir + "/snapshot.qsnap", snapshot));  // after the records
//   Result<Snapshot> s = ReadSnapshot(dir + "/snapshot.qsnap");
//   Result<Bytes> records = ReadRecordsFile(dir + "/operations.qops", *s);
//
// Thread safety: plain functions.
#ifndef QFS_LEDGER_SNAPSHOT_H_
#define QFS_LEDGER_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/file_system.h"
#include "base/limits.h"
#include "base/status.h"
#include "ledger/replay.h"

namespace qfs::ledger {

using qfs::kSnapshotBytesMax;  // base/limits.h

struct Snapshot {
  std::uint64_t tree_size = 0;  // entries applied
  Digest32 last_entry_hash{};   // of entry tree_size - 1
  Digest32 state_root{};        // State::Root() of `state`
  std::uint64_t last_checkpoint_size = 0;
  std::optional<Checkpoint> last_checkpoint;
  std::uint64_t records_bytes = 0;   // the records file's prefix that holds the state's records
  std::uint32_t records_crc32c = 0;  // CRC32C of that prefix
  Bytes state;                       // State::Frozen::head()
};

// Writes atomically: a temporary file, fsync, rename over `path`, fsync of the directory.
Status WriteSnapshot(const std::string& path, const Snapshot& snapshot,
                     FileSystem& fs = PosixFileSystem());
// NOT_FOUND if there is none; CORRUPTION (checksum, format) or TOO_LARGE otherwise.
Result<Snapshot> ReadSnapshot(const std::string& path, FileSystem& fs = PosixFileSystem());

// The prefix of the records file that `snapshot` names: NOT_FOUND (no file), CORRUPTION (shorter
// than named, or the CRC differs) or IO_ERROR.
Result<Bytes> ReadRecordsFile(const std::string& path, const Snapshot& snapshot,
                              FileSystem& fs = PosixFileSystem());

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_SNAPSHOT_H_
