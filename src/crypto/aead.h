// Authenticated encryption: AES-GCM (128/192/256-bit keys) and ChaCha20-Poly1305 (RFC 8439),
// from OpenSSL 3. Seal returns ciphertext || 16-byte tag; Open checks the tag before returning
// any plaintext and fails with AUTHENTICATION_FAILED otherwise.
//
// Nonces: ChaCha20-Poly1305 takes exactly 12 bytes; AES-GCM takes 1..kAesGcmNonceBytesMax bytes
// (12 is the standard size; others are hashed by GHASH per SP 800-38D). Never reuse a nonce
// with the same key.
#ifndef QFS_CRYPTO_AEAD_H_
#define QFS_CRYPTO_AEAD_H_

#include <string_view>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"

namespace qfs::crypto {

enum class AeadAlgorithm { kAesGcm, kChaCha20Poly1305 };

inline constexpr std::size_t kAeadTagBytes = 16;
using qfs::kAesGcmNonceBytesMax;  // base/limits.h

// "aes-gcm" or "chacha20-poly1305".
Result<AeadAlgorithm> ParseAeadAlgorithm(std::string_view name);

// Errors: BAD_KEY (wrong key size), BAD_LENGTH (nonce size), TOO_LARGE (plaintext over
// kAeadPlaintextBytesMax).
Result<Bytes> AeadSeal(AeadAlgorithm algorithm, ByteSpan key, ByteSpan nonce, ByteSpan aad,
                       ByteSpan plaintext);
// `sealed` is ciphertext || tag. Errors as Seal, plus AUTHENTICATION_FAILED.
Result<SecretBytes> AeadOpen(AeadAlgorithm algorithm, ByteSpan key, ByteSpan nonce, ByteSpan aad,
                             ByteSpan sealed);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_AEAD_H_
