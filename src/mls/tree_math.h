// Tree arithmetic for MLS's left-balanced binary trees in array form (RFC 9420 section 4.2 and
// appendix C). Leaves sit at even node indices (leaf i is node 2i), parents at odd ones; a
// tree of n leaves (n a power of two) has 2n - 1 nodes and its root at node n - 1.
//
// Every function takes node indices valid for the tree (QFS_CHECK otherwise): callers check
// indices that come from the network against NodeCount first.
#ifndef QFS_MLS_TREE_MATH_H_
#define QFS_MLS_TREE_MATH_H_

#include <cstdint>
#include <vector>

namespace qfs::mls {

using NodeIndex = std::uint32_t;
using LeafIndex = std::uint32_t;

inline NodeIndex LeafToNode(LeafIndex leaf) { return 2 * leaf; }
inline LeafIndex NodeToLeaf(NodeIndex node) { return node / 2; }
inline bool IsLeaf(NodeIndex node) { return node % 2 == 0; }

// The level of a node: 0 for leaves, k for a parent of subtrees of 2^(k-1) leaves each.
std::uint32_t Level(NodeIndex node);
// Nodes in a tree of `leaves` leaves (a power of two, or 0): 2 * leaves - 1.
std::uint32_t NodeCount(std::uint32_t leaves);
// The root of a tree with `leaves` (> 0) leaves.
NodeIndex Root(std::uint32_t leaves);
// The children of a parent node (Level > 0).
NodeIndex Left(NodeIndex node);
NodeIndex Right(NodeIndex node);
// The parent and sibling of a non-root node of a tree with `leaves` leaves.
NodeIndex Parent(NodeIndex node, std::uint32_t leaves);
NodeIndex Sibling(NodeIndex node, std::uint32_t leaves);
// The parents from the node's parent up to and including the root (empty for the root).
std::vector<NodeIndex> DirectPath(NodeIndex node, std::uint32_t leaves);
// The sibling of each node on the path from `node` up to (not including) the root.
std::vector<NodeIndex> Copath(NodeIndex node, std::uint32_t leaves);
// The lowest node whose subtree holds both nodes.
NodeIndex CommonAncestor(NodeIndex a, NodeIndex b);
// True iff `node` is in the subtree rooted at `ancestor` (a node is in its own subtree).
bool InSubtree(NodeIndex node, NodeIndex ancestor);

}  // namespace qfs::mls

#endif  // QFS_MLS_TREE_MATH_H_
