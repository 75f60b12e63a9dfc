// Whole-file reads and durable, atomic whole-file writes; durable writes past a kept prefix;
// each through a FileSystem (base/file_system.h), the real one unless a test injects faults.
//
//   QFS_RETURN_IF_ERROR(WriteFileAtomically(path, bytes));   // all of it or the old file
//   QFS_ASSIGN_OR_RETURN(Bytes b, ReadWholeFile(path, kLimit));
//   QFS_RETURN_IF_ERROR(WriteFileFrom(path, 4096, tail));    // bytes 0..4095 are kept
//   QFS_ASSIGN_OR_RETURN(Bytes head, ReadFilePrefix(path, 4096));
//
// WriteFileAtomically writes `path`.tmp (mode 0600) a chunk at a time — flushing each, so that a
// large file never queues more than one chunk of writeback ahead of other writers' fsyncs —
// fsyncs it, renames it over `path` and fsyncs the directory: after a crash `path` holds the
// old contents or the new ones, never a mix.
#ifndef QFS_BASE_FILE_H_
#define QFS_BASE_FILE_H_

#include <string>

#include "base/bytes.h"
#include "base/file_system.h"
#include "base/status.h"

namespace qfs {

inline constexpr std::size_t kFileWriteChunkBytes = 1 << 20;

// A file descriptor that closes itself; -1 holds none. Neither copied nor moved: hold it in
// place, or share it (std::shared_ptr<const UniqueFd>) so that it closes with its last user.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  void reset(int fd);  // closes the one held, if any, and holds `fd`

 private:
  int fd_;
};

// IO_ERROR (with the path and errno's text) on failure; `path` is then unchanged.
Status WriteFileAtomically(const std::string& path, ByteSpan bytes,
                           FileSystem& fs = PosixFileSystem());
// NOT_FOUND if there is no file; TOO_LARGE beyond `max_bytes`; IO_ERROR otherwise.
Result<Bytes> ReadWholeFile(const std::string& path, std::uint64_t max_bytes,
                            FileSystem& fs = PosixFileSystem());

// Makes `path` (created if missing, mode 0600) its first `offset` bytes followed by `bytes`,
// durably: the tail is written a chunk at a time as above, the file cut after it, fdatasync'd
// (and the directory fsync'd). The first `offset` bytes are never written, so that a reader
// relying on them is safe across a crash at any point; the tail may then be partly written.
// INVALID_ARGUMENT if the file is shorter than `offset`; IO_ERROR otherwise.
Status WriteFileFrom(const std::string& path, std::uint64_t offset, ByteSpan bytes,
                     FileSystem& fs = PosixFileSystem());
// The first `size` bytes of `path`: NOT_FOUND if there is no file; TRUNCATED if it is shorter;
// IO_ERROR otherwise.
Result<Bytes> ReadFilePrefix(const std::string& path, std::uint64_t size,
                             FileSystem& fs = PosixFileSystem());
// fsync of a directory, so that the names created or renamed in it are durable.
Status SyncDirectory(const std::string& directory, FileSystem& fs = PosixFileSystem());

}  // namespace qfs

#endif  // QFS_BASE_FILE_H_
