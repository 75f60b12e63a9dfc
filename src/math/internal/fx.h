// Binary fixed point at a chosen precision, for evaluating CertifiedMath functions exactly.
//
// Fx<F> is Nat<F + 3>: a non-negative value v = n / 2^(64F), i.e. F fractional limbs and three
// integer limbs (values below 2^192). "ulp" below means 2^-(64F). Every operation truncates
// (rounds toward zero) and states its error in ulps; the kernels add these up into a proven bound.
// Internal to src/math.
#ifndef QFS_MATH_INTERNAL_FX_H_
#define QFS_MATH_INTERNAL_FX_H_

#include <array>

#include "math/fixed.h"
#include "math/internal/nat.h"

namespace qfs::math::internal {

template <int F>
using Fx = Nat<F + 3>;

template <int F>
constexpr Fx<F> FxFromInt(u128 v) {
  return Fx<F>::FromU128Shifted(v, F);
}

// raw / 10^18, error < 1 ulp.
template <int F>
Fx<F> FxFromDecimal(u128 raw) {
  Fx<F> r = Fx<F>::FromU128Shifted(raw, F);
  r.DivInPlace(kDecimalScaleDivisor);
  return r;
}

// a * b, error < 1 ulp. REQUIRES: the product is below 2^192.
template <int F>
Fx<F> FxMul(const Fx<F>& a, const Fx<F>& b) {
  Nat<2 * F + 6> p = MulFull(a, b);
  Fx<F> r;
  for (int i = 0; i < F + 3; ++i) r.w[i] = p.w[i + F];
  QFS_CHECK(p.ZeroFrom(2 * F + 3));
  return r;
}

// a / b, error < 1 ulp. REQUIRES: b != 0, quotient below 2^192.
template <int F>
Fx<F> FxDiv(const Fx<F>& a, const Fx<F>& b) {
  Nat<2 * F + 3> n;
  for (int i = 0; i < F + 3; ++i) n.w[i + F] = a.w[i];
  Nat<2 * F + 3> q = DivMod(n, b, static_cast<Fx<F>*>(nullptr));
  return Resize<F + 3>(q);
}

// The integer part (bits at and above 2^0) as a Nat<3>.
template <int F>
constexpr Nat<3> FxIntegerPart(const Fx<F>& a) {
  Nat<3> r;
  for (int i = 0; i < 3; ++i) r.w[i] = a.w[F + i];
  return r;
}

// Drops one fractional limb: Fx<F+1> -> Fx<F>, error < 1 ulp.
template <int F>
Fx<F> FxTruncate(const Fx<F + 1>& a) {
  Fx<F> r;
  for (int i = 0; i < F + 3; ++i) r.w[i] = a.w[i + 1];
  return r;
}

// Number of Taylor terms for e^r with 0 <= r < 2^-12 so that the first omitted term is below
// 2^-(64F+2): the smallest n with 12(n+1) + log2((n+1)!) >= 64F + 2 (log2 taken as a floor).
constexpr int ExpTaylorTerms(int F) {
  int bits = 0;
  for (int n = 1;; ++n) {
    int log2n = 0;
    while ((2 << log2n) <= n) ++log2n;
    bits += 12 + log2n;
    if (bits >= 64 * F + 2) return n;
  }
}
// Number of terms of atanh(z) = sum z^(2n+1)/(2n+1) for |z| <= 2^-8, last omitted < 2^-(64F+2).
constexpr int AtanhTerms(int F) { return (64 * F + 2) / 16 + 1; }

inline constexpr int kExpHiEntries = 45;  // e^(j/64),   j = 0..44 (ln 2 < 45/64)
inline constexpr int kExpLoEntries = 64;  // e^(j/4096), j = 0..63
inline constexpr int kLnEntries = 65;     // ln(1 + j/64), j = 0..64

// Constants at precision F, each within 1 ulp of the true value (computed one limb finer and
// truncated). Built once per precision on first use; thread-safe; deterministic.
template <int F>
struct Constants {
  Fx<F> ln2;
  Fx<F> inv_ln2;  // 1 / ln 2
  Fx<F> ln10;
  Fx<F> two_over_sqrt_pi;
  std::array<Fx<F>, kExpHiEntries> exp_hi;
  std::array<Fx<F>, kExpLoEntries> exp_lo;
  std::array<Fx<F>, kLnEntries> ln_table;
  std::array<Fx<F>, ExpTaylorTerms(F) + 1> inv_factorial;
  std::array<Fx<F>, AtanhTerms(F) + 1> inv_odd;  // 1 / (2n + 1)
};

template <int F>
const Constants<F>& GetConstants();

}  // namespace qfs::math::internal

#endif  // QFS_MATH_INTERNAL_FX_H_
