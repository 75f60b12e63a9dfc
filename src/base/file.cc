#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace qfs {

UniqueFd::~UniqueFd() { reset(-1); }

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

Status IoError(const std::string& what, const std::string& path) {
  return Status(StatusCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

// Writes `bytes` at `offset` a chunk at a time, starting each chunk's writeback and waiting for
// it before the next, so that a large write never queues more than a chunk ahead of other
// writers' syncs. The caller's sync makes it durable. False (errno set) on failure.
bool WriteChunked(int fd, std::uint64_t offset, ByteSpan bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::size_t chunk_end = std::min(bytes.size(), done + kFileWriteChunkBytes);
    const std::size_t chunk_start = done;
    while (done < chunk_end) {
      const ssize_t n =
          ::pwrite(fd, bytes.data() + done, chunk_end - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) {
        errno = EIO;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    (void)::sync_file_range(
        fd, static_cast<off_t>(offset + chunk_start), static_cast<off_t>(chunk_end - chunk_start),
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  }
  return true;
}

Status WriteAndSync(const std::string& path, ByteSpan bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", path);
  if (!WriteChunked(fd, 0, bytes)) {
    Status s = IoError("cannot write", path);
    ::close(fd);
    return s;
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

Status WriteFileAtomically(const std::string& path, ByteSpan bytes) {
  const std::string temporary = path + ".tmp";
  QFS_RETURN_IF_ERROR(WriteAndSync(temporary, bytes));
  if (::rename(temporary.c_str(), path.c_str()) != 0) return IoError("cannot rename", temporary);
  return SyncDirectoryOf(path);
}

Status WriteFileFrom(const std::string& path, std::uint64_t offset, ByteSpan bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open", path);
  struct stat st {};
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = IoError("cannot stat", path);
  } else if (static_cast<std::uint64_t>(st.st_size) < offset) {
    s = Status(StatusCode::kInvalidArgument, path + " has " + std::to_string(st.st_size) +
                                                 " bytes, fewer than the " +
                                                 std::to_string(offset) + " to keep");
  } else if (!WriteChunked(fd, offset, bytes)) {
    s = IoError("cannot write", path);
  } else if (::ftruncate(fd, static_cast<off_t>(offset + bytes.size())) != 0) {
    s = IoError("cannot truncate", path);
  } else if (::fdatasync(fd) != 0) {
    s = IoError("cannot sync", path);
  }
  ::close(fd);
  if (!s.ok()) return s;
  return SyncDirectoryOf(path);  // in case this created it
}

namespace {

// An open file's descriptor (closed by its destructor) and size.
struct OpenedFile {
  UniqueFd fd;
  std::uint64_t size = 0;
};

// Opens `path` for reading: NOT_FOUND if there is no file; IO_ERROR otherwise.
Status OpenForReading(const std::string& path, OpenedFile& file) {
  file.fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd.get() < 0) {
    if (errno == ENOENT) return Status(StatusCode::kNotFound, "no file " + path);
    return IoError("cannot open", path);
  }
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0 || st.st_size < 0) return IoError("cannot stat", path);
  file.size = static_cast<std::uint64_t>(st.st_size);
  return OkStatus();
}

// Reads bytes.size() bytes from the start of `file`: the count read (fewer only if the file
// ended first), or IO_ERROR.
Result<std::size_t> ReadFromStart(const OpenedFile& file, const std::string& path, Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(file.fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read", path);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Status FewerBytes(const std::string& path, std::uint64_t has, std::uint64_t wanted) {
  return Status(StatusCode::kTruncated, path + " has " + std::to_string(has) +
                                            " bytes, fewer than " + std::to_string(wanted));
}

}  // namespace

Result<Bytes> ReadFilePrefix(const std::string& path, std::uint64_t size) {
  OpenedFile file;
  QFS_RETURN_IF_ERROR(OpenForReading(path, file));
  if (file.size < size) return FewerBytes(path, file.size, size);
  Bytes bytes(static_cast<std::size_t>(size));
  QFS_ASSIGN_OR_RETURN(const std::size_t done, ReadFromStart(file, path, bytes));
  if (done != bytes.size()) return FewerBytes(path, done, size);
  return bytes;
}

Result<Bytes> ReadWholeFile(const std::string& path, std::uint64_t max_bytes) {
  OpenedFile file;
  QFS_RETURN_IF_ERROR(OpenForReading(path, file));
  if (file.size > max_bytes) {
    return Status(StatusCode::kTooLarge,
                  path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  Bytes bytes(static_cast<std::size_t>(file.size));
  QFS_ASSIGN_OR_RETURN(const std::size_t done, ReadFromStart(file, path, bytes));
  if (done != bytes.size()) return IoError("cannot read", path);
  return bytes;
}

}  // namespace qfs
