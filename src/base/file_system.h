// The file-system calls the ledger makes (its log, snapshots and directory lock), behind an
// interface: tests inject the failures a disk produces — no descriptor left (EMFILE), a failed
// write or sync (EIO), a full disk (ENOSPC, after a short write), a failed rename — and check
// that each ends in its documented outcome; a deterministic simulator can stand in for the disk.
//
//   FileSystem& fs = PosixFileSystem();
//   QFS_ASSIGN_OR_RETURN(int fd, fs.Open(path, O_WRONLY | O_APPEND | O_CLOEXEC));
//   UniqueFd file(fd);
//   QFS_RETURN_IF_ERROR(fs.WriteAll(file.get(), bytes));
//
// Each call is one system call (EINTR retried), and descriptors are real: UniqueFd closes them.
// Errors: IO_ERROR with errno's text (NOT_FOUND for a path that does not exist); the caller adds
// the path (InPath). Thread safety: implementations are safe to call from any thread.
#ifndef QFS_BASE_FILE_SYSTEM_H_
#define QFS_BASE_FILE_SYSTEM_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace qfs {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // open(2) with O_CLOEXEC added; `mode` for O_CREAT.
  virtual Result<int> Open(const std::string& path, int flags, unsigned mode = 0600) = 0;
  // write(2) / pwrite(2): how many bytes went (at least one), or the error.
  virtual Result<std::size_t> Write(int fd, ByteSpan bytes) = 0;
  virtual Result<std::size_t> WriteAt(int fd, ByteSpan bytes, std::uint64_t offset) = 0;
  // read(2) / pread(2): how many bytes came (0 at the end of the file).
  virtual Result<std::size_t> Read(int fd, std::span<std::uint8_t> out) = 0;
  virtual Result<std::size_t> ReadAt(int fd, std::span<std::uint8_t> out, std::uint64_t offset) = 0;
  virtual Status SyncData(int fd) = 0;  // fdatasync(2)
  virtual Status Sync(int fd) = 0;      // fsync(2), for directories
  // Starts writeback of a range and waits for it (sync_file_range); best effort, no durability.
  virtual void Writeback(int fd, std::uint64_t offset, std::uint64_t bytes) = 0;
  virtual Result<std::uint64_t> Size(int fd) = 0;                     // fstat(2)
  virtual Result<std::uint64_t> SizeOf(const std::string& path) = 0;  // stat(2)
  virtual Status Truncate(int fd, std::uint64_t size) = 0;            // ftruncate(2)
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;           // unlink(2)
  virtual Status CreateDirectory(const std::string& path) = 0;  // mkdir 0700; ok if it exists
  // The names in a directory, "." and ".." left out, in no particular order.
  virtual Result<std::vector<std::string>> List(const std::string& directory) = 0;
  // flock(LOCK_EX | LOCK_NB): ALREADY_EXISTS while another descriptor holds it.
  virtual Status LockExclusive(int fd) = 0;

  // Write until all of `bytes` went, or the error (a short write is followed by the next).
  Status WriteAll(int fd, ByteSpan bytes);
};

// The operating system's.
FileSystem& PosixFileSystem();

// `status` (an error) as "<what> <path>: <its message>", code kept.
Status InPath(const Status& status, const std::string& what, const std::string& path);

}  // namespace qfs

#endif  // QFS_BASE_FILE_SYSTEM_H_
