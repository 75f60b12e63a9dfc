#include "mls/vectors.h"

#include <functional>
#include <map>
#include <optional>

#include "base/text_encoding.h"
#include "codec/json.h"
#include "crypto/random.h"
#include "mls/cipher_suite.h"
#include "mls/framing.h"
#include "mls/group.h"
#include "mls/hpke.h"
#include "mls/key_schedule.h"
#include "mls/messages.h"
#include "mls/ratchet_tree.h"
#include "mls/secret_tree.h"
#include "mls/tls_codec.h"
#include "mls/tree_math.h"
#include "mls/treekem.h"
#include "mls/welcome.h"

namespace qfs::mls {
namespace {

using codec::Json;

Status Bad(const std::string& what) { return Status(StatusCode::kInvalidArgument, what); }

Result<Bytes> HexField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return Bad(std::string("field '") + name + "' is missing or not a string");
  }
  return HexDecode(it->get<std::string>());
}

Result<std::uint64_t> UintField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) {
    return Bad(std::string("field '") + name + "' is missing or not an unsigned number");
  }
  return it->get<std::uint64_t>();
}

Result<const Json*> ObjectField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_object()) {
    return Bad(std::string("field '") + name + "' is missing or not an object");
  }
  return &*it;
}

Result<const Json*> ArrayField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_array()) {
    return Bad(std::string("field '") + name + "' is missing or not an array");
  }
  return &*it;
}

// OK when `got` is `want`; otherwise names the value and shows both.
Status Same(const std::string& what, ByteSpan got, ByteSpan want) {
  if (got.size() == want.size() && std::equal(got.begin(), got.end(), want.begin())) {
    return OkStatus();
  }
  return Bad(what + " differs: got " + HexEncode(got) + ", want " + HexEncode(want));
}

Result<CipherSuite> SuiteOf(const Json& j) {
  QFS_ASSIGN_OR_RETURN(std::uint64_t id, UintField(j, "cipher_suite"));
  if (id > 0xFFFF) return Bad("cipher_suite out of range");
  return CipherSuite::Find(static_cast<std::uint16_t>(id));
}

// --- tree-math ---------------------------------------------------------------------------------
Status CheckOptionalNode(const Json& list, std::uint32_t i, std::optional<NodeIndex> want,
                         const char* name) {
  const Json& got = list[i];
  const bool ok = want.has_value() ? got.is_number_unsigned() && got.get<std::uint64_t>() == *want
                                   : got.is_null();
  if (ok) return OkStatus();
  return Bad(std::string(name) + "[" + std::to_string(i) + "] is " + got.dump() + ", computed " +
             (want.has_value() ? std::to_string(*want) : "null"));
}

Status TreeMath(const Json& c) {
  QFS_ASSIGN_OR_RETURN(std::uint64_t leaves, UintField(c, "n_leaves"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t nodes, UintField(c, "n_nodes"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t root, UintField(c, "root"));
  if (leaves == 0 || leaves > kMlsGroupLeavesMax || (leaves & (leaves - 1)) != 0) {
    return Bad("n_leaves must be a power of two up to " + std::to_string(kMlsGroupLeavesMax));
  }
  const auto n = static_cast<std::uint32_t>(leaves);
  if (nodes != NodeCount(n)) return Bad("n_nodes " + std::to_string(nodes) + " is wrong");
  if (root != Root(n)) return Bad("root " + std::to_string(root) + " is wrong");
  const char* names[] = {"left", "right", "parent", "sibling"};
  for (const char* name : names) {
    QFS_ASSIGN_OR_RETURN(const Json* list, ArrayField(c, name));
    if (list->size() != nodes) return Bad(std::string(name) + " does not list every node");
  }
  for (std::uint32_t i = 0; i < nodes; ++i) {
    const bool leaf = IsLeaf(i), is_root = i == Root(n);
    QFS_RETURN_IF_ERROR(
        CheckOptionalNode(c["left"], i, leaf ? std::nullopt : std::optional(Left(i)), "left"));
    QFS_RETURN_IF_ERROR(
        CheckOptionalNode(c["right"], i, leaf ? std::nullopt : std::optional(Right(i)), "right"));
    QFS_RETURN_IF_ERROR(CheckOptionalNode(
        c["parent"], i, is_root ? std::nullopt : std::optional(Parent(i, n)), "parent"));
    QFS_RETURN_IF_ERROR(CheckOptionalNode(
        c["sibling"], i, is_root ? std::nullopt : std::optional(Sibling(i, n)), "sibling"));
  }
  return OkStatus();
}

// --- crypto-basics -----------------------------------------------------------------------------
Result<std::string> StringField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return Bad(std::string("field '") + name + "' is missing or not a string");
  }
  return it->get<std::string>();
}

Status RefHash(const CipherSuite& suite, const Json& v) {
  QFS_ASSIGN_OR_RETURN(std::string label, StringField(v, "label"));
  QFS_ASSIGN_OR_RETURN(Bytes value, HexField(v, "value"));
  QFS_ASSIGN_OR_RETURN(Bytes out, HexField(v, "out"));
  return Same("ref_hash", suite.RefHash(label, value), out);
}

