#include "mls/group.h"

#include <algorithm>
#include <string>

#include "crypto/hash.h"
#include "mls/group_internal.h"
#include "mls/hpke.h"
#include "mls/tree_math.h"

namespace qfs::mls {

using group_detail::CloneKey;
using group_detail::ClonePsk;
using group_detail::Invalid;
using group_detail::ProposalRef;
using group_detail::RootHash;
using group_detail::VerifiedTree;
using group_detail::Zeros;

bool IsLastResort(const KeyPackage& kp) {
  for (const Extension& e : kp.extensions) {
    if (e.type == kExtensionLastResortKeyPackage) return true;
  }
  return false;
}

Result<KeyPackageSecrets> MakeKeyPackage(const CipherSuite& suite, ByteSpan identity,
                                         crypto::RandomSource& random, KeyPackageOptions options) {
  SignatureKeyPair signature = suite.GenerateSignatureKey(random);
  HpkeKeyPair encryption = suite.GenerateHpkeKey(random);
  HpkeKeyPair init = suite.GenerateHpkeKey(random);
  LeafNode leaf;
  leaf.encryption_key = encryption.public_key;
  leaf.signature_key = signature.public_key;
  leaf.credential.identity.assign(identity.begin(), identity.end());
  leaf.capabilities.versions = {kProtocolVersionMls10};
  leaf.capabilities.cipher_suites = {suite.id()};
  leaf.capabilities.credentials = {kCredentialBasic};
  if (options.last_resort) leaf.capabilities.extensions = {kExtensionLastResortKeyPackage};
  leaf.lifetime = {0, ~std::uint64_t{0}};
  QFS_ASSIGN_OR_RETURN(leaf.signature, suite.SignWithLabel(signature.private_key, "LeafNodeTBS",
                                                           LeafNodeTbs(leaf, {}, 0)));
  KeyPackage kp;
  kp.cipher_suite = suite.id();
  kp.init_key = init.public_key;
  kp.leaf_node = leaf;
  if (options.last_resort) kp.extensions.push_back({kExtensionLastResortKeyPackage, {}});
  QFS_ASSIGN_OR_RETURN(
      kp.signature, suite.SignWithLabel(signature.private_key, "KeyPackageTBS", KeyPackageTbs(kp)));
  return KeyPackageSecrets{
      std::move(kp), std::move(init.private_key),
      MemberKeys{std::move(signature), std::move(encryption.private_key), std::move(leaf)}};
}

std::uint64_t Group::NowSeconds() const {
  static SystemClock system;
  Clock* clock = options_.clock != nullptr ? options_.clock : &system;
  return clock->NowMicros() / 1'000'000;
}

void Group::EnterEpoch(EpochSecrets secrets, ByteSpan confirmation_tag) {
  secrets_ = std::move(secrets);
  confirmation_tag_.assign(confirmation_tag.begin(), confirmation_tag.end());
  resumption_psks_[context_.epoch] = secrets_.resumption_psk.Clone();
  while (resumption_psks_.size() > kResumptionPsksKept)
    resumption_psks_.erase(resumption_psks_.begin());
  secret_tree_ = std::make_unique<SecretTree>(suite_, secrets_.encryption_secret,
                                              tree_.leaf_count(), options_.secret_tree);
  interim_transcript_hash_ =
      InterimTranscriptHash(suite_, context_.confirmed_transcript_hash, confirmation_tag);
}

Result<Group> Group::Create(const CipherSuite& suite, ByteSpan group_id, MemberKeys me,
                            crypto::RandomSource& random, const GroupOptions& options) {
  if (group_id.empty() || group_id.size() > 255) return Invalid("a group id is 1 to 255 bytes");
  Result<Bytes> public_key = HpkePublicKey(me.encryption_private_key.span());
  if (!public_key.ok() || public_key.value() != me.leaf.encryption_key) {
    return Invalid("the leaf's encryption key is not the given private key's");
  }
  Group g(suite, std::move(me.signature), TreePrivateKey(0, std::move(me.encryption_private_key)),
          options);
  QFS_ASSIGN_OR_RETURN(LeafIndex at, g.tree_.Add(std::move(me.leaf)));
  (void)at;  // leaf 0 of an empty tree
  g.context_.cipher_suite = suite.id();
  g.context_.group_id.assign(group_id.begin(), group_id.end());
  g.context_.tree_hash = RootHash(suite, g.tree_);
  SecretBytes init_secret(suite.hash_bytes());
  random.Fill(init_secret.mutable_span());
  const SecretBytes zero = Zeros(suite);
  EpochSecrets secrets = DeriveEpochSecrets(suite, init_secret.span(), zero.span(), zero.span(),
                                            EncodeGroupContext(g.context_));
  const Bytes tag = ConfirmationTag(suite, secrets.confirmation_key.span(), {});
  g.EnterEpoch(std::move(secrets), tag);
  return g;
}

const SecretBytes* Group::FindPsk(const PreSharedKeyId& id) const {
  if (id.type == PskType::kExternal) {
    const ExternalPsk* k = FindExternalPsk(id.psk_id);
    return k == nullptr ? nullptr : &k->secret;
  }
  if (id.psk_group_id != context_.group_id) return nullptr;
  const auto it = resumption_psks_.find(id.psk_epoch);
  return it == resumption_psks_.end() ? nullptr : &it->second;
}

const ExternalPsk* Group::FindExternalPsk(ByteSpan id) const {
  for (const ExternalPsk& k : external_psks_) {
    if (std::equal(k.id.begin(), k.id.end(), id.begin(), id.end())) return &k;
  }
  return nullptr;
}

void Group::AddExternalPsk(ExternalPsk psk) {
  for (ExternalPsk& k : external_psks_) {
    if (k.id == psk.id) {
      k.secret = std::move(psk.secret);
      return;
    }
  }
  external_psks_.push_back(std::move(psk));
}

Result<SecretBytes> Group::CommitPskSecret(const std::vector<PreSharedKeyId>& ids) const {
  std::vector<PskWithSecret> psks;
  for (const PreSharedKeyId& id : ids) {
    const SecretBytes* found = FindPsk(id);
    if (found == nullptr) return Invalid("a Commit names a PSK this member does not know");
    psks.push_back({id, found->Clone()});
  }
  return PskSecret(suite_, psks);
}

Result<EpochSecrets> Group::NextEpoch(const AuthenticatedContent& commit, const RatchetTree& tree,
                                      const SecretBytes& init_secret,
                                      const SecretBytes& commit_secret,
                                      const SecretBytes& psk_secret,
                                      GroupContext& next_context) const {
  QFS_ASSIGN_OR_RETURN(TranscriptHashes hashes,
                       NextTranscriptHashes(suite_, interim_transcript_hash_, commit));
  next_context.tree_hash = RootHash(suite_, tree);
  next_context.confirmed_transcript_hash = std::move(hashes.confirmed);
  return DeriveEpochSecrets(suite_, init_secret.span(), commit_secret.span(), psk_secret.span(),
                            EncodeGroupContext(next_context));
}

std::unique_ptr<Group> Group::Successor(TreePrivateKey key, RatchetTree tree, GroupContext context,
                                        EpochSecrets secrets, ByteSpan confirmation_tag) const {
  auto next =
      std::unique_ptr<Group>(new Group(suite_, CloneKey(signature_), std::move(key), options_));
  next->tree_ = std::move(tree);
  next->context_ = std::move(context);
  for (const ExternalPsk& k : external_psks_) next->external_psks_.push_back(ClonePsk(k));
  for (const auto& [epoch, psk] : resumption_psks_) next->resumption_psks_[epoch] = psk.Clone();
  next->EnterEpoch(std::move(secrets), confirmation_tag);
  return next;
}

Result<AuthenticatedContent> Group::SignOwn(WireFormat wire_format, Content content) const {
  FramedContent framed{context_.group_id,
                       context_.epoch,
                       Sender{SenderType::kMember, leaf()},
                       {},
                       std::move(content)};
  return SignContent(suite_, wire_format, std::move(framed), signature_.private_key, context_);
}

// --- proposals --------------------------------------------------------------------------------

Result<Bytes> Group::SendProposal(Proposal proposal, std::optional<SecretBytes> update_key) {
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignOwn(WireFormat::kPublicMessage, Content(std::move(proposal))));
  QFS_ASSIGN_OR_RETURN(PublicMessage message,
                       ProtectPublic(suite_, ac, secrets_.membership_key.span(), context_));
  if (proposals_.size() >= kMlsProposalsMax) return Invalid("too many proposals this epoch");
  proposals_.push_back(CachedProposal{ProposalRef(suite_, ac),
                                      std::get<Proposal>(ac.content.content), leaf(),
                                      std::move(update_key)});
  return EncodeMlsMessage(MlsMessage{std::move(message)});
}

