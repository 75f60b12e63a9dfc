#include "ledger/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "base/check.h"
#include "base/crc32c.h"
#include "base/file.h"
#include "base/text_encoding.h"
#include "codec/encoding.h"

namespace qfs::ledger {
namespace {

constexpr char kMagic[8] = {'Q', 'F', 'S', 'L', 'O', 'G', '\0', '\1'};
constexpr std::uint32_t kFormatVersion = 2;  // 2: the frame carries the length's complement
constexpr std::size_t kHeaderBytes = 24;     // magic, version, first index, CRC of the 20 before
constexpr std::size_t kFrameBytes = 12;      // body length, its complement, CRC of the body
static_assert(kRecordOverheadBytes == kFrameBytes + 8 + 32 + 8 + 4 + 2 + 32);
// The lengths a writer can put in a frame: a body with an empty payload up to the largest body.
constexpr std::uint32_t kBodyBytesMin = kRecordOverheadBytes - kFrameBytes;
static_assert(kBodyBytesMin == kLogRecordFixedBytes);
constexpr char kEntryDomain[] = "qfs.ledger.entry.v1";

Status Corruption(const std::string& path, std::uint64_t offset, std::uint64_t index,
                  const std::string& why) {
  return Status(StatusCode::kCorruption, "log entry " + std::to_string(index) + " (" + path +
                                             " at byte " + std::to_string(offset) + "): " + why);
}

void PutU32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
void PutU64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
std::uint32_t GetU32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint64_t GetU64(const std::uint8_t* p) {
  return std::uint64_t{GetU32(p)} << 32 | GetU32(p + 4);
}

std::string SegmentName(std::uint64_t first_index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu.qlog", static_cast<unsigned long long>(first_index));
  return name;
}

// The first index a segment file name stands for; nothing for other files.
std::optional<std::uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() != 25 || name.substr(20) != ".qlog") return std::nullopt;
  std::uint64_t value = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Where a torn tail's bytes are saved: "<segment name>.<offset, 20 digits>.<16 hex digits>.torn",
// the hex the start of the tail's SHA-256, so that saving the same tail again (after a crash
// between the save and the cut) finds it saved, and another tail at the same place gets its own.
constexpr std::size_t kTornNameBytes = 25 + 1 + 20 + 1 + 16 + 5;

std::string TornTailName(std::uint64_t first_index, std::uint64_t offset, ByteSpan tail) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(offset));
  const Digest32 digest = crypto::Sha256(tail);
  return SegmentName(first_index) + "." + digits + "." + HexEncode(ByteSpan(digest).first(8)) +
         ".torn";
}

bool IsTornTailName(std::string_view name) {
  return name.size() == kTornNameBytes && ParseSegmentName(name.substr(0, 25)).has_value() &&
         name.substr(kTornNameBytes - 5) == ".torn";
}

// What EntryHash hashes before the entry's fields: the domain, length-prefixed.
ByteSpan EntryDomainPrefix() {
  static const Bytes prefix = [] {
    codec::Writer w;
    w.String(kEntryDomain);
    return w.Take();
  }();
  return prefix;
}

// The fields EntryHash covers, in order.
void EncodeHashedFields(std::uint64_t index, const Digest32& previous_hash,
                        std::uint64_t timestamp_us, ByteSpan payload, std::uint16_t result,
                        codec::Writer& w) {
  w.U64(index);
  w.FixedBytes(previous_hash);
  w.U64(timestamp_us);
  w.LengthPrefixedBytes(payload);
  w.U16(result);
}
void EncodeHashedFields(const LogEntry& e, codec::Writer& w) {
  EncodeHashedFields(e.index, e.previous_hash, e.timestamp_us, e.payload, e.result, w);
}

}  // namespace

std::string DescribeTornTail(const TornTail& torn) {
  std::string text = "torn tail of " + std::to_string(torn.bytes) + " bytes at byte " +
                     std::to_string(torn.offset) + " of " + torn.segment + " (entry " +
                     std::to_string(torn.entry) + ", never acknowledged) ";
  if (torn.saved_as.empty()) return text + (torn.bytes == 0 ? "removed" : "left in place");
  return text + "cut, saved as " + torn.saved_as;
}

