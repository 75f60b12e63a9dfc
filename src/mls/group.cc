#include "mls/group.h"

#include <algorithm>
#include <string>

#include "crypto/hash.h"
#include "mls/hpke.h"
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
Status ValidateKeyPackage(const CipherSuite& suite, const KeyPackage& kp, std::uint64_t now) {
  if (kp.version != kProtocolVersionMls10 || kp.cipher_suite != suite.id()) {
    return Invalid("a KeyPackage of another version or cipher suite");
  }
  if (kp.leaf_node.source != LeafNodeSource::kKeyPackage) {
    return Invalid("a KeyPackage's leaf must have source key_package");
  }
  if (kp.init_key == kp.leaf_node.encryption_key) {
    return Invalid("a KeyPackage's init key equals its leaf's encryption key");
  }
  const Lifetime& life = kp.leaf_node.lifetime;
  if (now < life.not_before || now > life.not_after) {
    return Invalid("a KeyPackage outside its lifetime (not_before " +
                   std::to_string(life.not_before) + ", not_after " +
                   std::to_string(life.not_after) + ", now " + std::to_string(now) + ")");
  }
  QFS_RETURN_IF_ERROR(suite.VerifyWithLabel(kp.leaf_node.signature_key, "KeyPackageTBS",
                                            KeyPackageTbs(kp), kp.signature));
  return suite.VerifyWithLabel(kp.leaf_node.signature_key, "LeafNodeTBS",
                               LeafNodeTbs(kp.leaf_node, {}, 0), kp.leaf_node.signature);
}

ExternalPsk ClonePsk(const ExternalPsk& k) { return {k.id, k.secret.Clone()}; }

// Two PSK ids name the same PSK (the nonce aside).
bool SamePsk(const PreSharedKeyId& a, const PreSharedKeyId& b) {
  if (a.type != b.type) return false;
  if (a.type == PskType::kExternal) return a.psk_id == b.psk_id;
  return a.psk_group_id == b.psk_group_id && a.psk_epoch == b.psk_epoch;
}

Bytes ProposalRef(const CipherSuite& suite, const AuthenticatedContent& ac) {
  return suite.RefHash("MLS 1.0 Proposal Reference", EncodeAuthenticatedContent(ac));
}

bool Has(const std::vector<std::uint16_t>& list, std::uint16_t v) {
  for (std::uint16_t x : list) {
    if (x == v) return true;
  }
  return false;
}

// The extension types of RFC 9420 (section 17.3) a leaf need not list in its capabilities.
bool DefaultExtension(std::uint16_t type) { return type >= 1 && type <= 5; }
constexpr std::uint16_t kExtensionRequiredCapabilities = 3;

// Section 7.2 and 11.1: a leaf can be in a group with this suite and these GroupContext
// extensions — it supports the version, the suite, every non-default extension and everything
// a required_capabilities extension demands.
Status SupportsGroup(const LeafNode& leaf, std::uint16_t suite,
                     const std::vector<Extension>& extensions) {
  const Capabilities& caps = leaf.capabilities;
  if (!Has(caps.versions, kProtocolVersionMls10) || !Has(caps.cipher_suites, suite)) {
    return Invalid("a member does not support the group's version and cipher suite");
  }
  for (const Extension& e : extensions) {
    if (!DefaultExtension(e.type) && !Has(caps.extensions, e.type)) {
      return Invalid("a member does not support GroupContext extension " + std::to_string(e.type));
    }
    if (e.type != kExtensionRequiredCapabilities) continue;
    TlsReader r(e.data);
    Result<std::vector<std::uint16_t>> ext_types = GetU16Vector(r);
    Result<std::vector<std::uint16_t>> proposal_types = GetU16Vector(r);
    Result<std::vector<std::uint16_t>> credential_types = GetU16Vector(r);
    if (!ext_types.ok() || !proposal_types.ok() || !credential_types.ok() || !r.ExpectEnd().ok()) {
      return Invalid("a malformed required_capabilities extension");
    }
    for (std::uint16_t t : ext_types.value()) {
      if (!DefaultExtension(t) && !Has(caps.extensions, t)) {
        return Invalid("a member lacks required extension " + std::to_string(t));
      }
    }
    for (std::uint16_t t : proposal_types.value()) {
      if ((t < 1 || t > 7) && !Has(caps.proposals, t)) {
        return Invalid("a member lacks required proposal type " + std::to_string(t));
      }
    }
    for (std::uint16_t t : credential_types.value()) {
      if (!Has(caps.credentials, t)) {
        return Invalid("a member lacks required credential type " + std::to_string(t));
      }
    }
  }
  if (!Has(caps.credentials, leaf.credential.type)) {
    return Invalid("a leaf does not list its own credential type");
  }
  for (const Extension& e : leaf.extensions) {
    if (!DefaultExtension(e.type) && !Has(caps.extensions, e.type)) {
      return Invalid("a leaf carries extension " + std::to_string(e.type) +
                     " its capabilities do not list");
    }
  }
  return OkStatus();
}

