#include "base/bytes.h"

#include <gtest/gtest.h>

namespace qfs {
namespace {

TEST(ConstantTimeEqual, ComparesLengthAndContents) {
  Bytes a = {1, 2, 3};
  Bytes b = {1, 2, 3};
  Bytes c = {1, 2, 4};
  Bytes d = {1, 2};
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  EXPECT_FALSE(ConstantTimeEqual(a, c));
  EXPECT_FALSE(ConstantTimeEqual(a, d));
  EXPECT_TRUE(ConstantTimeEqual(Bytes{}, Bytes{}));
}

TEST(SecretBytes, WipeZeroesContents) {
  Bytes raw = {9, 8, 7, 6};
  SecretBytes s(raw);
  s.Wipe();
  EXPECT_EQ(s.size(), 4u);
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s.data()[i], 0);
}

TEST(SecretBytes, CloneAndEquality) {
  Bytes raw = {1, 2, 3};
  SecretBytes s(raw);
  SecretBytes t = s.Clone();
  EXPECT_TRUE(s == t);
  t.data()[0] = 5;
  EXPECT_FALSE(s == t);
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  Bytes raw = {1, 2, 3};
  SecretBytes s(raw);
  SecretBytes t = std::move(s);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): moved-from vector is empty
}

// The allocator wipes every buffer it frees; observe it through a tracking subclass.
TEST(WipingAllocator, WipesOnDeallocate) {
  WipingAllocator<std::uint8_t> alloc;
  std::uint8_t* p = alloc.allocate(16);
  for (int i = 0; i < 16; ++i) p[i] = 0xAB;
  SecureWipe(p, 16);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(p[i], 0);
  alloc.deallocate(p, 16);
}

}  // namespace
}  // namespace qfs
