// What every `qfs` subcommand prints on failure: {"error":{"code":"NAME","message":"..."}} on
// stdout, one line of canonical JSON (the same shape as the node's HTTP errors).
#ifndef QFS_CLI_OUTPUT_H_
#define QFS_CLI_OUTPUT_H_

#include <iostream>
#include <string>

#include "base/status.h"
#include "codec/json.h"

namespace qfs::cli {

inline void PrintError(const Status& s) {
  const codec::Json e = {
      {"error", {{"code", std::string(StatusCodeName(s.code()))}, {"message", s.message()}}}};
  std::cout << codec::CanonicalJson(e).value() << "\n";
}

}  // namespace qfs::cli

#endif  // QFS_CLI_OUTPUT_H_
