#include "codec/encoding.h"

#include <algorithm>

#include "base/strings.h"

namespace qfs::codec {
namespace {

Status Truncated(const char* what, std::size_t pos) {
  return Status(StatusCode::kTruncated,
                std::string("input ends inside ") + what + " at byte " + std::to_string(pos));
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return qfs::IsValidUtf8(s); }

// --- Writer ----------------------------------------------------------------------------------
void Writer::BigEndian(std::uint64_t v, int width) {
  std::uint8_t b[8];
  for (int i = 0; i < width; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
  out_.insert(out_.end(), b, b + width);
}

void Writer::U128(u128 v) {
  U64(static_cast<std::uint64_t>(v >> 64));
  U64(static_cast<std::uint64_t>(v));
}

void Writer::LengthPrefixedBytes(ByteSpan data) {
  QFS_CHECK(data.size() <= kCodecBytesFieldMax);
  U32(static_cast<std::uint32_t>(data.size()));
  FixedBytes(data);
}

void Writer::String(std::string_view s) {
  QFS_CHECK(IsValidUtf8(s));
  LengthPrefixedBytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

void Writer::Count(std::size_t count) {
  QFS_CHECK(count <= kCodecListItemsMax);
  U32(static_cast<std::uint32_t>(count));
}

// --- Reader ----------------------------------------------------------------------------------
Result<ByteSpan> Reader::Take(std::size_t n, const char* what) {
  if (n > remaining()) return Truncated(what, pos_);
  ByteSpan out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<std::uint64_t> Reader::BigEndian(int width, const char* what) {
  QFS_ASSIGN_OR_RETURN(ByteSpan b, Take(static_cast<std::size_t>(width), what));
  std::uint64_t v = 0;
  for (std::uint8_t byte : b) v = v << 8 | byte;
  return v;
}

Result<std::uint8_t> Reader::U8() {
  QFS_ASSIGN_OR_RETURN(std::uint64_t v, BigEndian(1, "u8"));
  return static_cast<std::uint8_t>(v);
}
Result<std::uint16_t> Reader::U16() {
  QFS_ASSIGN_OR_RETURN(std::uint64_t v, BigEndian(2, "u16"));
  return static_cast<std::uint16_t>(v);
}
Result<std::uint32_t> Reader::U32() {
  QFS_ASSIGN_OR_RETURN(std::uint64_t v, BigEndian(4, "u32"));
  return static_cast<std::uint32_t>(v);
}
Result<std::uint64_t> Reader::U64() { return BigEndian(8, "u64"); }

Result<u128> Reader::U128() {
  QFS_ASSIGN_OR_RETURN(std::uint64_t hi, BigEndian(8, "u128"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t lo, BigEndian(8, "u128"));
  return static_cast<u128>(hi) << 64 | lo;
}

Result<std::int64_t> Reader::I64() {
  QFS_ASSIGN_OR_RETURN(std::uint64_t v, U64());
  return static_cast<std::int64_t>(v);
}

Result<i128> Reader::I128() {
  QFS_ASSIGN_OR_RETURN(u128 v, U128());
  return static_cast<i128>(v);
}

Result<bool> Reader::Bool() {
  std::size_t at = pos_;
  QFS_ASSIGN_OR_RETURN(std::uint8_t v, U8());
  if (v > 1) {
    return Status(StatusCode::kNonCanonical,
                  "bool at byte " + std::to_string(at) + " is " + std::to_string(v));
  }
  return v == 1;
}

Result<Bytes> Reader::FixedBytes(std::size_t n) {
  QFS_ASSIGN_OR_RETURN(ByteSpan b, Take(n, "fixed bytes"));
  return Bytes(b.begin(), b.end());
}

Result<Bytes> Reader::LengthPrefixedBytes(std::size_t max) {
  std::size_t at = pos_;
  QFS_ASSIGN_OR_RETURN(std::uint32_t n, U32());
  if (n > std::min(max, kCodecBytesFieldMax)) {
    return Status(StatusCode::kTooLarge, "length " + std::to_string(n) + " at byte " +
                                             std::to_string(at) + " exceeds " +
                                             std::to_string(std::min(max, kCodecBytesFieldMax)));
  }
  QFS_ASSIGN_OR_RETURN(ByteSpan b, Take(n, "bytes"));
  return Bytes(b.begin(), b.end());
}

Result<std::string> Reader::String(std::size_t max) {
  std::size_t at = pos_;
  QFS_ASSIGN_OR_RETURN(Bytes b, LengthPrefixedBytes(max));
  std::string s(b.begin(), b.end());
  if (!IsValidUtf8(s)) {
    return Status(StatusCode::kNonCanonical,
                  "string at byte " + std::to_string(at) + " is not valid UTF-8");
  }
  return s;
}

Result<std::size_t> Reader::Count(std::size_t item_bytes_min, std::size_t max) {
  std::size_t at = pos_;
  QFS_ASSIGN_OR_RETURN(std::uint32_t n, U32());
  std::size_t limit = std::min(max, kCodecListItemsMax);
  if (n > limit) {
    return Status(StatusCode::kTooLarge, "count " + std::to_string(n) + " at byte " +
                                             std::to_string(at) + " exceeds " +
                                             std::to_string(limit));
  }
  if (item_bytes_min > 0 && n > remaining() / item_bytes_min) return Truncated("list", at);
  return static_cast<std::size_t>(n);
}

Status Reader::CheckKeyOrder(ByteSpan previous, ByteSpan next) {
  if (std::lexicographical_compare(previous.begin(), previous.end(), next.begin(), next.end())) {
    return OkStatus();
  }
  return Status(StatusCode::kNonCanonical, "map keys are not in strictly increasing order");
}

Status Reader::Enter() {
  if (depth_ >= kCodecNestingDepthMax) {
    return Status(StatusCode::kTooLarge,
                  "nesting deeper than " + std::to_string(kCodecNestingDepthMax));
  }
  ++depth_;
  return OkStatus();
}

void Reader::Leave() {
  QFS_CHECK(depth_ > 0);
  --depth_;
}

Status Reader::ExpectEnd() const {
  if (remaining() == 0) return OkStatus();
  return Status(
      StatusCode::kTrailingBytes,
      std::to_string(remaining()) + " bytes after the value at byte " + std::to_string(pos_));
}

}  // namespace qfs::codec
