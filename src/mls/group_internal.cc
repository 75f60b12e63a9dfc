#include "mls/group_internal.h"

#include <string>

#include "mls/tree_math.h"

namespace qfs::mls::group_detail {
namespace {

bool Has(const std::vector<std::uint16_t>& list, std::uint16_t v) {
  for (std::uint16_t x : list) {
    if (x == v) return true;
  }
  return false;
}

// The extension types of RFC 9420 (section 17.3) a leaf need not list in its capabilities.
bool DefaultExtension(std::uint16_t type) { return type >= 1 && type <= 5; }
constexpr std::uint16_t kExtensionRequiredCapabilities = 3;

}  // namespace

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

// The external key pair of an epoch (section 8.3): DeriveKeyPair(external_secret).
HpkeKeyPair ExternalKeyPair(const SecretBytes& external_secret) {
  return HpkeDeriveKeyPair(external_secret.span());
}

}  // namespace qfs::mls::group_detail
