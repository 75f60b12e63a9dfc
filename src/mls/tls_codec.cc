#include "mls/tls_codec.h"

#include <algorithm>
#include <string>

#include "base/check.h"

namespace qfs::mls {

Bytes EncodeVarInt(std::uint32_t v) {
  QFS_CHECK(v <= kVarIntMax);
  if (v < (1u << 6)) return {static_cast<std::uint8_t>(v)};
  if (v < (1u << 14))
    return {static_cast<std::uint8_t>(0x40 | v >> 8), static_cast<std::uint8_t>(v)};
  return {static_cast<std::uint8_t>(0x80 | v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

TlsWriter::~TlsWriter() {
  if (!secret_) return;
  Bytes left = w_.Take();
  SecureWipe(left.data(), left.size());
}

void TlsWriter::Grow(std::size_t n) {
  const Bytes& have = w_.bytes();
  if (have.size() + n <= have.capacity()) return;
  codec::Writer bigger;
  bigger.Reserve(std::max({2 * have.capacity(), have.size() + n, std::size_t{256}}));
  bigger.FixedBytes(have);
  Bytes old = w_.Take();
  SecureWipe(old.data(), old.size());
  w_ = std::move(bigger);
}

void TlsWriter::VarInt(std::uint32_t v) { Raw(EncodeVarInt(v)); }

void TlsWriter::Opaque(ByteSpan data) {
  QFS_CHECK(data.size() <= kVarIntMax);
  VarInt(static_cast<std::uint32_t>(data.size()));
  Raw(data);
}

Result<std::uint32_t> TlsReader::VarInt() {
  const std::size_t at = position();
  QFS_ASSIGN_OR_RETURN(ByteSpan first, r_.FixedView(1));
  const int prefix = first[0] >> 6;
  if (prefix == 3) {
    return Status(StatusCode::kBadLength,
                  "invalid variable-length integer prefix 11 at byte " + std::to_string(at));
  }
  const int width = 1 << prefix;  // 1, 2 or 4 bytes
  std::uint32_t v = first[0] & 0x3F;
  QFS_ASSIGN_OR_RETURN(ByteSpan rest, r_.FixedView(static_cast<std::size_t>(width - 1)));
  for (std::uint8_t x : rest) v = v << 8 | x;
  if (EncodeVarInt(v).size() != static_cast<std::size_t>(width)) {
    return Status(StatusCode::kNonCanonical,
                  "variable-length integer at byte " + std::to_string(at) + " is not minimal");
  }
  return v;
}

Result<ByteSpan> TlsReader::OpaqueView(std::size_t max) {
  const std::size_t at = position();
  QFS_ASSIGN_OR_RETURN(std::uint32_t length, VarInt());
  if (length > max) {
    return Status(StatusCode::kTooLarge, "vector at byte " + std::to_string(at) + " holds " +
                                             std::to_string(length) + " bytes, more than " +
                                             std::to_string(max));
  }
  return r_.FixedView(length);
}

Result<Bytes> TlsReader::Opaque(std::size_t max) {
  QFS_ASSIGN_OR_RETURN(ByteSpan b, OpaqueView(max));
  return Bytes(b.begin(), b.end());
}

Result<TlsReader> TlsReader::Vector(std::size_t max) {
  QFS_ASSIGN_OR_RETURN(ByteSpan b, OpaqueView(max));
  return TlsReader(b);
}

Result<bool> TlsReader::Presence() {
  const std::size_t at = position();
  QFS_ASSIGN_OR_RETURN(std::uint8_t v, U8());
  if (v > 1) {
    return Status(StatusCode::kNonCanonical,
                  "optional presence byte at " + std::to_string(at) + " is " + std::to_string(v));
  }
  return v == 1;
}

void PutU16Vector(TlsWriter& w, const std::vector<std::uint16_t>& list) {
  w.Vector([&](TlsWriter& items) {
    for (std::uint16_t x : list) items.U16(x);
  });
}

Result<std::vector<std::uint16_t>> GetU16Vector(TlsReader& r) {
  QFS_ASSIGN_OR_RETURN(TlsReader items, r.Vector());
  std::vector<std::uint16_t> list;
  while (!items.empty()) {
    QFS_ASSIGN_OR_RETURN(std::uint16_t x, items.U16());
    list.push_back(x);
  }
  return list;
}

}  // namespace qfs::mls
