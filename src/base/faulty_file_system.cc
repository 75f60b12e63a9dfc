#include "base/faulty_file_system.h"

#include <cerrno>
#include <cstring>

namespace qfs {

namespace {

Status Failure(int error) {
  return Status(error == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                std::strerror(error));
}

}  // namespace

void FaultyFileSystem::Inject(FileFault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(std::move(fault));
}

void FaultyFileSystem::Heal() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
  failing_next_.clear();
}

int FaultyFileSystem::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

int FaultyFileSystem::Due(FileOp op, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->op != op || path.find(it->path_part) == std::string::npos) continue;
    if (it->skip > 0) {
      --it->skip;
      continue;
    }
    const int error = it->error;
    if (!it->sticky) faults_.erase(it);
    ++failures_;
    return error;
  }
  return 0;
}

std::string FaultyFileSystem::PathOf(int fd) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = paths_.find(fd);
  return it == paths_.end() ? std::string() : it->second;
}

Result<int> FaultyFileSystem::Open(const std::string& path, int flags, unsigned mode) {
  if (const int error = Due(FileOp::kOpen, path)) return Failure(error);
  Result<int> fd = base_.Open(path, flags, mode);
  if (fd.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_[fd.value()] = path;  // a reused number replaces a closed descriptor's path
    failing_next_.erase(fd.value());
  }
  return fd;
}

template <typename WriteFn>
Result<std::size_t> FaultyFileSystem::FailedWrite(int fd, int error, std::size_t size,
                                                  WriteFn write) {
  if (error != ENOSPC || size < 2) return Failure(error);
  {
    std::lock_guard<std::mutex> lock(mu_);
    failing_next_[fd] = error;
  }
  return write(size / 2);
}

int FaultyFileSystem::TakeFailingNext(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failing_next_.find(fd);
  if (it == failing_next_.end()) return 0;
  const int error = it->second;
  failing_next_.erase(it);
  ++failures_;
  return error;
}

Result<std::size_t> FaultyFileSystem::Write(int fd, ByteSpan bytes) {
  if (const int error = TakeFailingNext(fd)) return Failure(error);
  if (const int error = Due(FileOp::kWrite, PathOf(fd))) {
    return FailedWrite(fd, error, bytes.size(),
                       [&](std::size_t n) { return base_.Write(fd, bytes.first(n)); });
  }
  return base_.Write(fd, bytes);
}

Result<std::size_t> FaultyFileSystem::WriteAt(int fd, ByteSpan bytes, std::uint64_t offset) {
  if (const int error = TakeFailingNext(fd)) return Failure(error);
  if (const int error = Due(FileOp::kWrite, PathOf(fd))) {
    return FailedWrite(fd, error, bytes.size(),
                       [&](std::size_t n) { return base_.WriteAt(fd, bytes.first(n), offset); });
  }
  return base_.WriteAt(fd, bytes, offset);
}

Result<std::size_t> FaultyFileSystem::Read(int fd, std::span<std::uint8_t> out) {
  if (const int error = Due(FileOp::kRead, PathOf(fd))) return Failure(error);
  return base_.Read(fd, out);
}

Result<std::size_t> FaultyFileSystem::ReadAt(int fd, std::span<std::uint8_t> out,
                                             std::uint64_t offset) {
  if (const int error = Due(FileOp::kRead, PathOf(fd))) return Failure(error);
  return base_.ReadAt(fd, out, offset);
}

Status FaultyFileSystem::SyncData(int fd) {
  if (const int error = Due(FileOp::kSyncData, PathOf(fd))) return Failure(error);
  return base_.SyncData(fd);
}

Status FaultyFileSystem::Sync(int fd) {
  if (const int error = Due(FileOp::kSync, PathOf(fd))) return Failure(error);
  return base_.Sync(fd);
}

void FaultyFileSystem::Writeback(int fd, std::uint64_t offset, std::uint64_t bytes) {
  base_.Writeback(fd, offset, bytes);
}

Result<std::uint64_t> FaultyFileSystem::Size(int fd) {
  if (const int error = Due(FileOp::kSize, PathOf(fd))) return Failure(error);
  return base_.Size(fd);
}

Result<std::uint64_t> FaultyFileSystem::SizeOf(const std::string& path) {
  if (const int error = Due(FileOp::kSize, path)) return Failure(error);
  return base_.SizeOf(path);
}

Status FaultyFileSystem::Truncate(int fd, std::uint64_t size) {
  if (const int error = Due(FileOp::kTruncate, PathOf(fd))) return Failure(error);
  return base_.Truncate(fd, size);
}

Status FaultyFileSystem::Rename(const std::string& from, const std::string& to) {
  if (const int error = Due(FileOp::kRename, from)) return Failure(error);
  return base_.Rename(from, to);
}

Status FaultyFileSystem::Remove(const std::string& path) {
  if (const int error = Due(FileOp::kRemove, path)) return Failure(error);
  return base_.Remove(path);
}

Status FaultyFileSystem::CreateDirectory(const std::string& path) {
  if (const int error = Due(FileOp::kCreateDirectory, path)) return Failure(error);
  return base_.CreateDirectory(path);
}

Result<std::vector<std::string>> FaultyFileSystem::List(const std::string& directory) {
  if (const int error = Due(FileOp::kList, directory)) return Failure(error);
  return base_.List(directory);
}

Status FaultyFileSystem::LockExclusive(int fd) {
  if (const int error = Due(FileOp::kLock, PathOf(fd))) return Failure(error);
  return base_.LockExclusive(fd);
}

}  // namespace qfs
