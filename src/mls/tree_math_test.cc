#include "mls/tree_math.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace qfs::mls {
namespace {

// The eight-leaf tree of RFC 9420 section 4.2: node 7 is the root; leaf 2 is node 4.
TEST(TreeMath, TheRfcsEightLeafTree) {
  EXPECT_EQ(NodeCount(8), 15u);
  EXPECT_EQ(Root(8), 7u);
  EXPECT_EQ(Level(7), 3u);
  EXPECT_EQ(Left(7), 3u);
  EXPECT_EQ(Right(7), 11u);
  EXPECT_EQ(Parent(4, 8), 5u);
  EXPECT_EQ(Sibling(4, 8), 6u);
  EXPECT_EQ(DirectPath(4, 8), (std::vector<NodeIndex>{5, 3, 7}));
  EXPECT_EQ(Copath(4, 8), (std::vector<NodeIndex>{6, 1, 11}));
  EXPECT_EQ(CommonAncestor(0, 6), 3u);
  EXPECT_EQ(CommonAncestor(2, 12), 7u);
  EXPECT_EQ(CommonAncestor(5, 4), 5u);
  EXPECT_TRUE(InSubtree(4, 3));
  EXPECT_FALSE(InSubtree(8, 3));
}

// Against the definitions: the common ancestor is the lowest node on both direct paths.
TEST(TreeMath, CommonAncestorIsTheLowestSharedNodeOfBothPaths) {
  for (std::uint32_t leaves : {1u, 2u, 4u, 16u, 64u}) {
    for (NodeIndex a = 0; a < NodeCount(leaves); ++a) {
      for (NodeIndex b = 0; b < NodeCount(leaves); ++b) {
        std::vector<NodeIndex> pa = DirectPath(a, leaves), pb = DirectPath(b, leaves);
        pa.insert(pa.begin(), a);
        pb.insert(pb.begin(), b);
        NodeIndex want = Root(leaves);
        for (NodeIndex x : pa) {
          if (std::find(pb.begin(), pb.end(), x) != pb.end()) {
            want = x;
            break;
          }
        }
        ASSERT_EQ(CommonAncestor(a, b), want) << a << " " << b << " of " << leaves;
        for (NodeIndex x : pa) ASSERT_TRUE(InSubtree(a, x));
      }
    }
  }
}

}  // namespace
}  // namespace qfs::mls
