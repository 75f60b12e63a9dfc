#include "cli/mls_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace qfs::cli {
namespace {

TEST(MlsVectorsCommand, PrintsEachCaseAndASummary) {
  std::ostringstream out;
  const std::string file = std::string(QFS_VECTORS_DIR) + "/mls/tree-math.json";
  EXPECT_EQ(RunMlsVectorFile(file, false, out).value(), 0u);
  EXPECT_NE(out.str().find(file + " case 9: passed\n"), std::string::npos);
  EXPECT_NE(out.str().find("(tree-math): 10 passed, 0 failed, 0 skipped"), std::string::npos);
}

TEST(MlsVectorsCommand, AFailedCaseIsCountedAndExplained) {
  const std::string path = ::testing::TempDir() + "/damaged-tree-math.json";
  {
    std::ofstream f(path);
    f << R"([{"n_leaves": 2, "n_nodes": 3, "root": 1, "left": [null, 0, null],
             "right": [null, 2, null], "parent": [1, null, 1], "sibling": [2, null, 1]}])";
  }
  std::ostringstream out;
  EXPECT_EQ(RunMlsVectorFile(path, true, out).value(), 1u);
  EXPECT_NE(out.str().find(R"("outcome":"failed")"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("sibling[2] is 1, computed 0"), std::string::npos) << out.str();
  std::remove(path.c_str());
}

TEST(MlsVectorsCommand, UnreadableAndUnknownFilesAreErrors) {
  std::ostringstream out;
  EXPECT_EQ(RunMlsVectorFile("/nonexistent/x.json", false, out).status().code(),
            StatusCode::kNotFound);
  const std::string path = ::testing::TempDir() + "/not-vectors.json";
  {
    std::ofstream f(path);
    f << R"([{"what": 1}])";
  }
  EXPECT_EQ(RunMlsVectorFile(path, false, out).status().code(), StatusCode::kInvalidArgument);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace qfs::cli
