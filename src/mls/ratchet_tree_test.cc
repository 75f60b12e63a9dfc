#include "mls/ratchet_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/text_encoding.h"
#include "codec/json.h"

namespace qfs::mls {
namespace {

// The first suite-1 case of tree-validation.json with at least `min_leaves` leaves and a parent.
struct Case {
  Bytes tree;
  Bytes group_id;
};
Case ValidationCase(std::uint32_t min_leaves) {
  std::ifstream in(std::string(QFS_VECTORS_DIR) + "/mls/tree-validation.json");
  std::stringstream text;
  text << in.rdbuf();
  for (const codec::Json& c : codec::Json::parse(text.str())) {
    if (c["cipher_suite"] != 1) continue;
    Case out{HexDecode(c["tree"].get<std::string>()).value(),
             HexDecode(c["group_id"].get<std::string>()).value()};
    const RatchetTree t = RatchetTree::Decode(out.tree).value();
    bool has_parent = false;
    for (NodeIndex n = 1; n < NodeCount(t.leaf_count()); n += 2) {
      has_parent |= t.parent(n) != nullptr;
    }
    if (t.leaf_count() >= min_leaves && has_parent) return out;
  }
  ADD_FAILURE() << "no such case";
  return {};
}

const CipherSuite& Suite1() {
  static const CipherSuite suite = CipherSuite::Find(1).value();
  return suite;
}

TEST(RatchetTreeTest, DecodesAndEncodesTheExtensionByteForByte) {
  const Case c = ValidationCase(4);
  const RatchetTree tree = RatchetTree::Decode(c.tree).value();
  EXPECT_EQ(tree.Encode(), c.tree);
  EXPECT_TRUE(tree.VerifyParentHashes(Suite1()).ok());
  EXPECT_TRUE(tree.VerifyLeafSignatures(Suite1(), c.group_id).ok());
}

// Flips the first bit of `part` where it first occurs in `bytes`.
Bytes FlipIn(Bytes bytes, const Bytes& part) {
  auto at = std::search(bytes.begin(), bytes.end(), part.begin(), part.end());
  EXPECT_NE(at, bytes.end());
  if (at != bytes.end()) *at ^= 1;
  return bytes;
}

TEST(RatchetTreeTest, ATamperedParentOrSignatureIsFound) {
  const Case c = ValidationCase(4);
  const RatchetTree tree = RatchetTree::Decode(c.tree).value();
  std::size_t parents = 0;
  for (NodeIndex n = 1; n < NodeCount(tree.leaf_count()); n += 2) {
    if (tree.parent(n) == nullptr) continue;
    ++parents;
    // The child's parent hash covers the parent's encryption key.
    const RatchetTree bad =
        RatchetTree::Decode(FlipIn(c.tree, tree.parent(n)->encryption_key)).value();
    const Status s = bad.VerifyParentHashes(Suite1());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "node " << n;
    EXPECT_NE(s.message().find("parent node"), std::string::npos) << s.message();
  }
  EXPECT_GT(parents, 0u);
  const LeafNode* leaf = tree.leaf(0);
  ASSERT_NE(leaf, nullptr);
  const Status s = RatchetTree::Decode(FlipIn(c.tree, leaf->signature))
                       .value()
                       .VerifyLeafSignatures(Suite1(), c.group_id);
  EXPECT_EQ(s.code(), StatusCode::kBadSignature);
  EXPECT_NE(s.message().find("leaf 0"), std::string::npos) << s.message();
  Bytes other_group = c.group_id;
  other_group[0] ^= 1;  // leaves from commits and updates are bound to their group
  bool bound = false;
  for (LeafIndex i = 0; i < tree.leaf_count(); ++i) {
    bound |= tree.leaf(i) != nullptr && tree.leaf(i)->source != LeafNodeSource::kKeyPackage;
  }
  if (bound) {
    EXPECT_FALSE(tree.VerifyLeafSignatures(Suite1(), other_group).ok());
  }
}

TEST(RatchetTreeTest, StructuresTheRfcForbidsAreRefused) {
  const auto wrap = [](const std::vector<Bytes>& items) {
    TlsWriter w;
    w.Vector([&](TlsWriter& v) {
      for (const Bytes& b : items) v.Raw(b);
    });
    return w.Take();
  };
  const Bytes blank{0};
  TlsWriter parent;
  parent.U8(1);  // present
  parent.U8(2);  // a parent node where leaf 0 belongs
  EncodeParentNode(parent, ParentNode{Bytes(32, 1), {}, {}});
  EXPECT_EQ(RatchetTree::Decode(wrap({})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RatchetTree::Decode(wrap({blank})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RatchetTree::Decode(wrap({blank, blank})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RatchetTree::Decode(wrap({parent.Take()})).status().code(),
            StatusCode::kInvalidArgument);
  const Case c = ValidationCase(2);
  Bytes truncated = c.tree;
  truncated.pop_back();
  EXPECT_FALSE(RatchetTree::Decode(truncated).ok());
  Bytes longer = c.tree;
  longer.push_back(0);
  EXPECT_EQ(RatchetTree::Decode(longer).status().code(), StatusCode::kTrailingBytes);
}

TEST(RatchetTreeTest, AddUpdateRemoveKeepTheShapeTheRfcGives) {
  RatchetTree tree;
  LeafNode leaf;
  leaf.encryption_key = Bytes(32, 7);
  leaf.signature_key = Bytes(32, 8);
  for (LeafIndex i = 0; i < 3; ++i) EXPECT_EQ(tree.Add(leaf).value(), i);
  EXPECT_EQ(tree.leaf_count(), 4u);
  EXPECT_EQ(tree.Remove(2), OkStatus());
  EXPECT_EQ(tree.leaf_count(), 2u);  // truncated to the smallest tree holding leaf 1
  EXPECT_EQ(tree.Remove(2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.Update(1, leaf), OkStatus());
  EXPECT_EQ(tree.Add(leaf).value(), 2u);  // grows again
  EXPECT_EQ(tree.leaf_count(), 4u);
  EXPECT_EQ(RatchetTree::Decode(tree.Encode()).value().Encode(), tree.Encode());
}

// Section 12.4.3.1: a leaf unmerged at a parent is unmerged at every non-blank node between
// them — but nodes above that parent need not list it (a Commit from the other half of the
// tree resets them; ts-mls 1.6.4 wrongly asks every node on the leaf's direct path).
TEST(RatchetTreeTest, UnmergedLeavesMustBeListedBetweenLeafAndParentOnly) {
  RatchetTree tree;
  for (int i = 0; i < 8; ++i) {
    LeafNode leaf;
    leaf.encryption_key = Bytes(32, static_cast<std::uint8_t>(i + 1));
    ASSERT_TRUE(tree.Add(leaf).ok());
  }
  const auto parent = [](std::uint8_t k, std::vector<LeafIndex> unmerged) {
    return ParentNode{Bytes(32, k), {}, std::move(unmerged)};
  };
  tree.SetParent(3, parent(100, {2}));  // leaf 2 unmerged at node 3 (node 5 blank) ...
  tree.SetParent(7, parent(101, {}));   // ... but not at 7, reset by a later Commit
  tree.SetParent(11, parent(102, {}));
  EXPECT_TRUE(RatchetTree::Decode(tree.Encode()).ok());
  tree.SetParent(5, parent(103, {}));  // now node 5, between leaf 2 and node 3, does not list it
  Result<RatchetTree> bad = RatchetTree::Decode(tree.Encode());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("between"), std::string::npos);
  tree.SetParent(5, parent(103, {2}));
  EXPECT_TRUE(RatchetTree::Decode(tree.Encode()).ok());
  tree.SetParent(3, parent(100, {3, 2}));  // out of order
  tree.SetParent(5, parent(103, {2, 3}));
  EXPECT_EQ(RatchetTree::Decode(tree.Encode()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qfs::mls