Result<Bytes> Group::Propose(const Proposal& proposal) {
  if (std::holds_alternative<UpdateProposal>(proposal)) {
    return Invalid("an Update proposal is made with ProposeUpdate");
  }
  ProposalList check(*this, ProposalList::kNoCommitter);
  QFS_RETURN_IF_ERROR(check.Admit(proposal, leaf(), nullptr));
  return SendProposal(proposal, std::nullopt);
}

Result<Bytes> Group::ProposeUpdate(crypto::RandomSource& random) {
  HpkeKeyPair key = suite_.GenerateHpkeKey(random);
  LeafNode leaf_node = *tree_.leaf(leaf());
  leaf_node.encryption_key = key.public_key;
  leaf_node.source = LeafNodeSource::kUpdate;
  leaf_node.lifetime = {};
  leaf_node.parent_hash.clear();
  QFS_ASSIGN_OR_RETURN(leaf_node.signature,
                       suite_.SignWithLabel(signature_.private_key, "LeafNodeTBS",
                                            LeafNodeTbs(leaf_node, context_.group_id, leaf())));
  return SendProposal(UpdateProposal{std::move(leaf_node)}, std::move(key.private_key));
}

Status Group::CacheProposal(const AuthenticatedContent& ac) {
  const Proposal& p = std::get<Proposal>(ac.content.content);
  if (std::holds_alternative<ExternalInitProposal>(p) ||
      std::holds_alternative<ReInitProposal>(p)) {
    return Invalid("ExternalInit and ReInit proposals are not accepted from members");
  }
  if (proposals_.size() >= kMlsProposalsMax) return Invalid("too many proposals this epoch");
  proposals_.push_back(CachedProposal{ProposalRef(suite_, ac), p, ac.content.sender.index, {}});
  return OkStatus();
}

