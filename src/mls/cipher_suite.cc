#include "mls/cipher_suite.h"

#include <string>

#include "base/check.h"
#include "crypto/curve25519.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "mls/tls_codec.h"

namespace qfs::mls {
namespace {

constexpr std::string_view kLabelPrefix = "MLS 1.0 ";

std::string Labeled(std::string_view label) {
  std::string out(kLabelPrefix);
  out += label;
  return out;
}

// struct { opaque label<V>; opaque content<V>; }: RefHashInput, SignContent, EncryptContext.
Bytes LabeledContent(std::string_view label, ByteSpan content) {
  TlsWriter w;
  w.Opaque(crypto::AsBytes(Labeled(label)));
  w.Opaque(content);
  return w.Take();
}

}  // namespace

Result<CipherSuite> CipherSuite::Find(std::uint16_t id) {
  if (id == kSuiteX25519Aes128GcmSha256Ed25519) {
    return CipherSuite(id, FindHpkeAead(kHpkeAeadAes128Gcm).value());
  }
  if (id == kSuiteX25519ChaCha20Poly1305Sha256Ed25519) {
    return CipherSuite(id, FindHpkeAead(kHpkeAeadChaCha20Poly1305).value());
  }
  return Status(StatusCode::kUnknownAlgorithm,
                "MLS cipher suite " + std::to_string(id) + " is not implemented (only 1 and 3)");
}

Bytes CipherSuite::Hash(ByteSpan data) const {
  const crypto::Digest32 d = crypto::Sha256(data);
  return Bytes(d.begin(), d.end());
}

Bytes CipherSuite::Mac(ByteSpan key, ByteSpan data) const {
  const crypto::Digest32 d = crypto::HmacSha256(key, data);
  return Bytes(d.begin(), d.end());
}

SecretBytes CipherSuite::Extract(ByteSpan salt, ByteSpan ikm) const {
  crypto::Digest32 prk = crypto::HkdfExtract(salt, ikm);
  SecretBytes out{ByteSpan(prk)};
  SecureWipe(prk.data(), prk.size());
  return out;
}

Bytes CipherSuite::RefHash(std::string_view label, ByteSpan value) const {
  TlsWriter w;  // RefHashInput; the label is whole ("MLS 1.0 KeyPackage Reference")
  w.Opaque(crypto::AsBytes(label));
  w.Opaque(value);
  return Hash(w.bytes());
}

SecretBytes CipherSuite::ExpandWithLabel(ByteSpan secret, std::string_view label, ByteSpan context,
                                         std::size_t length) const {
  QFS_CHECK(length <= 255 * hash_bytes());
  TlsWriter info;
  info.U16(static_cast<std::uint16_t>(length));
  info.Opaque(crypto::AsBytes(Labeled(label)));
  info.Opaque(context);
  Result<SecretBytes> out = crypto::HkdfExpand(secret, info.bytes(), length);
  QFS_CHECK(out.ok());
  return std::move(out).value();
}

SecretBytes CipherSuite::DeriveSecret(ByteSpan secret, std::string_view label) const {
  return ExpandWithLabel(secret, label, {}, hash_bytes());
}

SecretBytes CipherSuite::DeriveTreeSecret(ByteSpan secret, std::string_view label,
                                          std::uint32_t generation, std::size_t length) const {
  TlsWriter context;
  context.U32(generation);
  return ExpandWithLabel(secret, label, context.bytes(), length);
}

Result<Bytes> CipherSuite::Seal(ByteSpan key, ByteSpan nonce, ByteSpan aad,
                                ByteSpan plaintext) const {
  return crypto::AeadSeal(aead_.algorithm, key, nonce, aad, plaintext);
}

Result<SecretBytes> CipherSuite::Open(ByteSpan key, ByteSpan nonce, ByteSpan aad,
                                      ByteSpan ciphertext) const {
  return crypto::AeadOpen(aead_.algorithm, key, nonce, aad, ciphertext);
}

SignatureKeyPair CipherSuite::GenerateSignatureKey(crypto::RandomSource& random) const {
  const SecretBytes seed = crypto::RandomSecret(random, crypto::kEd25519SeedBytes);
  Result<SignatureKeyPair> pair = SignatureKeyFromPrivate(seed.span());
  QFS_CHECK(pair.ok());
  return std::move(pair).value();
}

Result<SignatureKeyPair> CipherSuite::SignatureKeyFromPrivate(ByteSpan private_key) const {
  QFS_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair pair, crypto::Ed25519FromSeed(private_key));
  return SignatureKeyPair{SecretBytes(private_key), std::move(pair.public_key)};
}

Result<Bytes> CipherSuite::SignWithLabel(const SecretBytes& private_key, std::string_view label,
                                         ByteSpan content) const {
  QFS_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair pair, crypto::Ed25519FromSeed(private_key.span()));
  return crypto::Ed25519Sign(pair.secret_key, LabeledContent(label, content));
}

Status CipherSuite::VerifyWithLabel(ByteSpan public_key, std::string_view label, ByteSpan content,
                                    ByteSpan signature) const {
  return crypto::Ed25519Verify(public_key, LabeledContent(label, content), signature);
}

HpkeKeyPair CipherSuite::GenerateHpkeKey(crypto::RandomSource& random) const {
  const SecretBytes ikm = crypto::RandomSecret(random, kHpkeKeyBytes);
  return HpkeDeriveKeyPair(ikm.span());
}

Result<HpkeCiphertext> CipherSuite::EncryptWithLabel(ByteSpan public_key, std::string_view label,
                                                     ByteSpan context, ByteSpan plaintext,
                                                     crypto::RandomSource& random) const {
  const SecretBytes ikm = crypto::RandomSecret(random, kHpkeKeyBytes);
  return EncryptWithLabel(public_key, label, context, plaintext, ikm.span());
}

Result<HpkeCiphertext> CipherSuite::EncryptWithLabel(ByteSpan public_key, std::string_view label,
                                                     ByteSpan context, ByteSpan plaintext,
                                                     ByteSpan ephemeral_ikm) const {
  QFS_ASSIGN_OR_RETURN(
      HpkeSender sender,
      HpkeSetupBaseS(aead_, public_key, LabeledContent(label, context), ephemeral_ikm));
  QFS_ASSIGN_OR_RETURN(Bytes ciphertext, sender.context.Seal({}, plaintext));
  return HpkeCiphertext{std::move(sender.enc), std::move(ciphertext)};
}

Result<SecretBytes> CipherSuite::DecryptWithLabel(const SecretBytes& private_key,
                                                  std::string_view label, ByteSpan context,
                                                  ByteSpan kem_output, ByteSpan ciphertext) const {
  QFS_ASSIGN_OR_RETURN(HpkeContext hpke, HpkeSetupBaseR(aead_, kem_output, private_key,
                                                        LabeledContent(label, context)));
  return hpke.Open({}, ciphertext);
}

}  // namespace qfs::mls