Status ExpandWithLabel(const CipherSuite& suite, const Json& v) {
  QFS_ASSIGN_OR_RETURN(Bytes secret, HexField(v, "secret"));
  QFS_ASSIGN_OR_RETURN(std::string label, StringField(v, "label"));
  QFS_ASSIGN_OR_RETURN(Bytes context, HexField(v, "context"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t length, UintField(v, "length"));
  QFS_ASSIGN_OR_RETURN(Bytes out, HexField(v, "out"));
  if (length > 255 * suite.hash_bytes()) return Bad("length beyond 255 * Nh");
  return Same("expand_with_label", suite.ExpandWithLabel(secret, label, context, length).span(),
              out);
}

Status DeriveSecret(const CipherSuite& suite, const Json& v) {
  QFS_ASSIGN_OR_RETURN(Bytes secret, HexField(v, "secret"));
  QFS_ASSIGN_OR_RETURN(std::string label, StringField(v, "label"));
  QFS_ASSIGN_OR_RETURN(Bytes out, HexField(v, "out"));
  return Same("derive_secret", suite.DeriveSecret(secret, label).span(), out);
}

Status DeriveTreeSecret(const CipherSuite& suite, const Json& v) {
  QFS_ASSIGN_OR_RETURN(Bytes secret, HexField(v, "secret"));
  QFS_ASSIGN_OR_RETURN(std::string label, StringField(v, "label"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t generation, UintField(v, "generation"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t length, UintField(v, "length"));
  QFS_ASSIGN_OR_RETURN(Bytes out, HexField(v, "out"));
  if (generation > 0xFFFFFFFFu || length > 255 * suite.hash_bytes()) {
    return Bad("generation or length out of range");
  }
  return Same(
      "derive_tree_secret",
      suite.DeriveTreeSecret(secret, label, static_cast<std::uint32_t>(generation), length).span(),
      out);
}

Status SignWithLabel(const CipherSuite& suite, const Json& v) {
  QFS_ASSIGN_OR_RETURN(Bytes priv, HexField(v, "priv"));
  QFS_ASSIGN_OR_RETURN(Bytes pub, HexField(v, "pub"));
  QFS_ASSIGN_OR_RETURN(Bytes content, HexField(v, "content"));
  QFS_ASSIGN_OR_RETURN(std::string label, StringField(v, "label"));
  QFS_ASSIGN_OR_RETURN(Bytes signature, HexField(v, "signature"));
  Status given = suite.VerifyWithLabel(pub, label, content, signature);
  if (!given.ok()) return Bad("the vector's signature does not verify: " + given.message());
  QFS_ASSIGN_OR_RETURN(SignatureKeyPair pair, suite.SignatureKeyFromPrivate(priv));
  QFS_RETURN_IF_ERROR(Same("public key of priv", pair.public_key, pub));
  QFS_ASSIGN_OR_RETURN(Bytes ours, suite.SignWithLabel(pair.private_key, label, content));
  Status fresh = suite.VerifyWithLabel(pub, label, content, ours);
  if (!fresh.ok()) return Bad("our signature does not verify: " + fresh.message());
  return OkStatus();
}

Status EncryptWithLabel(const CipherSuite& suite, const Json& v) {
  QFS_ASSIGN_OR_RETURN(Bytes priv, HexField(v, "priv"));
  QFS_ASSIGN_OR_RETURN(Bytes pub, HexField(v, "pub"));
  QFS_ASSIGN_OR_RETURN(std::string label, StringField(v, "label"));
  QFS_ASSIGN_OR_RETURN(Bytes context, HexField(v, "context"));
  QFS_ASSIGN_OR_RETURN(Bytes plaintext, HexField(v, "plaintext"));
  QFS_ASSIGN_OR_RETURN(Bytes kem_output, HexField(v, "kem_output"));
  QFS_ASSIGN_OR_RETURN(Bytes ciphertext, HexField(v, "ciphertext"));
  const SecretBytes private_key{ByteSpan(priv)};
  QFS_ASSIGN_OR_RETURN(SecretBytes opened,
                       suite.DecryptWithLabel(private_key, label, context, kem_output, ciphertext));
  QFS_RETURN_IF_ERROR(Same("decrypted plaintext", opened.span(), plaintext));
  QFS_ASSIGN_OR_RETURN(HpkeCiphertext ours, suite.EncryptWithLabel(pub, label, context, plaintext,
                                                                   crypto::SystemRandom()));
  QFS_ASSIGN_OR_RETURN(SecretBytes again, suite.DecryptWithLabel(private_key, label, context,
                                                                 ours.kem_output, ours.ciphertext));
  return Same("our round trip", again.span(), plaintext);
}

Status CryptoBasics(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  const std::pair<const char*, Status (*)(const CipherSuite&, const Json&)> parts[] = {
      {"ref_hash", RefHash},
      {"expand_with_label", ExpandWithLabel},
      {"derive_secret", DeriveSecret},
      {"derive_tree_secret", DeriveTreeSecret},
      {"sign_with_label", SignWithLabel},
      {"encrypt_with_label", EncryptWithLabel}};
  for (const auto& [name, check] : parts) {
    QFS_ASSIGN_OR_RETURN(const Json* v, ObjectField(c, name));
    Status s = check(suite, *v);
    if (!s.ok()) return Status(s.code(), std::string(name) + ": " + s.message());
  }
  return OkStatus();
}

// --- deserialization ---------------------------------------------------------------------------
Status Deserialization(const Json& c) {
  QFS_ASSIGN_OR_RETURN(Bytes header, HexField(c, "vlbytes_header"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t length, UintField(c, "length"));
  TlsReader r(header);
  QFS_ASSIGN_OR_RETURN(std::uint32_t decoded, r.VarInt());
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  if (decoded != length) {
    return Bad("decoded " + std::to_string(decoded) + ", want " + std::to_string(length));
  }
  return Same("re-encoded header", EncodeVarInt(decoded), header);
}

// --- secret-tree -------------------------------------------------------------------------------
Status SecretTreeCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(const Json* sender, ObjectField(c, "sender_data"));
  QFS_ASSIGN_OR_RETURN(Bytes sd_secret, HexField(*sender, "sender_data_secret"));
  QFS_ASSIGN_OR_RETURN(Bytes sd_ciphertext, HexField(*sender, "ciphertext"));
  QFS_ASSIGN_OR_RETURN(Bytes sd_key, HexField(*sender, "key"));
  QFS_ASSIGN_OR_RETURN(Bytes sd_nonce, HexField(*sender, "nonce"));
  QFS_RETURN_IF_ERROR(
      Same("sender data key", SenderDataKey(suite, sd_secret, sd_ciphertext).span(), sd_key));
  QFS_RETURN_IF_ERROR(
      Same("sender data nonce", SenderDataNonce(suite, sd_secret, sd_ciphertext).span(), sd_nonce));
  QFS_ASSIGN_OR_RETURN(Bytes encryption_secret, HexField(c, "encryption_secret"));
  QFS_ASSIGN_OR_RETURN(const Json* leaves, ArrayField(c, "leaves"));
  const std::size_t n = leaves->size();
  if (n == 0 || n > kMlsGroupLeavesMax || (n & (n - 1)) != 0) {
    return Bad("the number of leaves must be a power of two");
  }
  SecretTree tree(suite, SecretBytes(ByteSpan(encryption_secret)), static_cast<std::uint32_t>(n));
  for (std::uint32_t leaf = 0; leaf < n; ++leaf) {
    if (!(*leaves)[leaf].is_array()) return Bad("leaves[" + std::to_string(leaf) + "]");
    for (const Json& g : (*leaves)[leaf]) {
      QFS_ASSIGN_OR_RETURN(std::uint64_t generation, UintField(g, "generation"));
      if (generation > 0xFFFFFFFFu) return Bad("generation out of range");
      const std::string where =
          "leaf " + std::to_string(leaf) + " generation " + std::to_string(generation) + " ";
      const std::pair<RatchetKind, const char*> kinds[] = {
          {RatchetKind::kHandshake, "handshake"}, {RatchetKind::kApplication, "application"}};
      for (const auto& [kind, name] : kinds) {
        QFS_ASSIGN_OR_RETURN(Bytes key, HexField(g, (std::string(name) + "_key").c_str()));
        QFS_ASSIGN_OR_RETURN(Bytes nonce, HexField(g, (std::string(name) + "_nonce").c_str()));
        QFS_ASSIGN_OR_RETURN(KeyAndNonce got,
                             tree.Get(leaf, kind, static_cast<std::uint32_t>(generation)));
        QFS_RETURN_IF_ERROR(Same(where + name + " key", got.key.span(), key));
        QFS_RETURN_IF_ERROR(Same(where + name + " nonce", got.nonce.span(), nonce));
      }
    }
  }
  return OkStatus();
}

// --- key-schedule ------------------------------------------------------------------------------
Status KeyScheduleCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(Bytes group_id, HexField(c, "group_id"));
  QFS_ASSIGN_OR_RETURN(Bytes init, HexField(c, "initial_init_secret"));
  QFS_ASSIGN_OR_RETURN(const Json* epochs, ArrayField(c, "epochs"));
  SecretBytes init_secret{ByteSpan(init)};
  for (std::size_t i = 0; i < epochs->size(); ++i) {
    const Json& e = (*epochs)[i];
    const std::string at = "epoch " + std::to_string(i) + ": ";
    GroupContext context;
    context.cipher_suite = suite.id();
    context.group_id = group_id;
    context.epoch = i;
    QFS_ASSIGN_OR_RETURN(context.tree_hash, HexField(e, "tree_hash"));
    QFS_ASSIGN_OR_RETURN(context.confirmed_transcript_hash,
                         HexField(e, "confirmed_transcript_hash"));
    QFS_ASSIGN_OR_RETURN(Bytes want_context, HexField(e, "group_context"));
    const Bytes encoded = EncodeGroupContext(context);
    QFS_RETURN_IF_ERROR(Same(at + "group_context", encoded, want_context));
    QFS_ASSIGN_OR_RETURN(Bytes commit_secret, HexField(e, "commit_secret"));
    QFS_ASSIGN_OR_RETURN(Bytes psk_secret, HexField(e, "psk_secret"));
    EpochSecrets s =
        DeriveEpochSecrets(suite, init_secret.span(), commit_secret, psk_secret, encoded);
    const std::pair<const char*, const SecretBytes*> outputs[] = {
        {"joiner_secret", &s.joiner_secret},
        {"welcome_secret", &s.welcome_secret},
        {"init_secret", &s.init_secret},
        {"sender_data_secret", &s.sender_data_secret},
        {"encryption_secret", &s.encryption_secret},
        {"exporter_secret", &s.exporter_secret},
        {"epoch_authenticator", &s.epoch_authenticator},
        {"external_secret", &s.external_secret},
        {"confirmation_key", &s.confirmation_key},
        {"membership_key", &s.membership_key},
        {"resumption_psk", &s.resumption_psk}};
    for (const auto& [name, secret] : outputs) {
      QFS_ASSIGN_OR_RETURN(Bytes want, HexField(e, name));
      QFS_RETURN_IF_ERROR(Same(at + name, secret->span(), want));
    }
    QFS_ASSIGN_OR_RETURN(Bytes external_pub, HexField(e, "external_pub"));
    QFS_RETURN_IF_ERROR(Same(at + "external_pub",
                             suite.DeriveHpkeKey(s.external_secret.span()).public_key,
                             external_pub));
    QFS_ASSIGN_OR_RETURN(const Json* exporter, ObjectField(e, "exporter"));
    QFS_ASSIGN_OR_RETURN(std::string label, StringField(*exporter, "label"));
    QFS_ASSIGN_OR_RETURN(Bytes exporter_context, HexField(*exporter, "context"));
    QFS_ASSIGN_OR_RETURN(std::uint64_t length, UintField(*exporter, "length"));
    QFS_ASSIGN_OR_RETURN(Bytes exported, HexField(*exporter, "secret"));
    if (length > 255 * suite.hash_bytes()) return Bad(at + "exporter length out of range");
    QFS_RETURN_IF_ERROR(
        Same(at + "exporter",
             MlsExport(suite, s.exporter_secret.span(), label, exporter_context, length).span(),
             exported));
    init_secret = std::move(s.init_secret);
  }
  return OkStatus();
}

// --- psk_secret --------------------------------------------------------------------------------
Status PskSecretCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(const Json* list, ArrayField(c, "psks"));
  std::vector<PskWithSecret> psks;
  for (const Json& p : *list) {
    PskWithSecret psk;
    QFS_ASSIGN_OR_RETURN(psk.id.psk_id, HexField(p, "psk_id"));
    QFS_ASSIGN_OR_RETURN(psk.id.psk_nonce, HexField(p, "psk_nonce"));
    QFS_ASSIGN_OR_RETURN(Bytes secret, HexField(p, "psk"));
    psk.psk = SecretBytes(ByteSpan(secret));
    psks.push_back(std::move(psk));
  }
  QFS_ASSIGN_OR_RETURN(Bytes want, HexField(c, "psk_secret"));
  return Same("psk_secret", PskSecret(suite, psks).span(), want);
}

// --- tree-validation ---------------------------------------------------------------------------
Status TreeValidation(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(Bytes encoded, HexField(c, "tree"));
  QFS_ASSIGN_OR_RETURN(Bytes group_id, HexField(c, "group_id"));
  QFS_ASSIGN_OR_RETURN(const Json* hashes, ArrayField(c, "tree_hashes"));
  QFS_ASSIGN_OR_RETURN(const Json* resolutions, ArrayField(c, "resolutions"));
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, RatchetTree::Decode(encoded));
  const std::uint32_t nodes = NodeCount(tree.leaf_count());
  if (hashes->size() != nodes || resolutions->size() != nodes) {
    return Bad("tree_hashes and resolutions must list the tree's " + std::to_string(nodes) +
               " nodes");
  }
  for (NodeIndex n = 0; n < nodes; ++n) {
    if (!(*hashes)[n].is_string()) return Bad("tree_hashes items are hex strings");
    QFS_ASSIGN_OR_RETURN(Bytes want, HexDecode((*hashes)[n].get<std::string>()));
    QFS_RETURN_IF_ERROR(
        Same("tree hash of node " + std::to_string(n), tree.TreeHash(suite, n), want));
    const Json got = tree.Resolution(n);
    if (got != (*resolutions)[n]) {
      return Bad("resolution of node " + std::to_string(n) + " is " + got.dump() + ", want " +
                 (*resolutions)[n].dump());
    }
  }
  QFS_RETURN_IF_ERROR(tree.VerifyParentHashes(suite));
  return tree.VerifyLeafSignatures(suite, group_id);
}

