#include "cli/tx_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>

#include "base/strings.h"
#include "base/text_encoding.h"
#include "cli/output.h"
#include "codec/json.h"
#include "crypto/random.h"
#include "keys/key_file.h"
#include "ledger/packet.h"
#include "ledger/state.h"
#include "net/http_client.h"

namespace qfs::cli {
namespace {

using codec::Json;
using ledger::Amount;
using ledger::IdentityId;
using ledger::Operation;

std::string DefaultNode() {
  const char* env = std::getenv("QFS_NODE");
  return env != nullptr ? env : "http://127.0.0.1:8080";
}

// A node's JSON answer: the parsed body, or its error as a Status.
Result<Json> Call(const std::string& node, const std::string& method, const std::string& target,
                  const std::string& body = "") {
  QFS_ASSIGN_OR_RETURN(net::HttpResponse r, net::HttpFetch(node, method, target, body));
  Result<Json> json = codec::ParseJson(r.body);
  if (!json.ok()) {
    return Status(StatusCode::kUnavailable, "the node answered " + std::to_string(r.status) +
                                                " with a body that is not JSON");
  }
  return json;
}

// Everything the operation subcommands collect, parsed when the command runs.
struct TxArgs {
  std::string node = DefaultNode();
  std::string key_file;
  std::string identity;      // default: the key's own key-only identity
  std::string operation_id;  // hex; default random
  std::uint64_t sequence = 0;
  std::uint32_t network = 0;
  bool print_only = false;
  std::vector<std::string> words;  // the operation's positional arguments
  std::string public_key_hex, algorithm_name;
  std::uint32_t key_index = 0;
  std::uint64_t timeout_seconds = 0;
};

Result<IdentityId> ParseId(const std::string& text) {
  Result<IdentityId> id = ledger::ParseIdentityId(text);
  if (!id.ok()) return Status(StatusCode::kInvalidArgument, "not an identity: '" + text + "'");
  return id;
}

Result<ledger::Token> ParseTokenArg(const std::string& text) {
  std::optional<ledger::Token> t = ledger::ParseToken(text);
  if (!t) return Status(StatusCode::kInvalidArgument, "unknown token '" + text + "'");
  return *t;
}

Result<Amount> ParseAmount(const std::string& text) {
  Result<Amount> a = Amount::Parse(text);
  if (!a.ok()) return Status(StatusCode::kInvalidArgument, "not an amount: '" + text + "'");
  return a;
}

Result<ledger::TransferLeg> ParseLeg(const std::string& to, const std::string& token,
                                     const std::string& amount) {
  ledger::TransferLeg leg;
  QFS_ASSIGN_OR_RETURN(leg.to, ParseId(to));
  QFS_ASSIGN_OR_RETURN(leg.token, ParseTokenArg(token));
  QFS_ASSIGN_OR_RETURN(leg.amount, ParseAmount(amount));
  return leg;
}

Result<ledger::OperationId> ParseOperationId(const std::string& hex) {
  Result<Bytes> b = HexDecode(hex);
  ledger::OperationId id;
  if (!b.ok() || b.value().size() != id.bytes.size()) {
    return Status(StatusCode::kInvalidArgument, "an operation id is 32 hex digits");
  }
  std::copy(b.value().begin(), b.value().end(), id.bytes.begin());
  return id;
}

Result<std::uint32_t> ParseRoles(const std::string& text) {
  std::uint32_t roles = 0;
  if (text == "none") return roles;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string name = text.substr(start, end - start);
    const std::optional<ledger::Role> role = ledger::RoleFromName(name);
    if (!role) {
      return Status(
          StatusCode::kInvalidArgument,
          "roles are a comma list of admin, minter, burner (or none), not '" + text + "'");
    }
    roles |= *role;
    start = end + 1;
  }
  return roles;
}

Result<std::pair<std::uint16_t, Bytes>> ParseNewKey(const TxArgs& a) {
  QFS_ASSIGN_OR_RETURN(const crypto::SignatureScheme* scheme,
                       crypto::SignatureRegistry::Default().FindByName(a.algorithm_name));
  Result<Bytes> key = HexDecode(a.public_key_hex);
  if (!key.ok() || key.value().size() != scheme->public_key_bytes()) {
    return Status(StatusCode::kBadKey,
                  "--public-key must be a " + a.algorithm_name + " public key in hex");
  }
  return std::make_pair(static_cast<std::uint16_t>(scheme->id()), std::move(key).value());
}

// How each operation subcommand turns its words into an Operation.
using OperationBuilder = std::function<Result<Operation>(const TxArgs&, const keys::KeyFile&)>;

struct OperationSpec {
  const char* name;
  const char* help;
  const char* words;       // the positional arguments, for the help text
  std::size_t word_count;  // 0 for a variable number (batch)
  OperationBuilder build;
};

const std::vector<OperationSpec>& OperationSpecs() {
  static const std::vector<OperationSpec> specs = {
      {"register", "Register the key file's key as a new key-only identity", "", 0,
       [](const TxArgs&, const keys::KeyFile& key) -> Result<Operation> {
         return Operation(ledger::RegisterIdentity{
             static_cast<std::uint16_t>(key.algorithm), key.public_key, {}});
       }},
      {"add-key", "Add a key (--algorithm, --public-key) to the identity", "", 0,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(auto k, ParseNewKey(a));
         return Operation(ledger::AddKey{k.first, k.second});
       }},
      {"rotate-key", "Add a key (--algorithm, --public-key) and revoke --revoke N", "", 0,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(auto k, ParseNewKey(a));
         return Operation(ledger::RotateKey{k.first, k.second, ledger::KeyId{a.key_index}});
       }},
      {"revoke-key", "Revoke key --revoke N of the identity", "", 0,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         return Operation(ledger::RevokeKey{ledger::KeyId{a.key_index}});
       }},
      {"set-roles", "Set an identity's roles (admin only)", "ID ROLES", 2,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         ledger::SetRoles op;
         QFS_ASSIGN_OR_RETURN(op.identity, ParseId(a.words[0]));
         QFS_ASSIGN_OR_RETURN(op.roles, ParseRoles(a.words[1]));
         return Operation(op);
       }},
      {"mint", "Mint AMOUNT of TOKEN to TO (minter only)", "TO TOKEN AMOUNT", 3,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(ledger::TransferLeg leg,
                              ParseLeg(a.words[0], a.words[1], a.words[2]));
         return Operation(ledger::Mint{leg.to, leg.token, leg.amount});
       }},
      {"burn", "Burn AMOUNT of TOKEN from the signer's account (burner only)", "TOKEN AMOUNT", 2,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         ledger::Burn op;
         QFS_ASSIGN_OR_RETURN(op.token, ParseTokenArg(a.words[0]));
         QFS_ASSIGN_OR_RETURN(op.amount, ParseAmount(a.words[1]));
         return Operation(op);
       }},
      {"transfer", "Transfer AMOUNT of TOKEN to TO", "TO TOKEN AMOUNT", 3,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(ledger::TransferLeg leg,
                              ParseLeg(a.words[0], a.words[1], a.words[2]));
         return Operation(ledger::Transfer{leg});
       }},
      {"batch", "Transfers that all apply or none does", "TO:TOKEN:AMOUNT...", 0,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         ledger::Batch op;
         if (a.words.empty() || a.words.size() > ledger::kBatchLegsMax) {
           return Status(
               StatusCode::kInvalidArgument,
               "a batch has 1.." + std::to_string(ledger::kBatchLegsMax) + " legs TO:TOKEN:AMOUNT");
         }
         for (const std::string& w : a.words) {
           const std::size_t c1 = w.find(':'), c2 = w.find(':', c1 + 1);
           if (c1 == std::string::npos || c2 == std::string::npos) {
             return Status(StatusCode::kInvalidArgument, "a leg is TO:TOKEN:AMOUNT, not " + w);
           }
           QFS_ASSIGN_OR_RETURN(
               ledger::TransferLeg leg,
               ParseLeg(w.substr(0, c1), w.substr(c1 + 1, c2 - c1 - 1), w.substr(c2 + 1)));
           op.legs.push_back(leg);
         }
         return Operation(op);
       }},
      {"reserve", "Phase one of a two-phase transfer (--timeout-seconds)", "TO TOKEN AMOUNT", 3,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(ledger::TransferLeg leg,
                              ParseLeg(a.words[0], a.words[1], a.words[2]));
         if (a.timeout_seconds == 0 ||
             a.timeout_seconds > ledger::kPendingTimeoutMaxUs / 1'000'000) {
           return Status(StatusCode::kInvalidArgument, "--timeout-seconds must be 1..2592000");
         }
         return Operation(ledger::Reserve{leg, a.timeout_seconds * 1'000'000});
       }},
      {"post", "Complete a reserved transfer (its operation id)", "PENDING_ID", 1,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(ledger::OperationId id, ParseOperationId(a.words[0]));
         return Operation(ledger::PostPending{id});
       }},
      {"void", "Cancel a reserved transfer (its operation id)", "PENDING_ID", 1,
       [](const TxArgs& a, const keys::KeyFile&) -> Result<Operation> {
         QFS_ASSIGN_OR_RETURN(ledger::OperationId id, ParseOperationId(a.words[0]));
         return Operation(ledger::VoidPending{id});
       }},
  };
  return specs;
}