// --- Commits ----------------------------------------------------------------------------------

Result<Group::Commit> Group::CreateCommit(const std::vector<KeyPackage>& adds,
                                          const std::vector<LeafIndex>& removes,
                                          crypto::RandomSource& random,
                                          CommitOptions options) const {
  std::vector<Proposal> proposals;
  proposals.reserve(removes.size() + adds.size());
  for (LeafIndex r : removes) proposals.emplace_back(RemoveProposal{r});
  for (const KeyPackage& kp : adds) proposals.emplace_back(AddProposal{kp});
  return CommitProposals(proposals, random, options);
}

Result<Group::Commit> Group::CommitProposals(const std::vector<Proposal>& proposals,
                                             crypto::RandomSource& random,
                                             CommitOptions options) const {
  if (proposals.size() > kMlsProposalsMax) return Invalid("more proposals than a Commit may hold");
  ProposalList list(*this, leaf());
  mls::Commit body;
  for (const CachedProposal& cached : proposals_) {
    if (list.Admit(cached.proposal, cached.sender, &cached).ok()) {
      body.proposals.emplace_back(cached.ref);  // the rest are left out (section 12.2)
    }
  }
  for (const Proposal& p : proposals) {
    QFS_RETURN_IF_ERROR(list.Admit(p, leaf(), nullptr));
    body.proposals.emplace_back(p);
  }
  if (body.proposals.size() > kMlsProposalsMax) {
    return Invalid("more proposals than a Commit may hold");
  }
  QFS_ASSIGN_OR_RETURN(Applied applied, list.Apply());

  GroupContext next_context = context_;
  ++next_context.epoch;
  next_context.extensions = applied.extensions;
  std::optional<CreatedPath> path;
  if (options.path) {
    QFS_ASSIGN_OR_RETURN(CreatedPath created,
                         CreateUpdatePath(suite_, applied.tree, leaf(), signature_.private_key,
                                          next_context, applied.added, random));
    body.path = created.path;
    path = std::move(created);
  } else if (applied.path_required) {
    return Invalid(
        "a Commit with no proposals, or with any but Add and PreSharedKey, needs a path");
  }
  const RatchetTree& new_tree = path.has_value() ? path->tree : applied.tree;
  const SecretBytes zero = Zeros(suite_);
  const SecretBytes& commit_secret = path.has_value() ? path->commit_secret : zero;
  QFS_ASSIGN_OR_RETURN(const SecretBytes psk_secret, CommitPskSecret(applied.psks));
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignOwn(WireFormat::kPublicMessage, Content(std::move(body))));
  QFS_ASSIGN_OR_RETURN(EpochSecrets secrets,
                       NextEpoch(ac, new_tree, commit_secret, psk_secret, next_context));
  ac.auth.confirmation_tag = ConfirmationTag(suite_, secrets.confirmation_key.span(),
                                             next_context.confirmed_transcript_hash);
  QFS_ASSIGN_OR_RETURN(PublicMessage message,
                       ProtectPublic(suite_, ac, secrets_.membership_key.span(), context_));

  Commit out;
  out.message = EncodeMlsMessage(MlsMessage{std::move(message)});
  if (!applied.added.empty()) {
    GroupInfo info{next_context, {}, ac.auth.confirmation_tag, leaf(), {}};
    if (options.ratchet_tree_in_welcome) {
      info.extensions.push_back({kExtensionRatchetTree, new_tree.Encode()});
    }
    QFS_RETURN_IF_ERROR(SignGroupInfo(suite_, info, signature_.private_key));
    std::vector<NewMember> members;
    const std::vector<RatchetTree::PathStep> steps = path.has_value()
                                                         ? new_tree.FilteredDirectPath(leaf())
                                                         : std::vector<RatchetTree::PathStep>{};
    for (std::size_t i = 0; i < applied.added.size(); ++i) {
      NewMember m{applied.added_from[i], nullptr};
      // With a path, each new member gets the secret of its lowest ancestor on it.
      for (const RatchetTree::PathStep& step : steps) {
        if (InSubtree(LeafToNode(applied.added[i]), step.parent)) {
          m.path_secret = path->private_key.path_secret(step.parent);
          break;
        }
      }
      members.push_back(m);
    }
    QFS_ASSIGN_OR_RETURN(Welcome welcome,
                         SealWelcome(suite_, info, secrets.joiner_secret, applied.psks,
                                     psk_secret.span(), members, random));
    out.welcome = std::move(welcome);
  }
  TreePrivateKey next_key = path.has_value() ? std::move(path->private_key) : private_key_.Clone();
  RatchetTree next_tree = path.has_value() ? std::move(path->tree) : std::move(applied.tree);
  out.next = Successor(std::move(next_key), std::move(next_tree), std::move(next_context),
                       std::move(secrets), ac.auth.confirmation_tag);
  return out;
}