Digest32 EntryHash(const LogEntry& entry) {
  codec::Writer w;
  EncodeHashedFields(entry, w);
  return crypto::Sha256({EntryDomainPrefix(), w.bytes()});
}

Bytes EncodeEntry(const LogEntry& entry) {
  codec::Writer w;
  EncodeHashedFields(entry, w);
  w.FixedBytes(entry.entry_hash);
  return w.Take();
}

Result<LogEntry> DecodeEntry(ByteSpan body) {
  codec::Reader r(body);
  LogEntry e;
  QFS_ASSIGN_OR_RETURN(e.index, r.U64());
  QFS_ASSIGN_OR_RETURN(e.previous_hash, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(e.timestamp_us, r.U64());
  QFS_ASSIGN_OR_RETURN(e.payload, r.LengthPrefixedBytes(kLogPayloadBytesMax));
  QFS_ASSIGN_OR_RETURN(e.result, r.U16());
  QFS_ASSIGN_OR_RETURN(e.entry_hash, r.FixedArray<32>());
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return e;
}

Result<std::shared_ptr<const UniqueFd>> Log::OpenForRead(std::uint32_t segment) const {
  std::lock_guard<std::mutex> lock(read_files_mutex_);
  auto it = read_files_.find(segment);
  if (it != read_files_.end()) return it->second;
  const std::string& path = segments_[segment].path;
  Result<int> fd = fs_.Open(path, O_RDONLY);
  if (!fd.ok()) return InPath(fd.status(), "cannot open", path);
  auto file = std::make_shared<UniqueFd>(fd.value());
  if (read_files_.size() >= kReadFilesOpenMax) read_files_.erase(read_files_.begin());
  read_files_.emplace(segment, file);
  return std::shared_ptr<const UniqueFd>(std::move(file));
}

Log::~Log() {
  if (fd_ >= 0) {
    // Unacknowledged records: written if the disk allows, never promised. Flush allocates only
    // for an error's message; should that fail, the records simply stay unwritten.
    try {
      (void)Flush();
    } catch (...) {  // NOLINT(bugprone-empty-catch): best effort in a destructor
    }
    ::close(fd_);
  }
}

Result<std::unique_ptr<Log>> Log::Open(const LogOptions& options) {
  std::unique_ptr<Log> opened(new Log(options));
  if (!options.read_only) {
    if (Status s = opened->fs_.CreateDirectory(options.directory); !s.ok()) {
      return InPath(s, "cannot create", options.directory);
    }
  }
  QFS_RETURN_IF_ERROR(opened->Recover());
  return opened;
}

Status Log::Recover() {
  Result<std::vector<std::string>> names = fs_.List(options_.directory);
  if (!names.ok()) return InPath(names.status(), "cannot open directory", options_.directory);
  std::vector<std::string> torn_files;
  for (const std::string& name : names.value()) {
    const std::optional<std::uint64_t> first = ParseSegmentName(name);
    if (first.has_value()) segments_.push_back({*first, options_.directory + "/" + name});
    if (IsTornTailName(name)) torn_files.push_back(options_.directory + "/" + name);
  }
  for (const std::string& path : torn_files) {
    Result<std::uint64_t> bytes = fs_.SizeOf(path);
    if (!bytes.ok()) return InPath(bytes.status(), "cannot stat", path);
    recovery_.torn_tails_saved += 1;
    recovery_.torn_bytes_saved += bytes.value();
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const Segment& a, const Segment& b) { return a.first_index < b.first_index; });
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    Status s = ScanSegment(i, i + 1 == segments_.size());
    if (s.ok()) continue;
    if (s.code() != StatusCode::kCorruption || !options_.keep_good_prefix) return s;
    recovery_.corruption = s;  // the entries before it stay readable; nothing is written
    break;
  }
  recovery_.entries = size();
  if (options_.read_only || !recovery_.corruption.ok()) return OkStatus();
  if (segments_.empty()) return StartSegment(0);
  Result<std::uint64_t> length = fs_.SizeOf(segments_.back().path);
  if (!length.ok()) return InPath(length.status(), "cannot stat", segments_.back().path);
  return OpenForAppend(segments_.back(), length.value());
}

