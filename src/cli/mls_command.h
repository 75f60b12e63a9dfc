// `qfs mls`: the MLS client library from the command line.
//
//   qfs mls vectors FILE...   runs test-vector files in the mls-implementations format and
//                             prints one line per case — "FILE case N: passed", "... skipped:
//                             WHY", "... failed: WHAT DIFFERED" — then a summary per file.
//                             --json prints each file's report as one JSON line instead.
//                             Exit status: 1 if any case failed or a file could not be read.
#ifndef QFS_CLI_MLS_COMMAND_H_
#define QFS_CLI_MLS_COMMAND_H_

#include <ostream>
#include <string>

#include "base/status.h"

namespace CLI {
class App;
}

namespace qfs::cli {

// Runs one vector file and prints its report to `out`. Returns the number of failed cases,
// or the error that kept the file from running.
Result<std::size_t> RunMlsVectorFile(const std::string& file, bool json, std::ostream& out);

void AddMlsCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::cli

#endif  // QFS_CLI_MLS_COMMAND_H_