// Section 7.3: every member supports every credential type in use in the group.
Status CredentialsCompatible(const RatchetTree& tree) {
  std::vector<std::uint16_t> in_use;
  for (LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    const LeafNode* leaf = tree.leaf(l);
    if (leaf != nullptr && !Has(in_use, leaf->credential.type))
      in_use.push_back(leaf->credential.type);
  }
  for (LeafIndex l = 0; l < tree.leaf_count(); ++l) {
    const LeafNode* leaf = tree.leaf(l);
    if (leaf == nullptr) continue;
    for (std::uint16_t t : in_use) {
      if (!Has(leaf->capabilities.credentials, t)) {
        return Invalid("leaf " + std::to_string(l) + " does not support credential type " +
                       std::to_string(t) + ", which another member uses");
      }
    }
  }
  return OkStatus();
}

}  // namespace

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

// --- a Commit's proposals ------------------------------------------------------------------

struct Group::Applied {
  RatchetTree tree;
  std::vector<LeafIndex> added;                // the new members' leaves, in order
  std::vector<const KeyPackage*> added_from;   // and their KeyPackages
  std::vector<PreSharedKeyId> psks;            // in order
  std::vector<Extension> extensions;           // the next GroupContext's
  const SecretBytes* my_update_key = nullptr;  // this member's committed Update's leaf key
  bool removes_me = false;
  bool path_required = true;
};

// The proposals of one Commit, admitted one by one under the rules of section 12.2 (each
// either admitted whole or refused with the rule it breaks), then applied in the order of
// section 12.3: GroupContextExtensions, Updates, Removes, Adds.
class Group::ProposalList {
 public:
  // `committer` is the Commit's sender (kNoCommitter to check a proposal on its own).
  ProposalList(const Group& group, LeafIndex committer) : g_(group), committer_(committer) {}
  static constexpr LeafIndex kNoCommitter = ~LeafIndex{0};

  Status Admit(const Proposal& p, LeafIndex sender, const CachedProposal* cached) {
    if (const auto* add = std::get_if<AddProposal>(&p)) return AdmitAdd(add->key_package);
    if (const auto* update = std::get_if<UpdateProposal>(&p)) {
      return AdmitUpdate(*update, sender, cached);
    }
    if (const auto* remove = std::get_if<RemoveProposal>(&p)) return AdmitRemove(remove->removed);
    if (const auto* psk = std::get_if<PreSharedKeyProposal>(&p)) return AdmitPsk(psk->psk);
    if (const auto* gce = std::get_if<GroupContextExtensionsProposal>(&p)) {
      if (extensions_ != nullptr) return Invalid("more than one GroupContextExtensions proposal");
      extensions_ = &gce->extensions;
      any_other_ = true;
      return OkStatus();
    }
    if (std::holds_alternative<ExternalInitProposal>(p)) {
      return Invalid("an ExternalInit proposal belongs only in an external Commit");
    }
    return Invalid("ReInit proposals are not supported");
  }

  Result<Applied> Apply() const {
    Applied out;
    out.tree = g_.tree_;
    out.extensions = extensions_ != nullptr ? *extensions_ : g_.context_.extensions;
    for (const auto& [leaf, update] : updates_) QFS_RETURN_IF_ERROR(out.tree.Update(leaf, *update));
    for (LeafIndex leaf : removes_) {
      QFS_RETURN_IF_ERROR(out.tree.Remove(leaf));
      out.removes_me = out.removes_me || leaf == g_.leaf();
    }
    for (const KeyPackage* kp : adds_) {
      QFS_ASSIGN_OR_RETURN(LeafIndex leaf, out.tree.Add(kp->leaf_node));
      out.added.push_back(leaf);
      out.added_from.push_back(kp);
    }
    for (LeafIndex l = 0; l < out.tree.leaf_count(); ++l) {
      if (out.tree.leaf(l) == nullptr) continue;
      QFS_RETURN_IF_ERROR(SupportsGroup(*out.tree.leaf(l), g_.suite_.id(), out.extensions));
    }
    QFS_RETURN_IF_ERROR(CredentialsCompatible(out.tree));
    out.psks = psks_;
    out.my_update_key = my_update_key_;
    out.path_required = any_other_ || (adds_.empty() && psks_.empty());
    return out;
  }