Status Log::ScanSegment(std::size_t number, bool last) {
  const Segment& seg = segments_[number];
  QFS_ASSIGN_OR_RETURN(Bytes data,
                       ReadWholeFile(seg.path, std::numeric_limits<std::uint64_t>::max(), fs_));
  // A newest segment whose header never fully reached the disk holds no entry: drop it.
  if (last && data.size() < kHeaderBytes && seg.first_index == size()) {
    QFS_RETURN_IF_ERROR(CutTornTail(seg, data, 0));
    segments_.pop_back();
    return OkStatus();
  }
  if (data.size() < kHeaderBytes || std::memcmp(data.data(), kMagic, 8) != 0 ||
      GetU32(data.data() + 8) != kFormatVersion ||
      GetU32(data.data() + 20) != Crc32c(ByteSpan(data).first(20)) ||
      GetU64(data.data() + 12) != seg.first_index) {
    return Corruption(seg.path, 0, size(), "bad segment header");
  }
  if (seg.first_index != size()) {
    return Corruption(seg.path, 0, size(),
                      "segment starts at entry " + std::to_string(seg.first_index));
  }
  std::uint64_t offset = kHeaderBytes;
  while (offset < data.size()) {
    const std::uint64_t remaining = data.size() - offset;
    const bool zeros = std::all_of(data.begin() + static_cast<std::ptrdiff_t>(offset), data.end(),
                                   [](std::uint8_t b) { return b == 0; });
    const bool have_length = remaining >= 8;
    const std::uint32_t body_length = have_length ? GetU32(data.data() + offset) : 0;
    // The complement tells a damaged length from a record that was still being written.
    const bool length_intact = have_length && GetU32(data.data() + offset + 4) == ~body_length;
    // An intact length no writer produces is damage, never a write cut short, even last: a
    // torn write loses the end of a record, it does not make its length up.
    if (length_intact && (body_length < kBodyBytesMin || body_length > kLogRecordBytesMax)) {
      return Corruption(seg.path, offset, size(),
                        "record length " + std::to_string(body_length) + " outside " +
                            std::to_string(kBodyBytesMin) + ".." +
                            std::to_string(kLogRecordBytesMax));
    }
    const bool have_frame = remaining >= kFrameBytes;
    const bool incomplete = !have_frame || (length_intact && kFrameBytes + body_length > remaining);
    if (last && (zeros || incomplete)) {  // a write that never finished: never acknowledged
      return CutTornTail(seg, data, offset);
    }
    if (!length_intact) return Corruption(seg.path, offset, size(), "record length damaged");
    if (incomplete || body_length > kLogRecordBytesMax) {
      return Corruption(seg.path, offset, size(), "truncated record");
    }
    ByteSpan body = ByteSpan(data).subspan(offset + kFrameBytes, body_length);
    if (GetU32(data.data() + offset + 8) != Crc32c(body)) {
      return Corruption(seg.path, offset, size(), "CRC mismatch");
    }
    Result<LogEntry> entry = DecodeEntry(body);
    if (!entry.ok()) return Corruption(seg.path, offset, size(), entry.status().message());
    const LogEntry& e = entry.value();
    if (e.index != size())
      return Corruption(seg.path, offset, size(), "wrong index " + std::to_string(e.index));
    if (e.previous_hash != last_hash_)
      return Corruption(seg.path, offset, size(), "broken hash chain");
    if (size() > 0 && e.timestamp_us <= last_timestamp_us_) {
      return Corruption(seg.path, offset, size(), "timestamp not increasing");
    }
    if (EntryHash(e) != e.entry_hash)
      return Corruption(seg.path, offset, size(), "entry hash mismatch");
    positions_.push_back({static_cast<std::uint32_t>(number), offset});
    if (options_.on_entry) options_.on_entry(e);
    last_hash_ = e.entry_hash;
    last_timestamp_us_ = e.timestamp_us;
    offset += kFrameBytes + body_length;
  }
  return OkStatus();
}

