// An MLS cipher suite (RFC 9420 section 5.1) and the labeled operations built on it: RefHash,
// ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel / VerifyWithLabel and
// EncryptWithLabel / DecryptWithLabel (sections 5.1.1-5.2).
//
// Suites implemented: 1 MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 and
// 3 MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519. Both hash with SHA-256 (Nh = 32),
// use HKDF-SHA256, DHKEM(X25519) and Ed25519; they differ only in the AEAD.
//
// Signature private keys are 32-byte Ed25519 seeds; HPKE private keys are 32-byte X25519
// scalars (the test vectors' formats).
#ifndef QFS_MLS_CIPHER_SUITE_H_
#define QFS_MLS_CIPHER_SUITE_H_

#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"
#include "mls/hpke.h"

namespace qfs::mls {

inline constexpr std::uint16_t kSuiteX25519Aes128GcmSha256Ed25519 = 1;
inline constexpr std::uint16_t kSuiteX25519ChaCha20Poly1305Sha256Ed25519 = 3;

struct SignatureKeyPair {
  SecretBytes private_key;  // the 32-byte Ed25519 seed
  Bytes public_key;         // 32 bytes
};

struct HpkeCiphertext {
  Bytes kem_output;
  Bytes ciphertext;
};

class CipherSuite {
 public:
  // Suite 1 or 3; UNKNOWN_ALGORITHM for any other (the caller may report it as unsupported).
  static Result<CipherSuite> Find(std::uint16_t id);

  std::uint16_t id() const { return id_; }
  std::size_t hash_bytes() const { return 32; }  // Nh, also the KDF's output size
  std::size_t aead_key_bytes() const { return aead_.key_bytes; }
  std::size_t aead_nonce_bytes() const { return 12; }
  const HpkeAead& hpke_aead() const { return aead_; }

  Bytes Hash(ByteSpan data) const;
  Bytes Mac(ByteSpan key, ByteSpan data) const;
  // KDF.Extract(salt, ikm).
  SecretBytes Extract(ByteSpan salt, ByteSpan ikm) const;
  // RefHash(label, value) = Hash(RefHashInput{label, value}); unlike the other labeled
  // operations the label is given whole, e.g. "MLS 1.0 KeyPackage Reference".
  Bytes RefHash(std::string_view label, ByteSpan value) const;
  // ExpandWithLabel(secret, label, context, length); requires length <= 255 * Nh.
  SecretBytes ExpandWithLabel(ByteSpan secret, std::string_view label, ByteSpan context,
                              std::size_t length) const;
  SecretBytes DeriveSecret(ByteSpan secret, std::string_view label) const;
  SecretBytes DeriveTreeSecret(ByteSpan secret, std::string_view label, std::uint32_t generation,
                               std::size_t length) const;

  Result<Bytes> Seal(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) const;
  Result<SecretBytes> Open(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan ciphertext) const;

  // Signature keys.
  SignatureKeyPair GenerateSignatureKey(crypto::RandomSource& random) const;
  Result<SignatureKeyPair> SignatureKeyFromPrivate(ByteSpan private_key) const;
  Result<Bytes> SignWithLabel(const SecretBytes& private_key, std::string_view label,
                              ByteSpan content) const;
  // OK, or BAD_SIGNATURE / BAD_KEY.
  Status VerifyWithLabel(ByteSpan public_key, std::string_view label, ByteSpan content,
                         ByteSpan signature) const;

  // HPKE keys.
  HpkeKeyPair GenerateHpkeKey(crypto::RandomSource& random) const;
  HpkeKeyPair DeriveHpkeKey(ByteSpan ikm) const { return HpkeDeriveKeyPair(ikm); }
  Result<HpkeCiphertext> EncryptWithLabel(ByteSpan public_key, std::string_view label,
                                          ByteSpan context, ByteSpan plaintext,
                                          crypto::RandomSource& random) const;
  // The same with the ephemeral key's input keying material given (kHpkeKeyBytes drawn by the
  // caller), so that independent encryptions can run on several threads.
  Result<HpkeCiphertext> EncryptWithLabel(ByteSpan public_key, std::string_view label,
                                          ByteSpan context, ByteSpan plaintext,
                                          ByteSpan ephemeral_ikm) const;
  Result<SecretBytes> DecryptWithLabel(const SecretBytes& private_key, std::string_view label,
                                       ByteSpan context, ByteSpan kem_output,
                                       ByteSpan ciphertext) const;

 private:
  CipherSuite(std::uint16_t id, HpkeAead aead) : id_(id), aead_(aead) {}

  std::uint16_t id_;
  HpkeAead aead_;
};

}  // namespace qfs::mls

#endif  // QFS_MLS_CIPHER_SUITE_H_