Result<Group::Processed> Group::ApplyCommit(const AuthenticatedContent& ac) const {
  const mls::Commit& commit = std::get<mls::Commit>(ac.content.content);
  const LeafIndex committer = ac.content.sender.index;
  ProposalList list(*this, committer);
  for (const ProposalOrRef& p : commit.proposals) {
    if (const auto* ref = std::get_if<Bytes>(&p)) {
      const CachedProposal* cached = nullptr;
      for (const CachedProposal& c : proposals_) {
        if (c.ref == *ref) cached = &c;
      }
      if (cached == nullptr)
        return Invalid("a Commit refers to a proposal this member has not seen");
      QFS_RETURN_IF_ERROR(list.Admit(cached->proposal, cached->sender, cached));
    } else {
      QFS_RETURN_IF_ERROR(list.Admit(std::get<Proposal>(p), committer, nullptr));
    }
  }
  QFS_ASSIGN_OR_RETURN(Applied applied, list.Apply());
  Processed out;
  out.type = ContentType::kCommit;
  out.sender = committer;
  if (applied.removes_me) {
    out.removed = true;
    return out;
  }
  GroupContext next_context = context_;
  ++next_context.epoch;
  next_context.extensions = applied.extensions;
  TreePrivateKey key = applied.my_update_key != nullptr
                           ? TreePrivateKey(leaf(), applied.my_update_key->Clone())
                           : private_key_.Clone();
  key.Prune(applied.tree);
  std::optional<MergedPath> merged;
  if (commit.path.has_value()) {
    QFS_ASSIGN_OR_RETURN(
        MergedPath m, ProcessUpdatePath(suite_, applied.tree, committer, *commit.path, next_context,
                                        applied.added, key));
    merged = std::move(m);
  } else if (applied.path_required) {
    return Invalid(
        "a Commit with no proposals, or with any but Add and PreSharedKey, needs a path");
  }
  const SecretBytes zero = Zeros(suite_);
  QFS_ASSIGN_OR_RETURN(const SecretBytes psk_secret, CommitPskSecret(applied.psks));
  QFS_ASSIGN_OR_RETURN(
      EpochSecrets secrets,
      NextEpoch(ac, merged.has_value() ? merged->tree : applied.tree,
                merged.has_value() ? merged->commit_secret : zero, psk_secret, next_context));
  const Bytes want = ConfirmationTag(suite_, secrets.confirmation_key.span(),
                                     next_context.confirmed_transcript_hash);
  if (!ConstantTimeEqual(want, ac.auth.confirmation_tag)) {
    return Status(StatusCode::kAuthenticationFailed, "the Commit's confirmation tag is wrong");
  }
  out.next = Successor(merged.has_value() ? std::move(merged->private_key) : std::move(key),
                       merged.has_value() ? std::move(merged->tree) : std::move(applied.tree),
                       std::move(next_context), std::move(secrets), ac.auth.confirmation_tag);
  return out;
}