 private:
  bool Touched(LeafIndex leaf) const {
    for (const auto& u : updates_) {
      if (u.first == leaf) return true;
    }
    for (LeafIndex r : removes_) {
      if (r == leaf) return true;
    }
    return false;
  }
  // No leaf of the group, and no leaf this Commit brings, has this encryption or signature key.
  Status Unique(const LeafNode& leaf, std::optional<LeafIndex> replacing) const {
    const auto clash = [&](const LeafNode& other) {
      return other.encryption_key == leaf.encryption_key ||
             other.signature_key == leaf.signature_key;
    };
    for (LeafIndex l = 0; l < g_.tree_.leaf_count(); ++l) {
      const LeafNode* other = g_.tree_.leaf(l);
      if (other == nullptr) continue;
      if (replacing == l) {
        if (other->encryption_key == leaf.encryption_key) {
          return Invalid("an Update must change the leaf's encryption key");
        }
      } else if (clash(*other)) {
        return Invalid("a leaf's encryption or signature key is already in the group");
      }
    }
    for (const KeyPackage* kp : adds_) {
      if (clash(kp->leaf_node)) return Invalid("two leaves of one Commit share a key");
    }
    for (const auto& u : updates_) {
      if (clash(*u.second)) return Invalid("two leaves of one Commit share a key");
    }
    return OkStatus();
  }

  Status AdmitAdd(const KeyPackage& kp) {
    QFS_RETURN_IF_ERROR(ValidateKeyPackage(g_.suite_, kp, g_.NowSeconds()));
    QFS_RETURN_IF_ERROR(Unique(kp.leaf_node, std::nullopt));
    adds_.push_back(&kp);
    return OkStatus();
  }

  Status AdmitUpdate(const UpdateProposal& update, LeafIndex sender, const CachedProposal* cached) {
    if (sender == committer_) return Invalid("a committer cannot commit its own Update proposal");
    if (g_.tree_.leaf(sender) == nullptr) return Invalid("an Update from a blank leaf");
    if (Touched(sender)) return Invalid("a second Update or Remove for one leaf");
    const LeafNode& leaf = update.leaf_node;
    if (leaf.source != LeafNodeSource::kUpdate)
      return Invalid("an Update's leaf has another source");
    QFS_RETURN_IF_ERROR(g_.suite_.VerifyWithLabel(leaf.signature_key, "LeafNodeTBS",
                                                  LeafNodeTbs(leaf, g_.context_.group_id, sender),
                                                  leaf.signature));
    QFS_RETURN_IF_ERROR(Unique(leaf, sender));
    if (sender == g_.leaf()) {
      if (cached == nullptr || !cached->update_key.has_value()) {
        return Invalid("an Update of this member's leaf that it did not propose");
      }
      my_update_key_ = &*cached->update_key;
    }
    updates_.emplace_back(sender, &leaf);
    any_other_ = true;
    return OkStatus();
  }

  Status AdmitRemove(LeafIndex removed) {
    if (removed >= g_.tree_.leaf_count() || g_.tree_.leaf(removed) == nullptr) {
      return Invalid("a Remove of a blank leaf");
    }
    if (removed == committer_) return Invalid("a Commit cannot remove its committer");
    if (Touched(removed)) return Invalid("a second Update or Remove for one leaf");
    removes_.push_back(removed);
    any_other_ = true;
    return OkStatus();
  }

  Status AdmitPsk(const PreSharedKeyId& id) {
    if (id.psk_nonce.size() != g_.suite_.hash_bytes()) {
      return Invalid("a PSK nonce must be as long as the hash output");
    }
    for (const PreSharedKeyId& other : psks_) {
      if (SamePsk(other, id)) return Invalid("a PSK named twice in one Commit");
    }
    if (id.type == PskType::kResumption && id.usage != ResumptionPskUsage::kApplication) {
      return Invalid("resumption PSKs for ReInit or branching are not supported");
    }
    if (g_.FindPsk(id) == nullptr) {
      return Invalid(id.type == PskType::kExternal
                         ? "a PreSharedKey proposal names an external PSK this member does not know"
                         : "a PreSharedKey proposal names a resumption PSK of another group or of "
                           "an epoch this member does not keep");
    }
    psks_.push_back(id);
    return OkStatus();
  }

