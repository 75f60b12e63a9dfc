// Every ML-DSA case of the NIST ACVP sample sets in ../shared/vectors/acvp: keyGen (75), sigGen
// (360: deterministic and hedged; pure and pre-hash with all 12 hash functions; internal with and
// without external mu; contexts 0-255 bytes) and sigVer (180, valid and corrupted).
#include <gtest/gtest.h>

#include "crypto/cpu_testing.h"
#include "crypto/mldsa.h"
#include "crypto/vectors_testing.h"

namespace qfs::crypto {
namespace {

using codec::Json;
using testing::AcvpExpected;
using testing::HexField;
using testing::LoadVectors;

Bytes Field(const Json& t, const char* name) {
  return t.contains(name) ? HexField(t[name]) : Bytes();
}

// Each case runs on the SIMD paths and on the portable code.
class AcvpMlDsa : public testing::CpuPathTest {};

TEST_P(AcvpMlDsa, KeyGen) {
  const std::string dir = "acvp/ML-DSA-keyGen-FIPS204";
  auto expected = AcvpExpected(dir);
  const Json prompt = LoadVectors(dir + "/prompt.json");
  int cases = 0;
  for (const Json& g : prompt["testGroups"]) {
    MlDsaParameterSet set = ParseMlDsaParameterSet(g["parameterSet"].get<std::string>()).value();
    for (const Json& t : g["tests"]) {
      const Json& want = expected.at(t["tcId"].get<int>());
      MlDsaKeyPair kp = MlDsaKeyGen(set, HexField(t["seed"])).value();
      EXPECT_EQ(kp.public_key, HexField(want["pk"])) << t["tcId"];
      EXPECT_EQ(HexEncode(kp.secret_key.span()), HexEncode(HexField(want["sk"]))) << t["tcId"];
      ++cases;
    }
  }
  EXPECT_EQ(cases, 75);
}

// Signs (or verifies) one ACVP case according to its group's interface.
struct Case {
  MlDsaParameterSet set;
  std::string interface;  // "external" or "internal"
  bool prehash = false;
  bool external_mu = false;
  Json test;
};

Case MakeCase(const Json& g, const Json& t) {
  Case c{ParseMlDsaParameterSet(g["parameterSet"].get<std::string>()).value(),
         g["signatureInterface"].get<std::string>(), false, false, t};
  c.prehash = g.contains("preHash") && g["preHash"] == "preHash";
  c.external_mu = g.contains("externalMu") && g["externalMu"].get<bool>();
  return c;
}

TEST_P(AcvpMlDsa, SigGen) {
  const std::string dir = "acvp/ML-DSA-sigGen-FIPS204";
  auto expected = AcvpExpected(dir);
  const Json prompt = LoadVectors(dir + "/prompt.json");
  int cases = 0;
  for (const Json& g : prompt["testGroups"]) {
    const bool deterministic = g["deterministic"].get<bool>();
    for (const Json& t : g["tests"]) {
      Case c = MakeCase(g, t);
      Bytes sk = HexField(t["sk"]);
      MlDsaRandomness rnd = deterministic ? MlDsaRandomness::Deterministic()
                                          : MlDsaRandomness::Given(HexField(t["rnd"]));
      Result<Bytes> sig = Status(StatusCode::kInternal, "unset");
      if (c.interface == "internal") {
        sig = c.external_mu ? MlDsaSignMu(c.set, sk, HexField(t["mu"]), rnd)
                            : MlDsaSignInternal(c.set, sk, HexField(t["message"]), rnd);
      } else if (c.prehash) {
        MlDsaPreHash ph = ParseMlDsaPreHash(t["hashAlg"].get<std::string>()).value();
        sig = MlDsaSignPreHash(c.set, sk, HexField(t["message"]), Field(t, "context"), ph, rnd);
      } else {
        sig = MlDsaSign(c.set, sk, HexField(t["message"]), Field(t, "context"), rnd);
      }
      ASSERT_TRUE(sig.ok()) << t["tcId"] << " " << sig.status().ToString();
      EXPECT_EQ(HexEncode(sig.value()),
                HexEncode(HexField(expected.at(t["tcId"].get<int>())["signature"])))
          << "tcId " << t["tcId"] << " group " << g["tgId"];
      ++cases;
    }
  }
  EXPECT_EQ(cases, 360);
}

TEST_P(AcvpMlDsa, SigVer) {
  const std::string dir = "acvp/ML-DSA-sigVer-FIPS204";
  auto expected = AcvpExpected(dir);
  const Json prompt = LoadVectors(dir + "/prompt.json");
  int cases = 0, valid = 0;
  for (const Json& g : prompt["testGroups"]) {
    for (const Json& t : g["tests"]) {
      Case c = MakeCase(g, t);
      Bytes pk = HexField(t["pk"]), sig = HexField(t["signature"]);
      Status s;
      if (c.interface == "internal") {
        s = c.external_mu ? MlDsaVerifyMu(c.set, pk, HexField(t["mu"]), sig)
                          : MlDsaVerifyInternal(c.set, pk, HexField(t["message"]), sig);
      } else if (c.prehash) {
        MlDsaPreHash ph = ParseMlDsaPreHash(t["hashAlg"].get<std::string>()).value();
        s = MlDsaVerifyPreHash(c.set, pk, HexField(t["message"]), Field(t, "context"), ph, sig);
      } else {
        s = MlDsaVerify(c.set, pk, HexField(t["message"]), Field(t, "context"), sig);
      }
      bool want = expected.at(t["tcId"].get<int>())["testPassed"].get<bool>();
      EXPECT_EQ(s.ok(), want) << "tcId " << t["tcId"] << ": " << s.ToString();
      valid += want ? 1 : 0;
      ++cases;
    }
  }
  EXPECT_EQ(cases, 180);
  std::printf("ML-DSA sigVer: %d cases, %d valid\n", cases, valid);
}

QFS_INSTANTIATE_CPU_PATHS(AcvpMlDsa);

}  // namespace
}  // namespace qfs::crypto
