// Error analysis conventions: "ulp" is 2^-(64F). Bounds are stated loosely upward; every kernel
// adds at least two bits of margin. The oracle test (tests under src/math) checks the results
// against an independent 90-digit evaluation.
#include "math/internal/kernels.h"

#include "math/internal/fx.h"

namespace qfs::math::internal {
namespace {

// Floors M given |M - true| < 2^err_log2 ulps, and true M >= 0.
template <int F>
Outcome Resolve(const Fx<F>& m, int err_log2) {
  QFS_CHECK(err_log2 >= 0 && err_log2 < 64 * (F + 3) - 2);
  Fx<F> err;
  err.w[err_log2 / 64] = u64{1} << (err_log2 % 64);
  Fx<F> lo = m < err ? Fx<F>() : m - err;
  Fx<F> hi = m + err;
  Nat<3> lo_int = FxIntegerPart<F>(lo);
  if (!lo_int.ZeroFrom(2)) return {Outcome::Kind::kOverflow, 0};
  if (!(lo_int == FxIntegerPart<F>(hi))) return {Outcome::Kind::kAmbiguous, 0};
  return {Outcome::Kind::kValue, lo_int.U128At(0)};
}

template <int F>
Fx<F> ScaleBy1e18(Fx<F> v) {
  QFS_CHECK(v.MulSmallInPlace(kScale) == 0);
  return v;
}

template <int F>
int IntegerBits(const Fx<F>& m) {
  return FxIntegerPart<F>(m).BitLength();
}

// e^a = y * 2^k with y in [1, 2]. Relative error of y < (2^8 + input error of a) ulps:
// k*ln2 (<= 70 ulps), Horner (< 2 ulps a step, < 100), two table products (< 8).
// REQUIRES: a < 49.
template <int F>
Fx<F> ExpCore(const Fx<F>& a, int* k_out) {
  const Constants<F>& c = GetConstants<F>();
  // k = floor(a / ln2), possibly one too high or low here; corrected below.
  u64 k = FxIntegerPart<F>(FxMul<F>(a, c.inv_ln2)).w[0];
  Fx<F> k_ln2 = c.ln2;
  k_ln2.MulSmallInPlace(k);
  if (a < k_ln2) {
    --k;
    k_ln2 = k_ln2 - c.ln2;
  }
  Fx<F> r = a - k_ln2;
  if (!(r < c.ln2)) {
    ++k;
    r = r - c.ln2;
  }
  const int j_hi = static_cast<int>(r.w[F - 1] >> 58);  // floor(r * 64)
  r.w[F - 1] &= (u64{1} << 58) - 1;
  const int j_lo = static_cast<int>(r.w[F - 1] >> 52);  // next 6 bits
  r.w[F - 1] &= (u64{1} << 52) - 1;                     // r < 2^-12
  QFS_CHECK(j_hi < kExpHiEntries && r.ZeroFrom(F));
  constexpr int kTerms = ExpTaylorTerms(F);
  Fx<F> p = c.inv_factorial[kTerms];
  for (int n = kTerms - 1; n >= 0; --n) p = FxMul<F>(p, r) + c.inv_factorial[n];
  *k_out = static_cast<int>(k);
  return FxMul<F>(FxMul<F>(c.exp_hi[j_hi], c.exp_lo[j_lo]), p);
}

// M = e^(+-a) * 10^18 where a carries an input error below 2^input_err_log2 ulps.
template <int F>
Outcome ExpOf(bool negative, const Fx<F>& a, int input_err_log2) {
  int k = 0;
  Fx<F> y = ExpCore<F>(a, &k);
  const int rel_log2 = std::max(8, input_err_log2) + 1;
  if (!negative) {
    y.ShiftLeftInPlace(k);
    Fx<F> m = ScaleBy1e18<F>(y);
    return Resolve<F>(m, IntegerBits<F>(m) + rel_log2 + 1);
  }
  Fx<F> z = FxDiv<F>(FxFromInt<F>(1), y);  // + 2 ulps relative
  z.ShiftRightInPlace(k);                  // + 1 ulp absolute, i.e. 2^60 ulps after scaling
  Fx<F> m = ScaleBy1e18<F>(z);
  return Resolve<F>(m, std::max(IntegerBits<F>(m) + rel_log2 + 2, 61) + 1);
}

// floor(log2(raw / 10^18)).
int FloorLog2Decimal(u128 raw) {
  const int b = Nat<2>::FromU128(raw).BitLength() - 1;
  const int k = b - 59;
  Nat<4> lhs = Resize<4>(Nat<2>::FromU128(raw));
  Nat<4> rhs = Resize<4>(Nat<2>::FromU128(kScale));
  if (k >= 0) {
    rhs.ShiftLeftInPlace(k);
  } else {
    lhs.ShiftLeftInPlace(-k);
  }
  return rhs <= lhs ? k : k - 1;
}

// ln(x) = k ln2 + ln(m), m in [1, 2). Returns |ln m|-style parts: ln m (non-negative) with error
// < 70 ulps: m (1), z = (m-c)/(m+c) (2), Horner (< 2 a step), table (1); and k.
template <int F>
Fx<F> LnMantissa(u128 x_raw, int* k_out) {
  const Constants<F>& c = GetConstants<F>();
  const int k = FloorLog2Decimal(x_raw);
  Fx<F> m = Fx<F>::FromU128(x_raw);
  m.ShiftLeftInPlace(64 * F - k);
  m.DivInPlace(kDecimalScaleDivisor);
  QFS_CHECK(FxIntegerPart<F>(m).U128At(0) == 1);
  const int j = static_cast<int>(((m.w[F - 1] >> 57) + 1) >> 1);  // round((m - 1) * 64)
  Fx<F> center = FxFromInt<F>(1);
  if (j == 64) {
    center = FxFromInt<F>(2);
  } else {
    center.w[F - 1] = static_cast<u64>(j) << 58;
  }
  const bool above = center <= m;
  Fx<F> z = FxDiv<F>(above ? m - center : center - m, m + center);  // |z| <= 2^-8
  Fx<F> z2 = FxMul<F>(z, z);
  constexpr int kTerms = AtanhTerms(F);
  Fx<F> p = c.inv_odd[kTerms];
  for (int n = kTerms - 1; n >= 0; --n) p = FxMul<F>(p, z2) + c.inv_odd[n];
  Fx<F> twice_atanh = FxMul<F>(p, z);
  twice_atanh.ShiftLeftInPlace(1);
  *k_out = k;
  return above ? c.ln_table[j] + twice_atanh : c.ln_table[j] - twice_atanh;
}

// |ln x| with error < 2^8 ulps (mantissa 70 + |k| ln2 68). Sets *negative to x < 1.
template <int F>
Fx<F> LnMagnitude(u128 x_raw, bool* negative) {
  const Constants<F>& c = GetConstants<F>();
  int k = 0;
  Fx<F> ln_m = LnMantissa<F>(x_raw, &k);
  Fx<F> k_ln2 = c.ln2;
  k_ln2.MulSmallInPlace(static_cast<u64>(k < 0 ? -k : k));
  *negative = k < 0;
  return k < 0 ? k_ln2 - ln_m : k_ln2 + ln_m;
}

}  // namespace

template <int F>
Outcome ExpKernel(bool negative, u128 x_raw) {
  QFS_CHECK(x_raw <= kExpArgumentMax);
  return ExpOf<F>(negative, FxFromDecimal<F>(x_raw), 0);
}

template <int F>
Outcome LogKernel(LogBase base, u128 x_raw) {
  const Constants<F>& c = GetConstants<F>();
  Fx<F> magnitude;
  if (base == LogBase::k2) {
    // |log2 x| = |k + ln(m)/ln2|: error < 70/ln2 + 1 < 2^7 ulps.
    int k = 0;
    Fx<F> frac = FxDiv<F>(LnMantissa<F>(x_raw, &k), c.ln2);
    Fx<F> whole = FxFromInt<F>(static_cast<u128>(k < 0 ? -k : k));
    magnitude = k < 0 ? whole - frac : whole + frac;
  } else {
    bool negative = false;
    magnitude = LnMagnitude<F>(x_raw, &negative);
    if (base == LogBase::k10) magnitude = FxDiv<F>(magnitude, c.ln10);
  }
  // < 2^8 ulps, times 10^18 < 2^60.
  return Resolve<F>(ScaleBy1e18<F>(magnitude), 70);
}

template <int F>
Outcome PowKernel(u128 x_raw, bool y_negative, u128 y_raw) {
  bool ln_negative = false;
  Fx<F> ln_x = LnMagnitude<F>(x_raw, &ln_negative);
  // t = |y ln x| = ln_x * y_raw / 10^18; error < 2^8 * y + 1 ulps.
  Nat<F + 5> t_wide = MulFull(ln_x, Nat<2>::FromU128(y_raw));
  t_wide.DivInPlace(kDecimalScaleDivisor);
  const bool t_negative = ln_negative != y_negative;
  Fx<F> t = Resize<F + 3>(t_wide);
  Fx<F> limit = FxFromDecimal<F>(t_negative ? kExpNegativeZero : kExpArgumentMax);
  if (limit <= t) {
    return t_negative ? Outcome{Outcome::Kind::kValue, 0} : Outcome{Outcome::Kind::kOverflow, 0};
  }
  const int y_bits = Nat<2>::FromU128(y_raw).BitLength();
  const int t_err_log2 = 8 + std::max(0, y_bits - 59) + 1;
  return ExpOf<F>(t_negative, t, t_err_log2);
}

template <int F>
Outcome TanhKernel(u128 x_raw) {
  QFS_CHECK(x_raw > 0 && x_raw < kTanhSaturation);
  // tanh a = 1 - 2 / (e^(2a) + 1); e^(2a) relative error < 2^9, so the fraction's absolute error
  // is < 2^10 ulps and the result's < 2^10 + 1; scaled < 2^71.
  int k = 0;
  Fx<F> u = ExpCore<F>(FxFromDecimal<F>(2 * x_raw), &k);
  u.ShiftLeftInPlace(k);
  Fx<F> d = FxDiv<F>(FxFromInt<F>(2), u + FxFromInt<F>(1));
  return Resolve<F>(ScaleBy1e18<F>(FxFromInt<F>(1) - d), 72);
}

template <int F>
Outcome SigmoidKernel(bool negative, u128 x_raw) {
  QFS_CHECK(x_raw > 0 && x_raw < kSigmoidSaturation);
  // sigma = 1 / (1 + e^-x): e^(+-a) has relative error < 2^9 and the reciprocal adds one ulp,
  // so the result's absolute error is < 2^10 ulps; scaled < 2^70.
  int k = 0;
  Fx<F> y = ExpCore<F>(FxFromDecimal<F>(x_raw), &k);
  Fx<F> e_minus_x;  // e^-x
  if (negative) {
    e_minus_x = y;
    e_minus_x.ShiftLeftInPlace(k);
  } else {
    e_minus_x = FxDiv<F>(FxFromInt<F>(1), y);
    e_minus_x.ShiftRightInPlace(k);
  }
  Fx<F> sigma = FxDiv<F>(FxFromInt<F>(1), FxFromInt<F>(1) + e_minus_x);
  return Resolve<F>(ScaleBy1e18<F>(sigma), 72);
}

template <int F>
Outcome ErfKernel(u128 x_raw) {
  QFS_CHECK(x_raw > 0 && x_raw < kErfSaturation);
  const Constants<F>& c = GetConstants<F>();
  // erf a = 2/sqrt(pi) * e^(-a^2) * sum_n 2^n a^(2n+1) / (1*3*...*(2n+1)); all terms positive.
  // a^2 = x_raw^2 / 10^36 exactly floored (< 1 ulp). The sum's absolute error is below
  // (2 * terms + 4 S) ulps, which e^(-a^2) * 2/sqrt(pi) scales back below 2^11 ulps; together
  // with the relative errors of e^(-a^2) (2^9) and the constant, the result is within 2^12 ulps
  // (scaled: 2^72). Bound taken as 2^78 for margin.
  Fx<F> a = FxFromDecimal<F>(x_raw);
  Nat<4> x_squared = MulFull(Nat<2>::FromU128(x_raw), Nat<2>::FromU128(x_raw));
  Fx<F> a2 = Fx<F>::FromU128Shifted(x_squared.U128At(0), F);
  QFS_CHECK(x_squared.ZeroFrom(2));
  a2.DivInPlace(kDecimalScaleDivisor);
  a2.DivInPlace(kDecimalScaleDivisor);
  int k = 0;
  Fx<F> w = FxDiv<F>(FxFromInt<F>(1), ExpCore<F>(a2, &k));
  w.ShiftRightInPlace(k);
  Fx<F> g = a2;
  g.ShiftLeftInPlace(1);
  Fx<F> sum = a;
  Fx<F> term = a;
  constexpr u64 kTermsMax = 64 * F * 4 + 400;
  for (u64 n = 1;; ++n) {
    QFS_CHECK(n < kTermsMax);
    term = FxMul<F>(term, g);
    term.DivSmallInPlace(2 * n + 1);
    if (term.IsZero()) break;
    sum = sum + term;
  }
  Fx<F> erf = FxMul<F>(FxMul<F>(sum, w), c.two_over_sqrt_pi);
  return Resolve<F>(ScaleBy1e18<F>(erf), 78);
}

#define QFS_INSTANTIATE_KERNELS(F)                 \
  template Outcome ExpKernel<F>(bool, u128);       \
  template Outcome LogKernel<F>(LogBase, u128);    \
  template Outcome PowKernel<F>(u128, bool, u128); \
  template Outcome TanhKernel<F>(u128);            \
  template Outcome SigmoidKernel<F>(bool, u128);   \
  template Outcome ErfKernel<F>(u128);

QFS_INSTANTIATE_KERNELS(2)
QFS_INSTANTIATE_KERNELS(3)
QFS_INSTANTIATE_KERNELS(6)
QFS_INSTANTIATE_KERNELS(12)

}  // namespace qfs::math::internal