  const Group& g_;
  LeafIndex committer_;
  std::vector<std::pair<LeafIndex, const LeafNode*>> updates_;
  std::vector<LeafIndex> removes_;
  std::vector<const KeyPackage*> adds_;
  std::vector<PreSharedKeyId> psks_;
  const std::vector<Extension>* extensions_ = nullptr;
  const SecretBytes* my_update_key_ = nullptr;
  bool any_other_ = false;  // a proposal other than Add and PreSharedKey
};

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

// --- proposals --------------------------------------------------------------------------------

Result<Bytes> Group::SendProposal(Proposal proposal, std::optional<SecretBytes> update_key) {
  FramedContent content{context_.group_id,
                        context_.epoch,
                        Sender{SenderType::kMember, leaf()},
                        {},
                        Content(std::move(proposal))};
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignContent(suite_, WireFormat::kPublicMessage, std::move(content),
                                   signature_.private_key, context_));
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
  FramedContent content{context_.group_id,
                        context_.epoch,
                        Sender{SenderType::kMember, leaf()},
                        {},
                        Content(std::move(body))};
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       SignContent(suite_, WireFormat::kPublicMessage, std::move(content),
                                   signature_.private_key, context_));
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

// The ratchet tree a GroupInfo describes — from its ratchet_tree extension, else `given` —
// checked as a joiner must (section 12.4.3.1): it matches the tree hash, is parent-hash valid,
// every leaf's signature verifies, and the GroupInfo is signed by a member of it.
Result<RatchetTree> VerifiedTree(const CipherSuite& suite, const GroupInfo& info,
                                 const std::optional<RatchetTree>& given) {
  const Extension* tree_extension = nullptr;
  for (const Extension& e : info.extensions) {
    if (e.type == kExtensionRatchetTree) tree_extension = &e;
  }
  RatchetTree tree;
  if (tree_extension != nullptr) {
    QFS_ASSIGN_OR_RETURN(tree, RatchetTree::Decode(tree_extension->data));
  } else if (given.has_value()) {
    tree = *given;
  } else {
    return Invalid("neither the GroupInfo nor the caller gives the ratchet tree");
  }
  if (RootHash(suite, tree) != info.group_context.tree_hash) {
    return Invalid("the ratchet tree does not match the GroupInfo's tree hash");
  }
  QFS_RETURN_IF_ERROR(tree.VerifyParentHashes(suite));
  QFS_RETURN_IF_ERROR(tree.VerifyLeafSignatures(suite, info.group_context.group_id));
  if (info.signer >= tree.leaf_count() || tree.leaf(info.signer) == nullptr) {
    return Invalid("the GroupInfo's signer is not a member");
  }
  QFS_RETURN_IF_ERROR(VerifyGroupInfo(suite, info, tree.leaf(info.signer)->signature_key));
  return tree;
}

// The key of an external_pub extension: struct { HPKEPublicKey external_pub; } (section
// 12.4.3.2), i.e. a length-prefixed key — what this library writes. ts-mls (1.6.4, 2.0.0-rc.10)
// writes the bare key; a bare key of exactly kHpkeKeyBytes is accepted too (the two encodings
// have different sizes, so neither can be mistaken for the other).
Result<Bytes> ExternalPub(ByteSpan data) {
  if (data.size() == kHpkeKeyBytes) return Bytes(data.begin(), data.end());
  TlsReader r(data);
  QFS_ASSIGN_OR_RETURN(Bytes pub, r.Opaque(kHpkeFieldBytesMax));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  if (pub.size() != kHpkeKeyBytes) return Invalid("an external_pub key of the wrong size");
  return pub;
}

constexpr std::string_view kExternalInitLabel = "MLS 1.0 external init secret";

// The external key pair of an epoch (section 8.3): DeriveKeyPair(external_secret).
HpkeKeyPair ExternalKeyPair(const SecretBytes& external_secret) {
  return HpkeDeriveKeyPair(external_secret.span());
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

// --- external commits (section 12.4.3.2) -------------------------------------------------------

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
  QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac,
                       Open(message, [](const AuthenticatedContent&) { return OkStatus(); }));
  return Received{ac.content.sender.index, std::get<Bytes>(std::move(ac.content.content))};
}

SecretBytes Group::Export(std::string_view label, ByteSpan context, std::size_t length) const {
  return MlsExport(suite_, secrets_.exporter_secret.span(), label, context, length);
}

}  // namespace qfs::mls
