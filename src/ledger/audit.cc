#include "ledger/audit.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <system_error>
#include <type_traits>

#include "base/strings.h"
#include "base/text_encoding.h"
#include "ledger/json.h"
#include "ledger/replay.h"

namespace qfs::ledger {
namespace {

using codec::Json;

Result<std::unique_ptr<Log>> OpenReadOnly(const std::string& directory,
                                          std::function<void(const LogEntry&)> on_entry = nullptr) {
  LogOptions options{directory + "/log", 64ull << 20, true};
  options.on_entry = std::move(on_entry);
  return Log::Open(options);
}

// The bytes of the log's segment files, for progress.
std::uint64_t LogBytes(const std::string& log_directory) {
  std::error_code error;
  std::uint64_t total = 0;
  for (const auto& f : std::filesystem::directory_iterator(log_directory, error)) {
    if (f.is_regular_file(error) && f.path().extension() == ".qlog") total += f.file_size(error);
  }
  return total;
}

}  // namespace

// One pass: the log's open scan checks each record's frame, CRC, chain, timestamp and entry
// hash and hands it over, and the replay checks the rest, so nothing is read or hashed twice.
Result<VerifyReport> VerifyLedger(const std::string& directory, const Progress& progress) {
  crypto::PreparedKeyCache key_cache;  // each signer's key is expanded once, not per packet
  Replayer replay({.check_signatures = true, .key_cache = &key_cache});
  VerifyReport report;
  Status replayed;  // the first entry that does not replay (the scan goes on to the end)
  const std::uint64_t total_bytes = LogBytes(directory + "/log");
  std::uint64_t done_bytes = 0;
  Result<std::unique_ptr<Log>> opened = OpenReadOnly(directory, [&](const LogEntry& e) {
    if (!replayed.ok()) return;
    replayed = replay.Apply(e);
    report.packets +=
        !e.payload.empty() && e.payload[0] == static_cast<std::uint8_t>(RecordType::kPacket);
    done_bytes += e.payload.size() + kRecordOverheadBytes;
    if (progress && e.index % 4096 == 0) progress(std::min(done_bytes, total_bytes), total_bytes);
  });
  if (!replayed.ok()) return replayed;  // an entry before the one the scan stopped at, if any
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<Log> log, std::move(opened));
  if (progress) progress(total_bytes, total_bytes);
  report.entries = log->size();
  report.torn_bytes = log->recovery().torn_bytes;
  report.torn_tails_cut = log->recovery().torn_tails_saved;
  report.torn_bytes_cut = log->recovery().torn_bytes_saved;
  if (!replay.has_state()) return Status(StatusCode::kCorruption, "the log has no genesis entry");
  report.checkpoints = replay.checkpoints();
  report.tree_root = replay.tree().Root(replay.tree().size());
  report.state_root = replay.state().Root();
  report.halted = replay.halted();
  return report;
}

Status ExportLedger(const std::string& directory, std::ostream& out) {
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<Log> log, OpenReadOnly(directory));
  for (std::uint64_t i = 0; i < log->size(); ++i) {
    QFS_ASSIGN_OR_RETURN(LogEntry entry, log->Read(i));
    QFS_ASSIGN_OR_RETURN(std::string line, codec::CanonicalJson(EntryJson(entry)));
    out << line << '\n';
  }
  out.flush();
  if (!out) return Status(StatusCode::kIoError, "cannot write the export");
  return OkStatus();
}

namespace {

struct SignedHead {
  std::uint64_t entry_index = 0;  // of the checkpoint record
  Checkpoint checkpoint;
};

// Every checkpoint in the log, and the tree over all entries.
Status ScanCheckpoints(const std::string& directory, std::vector<SignedHead>* heads,
                       MerkleTree* tree) {
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<Log> log, OpenReadOnly(directory));
  for (std::uint64_t i = 0; i < log->size(); ++i) {
    QFS_ASSIGN_OR_RETURN(LogEntry e, log->Read(i));
    tree->Append(LeafHash(e.entry_hash));
    if (!e.payload.empty() && e.payload[0] == static_cast<std::uint8_t>(RecordType::kCheckpoint)) {
      QFS_ASSIGN_OR_RETURN(Checkpoint c, DecodeCheckpoint(ByteSpan(e.payload).subspan(1)));
      heads->push_back({i, std::move(c)});
    }
  }
  return OkStatus();
}

Status BadProof(const std::string& why) { return Status(StatusCode::kBadProof, why); }

Result<Digest32> DigestField(const Json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_string()) return BadProof(std::string("missing ") + name);
  QFS_ASSIGN_OR_RETURN(Bytes b, HexDecode(j[name].get<std::string>()));
  if (b.size() != 32) return BadProof(std::string(name) + " is not 32 bytes");
  Digest32 d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

Result<Bytes> HexField(const Json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_string()) return BadProof(std::string("missing ") + name);
  return HexDecode(j[name].get<std::string>());
}

Result<std::uint64_t> NumberField(const Json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_string()) return BadProof(std::string("missing ") + name);
  Result<std::uint64_t> n = ParseUint64(j[name].get<std::string>(), name);
  if (!n.ok()) return BadProof(n.status().message());
  return n;
}

Result<std::vector<Digest32>> ProofField(const Json& j) {
  if (!j.contains("proof") || !j["proof"].is_array() || j["proof"].size() > 64) {
    return BadProof("missing or oversized proof");
  }
  std::vector<Digest32> proof;
  for (const Json& h : j["proof"]) {
    if (!h.is_string()) return BadProof("proof items are hex strings");
    QFS_ASSIGN_OR_RETURN(Bytes b, HexDecode(h.get<std::string>()));
    if (b.size() != 32) return BadProof("proof items are 32 bytes");
    Digest32 d;
    std::copy(b.begin(), b.end(), d.begin());
    proof.push_back(d);
  }
  return proof;
}

