// What group.cc and group_external.cc share, and nothing else includes: the checks of
// KeyPackages, leaves, trees and proposals (RFC 9420 sections 7.3, 10.1, 12.2, 12.4.3.1), and a
// Commit's proposal list. Not a public interface.
#ifndef QFS_MLS_GROUP_INTERNAL_H_
#define QFS_MLS_GROUP_INTERNAL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mls/group.h"
#include "mls/hpke.h"

namespace qfs::mls {
namespace group_detail {

Status Invalid(const std::string& why);
// Nh zero bytes (no commit secret, no PSKs).
SecretBytes Zeros(const CipherSuite& suite);
Bytes RootHash(const CipherSuite& suite, const RatchetTree& tree);
SignatureKeyPair CloneKey(const SignatureKeyPair& k);
ExternalPsk ClonePsk(const ExternalPsk& k);
// Two PSK ids name the same PSK (the nonce aside).
bool SamePsk(const PreSharedKeyId& a, const PreSharedKeyId& b);
// RefHash "MLS 1.0 Proposal Reference" of the AuthenticatedContent that carried a proposal.
Bytes ProposalRef(const CipherSuite& suite, const AuthenticatedContent& ac);
// Section 10.1: suite, signatures, leaf source, init key distinct from the leaf's, and the
// lifetime around `now` (seconds since the Unix epoch).
Status ValidateKeyPackage(const CipherSuite& suite, const KeyPackage& kp, std::uint64_t now);
// Sections 7.2, 7.3 and 11.1: a leaf can be in a group with this suite and these GroupContext
// extensions (version, suite, non-default extensions, required_capabilities, its own credential
// type and leaf extensions listed).
Status SupportsGroup(const LeafNode& leaf, std::uint16_t suite,
                     const std::vector<Extension>& extensions);
// Section 7.3: every member supports every credential type in use in the group.
Status CredentialsCompatible(const RatchetTree& tree);
// The ratchet tree a GroupInfo describes — from its ratchet_tree extension, else `given` —
// checked as a joiner must (section 12.4.3.1): it matches the tree hash, is parent-hash valid,
// every leaf's signature verifies, and the GroupInfo is signed by a member of it.
Result<RatchetTree> VerifiedTree(const CipherSuite& suite, const GroupInfo& info,
                                 const std::optional<RatchetTree>& given);
// The key in an external_pub extension (the RFC's length-prefixed form, or ts-mls's bare key).
Result<Bytes> ExternalPub(ByteSpan data);
// The external key pair of an epoch (section 8.3): DeriveKeyPair(external_secret).
HpkeKeyPair ExternalKeyPair(const SecretBytes& external_secret);
inline constexpr std::string_view kExternalInitLabel = "MLS 1.0 external init secret";

}  // namespace group_detail

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
      if (extensions_ != nullptr)
        return group_detail::Invalid("more than one GroupContextExtensions proposal");
      extensions_ = &gce->extensions;
      any_other_ = true;
      return OkStatus();
    }
    if (std::holds_alternative<ExternalInitProposal>(p)) {
      return group_detail::Invalid("an ExternalInit proposal belongs only in an external Commit");
    }
    return group_detail::Invalid("ReInit proposals are not supported");
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
      QFS_RETURN_IF_ERROR(
          group_detail::SupportsGroup(*out.tree.leaf(l), g_.suite_.id(), out.extensions));
    }
    QFS_RETURN_IF_ERROR(group_detail::CredentialsCompatible(out.tree));
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
          return group_detail::Invalid("an Update must change the leaf's encryption key");
        }
      } else if (clash(*other)) {
        return group_detail::Invalid(
            "a leaf's encryption or signature key is already in the group");
      }
    }
    for (const KeyPackage* kp : adds_) {
      if (clash(kp->leaf_node))
        return group_detail::Invalid("two leaves of one Commit share a key");
    }
    for (const auto& u : updates_) {
      if (clash(*u.second)) return group_detail::Invalid("two leaves of one Commit share a key");
    }
    return OkStatus();
  }

  Status AdmitAdd(const KeyPackage& kp) {
    QFS_RETURN_IF_ERROR(group_detail::ValidateKeyPackage(g_.suite_, kp, g_.NowSeconds()));
    QFS_RETURN_IF_ERROR(Unique(kp.leaf_node, std::nullopt));
    adds_.push_back(&kp);
    return OkStatus();
  }

  Status AdmitUpdate(const UpdateProposal& update, LeafIndex sender, const CachedProposal* cached) {
    if (sender == committer_)
      return group_detail::Invalid("a committer cannot commit its own Update proposal");
    if (g_.tree_.leaf(sender) == nullptr)
      return group_detail::Invalid("an Update from a blank leaf");
    if (Touched(sender)) return group_detail::Invalid("a second Update or Remove for one leaf");
    const LeafNode& leaf = update.leaf_node;
    if (leaf.source != LeafNodeSource::kUpdate)
      return group_detail::Invalid("an Update's leaf has another source");
    QFS_RETURN_IF_ERROR(g_.suite_.VerifyWithLabel(leaf.signature_key, "LeafNodeTBS",
                                                  LeafNodeTbs(leaf, g_.context_.group_id, sender),
                                                  leaf.signature));
    QFS_RETURN_IF_ERROR(Unique(leaf, sender));
    if (sender == g_.leaf()) {
      if (cached == nullptr || !cached->update_key.has_value()) {
        return group_detail::Invalid("an Update of this member's leaf that it did not propose");
      }
      my_update_key_ = &*cached->update_key;
    }
    updates_.emplace_back(sender, &leaf);
    any_other_ = true;
    return OkStatus();
  }

  Status AdmitRemove(LeafIndex removed) {
    if (removed >= g_.tree_.leaf_count() || g_.tree_.leaf(removed) == nullptr) {
      return group_detail::Invalid("a Remove of a blank leaf");
    }
    if (removed == committer_) return group_detail::Invalid("a Commit cannot remove its committer");
    if (Touched(removed)) return group_detail::Invalid("a second Update or Remove for one leaf");
    removes_.push_back(removed);
    any_other_ = true;
    return OkStatus();
  }

  Status AdmitPsk(const PreSharedKeyId& id) {
    if (id.psk_nonce.size() != g_.suite_.hash_bytes()) {
      return group_detail::Invalid("a PSK nonce must be as long as the hash output");
    }
    for (const PreSharedKeyId& other : psks_) {
      if (group_detail::SamePsk(other, id))
        return group_detail::Invalid("a PSK named twice in one Commit");
    }
    if (id.type == PskType::kResumption && id.usage != ResumptionPskUsage::kApplication) {
      return group_detail::Invalid("resumption PSKs for ReInit or branching are not supported");
    }
    if (g_.FindPsk(id) == nullptr) {
      return group_detail::Invalid(
          id.type == PskType::kExternal
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

}  // namespace qfs::mls

#endif  // QFS_MLS_GROUP_INTERNAL_H_
