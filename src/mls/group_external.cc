// Group's external commits (RFC 9420 section 12.4.3.2): publishing a GroupInfo for them,
// joining by one, and processing a new member's.
#include "crypto/hash.h"
#include "mls/group_internal.h"

namespace qfs::mls {

using group_detail::CloneKey;
using group_detail::ExternalKeyPair;
using group_detail::ExternalPub;
using group_detail::Invalid;
using group_detail::kExternalInitLabel;
using group_detail::SupportsGroup;
using group_detail::VerifiedTree;
using group_detail::Zeros;

Result<Bytes> Group::ExternalGroupInfo(bool with_tree) const {
  GroupInfo info{context_, {}, confirmation_tag_, leaf(), {}};
  info.extensions.push_back({kExtensionExternalPub, [&] {
                               TlsWriter w;
                               w.Opaque(ExternalKeyPair(secrets_.external_secret).public_key);
                               return w.Take();
                             }()});
  if (with_tree) info.extensions.push_back({kExtensionRatchetTree, tree_.Encode()});
  QFS_RETURN_IF_ERROR(SignGroupInfo(suite_, info, signature_.private_key));
  return EncodeMlsMessage(MlsMessage{std::move(info)});
}

Result<Group::Commit> Group::JoinExternal(const CipherSuite& suite, ByteSpan group_info,
                                          MemberKeys me, crypto::RandomSource& random,
                                          const ExternalJoinOptions& options) {
  QFS_ASSIGN_OR_RETURN(MlsMessage message, DecodeMlsMessage(group_info));
  const auto* info = std::get_if<GroupInfo>(&message.body);
  if (info == nullptr) return Invalid("not a GroupInfo message");
  if (info->group_context.cipher_suite != suite.id())
    return Invalid("a GroupInfo of another suite");
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, VerifiedTree(suite, *info, options.ratchet_tree));
  const Extension* external_pub = nullptr;
  for (const Extension& e : info->extensions) {
    if (e.type == kExtensionExternalPub) external_pub = &e;
  }
  if (external_pub == nullptr) return Invalid("the GroupInfo has no external_pub extension");
  QFS_ASSIGN_OR_RETURN(Bytes pub, ExternalPub(external_pub->data));
  const SecretBytes ephemeral = crypto::RandomSecret(random, kHpkeKeyBytes);
  QFS_ASSIGN_OR_RETURN(HpkeSender kem,
                       HpkeSetupBaseS(suite.hpke_aead(), pub, {}, ephemeral.span()));
  QFS_ASSIGN_OR_RETURN(SecretBytes init_secret,
                       kem.context.Export(crypto::AsBytes(kExternalInitLabel), suite.hash_bytes()));

  mls::Commit body;
  body.proposals.emplace_back(Proposal(ExternalInitProposal{kem.enc}));
  if (options.rejoin.has_value()) {
    const LeafIndex old = *options.rejoin;
    if (old >= tree.leaf_count() || tree.leaf(old) == nullptr ||
        tree.leaf(old)->credential != me.leaf.credential) {
      return Invalid("the rejoined leaf is blank or holds another credential");
    }
    QFS_RETURN_IF_ERROR(tree.Remove(old));
    body.proposals.emplace_back(Proposal(RemoveProposal{old}));
  }
  QFS_RETURN_IF_ERROR(SupportsGroup(me.leaf, suite.id(), info->group_context.extensions));
  QFS_ASSIGN_OR_RETURN(LeafIndex at, tree.Add(me.leaf));
  GroupContext next_context = info->group_context;
  ++next_context.epoch;
  QFS_ASSIGN_OR_RETURN(CreatedPath path, CreateUpdatePath(suite, tree, at, me.signature.private_key,
                                                          next_context, {}, random));
  body.path = path.path;

  // A group as it stood at the GroupInfo's epoch, enough to run the key schedule forward.
  Group before(suite, CloneKey(me.signature), TreePrivateKey(at, SecretBytes{}), options.group);
  before.context_ = info->group_context;
  before.interim_transcript_hash_ = InterimTranscriptHash(
      suite, info->group_context.confirmed_transcript_hash, info->confirmation_tag);
  FramedContent content{info->group_context.group_id,
                        info->group_context.epoch,
                        Sender{SenderType::kNewMemberCommit, 0},
                        {},
                        Content(std::move(body))};
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignContent(suite, WireFormat::kPublicMessage, std::move(content),
                                   me.signature.private_key, info->group_context));
  const SecretBytes zero = Zeros(suite);
  QFS_ASSIGN_OR_RETURN(
      EpochSecrets secrets,
      before.NextEpoch(ac, path.tree, init_secret, path.commit_secret, zero, next_context));
  ac.auth.confirmation_tag = ConfirmationTag(suite, secrets.confirmation_key.span(),
                                             next_context.confirmed_transcript_hash);
  QFS_ASSIGN_OR_RETURN(PublicMessage pm, ProtectPublic(suite, ac, {}, info->group_context));
  Commit out;
  out.message = EncodeMlsMessage(MlsMessage{std::move(pm)});
  out.next =
      before.Successor(std::move(path.private_key), std::move(path.tree), std::move(next_context),
                       std::move(secrets), ac.auth.confirmation_tag);
  return out;
}

