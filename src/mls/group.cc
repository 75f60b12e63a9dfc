#include "mls/group.h"

#include <string>

#include "mls/tree_math.h"

namespace qfs::mls {
namespace {

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

SecretBytes Zeros(const CipherSuite& suite) { return SecretBytes(suite.hash_bytes()); }

Bytes RootHash(const CipherSuite& suite, const RatchetTree& tree) {
  return tree.TreeHash(suite, Root(tree.leaf_count()));
}

SignatureKeyPair CloneKey(const SignatureKeyPair& k) {
  return {k.private_key.Clone(), k.public_key};
}

// Section 10.1: the KeyPackage's suite, its signature, its leaf's source and signature, and an
// init key distinct from the leaf's encryption key.
Status ValidateKeyPackage(const CipherSuite& suite, const KeyPackage& kp) {
  if (kp.version != kProtocolVersionMls10 || kp.cipher_suite != suite.id()) {
    return Invalid("a KeyPackage of another version or cipher suite");
  }
  if (kp.leaf_node.source != LeafNodeSource::kKeyPackage) {
    return Invalid("a KeyPackage's leaf must have source key_package");
  }
  if (kp.init_key == kp.leaf_node.encryption_key) {
    return Invalid("a KeyPackage's init key equals its leaf's encryption key");
  }
  QFS_RETURN_IF_ERROR(suite.VerifyWithLabel(kp.leaf_node.signature_key, "KeyPackageTBS",
                                            KeyPackageTbs(kp), kp.signature));
  return suite.VerifyWithLabel(kp.leaf_node.signature_key, "LeafNodeTBS",
                               LeafNodeTbs(kp.leaf_node, {}, 0), kp.leaf_node.signature);
}

// Section 12.4: a Commit with no proposals, or with any but Add, PreSharedKey and ReInit, needs
// a path (of ours: any removal).
bool PathRequired(const mls::Commit& commit) {
  if (commit.proposals.empty()) return true;
  for (const ProposalOrRef& p : commit.proposals) {
    const auto* proposal = std::get_if<Proposal>(&p);
    if (proposal == nullptr) return true;  // unknown until resolved: be strict
    const ProposalType t = TypeOf(*proposal);
    if (t != ProposalType::kAdd && t != ProposalType::kPreSharedKey && t != ProposalType::kReInit) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<KeyPackageSecrets> MakeKeyPackage(const CipherSuite& suite, ByteSpan identity,
                                         crypto::RandomSource& random) {
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
  leaf.lifetime = {0, ~std::uint64_t{0}};
  QFS_ASSIGN_OR_RETURN(leaf.signature, suite.SignWithLabel(signature.private_key, "LeafNodeTBS",
                                                           LeafNodeTbs(leaf, {}, 0)));
  KeyPackage kp;
  kp.cipher_suite = suite.id();
  kp.init_key = init.public_key;
  kp.leaf_node = leaf;
  QFS_ASSIGN_OR_RETURN(
      kp.signature, suite.SignWithLabel(signature.private_key, "KeyPackageTBS", KeyPackageTbs(kp)));
  return KeyPackageSecrets{
      std::move(kp), std::move(init.private_key),
      MemberKeys{std::move(signature), std::move(encryption.private_key), std::move(leaf)}};
}

void Group::EnterEpoch(EpochSecrets secrets, ByteSpan confirmation_tag) {
  secrets_ = std::move(secrets);
  secret_tree_ =
      std::make_unique<SecretTree>(suite_, secrets_.encryption_secret, tree_.leaf_count());
  interim_transcript_hash_ =
      InterimTranscriptHash(suite_, context_.confirmed_transcript_hash, confirmation_tag);
}

Result<Group> Group::Create(const CipherSuite& suite, ByteSpan group_id, MemberKeys me,
                            crypto::RandomSource& random) {
  if (group_id.empty() || group_id.size() > 255) return Invalid("a group id is 1 to 255 bytes");
  Result<Bytes> public_key = HpkePublicKey(me.encryption_private_key.span());
  if (!public_key.ok() || public_key.value() != me.leaf.encryption_key) {
    return Invalid("the leaf's encryption key is not the given private key's");
  }
  Group g(suite, std::move(me.signature), TreePrivateKey(0, std::move(me.encryption_private_key)));
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

Result<RatchetTree> Group::ApplyProposals(const mls::Commit& commit, LeafIndex committer,
                                          std::vector<LeafIndex>* added) const {
  RatchetTree tree = tree_;
  std::vector<const KeyPackage*> adds;
  for (const ProposalOrRef& p : commit.proposals) {
    const auto* proposal = std::get_if<Proposal>(&p);
    if (proposal == nullptr) return Invalid("proposals by reference are not supported yet");
    if (const auto* remove = std::get_if<RemoveProposal>(proposal)) {
      if (remove->removed == committer) return Invalid("a Commit cannot remove its committer");
      QFS_RETURN_IF_ERROR(tree.Remove(remove->removed));
    } else if (const auto* add = std::get_if<AddProposal>(proposal)) {
      QFS_RETURN_IF_ERROR(ValidateKeyPackage(suite_, add->key_package));
      adds.push_back(&add->key_package);
    } else {
      return Invalid("proposal type " + std::to_string(static_cast<int>(TypeOf(*proposal))) +
                     " is not supported yet");
    }
  }
  for (const KeyPackage* kp : adds) {  // after every removal (section 12.3)
    QFS_ASSIGN_OR_RETURN(LeafIndex leaf, tree.Add(kp->leaf_node));
    added->push_back(leaf);
  }
  return tree;
}

Result<EpochSecrets> Group::NextEpoch(const AuthenticatedContent& commit, const RatchetTree& tree,
                                      const SecretBytes& commit_secret,
                                      GroupContext& next_context) const {
  QFS_ASSIGN_OR_RETURN(TranscriptHashes hashes,
                       NextTranscriptHashes(suite_, interim_transcript_hash_, commit));
  next_context.tree_hash = RootHash(suite_, tree);
  next_context.confirmed_transcript_hash = std::move(hashes.confirmed);
  const SecretBytes no_psk = Zeros(suite_);
  return DeriveEpochSecrets(suite_, secrets_.init_secret.span(), commit_secret.span(),
                            no_psk.span(), EncodeGroupContext(next_context));
}

Result<Group::Commit> Group::CreateCommit(const std::vector<KeyPackage>& adds,
                                          const std::vector<LeafIndex>& removes,
                                          crypto::RandomSource& random,
                                          CommitOptions options) const {
  mls::Commit body;
  for (LeafIndex r : removes) body.proposals.emplace_back(Proposal(RemoveProposal{r}));
  for (const KeyPackage& kp : adds) body.proposals.emplace_back(Proposal(AddProposal{kp}));
  std::vector<LeafIndex> added;
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, ApplyProposals(body, leaf(), &added));

  GroupContext next_context = context_;
  ++next_context.epoch;
  std::optional<CreatedPath> path;
  if (options.path) {
    QFS_ASSIGN_OR_RETURN(CreatedPath created,
                         CreateUpdatePath(suite_, tree, leaf(), signature_.private_key,
                                          next_context, added, random));
    body.path = created.path;
    path = std::move(created);
  } else if (PathRequired(body)) {
    return Invalid("a Commit with no proposals or with removals needs a path");
  }
  const RatchetTree& new_tree = path.has_value() ? path->tree : tree;
  const SecretBytes zero = Zeros(suite_);
  const SecretBytes& commit_secret = path.has_value() ? path->commit_secret : zero;
  FramedContent content{context_.group_id,
                        context_.epoch,
                        Sender{SenderType::kMember, leaf()},
                        {},
                        Content(std::move(body))};
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignContent(suite_, WireFormat::kPublicMessage, std::move(content),
                                   signature_.private_key, context_));
  QFS_ASSIGN_OR_RETURN(EpochSecrets secrets, NextEpoch(ac, new_tree, commit_secret, next_context));
  ac.auth.confirmation_tag = ConfirmationTag(suite_, secrets.confirmation_key.span(),
                                             next_context.confirmed_transcript_hash);
  QFS_ASSIGN_OR_RETURN(PublicMessage message,
                       ProtectPublic(suite_, ac, secrets_.membership_key.span(), context_));

  Commit out;
  out.message = EncodeMlsMessage(MlsMessage{std::move(message)});
  if (!added.empty()) {
    GroupInfo info{next_context,
                   {{kExtensionRatchetTree, new_tree.Encode()}},
                   ac.auth.confirmation_tag,
                   leaf(),
                   {}};
    QFS_RETURN_IF_ERROR(SignGroupInfo(suite_, info, signature_.private_key));
    std::vector<NewMember> members;
    for (std::size_t i = 0; i < added.size(); ++i) {
      NewMember m{&adds[i], nullptr};
      // With a path, each new member gets the secret of its lowest ancestor on it.
      for (const RatchetTree::PathStep& step : path.has_value()
                                                   ? new_tree.FilteredDirectPath(leaf())
                                                   : std::vector<RatchetTree::PathStep>{}) {
        if (InSubtree(LeafToNode(added[i]), step.parent)) {
          m.path_secret = path->private_key.path_secret(step.parent);
          break;
        }
      }
      members.push_back(m);
    }
    QFS_ASSIGN_OR_RETURN(Welcome welcome, SealWelcome(suite_, info, secrets.joiner_secret, {},
                                                      zero.span(), members, random));
    out.welcome = std::move(welcome);
  }
  TreePrivateKey next_key = path.has_value() ? std::move(path->private_key) : private_key_.Clone();
  auto next = std::unique_ptr<Group>(new Group(suite_, CloneKey(signature_), std::move(next_key)));
  next->tree_ = path.has_value() ? std::move(path->tree) : std::move(tree);
  next->context_ = std::move(next_context);
  next->EnterEpoch(std::move(secrets), ac.auth.confirmation_tag);
  out.next = std::move(next);
  return out;
}

Result<Group> Group::ProcessCommit(ByteSpan wire) const {
  QFS_ASSIGN_OR_RETURN(MlsMessage message, DecodeMlsMessage(wire));
  const auto* pm = std::get_if<PublicMessage>(&message.body);
  if (pm == nullptr) return Invalid("a Commit must arrive as a PublicMessage (so far)");
  const Sender sender = pm->content.sender;
  if (sender.type != SenderType::kMember) return Invalid("only member Commits are supported");
  if (sender.index == leaf()) return Invalid("this member's own Commit (adopt Commit::next)");
  if (sender.index >= tree_.leaf_count() || tree_.leaf(sender.index) == nullptr) {
    return Invalid("the committer is not a member");
  }
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       UnprotectPublic(suite_, *pm, secrets_.membership_key.span(), context_));
  QFS_RETURN_IF_ERROR(VerifyContent(suite_, ac, tree_.leaf(sender.index)->signature_key, context_));
  const auto* commit = std::get_if<mls::Commit>(&ac.content.content);
  if (commit == nullptr) return Invalid("the message is not a Commit");
  for (const ProposalOrRef& p : commit->proposals) {
    const auto* proposal = std::get_if<Proposal>(&p);
    const auto* remove = proposal == nullptr ? nullptr : std::get_if<RemoveProposal>(proposal);
    if (remove != nullptr && remove->removed == leaf()) {
      return Invalid("the Commit removes this member: it has left the group");
    }
  }
  std::vector<LeafIndex> added;
  QFS_ASSIGN_OR_RETURN(RatchetTree tree, ApplyProposals(*commit, sender.index, &added));
  GroupContext next_context = context_;
  ++next_context.epoch;
  std::optional<MergedPath> merged;
  if (commit->path.has_value()) {
    QFS_ASSIGN_OR_RETURN(MergedPath m, ProcessUpdatePath(suite_, tree, sender.index, *commit->path,
                                                         next_context, added, private_key_));
    merged = std::move(m);
  } else if (PathRequired(*commit)) {
    return Invalid("a Commit with no proposals or with removals must have a path");
  }
  const SecretBytes zero = Zeros(suite_);
  QFS_ASSIGN_OR_RETURN(EpochSecrets secrets,
                       NextEpoch(ac, merged.has_value() ? merged->tree : tree,
                                 merged.has_value() ? merged->commit_secret : zero, next_context));
  const Bytes want = ConfirmationTag(suite_, secrets.confirmation_key.span(),
                                     next_context.confirmed_transcript_hash);
  if (!ConstantTimeEqual(want, ac.auth.confirmation_tag)) {
    return Status(StatusCode::kAuthenticationFailed, "the Commit's confirmation tag is wrong");
  }
  TreePrivateKey next_key =
      merged.has_value() ? std::move(merged->private_key) : private_key_.Clone();
  if (!merged.has_value()) next_key.Prune(tree);
  Group next(suite_, CloneKey(signature_), std::move(next_key));
  next.tree_ = merged.has_value() ? std::move(merged->tree) : std::move(tree);
  next.context_ = std::move(next_context);
  next.EnterEpoch(std::move(secrets), ac.auth.confirmation_tag);
  return next;
}

namespace {

Result<SecretBytes> JoinPskSecret(const CipherSuite& suite, const std::vector<PreSharedKeyId>& ids,
                                  const std::vector<ExternalPsk>& known) {
  std::vector<PskWithSecret> psks;
  for (const PreSharedKeyId& id : ids) {
    if (id.type != PskType::kExternal) return Invalid("resumption PSKs are not supported yet");
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
  const Extension* tree_extension = nullptr;
  for (const Extension& e : info.extensions) {
    if (e.type == kExtensionRatchetTree) tree_extension = &e;
  }
  std::optional<RatchetTree> given;
  if (tree_extension != nullptr) {
    QFS_ASSIGN_OR_RETURN(RatchetTree decoded, RatchetTree::Decode(tree_extension->data));
    given = std::move(decoded);
  } else if (options.ratchet_tree.has_value()) {
    given = *options.ratchet_tree;
  } else {
    return Invalid("neither the GroupInfo nor the caller gives the ratchet tree");
  }
  RatchetTree tree = std::move(*given);
  if (RootHash(suite, tree) != info.group_context.tree_hash) {
    return Invalid("the ratchet tree does not match the GroupInfo's tree hash");
  }
  QFS_RETURN_IF_ERROR(tree.VerifyParentHashes(suite));
  QFS_RETURN_IF_ERROR(tree.VerifyLeafSignatures(suite, info.group_context.group_id));
  if (info.signer >= tree.leaf_count() || tree.leaf(info.signer) == nullptr) {
    return Invalid("the GroupInfo's signer is not a member");
  }
  QFS_RETURN_IF_ERROR(VerifyGroupInfo(suite, info, tree.leaf(info.signer)->signature_key));
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
  Group g(suite, CloneKey(joiner.member.signature), std::move(key));
  g.tree_ = std::move(tree);
  g.context_ = std::move(info.group_context);
  g.EnterEpoch(std::move(secrets), info.confirmation_tag);
  return g;
}

Result<Bytes> Group::Protect(ByteSpan application_data, crypto::RandomSource& random) {
  FramedContent content{context_.group_id,
                        context_.epoch,
                        Sender{SenderType::kMember, leaf()},
                        {},
                        Content(Bytes(application_data.begin(), application_data.end()))};
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignContent(suite_, WireFormat::kPrivateMessage, std::move(content),
                                   signature_.private_key, context_));
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
  const auto check = [this](const AuthenticatedContent& ac) {
    const LeafIndex from = ac.content.sender.index;
    if (tree_.leaf(from) == nullptr) return Invalid("the sender's leaf is blank");
    return VerifyContent(suite_, ac, tree_.leaf(from)->signature_key, context_);
  };
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       UnprotectPrivate(suite_, *pm, *secret_tree_,
                                        secrets_.sender_data_secret.span(), context_, check));
  return Received{ac.content.sender.index, std::get<Bytes>(std::move(ac.content.content))};
}

SecretBytes Group::Export(std::string_view label, ByteSpan context, std::size_t length) const {
  return MlsExport(suite_, secrets_.exporter_secret.span(), label, context, length);
}

}  // namespace qfs::mls