std::uint64_t NowMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// The signer's next sequence and the number of the key file's key, from the node.
Status FillSignerState(const TxArgs& a, const keys::KeyFile& key, ledger::Packet& p) {
  if (std::holds_alternative<ledger::RegisterIdentity>(p.operation)) {
    p.sequence = a.sequence != 0 ? a.sequence : 1;
    return OkStatus();
  }
  QFS_ASSIGN_OR_RETURN(Json account, Call(a.node, "GET", "/v1/accounts/" + p.signer.ToHex()));
  if (account.contains("error")) {
    return Status(StatusCode::kNotFound, "the node does not know " + p.signer.ToHex() + ": " +
                                             account["error"].value("message", ""));
  }
  const std::string hex = HexEncode(key.public_key);
  bool found = false;
  for (const Json& k : account["keys"]) {
    if (k.value("public_key", "") == hex && !k.value("revoked", true)) {
      p.key.value = k.value("key", 0u);
      found = true;
    }
  }
  if (!found) {
    return Status(StatusCode::kBadKey,
                  "the key file's key is not an active key of " + p.signer.ToHex());
  }
  if (a.sequence != 0) {
    p.sequence = a.sequence;
    return OkStatus();
  }
  // The node's answer is outside input like any other: checked, never trusted to parse.
  const auto sequence = account.find("sequence");
  if (sequence == account.end() || !sequence->is_string()) {
    return Status(StatusCode::kParseError, "the node's account answer has no sequence");
  }
  QFS_ASSIGN_OR_RETURN(std::uint64_t last, ParseUint64(sequence->get<std::string>(),
                                                       "the account's sequence", UINT64_MAX - 1));
  p.sequence = last + 1;
  return OkStatus();
}

