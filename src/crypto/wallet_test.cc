#include "crypto/wallet.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"

namespace qfs::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

// ethers.js documents hashMessage("Hello World").
TEST(Wallet, Eip191Hash) {
  EXPECT_EQ(HexEncode(Eip191Hash(AsBytes("Hello World"))),
            "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2");
}

TEST(Wallet, SignRecoverRoundTrip) {
  Bytes sk = H("0000000000000000000000000000000000000000000000000000000000000001");
  Digest32 digest = Eip191Hash(AsBytes("Sign this message to login to ATLAS: 42"));
  Bytes sig = EcdsaSignRecoverable(sk, digest).value();
  Address a = RecoverAddress(AsBytes("Sign this message to login to ATLAS: 42"), sig).value();
  EXPECT_EQ(ChecksumAddress(a), "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  sig[64] += 27;  // the 27/28 convention recovers the same key
  EXPECT_EQ(RecoverAddress(AsBytes("Sign this message to login to ATLAS: 42"), sig).value(), a);
  EXPECT_NE(RecoverAddress(AsBytes("another message"), sig).value(), a);
  sig[64] = 5;
  EXPECT_EQ(RecoverAddress(AsBytes("x"), sig).code(), StatusCode::kBadSignature);
}

// n - s for a 32-byte big-endian s.
Bytes NegateS(ByteSpan s) {
  Bytes n = H("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  Bytes out(32);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - s[i] - borrow;
    borrow = d < 0;
    out[i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

TEST(Wallet, HighSIsRejectedEverywhere) {
  Bytes sk = H("00000000000000000000000000000000000000000000000000000000000000aa");
  Digest32 digest = Sha256(AsBytes("payload"));
  Bytes sig = EcdsaSignRecoverable(sk, digest).value();
  Bytes pk = Secp256k1PublicKey(sk, true).value();
  Bytes compact(sig.begin(), sig.begin() + 64);
  EXPECT_TRUE(EcdsaVerify(pk, digest, compact, EcdsaEncoding::kCompact).ok());
  Bytes high = compact;
  Bytes neg = NegateS(ByteSpan(compact).subspan(32));
  std::copy(neg.begin(), neg.end(), high.begin() + 32);
  EXPECT_EQ(EcdsaVerify(pk, digest, high, EcdsaEncoding::kCompact).code(),
            StatusCode::kBadSignature);
  Bytes high_recoverable = high;
  high_recoverable.push_back(sig[64] ^ 1);
  EXPECT_EQ(RecoverPublicKey(digest, high_recoverable).code(), StatusCode::kBadSignature);
}

TEST(Wallet, DerMustBeStrict) {
  Bytes sk = H("00000000000000000000000000000000000000000000000000000000000000bb");
  Digest32 digest = Keccak256(AsBytes("payload"));
  Bytes sig = EcdsaSignRecoverable(sk, digest).value();
  Bytes pk = Secp256k1PublicKey(sk, false).value();
  // Build strict DER by hand from r || s.
  auto integer = [](ByteSpan v) {
    std::size_t i = 0;
    while (i < 31 && v[i] == 0) ++i;
    Bytes out(v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    if (out[0] & 0x80) out.insert(out.begin(), 0);
    out.insert(out.begin(), static_cast<std::uint8_t>(out.size()));
    out.insert(out.begin(), 0x02);
    return out;
  };
  Bytes r = integer(ByteSpan(sig).first(32)), s = integer(ByteSpan(sig).subspan(32, 32));
  Bytes der = {0x30, static_cast<std::uint8_t>(r.size() + s.size())};
  der.insert(der.end(), r.begin(), r.end());
  der.insert(der.end(), s.begin(), s.end());
  EXPECT_TRUE(EcdsaVerify(pk, digest, der, EcdsaEncoding::kDer).ok());
  Bytes padded = der;  // a redundant leading zero in r is not strict DER
  padded[1] += 1;
  padded[3] += 1;
  padded.insert(padded.begin() + 4, 0x00);
  EXPECT_EQ(EcdsaVerify(pk, digest, padded, EcdsaEncoding::kDer).code(), StatusCode::kBadSignature);
  EXPECT_EQ(EcdsaVerify(pk, ByteSpan(digest).first(31), der, EcdsaEncoding::kDer).code(),
            StatusCode::kBadLength);
  EXPECT_EQ(EcdsaVerify(Bytes(33, 5), digest, der, EcdsaEncoding::kDer).code(),
            StatusCode::kBadKey);
}

TEST(Wallet, AddressParsingAndChecksum) {
  Address a = ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").value();
  EXPECT_EQ(ChecksumAddress(a), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_TRUE(ParseAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").ok());
  EXPECT_TRUE(ParseAddress("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").ok());
  EXPECT_EQ(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").code(),
            StatusCode::kNonCanonical);
  EXPECT_EQ(ParseAddress("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").code(),
            StatusCode::kParseError);
  EXPECT_EQ(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg").code(),
            StatusCode::kParseError);
  EXPECT_EQ(Secp256k1PublicKey(Bytes(32, 0), true).code(), StatusCode::kBadKey);
}

}  // namespace
}  // namespace qfs::crypto
