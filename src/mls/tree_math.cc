#include "mls/tree_math.h"

#include <bit>

#include "base/check.h"

namespace qfs::mls {

std::uint32_t Level(NodeIndex node) { return static_cast<std::uint32_t>(std::countr_one(node)); }

std::uint32_t NodeCount(std::uint32_t leaves) {
  QFS_CHECK(leaves <= (1u << 31));
  return leaves == 0 ? 0 : 2 * leaves - 1;
}

NodeIndex Root(std::uint32_t leaves) {
  QFS_CHECK(leaves > 0 && std::has_single_bit(leaves));
  return leaves - 1;
}

NodeIndex Left(NodeIndex node) {
  const std::uint32_t k = Level(node);
  QFS_CHECK(k > 0);
  return node ^ (1u << (k - 1));
}

NodeIndex Right(NodeIndex node) {
  const std::uint32_t k = Level(node);
  QFS_CHECK(k > 0);
  return node ^ (3u << (k - 1));
}

NodeIndex Parent(NodeIndex node, std::uint32_t leaves) {
  QFS_CHECK(node < NodeCount(leaves) && node != Root(leaves));
  const std::uint32_t k = Level(node);
  const std::uint32_t b = (node >> (k + 1)) & 1;
  return (node | (1u << k)) ^ (b << (k + 1));
}

NodeIndex Sibling(NodeIndex node, std::uint32_t leaves) {
  const NodeIndex p = Parent(node, leaves);
  return node < p ? Right(p) : Left(p);
}

std::vector<NodeIndex> DirectPath(NodeIndex node, std::uint32_t leaves) {
  QFS_CHECK(node < NodeCount(leaves));
  std::vector<NodeIndex> path;
  const NodeIndex root = Root(leaves);
  while (node != root) {
    node = Parent(node, leaves);
    path.push_back(node);
  }
  return path;
}

std::vector<NodeIndex> Copath(NodeIndex node, std::uint32_t leaves) {
  QFS_CHECK(node < NodeCount(leaves));
  std::vector<NodeIndex> copath;
  const NodeIndex root = Root(leaves);
  while (node != root) {
    copath.push_back(Sibling(node, leaves));
    node = Parent(node, leaves);
  }
  return copath;
}

bool InSubtree(NodeIndex node, NodeIndex ancestor) {
  const std::uint32_t k = Level(ancestor);
  return (node >> (k + 1)) == (ancestor >> (k + 1)) && Level(node) <= k;
}

NodeIndex CommonAncestor(NodeIndex a, NodeIndex b) {
  if (InSubtree(a, b)) return b;
  if (InSubtree(b, a)) return a;
  // Drop low bits until both lie in one block of 2^k nodes; its middle is their ancestor.
  std::uint32_t k = 0;
  while (a != b) {
    a >>= 1;
    b >>= 1;
    ++k;
  }
  return (a << k) + (1u << (k - 1)) - 1;
}

}  // namespace qfs::mls