// --- tree-operations ---------------------------------------------------------------------------
// The proposal's change to the tree: Add (a KeyPackage's leaf), Update (a leaf) or Remove.
Status ApplyProposal(RatchetTree& tree, ByteSpan proposal, LeafIndex sender) {
  TlsReader r(proposal);
  QFS_ASSIGN_OR_RETURN(Proposal p, DecodeProposal(r));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  if (auto* add = std::get_if<AddProposal>(&p)) {
    return tree.Add(std::move(add->key_package.leaf_node)).status();
  }
  if (auto* update = std::get_if<UpdateProposal>(&p)) {
    return tree.Update(sender, std::move(update->leaf_node));
  }
  if (const auto* remove = std::get_if<RemoveProposal>(&p)) return tree.Remove(remove->removed);
  return Bad("proposal type " + std::to_string(static_cast<int>(TypeOf(p))) +
             " does not change the tree");
}

Status TreeOperations(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(Bytes before, HexField(c, "tree_before"));
  QFS_ASSIGN_OR_RETURN(Bytes after, HexField(c, "tree_after"));
  QFS_ASSIGN_OR_RETURN(Bytes proposal, HexField(c, "proposal"));
  QFS_ASSIGN_OR_RETURN(Bytes hash_before, HexField(c, "tree_hash_before"));
  QFS_ASSIGN_OR_RETURN(Bytes hash_after, HexField(c, "tree_hash_after"));
  QFS_ASSIGN_OR_RETURN(std::uint64_t sender, UintField(c, "proposal_sender"));
  if (sender > kMlsGroupLeavesMax) return Bad("proposal_sender out of range");
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, RatchetTree::Decode(before));
  QFS_RETURN_IF_ERROR(
      Same("tree_hash_before", tree.TreeHash(suite, Root(tree.leaf_count())), hash_before));
  QFS_RETURN_IF_ERROR(ApplyProposal(tree, proposal, static_cast<LeafIndex>(sender)));
  QFS_RETURN_IF_ERROR(Same("tree_after", tree.Encode(), after));
  return Same("tree_hash_after", tree.TreeHash(suite, Root(tree.leaf_count())), hash_after);
}

