// X25519 (RFC 7748) and Ed25519 (RFC 8032), from libsodium.
//
// Ed25519 verification is libsodium's: canonical S (< L) and canonical encodings required,
// small-order public keys and R rejected, cofactorless equation. The signature scheme registry
// (signature.h) is the interface the rest of QFS uses; these are the raw primitives.
#ifndef QFS_CRYPTO_CURVE25519_H_
#define QFS_CRYPTO_CURVE25519_H_

#include <array>

#include "base/bytes.h"
#include "base/status.h"

namespace qfs::crypto {

inline constexpr std::size_t kX25519KeyBytes = 32;
inline constexpr std::size_t kEd25519SeedBytes = 32;
inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

// The public key of a 32-byte private scalar (clamped per RFC 7748).
Result<Bytes> X25519PublicKey(ByteSpan private_key);
// The shared secret. BAD_KEY for wrong sizes; CRYPTO_FAILURE when the result is all zero (a
// low-order peer key), which RFC 7748 section 6.1 says to reject.
Result<SecretBytes> X25519(ByteSpan private_key, ByteSpan peer_public_key);

struct Ed25519KeyPair {
  Bytes public_key;        // 32 bytes
  SecretBytes secret_key;  // libsodium form: seed || public key (64 bytes)
};
Result<Ed25519KeyPair> Ed25519FromSeed(ByteSpan seed);
Result<Bytes> Ed25519Sign(const SecretBytes& secret_key, ByteSpan message);
// OK, or BAD_SIGNATURE / BAD_KEY.
Status Ed25519Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_CURVE25519_H_
