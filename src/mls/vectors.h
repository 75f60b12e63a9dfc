// Runs a test-vector file in the mlswg/mls-implementations format (test-vectors.md there) and
// reports each case as passed, failed (with what differed) or skipped (with why: a cipher suite
// that is not implemented, or a kind of file not yet supported). Behind `qfs mls vectors FILE`
// and the vector tests; a library of its own (qfs_mls_vectors), so that the production MLS
// library (qfs_mls) holds no test code.
#ifndef QFS_MLS_VECTORS_H_
#define QFS_MLS_VECTORS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace qfs::mls {

enum class CaseOutcome { kPassed, kFailed, kSkipped };

struct CaseResult {
  std::size_t index = 0;
  CaseOutcome outcome = CaseOutcome::kPassed;
  std::string detail;  // why it failed or was skipped
};

struct VectorReport {
  std::string kind;  // "tree-math", "crypto-basics", ... (recognized from the cases' fields)
  std::vector<CaseResult> cases;
  std::size_t passed = 0, failed = 0, skipped = 0;
};

// The report for a file's JSON text. PARSE_ERROR for text that is not a JSON array of objects;
// INVALID_ARGUMENT for a kind of file it does not recognize.
Result<VectorReport> RunVectors(std::string_view json_text);

std::string_view CaseOutcomeName(CaseOutcome outcome);  // "passed", "failed", "skipped"

}  // namespace qfs::mls

#endif  // QFS_MLS_VECTORS_H_