// --- receiving --------------------------------------------------------------------------------

Status Group::VerifyMember(const AuthenticatedContent& ac) const {
  const Sender& sender = ac.content.sender;
  if (sender.type != SenderType::kMember) {
    return Invalid("only members' messages are supported (no external senders or new members yet)");
  }
  if (sender.index >= tree_.leaf_count() || tree_.leaf(sender.index) == nullptr) {
    return Invalid("the sender is not a member");
  }
  if (sender.index == leaf()) return Invalid("this member's own message");
  return VerifyContent(suite_, ac, tree_.leaf(sender.index)->signature_key, context_);
}

Result<AuthenticatedContent> Group::Open(
    const MlsMessage& message, const std::function<Status(const AuthenticatedContent&)>& then) {
  if (const auto* pm = std::get_if<PublicMessage>(&message.body)) {
    if (pm->content.sender.type != SenderType::kMember) {
      return Invalid(
          "only members' messages are supported (no external senders or new members yet)");
    }
    QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                         UnprotectPublic(suite_, *pm, secrets_.membership_key.span(), context_));
    QFS_RETURN_IF_ERROR(VerifyMember(ac));
    QFS_RETURN_IF_ERROR(then(ac));
    return ac;
  }
  const auto* pm = std::get_if<PrivateMessage>(&message.body);
  if (pm == nullptr) return Invalid("a Welcome, GroupInfo or KeyPackage is not a group message");
  const auto check = [&](const AuthenticatedContent& ac) -> Status {
    QFS_RETURN_IF_ERROR(VerifyMember(ac));
    return then(ac);
  };
  return UnprotectPrivate(suite_, *pm, *secret_tree_, secrets_.sender_data_secret.span(), context_,
                          check);
}