// A head's fields, its signature checked (and its key pinned, when given).
Result<Checkpoint> CheckedHead(const Json& j, ByteSpan pinned) {
  if (!j.is_object()) return BadProof("a head is an object");
  Checkpoint c;
  QFS_ASSIGN_OR_RETURN(c.tree_size, NumberField(j, "tree_size"));
  QFS_ASSIGN_OR_RETURN(c.tree_root, DigestField(j, "tree_root"));
  QFS_ASSIGN_OR_RETURN(c.state_root, DigestField(j, "state_root"));
  if (!j.contains("algorithm") || !j["algorithm"].is_number_unsigned() ||
      j["algorithm"].get<std::uint64_t>() > 0xFFFF) {
    return BadProof("missing algorithm");
  }
  c.algorithm = static_cast<std::uint16_t>(j["algorithm"].get<std::uint64_t>());
  QFS_ASSIGN_OR_RETURN(c.public_key, HexField(j, "public_key"));
  QFS_ASSIGN_OR_RETURN(c.signature, HexField(j, "signature"));
  if (!pinned.empty() &&
      !std::equal(pinned.begin(), pinned.end(), c.public_key.begin(), c.public_key.end())) {
    return Status(StatusCode::kBadSignature, "the head is signed by another key");
  }
  QFS_ASSIGN_OR_RETURN(const crypto::SignatureScheme* scheme,
                       crypto::SignatureRegistry::Default().Find(c.algorithm));
  QFS_RETURN_IF_ERROR(scheme->Verify(c.public_key, CheckpointMessage(c), c.signature));
  return c;
}

}  // namespace

Result<Json> InclusionProofJson(const std::string& directory, std::uint64_t index) {
  std::vector<SignedHead> heads;
  MerkleTree tree;
  QFS_RETURN_IF_ERROR(ScanCheckpoints(directory, &heads, &tree));
  if (index >= tree.size())
    return Status(StatusCode::kOutOfRange, "no entry " + std::to_string(index));
  for (const SignedHead& h : heads) {
    if (h.checkpoint.tree_size <= index) continue;
    QFS_ASSIGN_OR_RETURN(std::vector<Digest32> proof,
                         tree.InclusionProof(index, h.checkpoint.tree_size));
    QFS_ASSIGN_OR_RETURN(std::unique_ptr<Log> log, OpenReadOnly(directory));
    QFS_ASSIGN_OR_RETURN(LogEntry e, log->Read(index));
    return Json{{"type", "inclusion"},
                {"index", std::to_string(index)},
                {"entry_hash", HexEncode(e.entry_hash)},
                {"proof", DigestsJson(proof)},
                {"head", CheckpointJson(h.checkpoint)}};
  }
  return Status(StatusCode::kNotFound,
                "no checkpoint covers entry " + std::to_string(index) + " yet");
}

Result<Json> ConsistencyProofJson(const std::string& directory, std::uint64_t first,
                                  std::uint64_t second) {
  std::vector<SignedHead> heads;
  MerkleTree tree;
  QFS_RETURN_IF_ERROR(ScanCheckpoints(directory, &heads, &tree));
  auto find = [&](std::uint64_t size) -> const Checkpoint* {
    for (const SignedHead& h : heads) {
      if (h.checkpoint.tree_size == size) return &h.checkpoint;
    }
    return nullptr;
  };
  const Checkpoint* a = find(first);
  const Checkpoint* b = find(second);
  if (a == nullptr || b == nullptr) {
    return Status(StatusCode::kNotFound,
                  "no checkpoint with tree size " + std::to_string(a ? second : first));
  }
  QFS_ASSIGN_OR_RETURN(std::vector<Digest32> proof, tree.ConsistencyProof(first, second));
  return Json{{"type", "consistency"},
              {"first", CheckpointJson(*a)},
              {"second", CheckpointJson(*b)},
              {"proof", DigestsJson(proof)}};
}

Status CheckProof(const Json& proof, ByteSpan node_public_key) {
  if (!proof.is_object() || !proof.contains("type")) return BadProof("not a proof document");
  QFS_ASSIGN_OR_RETURN(std::vector<Digest32> path, ProofField(proof));
  if (proof["type"] == "inclusion") {
    if (!proof.contains("head")) return BadProof("missing head");
    QFS_ASSIGN_OR_RETURN(Checkpoint head, CheckedHead(proof["head"], node_public_key));
    QFS_ASSIGN_OR_RETURN(std::uint64_t index, NumberField(proof, "index"));
    QFS_ASSIGN_OR_RETURN(Digest32 entry_hash, DigestField(proof, "entry_hash"));
    return VerifyInclusion(index, head.tree_size, LeafHash(entry_hash), path, head.tree_root);
  }
  if (proof["type"] == "consistency") {
    if (!proof.contains("first") || !proof.contains("second")) return BadProof("missing heads");
    QFS_ASSIGN_OR_RETURN(Checkpoint a, CheckedHead(proof["first"], node_public_key));
    QFS_ASSIGN_OR_RETURN(Checkpoint b, CheckedHead(proof["second"], node_public_key));
    return VerifyConsistency(a.tree_size, b.tree_size, a.tree_root, b.tree_root, path);
  }
  return BadProof("unknown proof type");
}

}  // namespace qfs::ledger
