#include "base/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace qfs {

UniqueFd::~UniqueFd() { reset(-1); }

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

// Writes `bytes` at `offset` a chunk at a time, starting each chunk's writeback and waiting for
// it before the next, so that a large write never queues more than a chunk ahead of other
// writers' syncs. The caller's sync makes it durable.
Status WriteChunked(FileSystem& fs, int fd, std::uint64_t offset, ByteSpan bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::size_t chunk_end = std::min(bytes.size(), done + kFileWriteChunkBytes);
    const std::size_t chunk_start = done;
    while (done < chunk_end) {
      QFS_ASSIGN_OR_RETURN(const std::size_t n,
                           fs.WriteAt(fd, bytes.subspan(done, chunk_end - done), offset + done));
      if (n == 0) return Status(StatusCode::kIoError, "write made no progress");
      done += n;
    }
    fs.Writeback(fd, offset + chunk_start, chunk_end - chunk_start);
  }
  return OkStatus();
}

Result<int> OpenIn(FileSystem& fs, const std::string& what, const std::string& path, int flags) {
  Result<int> fd = fs.Open(path, flags);
  if (!fd.ok()) return InPath(fd.status(), what, path);
  return fd;
}

Status WriteAndSync(FileSystem& fs, const std::string& path, ByteSpan bytes) {
  QFS_ASSIGN_OR_RETURN(const int fd,
                       OpenIn(fs, "cannot create", path, O_WRONLY | O_CREAT | O_TRUNC));
  const UniqueFd file(fd);
  if (Status s = WriteChunked(fs, fd, 0, bytes); !s.ok()) return InPath(s, "cannot write", path);
  if (Status s = fs.Sync(fd); !s.ok()) return InPath(s, "cannot sync", path);
  return OkStatus();
}

Status SyncDirectoryOf(FileSystem& fs, const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  QFS_ASSIGN_OR_RETURN(const int fd, OpenIn(fs, "cannot open", dir, O_RDONLY | O_DIRECTORY));
  const UniqueFd file(fd);
  if (Status s = fs.Sync(fd); !s.ok()) return InPath(s, "cannot sync", dir);
  return OkStatus();
}

}  // namespace

Status SyncDirectory(const std::string& directory, FileSystem& fs) {
  return SyncDirectoryOf(fs, directory + "/.");
}

Status WriteFileAtomically(const std::string& path, ByteSpan bytes, FileSystem& fs) {
  const std::string temporary = path + ".tmp";
  QFS_RETURN_IF_ERROR(WriteAndSync(fs, temporary, bytes));
  if (Status s = fs.Rename(temporary, path); !s.ok()) return InPath(s, "cannot rename", temporary);
  return SyncDirectoryOf(fs, path);
}

Status WriteFileFrom(const std::string& path, std::uint64_t offset, ByteSpan bytes,
                     FileSystem& fs) {
  QFS_ASSIGN_OR_RETURN(const int fd, OpenIn(fs, "cannot open", path, O_WRONLY | O_CREAT));
  {
    const UniqueFd file(fd);
    Result<std::uint64_t> size = fs.Size(fd);
    if (!size.ok()) return InPath(size.status(), "cannot stat", path);
    if (size.value() < offset) {
      return Status(StatusCode::kInvalidArgument, path + " has " + std::to_string(size.value()) +
                                                      " bytes, fewer than the " +
                                                      std::to_string(offset) + " to keep");
    }
    if (Status s = WriteChunked(fs, fd, offset, bytes); !s.ok()) {
      return InPath(s, "cannot write", path);
    }
    if (Status s = fs.Truncate(fd, offset + bytes.size()); !s.ok()) {
      return InPath(s, "cannot truncate", path);
    }
    if (Status s = fs.SyncData(fd); !s.ok()) return InPath(s, "cannot sync", path);
  }
  return SyncDirectoryOf(fs, path);  // in case this created it
}

namespace {

// An open file's descriptor (closed by its destructor) and size.
struct OpenedFile {
  UniqueFd fd;
  std::uint64_t size = 0;
};

// Opens `path` for reading: NOT_FOUND if there is no file; IO_ERROR otherwise.
Status OpenForReading(FileSystem& fs, const std::string& path, OpenedFile& file) {
  Result<int> fd = fs.Open(path, O_RDONLY);
  if (!fd.ok()) {
    if (fd.code() == StatusCode::kNotFound) return Status(StatusCode::kNotFound, "no file " + path);
    return InPath(fd.status(), "cannot open", path);
  }
  file.fd.reset(fd.value());
  Result<std::uint64_t> size = fs.Size(fd.value());
  if (!size.ok()) return InPath(size.status(), "cannot stat", path);
  file.size = size.value();
  return OkStatus();
}

// Reads bytes.size() bytes from the start of `file`: the count read (fewer only if the file
// ended first), or IO_ERROR.
Result<std::size_t> ReadFromStart(FileSystem& fs, const OpenedFile& file, const std::string& path,
                                  Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    Result<std::size_t> n = fs.Read(file.fd.get(), std::span(bytes).subspan(done));
    if (!n.ok()) return InPath(n.status(), "cannot read", path);
    if (n.value() == 0) break;
    done += n.value();
  }
  return done;
}

Status FewerBytes(const std::string& path, std::uint64_t has, std::uint64_t wanted) {
  return Status(StatusCode::kTruncated, path + " has " + std::to_string(has) +
                                            " bytes, fewer than " + std::to_string(wanted));
}

}  // namespace

Result<Bytes> ReadFilePrefix(const std::string& path, std::uint64_t size, FileSystem& fs) {
  OpenedFile file;
  QFS_RETURN_IF_ERROR(OpenForReading(fs, path, file));
  if (file.size < size) return FewerBytes(path, file.size, size);
  Bytes bytes(static_cast<std::size_t>(size));
  QFS_ASSIGN_OR_RETURN(const std::size_t done, ReadFromStart(fs, file, path, bytes));
  if (done != bytes.size()) return FewerBytes(path, done, size);
  return bytes;
}

Result<Bytes> ReadWholeFile(const std::string& path, std::uint64_t max_bytes, FileSystem& fs) {
  OpenedFile file;
  QFS_RETURN_IF_ERROR(OpenForReading(fs, path, file));
  if (file.size > max_bytes) {
    return Status(StatusCode::kTooLarge,
                  path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  Bytes bytes(static_cast<std::size_t>(file.size));
  QFS_ASSIGN_OR_RETURN(const std::size_t done, ReadFromStart(fs, file, path, bytes));
  if (done != bytes.size())
    return Status(StatusCode::kIoError, "cannot read " + path + ": it shrank");
  return bytes;
}

}  // namespace qfs
