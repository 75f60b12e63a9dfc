// The TLS presentation language as RFC 9420 uses it (section 2.1): big-endian integers, and
// vectors (opaque<V>, T<V>) prefixed with their length in bytes as a variable-length integer.
//
// A variable-length integer takes 1, 2 or 4 bytes; the top two bits of the first byte say which
// (00, 01, 10; 11 is invalid), and values are below 2^30. The encoding must be the shortest one:
// a reader refuses anything else (NON_CANONICAL), so every value has exactly one encoding.
//
//   TlsWriter w;
//   w.U16(version);
//   w.Opaque(group_id);
//   w.Vector([&](TlsWriter& items) { for (auto& x : xs) Encode(items, x); });
//   TlsReader r(bytes);
//   QFS_ASSIGN_OR_RETURN(std::uint16_t v, r.U16());
//   QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
//   while (!list.empty()) { ... Decode(list) ... }
//   QFS_RETURN_IF_ERROR(r.ExpectEnd());
//
// Readers never read past their input; every length is checked against what is left and against
// kMlsMessageBytesMax before anything is allocated.
#ifndef QFS_MLS_TLS_CODEC_H_
#define QFS_MLS_TLS_CODEC_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "codec/encoding.h"

namespace qfs::mls {

inline constexpr std::uint32_t kVarIntMax = (1u << 30) - 1;

// Fixed-width fields are the canonical codec's (codec/encoding.h, also big-endian); this adds
// what TLS has and it has not: variable-length integers, vectors and optionals.
class TlsWriter {
 public:
  TlsWriter() = default;
  // A writer for encodings that hold secrets (a saved group state): its buffers — this one's,
  // every nested Vector's, and each one it outgrows — are wiped before they are freed. What
  // Take() hands out is the caller's to wipe.
  static TlsWriter ForSecrets() {
    TlsWriter w;
    w.secret_ = true;
    return w;
  }
  TlsWriter(TlsWriter&&) noexcept = default;
  TlsWriter& operator=(TlsWriter&&) noexcept = default;
  TlsWriter(const TlsWriter&) = delete;
  TlsWriter& operator=(const TlsWriter&) = delete;
  ~TlsWriter();

  void U8(std::uint8_t v) {
    Room(1);
    w_.U8(v);
  }
  void U16(std::uint16_t v) {
    Room(2);
    w_.U16(v);
  }
  void U32(std::uint32_t v) {
    Room(4);
    w_.U32(v);
  }
  void U64(std::uint64_t v) {
    Room(8);
    w_.U64(v);
  }
  // Bytes as they are, no length (fixed-size fields).
  void Raw(ByteSpan data) {
    Room(data.size());
    w_.FixedBytes(data);
  }
  // Requires v <= kVarIntMax.
  void VarInt(std::uint32_t v);
  // opaque<V>: the length, then the bytes. Requires size <= kVarIntMax.
  void Opaque(ByteSpan data);
  // T<V>: the items `write(TlsWriter&)` writes, prefixed with their total length.
  template <typename F>
  void Vector(F&& write) {
    TlsWriter items;
    items.secret_ = secret_;
    std::forward<F>(write)(items);
    Opaque(items.bytes());
  }
  // optional<T>: a presence byte, then the value if present.
  template <typename F>
  void Optional(bool present, F&& write) {
    U8(present ? 1 : 0);
    if (present) std::forward<F>(write)(*this);
  }

  const Bytes& bytes() const { return w_.bytes(); }
  Bytes Take() { return w_.Take(); }

 private:
  // For a secret writer: room for `n` more bytes, moving to a larger buffer (and wiping the old
  // one) itself rather than letting the vector reallocate and free the old one unwiped.
  void Room(std::size_t n) {
    if (secret_) Grow(n);
  }
  void Grow(std::size_t n);

  codec::Writer w_;
  bool secret_ = false;
};

// The shortest encoding of a length or value as a variable-length integer (1, 2 or 4 bytes).
Bytes EncodeVarInt(std::uint32_t v);

class TlsReader {
 public:
  explicit TlsReader(ByteSpan in) : r_(in) {}

  Result<std::uint8_t> U8() { return r_.U8(); }
  Result<std::uint16_t> U16() { return r_.U16(); }
  Result<std::uint32_t> U32() { return r_.U32(); }
  Result<std::uint64_t> U64() { return r_.U64(); }
  Result<Bytes> Raw(std::size_t n) { return r_.FixedBytes(n); }
  // Errors: TRUNCATED, BAD_LENGTH (the invalid 11 prefix), NON_CANONICAL (not the shortest).
  Result<std::uint32_t> VarInt();
  // opaque<V> of at most `max` bytes (TOO_LARGE beyond it).
  Result<Bytes> Opaque(std::size_t max = kMlsMessageBytesMax);
  Result<ByteSpan> OpaqueView(std::size_t max = kMlsMessageBytesMax);
  // opaque<V> straight into SecretBytes (no unwiped copy on the way), for saved states.
  Result<SecretBytes> SecretOpaque(std::size_t max) {
    QFS_ASSIGN_OR_RETURN(ByteSpan v, OpaqueView(max));
    return SecretBytes(v);
  }
  // The body of a T<V>, as a reader of its own: the caller reads items until it is empty.
  Result<TlsReader> Vector(std::size_t max = kMlsMessageBytesMax);
  // The presence byte of an optional<T>: false for 0, true for 1, NON_CANONICAL otherwise.
  Result<bool> Presence();

  bool empty() const { return r_.remaining() == 0; }
  std::size_t position() const { return r_.position(); }
  std::size_t remaining() const { return r_.remaining(); }
  // TRAILING_BYTES unless the whole input was read.
  Status ExpectEnd() const { return r_.ExpectEnd(); }

 private:
  codec::Reader r_;
};

// uint16 items<V>, as capabilities and required_capabilities list types.
void PutU16Vector(TlsWriter& w, const std::vector<std::uint16_t>& list);
Result<std::vector<std::uint16_t>> GetU16Vector(TlsReader& r);

}  // namespace qfs::mls

#endif  // QFS_MLS_TLS_CODEC_H_
