// HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869), from OpenSSL 3.
#ifndef QFS_CRYPTO_MAC_H_
#define QFS_CRYPTO_MAC_H_

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace qfs::crypto {

inline constexpr std::size_t kHmacTagBytesMin = 16;  // shortest accepted truncated tag
inline constexpr std::size_t kHkdfOutputBytesMax = 255 * 32;

Digest32 HmacSha256(ByteSpan key, ByteSpan message);
// True iff `tag` equals the first tag.size() bytes of HMAC-SHA256(key, message), compared in
// constant time. Tags shorter than kHmacTagBytesMin or longer than 32 bytes never verify.
bool HmacSha256Verify(ByteSpan key, ByteSpan message, ByteSpan tag);

Digest32 HkdfExtract(ByteSpan salt, ByteSpan ikm);
// OUT_OF_RANGE if out_bytes > kHkdfOutputBytesMax.
Result<SecretBytes> HkdfExpand(ByteSpan prk, ByteSpan info, std::size_t out_bytes);
Result<SecretBytes> Hkdf(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::size_t out_bytes);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_MAC_H_
