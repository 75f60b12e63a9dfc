#include "ledger/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "codec/encoding.h"
#include "crypto/hash.h"

namespace qfs::ledger {
namespace {

constexpr char kMagic[8] = {'Q', 'F', 'S', 'S', 'N', 'A', 'P', 1};
constexpr std::uint32_t kVersion = 1;

Status IoError(const std::string& what, const std::string& path) {
  return Status(StatusCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

Status Damaged(const std::string& why) {
  return Status(StatusCode::kCorruption, "snapshot: " + why);
}

// Written and flushed a chunk at a time, so that a snapshot of tens of MiB never has more than
// one chunk of writeback queued at the disk: the log's fdatasyncs, which wait behind it, are
// delayed by one chunk's write at most, not by the whole file's.
constexpr std::size_t kSnapshotChunkBytes = 1 << 20;

Status WriteFileDurably(const std::string& path, ByteSpan bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::size_t chunk_end = std::min(bytes.size(), done + kSnapshotChunkBytes);
    const std::size_t chunk_start = done;
    while (done < chunk_end) {
      const ssize_t n = ::write(fd, bytes.data() + done, chunk_end - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return IoError("cannot write", path);
      }
      done += static_cast<std::size_t>(n);
    }
    // Start this chunk's writeback and wait for it; the fsync below makes it all durable.
    (void)::sync_file_range(
        fd, static_cast<off_t>(chunk_start), static_cast<off_t>(chunk_end - chunk_start),
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? OkStatus() : IoError("cannot sync", path);
}

Status SyncDirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", dir);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? OkStatus() : IoError("cannot sync", dir);
}

}  // namespace

Status WriteSnapshot(const std::string& path, const Snapshot& s) {
  codec::Writer w;
  w.FixedBytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(kMagic), sizeof(kMagic)));
  w.U32(kVersion);
  w.U64(s.tree_size);
  w.FixedBytes(s.last_entry_hash);
  w.FixedBytes(s.state_root);
  w.U64(s.last_checkpoint_size);
  w.Bool(s.last_checkpoint.has_value());
  if (s.last_checkpoint) w.LengthPrefixedBytes(EncodeCheckpoint(*s.last_checkpoint));
  Bytes out = w.Take();
  out.insert(out.end(), s.state.begin(), s.state.end());
  const crypto::Digest32 sum = crypto::Sha256(out);
  out.insert(out.end(), sum.begin(), sum.end());
  const std::string temporary = path + ".tmp";
  QFS_RETURN_IF_ERROR(WriteFileDurably(temporary, out));
  if (::rename(temporary.c_str(), path.c_str()) != 0) return IoError("cannot rename", temporary);
  return SyncDirectoryOf(path);
}

Result<Snapshot> ReadSnapshot(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(StatusCode::kNotFound, "no snapshot " + path);
    return IoError("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < 0 ||
      static_cast<std::uint64_t>(st.st_size) > kSnapshotBytesMax) {
    ::close(fd);
    return Status(StatusCode::kTooLarge, "snapshot " + path + " is too large or unreadable");
  }
  Bytes bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (done != bytes.size()) return IoError("cannot read", path);
  if (bytes.size() < sizeof(kMagic) + 32 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Damaged("not a snapshot file");
  }
  const ByteSpan body = ByteSpan(bytes).first(bytes.size() - 32);
  const crypto::Digest32 sum = crypto::Sha256(body);
  if (std::memcmp(sum.data(), bytes.data() + body.size(), 32) != 0) {
    return Damaged("checksum mismatch");
  }
  codec::Reader r(body.subspan(sizeof(kMagic)));
  Snapshot s;
  QFS_ASSIGN_OR_RETURN(std::uint32_t version, r.U32());
  if (version != kVersion) return Damaged("unknown version " + std::to_string(version));
  QFS_ASSIGN_OR_RETURN(s.tree_size, r.U64());
  QFS_ASSIGN_OR_RETURN(s.last_entry_hash, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(s.state_root, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(s.last_checkpoint_size, r.U64());
  QFS_ASSIGN_OR_RETURN(bool has_checkpoint, r.Bool());
  if (has_checkpoint) {
    QFS_ASSIGN_OR_RETURN(Bytes c, r.LengthPrefixedBytes(kPacketBytesMax));
    QFS_ASSIGN_OR_RETURN(s.last_checkpoint, DecodeCheckpoint(c));
  }
  const ByteSpan state = body.subspan(sizeof(kMagic) + r.position());
  s.state.assign(state.begin(), state.end());
  return s;
}

}  // namespace qfs::ledger
