// Reading a command's input file (or stdin for "-") with a size limit: at most `max_bytes` are
// read, and a larger input is TOO_LARGE before it is held in memory.
#ifndef QFS_CLI_INPUT_H_
#define QFS_CLI_INPUT_H_

#include <cstddef>
#include <string>

#include "base/status.h"

namespace qfs::cli {

// NOT_FOUND when the file cannot be opened; TOO_LARGE (naming `what`) past max_bytes.
Result<std::string> ReadTextInput(const std::string& file, std::size_t max_bytes,
                                  const std::string& what);

}  // namespace qfs::cli

#endif  // QFS_CLI_INPUT_H_
