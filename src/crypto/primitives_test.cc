#include <gtest/gtest.h>

#include "base/limits.h"
#include "base/text_encoding.h"
#include "crypto/aead.h"
#include "crypto/curve25519.h"
#include "crypto/mac.h"
#include "crypto/random.h"
#include "crypto/signature.h"

namespace qfs::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

// RFC 4231 test case 2.
TEST(Hmac, Rfc4231) {
  Digest32 tag = HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"));
  EXPECT_EQ(HexEncode(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(HmacSha256Verify(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"), tag));
  EXPECT_TRUE(HmacSha256Verify(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"),
                               ByteSpan(tag).first(16)));
  EXPECT_FALSE(HmacSha256Verify(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"),
                                ByteSpan(tag).first(15)));  // too short to mean anything
  tag[31] ^= 1;
  EXPECT_FALSE(HmacSha256Verify(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"), tag));
}

// RFC 5869 test case 1.
TEST(Hkdf, Rfc5869) {
  SecretBytes okm =
      Hkdf(H("000102030405060708090a0b0c"), H("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
           H("f0f1f2f3f4f5f6f7f8f9"), 42)
          .value();
  EXPECT_EQ(HexEncode(okm.span()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  EXPECT_EQ(Hkdf({}, H("00"), {}, 8161).code(), StatusCode::kOutOfRange);
}

TEST(Aead, SealOpenAndTamper) {
  Bytes key(32, 7), nonce(12, 9), aad = H("0102");
  for (AeadAlgorithm alg : {AeadAlgorithm::kAesGcm, AeadAlgorithm::kChaCha20Poly1305}) {
    Bytes sealed = AeadSeal(alg, key, nonce, aad, AsBytes("attack at dawn")).value();
    EXPECT_EQ(sealed.size(), 14 + kAeadTagBytes);
    SecretBytes plain = AeadOpen(alg, key, nonce, aad, sealed).value();
    EXPECT_EQ(std::string(plain.data(), plain.data() + plain.size()), "attack at dawn");
    sealed[0] ^= 1;
    EXPECT_EQ(AeadOpen(alg, key, nonce, aad, sealed).code(), StatusCode::kAuthenticationFailed);
    sealed[0] ^= 1;
    EXPECT_EQ(AeadOpen(alg, key, nonce, H("0103"), sealed).code(),
              StatusCode::kAuthenticationFailed);
    EXPECT_EQ(AeadOpen(alg, key, nonce, aad, ByteSpan(sealed).first(5)).code(),
              StatusCode::kAuthenticationFailed);
  }
  EXPECT_EQ(AeadSeal(AeadAlgorithm::kAesGcm, Bytes(15), nonce, {}, {}).code(), StatusCode::kBadKey);
  EXPECT_EQ(AeadSeal(AeadAlgorithm::kChaCha20Poly1305, key, Bytes(8), {}, {}).code(),
            StatusCode::kBadLength);
  EXPECT_EQ(AeadSeal(AeadAlgorithm::kAesGcm, key, Bytes(), {}, {}).code(), StatusCode::kBadLength);
  EXPECT_EQ(ParseAeadAlgorithm("rot13").code(), StatusCode::kUnknownAlgorithm);
}

// RFC 7748 section 6.1.
TEST(X25519, Rfc7748DiffieHellman) {
  Bytes alice = H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  Bytes bob = H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  Bytes alice_pub = X25519PublicKey(alice).value();
  Bytes bob_pub = X25519PublicKey(bob).value();
  EXPECT_EQ(HexEncode(alice_pub),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  SecretBytes k1 = X25519(alice, bob_pub).value();
  SecretBytes k2 = X25519(bob, alice_pub).value();
  EXPECT_TRUE(k1 == k2);
  EXPECT_EQ(HexEncode(k1.span()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(X25519(alice, Bytes(32, 0)).code(), StatusCode::kCryptoFailure);  // low order
}

// RFC 8032 section 7.1, test 1 (empty message).
TEST(Ed25519, Rfc8032) {
  Ed25519KeyPair kp =
      Ed25519FromSeed(H("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
          .value();
  EXPECT_EQ(HexEncode(kp.public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Bytes sig = Ed25519Sign(kp.secret_key, {}).value();
  EXPECT_EQ(HexEncode(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
            "701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(Ed25519Verify(kp.public_key, {}, sig).ok());
  sig[0] ^= 1;
  EXPECT_EQ(Ed25519Verify(kp.public_key, {}, sig).code(), StatusCode::kBadSignature);
}

TEST(SignatureRegistry, Ed25519ThroughTheRegistry) {
  const SignatureRegistry& r = SignatureRegistry::Default();
  const SignatureScheme* s = r.Find(SignatureAlgorithm::kEd25519).value();
  EXPECT_EQ(r.FindByName("ed25519").value(), s);
  EXPECT_EQ(r.Find(std::uint16_t{999}).code(), StatusCode::kUnknownAlgorithm);
  SignatureKeyPair kp = s->KeyPairFromSeed(Bytes(32, 1)).value();
  Bytes sig = s->Sign(kp.secret_key, AsBytes("m")).value();
  EXPECT_TRUE(s->Verify(kp.public_key, AsBytes("m"), sig).ok());
  EXPECT_EQ(s->Verify(kp.public_key, AsBytes("n"), sig).code(), StatusCode::kBadSignature);
  EXPECT_EQ(s->KeyPairFromSeed(Bytes(31)).code(), StatusCode::kBadKey);
}

TEST(SignatureRegistry, EveryBuiltInSchemeSignsAndVerifies) {
  const SignatureRegistry& r = SignatureRegistry::Default();
  EXPECT_EQ(r.default_algorithm(), SignatureAlgorithm::kEd25519MlDsa65);
  EXPECT_EQ(r.schemes().size(), 5u);
  for (const SignatureScheme* s : r.schemes()) {
    SignatureKeyPair kp = s->KeyPairFromSeed(Bytes(s->seed_bytes(), 9)).value();
    EXPECT_EQ(kp.public_key.size(), s->public_key_bytes()) << s->name();
    Bytes sig = s->Sign(kp.secret_key, AsBytes("hello")).value();
    EXPECT_EQ(sig.size(), s->signature_bytes()) << s->name();
    EXPECT_TRUE(s->Verify(kp.public_key, AsBytes("hello"), sig).ok()) << s->name();
    EXPECT_EQ(s->Verify(kp.public_key, AsBytes("hellO"), sig).code(), StatusCode::kBadSignature)
        << s->name();
    EXPECT_EQ(r.FindByName(s->name()).value(), s);
  }
}

// base/limits.h works the batch limit and the key-file size out from the largest signature and
// keys: they must be the largest of the registered schemes, exactly.
TEST(SignatureRegistry, TheLargestSizesAreTheOnesInLimits) {
  std::size_t signature = 0, public_key = 0, secret_key = 0;
  for (const SignatureScheme* s : SignatureRegistry::Default().schemes()) {
    SignatureKeyPair kp = s->KeyPairFromSeed(Bytes(s->seed_bytes(), 9)).value();
    signature = std::max(signature, s->signature_bytes());
    public_key = std::max(public_key, s->public_key_bytes());
    secret_key = std::max(secret_key, kp.secret_key.size());
  }
  EXPECT_EQ(signature, kSignatureBytesLargest);
  EXPECT_EQ(public_key, kSignaturePublicKeyBytesLargest);
  EXPECT_EQ(secret_key, kSignatureSecretKeyBytesLargest);
}

TEST(HybridSignature, BothHalvesMustVerifyAndAreDomainSeparated) {
  const SignatureScheme* h = SignatureRegistry::Default().FindByName("ed25519+ml-dsa-65").value();
  const SignatureScheme* ed = SignatureRegistry::Default().FindByName("ed25519").value();
  Bytes seed(64, 3);
  SignatureKeyPair kp = h->KeyPairFromSeed(seed).value();
  Bytes sig = h->Sign(kp.secret_key, AsBytes("transfer 5 ATR")).value();
  ASSERT_TRUE(h->Verify(kp.public_key, AsBytes("transfer 5 ATR"), sig).ok());
  Bytes broken_ed = sig;
  broken_ed[3] ^= 1;
  Status s = h->Verify(kp.public_key, AsBytes("transfer 5 ATR"), broken_ed);
  EXPECT_EQ(s.code(), StatusCode::kBadSignature);
  EXPECT_NE(s.message().find("Ed25519 half"), std::string::npos);
  Bytes broken_dsa = sig;
  broken_dsa[200] ^= 1;
  s = h->Verify(kp.public_key, AsBytes("transfer 5 ATR"), broken_dsa);
  EXPECT_EQ(s.code(), StatusCode::kBadSignature);
  EXPECT_NE(s.message().find("ML-DSA-65 half"), std::string::npos);
  // The Ed25519 half is not a valid plain Ed25519 signature over the message (domain tag).
  EXPECT_FALSE(ed->Verify(ByteSpan(kp.public_key).first(32), AsBytes("transfer 5 ATR"),
                          ByteSpan(sig).first(64))
                   .ok());
  EXPECT_EQ(h->Verify(ByteSpan(kp.public_key).first(100), AsBytes("x"), sig).code(),
            StatusCode::kBadKey);
  EXPECT_EQ(h->Verify(kp.public_key, AsBytes("x"), ByteSpan(sig).first(100)).code(),
            StatusCode::kBadSignature);
}

TEST(Random, SystemRandomFillsAndDiffers) {
  SecretBytes a = RandomSecret(SystemRandom(), 32);
  SecretBytes b = RandomSecret(SystemRandom(), 32);
  EXPECT_FALSE(a == b);  // 2^-256 chance of a false failure
}

}  // namespace
}  // namespace qfs::crypto
