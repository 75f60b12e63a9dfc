// Algebraic properties of CertifiedMath, checked by RapidCheck on random inputs (10,000 cases
// per property under ctest: RC_PARAMS sets max_success and a fixed seed).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "math/fixed.h"
#include "math/functions.h"
#include "math/internal/nat.h"

namespace qfs::math {
namespace {

using internal::Nat;

// A raw value with a random number of significant bits, so small and large magnitudes both
// appear often.
rc::Gen<u128> RawWithBits(int bits_max) {
  return rc::gen::apply(
      [bits_max](std::uint64_t hi, std::uint64_t lo, int bits) {
        u128 v = static_cast<u128>(hi) << 64 | lo;
        int keep = bits % (bits_max + 1);
        return keep == 0 ? static_cast<u128>(0) : (keep >= 128 ? v : v >> (128 - keep));
      },
      rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint64_t>(),
      rc::gen::inRange(0, 1 << 20));
}

rc::Gen<UD128x18> AnyUD() { return rc::gen::map(RawWithBits(128), UD128x18::FromRaw); }
rc::Gen<SD128x18> AnySD() {
  return rc::gen::apply(
      [](u128 raw, bool negative) {
        i128 v = static_cast<i128>(raw >> 1);
        return SD128x18::FromRaw(negative ? -v : v);
      },
      RawWithBits(128), rc::gen::arbitrary<bool>());
}
// |x| below `integer_max` (integer part), signed.
rc::Gen<SD128x18> SDBelow(int integer_max) {
  return rc::gen::apply(
      [integer_max](u128 raw, bool negative) {
        i128 v = static_cast<i128>(raw % (static_cast<u128>(integer_max) * kScale));
        return SD128x18::FromRaw(negative ? -v : v);
      },
      RawWithBits(80), rc::gen::arbitrary<bool>());
}

Nat<4> Wide(u128 v) { return internal::Resize<4>(Nat<2>::FromU128(v)); }
Nat<4> Product(u128 a, u128 b) {
  return internal::MulFull(Nat<2>::FromU128(a), Nat<2>::FromU128(b));
}

RC_GTEST_PROP(Properties, AddThenSubIsIdentity, ()) {
  UD128x18 a = *AnyUD();
  UD128x18 b = *AnyUD();
  Result<UD128x18> sum = Add(a, b);
  RC_ASSERT(sum.ok() == (a.raw() <= kU128Max - b.raw()));  // overflow exactly when it must
  if (sum.ok()) RC_ASSERT(Sub(sum.value(), b).value() == a);
  RC_ASSERT(Sub(a, b).ok() == (b <= a));
}

RC_GTEST_PROP(Properties, MulIsTheExactFloorAndCommutes, ()) {
  UD128x18 a = *AnyUD();
  UD128x18 b = *AnyUD();
  Result<UD128x18> m = Mul(a, b);
  RC_ASSERT(Mul(b, a).code() == m.code());
  Nat<4> exact = Product(a.raw(), b.raw());
  Nat<4> scaled_floor = exact;
  scaled_floor.DivSmallInPlace(kScale);
  RC_ASSERT(m.ok() == scaled_floor.ZeroFrom(2));
  if (!m.ok()) return;
  RC_ASSERT(Mul(b, a).value() == m.value());
  // m * 10^18 <= a * b < (m + 1) * 10^18
  RC_ASSERT(Product(m.value().raw(), kScale) <= exact);
  RC_ASSERT(exact < Product(m.value().raw() + 1, kScale) || m.value().raw() == kU128Max);
}

RC_GTEST_PROP(Properties, DivIsTheExactFloor, ()) {
  UD128x18 a = *AnyUD();
  UD128x18 b = *AnyUD();
  RC_PRE(b.raw() != 0);
  Result<UD128x18> q = Div(a, b);
  Nat<4> numerator = Product(a.raw(), kScale);
  if (!q.ok()) {
    RC_ASSERT(q.code() == StatusCode::kOverflow);
    // q >= 2^128: 2^128 * b <= a * 10^18
    Nat<4> bound = Wide(b.raw());
    bound.ShiftLeftInPlace(128);
    RC_ASSERT(bound <= numerator);
    return;
  }
  // q * b <= a * 10^18 < (q + 1) * b
  Nat<4> low = Product(q.value().raw(), b.raw());
  RC_ASSERT(low <= numerator);
  RC_ASSERT(numerator < low + Wide(b.raw()));
}

RC_GTEST_PROP(Properties, SignedMulDivFloorTowardNegativeInfinity, ()) {
  SD128x18 a = *AnySD();
  SD128x18 b = *AnySD();
  Result<SD128x18> m = Mul(a, b);
  Result<SD128x18> m_neg = Mul(Neg(a).ok() ? Neg(a).value() : a, b);
  if (m.ok() && Neg(a).ok() && m_neg.ok() && m.value().raw() != 0) {
    // floor(-t) = -floor(t) - 1 unless t is exactly representable.
    i128 sum = m.value().raw() + m_neg.value().raw();
    RC_ASSERT(sum == 0 || sum == -1);
  }
  RC_PRE(b.raw() != 0);
  Result<SD128x18> q = Div(a, b);
  if (q.ok() && q.value().raw() != 0) {
    RC_ASSERT((q.value().raw() < 0) == ((a.raw() < 0) != (b.raw() < 0)));
  }
}

RC_GTEST_PROP(Properties, ParseFormatRoundTrip, ()) {
  UD128x18 u = *AnyUD();
  RC_ASSERT(UD128x18::Parse(u.ToString()).value() == u);
  SD128x18 s = *AnySD();
  RC_ASSERT(SD128x18::Parse(s.ToString()).value() == s);
}

RC_GTEST_PROP(Properties, SqrtIsTheExactFloor, ()) {
  UD128x18 x = *AnyUD();
  u128 s = Sqrt(x).value().raw();
  Nat<4> target = Product(x.raw(), kScale);
  RC_ASSERT(Product(s, s) <= target);
  RC_ASSERT(target < Product(s + 1, s + 1));
  RC_ASSERT(Pow(x, UD128x18::Parse("0.5").value()).value().raw() == s);
}

RC_GTEST_PROP(Properties, ExpAndLnAreMonotonic, ()) {
  SD128x18 a = *SDBelow(50);
  SD128x18 b = *SDBelow(50);
  if (b < a) std::swap(a, b);
  Result<SD128x18> ea = Exp(a);
  Result<SD128x18> eb = Exp(b);
  if (ea.ok() && eb.ok()) RC_ASSERT(ea.value() <= eb.value());
  if (eb.ok()) RC_ASSERT(ea.ok());  // overflow is monotonic too
  if (a.raw() > 0) {
    RC_ASSERT(Ln(a).value() <= Ln(b).value());
    RC_ASSERT(Sqrt(a).value() <= Sqrt(b).value());
    RC_ASSERT(Log2(a).value() <= Log2(b).value());
  }
}

// With l = floor(ln x): e^l <= x < e^(l + 10^-18), so exp(ln x) <= x <= exp(ln x + 1 ulp).
RC_GTEST_PROP(Properties, ExpOfLnBracketsX, ()) {
  UD128x18 x = UD128x18::FromRaw(*RawWithBits(128));
  RC_PRE(x >= UD128x18::One());
  UD128x18 l = Ln(x).value();
  RC_ASSERT(Exp(l).value() <= x);
  Result<UD128x18> above = Exp(UD128x18::FromRaw(l.raw() + 1));
  RC_ASSERT(!above.ok() || x <= above.value());
}

// With e = floor(exp x) <= e^x: ln(e) <= x.
RC_GTEST_PROP(Properties, LnOfExpIsBelowX, ()) {
  SD128x18 x = *SDBelow(46);
  SD128x18 e = Exp(x).value();
  RC_PRE(e.raw() > 0);
  RC_ASSERT(Ln(e).value() <= x);
}

RC_GTEST_PROP(Properties, LogOfScaledArgumentShiftsByOne, ()) {
  UD128x18 x = UD128x18::FromRaw(*RawWithBits(120) + 1);
  SD128x18 sx = ToSigned(x).value();
  SD128x18 one = SD128x18::One();
  Result<UD128x18> twice = MulInt(x, 2);
  if (twice.ok() && ToSigned(twice.value()).ok()) {
    RC_ASSERT(Log2(ToSigned(twice.value()).value()).value() == Add(Log2(sx).value(), one).value());
  }
  Result<UD128x18> ten_times = MulInt(x, 10);
  if (ten_times.ok() && ToSigned(ten_times.value()).ok()) {
    RC_ASSERT(Log10(ToSigned(ten_times.value()).value()).value() ==
              Add(Log10(sx).value(), one).value());
  }
}

// For x != 0 the results are never representable exactly, so floor(f(-x)) = -floor(f(x)) - 1.
RC_GTEST_PROP(Properties, OddAndComplementarySymmetry, ()) {
  SD128x18 x = *SDBelow(30);
  RC_PRE(x.raw() != 0);
  SD128x18 minus_x = Neg(x).value();
  RC_ASSERT(Tanh(minus_x).value().raw() == -Tanh(x).value().raw() - 1);
  RC_ASSERT(Erf(minus_x).value().raw() == -Erf(x).value().raw() - 1);
  RC_ASSERT(Sigmoid(x).value().raw() + Sigmoid(minus_x).value().raw() ==
            static_cast<i128>(kScale) - 1);
}

RC_GTEST_PROP(Properties, PowWithSmallIntegerExponentsIsExact, ()) {
  UD128x18 x = UD128x18::FromRaw(*RawWithBits(100));
  UD128x18 one = UD128x18::One();
  RC_ASSERT(Pow(x, one).value() == x);
  Result<UD128x18> square = Mul(x, x);
  Result<UD128x18> pow2 = Pow(x, UD128x18::FromInteger(2).value());
  RC_ASSERT(square.code() == pow2.code());
  if (square.ok()) RC_ASSERT(square.value() == pow2.value());
}

RC_GTEST_PROP(Properties, BoundedFunctionsStayInRange, ()) {
  SD128x18 x = *AnySD();
  SD128x18 one = SD128x18::One();
  SD128x18 minus_one = Neg(one).value();
  for (SD128x18 v : {Tanh(x).value(), Erf(x).value()}) {
    RC_ASSERT(minus_one <= v && v < one);
  }
  SD128x18 s = Sigmoid(x).value();
  RC_ASSERT(SD128x18::Zero() <= s && s < one);
}

}  // namespace
}  // namespace qfs::math