Status Log::CutTornTail(const Segment& segment, ByteSpan data, std::uint64_t offset) {
  const ByteSpan tail = data.subspan(offset);
  TornTail torn{SegmentName(segment.first_index), offset, tail.size(), size(), ""};
  recovery_.torn_bytes = tail.size();
  if (!options_.read_only) {
    if (!tail.empty()) {  // saved before it is cut: the cut destroys nothing unseen
      torn.saved_as = TornTailName(segment.first_index, offset, tail);
      const std::string path = options_.directory + "/" + torn.saved_as;
      // Already there: saved by an open that crashed before the cut.
      if (fs_.SizeOf(path).code() == StatusCode::kNotFound) {
        QFS_RETURN_IF_ERROR(WriteFileAtomically(path, tail, fs_));
        recovery_.torn_tails_saved += 1;
        recovery_.torn_bytes_saved += tail.size();
      }
    }
    if (offset == 0) {
      if (Status s = fs_.Remove(segment.path); !s.ok()) {
        return InPath(s, "cannot remove", segment.path);
      }
    } else {
      Result<int> fd = fs_.Open(segment.path, O_WRONLY);
      if (!fd.ok()) return InPath(fd.status(), "cannot open", segment.path);
      const UniqueFd file(fd.value());
      if (Status s = fs_.Truncate(file.get(), offset); !s.ok()) {
        return InPath(s, "cannot truncate", segment.path);
      }
    }
  }
  recovery_.torn = std::move(torn);
  return OkStatus();
}

Status Log::StartSegment(std::uint64_t first_index) {
  if (fd_ >= 0) {
    QFS_RETURN_IF_ERROR(Flush());
    if (Status s = fs_.SyncData(fd_); !s.ok())
      return InPath(s, "cannot sync", segments_.back().path);
    ::close(fd_);
    fd_ = -1;
  }
  Segment seg{first_index, options_.directory + "/" + SegmentName(first_index)};
  Result<int> opened = fs_.Open(seg.path, O_WRONLY | O_CREAT | O_EXCL);
  if (!opened.ok()) return InPath(opened.status(), "cannot create", seg.path);
  const int fd = opened.value();
  std::uint8_t header[kHeaderBytes];
  std::memcpy(header, kMagic, 8);
  PutU32(header + 8, kFormatVersion);
  PutU64(header + 12, first_index);
  PutU32(header + 20, Crc32c(ByteSpan(header, 20)));
  fd_ = fd;
  segments_.push_back(seg);
  directory_dirty_ = true;
  fd_length_ = 0;
  if (Status s = fs_.WriteAll(fd_, ByteSpan(header, kHeaderBytes)); !s.ok()) {
    return InPath(s, "cannot write", seg.path);
  }
  fd_length_ = kHeaderBytes;
  return OkStatus();
}

Status Log::OpenForAppend(const Segment& segment, std::uint64_t length) {
  Result<int> fd = fs_.Open(segment.path, O_WRONLY | O_APPEND);
  if (!fd.ok()) return InPath(fd.status(), "cannot open", segment.path);
  fd_ = fd.value();
  fd_length_ = length;
  return OkStatus();
}

Status Log::Append(const LogEntry& entry) {
  auto invalid = [](const std::string& why) { return Status(StatusCode::kInvalidArgument, why); };
  if (entry.index != size()) return invalid("entry index must be " + std::to_string(size()));
  if (entry.previous_hash != last_hash_) return invalid("previous hash does not match the log");
  if (entry.entry_hash != EntryHash(entry)) return invalid("entry hash does not match");
  return Append(entry.timestamp_us, entry.payload, entry.result).status();
}

Result<Digest32> Log::Append(std::uint64_t timestamp_us, ByteSpan payload, std::uint16_t result) {
  QFS_CHECK(!options_.read_only);
  auto invalid = [](const std::string& why) { return Status(StatusCode::kInvalidArgument, why); };
  if (size() > 0 && timestamp_us <= last_timestamp_us_) return invalid("timestamp must increase");
  if (payload.size() > kLogPayloadBytesMax) return invalid("payload too large");
  if (fd_ < 0 || fd_length_ >= options_.segment_bytes_target) {
    QFS_RETURN_IF_ERROR(StartSegment(size()));
  }
  // The body as EncodeEntry writes it, with the entry hash computed from the same bytes.
  codec::Writer w;
  EncodeHashedFields(size(), last_hash_, timestamp_us, payload, result, w);
  const Digest32 hash = crypto::Sha256({EntryDomainPrefix(), w.bytes()});
  w.FixedBytes(hash);
  const ByteSpan body = w.bytes();
  const auto length = static_cast<std::uint32_t>(body.size());
  std::uint8_t frame[kFrameBytes];
  PutU32(frame, length);
  PutU32(frame + 4, ~length);
  PutU32(frame + 8, Crc32c(body));
  buffer_.insert(buffer_.end(), frame, frame + kFrameBytes);
  buffer_.insert(buffer_.end(), body.begin(), body.end());
  positions_.push_back({static_cast<std::uint32_t>(segments_.size() - 1), fd_length_});
  fd_length_ += kFrameBytes + body.size();
  last_hash_ = hash;
  last_timestamp_us_ = timestamp_us;
  if (buffer_.size() >= kLogWriteBufferBytes) QFS_RETURN_IF_ERROR(Flush());
  return hash;
}

