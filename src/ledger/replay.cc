#include "ledger/replay.h"

#include <algorithm>
#include <string>

#include "codec/encoding.h"
#include "crypto/hash.h"

namespace qfs::ledger {
namespace {

constexpr char kCheckpointDomain[] = "qfs.ledger.checkpoint.v1";
constexpr char kHaltDomain[] = "qfs.ledger.halt.v1";
constexpr char kResumeDomain[] = "qfs.ledger.resume.v1";

Status Integrity(std::uint64_t index, const std::string& why) {
  return Status(StatusCode::kCorruption, "entry " + std::to_string(index) + ": " + why);
}

}  // namespace

Bytes CheckpointMessage(const Checkpoint& c) {
  codec::Writer w;
  w.String(kCheckpointDomain);
  w.U64(c.tree_size);
  w.FixedBytes(c.tree_root);
  w.FixedBytes(c.state_root);
  return w.Take();
}

Bytes EncodeCheckpoint(const Checkpoint& c) {
  codec::Writer w;
  w.U64(c.tree_size);
  w.FixedBytes(c.tree_root);
  w.FixedBytes(c.state_root);
  w.U16(c.algorithm);
  w.LengthPrefixedBytes(c.public_key);
  w.LengthPrefixedBytes(c.signature);
  return w.Take();
}

Result<Checkpoint> DecodeCheckpoint(ByteSpan bytes) {
  codec::Reader r(bytes);
  Checkpoint c;
  QFS_ASSIGN_OR_RETURN(c.tree_size, r.U64());
  QFS_ASSIGN_OR_RETURN(c.tree_root, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(c.state_root, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(c.algorithm, r.U16());
  QFS_ASSIGN_OR_RETURN(c.public_key, r.LengthPrefixedBytes(kPublicKeyBytesMax));
  QFS_ASSIGN_OR_RETURN(c.signature, r.LengthPrefixedBytes(kPacketBytesMax));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return c;
}

Bytes HaltMessage(const HaltRecord& h) {
  codec::Writer body;
  body.String(h.reason);
  body.FixedBytes(h.state_root);
  codec::Writer w;
  w.String(kHaltDomain);
  w.FixedBytes(body.bytes());
  return w.Take();
}

Bytes EncodeHalt(const HaltRecord& h) {
  codec::Writer w;
  w.String(h.reason);
  w.FixedBytes(h.state_root);
  w.U16(h.algorithm);
  w.LengthPrefixedBytes(h.signature);
  return w.Take();
}

Result<HaltRecord> DecodeHalt(ByteSpan bytes) {
  codec::Reader r(bytes);
  HaltRecord h;
  QFS_ASSIGN_OR_RETURN(h.reason, r.String(kHaltReasonBytesMax));
  QFS_ASSIGN_OR_RETURN(h.state_root, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(h.algorithm, r.U16());
  QFS_ASSIGN_OR_RETURN(h.signature, r.LengthPrefixedBytes(kPacketBytesMax));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return h;
}

Bytes ResumeMessage(const ResumeRecord& rec) {
  codec::Writer body;
  body.String(rec.reason);
  codec::Writer w;
  w.String(kResumeDomain);
  w.FixedBytes(body.bytes());
  return w.Take();
}

Bytes EncodeResume(const ResumeRecord& rec) {
  codec::Writer w;
  w.String(rec.reason);
  w.U16(rec.algorithm);
  w.LengthPrefixedBytes(rec.signature);
  return w.Take();
}

Result<ResumeRecord> DecodeResume(ByteSpan bytes) {
  codec::Reader r(bytes);
  ResumeRecord rec;
  QFS_ASSIGN_OR_RETURN(rec.reason, r.String(kHaltReasonBytesMax));
  QFS_ASSIGN_OR_RETURN(rec.algorithm, r.U16());
  QFS_ASSIGN_OR_RETURN(rec.signature, r.LengthPrefixedBytes(kPacketBytesMax));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return rec;
}

bool IsNodeKey(const State& state, std::uint16_t algorithm, ByteSpan public_key) {
  for (const auto& [id, account] : state.accounts()) {
    if ((account.roles & kRoleAdmin) == 0) continue;
    for (const KeyRecord& k : account.keys) {
      if (!k.revoked && k.algorithm == algorithm &&
          std::equal(k.public_key.begin(), k.public_key.end(), public_key.begin(),
                     public_key.end())) {
        return true;
      }
    }
  }
  return false;
}

bool SignedByANodeKey(const State& state, std::uint16_t algorithm, ByteSpan message,
                      ByteSpan signature) {
  Result<const crypto::SignatureScheme*> scheme =
      crypto::SignatureRegistry::Default().Find(algorithm);
  if (!scheme.ok()) return false;
  for (const auto& [id, account] : state.accounts()) {
    if ((account.roles & kRoleAdmin) == 0) continue;
    for (const KeyRecord& k : account.keys) {
      if (!k.revoked && k.algorithm == algorithm &&
          scheme.value()->Verify(k.public_key, message, signature).ok()) {
        return true;
      }
    }
  }
  return false;
}

Status Replayer::Apply(const LogEntry& entry) {
  tree_.Append(LeafHash(entry.entry_hash));
  if (entry.payload.empty()) return Integrity(entry.index, "empty payload");
  const auto type = static_cast<RecordType>(entry.payload[0]);
  const ByteSpan body = ByteSpan(entry.payload).subspan(1);
  // A system record's result code is fixed (docs/formats/log.md): 302 for a halt, 0 otherwise.
  // The entry hash covers it, so a forged one must not pass as merely unusual.
  if (type != RecordType::kPacket) {
    const ResultCode fixed = type == RecordType::kHalt ? ResultCode::kHalted : ResultCode::kOk;
    if (entry.result != static_cast<std::uint16_t>(fixed)) {
      return Integrity(entry.index, "a system record with result " + std::to_string(entry.result) +
                                        " (its result is " +
                                        std::to_string(static_cast<int>(fixed)) + ")");
    }
  }
  if (entry.index == 0) {
    if (type != RecordType::kGenesis)
      return Integrity(0, "the first entry is not a genesis record");
    Result<GenesisParams> params = DecodeGenesis(body);
    if (!params.ok()) return Integrity(0, params.status().message());
    state_ = std::make_unique<State>(std::move(params).value());
    return OkStatus();
  }
  switch (type) {
    case RecordType::kPacket:
      return ApplyPacket(entry, body);
    case RecordType::kCheckpoint:
      return ApplyCheckpoint(entry, body);
    case RecordType::kHalt:
      return ApplyHalt(entry, body);
    case RecordType::kResume:
      return ApplyResume(entry, body);
    case RecordType::kGenesis:
      break;
  }
  return Integrity(entry.index, "unknown record type");
}

Status Replayer::ApplyPacket(const LogEntry& entry, ByteSpan body) {
  Result<Packet> packet = DecodePacket(body);
  if (!packet.ok()) return Integrity(entry.index, packet.status().message());
  const Packet& p = packet.value();
  const ResultCode admission =
      options_.check_signatures ? state_->CheckAdmission(p, entry.timestamp_us, options_.key_cache)
                                : [&] {
                                    State::SigningKey key;
                                    return state_->CheckAdmissionState(p, entry.timestamp_us, &key);
                                  }();
  if (admission != ResultCode::kOk) {
    return Integrity(entry.index,
                     "logged packet fails admission: " + std::string(ResultCodeName(admission)));
  }
  if (state_->FindOperation(p.signer, p.operation_id) != nullptr) {
    return Integrity(entry.index, "logged packet repeats an operation id");
  }
  // The decoder is strict, so the logged bytes are the packet's canonical encoding: hash them
  // as they are (as admission did) instead of encoding the packet again.
  const ResultCode result = state_->Apply(p, crypto::Sha256(body), entry.index, entry.timestamp_us);
  if (!state_->last_entry_check().ok()) {
    return Integrity(entry.index, state_->last_entry_check().message());
  }
  if (static_cast<std::uint16_t>(result) != entry.result) {
    return Integrity(entry.index, "recorded result " + std::to_string(entry.result) +
                                      ", replay gives " + std::string(ResultCodeName(result)));
  }
  return OkStatus();
}

// A halt's state root is not checked against replay: a halt written after a failed replay
// carries the root before the bad entry, and sits after later ones.
Status Replayer::ApplyHalt(const LogEntry& entry, ByteSpan body) {
  Result<HaltRecord> h = DecodeHalt(body);
  if (options_.check_signatures) {
    if (!h.ok()) return Integrity(entry.index, "halt record: " + h.status().message());
    if (!SignedByANodeKey(*state_, h.value().algorithm, HaltMessage(h.value()),
                          h.value().signature)) {
      return Integrity(entry.index, "halt record not signed by a node key");
    }
  }
  halted_ = true;
  halt_reason_ = "halted at entry " + std::to_string(entry.index) + ": " +
                 (h.ok() ? h.value().reason : std::string("(unreadable reason)"));
  return OkStatus();
}

Status Replayer::ApplyResume(const LogEntry& entry, ByteSpan body) {
  if (options_.check_signatures) {
    Result<ResumeRecord> r = DecodeResume(body);
    if (!r.ok()) return Integrity(entry.index, "resume record: " + r.status().message());
    if (!SignedByANodeKey(*state_, r.value().algorithm, ResumeMessage(r.value()),
                          r.value().signature)) {
      return Integrity(entry.index, "resume record not signed by a node key");
    }
  }
  halted_ = false;
  halt_reason_.clear();
  return OkStatus();
}

Status Replayer::ApplyCheckpoint(const LogEntry& entry, ByteSpan body) {
  Result<Checkpoint> decoded = DecodeCheckpoint(body);
  if (!decoded.ok()) return Integrity(entry.index, decoded.status().message());
  const Checkpoint& c = decoded.value();
  if (c.tree_size != entry.index || c.tree_root != tree_.Root(entry.index)) {
    return Integrity(entry.index, "checkpoint tree head does not match the log");
  }
  if (c.state_root != state_->Root()) {
    return Integrity(entry.index, "checkpoint state root does not match replay");
  }
  if (options_.check_signatures) {
    // The key the checkpoint names must be a node key of the log, not merely its own.
    if (!IsNodeKey(*state_, c.algorithm, c.public_key)) {
      return Integrity(entry.index, "checkpoint signed by a key that is not a node key");
    }
    Result<const crypto::SignatureScheme*> scheme =
        crypto::SignatureRegistry::Default().Find(c.algorithm);
    if (!scheme.ok() ||
        !scheme.value()->Verify(c.public_key, CheckpointMessage(c), c.signature).ok()) {
      return Integrity(entry.index, "checkpoint signature does not verify");
    }
  }
  Status invariants = state_->CheckInvariants();
  if (!invariants.ok()) return Integrity(entry.index, invariants.message());
  last_checkpoint_size_ = entry.index + 1;
  last_checkpoint_ = c;
  ++checkpoints_;
  return OkStatus();
}

}  // namespace qfs::ledger
