#include "base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qfs {

namespace {

Status Errno() {
  const int e = errno;
  return Status(e == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError, std::strerror(e));
}

// Runs `call` (a system call returning -1 with errno on failure) until it is not interrupted.
template <typename Call>
auto Retrying(Call call) {
  for (;;) {
    const auto r = call();
    if (r >= 0 || errno != EINTR) return r;
  }
}

class Posix final : public FileSystem {
 public:
  Result<int> Open(const std::string& path, int flags, unsigned mode) override {
    const int fd = Retrying([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
    if (fd < 0) return Errno();
    return fd;
  }
  Result<std::size_t> Write(int fd, ByteSpan bytes) override {
    return Count(Retrying([&] { return ::write(fd, bytes.data(), bytes.size()); }));
  }
  Result<std::size_t> WriteAt(int fd, ByteSpan bytes, std::uint64_t offset) override {
    return Count(Retrying(
        [&] { return ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)); }));
  }
  Result<std::size_t> Read(int fd, std::span<std::uint8_t> out) override {
    return Count(Retrying([&] { return ::read(fd, out.data(), out.size()); }));
  }
  Result<std::size_t> ReadAt(int fd, std::span<std::uint8_t> out, std::uint64_t offset) override {
    return Count(
        Retrying([&] { return ::pread(fd, out.data(), out.size(), static_cast<off_t>(offset)); }));
  }
  Status SyncData(int fd) override { return Check(::fdatasync(fd)); }
  Status Sync(int fd) override { return Check(::fsync(fd)); }
  void Writeback(int fd, std::uint64_t offset, std::uint64_t bytes) override {
    (void)::sync_file_range(
        fd, static_cast<off_t>(offset), static_cast<off_t>(bytes),
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  }
  Result<std::uint64_t> Size(int fd) override {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return Errno();
    return static_cast<std::uint64_t>(st.st_size);
  }
  Result<std::uint64_t> SizeOf(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Errno();
    return static_cast<std::uint64_t>(st.st_size);
  }
  Status Truncate(int fd, std::uint64_t size) override {
    return Check(Retrying([&] { return ::ftruncate(fd, static_cast<off_t>(size)); }));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return Check(::rename(from.c_str(), to.c_str()));
  }
  Status Remove(const std::string& path) override { return Check(::unlink(path.c_str())); }
  Status CreateDirectory(const std::string& path) override {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Errno();
    return OkStatus();
  }
  Result<std::vector<std::string>> List(const std::string& directory) override {
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) return Errno();
    std::vector<std::string> names;
    while (const dirent* d = ::readdir(dir)) {
      const std::string name = d->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
    return names;
  }
  Status LockExclusive(int fd) override {
    if (Retrying([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) == 0) return OkStatus();
    if (errno == EWOULDBLOCK) return Status(StatusCode::kAlreadyExists, "locked elsewhere");
    return Errno();
  }

 private:
  static Result<std::size_t> Count(ssize_t n) {
    if (n < 0) return Errno();
    return static_cast<std::size_t>(n);
  }
  static Status Check(int rc) { return rc == 0 ? OkStatus() : Errno(); }
};

}  // namespace

Status FileSystem::WriteAll(int fd, ByteSpan bytes) {
  while (!bytes.empty()) {
    QFS_ASSIGN_OR_RETURN(const std::size_t n, Write(fd, bytes));
    if (n == 0) return Status(StatusCode::kIoError, "write made no progress");
    bytes = bytes.subspan(n);
  }
  return OkStatus();
}

FileSystem& PosixFileSystem() {
  static Posix* const posix = new Posix();  // never destroyed: used until the process ends
  return *posix;
}

Status InPath(const Status& status, const std::string& what, const std::string& path) {
  return Status(status.code(), what + " " + path + ": " + status.message());
}

}  // namespace qfs
