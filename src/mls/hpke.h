// HPKE (RFC 9180) in base mode, as MLS uses it: KEM DHKEM(X25519, HKDF-SHA256), KDF HKDF-SHA256,
// and AEAD AES-128-GCM or ChaCha20-Poly1305. Single-shot: a context seals or opens with its
// base nonce (sequence number 0), and exports secrets (RFC 9180 section 5.3).
//
// Encapsulation takes the ephemeral key's input keying material from the caller (32 random bytes
// in production, fixed bytes in known-answer tests); DeriveKeyPair turns it into the key pair.
#ifndef QFS_MLS_HPKE_H_
#define QFS_MLS_HPKE_H_

#include <cstdint>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "crypto/aead.h"

namespace qfs::mls {

inline constexpr std::uint16_t kHpkeKemX25519Sha256 = 0x0020;
inline constexpr std::uint16_t kHpkeKdfSha256 = 0x0001;
inline constexpr std::uint16_t kHpkeAeadAes128Gcm = 0x0001;
inline constexpr std::uint16_t kHpkeAeadChaCha20Poly1305 = 0x0003;
inline constexpr std::size_t kHpkeKeyBytes = 32;  // X25519 private and public keys, enc
// The most an HPKE public key, KEM output or sealed secret may take on the wire (base/limits.h).
using qfs::kHpkeFieldBytesMax;

struct HpkeAead {
  std::uint16_t id = kHpkeAeadAes128Gcm;
  crypto::AeadAlgorithm algorithm = crypto::AeadAlgorithm::kAesGcm;
  std::size_t key_bytes = 16;
};
// The AEAD with RFC 9180 id 1 (AES-128-GCM) or 3 (ChaCha20-Poly1305); UNKNOWN_ALGORITHM otherwise.
Result<HpkeAead> FindHpkeAead(std::uint16_t id);

struct HpkeKeyPair {
  SecretBytes private_key;  // 32 bytes (X25519 scalar, SerializePrivateKey)
  Bytes public_key;         // 32 bytes
};
// DeriveKeyPair(ikm) of DHKEM(X25519, HKDF-SHA256), RFC 9180 section 7.1.3.
HpkeKeyPair HpkeDeriveKeyPair(ByteSpan ikm);
// The public key of a private key. BAD_KEY unless 32 bytes.
Result<Bytes> HpkePublicKey(ByteSpan private_key);

// A single-shot encryption context (sequence number 0).
class HpkeContext {
 public:
  Result<Bytes> Seal(ByteSpan aad, ByteSpan plaintext) const;
  // AUTHENTICATION_FAILED for a forged or damaged ciphertext.
  Result<SecretBytes> Open(ByteSpan aad, ByteSpan ciphertext) const;
  // Export(exporter_context, L), RFC 9180 section 5.3.
  Result<SecretBytes> Export(ByteSpan exporter_context, std::size_t length) const;

 private:
  friend Result<HpkeContext> HpkeKeySchedule(const HpkeAead&, const SecretBytes&, ByteSpan);
  HpkeAead aead_;
  SecretBytes key_;
  SecretBytes base_nonce_;
  SecretBytes exporter_secret_;
};

struct HpkeSender {
  Bytes enc;  // the encapsulated key (kem_output), 32 bytes
  HpkeContext context;
};
// SetupBaseS(pkR, info) with the ephemeral key derived from `ephemeral_ikm` (>= 32 bytes).
// BAD_KEY for a malformed pkR; CRYPTO_FAILURE for a low-order one.
Result<HpkeSender> HpkeSetupBaseS(const HpkeAead& aead, ByteSpan recipient_public_key,
                                  ByteSpan info, ByteSpan ephemeral_ikm);
// SetupBaseR(enc, skR, info).
Result<HpkeContext> HpkeSetupBaseR(const HpkeAead& aead, ByteSpan enc,
                                   const SecretBytes& recipient_private_key, ByteSpan info);

}  // namespace qfs::mls

#endif  // QFS_MLS_HPKE_H_
