// Every file of ../shared/vectors/mls through the runner behind `qfs mls vectors`: no case may
// fail, and for the kinds implemented so far every case of suites 1 and 3 must pass.
#include "mls/vectors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "codec/json.h"

namespace qfs::mls {
namespace {

std::string Read(const std::string& name) {
  std::ifstream in(std::string(QFS_VECTORS_DIR) + "/mls/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The cases of suites 1 and 3 (the implemented ones) in a file, by index.
std::vector<std::size_t> OurSuites(const std::string& text) {
  std::vector<std::size_t> out;
  const codec::Json cases = codec::Json::parse(text);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto suite = cases[i].value("cipher_suite", 1);
    if (suite == 1 || suite == 3) out.push_back(i);
  }
  return out;
}

class MlsVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(MlsVectors, EveryCaseOfSuites1And3Passes) {
  const std::string text = Read(std::string(GetParam()) + ".json");
  const VectorReport report = RunVectors(text).value();
  // A kind names its files' common prefix (passive-client covers passive-client-welcome).
  EXPECT_EQ(std::string(GetParam()).rfind(report.kind, 0), 0u) << report.kind;
  EXPECT_EQ(report.failed, 0u);
  for (const CaseResult& c : report.cases) {
    EXPECT_NE(c.outcome, CaseOutcome::kFailed) << "case " << c.index << ": " << c.detail;
  }
  const std::vector<std::size_t> ours = OurSuites(text);
  ASSERT_FALSE(ours.empty());
  for (std::size_t i : ours) {
    EXPECT_EQ(report.cases[i].outcome, CaseOutcome::kPassed)
        << "case " << i << ": " << report.cases[i].detail;
  }
  EXPECT_EQ(report.passed + report.skipped, report.cases.size());
}

INSTANTIATE_TEST_SUITE_P(Files, MlsVectors,
                         ::testing::Values("tree-math", "crypto-basics", "deserialization",
                                           "secret-tree", "key-schedule", "psk_secret",
                                           "tree-validation", "tree-operations", "treekem",
                                           "message-protection", "transcript-hashes", "welcome",
                                           "messages", "passive-client-welcome"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(MlsVectorsRunner, ADamagedValueFailsNamingIt) {
  std::string text = Read("key-schedule.json");
  const std::size_t at = text.find("\"joiner_secret\": \"") + 18;
  text[at] = text[at] == '0' ? '1' : '0';
  const VectorReport report = RunVectors(text).value();
  ASSERT_EQ(report.cases[0].outcome, CaseOutcome::kFailed);
  EXPECT_NE(report.cases[0].detail.find("epoch 0: joiner_secret differs"), std::string::npos)
      << report.cases[0].detail;
}

TEST(MlsVectorsRunner, UnknownFilesAndSuitesAreNamed) {
  EXPECT_EQ(RunVectors("{}").status().code(), StatusCode::kParseError);
  EXPECT_EQ(RunVectors("[{\"what\": 1}]").status().code(), StatusCode::kInvalidArgument);
  const VectorReport r = RunVectors(Read("psk_secret.json")).value();
  bool skipped_suite_2 = false;
  for (const CaseResult& c : r.cases) {
    if (c.outcome == CaseOutcome::kSkipped) {
      skipped_suite_2 |= c.detail.find("cipher suite 2 is not implemented") != std::string::npos;
    }
  }
  EXPECT_TRUE(skipped_suite_2);
}

}  // namespace
}  // namespace qfs::mls
