// CertifiedMath functions. Each returns floor(f(x)) at scale 10^18 — the exact mathematical
// result rounded down (toward negative infinity), with zero ulp error, for every input in its
// domain — or an error:
//   DOMAIN_ERROR         the input is outside the function's domain (ln of 0, sqrt of -1, ...)
//   OVERFLOW             the exact result is outside the result type's range
//   DIVISION_BY_ZERO     pow(0, y) with y < 0
//   PRECISION_EXHAUSTED  not reached for any input we know of; see docs/math.md
//
// How: exact cases (integers, exact powers, f(0)) are computed exactly; every other result is
// irrational or has a denominator that does not divide 10^18, so it never lies on a multiple of
// 10^-18, and it is evaluated in binary fixed point with a proven error bound at 192, then 384,
// then 768 bits until the bound leaves one candidate (docs/math.md gives the analysis).
//
// Domains and conventions:
//   Sqrt(x)      x >= 0.
//   Exp(x)       any x; e^x below 10^-18 floors to 0.
//   Ln, Log2, Log10(x)   x > 0. UD128x18 versions require x >= 1 (a negative result does not fit).
//   Pow(x, y)    x > 0 any y; x = 0: y > 0 gives 0, y = 0 gives 1, y < 0 DIVISION_BY_ZERO;
//                SD128x18: x < 0 only with an integer y (sign from its parity). Pow(x, 0) = 1.
//   Tanh, Sigmoid (1 / (1 + e^-x)), Erf(x)   any x.
//
// Thread safety: pure functions; the first call at each precision builds constant tables once.
// Example:
//   Exp(UD128x18::One()).value().ToString() == "2.718281828459045235"
#ifndef QFS_MATH_FUNCTIONS_H_
#define QFS_MATH_FUNCTIONS_H_

#include "math/fixed.h"

namespace qfs::math {

Result<UD128x18> Sqrt(UD128x18 x);
Result<UD128x18> Exp(UD128x18 x);
Result<UD128x18> Ln(UD128x18 x);
Result<UD128x18> Log2(UD128x18 x);
Result<UD128x18> Log10(UD128x18 x);
Result<UD128x18> Pow(UD128x18 x, UD128x18 y);
Result<UD128x18> Tanh(UD128x18 x);
Result<UD128x18> Sigmoid(UD128x18 x);
Result<UD128x18> Erf(UD128x18 x);

Result<SD128x18> Sqrt(SD128x18 x);
Result<SD128x18> Exp(SD128x18 x);
Result<SD128x18> Ln(SD128x18 x);
Result<SD128x18> Log2(SD128x18 x);
Result<SD128x18> Log10(SD128x18 x);
Result<SD128x18> Pow(SD128x18 x, SD128x18 y);
Result<SD128x18> Tanh(SD128x18 x);
Result<SD128x18> Sigmoid(SD128x18 x);
Result<SD128x18> Erf(SD128x18 x);

}  // namespace qfs::math

#endif  // QFS_MATH_FUNCTIONS_H_
