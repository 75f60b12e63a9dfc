// The ratchet tree (RFC 9420 section 7): leaf and parent nodes and their wire encodings, the
// `ratchet_tree` extension's encoding of a whole tree (12.4.3.3), tree hashes (7.8), resolutions
// (4.1.1), parent hashes and their verification (7.9), leaf signatures (7.2), and the tree
// changes that Add, Update and Remove proposals make (12.1.1-12.1.3).
//
//   QFS_ASSIGN_OR_RETURN(RatchetTree tree, RatchetTree::Decode(extension_bytes));
//   QFS_RETURN_IF_ERROR(tree.VerifyParentHashes(suite));
//   QFS_RETURN_IF_ERROR(tree.VerifyLeafSignatures(suite, group_id));
//   Bytes root_hash = tree.TreeHash(suite, Root(tree.leaf_count()));
//
// Decoding checks the structure (node types at the right positions, a non-blank last node,
// unmerged leaves that are non-blank leaves inside their parent's subtree, sorted, and listed
// by every non-blank node between leaf and parent, at most kMlsGroupLeavesMax leaves); the
// cryptographic checks are separate calls, as a joiner runs them in order.
#ifndef QFS_MLS_RATCHET_TREE_H_
#define QFS_MLS_RATCHET_TREE_H_

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "mls/cipher_suite.h"
#include "mls/key_schedule.h"
#include "mls/tls_codec.h"
#include "mls/tree_math.h"

namespace qfs::mls {

inline constexpr std::uint16_t kCredentialBasic = 1;
inline constexpr std::uint16_t kCredentialX509 = 2;

struct Credential {
  std::uint16_t type = kCredentialBasic;
  Bytes identity;                   // basic
  std::vector<Bytes> certificates;  // x509, DER each
  bool operator==(const Credential&) const = default;
};

struct Capabilities {
  std::vector<std::uint16_t> versions, cipher_suites, extensions, proposals, credentials;
  bool operator==(const Capabilities&) const = default;
};

enum class LeafNodeSource : std::uint8_t { kKeyPackage = 1, kUpdate = 2, kCommit = 3 };

struct Lifetime {
  std::uint64_t not_before = 0, not_after = 0;
  bool operator==(const Lifetime&) const = default;
};

struct LeafNode {
  Bytes encryption_key;  // HPKE public key
  Bytes signature_key;
  Credential credential;
  Capabilities capabilities;
  LeafNodeSource source = LeafNodeSource::kKeyPackage;
  Lifetime lifetime;  // source key_package only
  Bytes parent_hash;  // source commit only
  std::vector<Extension> extensions;
  Bytes signature;
  bool operator==(const LeafNode&) const = default;
};

struct ParentNode {
  Bytes encryption_key;
  Bytes parent_hash;
  std::vector<LeafIndex> unmerged_leaves;
  bool operator==(const ParentNode&) const = default;
};

using Node = std::variant<LeafNode, ParentNode>;

void EncodeLeafNode(TlsWriter& w, const LeafNode& leaf);
Result<LeafNode> DecodeLeafNode(TlsReader& r);
void EncodeParentNode(TlsWriter& w, const ParentNode& parent);
Result<ParentNode> DecodeParentNode(TlsReader& r);
// LeafNodeTBS: what a leaf's signature covers. `group_id` and `leaf` count only for leaves
// from an Update or a Commit (a KeyPackage's leaf is signed before it has either).
Bytes LeafNodeTbs(const LeafNode& leaf, ByteSpan group_id, LeafIndex index);

class RatchetTree {
 public:
  RatchetTree() = default;
  // A tree in the `ratchet_tree` extension's encoding: optional<Node> nodes<V>, trailing blank
  // nodes left out. Errors: TRUNCATED / NON_CANONICAL / TRAILING_BYTES from the codec,
  // INVALID_ARGUMENT for a structure RFC 9420 forbids (saying which), TOO_LARGE.
  static Result<RatchetTree> Decode(ByteSpan bytes);
  // The same encoding (trailing blanks left out).
  Bytes Encode() const;

  std::uint32_t leaf_count() const { return leaves_; }
  const std::optional<Node>& node(NodeIndex n) const;
  const LeafNode* leaf(LeafIndex leaf) const;   // nullptr if blank
  const ParentNode* parent(NodeIndex n) const;  // nullptr if blank

  // The non-blank nodes that stand for `n`'s subtree (section 4.1.1), in order.
  std::vector<NodeIndex> Resolution(NodeIndex n) const;
  // The tree hash of the subtree at `n` (section 7.8).
  Bytes TreeHash(const CipherSuite& suite, NodeIndex n) const;
  // The parent hash a child links to when `parent`'s other child is `sibling` (section 7.9).
  Bytes ParentHash(const CipherSuite& suite, NodeIndex parent, NodeIndex sibling) const;
  // Section 7.9.2: every non-blank parent is parent-hash valid, i.e. some node in the
  // resolution of one child (its unmerged leaves left out) carries the parent hash of the
  // parent with the other child as sibling. INVALID_ARGUMENT names the first that is not.
  Status VerifyParentHashes(const CipherSuite& suite) const;
  // Every non-blank leaf's signature over its LeafNodeTBS. BAD_SIGNATURE names the leaf.
  Status VerifyLeafSignatures(const CipherSuite& suite, ByteSpan group_id) const;

  // The tree changes of proposals (section 12.1). Add puts the leaf in the leftmost blank leaf
  // (growing the tree if there is none) and lists it as unmerged in the non-blank parents above
  // it; Update replaces a leaf and blanks its direct path; Remove blanks a leaf and its direct
  // path, then truncates the tree to the smallest one holding the rightmost non-blank leaf.
  // Update and Remove require a non-blank leaf (INVALID_ARGUMENT otherwise); Add, room
  // (TOO_LARGE beyond kMlsGroupLeavesMax).
  Result<LeafIndex> Add(LeafNode leaf);
  Status Update(LeafIndex index, LeafNode leaf);
  Status Remove(LeafIndex index);

  // The filtered direct path of a leaf (section 4.1.2) as (parent, its child on the leaf's
  // copath) pairs from the leaf's parent up to the root, leaving out each parent whose copath
  // child has an empty resolution.
  struct PathStep {
    NodeIndex parent = 0;
    NodeIndex copath_child = 0;
  };
  std::vector<PathStep> FilteredDirectPath(LeafIndex index) const;
  // The raw changes TreeKEM makes. REQUIRES: the index is within the tree (checked).
  void SetLeaf(LeafIndex index, LeafNode leaf);
  void SetParent(NodeIndex n, ParentNode parent);
  void BlankDirectPath(LeafIndex index);

 private:
  // Decode's checks of a non-blank parent's unmerged leaves: each a non-blank leaf below it, in
  // increasing order, and listed by every non-blank node between the two.
  Status CheckUnmergedLeaves(NodeIndex n) const;
  // The tree hash with the leaves in `removed` blanked and left out of every unmerged list (the
  // "original sibling tree hash" of section 7.9).
  Bytes TreeHashWithout(const CipherSuite& suite, NodeIndex n,
                        const std::vector<LeafIndex>& removed) const;

  std::uint32_t leaves_ = 0;                // a power of two, or 0
  std::vector<std::optional<Node>> nodes_;  // NodeCount(leaves_) of them
};

}  // namespace qfs::mls

#endif  // QFS_MLS_RATCHET_TREE_H_
