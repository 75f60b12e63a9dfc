// CertifiedMath fixed-point numbers: UD128x18 (unsigned) and SD128x18 (signed).
//
// A value is an integer `raw` read as raw / 10^18. UD128x18 holds raw in [0, 2^128 - 1];
// SD128x18 holds raw in [-2^127, 2^127 - 1]. Every result is the exact result rounded down
// (toward negative infinity; for UD128x18 that is toward zero), or an error:
//   OVERFLOW          the exact result is outside the type's range
//   UNDERFLOW         UD128x18 subtraction below zero (never saturates)
//   DIVISION_BY_ZERO  div / mod by zero
//   PARSE_ERROR, OUT_OF_RANGE  text that is malformed, has excess precision, or is out of range
// mul and div use a 256-bit intermediate, so nothing is rounded before the final floor.
//
// Text form (docs/math.md): optional '-' (SD128x18 only), one or more digits, and
// optionally '.' followed by one or more digits. Digits past the 18th decimal place must be zero.
// ToString always prints exactly 18 decimals: "2.000000000000000000".
//
// Everything here is deterministic and allocation-free except parsing and printing.
// Thread safety: values are immutable; all functions are pure.
//
// Example:
//   UD128x18 price = UD128x18::Parse("12.5").value();
//   Result<UD128x18> total = Mul(price, UD128x18::FromInteger(3).value());  // 37.5
#ifndef QFS_MATH_FIXED_H_
#define QFS_MATH_FIXED_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qfs::math {

using u128 = unsigned __int128;
using i128 = __int128;

inline constexpr std::uint64_t kScale = 1'000'000'000'000'000'000ull;  // 10^18
inline constexpr int kDecimals = 18;
inline constexpr u128 kU128Max = ~static_cast<u128>(0);
inline constexpr i128 kI128Max = static_cast<i128>(kU128Max >> 1);
inline constexpr i128 kI128Min = -kI128Max - 1;

class UD128x18 {
 public:
  constexpr UD128x18() = default;
  static constexpr UD128x18 FromRaw(u128 raw) { return UD128x18(raw); }
  static Result<UD128x18> FromInteger(u128 integer);
  static Result<UD128x18> Parse(std::string_view text);
  static constexpr UD128x18 Zero() { return UD128x18(0); }
  static constexpr UD128x18 One() { return UD128x18(kScale); }
  static constexpr UD128x18 Max() { return UD128x18(kU128Max); }

  constexpr u128 raw() const { return raw_; }
  std::string ToString() const;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  friend constexpr auto operator<=>(UD128x18, UD128x18) = default;

 private:
  constexpr explicit UD128x18(u128 raw) : raw_(raw) {}
  u128 raw_ = 0;
};

class SD128x18 {
 public:
  constexpr SD128x18() = default;
  static constexpr SD128x18 FromRaw(i128 raw) { return SD128x18(raw); }
  static Result<SD128x18> FromInteger(i128 integer);
  static Result<SD128x18> Parse(std::string_view text);
  static constexpr SD128x18 Zero() { return SD128x18(0); }
  static constexpr SD128x18 One() { return SD128x18(static_cast<i128>(kScale)); }
  static constexpr SD128x18 Min() { return SD128x18(kI128Min); }
  static constexpr SD128x18 Max() { return SD128x18(kI128Max); }

  constexpr i128 raw() const { return raw_; }
  constexpr bool negative() const { return raw_ < 0; }
  std::string ToString() const;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  friend constexpr auto operator<=>(SD128x18, SD128x18) = default;

 private:
  constexpr explicit SD128x18(i128 raw) : raw_(raw) {}
  i128 raw_ = 0;
};

// Conversions: exact, or OVERFLOW / UNDERFLOW (negative into unsigned).
Result<SD128x18> ToSigned(UD128x18 x);
Result<UD128x18> ToUnsigned(SD128x18 x);

namespace internal {
// |v| as an unsigned value (exact for the minimum too).
u128 Magnitude(i128 v);
// The SD128x18 with this sign and raw magnitude, or OVERFLOW (named after `op`).
Result<SD128x18> FromSignMagnitude(bool negative, u128 magnitude, const char* op);
Status OverflowError(const char* op);
Status UnderflowError(const char* op);
Status DivisionByZeroError(const char* op);
}  // namespace internal

// --- UD128x18 arithmetic -------------------------------------------------------------------
inline Result<UD128x18> Add(UD128x18 a, UD128x18 b) {
  u128 r;
  if (__builtin_add_overflow(a.raw(), b.raw(), &r)) return internal::OverflowError("add");
  return UD128x18::FromRaw(r);
}
inline Result<UD128x18> Sub(UD128x18 a, UD128x18 b) {
  if (b.raw() > a.raw()) return internal::UnderflowError("sub");
  return UD128x18::FromRaw(a.raw() - b.raw());
}
Result<UD128x18> Mul(UD128x18 a, UD128x18 b);  // floor(a*b)
Result<UD128x18> Div(UD128x18 a, UD128x18 b);  // floor(a/b)
Result<UD128x18> Mod(UD128x18 a, UD128x18 b);  // a - b*floor(a/b)
Result<UD128x18> MulInt(UD128x18 a, u128 n);   // a*n, exact
Result<UD128x18> DivInt(UD128x18 a, u128 n);   // floor(a/n)
inline UD128x18 Min(UD128x18 a, UD128x18 b) { return a < b ? a : b; }
inline UD128x18 Max(UD128x18 a, UD128x18 b) { return a < b ? b : a; }
// REQUIRES: lo <= hi.
UD128x18 Clamp(UD128x18 x, UD128x18 lo, UD128x18 hi);

// --- SD128x18 arithmetic -------------------------------------------------------------------
inline Result<SD128x18> Add(SD128x18 a, SD128x18 b) {
  i128 r;
  if (__builtin_add_overflow(a.raw(), b.raw(), &r)) return internal::OverflowError("add");
  return SD128x18::FromRaw(r);
}
inline Result<SD128x18> Sub(SD128x18 a, SD128x18 b) {
  i128 r;
  if (__builtin_sub_overflow(a.raw(), b.raw(), &r)) return internal::OverflowError("sub");
  return SD128x18::FromRaw(r);
}
Result<SD128x18> Neg(SD128x18 a);
Result<SD128x18> Abs(SD128x18 a);
Result<SD128x18> Mul(SD128x18 a, SD128x18 b);  // floor(a*b), toward negative infinity
Result<SD128x18> Div(SD128x18 a, SD128x18 b);  // floor(a/b), toward negative infinity
Result<SD128x18> Mod(SD128x18 a, SD128x18 b);  // a - b*floor(a/b): sign of b
Result<SD128x18> MulInt(SD128x18 a, i128 n);
Result<SD128x18> DivInt(SD128x18 a, i128 n);  // floor(a/n)
inline SD128x18 Min(SD128x18 a, SD128x18 b) { return a < b ? a : b; }
inline SD128x18 Max(SD128x18 a, SD128x18 b) { return a < b ? b : a; }
SD128x18 Clamp(SD128x18 x, SD128x18 lo, SD128x18 hi);

// Decimal text of a raw u128 integer (no scale), e.g. for error messages and the CLI.
std::string U128ToString(u128 v);

}  // namespace qfs::math

#endif  // QFS_MATH_FIXED_H_
