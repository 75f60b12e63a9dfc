#include "crypto/mlkem.h"

#include <gtest/gtest.h>

namespace qfs::crypto {
namespace {

// A deterministic RandomSource for tests.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) b = static_cast<std::uint8_t>(next_++ * 131 + 7);
  }

 private:
  std::uint32_t next_ = 0;
};

TEST(MlKem, RoundTripEveryParameterSet) {
  for (MlKemParameterSet set :
       {MlKemParameterSet::k512, MlKemParameterSet::k768, MlKemParameterSet::k1024}) {
    CountingRandom random;
    MlKemKeyPair kp = MlKemKeyGen(set, random).value();
    MlKemSizes sizes = GetMlKemSizes(set);
    EXPECT_EQ(kp.encapsulation_key.size(), sizes.encapsulation_key_bytes);
    EXPECT_EQ(kp.decapsulation_key.size(), sizes.decapsulation_key_bytes);
    for (int i = 0; i < 5; ++i) {
      MlKemEncapsulation e = MlKemEncaps(set, kp.encapsulation_key, random).value();
      EXPECT_EQ(e.ciphertext.size(), sizes.ciphertext_bytes);
      SecretBytes k = MlKemDecaps(set, kp.decapsulation_key.span(), e.ciphertext).value();
      EXPECT_TRUE(k == e.shared_key) << MlKemName(set);
    }
  }
}

TEST(MlKem, TamperedCiphertextGivesTheImplicitRejectionKey) {
  CountingRandom random;
  MlKemKeyPair kp = MlKemKeyGen(MlKemParameterSet::k768, random).value();
  MlKemEncapsulation e = MlKemEncaps(MlKemParameterSet::k768, kp.encapsulation_key, random).value();
  Bytes bad = e.ciphertext;
  bad[17] ^= 0x40;
  SecretBytes k1 = MlKemDecaps(MlKemParameterSet::k768, kp.decapsulation_key.span(), bad).value();
  SecretBytes k2 = MlKemDecaps(MlKemParameterSet::k768, kp.decapsulation_key.span(), bad).value();
  EXPECT_FALSE(k1 == e.shared_key);
  EXPECT_TRUE(k1 == k2);  // deterministic: J(z || c)
}

TEST(MlKem, InputChecks) {
  CountingRandom random;
  MlKemKeyPair kp = MlKemKeyGen(MlKemParameterSet::k512, random).value();
  Bytes ek = kp.encapsulation_key;
  EXPECT_TRUE(MlKemCheckEncapsulationKey(MlKemParameterSet::k512, ek).ok());
  EXPECT_EQ(MlKemCheckEncapsulationKey(MlKemParameterSet::k768, ek).code(), StatusCode::kBadKey);
  ek[0] = 0xFF;  // first coefficient's low byte, then force its 12-bit value to 4095 >= q
  ek[1] |= 0x0F;
  EXPECT_EQ(MlKemCheckEncapsulationKey(MlKemParameterSet::k512, ek).code(), StatusCode::kBadKey);
  EXPECT_EQ(MlKemEncaps(MlKemParameterSet::k512, ek, random).code(), StatusCode::kBadKey);
  SecretBytes dk = kp.decapsulation_key.Clone();
  dk.data()[768 * 2 + 40] ^= 1;  // inside the stored H(ek)
  EXPECT_EQ(MlKemCheckDecapsulationKey(MlKemParameterSet::k512, dk.span()).code(),
            StatusCode::kBadKey);
  EXPECT_EQ(MlKemDecaps(MlKemParameterSet::k512, kp.decapsulation_key.span(), Bytes(10)).code(),
            StatusCode::kBadLength);
  EXPECT_EQ(MlKemKeyGen(MlKemParameterSet::k512, Bytes(31), Bytes(32)).code(),
            StatusCode::kBadLength);
  EXPECT_EQ(ParseMlKemParameterSet("ML-KEM-256").code(), StatusCode::kUnknownAlgorithm);
}

}  // namespace
}  // namespace qfs::crypto
