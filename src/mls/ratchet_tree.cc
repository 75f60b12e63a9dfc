#include "mls/ratchet_tree.h"

#include <algorithm>
#include <string>

#include "base/check.h"

namespace qfs::mls {
namespace {

constexpr std::uint8_t kNodeTypeLeaf = 1;
constexpr std::uint8_t kNodeTypeParent = 2;

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

void PutCredential(TlsWriter& w, const Credential& c) {
  w.U16(c.type);
  if (c.type == kCredentialBasic) {
    w.Opaque(c.identity);
  } else {
    w.Vector([&](TlsWriter& certs) {
      for (const Bytes& cert : c.certificates) certs.Opaque(cert);
    });
  }
}

Result<Credential> GetCredential(TlsReader& r) {
  Credential c;
  QFS_ASSIGN_OR_RETURN(c.type, r.U16());
  if (c.type == kCredentialBasic) {
    QFS_ASSIGN_OR_RETURN(c.identity, r.Opaque());
  } else if (c.type == kCredentialX509) {
    QFS_ASSIGN_OR_RETURN(TlsReader certs, r.Vector());
    while (!certs.empty()) {
      QFS_ASSIGN_OR_RETURN(Bytes cert, certs.Opaque());
      c.certificates.push_back(std::move(cert));
    }
  } else {
    return Invalid("credential type " + std::to_string(c.type) + " is not supported");
  }
  return c;
}

void PutCapabilities(TlsWriter& w, const Capabilities& c) {
  PutU16Vector(w, c.versions);
  PutU16Vector(w, c.cipher_suites);
  PutU16Vector(w, c.extensions);
  PutU16Vector(w, c.proposals);
  PutU16Vector(w, c.credentials);
}

Result<Capabilities> GetCapabilities(TlsReader& r) {
  Capabilities c;
  QFS_ASSIGN_OR_RETURN(c.versions, GetU16Vector(r));
  QFS_ASSIGN_OR_RETURN(c.cipher_suites, GetU16Vector(r));
  QFS_ASSIGN_OR_RETURN(c.extensions, GetU16Vector(r));
  QFS_ASSIGN_OR_RETURN(c.proposals, GetU16Vector(r));
  QFS_ASSIGN_OR_RETURN(c.credentials, GetU16Vector(r));
  return c;
}

// The fields of a leaf node before its signature: LeafNodeTBS's first part.
void PutLeafContent(TlsWriter& w, const LeafNode& leaf) {
  w.Opaque(leaf.encryption_key);
  w.Opaque(leaf.signature_key);
  PutCredential(w, leaf.credential);
  PutCapabilities(w, leaf.capabilities);
  w.U8(static_cast<std::uint8_t>(leaf.source));
  switch (leaf.source) {
    case LeafNodeSource::kKeyPackage:
      w.U64(leaf.lifetime.not_before);
      w.U64(leaf.lifetime.not_after);
      break;
    case LeafNodeSource::kUpdate:
      break;
    case LeafNodeSource::kCommit:
      w.Opaque(leaf.parent_hash);
      break;
  }
  EncodeExtensions(w, leaf.extensions);
}

void PutParent(TlsWriter& w, const ParentNode& p, const std::vector<LeafIndex>& removed) {
  w.Opaque(p.encryption_key);
  w.Opaque(p.parent_hash);
  w.Vector([&](TlsWriter& list) {
    for (LeafIndex l : p.unmerged_leaves) {
      if (std::find(removed.begin(), removed.end(), l) == removed.end()) list.U32(l);
    }
  });
}

}  // namespace

void EncodeLeafNode(TlsWriter& w, const LeafNode& leaf) {
  PutLeafContent(w, leaf);
  w.Opaque(leaf.signature);
}

Result<LeafNode> DecodeLeafNode(TlsReader& r) {
  LeafNode leaf;
  QFS_ASSIGN_OR_RETURN(leaf.encryption_key, r.Opaque());
  QFS_ASSIGN_OR_RETURN(leaf.signature_key, r.Opaque());
  QFS_ASSIGN_OR_RETURN(leaf.credential, GetCredential(r));
  QFS_ASSIGN_OR_RETURN(leaf.capabilities, GetCapabilities(r));
  QFS_ASSIGN_OR_RETURN(std::uint8_t source, r.U8());
  if (source == static_cast<std::uint8_t>(LeafNodeSource::kKeyPackage)) {
    QFS_ASSIGN_OR_RETURN(leaf.lifetime.not_before, r.U64());
    QFS_ASSIGN_OR_RETURN(leaf.lifetime.not_after, r.U64());
  } else if (source == static_cast<std::uint8_t>(LeafNodeSource::kCommit)) {
    QFS_ASSIGN_OR_RETURN(leaf.parent_hash, r.Opaque());
  } else if (source != static_cast<std::uint8_t>(LeafNodeSource::kUpdate)) {
    return Invalid("leaf node source " + std::to_string(source) + " is not 1, 2 or 3");
  }
  leaf.source = static_cast<LeafNodeSource>(source);
  QFS_ASSIGN_OR_RETURN(leaf.extensions, DecodeExtensions(r));
  QFS_ASSIGN_OR_RETURN(leaf.signature, r.Opaque());
  return leaf;
}

void EncodeParentNode(TlsWriter& w, const ParentNode& parent) { PutParent(w, parent, {}); }

Result<ParentNode> DecodeParentNode(TlsReader& r) {
  ParentNode p;
  QFS_ASSIGN_OR_RETURN(p.encryption_key, r.Opaque());
  QFS_ASSIGN_OR_RETURN(p.parent_hash, r.Opaque());
  QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
  while (!list.empty()) {
    QFS_ASSIGN_OR_RETURN(std::uint32_t leaf, list.U32());
    p.unmerged_leaves.push_back(leaf);
  }
  return p;
}

Bytes LeafNodeTbs(const LeafNode& leaf, ByteSpan group_id, LeafIndex index) {
  TlsWriter w;
  PutLeafContent(w, leaf);
  if (leaf.source != LeafNodeSource::kKeyPackage) {
    w.Opaque(group_id);
    w.U32(index);
  }
  return w.Take();
}

Result<RatchetTree> RatchetTree::Decode(ByteSpan bytes) {
  TlsReader r(bytes);
  QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  RatchetTree tree;
  while (!list.empty()) {
    if (tree.nodes_.size() >= NodeCount(kMlsGroupLeavesMax)) {
      return Status(StatusCode::kTooLarge, "a ratchet tree of more than 65536 leaves");
    }
    QFS_ASSIGN_OR_RETURN(bool present, list.Presence());
    if (!present) {
      tree.nodes_.emplace_back();
      continue;
    }
    const auto index = static_cast<NodeIndex>(tree.nodes_.size());
    QFS_ASSIGN_OR_RETURN(std::uint8_t type, list.U8());
    if (type != (IsLeaf(index) ? kNodeTypeLeaf : kNodeTypeParent)) {
      return Invalid("node " + std::to_string(index) + " has the wrong node type");
    }
    if (type == kNodeTypeLeaf) {
      QFS_ASSIGN_OR_RETURN(LeafNode leaf, DecodeLeafNode(list));
      tree.nodes_.emplace_back(std::move(leaf));
    } else {
      QFS_ASSIGN_OR_RETURN(ParentNode parent, DecodeParentNode(list));
      tree.nodes_.emplace_back(std::move(parent));
    }
  }
  if (tree.nodes_.empty()) return Invalid("a ratchet tree has at least one leaf");
  if (tree.nodes_.size() % 2 == 0) return Invalid("a ratchet tree has an odd number of nodes");
  if (!tree.nodes_.back().has_value()) return Invalid("the last node of a ratchet tree is blank");
  const auto used_leaves = static_cast<std::uint32_t>((tree.nodes_.size() + 1) / 2);
  tree.leaves_ = 1;
  while (tree.leaves_ < used_leaves) tree.leaves_ *= 2;
  tree.nodes_.resize(NodeCount(tree.leaves_));
  for (NodeIndex n = 1; n < tree.nodes_.size(); n += 2) {
    const ParentNode* p = tree.parent(n);
    if (p == nullptr) continue;
    QFS_RETURN_IF_ERROR(tree.CheckUnmergedLeaves(n));
  }
  return tree;
}

Status RatchetTree::CheckUnmergedLeaves(NodeIndex n) const {
  const std::vector<LeafIndex>& unmerged = parent(n)->unmerged_leaves;
  for (std::size_t i = 0; i < unmerged.size(); ++i) {
    const LeafIndex l = unmerged[i];
    const std::string at = "node " + std::to_string(n) + " lists leaf " + std::to_string(l);
    if (l >= leaves_ || !InSubtree(LeafToNode(l), n))
      return Invalid(at + ", which is not below it");
    if (leaf(l) == nullptr) return Invalid(at + ", which is blank");
    if (i > 0 && unmerged[i - 1] >= l) return Invalid(at + " out of increasing order");
    // Section 12.4.3.1 (as revised by mls-protocol#837): every non-blank node between the leaf
    // and `n` lists it too.
    for (NodeIndex between : DirectPath(LeafToNode(l), leaves_)) {
      if (between == n) break;
      const ParentNode* q = parent(between);
      if (q != nullptr &&
          !std::binary_search(q->unmerged_leaves.begin(), q->unmerged_leaves.end(), l)) {
        return Invalid(at + " as unmerged, but node " + std::to_string(between) +
                       " between them does not");
      }
    }
  }
  return OkStatus();
}

Bytes RatchetTree::Encode() const {
  std::size_t used = nodes_.size();
  while (used > 0 && !nodes_[used - 1].has_value()) --used;
  TlsWriter w;
  w.Vector([&](TlsWriter& list) {
    for (std::size_t i = 0; i < used; ++i) {
      list.Optional(nodes_[i].has_value(), [&](TlsWriter& out) {
        if (const auto* leaf = std::get_if<LeafNode>(&*nodes_[i])) {
          out.U8(kNodeTypeLeaf);
          EncodeLeafNode(out, *leaf);
        } else {
          out.U8(kNodeTypeParent);
          EncodeParentNode(out, std::get<ParentNode>(*nodes_[i]));
        }
      });
    }
  });
  return w.Take();
}

const std::optional<Node>& RatchetTree::node(NodeIndex n) const {
  QFS_CHECK(n < nodes_.size());
  return nodes_[n];
}

const LeafNode* RatchetTree::leaf(LeafIndex index) const {
  const std::optional<Node>& n = node(LeafToNode(index));
  return n.has_value() ? &std::get<LeafNode>(*n) : nullptr;
}

const ParentNode* RatchetTree::parent(NodeIndex n) const {
  QFS_CHECK(!IsLeaf(n));
  const std::optional<Node>& p = node(n);
  return p.has_value() ? &std::get<ParentNode>(*p) : nullptr;
}

std::vector<NodeIndex> RatchetTree::Resolution(NodeIndex n) const {
  if (node(n).has_value()) {
    std::vector<NodeIndex> out{n};
    if (!IsLeaf(n)) {
      for (LeafIndex l : parent(n)->unmerged_leaves) out.push_back(LeafToNode(l));
    }
    return out;
  }
  if (IsLeaf(n)) return {};
  std::vector<NodeIndex> out = Resolution(Left(n));
  const std::vector<NodeIndex> right = Resolution(Right(n));
  out.insert(out.end(), right.begin(), right.end());
  return out;
}

Bytes RatchetTree::TreeHash(const CipherSuite& suite, NodeIndex n) const {
  return TreeHashWithout(suite, n, {});
}

Bytes RatchetTree::TreeHashWithout(const CipherSuite& suite, NodeIndex n,
                                   const std::vector<LeafIndex>& removed) const {
  TlsWriter w;
  if (IsLeaf(n)) {
    const LeafIndex index = NodeToLeaf(n);
    const bool gone = std::find(removed.begin(), removed.end(), index) != removed.end();
    const LeafNode* l = gone ? nullptr : leaf(index);
    w.U8(kNodeTypeLeaf);
    w.U32(index);
    w.Optional(l != nullptr, [&](TlsWriter& out) { EncodeLeafNode(out, *l); });
  } else {
    const ParentNode* p = parent(n);
    w.U8(kNodeTypeParent);
    w.Optional(p != nullptr, [&](TlsWriter& out) { PutParent(out, *p, removed); });
    w.Opaque(TreeHashWithout(suite, Left(n), removed));
    w.Opaque(TreeHashWithout(suite, Right(n), removed));
  }
  return suite.Hash(w.bytes());
}

Bytes RatchetTree::ParentHash(const CipherSuite& suite, NodeIndex n, NodeIndex sibling) const {
  const ParentNode* p = parent(n);
  QFS_CHECK(p != nullptr);
  TlsWriter w;
  w.Opaque(p->encryption_key);
  w.Opaque(p->parent_hash);
  w.Opaque(TreeHashWithout(suite, sibling, p->unmerged_leaves));
  return suite.Hash(w.bytes());
}

Status RatchetTree::VerifyParentHashes(const CipherSuite& suite) const {
  for (NodeIndex n = 1; n < nodes_.size(); n += 2) {
    const ParentNode* p = parent(n);
    if (p == nullptr) continue;
    bool valid = false;
    for (const auto& [child, sibling] : {std::pair{Left(n), Right(n)}, {Right(n), Left(n)}}) {
      const Bytes want = ParentHash(suite, n, sibling);
      for (NodeIndex d : Resolution(child)) {
        if (IsLeaf(d) && std::find(p->unmerged_leaves.begin(), p->unmerged_leaves.end(),
                                   NodeToLeaf(d)) != p->unmerged_leaves.end()) {
          continue;
        }
        const Bytes* got = nullptr;
        if (IsLeaf(d)) {
          const LeafNode* l = leaf(NodeToLeaf(d));
          if (l->source == LeafNodeSource::kCommit) got = &l->parent_hash;
        } else {
          got = &parent(d)->parent_hash;
        }
        valid = valid || (got != nullptr && *got == want);
      }
    }
    if (!valid) return Invalid("parent node " + std::to_string(n) + " is not parent-hash valid");
  }
  return OkStatus();
}

Status RatchetTree::VerifyLeafSignatures(const CipherSuite& suite, ByteSpan group_id) const {
  for (LeafIndex i = 0; i < leaves_; ++i) {
    const LeafNode* l = leaf(i);
    if (l == nullptr) continue;
    Status s = suite.VerifyWithLabel(l->signature_key, "LeafNodeTBS", LeafNodeTbs(*l, group_id, i),
                                     l->signature);
    if (!s.ok()) {
      return Status(StatusCode::kBadSignature,
                    "leaf " + std::to_string(i) + ": signature does not verify");
    }
  }
  return OkStatus();
}

void RatchetTree::BlankDirectPath(LeafIndex index) {
  QFS_CHECK(index < leaves_);
  for (NodeIndex n : DirectPath(LeafToNode(index), leaves_)) nodes_[n].reset();
}

std::vector<RatchetTree::PathStep> RatchetTree::FilteredDirectPath(LeafIndex index) const {
  QFS_CHECK(index < leaves_);
  std::vector<PathStep> out;
  const std::vector<NodeIndex> path = DirectPath(LeafToNode(index), leaves_);
  const std::vector<NodeIndex> copath = Copath(LeafToNode(index), leaves_);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!Resolution(copath[i]).empty()) out.push_back({path[i], copath[i]});
  }
  return out;
}

