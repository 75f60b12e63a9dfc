// A record that uses every construct of the canonical encoding, for the fuzz targets and tests.
#ifndef QFS_FUZZ_SAMPLE_SCHEMA_H_
#define QFS_FUZZ_SAMPLE_SCHEMA_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec/encoding.h"

namespace qfs::fuzz {

struct Sample {
  std::uint8_t a = 0;
  std::uint16_t b = 0;
  std::uint32_t c = 0;
  std::uint64_t d = 0;
  codec::u128 e = 0;
  std::int64_t f = 0;
  codec::i128 g = 0;
  bool h = false;
  Bytes digest = Bytes(4);  // fixed bytes[4]
  Bytes blob;               // at most 64
  std::string name;         // at most 64
  std::optional<std::uint32_t> maybe;
  std::vector<std::string> tags;         // at most 16 items of at most 16 bytes
  std::map<Bytes, std::uint64_t> table;  // at most 16 entries, keys at most 8 bytes
};

inline void Encode(codec::Writer& w, const Sample& s) {
  w.U8(s.a);
  w.U16(s.b);
  w.U32(s.c);
  w.U64(s.d);
  w.U128(s.e);
  w.I64(s.f);
  w.I128(s.g);
  w.Bool(s.h);
  w.FixedBytes(s.digest);
  w.LengthPrefixedBytes(s.blob);
  w.String(s.name);
  w.Bool(s.maybe.has_value());
  if (s.maybe) w.U32(*s.maybe);
  w.Count(s.tags.size());
  for (const std::string& t : s.tags) w.String(t);
  // Map entries go in increasing order of the keys' encodings (not of the raw keys: a shorter
  // key's length prefix sorts first).
  std::map<Bytes, std::uint64_t> by_encoding;
  for (const auto& [k, v] : s.table) {
    codec::Writer key;
    key.LengthPrefixedBytes(k);
    by_encoding.emplace(key.Take(), v);
  }
  w.Count(by_encoding.size());
  for (const auto& [encoded_key, v] : by_encoding) {
    w.FixedBytes(encoded_key);
    w.U64(v);
  }
}

inline Result<Sample> Decode(codec::Reader& r) {
  Sample s;
  QFS_ASSIGN_OR_RETURN(s.a, r.U8());
  QFS_ASSIGN_OR_RETURN(s.b, r.U16());
  QFS_ASSIGN_OR_RETURN(s.c, r.U32());
  QFS_ASSIGN_OR_RETURN(s.d, r.U64());
  QFS_ASSIGN_OR_RETURN(s.e, r.U128());
  QFS_ASSIGN_OR_RETURN(s.f, r.I64());
  QFS_ASSIGN_OR_RETURN(s.g, r.I128());
  QFS_ASSIGN_OR_RETURN(s.h, r.Bool());
  QFS_ASSIGN_OR_RETURN(s.digest, r.FixedBytes(4));
  QFS_ASSIGN_OR_RETURN(s.blob, r.LengthPrefixedBytes(64));
  QFS_ASSIGN_OR_RETURN(s.name, r.String(64));
  QFS_ASSIGN_OR_RETURN(bool has_maybe, r.Bool());
  if (has_maybe) {
    QFS_ASSIGN_OR_RETURN(s.maybe, r.U32());
  }
  QFS_ASSIGN_OR_RETURN(std::size_t tag_count, r.Count(4, 16));
  for (std::size_t i = 0; i < tag_count; ++i) {
    QFS_ASSIGN_OR_RETURN(std::string t, r.String(16));
    s.tags.push_back(std::move(t));
  }
  QFS_ASSIGN_OR_RETURN(std::size_t entries, r.Count(12, 16));
  Bytes previous_key_encoding;
  for (std::size_t i = 0; i < entries; ++i) {
    QFS_ASSIGN_OR_RETURN(Bytes k, r.LengthPrefixedBytes(8));
    codec::Writer key_encoding;
    key_encoding.LengthPrefixedBytes(k);
    if (i > 0) {
      QFS_RETURN_IF_ERROR(
          codec::Reader::CheckKeyOrder(previous_key_encoding, key_encoding.bytes()));
    }
    previous_key_encoding = key_encoding.Take();
    QFS_ASSIGN_OR_RETURN(std::uint64_t v, r.U64());
    s.table.emplace(std::move(k), v);
  }
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return s;
}

}  // namespace qfs::fuzz

#endif  // QFS_FUZZ_SAMPLE_SCHEMA_H_