Status Log::Flush() {
  // What went is dropped from the buffer as it goes: after a short write and a failure, the
  // next flush goes on from the first byte not written, never writes a byte twice.
  while (!buffer_.empty()) {
    Result<std::size_t> n = fs_.Write(fd_, buffer_);
    if (!n.ok()) return InPath(n.status(), "cannot write", segments_.back().path);
    if (n.value() == 0) {
      return Status(StatusCode::kIoError,
                    "cannot write " + segments_.back().path + ": no progress");
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n.value()));
  }
  return OkStatus();
}

Status Log::Sync() {
  QFS_CHECK(!options_.read_only);
  if (fd_ >= 0) {
    QFS_RETURN_IF_ERROR(Flush());
    if (Status s = fs_.SyncData(fd_); !s.ok()) {
      return InPath(s, "cannot sync", segments_.back().path);
    }
  } else {
    // A new segment could not be created. StartSegment flushed and synced the one before it
    // first, so every entry appended is on the disk already; the next append tries again.
    QFS_CHECK(buffer_.empty());
  }
  if (directory_dirty_) {
    QFS_RETURN_IF_ERROR(SyncDirectory(options_.directory, fs_));
    directory_dirty_ = false;
  }
  return OkStatus();
}

Result<LogEntry> Log::Read(std::uint64_t index) const {
  if (index >= size())
    return Status(StatusCode::kOutOfRange, "no log entry " + std::to_string(index));
  const Position& pos = positions_[index];
  const std::string& path = segments_[pos.segment].path;
  const std::uint64_t written = fd_length_ - buffer_.size();
  if (!buffer_.empty() && pos.segment + 1 == segments_.size() && pos.offset >= written) {
    // Still in the buffer: appended, not yet written.
    const ByteSpan record = ByteSpan(buffer_).subspan(pos.offset - written);
    QFS_ASSIGN_OR_RETURN(LogEntry e,
                         DecodeEntry(record.subspan(kFrameBytes, GetU32(record.data()))));
    return e;
  }
  QFS_ASSIGN_OR_RETURN(const std::shared_ptr<const UniqueFd> file, OpenForRead(pos.segment));
  const int fd = file->get();
  // A failed read is the disk's error (IO_ERROR, nothing concluded); a short read or other
  // bytes than were written is corruption.
  const auto read_at = [&](std::span<std::uint8_t> out, std::uint64_t offset) -> Result<bool> {
    Result<std::size_t> n = fs_.ReadAt(fd, out, offset);
    if (!n.ok()) return InPath(n.status(), "cannot read", path);
    return n.value() == out.size();
  };
  std::uint8_t frame[kFrameBytes];
  QFS_ASSIGN_OR_RETURN(const bool frame_read, read_at(frame, pos.offset));
  if (!frame_read) return Corruption(path, pos.offset, index, "record frame unreadable");
  if (GetU32(frame) > kLogRecordBytesMax || GetU32(frame + 4) != ~GetU32(frame)) {
    return Corruption(path, pos.offset, index, "record length changed");
  }
  Bytes body(GetU32(frame));
  QFS_ASSIGN_OR_RETURN(const bool body_read, read_at(body, pos.offset + kFrameBytes));
  if (!body_read || Crc32c(body) != GetU32(frame + 8)) {
    return Corruption(path, pos.offset, index, "record changed on disk");
  }
  QFS_ASSIGN_OR_RETURN(LogEntry e, DecodeEntry(body));
  if (e.index != index) return Corruption(path, pos.offset, index, "record changed on disk");
  return e;
}

}  // namespace qfs::ledger
