#include "base/bytes.h"

#include <gtest/gtest.h>

#include <array>
#include <compare>
#include <cstring>
#include <random>

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

// Every sign memcmp gives, over arrays that differ in each position of each word and the tail.
template <std::size_t N>
void ExpectMemcmpOrder() {
  std::mt19937_64 rng(N);
  for (int round = 0; round < 2000; ++round) {
    std::array<std::uint8_t, N> a{}, b{};
    for (auto& x : a) x = static_cast<std::uint8_t>(rng());
    b = a;
    const std::size_t at = rng() % N;
    b[at] = static_cast<std::uint8_t>(rng());
    if (round % 3 == 0 && at + 1 < N) b[at + 1] ^= 0x80;  // a later byte must not decide
    const int expected = std::memcmp(a.data(), b.data(), N);
    const std::strong_ordering got = CompareFixedBytes(a, b);
    EXPECT_EQ(expected < 0, std::is_lt(got)) << "round " << round;
    EXPECT_EQ(expected == 0, std::is_eq(got)) << "round " << round;
    EXPECT_EQ(expected > 0, std::is_gt(got)) << "round " << round;
  }
}

TEST(CompareFixedBytes, GivesMemcmpOrder) {
  ExpectMemcmpOrder<1>();
  ExpectMemcmpOrder<16>();
  ExpectMemcmpOrder<20>();
  ExpectMemcmpOrder<32>();
  std::array<std::uint8_t, 20> low{}, high{};
  high[0] = 0x01;
  low[19] = 0xff;  // the first byte decides, whatever follows
  EXPECT_TRUE(std::is_lt(CompareFixedBytes(low, high)));
  EXPECT_TRUE(std::is_gt(CompareFixedBytes(high, low)));
  EXPECT_TRUE(std::is_eq(CompareFixedBytes(low, low)));
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
