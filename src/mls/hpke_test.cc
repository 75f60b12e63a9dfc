#include "mls/hpke.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"
#include "crypto/random.h"

namespace qfs::mls {
namespace {

Bytes Hex(std::string_view s) { return HexDecode(s).value(); }

// RFC 9180 appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.
TEST(Hpke, Rfc9180AppendixA11) {
  const HpkeAead aead = FindHpkeAead(kHpkeAeadAes128Gcm).value();
  const Bytes info = Hex("4f6465206f6e2061204772656369616e2055726e");
  const HpkeKeyPair ephemeral =
      HpkeDeriveKeyPair(Hex("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"));
  EXPECT_EQ(HexEncode(ephemeral.private_key.span()),
            "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736");
  EXPECT_EQ(HexEncode(ephemeral.public_key),
            "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  const HpkeKeyPair recipient =
      HpkeDeriveKeyPair(Hex("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"));
  EXPECT_EQ(HexEncode(recipient.private_key.span()),
            "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
  EXPECT_EQ(HexEncode(recipient.public_key),
            "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");

  HpkeSender sender =
      HpkeSetupBaseS(aead, recipient.public_key, info,
                     Hex("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"))
          .value();
  EXPECT_EQ(HexEncode(sender.enc),
            "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  const Bytes aad = Hex("436f756e742d30");  // "Count-0"
  const Bytes plaintext = Hex("4265617574792069732074727574682c20747275746820626561757479");
  const Bytes sealed = sender.context.Seal(aad, plaintext).value();
  EXPECT_EQ(HexEncode(sealed),
            "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e1"
            "3c512a");
  const HpkeContext receiver =
      HpkeSetupBaseR(aead, sender.enc, recipient.private_key, info).value();
  EXPECT_EQ(HexEncode(receiver.Open(aad, sealed).value().span()), HexEncode(plaintext));
  EXPECT_EQ(HexEncode(receiver.Export(Hex("00"), 32).value().span()),
            HexEncode(sender.context.Export(Hex("00"), 32).value().span()));
}

TEST(Hpke, BothAeadsRoundTripAndRefuseTampering) {
  for (std::uint16_t id : {kHpkeAeadAes128Gcm, kHpkeAeadChaCha20Poly1305}) {
    const HpkeAead aead = FindHpkeAead(id).value();
    const SecretBytes ikm = crypto::RandomSecret(crypto::SystemRandom(), 32);
    const HpkeKeyPair recipient = HpkeDeriveKeyPair(ikm.span());
    const SecretBytes eph = crypto::RandomSecret(crypto::SystemRandom(), 32);
    HpkeSender s = HpkeSetupBaseS(aead, recipient.public_key, Hex("0102"), eph.span()).value();
    Bytes sealed = s.context.Seal(Hex("aa"), Hex("68656c6c6f")).value();
    const HpkeContext r = HpkeSetupBaseR(aead, s.enc, recipient.private_key, Hex("0102")).value();
    EXPECT_EQ(HexEncode(r.Open(Hex("aa"), sealed).value().span()), "68656c6c6f");
    EXPECT_EQ(r.Open(Hex("ab"), sealed).status().code(), StatusCode::kAuthenticationFailed);
    sealed[0] ^= 1;
    EXPECT_EQ(r.Open(Hex("aa"), sealed).status().code(), StatusCode::kAuthenticationFailed);
    const HpkeContext wrong_info =
        HpkeSetupBaseR(aead, s.enc, recipient.private_key, Hex("0103")).value();
    sealed[0] ^= 1;
    EXPECT_EQ(wrong_info.Open(Hex("aa"), sealed).status().code(),
              StatusCode::kAuthenticationFailed);
  }
  EXPECT_EQ(FindHpkeAead(2).status().code(), StatusCode::kUnknownAlgorithm);
}

TEST(Hpke, RefusesMalformedAndLowOrderKeys) {
  const HpkeAead aead = FindHpkeAead(kHpkeAeadAes128Gcm).value();
  const Bytes ikm(32, 7);
  EXPECT_EQ(HpkeSetupBaseS(aead, Bytes(31, 1), {}, ikm).status().code(), StatusCode::kBadKey);
  // The all-zero point has order 1: the shared secret would be zero (RFC 7748 section 6.1).
  EXPECT_EQ(HpkeSetupBaseS(aead, Bytes(32, 0), {}, ikm).status().code(),
            StatusCode::kCryptoFailure);
  const HpkeKeyPair r = HpkeDeriveKeyPair(ikm);
  EXPECT_EQ(HpkeSetupBaseR(aead, Bytes(33, 1), r.private_key, {}).status().code(),
            StatusCode::kBadLength);
}

}  // namespace
}  // namespace qfs::mls
