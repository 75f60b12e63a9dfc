// Group::Save and Group::Load: a member's whole state in one versioned encoding
// (docs/formats/mls-state.md).
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "mls/group.h"
#include "mls/tree_math.h"

namespace qfs::mls {
namespace {

constexpr std::uint16_t kStateVersion = 1;

Status Invalid(const std::string& why) {
  return Status(StatusCode::kInvalidArgument, "a saved group: " + why);
}

// The epoch secrets in a fixed order (S: EpochSecrets or const EpochSecrets).
template <typename S>
auto Fields(S& s) {
  return std::array{&s.joiner_secret,      &s.welcome_secret,      &s.epoch_secret,
                    &s.sender_data_secret, &s.encryption_secret,   &s.exporter_secret,
                    &s.external_secret,    &s.confirmation_key,    &s.membership_key,
                    &s.resumption_psk,     &s.epoch_authenticator, &s.init_secret};
}

}  // namespace

SecretBytes Group::Save() const {
  TlsWriter w = TlsWriter::ForSecrets();
  w.U16(kStateVersion);
  w.U16(suite_.id());
  w.Opaque(signature_.private_key.span());
  w.Opaque(signature_.public_key);
  w.U32(private_key_.leaf());
  w.Opaque(private_key_.leaf_private_key().span());
  w.Vector([&](TlsWriter& list) {
    for (const auto& [node, secret] : private_key_.path_secrets()) {
      list.U32(node);
      list.Opaque(secret.span());
    }
  });
  w.Opaque(tree_.Encode());
  w.Opaque(EncodeGroupContext(context_));
  for (const SecretBytes* s : Fields(secrets_)) w.Opaque(s->span());
  secret_tree_->Encode(w);
  w.Opaque(interim_transcript_hash_);
  w.Opaque(confirmation_tag_);
  w.Vector([&](TlsWriter& list) {
    for (const CachedProposal& p : proposals_) {
      list.Opaque(p.ref);
      EncodeProposal(list, p.proposal);
      list.U32(p.sender);
      list.Optional(p.update_key.has_value(),
                    [&](TlsWriter& o) { o.Opaque(p.update_key->span()); });
    }
  });
  w.Vector([&](TlsWriter& list) {
    for (const ExternalPsk& k : external_psks_) {
      list.Opaque(k.id);
      list.Opaque(k.secret.span());
    }
  });
  w.Vector([&](TlsWriter& list) {
    for (const auto& [epoch, psk] : resumption_psks_) {
      list.U64(epoch);
      list.Opaque(psk.span());
    }
  });
  Bytes encoded = w.Take();
  SecretBytes out(encoded);
  SecureWipe(encoded.data(), encoded.size());
  return out;
}

Result<Group> Group::Load(ByteSpan saved, const GroupOptions& options) {
  TlsReader r(saved);
  QFS_ASSIGN_OR_RETURN(std::uint16_t version, r.U16());
  if (version != kStateVersion) return Invalid("unknown version " + std::to_string(version));
  QFS_ASSIGN_OR_RETURN(std::uint16_t suite_id, r.U16());
  QFS_ASSIGN_OR_RETURN(CipherSuite suite, CipherSuite::Find(suite_id));
  SignatureKeyPair signature;
  QFS_ASSIGN_OR_RETURN(signature.private_key, r.SecretOpaque(kMlsSecretBytesMax));
  QFS_ASSIGN_OR_RETURN(signature.public_key, r.Opaque());
  QFS_ASSIGN_OR_RETURN(std::uint32_t leaf, r.U32());
  QFS_ASSIGN_OR_RETURN(SecretBytes leaf_key, r.SecretOpaque(kMlsSecretBytesMax));
  TreePrivateKey key(leaf, std::move(leaf_key));
  std::vector<std::pair<NodeIndex, SecretBytes>> path_secrets;
  QFS_ASSIGN_OR_RETURN(TlsReader paths, r.Vector());
  while (!paths.empty()) {
    QFS_ASSIGN_OR_RETURN(std::uint32_t node, paths.U32());
    QFS_ASSIGN_OR_RETURN(SecretBytes secret, paths.SecretOpaque(kMlsSecretBytesMax));
    if (IsLeaf(node) || (!path_secrets.empty() && path_secrets.back().first >= node)) {
      return Invalid("path secrets for leaves, or out of order");
    }
    path_secrets.emplace_back(node, std::move(secret));
  }
  Group g(suite, std::move(signature), std::move(key), options);
  QFS_ASSIGN_OR_RETURN(ByteSpan tree, r.OpaqueView());
  QFS_ASSIGN_OR_RETURN(g.tree_, RatchetTree::Decode(tree));
  for (auto& [node, secret] : path_secrets) {
    if (node >= NodeCount(g.tree_.leaf_count())) return Invalid("a path secret outside the tree");
    g.private_key_.SetPathSecret(node, std::move(secret));
  }
  QFS_ASSIGN_OR_RETURN(ByteSpan context, r.OpaqueView());
  TlsReader context_reader(context);
  QFS_ASSIGN_OR_RETURN(g.context_, DecodeGroupContext(context_reader));
  QFS_RETURN_IF_ERROR(context_reader.ExpectEnd());
  for (SecretBytes* s : Fields(g.secrets_)) {
    QFS_ASSIGN_OR_RETURN(*s, r.SecretOpaque(kMlsSecretBytesMax));
  }
  QFS_ASSIGN_OR_RETURN(g.secret_tree_, SecretTree::Decode(suite, r));
  QFS_ASSIGN_OR_RETURN(g.interim_transcript_hash_, r.Opaque(kMlsSecretBytesMax));
  QFS_ASSIGN_OR_RETURN(g.confirmation_tag_, r.Opaque(kMlsSecretBytesMax));
  QFS_ASSIGN_OR_RETURN(TlsReader proposals, r.Vector());
  while (!proposals.empty()) {
    if (g.proposals_.size() >= kMlsProposalsMax) return Invalid("too many proposals");
    CachedProposal p;
    QFS_ASSIGN_OR_RETURN(p.ref, proposals.Opaque(kMlsSecretBytesMax));
    QFS_ASSIGN_OR_RETURN(p.proposal, DecodeProposal(proposals));
    QFS_ASSIGN_OR_RETURN(p.sender, proposals.U32());
    QFS_ASSIGN_OR_RETURN(bool has_key, proposals.Presence());
    if (has_key) {
      QFS_ASSIGN_OR_RETURN(SecretBytes k, proposals.SecretOpaque(kMlsSecretBytesMax));
      p.update_key = std::move(k);
    }
    g.proposals_.push_back(std::move(p));
  }
  QFS_ASSIGN_OR_RETURN(TlsReader psks, r.Vector());
  while (!psks.empty()) {
    ExternalPsk k;
    QFS_ASSIGN_OR_RETURN(k.id, psks.Opaque());
    QFS_ASSIGN_OR_RETURN(k.secret, psks.SecretOpaque(kMlsSecretBytesMax));
    g.external_psks_.push_back(std::move(k));
  }
  QFS_ASSIGN_OR_RETURN(TlsReader resumption, r.Vector());
  while (!resumption.empty()) {
    QFS_ASSIGN_OR_RETURN(std::uint64_t epoch, resumption.U64());
    QFS_ASSIGN_OR_RETURN(SecretBytes psk, resumption.SecretOpaque(kMlsSecretBytesMax));
    if (g.resumption_psks_.size() >= kResumptionPsksKept ||
        (!g.resumption_psks_.empty() && g.resumption_psks_.rbegin()->first >= epoch) ||
        epoch > g.context_.epoch) {
      return Invalid("the resumption PSKs are out of order or too many");
    }
    g.resumption_psks_.emplace(epoch, std::move(psk));
  }
  QFS_RETURN_IF_ERROR(r.ExpectEnd());

  // Self-consistency: the suite, the tree and our leaf in it, the keys we hold.
  if (g.context_.cipher_suite != suite_id) return Invalid("the context names another suite");
  if (g.secret_tree_->leaves() != g.tree_.leaf_count()) {
    return Invalid("the secret tree does not match the ratchet tree");
  }
  if (leaf >= g.tree_.leaf_count() || g.tree_.leaf(leaf) == nullptr ||
      g.tree_.leaf(leaf)->signature_key != g.signature_.public_key) {
    return Invalid("this member's leaf is not in the tree");
  }
  QFS_RETURN_IF_ERROR(g.private_key_.CheckAgainst(suite, g.tree_));
  QFS_ASSIGN_OR_RETURN(SignatureKeyPair check,
                       suite.SignatureKeyFromPrivate(g.signature_.private_key.span()));
  if (check.public_key != g.signature_.public_key) {
    return Invalid("the signature key pair does not match");
  }
  if (g.tree_.TreeHash(suite, Root(g.tree_.leaf_count())) != g.context_.tree_hash) {
    return Invalid("the tree does not match the context's tree hash");
  }
  return g;
}

}  // namespace qfs::mls
