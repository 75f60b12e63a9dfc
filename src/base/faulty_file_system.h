// A FileSystem that fails on request, for tests (and the simulator): it passes every call to a
// real one until a fault injected for that kind of call, and for a path containing a given part,
// comes due; then the call fails with the fault's errno instead. A write failing with ENOSPC
// first writes half of what it was given (a short write, as a disk filling up does), and only
// the call after it fails.
//
//   FaultyFileSystem fs;
//   fs.Inject({.op = FileOp::kSyncData, .error = EIO, .path_part = "/log/"});
//   ... the next fdatasync of a log segment fails ...
//   fs.Heal();
//
// Thread safety: thread-safe.
#ifndef QFS_BASE_FAULTY_FILE_SYSTEM_H_
#define QFS_BASE_FAULTY_FILE_SYSTEM_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/file_system.h"

namespace qfs {

enum class FileOp {
  kOpen,
  kWrite,  // Write and WriteAt
  kRead,   // Read and ReadAt
  kSyncData,
  kSync,
  kSize,  // Size and SizeOf
  kTruncate,
  kRename,
  kRemove,
  kCreateDirectory,
  kList,
  kLock,
};

struct FileFault {
  FileOp op = FileOp::kOpen;
  int error = 0;          // errno to fail with: EIO, ENOSPC, EMFILE, ...
  std::string path_part;  // only calls on paths containing it (descriptors: their open path)
  int skip = 0;           // matching calls that go through first
  bool sticky = false;    // every matching call after it fails too (a full disk)
};

class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(FileSystem& base = PosixFileSystem()) : base_(base) {}

  void Inject(FileFault fault);
  void Heal();           // removes every fault
  int failures() const;  // calls failed so far

  Result<int> Open(const std::string& path, int flags, unsigned mode) override;
  Result<std::size_t> Write(int fd, ByteSpan bytes) override;
  Result<std::size_t> WriteAt(int fd, ByteSpan bytes, std::uint64_t offset) override;
  Result<std::size_t> Read(int fd, std::span<std::uint8_t> out) override;
  Result<std::size_t> ReadAt(int fd, std::span<std::uint8_t> out, std::uint64_t offset) override;
  Status SyncData(int fd) override;
  Status Sync(int fd) override;
  void Writeback(int fd, std::uint64_t offset, std::uint64_t bytes) override;
  Result<std::uint64_t> Size(int fd) override;
  Result<std::uint64_t> SizeOf(const std::string& path) override;
  Status Truncate(int fd, std::uint64_t size) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status CreateDirectory(const std::string& path) override;
  Result<std::vector<std::string>> List(const std::string& directory) override;
  Status LockExclusive(int fd) override;

 private:
  // The errno a call of `op` on `path` fails with now, or 0 (and counts the call).
  int Due(FileOp op, const std::string& path);
  std::string PathOf(int fd) const;
  // The errno owed to `fd`'s write after a short one, or 0.
  int TakeFailingNext(int fd);
  // A write hit by `error`: half of it first if the disk is filling up.
  template <typename WriteFn>
  Result<std::size_t> FailedWrite(int fd, int error, std::size_t size, WriteFn write);

  FileSystem& base_;
  mutable std::mutex mu_;
  std::vector<FileFault> faults_;
  std::map<int, std::string> paths_;  // open descriptors' paths
  std::map<int, int> failing_next_;   // descriptor -> errno for its next write (after a short one)
  int failures_ = 0;
};

}  // namespace qfs

#endif  // QFS_BASE_FAULTY_FILE_SYSTEM_H_
