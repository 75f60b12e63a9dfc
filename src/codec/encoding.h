// The canonical binary encoding: the one byte form of everything QFS signs or hashes.
// docs/formats/encoding.md specifies it byte by byte. In short, values are written in schema
// order with no tags or separators:
//   u8 u16 u32 u64 u128   fixed width, big-endian
//   i64 i128              two's complement, fixed width, big-endian
//   bool                  one byte, 0x00 or 0x01
//   fixed bytes[N]        the N bytes
//   bytes, string         u32 length, then the bytes (strings: valid UTF-8)
//   optional<T>           0x00, or 0x01 then T
//   list<T>               u32 count, then the items
//   map<K,V>              u32 count, then key/value pairs in strictly increasing order of the
//                         keys' encodings
// Every value has exactly one encoding; the Reader rejects anything else: TRUNCATED input,
// NON_CANONICAL bytes (a bool of 2, unsorted or duplicate map keys, invalid UTF-8), TOO_LARGE
// lengths and counts (base/limits.h, checked before anything is allocated), nesting deeper than
// kCodecNestingDepthMax, and TRAILING_BYTES after the value.
//
//   Writer w;
//   w.U64(7);
//   w.String("hello");
//   Bytes encoded = w.Take();
//   Reader r(encoded);
//   uint64_t n = r.U64().value();  ...  Status end = r.ExpectEnd();
//
// Thread safety: none; each Writer or Reader belongs to one thread.
#ifndef QFS_CODEC_ENCODING_H_
#define QFS_CODEC_ENCODING_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"

namespace qfs::codec {

using u128 = unsigned __int128;
using i128 = __int128;

class Writer {
 public:
  void U8(std::uint8_t v) { out_.push_back(v); }
  void U16(std::uint16_t v) { BigEndian(v, 2); }
  void U32(std::uint32_t v) { BigEndian(v, 4); }
  void U64(std::uint64_t v) { BigEndian(v, 8); }
  void U128(u128 v);
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void I128(i128 v) { U128(static_cast<u128>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void FixedBytes(ByteSpan data) { out_.insert(out_.end(), data.begin(), data.end()); }
  // REQUIRES: data.size() <= kCodecBytesFieldMax (callers check outside input first).
  void LengthPrefixedBytes(ByteSpan data);
  // REQUIRES: valid UTF-8, size <= kCodecBytesFieldMax.
  void String(std::string_view s);
  // REQUIRES: count <= kCodecListItemsMax.
  void Count(std::size_t count);

  // Room for `total` bytes in all, so that a large encoding grows without reallocating.
  void Reserve(std::size_t total) { out_.reserve(total); }
  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }

 private:
  void BigEndian(std::uint64_t v, int width);
  Bytes out_;
};

class Reader {
 public:
  explicit Reader(ByteSpan input) : in_(input) {}

  Result<std::uint8_t> U8();
  Result<std::uint16_t> U16();
  Result<std::uint32_t> U32();
  Result<std::uint64_t> U64();
  Result<u128> U128();
  Result<std::int64_t> I64();
  Result<i128> I128();
  Result<bool> Bool();
  Result<Bytes> FixedBytes(std::size_t n);
  // The next n bytes in place (valid while the input is), without copying.
  Result<ByteSpan> FixedView(std::size_t n) { return Take(n, "fixed bytes"); }
  // N bytes into a fixed-size array (hashes, ids).
  template <std::size_t N>
  Result<std::array<std::uint8_t, N>> FixedArray() {
    QFS_ASSIGN_OR_RETURN(Bytes b, FixedBytes(N));
    std::array<std::uint8_t, N> out;
    std::copy(b.begin(), b.end(), out.begin());
    return out;
  }
  Result<Bytes> LengthPrefixedBytes(std::size_t max = kCodecBytesFieldMax);
  Result<std::string> String(std::size_t max = kCodecBytesFieldMax);
  // A list or map count, at most `max`; also checks that at least `count * item_bytes_min`
  // bytes remain, so a huge count cannot make the caller reserve memory for nothing.
  Result<std::size_t> Count(std::size_t item_bytes_min, std::size_t max = kCodecListItemsMax);
  // Map keys: call with each key's encoded bytes in order; NON_CANONICAL unless strictly
  // increasing.
  static Status CheckKeyOrder(ByteSpan previous, ByteSpan next);

  // Nesting guard for recursive structures: Enter() fails past kCodecNestingDepthMax.
  Status Enter();
  void Leave();

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  // TRAILING_BYTES unless the whole input was consumed.
  Status ExpectEnd() const;

 private:
  Result<ByteSpan> Take(std::size_t n, const char* what);
  Result<std::uint64_t> BigEndian(int width, const char* what);

  ByteSpan in_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
};

// True iff `s` is well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace qfs::codec

#endif  // QFS_CODEC_ENCODING_H_
