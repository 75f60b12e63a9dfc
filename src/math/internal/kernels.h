// Kernels of the CertifiedMath functions at one working precision F (64F fractional bits).
//
// Each kernel approximates a non-negative magnitude M = |f(x)| * 10^18 with a proven error bound
// and returns floor(M) when the bound leaves exactly one candidate (kValue), kOverflow when
// floor(M) >= 2^128, or kAmbiguous when M lies too close to an integer to decide at this
// precision; the caller then retries at a higher precision (Ziv's strategy). A kernel is never
// called on an input where M is exactly an integer: functions.cc handles those exact cases
// first, so retrying always terminates for the transcendental cases.
//
// Inputs are decimal raw magnitudes (x = raw / 10^18) within each kernel's REQUIRES range.
// Instantiated for F = 2, 3, 6 and 12 (128, 192, 384 and 768 bits). Internal to src/math.
#ifndef QFS_MATH_INTERNAL_KERNELS_H_
#define QFS_MATH_INTERNAL_KERNELS_H_

#include "math/fixed.h"

namespace qfs::math::internal {

struct Outcome {
  enum class Kind { kValue, kAmbiguous, kOverflow };
  Kind kind = Kind::kAmbiguous;
  u128 floor = 0;  // floor(M) when kind == kValue
};

enum class LogBase { kE, k2, k10 };

inline constexpr u128 kExpArgumentMax = static_cast<u128>(48) * kScale;      // e^48 > 2^128 / 10^18
inline constexpr u128 kExpNegativeZero = static_cast<u128>(42) * kScale;     // e^-42 * 10^18 < 1
inline constexpr u128 kTanhSaturation = static_cast<u128>(22) * kScale;      // 1 - tanh(22) < 1e-18
inline constexpr u128 kSigmoidSaturation = static_cast<u128>(42) * kScale;   // e^-42 < 1e-18
inline constexpr u128 kErfSaturation = static_cast<u128>(65) * kScale / 10;  // erfc(6.5) < 1e-18

// M = e^(+-x) * 10^18. REQUIRES: x_raw <= kExpArgumentMax.
template <int F>
Outcome ExpKernel(bool negative, u128 x_raw);
// M = |log_base(x)| * 10^18; the sign is that of x - 1. REQUIRES: x_raw > 0, x != 1.
template <int F>
Outcome LogKernel(LogBase base, u128 x_raw);
// M = x^(+-y) * 10^18. REQUIRES: x_raw > 0, x != 1, y != 0.
template <int F>
Outcome PowKernel(u128 x_raw, bool y_negative, u128 y_raw);
// M = tanh(x) * 10^18. REQUIRES: 0 < x_raw < kTanhSaturation.
template <int F>
Outcome TanhKernel(u128 x_raw);
// M = 1 / (1 + e^-(+-x)) * 10^18. REQUIRES: 0 < x_raw < kSigmoidSaturation.
template <int F>
Outcome SigmoidKernel(bool negative, u128 x_raw);
// M = erf(x) * 10^18. REQUIRES: 0 < x_raw < kErfSaturation.
template <int F>
Outcome ErfKernel(u128 x_raw);

// Runs kernel<F> for F = 2, 3, 6, 12 until one decides. `kernel` is a generic lambda
// `[&]<int F>() { return SomeKernel<F>(...); }`. 128 bits decide almost every result below
// 2^100 (scaled); larger results (e^x for big x) and near-ties go on to 192 bits and beyond.
template <typename Kernel>
Outcome EvaluateExactly(Kernel&& kernel) {
  Outcome o = kernel.template operator()<2>();
  if (o.kind != Outcome::Kind::kAmbiguous) return o;
  o = kernel.template operator()<3>();
  if (o.kind != Outcome::Kind::kAmbiguous) return o;
  o = kernel.template operator()<6>();
  if (o.kind != Outcome::Kind::kAmbiguous) return o;
  return kernel.template operator()<12>();
}

}  // namespace qfs::math::internal

#endif  // QFS_MATH_INTERNAL_KERNELS_H_
