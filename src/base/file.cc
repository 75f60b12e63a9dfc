#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace qfs {
namespace {

Status IoError(const std::string& what, const std::string& path) {
  return Status(StatusCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

Status WriteAndSync(const std::string& path, ByteSpan bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::size_t chunk_end = std::min(bytes.size(), done + kFileWriteChunkBytes);
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

Status WriteFileAtomically(const std::string& path, ByteSpan bytes) {
  const std::string temporary = path + ".tmp";
  QFS_RETURN_IF_ERROR(WriteAndSync(temporary, bytes));
  if (::rename(temporary.c_str(), path.c_str()) != 0) return IoError("cannot rename", temporary);
  return SyncDirectoryOf(path);
}

Result<Bytes> ReadWholeFile(const std::string& path, std::uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status(StatusCode::kNotFound, "no file " + path);
    return IoError("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < 0) {
    const Status s = IoError("cannot stat", path);
    ::close(fd);
    return s;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status(StatusCode::kTooLarge,
                  path + " is larger than " + std::to_string(max_bytes) + " bytes");
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
  return bytes;
}

}  // namespace qfs
