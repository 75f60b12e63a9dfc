#include "mls/treekem.h"

#include <algorithm>
#include <string>
#include <thread>

#include "base/check.h"
#include "base/limits.h"
#include "mls/hpke.h"
#include "mls/tree_math.h"

namespace qfs::mls {
namespace {

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

constexpr std::string_view kPathLabel = "UpdatePathNode";

bool SameBytes(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

const Bytes& PublicKeyOf(const RatchetTree& tree, NodeIndex n) {
  if (IsLeaf(n)) return tree.leaf(NodeToLeaf(n))->encryption_key;
  return tree.parent(n)->encryption_key;
}

// The resolution of `n` without the leaves the same Commit adds.
std::vector<NodeIndex> ResolutionWithout(const RatchetTree& tree, NodeIndex n,
                                         const std::vector<LeafIndex>& added) {
  std::vector<NodeIndex> out = tree.Resolution(n);
  std::erase_if(out, [&](NodeIndex r) {
    return IsLeaf(r) && std::find(added.begin(), added.end(), NodeToLeaf(r)) != added.end();
  });
  return out;
}

HpkeKeyPair NodeKey(const CipherSuite& suite, const SecretBytes& path_secret) {
  return suite.DeriveHpkeKey(suite.DeriveSecret(path_secret.span(), "node").span());
}

// Sets each filtered-direct-path parent's parent hash, from the root down (each hash covers
// the nodes above it), and returns the one the leaf must carry (section 7.9).
Bytes SetParentHashes(const CipherSuite& suite, RatchetTree& tree,
                      const std::vector<RatchetTree::PathStep>& path) {
  for (std::size_t i = path.size(); i-- > 0;) {
    ParentNode p = *tree.parent(path[i].parent);
    p.parent_hash = i + 1 == path.size()
                        ? Bytes{}
                        : tree.ParentHash(suite, path[i + 1].parent, path[i + 1].copath_child);
    tree.SetParent(path[i].parent, std::move(p));
  }
  return path.empty() ? Bytes{} : tree.ParentHash(suite, path[0].parent, path[0].copath_child);
}

Bytes RootHash(const CipherSuite& suite, const RatchetTree& tree) {
  return tree.TreeHash(suite, Root(tree.leaf_count()));
}

Status CheckSender(const RatchetTree& tree, LeafIndex sender) {
  if (sender >= tree.leaf_count() || tree.leaf(sender) == nullptr) {
    return Invalid("the committer's leaf " + std::to_string(sender) +
                   " is blank or outside the tree");
  }
  return OkStatus();
}

// One path secret sealed to one node of a copath resolution.
struct Seal {
  std::size_t step = 0;  // into the filtered direct path
  const Bytes* public_key = nullptr;
  SecretBytes ephemeral_ikm;  // drawn in order from the caller's random source
  Result<HpkeCiphertext> out = Status(StatusCode::kInternal, "not sealed");
};

// Seals are independent: a large group's path (a thousand of them after a burst of Adds, ~75 us
// each) is sealed on up to kMlsSealThreadsMax threads; small ones on the caller's.
constexpr std::size_t kSealsPerThreadMin = 16;

void SealAll(const CipherSuite& suite, ByteSpan context, const std::vector<SecretBytes>& secrets,
             std::vector<Seal>& seals) {
  const auto seal_range = [&](std::size_t begin, std::size_t step) {
    for (std::size_t k = begin; k < seals.size(); k += step) {
      Seal& s = seals[k];
      s.out = suite.EncryptWithLabel(*s.public_key, kPathLabel, context, secrets[s.step].span(),
                                     s.ephemeral_ikm.span());
    }
  };
  const auto threads = static_cast<unsigned>(
      std::min<std::size_t>({std::max(1u, std::thread::hardware_concurrency()), kMlsSealThreadsMax,
                             std::max<std::size_t>(1, seals.size() / kSealsPerThreadMin)}));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(seal_range, t, threads);
  seal_range(0, threads);
  for (std::thread& th : pool) th.join();
}

}  // namespace

void EncodeUpdatePath(TlsWriter& w, const UpdatePath& path) {
  EncodeLeafNode(w, path.leaf_node);
  w.Vector([&](TlsWriter& nodes) {
    for (const UpdatePathNode& n : path.nodes) {
      nodes.Opaque(n.encryption_key);
      nodes.Vector([&](TlsWriter& cts) {
        for (const HpkeCiphertext& ct : n.encrypted_path_secret) {
          cts.Opaque(ct.kem_output);
          cts.Opaque(ct.ciphertext);
        }
      });
    }
  });
}

Result<UpdatePath> DecodeUpdatePath(TlsReader& r) {
  UpdatePath path;
  QFS_ASSIGN_OR_RETURN(path.leaf_node, DecodeLeafNode(r));
  if (path.leaf_node.source != LeafNodeSource::kCommit) {
    return Invalid("an UpdatePath's leaf node must have source commit");
  }
  QFS_ASSIGN_OR_RETURN(TlsReader nodes, r.Vector());
  while (!nodes.empty()) {
    if (path.nodes.size() >= 32) return Invalid("an UpdatePath has at most 32 nodes");
    UpdatePathNode n;
    QFS_ASSIGN_OR_RETURN(n.encryption_key, nodes.Opaque(kHpkeFieldBytesMax));
    QFS_ASSIGN_OR_RETURN(TlsReader cts, nodes.Vector());
    while (!cts.empty()) {
      if (n.encrypted_path_secret.size() >= kMlsGroupLeavesMax) {
        return Invalid("an UpdatePath node has more ciphertexts than the group has members");
      }
      HpkeCiphertext ct;
      QFS_ASSIGN_OR_RETURN(ct.kem_output, cts.Opaque(kHpkeFieldBytesMax));
      QFS_ASSIGN_OR_RETURN(ct.ciphertext, cts.Opaque(kHpkeFieldBytesMax));
      n.encrypted_path_secret.push_back(std::move(ct));
    }
    path.nodes.push_back(std::move(n));
  }
  return path;
}

// --- TreePrivateKey ----------------------------------------------------------------------------
void TreePrivateKey::SetPathSecret(NodeIndex n, SecretBytes path_secret) {
  QFS_CHECK(!IsLeaf(n));
  path_secrets_.insert_or_assign(n, std::move(path_secret));
}

const SecretBytes* TreePrivateKey::path_secret(NodeIndex n) const {
  auto it = path_secrets_.find(n);
  return it == path_secrets_.end() ? nullptr : &it->second;
}

std::optional<SecretBytes> TreePrivateKey::PrivateKeyFor(const CipherSuite& suite,
                                                         NodeIndex n) const {
  if (n == LeafToNode(leaf_)) return leaf_key_.Clone();
  const SecretBytes* secret = path_secret(n);
  if (secret == nullptr) return std::nullopt;
  return NodeKey(suite, *secret).private_key;
}

Status TreePrivateKey::CheckAgainst(const CipherSuite& suite, const RatchetTree& tree) const {
  if (leaf_ >= tree.leaf_count() || tree.leaf(leaf_) == nullptr) {
    return Invalid("the private key's leaf " + std::to_string(leaf_) + " is blank in the tree");
  }
  Result<Bytes> leaf_public = HpkePublicKey(leaf_key_.span());
  if (!leaf_public.ok() || !SameBytes(leaf_public.value(), tree.leaf(leaf_)->encryption_key)) {
    return Invalid("the leaf's private key does not match leaf " + std::to_string(leaf_));
  }
  for (const auto& [n, secret] : path_secrets_) {
    const std::string name = "node " + std::to_string(n);
    if (n >= NodeCount(tree.leaf_count()) || !InSubtree(LeafToNode(leaf_), n)) {
      return Invalid(name + " is not above the private key's leaf");
    }
    if (tree.parent(n) == nullptr) return Invalid(name + " is blank in the tree");
    if (!SameBytes(NodeKey(suite, secret).public_key, tree.parent(n)->encryption_key)) {
      return Invalid(name + ": the path secret's key is not the tree's");
    }
  }
  return OkStatus();
}

void TreePrivateKey::Prune(const RatchetTree& tree) {
  std::erase_if(path_secrets_, [&](const auto& entry) {
    return entry.first >= NodeCount(tree.leaf_count()) || tree.parent(entry.first) == nullptr;
  });
}

TreePrivateKey TreePrivateKey::Clone() const {
  TreePrivateKey copy(leaf_, leaf_key_.Clone());
  for (const auto& [n, secret] : path_secrets_) copy.path_secrets_.emplace(n, secret.Clone());
  return copy;
}

// --- creating ----------------------------------------------------------------------------------
Result<CreatedPath> CreateUpdatePath(const CipherSuite& suite, const RatchetTree& tree,
                                     LeafIndex sender, const SecretBytes& signature_key,
                                     GroupContext context,
                                     const std::vector<LeafIndex>& added_leaves,
                                     crypto::RandomSource& random) {
  QFS_RETURN_IF_ERROR(CheckSender(tree, sender));
  RatchetTree t = tree;
  t.BlankDirectPath(sender);
  const std::vector<RatchetTree::PathStep> path = t.FilteredDirectPath(sender);

  SecretBytes leaf_secret(suite.hash_bytes());
  random.Fill(leaf_secret.mutable_span());
  HpkeKeyPair leaf_key = NodeKey(suite, leaf_secret);
  std::vector<SecretBytes> secrets;
  SecretBytes current = leaf_secret.Clone();
  for (const RatchetTree::PathStep& step : path) {
    current = suite.DeriveSecret(current.span(), "path");
    t.SetParent(step.parent, ParentNode{NodeKey(suite, current).public_key, {}, {}});
    secrets.push_back(current.Clone());
  }
  SecretBytes commit_secret = suite.DeriveSecret(current.span(), "path");

  LeafNode leaf = *tree.leaf(sender);
  leaf.encryption_key = leaf_key.public_key;
  leaf.source = LeafNodeSource::kCommit;
  leaf.lifetime = {};
  leaf.parent_hash = SetParentHashes(suite, t, path);
  QFS_ASSIGN_OR_RETURN(leaf.signature,
                       suite.SignWithLabel(signature_key, "LeafNodeTBS",
                                           LeafNodeTbs(leaf, context.group_id, sender)));
  t.SetLeaf(sender, leaf);

  context.tree_hash = RootHash(suite, t);
  const Bytes encoded_context = EncodeGroupContext(context);
  CreatedPath out{UpdatePath{std::move(leaf), {}}, std::move(t),
                  TreePrivateKey(sender, std::move(leaf_key.private_key)),
                  std::move(commit_secret)};
  std::vector<Seal> seals;
  for (std::size_t i = 0; i < path.size(); ++i) {
    for (NodeIndex r : ResolutionWithout(tree, path[i].copath_child, added_leaves)) {
      seals.push_back(Seal{i, &PublicKeyOf(tree, r), crypto::RandomSecret(random, kHpkeKeyBytes)});
    }
  }
  SealAll(suite, encoded_context, secrets, seals);
  std::size_t next = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    UpdatePathNode node{out.tree.parent(path[i].parent)->encryption_key, {}};
    for (; next < seals.size() && seals[next].step == i; ++next) {
      if (!seals[next].out.ok()) return seals[next].out.status();
      node.encrypted_path_secret.push_back(std::move(seals[next].out).value());
    }
    out.path.nodes.push_back(std::move(node));
    out.private_key.SetPathSecret(path[i].parent, std::move(secrets[i]));
  }
  return out;
}

// --- processing --------------------------------------------------------------------------------
namespace {

// MergeUpdatePath, keeping the committer's filtered direct path it checked the path against.
struct Merged {
  RatchetTree tree;
  std::vector<RatchetTree::PathStep> steps;
};

Result<Merged> Merge(const CipherSuite& suite, const RatchetTree& tree, LeafIndex sender,
                     const UpdatePath& path, ByteSpan group_id) {
  QFS_RETURN_IF_ERROR(CheckSender(tree, sender));
  const LeafNode& leaf = path.leaf_node;
  if (leaf.source != LeafNodeSource::kCommit) {
    return Invalid("the UpdatePath's leaf node does not have source commit");
  }
  if (SameBytes(leaf.encryption_key, tree.leaf(sender)->encryption_key)) {
    return Invalid("the committer's new leaf encryption key is its current one");
  }
  std::vector<ByteSpan> new_keys{leaf.encryption_key};
  for (const UpdatePathNode& n : path.nodes) new_keys.emplace_back(n.encryption_key);
  for (NodeIndex n = 0; n < NodeCount(tree.leaf_count()); ++n) {
    if (!tree.node(n).has_value()) continue;
    const Bytes& have = PublicKeyOf(tree, n);
    for (ByteSpan k : new_keys) {
      if (SameBytes(k, have)) {
        return Invalid("a public key of the UpdatePath is already in the tree (node " +
                       std::to_string(n) + ")");
      }
    }
  }
  RatchetTree t = tree;
  t.BlankDirectPath(sender);
  const std::vector<RatchetTree::PathStep> steps = t.FilteredDirectPath(sender);
  if (path.nodes.size() != steps.size()) {
    return Invalid("the UpdatePath has " + std::to_string(path.nodes.size()) +
                   " nodes; the committer's filtered direct path has " +
                   std::to_string(steps.size()));
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    t.SetParent(steps[i].parent, ParentNode{path.nodes[i].encryption_key, {}, {}});
  }
  if (!SameBytes(SetParentHashes(suite, t, steps), leaf.parent_hash)) {
    return Invalid("the UpdatePath is not parent-hash valid (the leaf's parent_hash differs)");
  }
  QFS_RETURN_IF_ERROR(suite.VerifyWithLabel(leaf.signature_key, "LeafNodeTBS",
                                            LeafNodeTbs(leaf, group_id, sender), leaf.signature));
  t.SetLeaf(sender, leaf);
  return Merged{std::move(t), steps};
}

}  // namespace

Result<RatchetTree> MergeUpdatePath(const CipherSuite& suite, const RatchetTree& tree,
                                    LeafIndex sender, const UpdatePath& path, ByteSpan group_id) {
  QFS_ASSIGN_OR_RETURN(Merged merged, Merge(suite, tree, sender, path, group_id));
  return std::move(merged.tree);
}

Result<MergedPath> ProcessUpdatePath(const CipherSuite& suite, const RatchetTree& tree,
                                     LeafIndex sender, const UpdatePath& path, GroupContext context,
                                     const std::vector<LeafIndex>& added_leaves,
                                     const TreePrivateKey& me) {
  if (me.leaf() == sender) return Invalid("a member does not process its own UpdatePath");
  if (std::find(added_leaves.begin(), added_leaves.end(), me.leaf()) != added_leaves.end()) {
    return Invalid("a member added by this Commit learns the path from the Welcome");
  }
  QFS_ASSIGN_OR_RETURN(Merged merged, Merge(suite, tree, sender, path, context.group_id));
  context.tree_hash = RootHash(suite, merged.tree);
  const Bytes encoded_context = EncodeGroupContext(context);
  const std::vector<RatchetTree::PathStep>& steps = merged.steps;
  const NodeIndex mine = LeafToNode(me.leaf());
  std::size_t i = 0;
  while (i < steps.size() && !InSubtree(mine, steps[i].parent)) ++i;
  if (i == steps.size()) return Invalid("the receiver's leaf is not below the committer's path");
  const std::vector<NodeIndex> resolution =
      ResolutionWithout(tree, steps[i].copath_child, added_leaves);
  const std::vector<HpkeCiphertext>& cts = path.nodes[i].encrypted_path_secret;
  if (cts.size() != resolution.size()) {
    return Invalid("UpdatePath node " + std::to_string(i) + " has " + std::to_string(cts.size()) +
                   " ciphertexts for a resolution of " + std::to_string(resolution.size()));
  }
  std::size_t k = 0;
  std::optional<SecretBytes> key;
  for (; k < resolution.size() && !key.has_value(); ++k) {
    if (InSubtree(mine, resolution[k])) key = me.PrivateKeyFor(suite, resolution[k]);
  }
  if (!key.has_value()) return Invalid("no private key for the receiver's copath resolution");
  --k;
  QFS_ASSIGN_OR_RETURN(SecretBytes current,
                       suite.DecryptWithLabel(*key, kPathLabel, encoded_context, cts[k].kem_output,
                                              cts[k].ciphertext));
  if (current.size() != suite.hash_bytes()) return Invalid("a path secret has the wrong size");

  MergedPath out{std::move(merged.tree), me.Clone(), SecretBytes{}, steps[i].parent};
  // The sender's direct path is replaced: its nodes left out of the path are blank now, and
  // those from the common ancestor up get the new secrets below.
  out.private_key.Prune(out.tree);
  for (std::size_t j = i; j < steps.size(); ++j) {
    if (j > i) current = suite.DeriveSecret(current.span(), "path");
    if (!SameBytes(NodeKey(suite, current).public_key, path.nodes[j].encryption_key)) {
      return Invalid("UpdatePath node " + std::to_string(j) +
                     ": the public key does not derive from the path secret");
    }
    out.private_key.SetPathSecret(steps[j].parent, current.Clone());
  }
  out.commit_secret = suite.DeriveSecret(current.span(), "path");
  return out;
}

}  // namespace qfs::mls
