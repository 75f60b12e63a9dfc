#include "ledger/json.h"

#include <type_traits>

#include "base/limits.h"
#include "base/text_encoding.h"

namespace qfs::ledger {
namespace {

using codec::Json;

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
          return {{"op", "set_roles"},
                  {"identity", op.identity.ToHex()},
                  {"roles", RolesJson(op.roles)}};
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
      Json out = GenesisJson(g.value());
      out["type"] = "genesis";
      return out;
    }
    case RecordType::kPacket: {
      Result<Packet> p = DecodePacket(body);
      if (!p.ok()) break;
      const Packet& k = p.value();
      return {{"type", "packet"},
              {"version", k.version},
              {"network", k.network},
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
      Json out = CheckpointJson(c.value());
      out["type"] = "checkpoint";
      return out;
    }
    case RecordType::kHalt: {
      Result<HaltRecord> h = DecodeHalt(body);
      if (!h.ok()) break;
      return {{"type", "halt"},
              {"reason", h.value().reason},
              {"state_root", Hex(h.value().state_root)},
              {"algorithm", h.value().algorithm},
              {"signature", Hex(h.value().signature)}};
    }
    case RecordType::kResume: {
      Result<ResumeRecord> r = DecodeResume(body);
      if (!r.ok()) break;
      return {{"type", "resume"},
              {"reason", r.value().reason},
              {"algorithm", r.value().algorithm},
              {"signature", Hex(r.value().signature)}};
    }
  }
  return {{"type", "undecodable"}, {"payload", Hex(entry.payload)}};
}

Status Invalid(const std::string& what) {
  return Status(StatusCode::kInvalidArgument, "genesis: " + what);
}

Result<std::uint64_t> ParseU64(const Json& j, const std::string& field) {
  std::uint64_t v = 0;
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (!j.is_string()) return Invalid(field + " must be a number or a decimal string");
  const std::string s = j.get<std::string>();
  if (s.empty() || s.size() > 19) return Invalid(field + " must be a decimal integer");
  for (char c : s) {
    if (c < '0' || c > '9') return Invalid(field + " must be a decimal integer");
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

Result<std::uint32_t> ParseRoles(const Json& j, const std::string& field) {
  if (!j.is_array()) return Invalid(field + " must be a list of role names");
  std::uint32_t roles = 0;
  for (const Json& r : j) {
    const std::optional<Role> role =
        r.is_string() ? RoleFromName(r.get<std::string>()) : std::nullopt;
    if (!role) return Invalid(field + ": unknown role " + r.dump());
    roles |= *role;
  }
  return roles;
}

Result<GenesisParams::Identity> ParseGenesisIdentity(const Json& j, const std::string& field) {
  if (!j.is_object()) return Invalid(field + " must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key != "id" && key != "algorithm" && key != "public_key" && key != "roles") {
      return Invalid(field + ": unknown field " + key);
    }
  }
  GenesisParams::Identity id;
  if (!j.contains("algorithm") || !j["algorithm"].is_number_unsigned() ||
      j["algorithm"].get<std::uint64_t>() > 0xffff) {
    return Invalid(field + ".algorithm must be a signature algorithm number");
  }
  id.algorithm = j["algorithm"].get<std::uint16_t>();
  if (!j.contains("public_key") || !j["public_key"].is_string()) {
    return Invalid(field + ".public_key must be hex");
  }
  Result<Bytes> key = HexDecode(j["public_key"].get<std::string>());
  if (!key.ok() || key.value().empty() || key.value().size() > kPublicKeyBytesMax) {
    return Invalid(field + ".public_key must be hex");
  }
  id.public_key = std::move(key).value();
  if (j.contains("id")) {
    Result<IdentityId> parsed =
        j["id"].is_string() ? ParseIdentityId(j["id"].get<std::string>()) : Invalid("");
    if (!parsed.ok()) return Invalid(field + ".id must be 0x and 40 hex digits");
    id.id = parsed.value();
  } else {
    id.id = DeriveIdentity(id.algorithm, id.public_key);
  }
  if (j.contains("roles")) {
    QFS_ASSIGN_OR_RETURN(id.roles, ParseRoles(j["roles"], field + ".roles"));
  }
  return id;
}

}  // namespace

Json RolesJson(std::uint32_t roles) {
  Json out = Json::array();
  for (const RoleName& r : kRoleNames) {
    if ((roles & r.bit) != 0) out.push_back(r.name);
  }
  return out;
}

Json CheckpointJson(const Checkpoint& c) {
  return {{"tree_size", Text(c.tree_size)},  {"tree_root", Hex(c.tree_root)},
          {"state_root", Hex(c.state_root)}, {"algorithm", c.algorithm},
          {"public_key", Hex(c.public_key)}, {"signature", Hex(c.signature)}};
}

