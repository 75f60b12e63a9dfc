#include "cli/math_command.h"

#include <gtest/gtest.h>

#include <sstream>

namespace qfs::cli {
namespace {

std::string Eval(const std::vector<std::string>& words, NumberType t = NumberType::kSigned) {
  Result<std::string> r = EvaluateMath(words, t);
  return r.ok() ? r.value() : "error " + std::string(StatusCodeName(r.code()));
}

TEST(MathCommand, EvaluatesOperations) {
  EXPECT_EQ(Eval({"exp", "1"}), "2.718281828459045235");
  EXPECT_EQ(Eval({"add", "1.5", "-2"}), "-0.500000000000000000");
  EXPECT_EQ(Eval({"pow", "2", "0.5"}, NumberType::kUnsigned), "1.414213562373095048");
  EXPECT_EQ(Eval({"clamp", "5", "1", "3"}), "3.000000000000000000");
  EXPECT_EQ(Eval({"neg", "2"}), "-2.000000000000000000");
}

TEST(MathCommand, ReportsErrorsWithCodes) {
  EXPECT_EQ(Eval({"ln", "0"}), "error DOMAIN_ERROR");
  EXPECT_EQ(Eval({"sub", "1", "2"}, NumberType::kUnsigned), "error UNDERFLOW");
  EXPECT_EQ(Eval({"neg", "2"}, NumberType::kUnsigned), "error INVALID_ARGUMENT");
  EXPECT_EQ(Eval({"frobnicate", "1"}), "error INVALID_ARGUMENT");
  EXPECT_EQ(Eval({"exp"}), "error INVALID_ARGUMENT");
  EXPECT_EQ(Eval({"exp", "1x"}), "error PARSE_ERROR");
  EXPECT_EQ(Eval({"clamp", "1", "3", "2"}), "error INVALID_ARGUMENT");
}

TEST(MathCommand, BatchModeOneResultPerLine) {
  std::istringstream in("ln 2\n\n# comment\nsqrt -1\nmul 2 3\n");
  std::ostringstream out;
  EXPECT_EQ(EvaluateMathStream(in, out, NumberType::kSigned), 1);
  EXPECT_EQ(out.str(),
            "0.693147180559945309\n"
            "error DOMAIN_ERROR: sqrt: square root of a negative number\n"
            "6.000000000000000000\n");
}

TEST(MathCommand, OverlongLineIsRejected) {
  std::istringstream in(std::string(5000, '1') + "\nexp 0\n");
  std::ostringstream out;
  EXPECT_EQ(EvaluateMathStream(in, out, NumberType::kSigned), 1);
  EXPECT_NE(out.str().find("TOO_LARGE"), std::string::npos);
  EXPECT_NE(out.str().find("1.000000000000000000"), std::string::npos);
}

}  // namespace
}  // namespace qfs::cli