Result<Group::Processed> Group::ApplyExternalCommit(const PublicMessage& message) const {
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac, UnprotectPublic(suite_, message, {}, context_));
  const auto* commit = std::get_if<mls::Commit>(&ac.content.content);
  if (commit == nullptr) return Invalid("a new member may send only a Commit");
  if (!commit->path.has_value()) return Invalid("an external Commit must have a path");
  const LeafNode& joiner = commit->path->leaf_node;
  // Section 12.4.3.2: exactly one ExternalInit, at most one Remove (of a leaf with the joiner's
  // credential), PreSharedKeys, all by value.
  const ExternalInitProposal* init = nullptr;
  ProposalList list(*this, ProposalList::kNoCommitter);
  std::size_t removes = 0;
  for (const ProposalOrRef& p : commit->proposals) {
    const auto* proposal = std::get_if<Proposal>(&p);
    if (proposal == nullptr) return Invalid("an external Commit refers to a proposal");
    if (const auto* e = std::get_if<ExternalInitProposal>(proposal)) {
      if (init != nullptr) return Invalid("an external Commit with two ExternalInit proposals");
      init = e;
      continue;
    }
    if (const auto* remove = std::get_if<RemoveProposal>(proposal)) {
      const LeafNode* old =
          remove->removed < tree_.leaf_count() ? tree_.leaf(remove->removed) : nullptr;
      if (++removes > 1 || (old != nullptr && old->credential != joiner.credential)) {
        return Invalid("an external Commit may remove only the joiner's own old leaf");
      }
    } else if (!std::holds_alternative<PreSharedKeyProposal>(*proposal)) {
      return Invalid("an external Commit may hold only ExternalInit, Remove and PreSharedKey");
    }
    QFS_RETURN_IF_ERROR(list.Admit(*proposal, ProposalList::kNoCommitter, nullptr));
  }
  if (init == nullptr) return Invalid("an external Commit without an ExternalInit proposal");
  QFS_ASSIGN_OR_RETURN(Applied applied, list.Apply());
  Processed out;
  out.type = ContentType::kCommit;
  if (applied.removes_me) {
    out.removed = true;
    return out;
  }
  QFS_RETURN_IF_ERROR(SupportsGroup(joiner, suite_.id(), context_.extensions));
  for (LeafIndex l = 0; l < applied.tree.leaf_count(); ++l) {
    const LeafNode* other = applied.tree.leaf(l);
    if (other != nullptr && other->signature_key == joiner.signature_key) {
      return Invalid("the joiner's signature key is already in the group");
    }
  }
  QFS_RETURN_IF_ERROR(VerifyContent(suite_, ac, joiner.signature_key, context_));
  // The joiner takes the leftmost free leaf: hold it with a key-less copy while the path merges.
  LeafNode placeholder = joiner;
  placeholder.encryption_key.clear();
  QFS_ASSIGN_OR_RETURN(LeafIndex at, applied.tree.Add(std::move(placeholder)));
  out.sender = at;
  const HpkeKeyPair external = ExternalKeyPair(secrets_.external_secret);
  QFS_ASSIGN_OR_RETURN(HpkeContext kem, HpkeSetupBaseR(suite_.hpke_aead(), init->kem_output,
                                                       external.private_key, {}));
  QFS_ASSIGN_OR_RETURN(SecretBytes init_secret,
                       kem.Export(crypto::AsBytes(kExternalInitLabel), suite_.hash_bytes()));
  GroupContext next_context = context_;
  ++next_context.epoch;
  TreePrivateKey key = private_key_.Clone();
  key.Prune(applied.tree);
  QFS_ASSIGN_OR_RETURN(MergedPath merged, ProcessUpdatePath(suite_, applied.tree, at, *commit->path,
                                                            next_context, {}, key));
  QFS_ASSIGN_OR_RETURN(const SecretBytes psk_secret, CommitPskSecret(applied.psks));
  QFS_ASSIGN_OR_RETURN(
      EpochSecrets secrets,
      NextEpoch(ac, merged.tree, init_secret, merged.commit_secret, psk_secret, next_context));
  const Bytes want = ConfirmationTag(suite_, secrets.confirmation_key.span(),
                                     next_context.confirmed_transcript_hash);
  if (!ConstantTimeEqual(want, ac.auth.confirmation_tag)) {
    return Status(StatusCode::kAuthenticationFailed, "the Commit's confirmation tag is wrong");
  }
  out.next = Successor(std::move(merged.private_key), std::move(merged.tree),
                       std::move(next_context), std::move(secrets), ac.auth.confirmation_tag);
  return out;
}

}  // namespace qfs::mls