// --- treekem -----------------------------------------------------------------------------------
Result<TreePrivateKey> LeafPrivate(const Json& lp, const CipherSuite& suite,
                                   const RatchetTree& tree) {
  QFS_ASSIGN_OR_RETURN(std::uint64_t index, UintField(lp, "index"));
  if (index >= tree.leaf_count()) return Bad("leaves_private index outside the tree");
  QFS_ASSIGN_OR_RETURN(Bytes encryption_priv, HexField(lp, "encryption_priv"));
  TreePrivateKey key(static_cast<LeafIndex>(index), SecretBytes(encryption_priv));
  QFS_ASSIGN_OR_RETURN(const Json* secrets, ArrayField(lp, "path_secrets"));
  for (const Json& ps : *secrets) {
    QFS_ASSIGN_OR_RETURN(std::uint64_t node, UintField(ps, "node"));
    if (node >= NodeCount(tree.leaf_count()) || IsLeaf(static_cast<NodeIndex>(node))) {
      return Bad("path_secrets node " + std::to_string(node) + " is not a parent of the tree");
    }
    QFS_ASSIGN_OR_RETURN(Bytes secret, HexField(ps, "path_secret"));
    key.SetPathSecret(static_cast<NodeIndex>(node), SecretBytes(secret));
  }
  QFS_RETURN_IF_ERROR(key.CheckAgainst(suite, tree));
  return key;
}

// Every other member with a private key processes `path` and gets `commit_secret`; when
// `path_secrets` is given (the vector's, by leaf), the secret each one decrypted too.
Status ReceiversAgree(const CipherSuite& suite, const RatchetTree& tree, LeafIndex sender,
                      const UpdatePath& path, const GroupContext& context,
                      const std::map<LeafIndex, TreePrivateKey>& keys, ByteSpan commit_secret,
                      const Json* path_secrets, ByteSpan tree_hash_after) {
  for (const auto& [j, key] : keys) {
    if (j == sender) continue;
    const std::string who = "leaf " + std::to_string(j) + ": ";
    Result<MergedPath> merged = ProcessUpdatePath(suite, tree, sender, path, context, {}, key);
    if (!merged.ok()) return Bad(who + merged.status().ToString());
    if (path_secrets != nullptr) {
      if (j >= path_secrets->size() || !(*path_secrets)[j].is_string()) {
        return Bad(who + "no path secret in the vector");
      }
      QFS_ASSIGN_OR_RETURN(Bytes want, HexDecode((*path_secrets)[j].get<std::string>()));
      const SecretBytes* got = merged.value().private_key.path_secret(merged.value().decrypted_at);
      QFS_RETURN_IF_ERROR(Same(who + "path secret", got->span(), want));
    }
    QFS_RETURN_IF_ERROR(
        Same(who + "commit secret", merged.value().commit_secret.span(), commit_secret));
    const RatchetTree& t = merged.value().tree;
    QFS_RETURN_IF_ERROR(
        Same(who + "tree hash after", t.TreeHash(suite, Root(t.leaf_count())), tree_hash_after));
    QFS_RETURN_IF_ERROR(merged.value().private_key.CheckAgainst(suite, t));
  }
  return OkStatus();
}

