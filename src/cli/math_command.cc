#include "cli/math_command.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "base/limits.h"
#include "base/strings.h"
#include "math/fixed.h"
#include "math/functions.h"

namespace qfs::cli {
namespace {

using math::SD128x18;
using math::UD128x18;

template <typename T>
struct Operation {
  int arity;
  std::function<Result<T>(const std::vector<T>&)> apply;
};

template <typename T>
using Table = std::map<std::string, Operation<T>, std::less<>>;

template <typename T>
Table<T> CommonOperations() {
  using V = const std::vector<T>&;
  return {
      {"add", {2, [](V a) { return math::Add(a[0], a[1]); }}},
      {"sub", {2, [](V a) { return math::Sub(a[0], a[1]); }}},
      {"mul", {2, [](V a) { return math::Mul(a[0], a[1]); }}},
      {"div", {2, [](V a) { return math::Div(a[0], a[1]); }}},
      {"mod", {2, [](V a) { return math::Mod(a[0], a[1]); }}},
      {"min", {2, [](V a) -> Result<T> { return math::Min(a[0], a[1]); }}},
      {"max", {2, [](V a) -> Result<T> { return math::Max(a[0], a[1]); }}},
      {"clamp",
       {3,
        [](V a) -> Result<T> {
          if (a[2] < a[1]) {
            return Status(StatusCode::kInvalidArgument, "clamp: lo > hi");
          }
          return math::Clamp(a[0], a[1], a[2]);
        }}},
      {"sqrt", {1, [](V a) { return math::Sqrt(a[0]); }}},
      {"exp", {1, [](V a) { return math::Exp(a[0]); }}},
      {"ln", {1, [](V a) { return math::Ln(a[0]); }}},
      {"log2", {1, [](V a) { return math::Log2(a[0]); }}},
      {"log10", {1, [](V a) { return math::Log10(a[0]); }}},
      {"pow", {2, [](V a) { return math::Pow(a[0], a[1]); }}},
      {"tanh", {1, [](V a) { return math::Tanh(a[0]); }}},
      {"sigmoid", {1, [](V a) { return math::Sigmoid(a[0]); }}},
      {"erf", {1, [](V a) { return math::Erf(a[0]); }}},
  };
}

const Table<UD128x18>& UnsignedOperations() {
  static const Table<UD128x18> table = CommonOperations<UD128x18>();
  return table;
}

const Table<SD128x18>& SignedOperations() {
  static const Table<SD128x18> table = [] {
    Table<SD128x18> t = CommonOperations<SD128x18>();
    t.emplace("neg", Operation<SD128x18>{
                         1, [](const std::vector<SD128x18>& a) { return math::Neg(a[0]); }});
    t.emplace("abs", Operation<SD128x18>{
                         1, [](const std::vector<SD128x18>& a) { return math::Abs(a[0]); }});
    return t;
  }();
  return table;
}

template <typename T>
Result<std::string> Evaluate(const Table<T>& table, const std::vector<std::string>& words) {
  if (words.empty()) return Status(StatusCode::kInvalidArgument, "empty expression");
  auto it = table.find(words[0]);
  if (it == table.end()) {
    return Status(StatusCode::kInvalidArgument,
                  "unknown operation '" + words[0].substr(0, 32) + "' (see qfs math --help)");
  }
  const Operation<T>& op = it->second;
  if (static_cast<int>(words.size()) - 1 != op.arity) {
    return Status(StatusCode::kInvalidArgument,
                  words[0] + " takes " + std::to_string(op.arity) + " argument(s)");
  }
  std::vector<T> args;
  for (std::size_t i = 1; i < words.size(); ++i) {
    QFS_ASSIGN_OR_RETURN(T v, T::Parse(words[i]));
    args.push_back(v);
  }
  QFS_ASSIGN_OR_RETURN(T result, op.apply(args));
  return result.ToString();
}

std::string Render(const Result<std::string>& r) {
  return r.ok() ? r.value() : "error " + r.status().ToString();
}

}  // namespace

Result<std::string> EvaluateMath(const std::vector<std::string>& words, NumberType type) {
  return type == NumberType::kUnsigned ? Evaluate(UnsignedOperations(), words)
                                       : Evaluate(SignedOperations(), words);
}

int EvaluateMathStream(std::istream& in, std::ostream& out, NumberType type) {
  int failures = 0;
  std::string line;
  bool too_long = false;
  // A line is read only up to its bound: a 200 MB line costs no more memory than a short one.
  while (ReadBoundedLine(in, kMathLineBytesMax, &line, &too_long)) {
    if (too_long) {
      out << "error " << StatusCodeName(StatusCode::kTooLarge) << ": line longer than "
          << kMathLineBytesMax << " bytes\n";
      ++failures;
      continue;
    }
    std::istringstream words_in(line);
    std::vector<std::string> words;
    for (std::string w; words_in >> w;) words.push_back(w);
    if (words.empty() || words[0][0] == '#') continue;
    Result<std::string> r = EvaluateMath(words, type);
    if (!r.ok()) ++failures;
    out << Render(r) << '\n';
  }
  return failures;
}

std::string MathOperationsHelp() {
  std::string out = "Operations (decimal arguments, 18 places):\n";
  for (const auto& [name, op] : SignedOperations()) {
    out += "  " + name + " (" + std::to_string(op.arity) + ")" +
           (UnsignedOperations().count(name) == 0 ? "  [signed only]" : "") + "\n";
  }
  return out;
}

void AddMathCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd =
      app.add_subcommand("math", "Evaluate CertifiedMath operations exactly (floor at 10^-18)");
  cmd->footer(MathOperationsHelp() +
              "With no expression, reads one expression per line from standard input.");
  auto words = std::make_shared<std::vector<std::string>>();
  auto is_unsigned = std::make_shared<bool>(false);
  cmd->add_flag("-u,--unsigned", *is_unsigned, "Use UD128x18 (default: SD128x18, signed)");
  cmd->add_option("expression", *words, "OPERATION ARG...")->expected(0, -1);
  cmd->prefix_command(false);
  cmd->callback([words, is_unsigned, exit_code] {
    NumberType type = *is_unsigned ? NumberType::kUnsigned : NumberType::kSigned;
    if (words->empty()) {
      *exit_code = EvaluateMathStream(std::cin, std::cout, type) == 0 ? 0 : 1;
      return;
    }
    Result<std::string> r = EvaluateMath(*words, type);
    std::cout << Render(r) << '\n';
    *exit_code = r.ok() ? 0 : 1;
  });
}

}  // namespace qfs::cli
