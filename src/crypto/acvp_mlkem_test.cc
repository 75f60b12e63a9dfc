// Every ML-KEM case of the NIST ACVP sample sets in ../shared/vectors/acvp: key generation from
// (d, z), encapsulation with a given m, decapsulation (valid and implicitly rejected
// ciphertexts), and the encapsulation- and decapsulation-key checks.
#include <gtest/gtest.h>

#include "crypto/cpu_testing.h"
#include "crypto/mlkem.h"
#include "crypto/vectors_testing.h"

namespace qfs::crypto {
namespace {

using codec::Json;
using testing::AcvpExpected;
using testing::HexField;
using testing::LoadVectors;

// Each case runs on the SIMD paths and on the portable code.
class AcvpMlKem : public testing::CpuPathTest {};

TEST_P(AcvpMlKem, KeyGen) {
  const std::string dir = "acvp/ML-KEM-keyGen-FIPS203";
  auto expected = AcvpExpected(dir);
  int cases = 0;
  const Json prompt = LoadVectors(dir + "/prompt.json");
  for (const Json& g : prompt["testGroups"]) {
    MlKemParameterSet set = ParseMlKemParameterSet(g["parameterSet"].get<std::string>()).value();
    for (const Json& t : g["tests"]) {
      const Json& want = expected.at(t["tcId"].get<int>());
      MlKemKeyPair kp = MlKemKeyGen(set, HexField(t["d"]), HexField(t["z"])).value();
      EXPECT_EQ(kp.encapsulation_key, HexField(want["ek"])) << t["tcId"];
      Bytes dk(kp.decapsulation_key.data(),
               kp.decapsulation_key.data() + kp.decapsulation_key.size());
      EXPECT_EQ(dk, HexField(want["dk"])) << t["tcId"];
      ++cases;
    }
  }
  EXPECT_EQ(cases, 75);
}

TEST_P(AcvpMlKem, EncapDecapAndKeyChecks) {
  const std::string dir = "acvp/ML-KEM-encapDecap-FIPS203";
  auto expected = AcvpExpected(dir);
  std::map<std::string, int> cases;
  const Json prompt = LoadVectors(dir + "/prompt.json");
  for (const Json& g : prompt["testGroups"]) {
    MlKemParameterSet set = ParseMlKemParameterSet(g["parameterSet"].get<std::string>()).value();
    const std::string function = g["function"];
    for (const Json& t : g["tests"]) {
      const int id = t["tcId"];
      const Json& want = expected.at(id);
      if (function == "encapsulation") {
        MlKemEncapsulation e = MlKemEncaps(set, HexField(t["ek"]), HexField(t["m"])).value();
        EXPECT_EQ(e.ciphertext, HexField(want["c"])) << id;
        EXPECT_EQ(HexEncode(e.shared_key.span()), HexEncode(HexField(want["k"]))) << id;
      } else if (function == "decapsulation") {
        SecretBytes k = MlKemDecaps(set, HexField(t["dk"]), HexField(t["c"])).value();
        EXPECT_EQ(HexEncode(k.span()), HexEncode(HexField(want["k"]))) << id;
      } else if (function == "encapsulationKeyCheck") {
        EXPECT_EQ(MlKemCheckEncapsulationKey(set, HexField(t["ek"])).ok(),
                  want["testPassed"].get<bool>())
            << id;
      } else if (function == "decapsulationKeyCheck") {
        EXPECT_EQ(MlKemCheckDecapsulationKey(set, HexField(t["dk"])).ok(),
                  want["testPassed"].get<bool>())
            << id;
      } else {
        ADD_FAILURE() << "unknown ACVP function " << function;
      }
      ++cases[function];
    }
  }
  EXPECT_EQ(cases["encapsulation"], 75);
  EXPECT_EQ(cases["decapsulation"], 30);
  EXPECT_EQ(cases["encapsulationKeyCheck"], 30);
  EXPECT_EQ(cases["decapsulationKeyCheck"], 30);
}

QFS_INSTANTIATE_CPU_PATHS(AcvpMlKem);

}  // namespace
}  // namespace qfs::crypto