Status TreeKemCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  GroupContext context;
  context.cipher_suite = suite.id();
  QFS_ASSIGN_OR_RETURN(context.group_id, HexField(c, "group_id"));
  QFS_ASSIGN_OR_RETURN(context.epoch, UintField(c, "epoch"));
  QFS_ASSIGN_OR_RETURN(context.confirmed_transcript_hash, HexField(c, "confirmed_transcript_hash"));
  QFS_ASSIGN_OR_RETURN(Bytes tree_bytes, HexField(c, "ratchet_tree"));
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, RatchetTree::Decode(tree_bytes));
  std::map<LeafIndex, TreePrivateKey> keys;
  std::map<LeafIndex, SecretBytes> signature_keys;
  QFS_ASSIGN_OR_RETURN(const Json* leaves, ArrayField(c, "leaves_private"));
  for (const Json& lp : *leaves) {
    QFS_ASSIGN_OR_RETURN(TreePrivateKey key, LeafPrivate(lp, suite, tree));
    QFS_ASSIGN_OR_RETURN(Bytes signature_priv, HexField(lp, "signature_priv"));
    signature_keys.emplace(key.leaf(), SecretBytes(signature_priv));
    keys.emplace(key.leaf(), std::move(key));
  }
  for (LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    if (tree.leaf(l) != nullptr && keys.count(l) == 0) {
      return Bad("leaf " + std::to_string(l) + " has no private key in the vector");
    }
  }
  QFS_ASSIGN_OR_RETURN(const Json* updates, ArrayField(c, "update_paths"));
  for (std::size_t u = 0; u < updates->size(); ++u) {
    const Json& up = (*updates)[u];
    const std::string name = "update_paths[" + std::to_string(u) + "] ";
    QFS_ASSIGN_OR_RETURN(std::uint64_t sender64, UintField(up, "sender"));
    if (sender64 >= tree.leaf_count() || signature_keys.count(sender64) == 0) {
      return Bad(name + "sender is not a leaf with keys");
    }
    const auto sender = static_cast<LeafIndex>(sender64);
    QFS_ASSIGN_OR_RETURN(Bytes path_bytes, HexField(up, "update_path"));
    TlsReader r(path_bytes);
    QFS_ASSIGN_OR_RETURN(UpdatePath path, DecodeUpdatePath(r));
    QFS_RETURN_IF_ERROR(r.ExpectEnd());
    TlsWriter again;
    EncodeUpdatePath(again, path);
    QFS_RETURN_IF_ERROR(Same(name + "re-encoded update path", again.bytes(), path_bytes));
    QFS_ASSIGN_OR_RETURN(Bytes commit_secret, HexField(up, "commit_secret"));
    QFS_ASSIGN_OR_RETURN(Bytes tree_hash_after, HexField(up, "tree_hash_after"));
    QFS_ASSIGN_OR_RETURN(const Json* path_secrets, ArrayField(up, "path_secrets"));
    QFS_ASSIGN_OR_RETURN(RatchetTree merged,
                         MergeUpdatePath(suite, tree, sender, path, context.group_id));
    QFS_RETURN_IF_ERROR(Same(name + "tree hash after",
                             merged.TreeHash(suite, Root(merged.leaf_count())), tree_hash_after));
    QFS_RETURN_IF_ERROR(ReceiversAgree(suite, tree, sender, path, context, keys, commit_secret,
                                       path_secrets, tree_hash_after));
    // A path of our own from the same sender: every receiver gets its commit secret.
    QFS_ASSIGN_OR_RETURN(CreatedPath created,
                         CreateUpdatePath(suite, tree, sender, signature_keys.at(sender), context,
                                          {}, crypto::SystemRandom()));
    const RatchetTree& ours = created.tree;
    QFS_RETURN_IF_ERROR(ReceiversAgree(suite, tree, sender, created.path, context, keys,
                                       created.commit_secret.span(), nullptr,
                                       ours.TreeHash(suite, Root(ours.leaf_count()))));
    QFS_RETURN_IF_ERROR(created.private_key.CheckAgainst(suite, ours));
  }
  return OkStatus();
}

// --- MLSMessage fields ---------------------------------------------------------------------------
// The MLSMessage in field `name`, which must re-encode to the same bytes.
Result<MlsMessage> RoundTripMessage(const Json& c, const std::string& name) {
  QFS_ASSIGN_OR_RETURN(Bytes bytes, HexField(c, name.c_str()));
  Result<MlsMessage> m = DecodeMlsMessage(bytes);
  if (!m.ok()) return Bad(name + ": " + m.status().ToString());
  QFS_RETURN_IF_ERROR(Same(name + " re-encoded", EncodeMlsMessage(m.value()), bytes));
  return m;
}

// The same, of type T.
template <typename T>
Result<T> MessageOf(const Json& c, const std::string& name) {
  QFS_ASSIGN_OR_RETURN(MlsMessage m, RoundTripMessage(c, name));
  if (!std::holds_alternative<T>(m.body)) return Bad(name + " has another type");
  return std::get<T>(std::move(m.body));
}

// --- message-protection ------------------------------------------------------------------------
struct Protection {
  CipherSuite suite;
  GroupContext context;
  Bytes signature_priv, signature_pub, encryption_secret, sender_data_secret, membership_key;
};

Bytes ContentBody(const Content& c) {
  TlsWriter w;
  if (const auto* data = std::get_if<Bytes>(&c)) return *data;
  if (const auto* p = std::get_if<Proposal>(&c)) {
    EncodeProposal(w, *p);
  } else {
    EncodeCommit(w, std::get<Commit>(c));
  }
  return w.Take();
}