void RatchetTree::SetLeaf(LeafIndex index, LeafNode leaf_node) {
  QFS_CHECK(index < leaves_);
  nodes_[LeafToNode(index)] = Node(std::move(leaf_node));
}

void RatchetTree::SetParent(NodeIndex n, ParentNode parent_node) {
  QFS_CHECK(n < nodes_.size() && !IsLeaf(n));
  nodes_[n] = Node(std::move(parent_node));
}

Result<LeafIndex> RatchetTree::Add(LeafNode leaf_node) {
  LeafIndex index = 0;
  while (index < leaves_ && leaf(index) != nullptr) ++index;
  if (index == leaves_) {
    const std::uint32_t grown = leaves_ == 0 ? 1 : 2 * leaves_;
    if (grown > kMlsGroupLeavesMax) {
      return Status(StatusCode::kTooLarge, "the ratchet tree is full (65536 leaves)");
    }
    leaves_ = grown;
    nodes_.resize(NodeCount(leaves_));
  }
  nodes_[LeafToNode(index)] = Node(std::move(leaf_node));
  for (NodeIndex n : DirectPath(LeafToNode(index), leaves_)) {
    if (!nodes_[n].has_value()) continue;
    std::vector<LeafIndex>& unmerged = std::get<ParentNode>(*nodes_[n]).unmerged_leaves;
    unmerged.insert(std::lower_bound(unmerged.begin(), unmerged.end(), index), index);
  }
  return index;
}

Status RatchetTree::Update(LeafIndex index, LeafNode leaf_node) {
  if (index >= leaves_ || leaf(index) == nullptr) {
    return Invalid("update of leaf " + std::to_string(index) + ", which is blank");
  }
  nodes_[LeafToNode(index)] = Node(std::move(leaf_node));
  BlankDirectPath(index);
  return OkStatus();
}

Status RatchetTree::Remove(LeafIndex index) {
  if (index >= leaves_ || leaf(index) == nullptr) {
    return Invalid("removal of leaf " + std::to_string(index) + ", which is blank");
  }
  nodes_[LeafToNode(index)].reset();
  BlankDirectPath(index);
  while (leaves_ > 1) {
    bool right_half_blank = true;
    for (LeafIndex l = leaves_ / 2; l < leaves_ && right_half_blank; ++l) {
      right_half_blank = leaf(l) == nullptr;
    }
    if (!right_half_blank) break;
    leaves_ /= 2;
    nodes_.resize(NodeCount(leaves_));
  }
  return OkStatus();
}

}  // namespace qfs::mls
