#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace qfs::internal {

void CheckFailed(const char* file, int line, const char* expr, const char* message) {
  std::fprintf(stderr, "QFS_CHECK failed at %s:%d: %s%s%s\n", file, line, expr,
               message != nullptr ? " -- " : "", message != nullptr ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace qfs::internal