Result<Content> ParseRaw(ContentType type, ByteSpan raw) {
  if (type == ContentType::kApplication) return Content(Bytes(raw.begin(), raw.end()));
  TlsReader r(raw);
  Content c;
  if (type == ContentType::kProposal) {
    QFS_ASSIGN_OR_RETURN(Proposal p, DecodeProposal(r));
    c = std::move(p);
  } else {
    QFS_ASSIGN_OR_RETURN(Commit commit, DecodeCommit(r));
    c = std::move(commit);
  }
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return c;
}

Status CheckUnprotected(const Protection& p, const AuthenticatedContent& ac, ByteSpan raw,
                        const std::string& what) {
  QFS_RETURN_IF_ERROR(VerifyContent(p.suite, ac, p.signature_pub, p.context));
  if (ac.content.sender.type != SenderType::kMember || ac.content.sender.index != 1) {
    return Bad(what + ": the sender is not member 1");
  }
  return Same(what + " content", ContentBody(ac.content.content), raw);
}

Status ProtectionOf(const Protection& p, ContentType type, const Json& c, const char* raw_name,
                    const char* pub_name, const char* priv_name) {
  const std::string name = raw_name;
  QFS_ASSIGN_OR_RETURN(Bytes raw, HexField(c, raw_name));
  QFS_ASSIGN_OR_RETURN(Content content, ParseRaw(type, raw));
  QFS_RETURN_IF_ERROR(Same(name + " re-encoded", ContentBody(content), raw));
  FramedContent framed{
      p.context.group_id, p.context.epoch, Sender{SenderType::kMember, 1}, {}, std::move(content)};
  const SecretBytes signature_key(p.signature_priv);
  // Public: the vector's message verifies; ours verifies; application data is refused.
  QFS_ASSIGN_OR_RETURN(
      AuthenticatedContent signed_public,
      SignContent(p.suite, WireFormat::kPublicMessage, framed, signature_key, p.context));
  if (type == ContentType::kCommit) signed_public.auth.confirmation_tag = Bytes(32, 0x5a);
  Result<PublicMessage> ours = ProtectPublic(p.suite, signed_public, p.membership_key, p.context);
  if (type == ContentType::kApplication) {
    if (ours.ok()) return Bad("application data was protected as a PublicMessage");
  } else {
    QFS_ASSIGN_OR_RETURN(PublicMessage theirs, MessageOf<PublicMessage>(c, pub_name));
    QFS_ASSIGN_OR_RETURN(AuthenticatedContent in,
                         UnprotectPublic(p.suite, theirs, p.membership_key, p.context));
    QFS_RETURN_IF_ERROR(CheckUnprotected(p, in, raw, name + " (theirs, public)"));
    if (!ours.ok()) return ours.status();
    QFS_ASSIGN_OR_RETURN(MlsMessage round,
                         DecodeMlsMessage(EncodeMlsMessage(MlsMessage{std::move(ours).value()})));
    QFS_ASSIGN_OR_RETURN(
        AuthenticatedContent mine,
        UnprotectPublic(p.suite, std::get<PublicMessage>(round.body), p.membership_key, p.context));
    QFS_RETURN_IF_ERROR(CheckUnprotected(p, mine, raw, name + " (ours, public)"));
  }
  // Private: the vector's message decrypts and verifies; ours round-trips.
  const SecretBytes encryption_secret(p.encryption_secret);
  SecretTree receiver(p.suite, encryption_secret, 2);
  QFS_ASSIGN_OR_RETURN(PrivateMessage theirs, MessageOf<PrivateMessage>(c, priv_name));
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent in, UnprotectPrivate(p.suite, theirs, receiver,
                                                                 p.sender_data_secret, p.context));
  QFS_RETURN_IF_ERROR(CheckUnprotected(p, in, raw, name + " (theirs, private)"));
  QFS_ASSIGN_OR_RETURN(
      AuthenticatedContent signed_private,
      SignContent(p.suite, WireFormat::kPrivateMessage, framed, signature_key, p.context));
  if (type == ContentType::kCommit) signed_private.auth.confirmation_tag = Bytes(32, 0x5a);
  SecretTree sender(p.suite, encryption_secret, 2);
  QFS_ASSIGN_OR_RETURN(PrivateMessage sealed,
                       ProtectPrivate(p.suite, signed_private, sender, p.sender_data_secret,
                                      crypto::SystemRandom(), {.padding = 13}));
  SecretTree fresh(p.suite, encryption_secret, 2);
  QFS_ASSIGN_OR_RETURN(MlsMessage round, DecodeMlsMessage(EncodeMlsMessage(MlsMessage{sealed})));
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent mine,
                       UnprotectPrivate(p.suite, std::get<PrivateMessage>(round.body), fresh,
                                        p.sender_data_secret, p.context));
  return CheckUnprotected(p, mine, raw, name + " (ours, private)");
}

Status MessageProtectionCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  Protection p{suite, {}, {}, {}, {}, {}, {}};
  p.context.cipher_suite = suite.id();
  QFS_ASSIGN_OR_RETURN(p.context.group_id, HexField(c, "group_id"));
  QFS_ASSIGN_OR_RETURN(p.context.epoch, UintField(c, "epoch"));
  QFS_ASSIGN_OR_RETURN(p.context.tree_hash, HexField(c, "tree_hash"));
  QFS_ASSIGN_OR_RETURN(p.context.confirmed_transcript_hash,
                       HexField(c, "confirmed_transcript_hash"));
  QFS_ASSIGN_OR_RETURN(p.signature_priv, HexField(c, "signature_priv"));
  QFS_ASSIGN_OR_RETURN(p.signature_pub, HexField(c, "signature_pub"));
  QFS_ASSIGN_OR_RETURN(p.encryption_secret, HexField(c, "encryption_secret"));
  QFS_ASSIGN_OR_RETURN(p.sender_data_secret, HexField(c, "sender_data_secret"));
  QFS_ASSIGN_OR_RETURN(p.membership_key, HexField(c, "membership_key"));
  QFS_RETURN_IF_ERROR(
      ProtectionOf(p, ContentType::kProposal, c, "proposal", "proposal_pub", "proposal_priv"));
  QFS_RETURN_IF_ERROR(
      ProtectionOf(p, ContentType::kCommit, c, "commit", "commit_pub", "commit_priv"));
  return ProtectionOf(p, ContentType::kApplication, c, "application", nullptr, "application_priv");
}

