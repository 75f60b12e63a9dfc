#include "crypto/mldsa.h"

#include <gtest/gtest.h>

namespace qfs::crypto {
namespace {

class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::uint8_t v) : v_(v) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) b = v_++;
  }

 private:
  std::uint8_t v_;
};

TEST(MlDsa, SizesMatchFips204) {
  EXPECT_EQ(GetMlDsaSizes(MlDsaParameterSet::k44).public_key_bytes, 1312u);
  EXPECT_EQ(GetMlDsaSizes(MlDsaParameterSet::k44).secret_key_bytes, 2560u);
  EXPECT_EQ(GetMlDsaSizes(MlDsaParameterSet::k44).signature_bytes, 2420u);
  EXPECT_EQ(GetMlDsaSizes(MlDsaParameterSet::k65).signature_bytes, 3309u);
  EXPECT_EQ(GetMlDsaSizes(MlDsaParameterSet::k87).public_key_bytes, 2592u);
  EXPECT_EQ(GetMlDsaSizes(MlDsaParameterSet::k87).signature_bytes, 4627u);
}

TEST(MlDsa, HedgedSignaturesDifferAndVerifyWithContext) {
  MlDsaKeyPair kp = MlDsaKeyGen(MlDsaParameterSet::k65, Bytes(32, 1)).value();
  Bytes msg = {1, 2, 3}, ctx = {9, 9};
  FixedRandom r1(1), r2(2);
  Bytes a =
      MlDsaSign(MlDsaParameterSet::k65, kp.secret_key.span(), msg, ctx, MlDsaRandomness::Hedged(r1))
          .value();
  Bytes b =
      MlDsaSign(MlDsaParameterSet::k65, kp.secret_key.span(), msg, ctx, MlDsaRandomness::Hedged(r2))
          .value();
  EXPECT_NE(a, b);
  EXPECT_TRUE(MlDsaVerify(MlDsaParameterSet::k65, kp.public_key, msg, ctx, a).ok());
  EXPECT_TRUE(MlDsaVerify(MlDsaParameterSet::k65, kp.public_key, msg, ctx, b).ok());
  EXPECT_EQ(MlDsaVerify(MlDsaParameterSet::k65, kp.public_key, msg, {}, a).code(),
            StatusCode::kBadSignature);  // the context is bound
}

TEST(MlDsa, RejectsBadInput) {
  MlDsaKeyPair kp = MlDsaKeyGen(MlDsaParameterSet::k44, Bytes(32, 2)).value();
  Bytes msg = {7};
  EXPECT_EQ(MlDsaSign(MlDsaParameterSet::k44, kp.secret_key.span(), msg, Bytes(256),
                      MlDsaRandomness::Deterministic())
                .code(),
            StatusCode::kBadLength);
  EXPECT_EQ(MlDsaSign(MlDsaParameterSet::k65, kp.secret_key.span(), msg, {},
                      MlDsaRandomness::Deterministic())
                .code(),
            StatusCode::kBadKey);
  Bytes sig = MlDsaSign(MlDsaParameterSet::k44, kp.secret_key.span(), msg, {},
                        MlDsaRandomness::Deterministic())
                  .value();
  EXPECT_EQ(MlDsaVerify(MlDsaParameterSet::k44, Bytes(10), msg, {}, sig).code(),
            StatusCode::kBadKey);
  EXPECT_EQ(MlDsaVerify(MlDsaParameterSet::k44, kp.public_key, msg, {}, Bytes(10)).code(),
            StatusCode::kBadSignature);
  // A hint section whose last count exceeds omega is malformed.
  Bytes bad_hint = sig;
  bad_hint.back() = 200;
  EXPECT_EQ(MlDsaVerify(MlDsaParameterSet::k44, kp.public_key, msg, {}, bad_hint).code(),
            StatusCode::kBadSignature);
  // A secret key whose s1 encodes a value outside [-eta, eta] is refused.
  SecretBytes bad_sk = kp.secret_key.Clone();
  bad_sk.data()[128] = 0xFF;
  EXPECT_EQ(
      MlDsaSign(MlDsaParameterSet::k44, bad_sk.span(), msg, {}, MlDsaRandomness::Deterministic())
          .code(),
      StatusCode::kBadKey);
  EXPECT_EQ(ParseMlDsaPreHash("MD5").code(), StatusCode::kUnknownAlgorithm);
}

TEST(MlDsa, ExternalMuEqualsInternalSigning) {
  MlDsaKeyPair kp = MlDsaKeyGen(MlDsaParameterSet::k87, Bytes(32, 3)).value();
  Bytes m_prime = {0, 0, 1, 2, 3};
  Bytes mu = MlDsaComputeMu(kp.public_key, m_prime);
  Bytes a = MlDsaSignInternal(MlDsaParameterSet::k87, kp.secret_key.span(), m_prime,
                              MlDsaRandomness::Deterministic())
                .value();
  Bytes b = MlDsaSignMu(MlDsaParameterSet::k87, kp.secret_key.span(), mu,
                        MlDsaRandomness::Deterministic())
                .value();
  EXPECT_EQ(a, b);
  EXPECT_TRUE(MlDsaVerifyMu(MlDsaParameterSet::k87, kp.public_key, mu, a).ok());
}

}  // namespace
}  // namespace qfs::crypto
