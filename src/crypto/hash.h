// Hash functions. SHA-256, SHA-512, SHA3-256 and SHAKE come from OpenSSL 3 (hardware
// accelerated where the CPU allows); Keccak-256 (Ethereum's pre-standard padding) is ours.
// Inputs are limited by the callers' limits; these functions accept any size.
//
//   Digest32 d = Sha256(data);
#ifndef QFS_CRYPTO_HASH_H_
#define QFS_CRYPTO_HASH_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "base/bytes.h"

namespace qfs::crypto {

using Digest32 = std::array<std::uint8_t, 32>;
using Digest64 = std::array<std::uint8_t, 64>;

Digest32 Sha256(ByteSpan data);
// SHA-256 of the concatenation of `parts`, without copying them together.
Digest32 Sha256(std::initializer_list<ByteSpan> parts);
Digest64 Sha512(ByteSpan data);
Digest32 Sha3_256(ByteSpan data);
Digest64 Sha3_512(ByteSpan data);
Bytes Shake128(ByteSpan data, std::size_t out_bytes);
Bytes Shake256(ByteSpan data, std::size_t out_bytes);
Digest32 Keccak256(ByteSpan data);

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Incremental SHA-256 for long inputs (log segments, files).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(ByteSpan data);
  Digest32 Finish();

 private:
  void* ctx_;  // EVP_MD_CTX
};

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_HASH_H_