Result<Group::Processed> Group::Process(ByteSpan wire) {
  QFS_ASSIGN_OR_RETURN(MlsMessage message, DecodeMlsMessage(wire));
  if (const auto* pm = std::get_if<PublicMessage>(&message.body);
      pm != nullptr && pm->content.sender.type == SenderType::kNewMemberCommit) {
    return ApplyExternalCommit(*pm);
  }
  std::optional<Processed> commit;
  const auto then = [&](const AuthenticatedContent& ac) -> Status {
    if (std::holds_alternative<mls::Commit>(ac.content.content)) {
      QFS_ASSIGN_OR_RETURN(Processed p, ApplyCommit(ac));
      commit = std::move(p);
    }
    return OkStatus();
  };
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac, Open(message, then));
  if (commit.has_value()) return std::move(*commit);
  Processed out;
  out.sender = ac.content.sender.index;
  if (auto* data = std::get_if<Bytes>(&ac.content.content)) {
    out.application_data = std::move(*data);
    return out;
  }
  out.type = ContentType::kProposal;
  QFS_RETURN_IF_ERROR(CacheProposal(ac));
  return out;
}

Result<Group> Group::ProcessCommit(ByteSpan wire) const {
  QFS_ASSIGN_OR_RETURN(MlsMessage message, DecodeMlsMessage(wire));
  const auto* pm = std::get_if<PublicMessage>(&message.body);
  if (pm == nullptr) return Invalid("ProcessCommit takes a PublicMessage (Process takes any)");
  if (pm->content.sender.type != SenderType::kMember) {
    return Invalid("only members' Commits are supported (no external commits yet)");
  }
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       UnprotectPublic(suite_, *pm, secrets_.membership_key.span(), context_));
  QFS_RETURN_IF_ERROR(VerifyMember(ac));
  if (!std::holds_alternative<mls::Commit>(ac.content.content)) {
    return Invalid("the message is not a Commit");
  }
  QFS_ASSIGN_OR_RETURN(Processed p, ApplyCommit(ac));
  if (p.removed) return Invalid("the Commit removes this member: it has left the group");
  return std::move(*p.next);
}

namespace {

Result<SecretBytes> JoinPskSecret(const CipherSuite& suite, const std::vector<PreSharedKeyId>& ids,
                                  const std::vector<ExternalPsk>& known) {
  std::vector<PskWithSecret> psks;
  for (const PreSharedKeyId& id : ids) {
    if (id.type != PskType::kExternal) {
      return Invalid(
          "the Welcome names a resumption PSK: joining needs the resumed group's "
          "state (ReInit and branching are not supported)");
    }
    const ExternalPsk* found = nullptr;
    for (const ExternalPsk& k : known) {
      if (k.id == id.psk_id) found = &k;
    }
    if (found == nullptr) return Invalid("the Welcome names an external PSK that was not given");
    psks.push_back({id, found->secret.Clone()});
  }
  return PskSecret(suite, psks);
}

}  // namespace

