// Checks every case written by testdata/oracle.py (an independent evaluation with Python's
// decimal module at 90+ digits) against the C++ functions: each result must equal the oracle's
// floor exactly, and each error must carry the oracle's code. The file comes from the ctest
// fixture `math_oracle_data` through the environment variable QFS_MATH_ORACLE.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "math/functions.h"

namespace qfs::math {
namespace {

Result<i128> ParseRawInteger(const std::string& s) {
  bool negative = !s.empty() && s[0] == '-';
  u128 v = 0;
  for (std::size_t i = negative ? 1 : 0; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
  return negative ? -static_cast<i128>(v) : static_cast<i128>(v);
}

u128 ParseU128(const std::string& s) {
  u128 v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

template <typename T>
std::string Render(const Result<T>& r) {
  if (!r.ok()) return "ERR:" + std::string(StatusCodeName(r.code()));
  if constexpr (std::is_same_v<T, UD128x18>) {
    return U128ToString(r.value().raw());
  } else {
    i128 raw = r.value().raw();
    return raw < 0 ? "-" + U128ToString(static_cast<u128>(0) - static_cast<u128>(raw))
                   : U128ToString(static_cast<u128>(raw));
  }
}

template <typename T>
Result<T> Call(const std::string& fn, T x, T y) {
  if (fn == "sqrt") return Sqrt(x);
  if (fn == "exp") return Exp(x);
  if (fn == "ln") return Ln(x);
  if (fn == "log2") return Log2(x);
  if (fn == "log10") return Log10(x);
  if (fn == "pow") return Pow(x, y);
  if (fn == "tanh") return Tanh(x);
  if (fn == "sigmoid") return Sigmoid(x);
  if (fn == "erf") return Erf(x);
  ADD_FAILURE() << "unknown function " << fn;
  return Status(StatusCode::kInternal, "unknown");
}

std::string Evaluate(const std::string& fn, const std::string& type,
                     const std::vector<std::string>& args) {
  if (type == "ud") {
    UD128x18 x = UD128x18::FromRaw(ParseU128(args[0]));
    UD128x18 y = UD128x18::FromRaw(args.size() > 1 ? ParseU128(args[1]) : 0);
    return Render(Call(fn, x, y));
  }
  SD128x18 x = SD128x18::FromRaw(ParseRawInteger(args[0]).value());
  SD128x18 y = SD128x18::FromRaw(args.size() > 1 ? ParseRawInteger(args[1]).value() : 0);
  return Render(Call(fn, x, y));
}

TEST(MathOracle, EveryCaseMatchesTheDecimalOracle) {
  const char* path = std::getenv("QFS_MATH_ORACLE");
  ASSERT_NE(path, nullptr) << "QFS_MATH_ORACLE is not set (run through ctest)";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "cannot read " << path;
  std::map<std::string, int> cases_by_function;
  int mismatches = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::vector<std::string> parts;
    for (std::string f; fields >> f;) parts.push_back(f);
    ASSERT_GE(parts.size(), 4u) << line;
    std::vector<std::string> args(parts.begin() + 2, parts.end() - 1);
    std::string got = Evaluate(parts[0], parts[1], args);
    ++cases_by_function[parts[0]];
    if (got != parts.back()) {
      if (++mismatches <= 25) ADD_FAILURE() << line << "  got " << got;
    }
  }
  EXPECT_EQ(mismatches, 0);
  for (const auto& [fn, count] : cases_by_function) {
    std::printf("oracle: %-8s %d cases\n", fn.c_str(), count);
  }
  EXPECT_EQ(cases_by_function.size(), 9u);
}

}  // namespace
}  // namespace qfs::math