// --- transcript-hashes -------------------------------------------------------------------------
Status TranscriptHashesCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(Bytes confirmation_key, HexField(c, "confirmation_key"));
  QFS_ASSIGN_OR_RETURN(Bytes content_bytes, HexField(c, "authenticated_content"));
  QFS_ASSIGN_OR_RETURN(Bytes interim_before, HexField(c, "interim_transcript_hash_before"));
  QFS_ASSIGN_OR_RETURN(Bytes confirmed_after, HexField(c, "confirmed_transcript_hash_after"));
  QFS_ASSIGN_OR_RETURN(Bytes interim_after, HexField(c, "interim_transcript_hash_after"));
  TlsReader r(content_bytes);
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac, DecodeAuthenticatedContent(r));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  QFS_RETURN_IF_ERROR(
      Same("re-encoded authenticated content", EncodeAuthenticatedContent(ac), content_bytes));
  if (TypeOf(ac.content.content) != ContentType::kCommit) return Bad("the content is not a Commit");
  QFS_RETURN_IF_ERROR(Same("confirmation tag",
                           ConfirmationTag(suite, confirmation_key, confirmed_after),
                           ac.auth.confirmation_tag));
  QFS_ASSIGN_OR_RETURN(TranscriptHashes next, NextTranscriptHashes(suite, interim_before, ac));
  QFS_RETURN_IF_ERROR(Same("confirmed transcript hash", next.confirmed, confirmed_after));
  return Same("interim transcript hash", next.interim, interim_after);
}

// --- welcome -----------------------------------------------------------------------------------
Status WelcomeCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(Bytes init_priv, HexField(c, "init_priv"));
  QFS_ASSIGN_OR_RETURN(Bytes signer_pub, HexField(c, "signer_pub"));
  QFS_ASSIGN_OR_RETURN(KeyPackage kp, MessageOf<KeyPackage>(c, "key_package"));
  QFS_ASSIGN_OR_RETURN(Welcome welcome, MessageOf<Welcome>(c, "welcome"));
  QFS_ASSIGN_OR_RETURN(GroupSecrets secrets,
                       OpenGroupSecrets(suite, welcome, kp, SecretBytes(init_priv)));
  if (!secrets.psks.empty()) return Bad("the vector's Welcome names PSKs the case does not give");
  const SecretBytes psk_secret = PskSecret(suite, {});
  QFS_ASSIGN_OR_RETURN(
      GroupInfo info,
      DecryptGroupInfo(suite, welcome, secrets.joiner_secret.span(), psk_secret.span()));
  QFS_RETURN_IF_ERROR(VerifyGroupInfo(suite, info, signer_pub));
  const EpochSecrets epoch =
      DeriveEpochSecretsFromJoiner(suite, std::move(secrets.joiner_secret), psk_secret.span(),
                                   EncodeGroupContext(info.group_context));
  return Same("confirmation tag",
              ConfirmationTag(suite, epoch.confirmation_key.span(),
                              info.group_context.confirmed_transcript_hash),
              info.confirmation_tag);
}

// --- messages ----------------------------------------------------------------------------------
// Decodes `bytes` whole with `decode` and requires `encode` to give them back.
template <typename Decode, typename Encode>
Status RoundTrips(const std::string& name, ByteSpan bytes, Decode decode, Encode encode) {
  TlsReader r(bytes);
  auto value = decode(r);
  if (!value.ok()) return Bad(name + ": " + value.status().ToString());
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  TlsWriter w;
  encode(w, value.value());
  return Same(name + " re-encoded", w.bytes(), bytes);
}

// A proposal's body as the vector gives it (without the proposal type before it).
Status ProposalBodyRoundTrips(const std::string& name, ByteSpan body, ProposalType type) {
  TlsWriter typed;
  typed.U16(static_cast<std::uint16_t>(type));
  typed.Raw(body);
  return RoundTrips(name, typed.bytes(), DecodeProposal, [&](TlsWriter& w, const Proposal& p) {
    if (TypeOf(p) != type) return;  // the type is the prefix above; never differs
    EncodeProposal(w, p);
  });
}

Status MessagesCase(const Json& c) {
  for (const char* name :
       {"mls_welcome", "mls_group_info", "mls_key_package", "public_message_application",
        "public_message_proposal", "public_message_commit", "private_message"}) {
    QFS_RETURN_IF_ERROR(RoundTripMessage(c, name).status());
  }
  QFS_ASSIGN_OR_RETURN(Bytes tree, HexField(c, "ratchet_tree"));
  Result<RatchetTree> decoded = RatchetTree::Decode(tree);
  if (!decoded.ok()) return Bad("ratchet_tree: " + decoded.status().ToString());
  QFS_RETURN_IF_ERROR(Same("ratchet_tree re-encoded", decoded.value().Encode(), tree));
  QFS_ASSIGN_OR_RETURN(Bytes secrets, HexField(c, "group_secrets"));
  QFS_RETURN_IF_ERROR(RoundTrips("group_secrets", secrets, DecodeGroupSecrets, EncodeGroupSecrets));
  QFS_ASSIGN_OR_RETURN(Bytes commit, HexField(c, "commit"));
  QFS_RETURN_IF_ERROR(RoundTrips("commit", commit, DecodeCommit, EncodeCommit));
  const std::pair<const char*, ProposalType> proposals[] = {
      {"add_proposal", ProposalType::kAdd},
      {"update_proposal", ProposalType::kUpdate},
      {"remove_proposal", ProposalType::kRemove},
      {"pre_shared_key_proposal", ProposalType::kPreSharedKey},
      {"re_init_proposal", ProposalType::kReInit},
      {"external_init_proposal", ProposalType::kExternalInit},
      {"group_context_extensions_proposal", ProposalType::kGroupContextExtensions},
  };
  for (const auto& [name, type] : proposals) {
    QFS_ASSIGN_OR_RETURN(Bytes body, HexField(c, name));
    QFS_RETURN_IF_ERROR(ProposalBodyRoundTrips(name, body, type));
  }
  return OkStatus();
}

