// The constants of internal/fx.h. Each is computed with one extra limb from series that use only
// small-integer multiplication and division (each step truncates by < 1 ulp of the finer
// precision; a few hundred steps stay far below one ulp of the target), then truncated.
#include "math/internal/fx.h"

namespace qfs::math::internal {
namespace {

// e^(p/q) for 0 <= p/q < 1 by its Taylor series.
template <int G>
Fx<G> ExpRational(u64 p, u64 q) {
  Fx<G> sum = FxFromInt<G>(1);
  Fx<G> term = sum;
  for (u64 n = 1; n < 10000; ++n) {
    term.MulSmallInPlace(p);
    term.DivSmallInPlace(q * n);
    if (term.IsZero()) return sum;
    sum = sum + term;
  }
  QFS_CHECK_MSG(false, "exp series did not converge");
}

// atanh(p/q) = sum (p/q)^(2n+1) / (2n+1), for 0 <= p/q <= 1/3.
template <int G>
Fx<G> AtanhRational(u64 p, u64 q) {
  Fx<G> power = FxFromInt<G>(p);
  power.DivSmallInPlace(q);
  Fx<G> sum = power;
  for (u64 n = 1; n < 10000; ++n) {
    power.MulSmallInPlace(p * p);
    power.DivSmallInPlace(q * q);
    if (power.IsZero()) return sum;
    Fx<G> term = power;
    term.DivSmallInPlace(2 * n + 1);
    sum = sum + term;
  }
  QFS_CHECK_MSG(false, "atanh series did not converge");
}

// atan(1/k) = sum (-1)^n / ((2n+1) k^(2n+1)), for k >= 5.
template <int G>
Fx<G> AtanReciprocal(u64 k) {
  Fx<G> power = FxFromInt<G>(1);
  power.DivSmallInPlace(k);
  Fx<G> sum = power;
  for (u64 n = 1; n < 10000; ++n) {
    power.DivSmallInPlace(k * k);
    if (power.IsZero()) return sum;
    Fx<G> term = power;
    term.DivSmallInPlace(2 * n + 1);
    sum = n % 2 == 1 ? sum - term : sum + term;
  }
  QFS_CHECK_MSG(false, "atan series did not converge");
}

template <int G>
Fx<G> Times(Fx<G> a, u64 m) {
  QFS_CHECK(a.MulSmallInPlace(m) == 0);
  return a;
}

template <int G>
Fx<G> Pi() {
  return Times<G>(AtanReciprocal<G>(5), 16) - Times<G>(AtanReciprocal<G>(239), 4);
}

template <int G>
Fx<G> SqrtFx(const Fx<G>& a) {
  Nat<2 * G + 3> shifted;
  for (int i = 0; i < G + 3; ++i) shifted.w[i + G] = a.w[i];
  return Resize<G + 3>(ISqrt(shifted));
}

template <int F>
Constants<F> Build() {
  constexpr int G = F + 1;
  Constants<F> c;
  Fx<G> ln2 = Times<G>(AtanhRational<G>(1, 3), 2);
  c.ln2 = FxTruncate<F>(ln2);
  c.inv_ln2 = FxTruncate<F>(FxDiv<G>(FxFromInt<G>(1), ln2));
  c.ln10 = FxTruncate<F>(Times<G>(ln2, 3) + Times<G>(AtanhRational<G>(1, 9), 2));
  c.two_over_sqrt_pi = FxTruncate<F>(FxDiv<G>(FxFromInt<G>(2), SqrtFx<G>(Pi<G>())));
  for (int j = 0; j < kExpHiEntries; ++j) c.exp_hi[j] = FxTruncate<F>(ExpRational<G>(j, 64));
  for (int j = 0; j < kExpLoEntries; ++j) c.exp_lo[j] = FxTruncate<F>(ExpRational<G>(j, 4096));
  for (int j = 0; j < kLnEntries; ++j) {
    c.ln_table[j] = FxTruncate<F>(Times<G>(AtanhRational<G>(j, 128 + j), 2));
  }
  Fx<G> factorial_inverse = FxFromInt<G>(1);
  for (std::size_t n = 0; n < c.inv_factorial.size(); ++n) {
    if (n > 0) factorial_inverse.DivSmallInPlace(n);
    c.inv_factorial[n] = FxTruncate<F>(factorial_inverse);
  }
  for (std::size_t n = 0; n < c.inv_odd.size(); ++n) {
    Fx<G> v = FxFromInt<G>(1);
    v.DivSmallInPlace(2 * n + 1);
    c.inv_odd[n] = FxTruncate<F>(v);
  }
  return c;
}

}  // namespace

template <int F>
const Constants<F>& GetConstants() {
  static const Constants<F> constants = Build<F>();
  return constants;
}

template const Constants<2>& GetConstants<2>();
template const Constants<3>& GetConstants<3>();
template const Constants<6>& GetConstants<6>();
template const Constants<12>& GetConstants<12>();

}  // namespace qfs::math::internal