Result<Group> Group::Join(const CipherSuite& suite, const Welcome& welcome,
                          const KeyPackageSecrets& joiner, const JoinOptions& options) {
  QFS_ASSIGN_OR_RETURN(GroupSecrets gs, OpenGroupSecrets(suite, welcome, joiner.key_package,
                                                         joiner.init_private_key));
  QFS_ASSIGN_OR_RETURN(const SecretBytes psk_secret,
                       JoinPskSecret(suite, gs.psks, options.external_psks));
  QFS_ASSIGN_OR_RETURN(
      GroupInfo info, DecryptGroupInfo(suite, welcome, gs.joiner_secret.span(), psk_secret.span()));
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, VerifiedTree(suite, info, options.ratchet_tree));
  std::optional<LeafIndex> mine;
  for (LeafIndex l = 0; l < tree.leaf_count() && !mine.has_value(); ++l) {
    if (tree.leaf(l) != nullptr && *tree.leaf(l) == joiner.key_package.leaf_node) mine = l;
  }
  if (!mine.has_value()) return Invalid("the joiner's leaf is not in the tree");

  EpochSecrets secrets =
      DeriveEpochSecretsFromJoiner(suite, std::move(gs.joiner_secret), psk_secret.span(),
                                   EncodeGroupContext(info.group_context));
  const Bytes want = ConfirmationTag(suite, secrets.confirmation_key.span(),
                                     info.group_context.confirmed_transcript_hash);
  if (!ConstantTimeEqual(want, info.confirmation_tag)) {
    return Invalid("the GroupInfo's confirmation tag is wrong");
  }
  TreePrivateKey key(*mine, joiner.member.encryption_private_key.Clone());
  if (gs.path_secret.has_value()) {
    SecretBytes current = std::move(*gs.path_secret);
    bool below = false;
    for (const RatchetTree::PathStep& step : tree.FilteredDirectPath(info.signer)) {
      if (!below && !InSubtree(LeafToNode(*mine), step.parent)) continue;
      if (below) current = suite.DeriveSecret(current.span(), "path");
      below = true;
      key.SetPathSecret(step.parent, current.Clone());
    }
    if (!below) return Invalid("a path secret for a joiner not below the committer's path");
  }
  QFS_RETURN_IF_ERROR(key.CheckAgainst(suite, tree));
  Group g(suite, CloneKey(joiner.member.signature), std::move(key), options.group);
  for (const ExternalPsk& k : options.external_psks) g.external_psks_.push_back(ClonePsk(k));
  g.tree_ = std::move(tree);
  g.context_ = std::move(info.group_context);
  g.EnterEpoch(std::move(secrets), info.confirmation_tag);
  return g;
}

Result<Bytes> Group::Protect(ByteSpan application_data, crypto::RandomSource& random) {
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignOwn(WireFormat::kPrivateMessage,
                               Content(Bytes(application_data.begin(), application_data.end()))));
  QFS_ASSIGN_OR_RETURN(
      PrivateMessage m,
      ProtectPrivate(suite_, ac, *secret_tree_, secrets_.sender_data_secret.span(), random));
  return EncodeMlsMessage(MlsMessage{std::move(m)});
}

Result<Group::Received> Group::Unprotect(ByteSpan wire) {
  QFS_ASSIGN_OR_RETURN(MlsMessage message, DecodeMlsMessage(wire));
  const auto* pm = std::get_if<PrivateMessage>(&message.body);
  if (pm == nullptr || pm->content_type != ContentType::kApplication) {
    return Invalid("not an application message");
  }
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       Open(message, [](const AuthenticatedContent&) { return OkStatus(); }));
  return Received{ac.content.sender.index, std::get<Bytes>(std::move(ac.content.content))};
}

SecretBytes Group::Export(std::string_view label, ByteSpan context, std::size_t length) const {
  return MlsExport(suite_, secrets_.exporter_secret.span(), label, context, length);
}

}  // namespace qfs::mls