// --- passive-client-welcome --------------------------------------------------------------------
Status PassiveClientWelcomeCase(const Json& c) {
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, SuiteOf(c));
  QFS_ASSIGN_OR_RETURN(KeyPackage kp, MessageOf<KeyPackage>(c, "key_package"));
  QFS_ASSIGN_OR_RETURN(Welcome welcome, MessageOf<Welcome>(c, "welcome"));
  QFS_ASSIGN_OR_RETURN(Bytes signature_priv, HexField(c, "signature_priv"));
  QFS_ASSIGN_OR_RETURN(Bytes encryption_priv, HexField(c, "encryption_priv"));
  QFS_ASSIGN_OR_RETURN(Bytes init_priv, HexField(c, "init_priv"));
  QFS_ASSIGN_OR_RETURN(Bytes want_authenticator, HexField(c, "initial_epoch_authenticator"));
  // The private keys belong to the KeyPackage.
  QFS_ASSIGN_OR_RETURN(SignatureKeyPair signature, suite.SignatureKeyFromPrivate(signature_priv));
  QFS_RETURN_IF_ERROR(
      Same("signature public key", signature.public_key, kp.leaf_node.signature_key));
  QFS_ASSIGN_OR_RETURN(Bytes encryption_pub, HpkePublicKey(encryption_priv));
  QFS_RETURN_IF_ERROR(Same("encryption public key", encryption_pub, kp.leaf_node.encryption_key));
  QFS_ASSIGN_OR_RETURN(Bytes init_pub, HpkePublicKey(init_priv));
  QFS_RETURN_IF_ERROR(Same("init public key", init_pub, kp.init_key));
  JoinOptions options;
  auto tree_field = c.find("ratchet_tree");
  if (tree_field != c.end() && !tree_field->is_null()) {
    QFS_ASSIGN_OR_RETURN(Bytes tree_bytes, HexField(c, "ratchet_tree"));
    QFS_ASSIGN_OR_RETURN(RatchetTree tree, RatchetTree::Decode(tree_bytes));
    options.ratchet_tree = std::move(tree);
  }
  QFS_ASSIGN_OR_RETURN(const Json* psks, ArrayField(c, "external_psks"));
  for (const Json& p : *psks) {
    QFS_ASSIGN_OR_RETURN(Bytes id, HexField(p, "psk_id"));
    QFS_ASSIGN_OR_RETURN(Bytes secret, HexField(p, "psk"));
    options.external_psks.push_back({std::move(id), SecretBytes(secret)});
  }
  QFS_ASSIGN_OR_RETURN(const Json* epochs, ArrayField(c, "epochs"));
  if (!epochs->empty()) {
    return Bad("epochs after the Welcome are not followed yet (proposals by reference)");
  }
  const KeyPackageSecrets joiner{
      std::move(kp), SecretBytes(init_priv),
      MemberKeys{std::move(signature), SecretBytes(encryption_priv), LeafNode{}}};
  QFS_ASSIGN_OR_RETURN(Group group, Group::Join(suite, welcome, joiner, options));
  return Same("epoch authenticator", group.epoch_authenticator().span(), want_authenticator);
}

// --- recognizing a file ------------------------------------------------------------------------
struct Kind {
  const char* name;
  const char* marker;            // a field only this kind's cases have
  Status (*check)(const Json&);  // nullptr: recognized, not yet supported
};

constexpr Kind kKinds[] = {
    {"tree-math", "n_leaves", TreeMath},
    {"crypto-basics", "ref_hash", CryptoBasics},
    {"deserialization", "vlbytes_header", Deserialization},
    {"secret-tree", "sender_data", SecretTreeCase},
    {"key-schedule", "initial_init_secret", KeyScheduleCase},
    {"psk_secret", "psks", PskSecretCase},
    {"transcript-hashes", "interim_transcript_hash_before", TranscriptHashesCase},
    {"message-protection", "application_priv", MessageProtectionCase},
    {"passive-client", "initial_epoch_authenticator", PassiveClientWelcomeCase},
    {"welcome", "init_priv", WelcomeCase},
    {"tree-operations", "tree_before", TreeOperations},
    {"tree-validation", "resolutions", TreeValidation},
    {"treekem", "update_paths", TreeKemCase},
    {"messages", "mls_welcome", MessagesCase},
};

}  // namespace

std::string_view CaseOutcomeName(CaseOutcome outcome) {
  switch (outcome) {
    case CaseOutcome::kPassed:
      return "passed";
    case CaseOutcome::kFailed:
      return "failed";
    case CaseOutcome::kSkipped:
      return "skipped";
  }
  return "unknown";
}

Result<VectorReport> RunVectors(std::string_view json_text) {
  QFS_ASSIGN_OR_RETURN(Json cases, codec::ParseJson(json_text));
  if (!cases.is_array() || cases.empty() || !cases[0].is_object()) {
    return Status(StatusCode::kParseError, "a vector file is a non-empty JSON array of objects");
  }
  const Kind* kind = nullptr;
  for (const Kind& k : kKinds) {
    if (cases[0].contains(k.marker)) {
      kind = &k;
      break;
    }
  }
  if (kind == nullptr) return Bad("not a kind of MLS test-vector file this runner knows");
  VectorReport report;
  report.kind = kind->name;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CaseResult r;
    r.index = i;
    if (kind->check == nullptr) {
      r.outcome = CaseOutcome::kSkipped;
      r.detail = std::string(kind->name) + " vectors are not implemented yet";
    } else if (!cases[i].is_object()) {
      r.outcome = CaseOutcome::kFailed;
      r.detail = "the case is not a JSON object";
    } else {
      Status s = kind->check(cases[i]);
      if (s.code() == StatusCode::kUnknownAlgorithm) {
        r.outcome = CaseOutcome::kSkipped;
        r.detail = s.message();
      } else if (!s.ok()) {
        r.outcome = CaseOutcome::kFailed;
        r.detail = s.ToString();
      }
    }
    (r.outcome == CaseOutcome::kPassed   ? report.passed
     : r.outcome == CaseOutcome::kFailed ? report.failed
                                         : report.skipped)++;
    report.cases.push_back(std::move(r));
  }
  return report;
}

}  // namespace qfs::mls