Result<std::uint32_t> NetworkOf(const TxArgs& a) {
  if (a.network != 0) return a.network;
  QFS_ASSIGN_OR_RETURN(Json genesis, Call(a.node, "GET", "/v1/ledger/entries/0"));
  const Json& record = genesis["entry"]["record"];
  if (!record.is_object() || record.value("type", "") != "genesis" ||
      !record["network"].is_number_unsigned()) {
    return Status(StatusCode::kUnavailable, "the node did not answer with its genesis entry");
  }
  return record["network"].get<std::uint32_t>();
}

// Builds, signs and (unless print_only) submits; prints the outcome. Returns the exit code.
int RunTx(const TxArgs& a, const OperationSpec& spec) {
  auto fail = [](const Status& s) {
    PrintError(s);
    return 1;
  };
  if (spec.word_count != 0 && a.words.size() != spec.word_count) {
    return fail(Status(StatusCode::kInvalidArgument,
                       std::string("usage: qfs tx ") + spec.name + " " + spec.words));
  }
  Result<keys::KeyFile> key = keys::ReadKeyFile(a.key_file);
  if (!key.ok()) return fail(key.status());
  Result<const crypto::SignatureScheme*> scheme =
      crypto::SignatureRegistry::Default().Find(key.value().algorithm);
  if (!scheme.ok()) return fail(scheme.status());
  Result<Operation> op = spec.build(a, key.value());
  if (!op.ok()) return fail(op.status());

  ledger::Packet p;
  p.operation = std::move(op).value();
  p.algorithm = static_cast<std::uint16_t>(scheme.value()->id());
  // What the node refuses unread (too large, malformed), refused here before anything is asked
  // of the node or signed.
  if (Status s = ledger::CheckPacketEncodable(p, scheme.value()->signature_bytes()); !s.ok()) {
    return fail(Status(s.code(), "the node would refuse this packet: " + s.message()));
  }
  Result<IdentityId> signer =
      a.identity.empty() ? ledger::DeriveIdentity(static_cast<std::uint16_t>(key.value().algorithm),
                                                  key.value().public_key)
                         : ParseId(a.identity);
  if (!signer.ok()) return fail(signer.status());
  p.signer = signer.value();
  if (a.operation_id.empty()) {
    crypto::SystemRandom().Fill(p.operation_id.bytes);
  } else {
    Result<ledger::OperationId> id = ParseOperationId(a.operation_id);
    if (!id.ok()) return fail(id.status());
    p.operation_id = id.value();
  }
  Result<std::uint32_t> network = NetworkOf(a);
  if (!network.ok()) return fail(network.status());
  p.network = network.value();
  if (Status s = FillSignerState(a, key.value(), p); !s.ok()) return fail(s);
  p.client_time_us = NowMicros();
  if (Status s = ledger::SignPacket(p, *scheme.value(), key.value().secret_key); !s.ok()) {
    return fail(s);
  }
  const std::string hex = HexEncode(ledger::EncodePacket(p));
  Json out = {{"signer", p.signer.ToHex()},
              {"sequence", std::to_string(p.sequence)},
              {"operation_id", HexEncode(p.operation_id.bytes)}};
  if (a.print_only) {
    out["packet"] = hex;
    std::cout << codec::CanonicalJson(out).value() << "\n";
    return 0;
  }
  Result<Json> answer = Call(a.node, "POST", "/v1/packets", Json{{"packet", hex}}.dump());
  if (!answer.ok()) return fail(answer.status());
  if (answer.value().contains("error")) {  // not logged: the node's error as it came
    std::cout << codec::CanonicalJson(answer.value()).value() << "\n";
    return 1;
  }
  for (const auto& [k, v] : answer.value().items()) out[k] = v;
  std::cout << codec::CanonicalJson(out).value() << "\n";
  return answer.value().value("result", -1) == 0 ? 0 : 1;
}

}  // namespace

void AddTxCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "tx", "Build, sign and submit one ledger operation; prints the durable result");
  cmd->require_subcommand(1);
  auto args = std::make_shared<TxArgs>();
  cmd->add_option("--node", args->node, "Node URL (env QFS_NODE)")->capture_default_str();
  cmd->add_option("-k,--key", args->key_file, "Key file that signs (qfs keygen)")->required();
  cmd->add_option("--identity", args->identity,
                  "Signing identity (default: the key's own key-only identity)");
  cmd->add_option("--operation-id", args->operation_id, "32 hex digits (default: random)");
  cmd->add_option("--sequence", args->sequence, "Sequence (default: the account's next)");
  cmd->add_option("--network", args->network, "Network id (default: the node's genesis)");
  cmd->add_flag("--print", args->print_only, "Print the signed packet instead of submitting it");
  for (const OperationSpec& spec : OperationSpecs()) {
    CLI::App* sub = cmd->add_subcommand(spec.name, spec.help);
    if (spec.words[0] != '\0') {
      sub->add_option("words", args->words, spec.words)->required();
    }
    const std::string name = spec.name;
    if (name == "add-key" || name == "rotate-key") {
      sub->add_option("--public-key", args->public_key_hex, "hex")->required();
      sub->add_option("--algorithm", args->algorithm_name, "ed25519, ed25519+ml-dsa-65, ...")
          ->required();
    }
    if (name == "rotate-key" || name == "revoke-key") {
      sub->add_option("--revoke", args->key_index, "Number of the key to revoke")->required();
    }
    if (name == "reserve") {
      sub->add_option("--timeout-seconds", args->timeout_seconds, "Expiry, ledger time")
          ->required();
    }
    sub->callback([args, &spec, exit_code] { *exit_code = RunTx(*args, spec); });
  }
}

void AddAccountCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("account", "Read an account, or the identity of a key");
  cmd->require_subcommand(1);
  auto node = std::make_shared<std::string>(DefaultNode());
  auto id = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Keys, roles, sequence and balances of ID");
  show->add_option("ID", *id, "Identity (0x + 40 hex digits)")->required();
  show->add_option("--node", *node, "Node URL (env QFS_NODE)")->capture_default_str();
  show->callback([node, id, exit_code] {
    Result<IdentityId> parsed = ParseId(*id);
    Result<Json> answer = parsed.ok() ? Call(*node, "GET", "/v1/accounts/" + parsed.value().ToHex())
                                      : Result<Json>(parsed.status());
    if (!answer.ok()) {
      PrintError(answer.status());
      *exit_code = 1;
      return;
    }
    std::cout << codec::CanonicalJson(answer.value()).value() << "\n";
    *exit_code = answer.value().contains("error") ? 1 : 0;
  });
  auto key_file = std::make_shared<std::string>();
  CLI::App* ident = cmd->add_subcommand("id", "The key-only identity of a key file");
  ident->add_option("-k,--key", *key_file, "Key file")->required();
  ident->callback([key_file, exit_code] {
    Result<keys::KeyFile> key = keys::ReadKeyFile(*key_file);
    if (!key.ok()) {
      PrintError(key.status());
      *exit_code = 1;
      return;
    }
    const auto algorithm = static_cast<std::uint16_t>(key.value().algorithm);
    const Json out = {
        {"identity", ledger::DeriveIdentity(algorithm, key.value().public_key).ToHex()},
        {"algorithm", algorithm},
        {"public_key", HexEncode(key.value().public_key)}};
    std::cout << codec::CanonicalJson(out).value() << "\n";
    *exit_code = 0;
  });
}

}  // namespace qfs::cli
