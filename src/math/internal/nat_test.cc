#include "math/internal/nat.h"

#include <gtest/gtest.h>

#include <random>

namespace qfs::math::internal {
namespace {

u128 Make(u64 hi, u64 lo) { return static_cast<u128>(hi) << 64 | lo; }

TEST(Nat, AddSubCarry) {
  Nat<2> a = Nat<2>::FromU128(Make(0, ~u64{0}));
  Nat<2> one = Nat<2>::FromU128(1);
  Nat<2> s = a + one;
  EXPECT_EQ(s.U128At(0), Make(1, 0));
  EXPECT_EQ((s - one).U128At(0), Make(0, ~u64{0}));
}

TEST(Nat, ShiftsRoundTrip) {
  Nat<4> a = Nat<4>::FromU128(Make(0x0123456789abcdefull, 0xfedcba9876543210ull));
  for (int bits : {0, 1, 63, 64, 65, 127}) {
    Nat<4> b = a;
    b.ShiftLeftInPlace(bits);
    b.ShiftRightInPlace(bits);
    EXPECT_EQ(b, a) << bits;
  }
}

// Division checked against u128 arithmetic on random operands, and q*v + r == u on wide ones.
TEST(Nat, DivModMatchesU128) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    u128 u = Make(rng(), rng());
    u128 v = Make(i % 3 == 0 ? 0 : rng() >> (rng() % 64), rng() | 1);
    Nat<2> r;
    Nat<2> q = DivMod(Nat<2>::FromU128(u), Nat<2>::FromU128(v), &r);
    ASSERT_EQ(q.U128At(0), u / v);
    ASSERT_EQ(r.U128At(0), u % v);
  }
}

TEST(Nat, DivModWideIdentity) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 5000; ++i) {
    Nat<6> u;
    Nat<3> v;
    for (auto& w : u.w) w = rng();
    for (auto& w : v.w) w = rng() >> (rng() % 64);
    if (v.IsZero()) continue;
    Nat<3> r;
    Nat<6> q = DivMod(u, v, &r);
    ASSERT_TRUE(r < v);
    Nat<9> back = MulFull(q, v);
    Nat<9> r9 = Resize<9>(r);
    back = back + r9;
    ASSERT_EQ(Resize<6>(back), u);
  }
}

TEST(Nat, IntegerSquareRoot) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    Nat<4> n;
    for (int j = 0; j < 3; ++j) n.w[j] = rng();
    Nat<4> s = ISqrt(n);
    Nat<4> s1 = s + Nat<4>::FromU128(1);
    EXPECT_TRUE(Resize<4>(MulFull(s, s)) <= n);
    EXPECT_TRUE(n < Resize<4>(MulFull(s1, s1)));
  }
  EXPECT_EQ(ISqrt(Nat<2>::FromU128(0)).U128At(0), 0u);
  EXPECT_EQ(ISqrt(Nat<2>::FromU128(1)).U128At(0), 1u);
  EXPECT_EQ(ISqrt(Nat<2>::FromU128(99)).U128At(0), 9u);
  EXPECT_EQ(ISqrt(Nat<2>::FromU128(100)).U128At(0), 10u);
}

}  // namespace
}  // namespace qfs::math::internal
