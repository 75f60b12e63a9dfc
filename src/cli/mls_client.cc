#include "cli/mls_client.h"

#include <iostream>
#include <utility>

#include "base/check.h"
#include "base/file.h"
#include "base/strings.h"
#include "base/text_encoding.h"
#include "crypto/hash.h"
#include "mls/state_file.h"

namespace qfs::cli {
namespace {

using codec::Json;

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

Result<Bytes> HexField(const Json& request, const char* name) {
  const auto it = request.find(name);
  if (it == request.end() || !it->is_string()) {
    return Invalid(std::string("\"") + name + "\" must be a hex string");
  }
  return HexDecode(it->get<std::string>());
}

Result<std::uint32_t> UintField(const Json& request, const char* name) {
  const auto it = request.find(name);
  if (it == request.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() > 0xffffffffu) {
    return Invalid(std::string("\"") + name + "\" must be an unsigned 32-bit integer");
  }
  return static_cast<std::uint32_t>(it->get<std::uint64_t>());
}

Result<std::vector<Bytes>> HexList(const Json& request, const char* name) {
  const auto it = request.find(name);
  if (it == request.end() || !it->is_array()) {
    return Invalid(std::string("\"") + name + "\" must be an array of hex strings");
  }
  std::vector<Bytes> out;
  for (const Json& item : *it) {
    if (!item.is_string()) return Invalid(std::string("\"") + name + "\" holds a non-string");
    QFS_ASSIGN_OR_RETURN(Bytes b, HexDecode(item.get<std::string>()));
    out.push_back(std::move(b));
  }
  return out;
}

// A KeyPackage as it travels: an MLSMessage with wire format mls_key_package.
Result<mls::KeyPackage> DecodeKeyPackageMessage(ByteSpan bytes) {
  QFS_ASSIGN_OR_RETURN(mls::MlsMessage m, mls::DecodeMlsMessage(bytes));
  auto* kp = std::get_if<mls::KeyPackage>(&m.body);
  if (kp == nullptr) return Invalid("not a KeyPackage message");
  return std::move(*kp);
}

const char* TypeName(mls::ContentType t) {
  switch (t) {
    case mls::ContentType::kApplication:
      return "application";
    case mls::ContentType::kProposal:
      return "proposal";
    case mls::ContentType::kCommit:
      return "commit";
  }
  return "unknown";
}

Json ErrorReply(const Json& id, const Status& s) {
  return {{"id", id},
          {"ok", false},
          {"error", {{"code", std::string(StatusCodeName(s.code()))}, {"message", s.message()}}}};
}

constexpr std::uint16_t kClientStateVersion = 1;
// The requests that change nothing a restart must remember.
bool ReadOnly(const std::string& op) {
  return op == "state" || op == "export" || op == "group_info";
}

}  // namespace

MlsClient::MlsClient(const mls::CipherSuite& suite, std::string_view identity,
                     crypto::RandomSource& random)
    : suite_(suite), identity_bytes_(identity.begin(), identity.end()), random_(random) {
  QFS_CHECK(!identity.empty() && identity.size() <= kMlsClientIdentityBytesMax);
}

std::string MlsClient::Handle(std::string_view line) {
  Json id = nullptr;
  Result<Json> reply = [&]() -> Result<Json> {
    QFS_ASSIGN_OR_RETURN(Json request, codec::ParseJson(line));
    if (!request.is_object()) return Invalid("a request is a JSON object");
    if (request.contains("id")) id = request["id"];
    const auto op = request.find("op");
    if (op == request.end() || !op->is_string()) return Invalid("\"op\" must be a string");
    QFS_ASSIGN_OR_RETURN(Json result, Dispatch(op->get<std::string>(), request));
    if (!ReadOnly(op->get<std::string>())) QFS_RETURN_IF_ERROR(Persist());
    return result;
  }();
  Json out;
  if (reply.ok()) {
    out = std::move(reply).value();
    out["id"] = id;
    out["ok"] = true;
  } else {
    out = ErrorReply(id, reply.status());
  }
  Result<std::string> text = codec::CanonicalJson(out);
  return text.ok() ? std::move(text).value()
                   : codec::CanonicalJson(ErrorReply(nullptr, text.status())).value();
}

void MlsClient::Serve(std::istream& in, std::ostream& out) {
  std::string line;
  bool too_long = false;
  // Bounded as the JSON parser is, so that an endless line never reaches memory.
  while (ReadBoundedLine(in, kJsonTextBytesMax, &line, &too_long)) {
    if (too_long) {
      out << codec::CanonicalJson(
                 ErrorReply(nullptr, Status(StatusCode::kTooLarge,
                                            "request line longer than " +
                                                std::to_string(kJsonTextBytesMax) + " bytes")))
                 .value()
          << "\n"
          << std::flush;
      continue;
    }
    if (line.empty()) continue;
    out << Handle(line) << "\n" << std::flush;
  }
}

Status MlsClient::Persist() {
  if (!storage_.has_value()) return OkStatus();
  mls::TlsWriter w = mls::TlsWriter::ForSecrets();
  w.U16(kClientStateVersion);
  w.Optional(group_.has_value(), [&](mls::TlsWriter& o) { o.Opaque(group_->Save().span()); });
  w.Optional(pending_ != nullptr, [&](mls::TlsWriter& o) { o.Opaque(pending_->Save().span()); });
  w.Vector([&](mls::TlsWriter& list) {
    for (const mls::KeyPackageSecrets& kp : key_packages_) {
      mls::EncodeKeyPackage(list, kp.key_package);
      list.Opaque(kp.init_private_key.span());
      list.Opaque(kp.member.signature.private_key.span());
      list.Opaque(kp.member.encryption_private_key.span());
    }
  });
  Bytes encoded = w.Take();
  const SecretBytes plaintext(encoded);
  SecureWipe(encoded.data(), encoded.size());
  return mls::WriteSealedState(storage_->path, plaintext, storage_->key, random_);
}

Status MlsClient::Restore() {
  QFS_CHECK(storage_.has_value());
  QFS_ASSIGN_OR_RETURN(SecretBytes plaintext, mls::ReadSealedState(storage_->path, storage_->key));
  mls::TlsReader r(plaintext.span());
  QFS_ASSIGN_OR_RETURN(std::uint16_t version, r.U16());
  if (version != kClientStateVersion) return Invalid("an unknown client state version");
  std::optional<mls::Group> group;
  QFS_ASSIGN_OR_RETURN(bool has_group, r.Presence());
  if (has_group) {
    QFS_ASSIGN_OR_RETURN(ByteSpan saved, r.OpaqueView());
    QFS_ASSIGN_OR_RETURN(mls::Group g, mls::Group::Load(saved));
    group = std::move(g);
  }
  std::unique_ptr<mls::Group> pending;
  QFS_ASSIGN_OR_RETURN(bool has_pending, r.Presence());
  if (has_pending) {
    QFS_ASSIGN_OR_RETURN(ByteSpan saved, r.OpaqueView());
    QFS_ASSIGN_OR_RETURN(mls::Group g, mls::Group::Load(saved));
    pending = std::make_unique<mls::Group>(std::move(g));
  }
  std::vector<mls::KeyPackageSecrets> key_packages;
  QFS_ASSIGN_OR_RETURN(mls::TlsReader list, r.Vector());
  while (!list.empty()) {
    if (key_packages.size() >= kMlsClientKeyPackagesMax) return Invalid("too many KeyPackages");
    mls::KeyPackageSecrets kp;
    QFS_ASSIGN_OR_RETURN(kp.key_package, mls::DecodeKeyPackage(list));
    QFS_ASSIGN_OR_RETURN(kp.init_private_key, list.SecretOpaque(mls::kMlsSecretBytesMax));
    QFS_ASSIGN_OR_RETURN(kp.member.signature.private_key,
                         list.SecretOpaque(mls::kMlsSecretBytesMax));
    QFS_ASSIGN_OR_RETURN(kp.member.encryption_private_key,
                         list.SecretOpaque(mls::kMlsSecretBytesMax));
    kp.member.signature.public_key = kp.key_package.leaf_node.signature_key;
    kp.member.leaf = kp.key_package.leaf_node;
    key_packages.push_back(std::move(kp));
  }
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  group_ = std::move(group);
  pending_ = std::move(pending);
  key_packages_ = std::move(key_packages);
  return OkStatus();
}

Result<mls::Group*> MlsClient::Member() {
  if (!group_.has_value()) return Status(StatusCode::kFailedPrecondition, "not in a group");
  return &*group_;
}

Json MlsClient::Pending(mls::Group::Commit commit) {
  Json out = {{"commit", HexEncode(commit.message)}};
  if (commit.welcome.has_value()) {
    out["welcome"] = HexEncode(mls::EncodeMlsMessage(mls::MlsMessage{std::move(*commit.welcome)}));
  }
  pending_ = std::move(commit.next);
  return out;
}

Result<Json> MlsClient::Dispatch(const std::string& op, const Json& request) {
  if (op == "key_package") {
    const auto last = request.find("last_resort");
    if (last != request.end() && !last->is_boolean())
      return Invalid("\"last_resort\" is a boolean");
    return KeyPackage(last != request.end() && last->get<bool>());
  }
  if (op == "create_group") return CreateGroup(request);
  if (op == "join") return Join(request);
  if (op == "state") return State();
  if (op == "add") {
    QFS_ASSIGN_OR_RETURN(std::vector<Bytes> packages, HexList(request, "key_packages"));
    std::vector<mls::Proposal> adds;
    for (const Bytes& b : packages) {
      QFS_ASSIGN_OR_RETURN(mls::KeyPackage kp, DecodeKeyPackageMessage(b));
      adds.emplace_back(mls::AddProposal{std::move(kp)});
    }
    return Commit(adds);
  }
  if (op == "remove") {
    const auto it = request.find("leaves");
    if (it == request.end() || !it->is_array()) return Invalid("\"leaves\" must be an array");
    std::vector<mls::Proposal> removes;
    for (const Json& leaf : *it) {
      if (!leaf.is_number_unsigned() || leaf.get<std::uint64_t>() > 0xffffffffu) {
        return Invalid("\"leaves\" holds something that is not a leaf index");
      }
      removes.emplace_back(
          mls::RemoveProposal{static_cast<std::uint32_t>(leaf.get<std::uint64_t>())});
    }
    return Commit(removes);
  }
  if (op == "update" || op == "commit") return Commit({});
  if (op == "propose_add" || op == "propose_remove" || op == "propose_update") {
    return Propose(request, op);
  }
  if (op == "confirm") {
    if (pending_ == nullptr) return Status(StatusCode::kFailedPrecondition, "no pending Commit");
    // (after join_external the client had no group; now it has the pending one)
    group_ = std::move(*pending_);
    pending_.reset();
    return Json{{"epoch", group_->epoch()}};
  }
  if (op == "discard") {  // idempotent: processing another's Commit already drops ours
    pending_.reset();
    return Json::object();
  }
  if (op == "process") return Process(request);
  if (op == "group_info") {
    QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
    QFS_ASSIGN_OR_RETURN(Bytes info, g->ExternalGroupInfo());
    return Json{{"group_info", HexEncode(info)}};
  }
  if (op == "join_external") return JoinExternal(request);
  if (op == "protect") {
    QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
    QFS_ASSIGN_OR_RETURN(Bytes data, HexField(request, "data"));
    QFS_ASSIGN_OR_RETURN(Bytes wire, g->Protect(data, random_));
    return Json{{"message", HexEncode(wire)}};
  }
  if (op == "export") {
    QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
    const auto label = request.find("label");
    if (label == request.end() || !label->is_string()) return Invalid("\"label\" must be a string");
    QFS_ASSIGN_OR_RETURN(Bytes context, HexField(request, "context"));
    QFS_ASSIGN_OR_RETURN(std::uint32_t length, UintField(request, "length"));
    if (length == 0 || length > 1024) return Invalid("\"length\" must be 1 to 1024");
    return Json{
        {"secret", HexEncode(g->Export(label->get<std::string>(), context, length).span())}};
  }
  return Invalid("unknown op \"" + op + "\"");
}

Result<Json> MlsClient::KeyPackage(bool last_resort) {
  if (key_packages_.size() >= kMlsClientKeyPackagesMax) {
    return Status(StatusCode::kResourceExhausted, "too many KeyPackages outstanding");
  }
  QFS_ASSIGN_OR_RETURN(mls::KeyPackageSecrets kp,
                       mls::MakeKeyPackage(suite_, identity_bytes_, random_, {last_resort}));
  const Bytes wire = mls::EncodeMlsMessage(mls::MlsMessage{kp.key_package});
  key_packages_.push_back(std::move(kp));
  return Json{{"key_package", HexEncode(wire)}};
}

Result<Json> MlsClient::CreateGroup(const Json& request) {
  if (group_.has_value()) return Status(StatusCode::kFailedPrecondition, "already in a group");
  QFS_ASSIGN_OR_RETURN(Bytes group_id, HexField(request, "group_id"));
  QFS_ASSIGN_OR_RETURN(mls::KeyPackageSecrets kp,
                       mls::MakeKeyPackage(suite_, identity_bytes_, random_));
  QFS_ASSIGN_OR_RETURN(mls::Group g,
                       mls::Group::Create(suite_, group_id, std::move(kp.member), random_));
  group_ = std::move(g);
  return Json{{"epoch", group_->epoch()}, {"leaf", group_->leaf()}};
}

Result<Json> MlsClient::Join(const Json& request) {
  if (group_.has_value()) return Status(StatusCode::kFailedPrecondition, "already in a group");
  QFS_ASSIGN_OR_RETURN(Bytes wire, HexField(request, "welcome"));
  QFS_ASSIGN_OR_RETURN(mls::MlsMessage m, mls::DecodeMlsMessage(wire));
  const auto* welcome = std::get_if<mls::Welcome>(&m.body);
  if (welcome == nullptr) return Invalid("not a Welcome message");
  mls::JoinOptions options;
  if (request.contains("ratchet_tree")) {
    QFS_ASSIGN_OR_RETURN(Bytes tree, HexField(request, "ratchet_tree"));
    QFS_ASSIGN_OR_RETURN(mls::RatchetTree decoded, mls::RatchetTree::Decode(tree));
    options.ratchet_tree = std::move(decoded);
  }
  for (std::size_t i = 0; i < key_packages_.size(); ++i) {
    const Bytes ref = mls::KeyPackageRef(suite_, key_packages_[i].key_package);
    bool named = false;
    for (const mls::EncryptedGroupSecrets& s : welcome->secrets)
      named = named || s.new_member == ref;
    if (!named) continue;
    QFS_ASSIGN_OR_RETURN(mls::Group g,
                         mls::Group::Join(suite_, *welcome, key_packages_[i], options));
    group_ = std::move(g);
    if (!mls::IsLastResort(key_packages_[i].key_package)) {  // a last-resort one stays usable
      key_packages_.erase(key_packages_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return Json{{"epoch", group_->epoch()}, {"leaf", group_->leaf()}};
  }
  return Invalid("the Welcome is for none of this client's KeyPackages");
}

Result<Json> MlsClient::JoinExternal(const Json& request) {
  if (group_.has_value()) return Status(StatusCode::kFailedPrecondition, "already in a group");
  QFS_ASSIGN_OR_RETURN(Bytes info, HexField(request, "group_info"));
  mls::ExternalJoinOptions options;
  if (request.contains("rejoin")) {
    QFS_ASSIGN_OR_RETURN(std::uint32_t leaf, UintField(request, "rejoin"));
    options.rejoin = leaf;
  }
  QFS_ASSIGN_OR_RETURN(mls::KeyPackageSecrets kp,
                       mls::MakeKeyPackage(suite_, identity_bytes_, random_));
  QFS_ASSIGN_OR_RETURN(
      mls::Group::Commit c,
      mls::Group::JoinExternal(suite_, info, std::move(kp.member), random_, options));
  return Pending(std::move(c));
}

Result<Json> MlsClient::Commit(const std::vector<mls::Proposal>& proposals) {
  QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
  QFS_ASSIGN_OR_RETURN(mls::Group::Commit c, g->CommitProposals(proposals, random_, {}));
  return Pending(std::move(c));
}

Result<Json> MlsClient::Propose(const Json& request, const std::string& op) {
  QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
  Result<Bytes> wire = Status(StatusCode::kInternal, "unreachable");
  if (op == "propose_update") {
    wire = g->ProposeUpdate(random_);
  } else if (op == "propose_remove") {
    QFS_ASSIGN_OR_RETURN(std::uint32_t leaf, UintField(request, "leaf"));
    wire = g->Propose(mls::RemoveProposal{leaf});
  } else {
    QFS_ASSIGN_OR_RETURN(Bytes b, HexField(request, "key_package"));
    QFS_ASSIGN_OR_RETURN(mls::KeyPackage kp, DecodeKeyPackageMessage(b));
    wire = g->Propose(mls::AddProposal{std::move(kp)});
  }
  QFS_RETURN_IF_ERROR(wire.status());
  return Json{{"proposal", HexEncode(wire.value())}};
}

Result<Json> MlsClient::Process(const Json& request) {
  QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
  QFS_ASSIGN_OR_RETURN(Bytes wire, HexField(request, "message"));
  QFS_ASSIGN_OR_RETURN(mls::Group::Processed p, g->Process(wire));
  Json out = {{"type", TypeName(p.type)}, {"sender", p.sender}};
  if (p.type == mls::ContentType::kApplication) out["data"] = HexEncode(p.application_data);
  if (p.type == mls::ContentType::kCommit) {
    pending_.reset();  // a Commit of ours for this epoch has lost
    if (p.removed) {
      group_.reset();
      out["removed"] = true;
      return out;
    }
    group_ = std::move(*p.next);
  }
  out["epoch"] = group_->epoch();
  return out;
}

Result<Json> MlsClient::State() {
  QFS_ASSIGN_OR_RETURN(mls::Group * g, Member());
  Json members = Json::array();
  const mls::RatchetTree& tree = g->tree();
  for (mls::LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    if (tree.leaf(l) == nullptr) continue;
    members.push_back({{"leaf", l}, {"identity", HexEncode(tree.leaf(l)->credential.identity)}});
  }
  return Json{{"epoch", g->epoch()},
              {"leaf", g->leaf()},
              {"epoch_authenticator", HexEncode(g->epoch_authenticator().span())},
              {"tree_hash", HexEncode(g->context().tree_hash)},
              {"ratchet_tree", HexEncode(tree.Encode())},
              {"members", members},
              {"pending_proposals", g->pending_proposals()}};
}

namespace {

// The storage key: 64 hex digits in `path`, made (mode 0600) from the system CSPRNG if missing.
Result<SecretBytes> StorageKey(const std::string& path) {
  Result<Bytes> text = ReadWholeFile(path, 4096);
  if (text.status().code() == StatusCode::kNotFound) {
    SecretBytes key(mls::kStorageKeyBytes);
    crypto::SystemRandom().Fill(key.mutable_span());
    const std::string hex = HexEncode(key.span());
    QFS_RETURN_IF_ERROR(WriteFileAtomically(path, crypto::AsBytes(hex)));
    return key;
  }
  QFS_RETURN_IF_ERROR(text.status());
  std::string hex(text.value().begin(), text.value().end());
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  Result<Bytes> key = HexDecode(hex);
  SecureWipe(text.value().data(), text.value().size());
  if (!key.ok() || key.value().size() != mls::kStorageKeyBytes) {
    return Invalid(path + " does not hold a 32-byte storage key in hex");
  }
  SecretBytes out(key.value());
  SecureWipe(key.value().data(), key.value().size());
  return out;
}

int Fail(const Status& s) {
  std::cout << codec::CanonicalJson(ErrorReply(nullptr, s)).value() << "\n";
  return 1;
}

}  // namespace

int RunMlsClient(std::uint16_t suite_id, const std::string& identity, const std::string& state_path,
                 const std::string& key_path) {
  Result<mls::CipherSuite> suite = mls::CipherSuite::Find(suite_id);
  if (!suite.ok()) return Fail(suite.status());
  if (identity.empty() || identity.size() > kMlsClientIdentityBytesMax) {
    return Fail(Invalid("the identity is 1 to 255 bytes"));
  }
  MlsClient client(suite.value(), identity, crypto::SystemRandom());
  if (!state_path.empty()) {
    if (key_path.empty()) return Fail(Invalid("--state needs --state-key-file"));
    Result<SecretBytes> key = StorageKey(key_path);
    if (!key.ok()) return Fail(key.status());
    client.SetStorage({state_path, std::move(key).value()});
    const Status restored = client.Restore();
    if (!restored.ok() && restored.code() != StatusCode::kNotFound) return Fail(restored);
  }
  client.Serve(std::cin, std::cout);
  return 0;
}

}  // namespace qfs::cli
