// `qfs math`: evaluates CertifiedMath operations from the command line.
//
//   qfs math exp 1                 -> 2.718281828459045235
//   qfs math --unsigned pow 2 0.5  -> 1.414213562373095048
//   printf 'ln 2\nsqrt 2\n' | qfs math   (one expression per line, one result per line)
//
// Each result is the exact decimal with 18 places, or `error CODE: message` (codes as in
// docs/ERRORS.md). Exit status: 0 if every expression succeeded, 1 if any failed, 2 on usage.
#ifndef QFS_CLI_MATH_COMMAND_H_
#define QFS_CLI_MATH_COMMAND_H_

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"

namespace CLI {
class App;
}

namespace qfs::cli {

enum class NumberType { kSigned, kUnsigned };

// words[0] is the operation, the rest its decimal arguments. Returns the result's text.
Result<std::string> EvaluateMath(const std::vector<std::string>& words, NumberType type);

// Evaluates one expression per line of `in` (blank lines and lines starting with '#' are
// skipped), writing one line per expression to `out`. Returns the number of failed lines.
int EvaluateMathStream(std::istream& in, std::ostream& out, NumberType type);

// The names of all operations with their arity, for --help.
std::string MathOperationsHelp();

// Adds the `math` subcommand; `exit_code` receives its status when it runs.
void AddMathCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::cli

#endif  // QFS_CLI_MATH_COMMAND_H_
