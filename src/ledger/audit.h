// What an auditor runs on a copy of a node's data directory, read-only: replay everything from
// genesis with every check (CRC, hash chain, entry hashes, signatures of every packet and
// checkpoint, recorded result codes, checkpoint roots, invariants), and export the log as JSONL.
//
//   Result<VerifyReport> r = VerifyLedger(dir, [](std::uint64_t done, std::uint64_t total) {});
//   Status s = ExportLedger(dir, std::cout);
//
// Thread safety: pure functions of the directory; they never write to it.
#ifndef QFS_LEDGER_AUDIT_H_
#define QFS_LEDGER_AUDIT_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "base/status.h"
#include "codec/json.h"
#include "ledger/log.h"

namespace qfs::ledger {

struct VerifyReport {
  std::uint64_t entries = 0;
  std::uint64_t packets = 0;
  std::uint64_t checkpoints = 0;
  Digest32 tree_root{};
  Digest32 state_root{};
  std::uint64_t torn_bytes = 0;  // an unfinished last record, left in place
  bool halted = false;           // the log ends in a halt without a resume
};

using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// `directory` is the ledger directory (holding log/). CORRUPTION "entry N: reason" (or the
// log's own "log entry N (file at byte B): reason") names the first bad entry.
Result<VerifyReport> VerifyLedger(const std::string& directory, const Progress& progress);

// One canonical JSON object per entry and line: index, time, hashes, result, and the decoded
// record (docs/ledger.md shows the fields).
Status ExportLedger(const std::string& directory, std::ostream& out);
// The JSON rendering of one entry.
codec::Json EntryJson(const LogEntry& entry);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_AUDIT_H_
