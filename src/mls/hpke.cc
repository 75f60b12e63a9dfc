#include "mls/hpke.h"

#include <string_view>

#include "base/check.h"
#include "crypto/curve25519.h"
#include "crypto/hash.h"
#include "crypto/mac.h"

namespace qfs::mls {
namespace {

constexpr std::uint8_t kModeBase = 0x00;
constexpr std::size_t kNh = 32;  // HKDF-SHA256
constexpr std::size_t kNonceBytes = 12;

void PutU16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void Append(Bytes& out, ByteSpan data) { out.insert(out.end(), data.begin(), data.end()); }

// The suite_id of RFC 9180 section 4: "KEM" || kem_id for the KEM, "HPKE" || ids otherwise.
Bytes KemSuiteId() {
  Bytes id = {'K', 'E', 'M'};
  PutU16(id, kHpkeKemX25519Sha256);
  return id;
}

Bytes HpkeSuiteId(const HpkeAead& aead) {
  Bytes id = {'H', 'P', 'K', 'E'};
  PutU16(id, kHpkeKemX25519Sha256);
  PutU16(id, kHpkeKdfSha256);
  PutU16(id, aead.id);
  return id;
}

// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm).
SecretBytes LabeledExtract(ByteSpan suite_id, ByteSpan salt, std::string_view label, ByteSpan ikm) {
  SecretBytes input;
  Bytes prefix = {'H', 'P', 'K', 'E', '-', 'v', '1'};
  Append(prefix, suite_id);
  Append(prefix, crypto::AsBytes(label));
  input.resize(prefix.size() + ikm.size());
  std::copy(prefix.begin(), prefix.end(), input.data());
  std::copy(ikm.begin(), ikm.end(), input.data() + prefix.size());
  crypto::Digest32 prk = crypto::HkdfExtract(salt, input.span());
  SecretBytes out(prk);
  SecureWipe(prk.data(), prk.size());
  return out;
}

// LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id ||
// label || info, L).
SecretBytes LabeledExpand(ByteSpan suite_id, const SecretBytes& prk, std::string_view label,
                          ByteSpan info, std::size_t length) {
  QFS_CHECK(length <= 0xFFFF);
  Bytes labeled;
  PutU16(labeled, static_cast<std::uint16_t>(length));
  Append(labeled, crypto::AsBytes("HPKE-v1"));
  Append(labeled, suite_id);
  Append(labeled, crypto::AsBytes(label));
  Append(labeled, info);
  Result<SecretBytes> out = crypto::HkdfExpand(prk.span(), labeled, length);
  QFS_CHECK(out.ok());  // length <= 255 * Nh for every caller here
  return std::move(out).value();
}

// ExtractAndExpand(dh, kem_context) of DHKEM, section 4.1.
SecretBytes KemSharedSecret(const SecretBytes& dh, ByteSpan enc, ByteSpan recipient_public_key) {
  const Bytes suite = KemSuiteId();
  Bytes kem_context(enc.begin(), enc.end());
  Append(kem_context, recipient_public_key);
  const SecretBytes eae_prk = LabeledExtract(suite, {}, "eae_prk", dh.span());
  return LabeledExpand(suite, eae_prk, "shared_secret", kem_context, kNh);
}

}  // namespace

Result<HpkeAead> FindHpkeAead(std::uint16_t id) {
  if (id == kHpkeAeadAes128Gcm) return HpkeAead{id, crypto::AeadAlgorithm::kAesGcm, 16};
  if (id == kHpkeAeadChaCha20Poly1305) {
    return HpkeAead{id, crypto::AeadAlgorithm::kChaCha20Poly1305, 32};
  }
  return Status(StatusCode::kUnknownAlgorithm, "HPKE AEAD " + std::to_string(id));
}

HpkeKeyPair HpkeDeriveKeyPair(ByteSpan ikm) {
  const Bytes suite = KemSuiteId();
  const SecretBytes dkp_prk = LabeledExtract(suite, {}, "dkp_prk", ikm);
  HpkeKeyPair pair;
  pair.private_key = LabeledExpand(suite, dkp_prk, "sk", {}, kHpkeKeyBytes);
  Result<Bytes> pub = crypto::X25519PublicKey(pair.private_key.span());
  QFS_CHECK(pub.ok());  // 32 bytes by construction
  pair.public_key = std::move(pub).value();
  return pair;
}

Result<Bytes> HpkePublicKey(ByteSpan private_key) { return crypto::X25519PublicKey(private_key); }

// KeySchedule<ROLE>(mode_base, shared_secret, info, "", ""), section 5.1.
Result<HpkeContext> HpkeKeySchedule(const HpkeAead& aead, const SecretBytes& shared_secret,
                                    ByteSpan info) {
  const Bytes suite = HpkeSuiteId(aead);
  const SecretBytes psk_id_hash = LabeledExtract(suite, {}, "psk_id_hash", {});
  const SecretBytes info_hash = LabeledExtract(suite, {}, "info_hash", info);
  Bytes context = {kModeBase};
  Append(context, psk_id_hash.span());
  Append(context, info_hash.span());
  const SecretBytes secret = LabeledExtract(suite, shared_secret.span(), "secret", {});
  HpkeContext c;
  c.aead_ = aead;
  c.key_ = LabeledExpand(suite, secret, "key", context, aead.key_bytes);
  c.base_nonce_ = LabeledExpand(suite, secret, "base_nonce", context, kNonceBytes);
  c.exporter_secret_ = LabeledExpand(suite, secret, "exp", context, kNh);
  return c;
}

Result<Bytes> HpkeContext::Seal(ByteSpan aad, ByteSpan plaintext) const {
  return crypto::AeadSeal(aead_.algorithm, key_.span(), base_nonce_.span(), aad, plaintext);
}

Result<SecretBytes> HpkeContext::Open(ByteSpan aad, ByteSpan ciphertext) const {
  return crypto::AeadOpen(aead_.algorithm, key_.span(), base_nonce_.span(), aad, ciphertext);
}

Result<SecretBytes> HpkeContext::Export(ByteSpan exporter_context, std::size_t length) const {
  if (length > 255 * kNh) {
    return Status(StatusCode::kOutOfRange, "HPKE export is at most 8160 bytes");
  }
  return LabeledExpand(HpkeSuiteId(aead_), exporter_secret_, "sec", exporter_context, length);
}

Result<HpkeSender> HpkeSetupBaseS(const HpkeAead& aead, ByteSpan recipient_public_key,
                                  ByteSpan info, ByteSpan ephemeral_ikm) {
  if (recipient_public_key.size() != kHpkeKeyBytes) {
    return Status(StatusCode::kBadKey, "HPKE public key must be 32 bytes");
  }
  QFS_CHECK(ephemeral_ikm.size() >= kHpkeKeyBytes);
  HpkeKeyPair ephemeral = HpkeDeriveKeyPair(ephemeral_ikm);
  QFS_ASSIGN_OR_RETURN(SecretBytes dh,
                       crypto::X25519(ephemeral.private_key.span(), recipient_public_key));
  const SecretBytes shared = KemSharedSecret(dh, ephemeral.public_key, recipient_public_key);
  QFS_ASSIGN_OR_RETURN(HpkeContext context, HpkeKeySchedule(aead, shared, info));
  return HpkeSender{std::move(ephemeral.public_key), std::move(context)};
}

Result<HpkeContext> HpkeSetupBaseR(const HpkeAead& aead, ByteSpan enc,
                                   const SecretBytes& recipient_private_key, ByteSpan info) {
  if (enc.size() != kHpkeKeyBytes) {
    return Status(StatusCode::kBadLength, "HPKE encapsulated key must be 32 bytes");
  }
  QFS_ASSIGN_OR_RETURN(Bytes public_key, crypto::X25519PublicKey(recipient_private_key.span()));
  QFS_ASSIGN_OR_RETURN(SecretBytes dh, crypto::X25519(recipient_private_key.span(), enc));
  const SecretBytes shared = KemSharedSecret(dh, enc, public_key);
  return HpkeKeySchedule(aead, shared, info);
}

}  // namespace qfs::mls