Json DigestsJson(const std::vector<Digest32>& digests) {
  Json out = Json::array();
  for (const Digest32& d : digests) out.push_back(Hex(d));
  return out;
}

Json AccountJson(const AccountView& view) {
  const Account& a = view.account;
  Json keys = Json::array();
  for (std::size_t i = 0; i < a.keys.size(); ++i) {
    keys.push_back({{"key", i},
                    {"algorithm", a.keys[i].algorithm},
                    {"public_key", Hex(a.keys[i].public_key)},
                    {"revoked", a.keys[i].revoked}});
  }
  Json balances = Json::object();
  for (int t = 0; t < kTokenCount; ++t) {
    balances[std::string(TokenSymbol(static_cast<Token>(t)))] = {
        {"available", Amount::FromRaw(a.balance[static_cast<std::size_t>(t)]).ToString()},
        {"reserved", Amount::FromRaw(a.reserved[static_cast<std::size_t>(t)]).ToString()}};
  }
  return {{"id", view.id.ToHex()},
          {"as_of_index", Text(view.as_of_index)},
          {"sequence", Text(a.sequence)},
          {"roles", RolesJson(a.roles)},
          {"keys", keys},
          {"balances", balances}};
}

Json GenesisJson(const GenesisParams& g) {
  Json ids = Json::array();
  for (const GenesisParams::Identity& id : g.identities) {
    ids.push_back({{"id", id.id.ToHex()},
                   {"algorithm", id.algorithm},
                   {"public_key", Hex(id.public_key)},
                   {"roles", RolesJson(id.roles)}});
  }
  Json transferable = Json::array();
  for (int t = 0; t < kTokenCount; ++t) {
    if (g.transferable[static_cast<std::size_t>(t)]) {
      transferable.push_back(TokenSymbol(static_cast<Token>(t)));
    }
  }
  return {{"network", g.network},
          {"transferable", transferable},
          {"admission_window_us", Text(g.admission_window_us)},
          {"identities", ids}};
}

Result<GenesisParams> ParseGenesisJson(const Json& j) {
  if (!j.is_object()) return Invalid("must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "network" && key != "transferable" && key != "admission_window_us" &&
        key != "identities" && key != "type") {
      return Invalid("unknown field " + key);
    }
  }
  GenesisParams g;
  if (j.contains("network")) {
    if (!j["network"].is_number_unsigned() || j["network"].get<std::uint64_t>() > 0xffffffff) {
      return Invalid("network must be a 32-bit number");
    }
    g.network = j["network"].get<std::uint32_t>();
  }
  if (j.contains("transferable")) {
    if (!j["transferable"].is_array()) return Invalid("transferable must be a list of tokens");
    g.transferable = {};
    for (const Json& t : j["transferable"]) {
      std::optional<Token> token = t.is_string() ? ParseToken(t.get<std::string>()) : std::nullopt;
      if (!token) return Invalid("transferable: unknown token " + t.dump());
      g.transferable[static_cast<std::size_t>(*token)] = true;
    }
  }
  if (j.contains("admission_window_us")) {
    QFS_ASSIGN_OR_RETURN(g.admission_window_us,
                         ParseU64(j["admission_window_us"], "admission_window_us"));
  }
  if (j.contains("identities")) {
    if (!j["identities"].is_array() || j["identities"].size() > kGenesisIdentitiesMax) {
      return Invalid("identities must be a list of at most " +
                     std::to_string(kGenesisIdentitiesMax));
    }
    for (std::size_t i = 0; i < j["identities"].size(); ++i) {
      QFS_ASSIGN_OR_RETURN(
          GenesisParams::Identity id,
          ParseGenesisIdentity(j["identities"][i], "identities[" + std::to_string(i) + "]"));
      g.identities.push_back(std::move(id));
    }
  }
  // The binary decoder is the authority on what a genesis may hold (sizes, duplicates).
  const Bytes encoded = EncodeGenesis(g);
  Result<GenesisParams> checked = DecodeGenesis(encoded);
  if (!checked.ok()) return Invalid(checked.status().message());
  // It is logged as entry 0: one record type byte and the body must fit in a payload.
  if (1 + encoded.size() > kLogPayloadBytesMax) {
    return Invalid("the genesis takes " + std::to_string(1 + encoded.size()) +
                   " bytes, more than a log entry holds (" + std::to_string(kLogPayloadBytesMax) +
                   "): fewer identities or smaller keys");
  }
  return g;
}

Json EntryJson(const LogEntry& entry) {
  return {{"index", Text(entry.index)},
          {"timestamp_us", Text(entry.timestamp_us)},
          {"previous_hash", Hex(entry.previous_hash)},
          {"entry_hash", Hex(entry.entry_hash)},
          {"result", entry.result},
          {"result_name", ResultCodeName(static_cast<ResultCode>(entry.result))},
          {"record", RecordJson(entry)}};
}

}  // namespace qfs::ledger
