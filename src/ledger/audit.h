// What an auditor runs on a copy of a node's data directory, read-only: replay everything from
// genesis with every check (CRC, hash chain, entry hashes, signatures of every packet and
// checkpoint, recorded result codes, checkpoint roots, invariants), and export the log as JSONL.
//
//   Result<VerifyReport> r = VerifyLedger(dir, [](std::uint64_t done, std::uint64_t total) {});
//   (progress in bytes of the log)
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
  // Torn tails a node cut at its starts, counted from the files it saved them to.
  std::uint64_t torn_tails_cut = 0;
  std::uint64_t torn_bytes_cut = 0;
  bool halted = false;  // the log ends in a halt without a resume
};

// Progress in bytes of the log read so far, of all of them.
using Progress = std::function<void(std::uint64_t done_bytes, std::uint64_t total_bytes)>;

// `directory` is the ledger directory (holding log/). CORRUPTION "entry N: reason" (or the
// log's own "log entry N (file at byte B): reason") names the first bad entry.
Result<VerifyReport> VerifyLedger(const std::string& directory, const Progress& progress);

// One canonical JSON object per entry and line: index, time, hashes, result, and the decoded
// record (docs/ledger.md shows the fields).
Status ExportLedger(const std::string& directory, std::ostream& out);

// Proofs against signed tree heads (the checkpoint records, docs/ledger.md), as JSON an outsider
// checks with CheckProof:
//   inclusion: {"type":"inclusion","index","entry_hash","proof":[..],"head":{signed tree head}}
//     against the first checkpoint whose tree contains the entry;
//   consistency: {"type":"consistency","first":{head},"second":{head},"proof":[..]} between the
//     checkpoints with tree sizes `first` and `second`.
// NOT_FOUND when no such checkpoint exists (yet).
Result<codec::Json> InclusionProofJson(const std::string& directory, std::uint64_t index);
Result<codec::Json> ConsistencyProofJson(const std::string& directory, std::uint64_t first,
                                         std::uint64_t second);
// Verifies a proof document: each head's signature, then the proof. With `node_public_key`
// non-empty, every head must be signed by that key. OK or BAD_PROOF / BAD_SIGNATURE with why.
Status CheckProof(const codec::Json& proof, ByteSpan node_public_key);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_AUDIT_H_
