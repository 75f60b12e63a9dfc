#include "ledger/audit.h"

#include <type_traits>

#include "base/text_encoding.h"
#include "ledger/replay.h"

namespace qfs::ledger {
namespace {

using codec::Json;

Result<std::unique_ptr<Log>> OpenReadOnly(const std::string& directory) {
  return Log::Open({directory + "/log", 64ull << 20, true});
}

std::string Hex(ByteSpan b) { return HexEncode(b); }
// Amounts and 64-bit numbers are strings: JSON numbers are exact only to 2^53.
std::string Text(std::uint64_t v) { return std::to_string(v); }

Json LegJson(const TransferLeg& leg) {
  return {
      {"to", leg.to.ToHex()}, {"token", TokenSymbol(leg.token)}, {"amount", leg.amount.ToString()}};
}

Json OperationJson(const Operation& operation) {
  return std::visit(
      [](const auto& op) -> Json {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, RegisterIdentity>) {
          return {{"op", "register_identity"},
                  {"algorithm", op.algorithm},
                  {"public_key", Hex(op.public_key)},
                  {"wallet_signature", Hex(op.wallet_signature)}};
        } else if constexpr (std::is_same_v<T, AddKey>) {
          return {
              {"op", "add_key"}, {"algorithm", op.algorithm}, {"public_key", Hex(op.public_key)}};
        } else if constexpr (std::is_same_v<T, RevokeKey>) {
          return {{"op", "revoke_key"}, {"key", op.key.value}};
        } else if constexpr (std::is_same_v<T, RotateKey>) {
          return {{"op", "rotate_key"},
                  {"algorithm", op.algorithm},
                  {"public_key", Hex(op.public_key)},
                  {"revoke", op.revoke.value}};
        } else if constexpr (std::is_same_v<T, SetRoles>) {
          return {{"op", "set_roles"}, {"identity", op.identity.ToHex()}, {"roles", op.roles}};
        } else if constexpr (std::is_same_v<T, Mint>) {
          return {{"op", "mint"}, {"leg", LegJson({op.to, op.token, op.amount})}};
        } else if constexpr (std::is_same_v<T, Burn>) {
          return {
              {"op", "burn"}, {"token", TokenSymbol(op.token)}, {"amount", op.amount.ToString()}};
        } else if constexpr (std::is_same_v<T, Transfer>) {
          return {{"op", "transfer"}, {"leg", LegJson(op.leg)}};
        } else if constexpr (std::is_same_v<T, Batch>) {
          Json legs = Json::array();
          for (const TransferLeg& leg : op.legs) legs.push_back(LegJson(leg));
          return {{"op", "batch"}, {"legs", legs}};
        } else if constexpr (std::is_same_v<T, Reserve>) {
          return {{"op", "reserve"}, {"leg", LegJson(op.leg)}, {"timeout_us", Text(op.timeout_us)}};
        } else if constexpr (std::is_same_v<T, PostPending>) {
          return {{"op", "post_pending"}, {"pending", Hex(op.pending.bytes)}};
        } else {
          return {{"op", "void_pending"}, {"pending", Hex(op.pending.bytes)}};
        }
      },
      operation);
}

Json RecordJson(const LogEntry& entry) {
  if (entry.payload.empty()) return {{"type", "invalid"}};
  const ByteSpan body = ByteSpan(entry.payload).subspan(1);
  switch (static_cast<RecordType>(entry.payload[0])) {
    case RecordType::kGenesis: {
      Result<GenesisParams> g = DecodeGenesis(body);
      if (!g.ok()) break;
      Json ids = Json::array();
      for (const GenesisParams::Identity& id : g.value().identities) {
        ids.push_back({{"id", id.id.ToHex()},
                       {"algorithm", id.algorithm},
                       {"public_key", Hex(id.public_key)},
                       {"roles", id.roles}});
      }
      Json transferable = Json::array();
      for (bool t : g.value().transferable) transferable.push_back(t);
      return {{"type", "genesis"},
              {"network", g.value().network},
              {"transferable", transferable},
              {"admission_window_us", Text(g.value().admission_window_us)},
              {"identities", ids}};
    }
    case RecordType::kPacket: {
      Result<Packet> p = DecodePacket(body);
      if (!p.ok()) break;
      const Packet& k = p.value();
      return {{"type", "packet"},
              {"signer", k.signer.ToHex()},
              {"key", k.key.value},
              {"sequence", Text(k.sequence)},
              {"client_time_us", Text(k.client_time_us)},
              {"operation_id", Hex(k.operation_id.bytes)},
              {"operation", OperationJson(k.operation)},
              {"algorithm", k.algorithm},
              {"signature", Hex(k.signature)}};
    }
    case RecordType::kCheckpoint: {
      Result<Checkpoint> c = DecodeCheckpoint(body);
      if (!c.ok()) break;
      return {{"type", "checkpoint"},
              {"tree_size", Text(c.value().tree_size)},
              {"tree_root", Hex(c.value().tree_root)},
              {"state_root", Hex(c.value().state_root)},
              {"algorithm", c.value().algorithm},
              {"public_key", Hex(c.value().public_key)},
              {"signature", Hex(c.value().signature)}};
    }
    case RecordType::kHalt:
      return {{"type", "halt"}, {"body", Hex(body)}};
    case RecordType::kResume:
      return {{"type", "resume"}, {"body", Hex(body)}};
  }
  return {{"type", "undecodable"}, {"payload", Hex(entry.payload)}};
}

}  // namespace

Json EntryJson(const LogEntry& entry) {
  return {{"index", Text(entry.index)},
          {"timestamp_us", Text(entry.timestamp_us)},
          {"previous_hash", Hex(entry.previous_hash)},
          {"entry_hash", Hex(entry.entry_hash)},
          {"result", entry.result},
          {"result_name", ResultCodeName(static_cast<ResultCode>(entry.result))},
          {"record", RecordJson(entry)}};
}

Result<VerifyReport> VerifyLedger(const std::string& directory, const Progress& progress) {
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<Log> log, OpenReadOnly(directory));
  Replayer replay({.check_signatures = true});
  VerifyReport report;
  report.entries = log->size();
  report.torn_bytes = log->recovery().torn_bytes_cut;
  for (std::uint64_t i = 0; i < log->size(); ++i) {
    QFS_ASSIGN_OR_RETURN(LogEntry entry, log->Read(i));
    QFS_RETURN_IF_ERROR(replay.Apply(entry));
    report.packets += entry.payload[0] == static_cast<std::uint8_t>(RecordType::kPacket);
    if (progress && (i % 4096 == 0 || i + 1 == log->size())) progress(i + 1, log->size());
  }
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

}  // namespace qfs::ledger
