#include "math/fixed.h"

#include <algorithm>

#include "base/limits.h"
#include "math/internal/nat.h"

namespace qfs::math {
namespace {

using internal::FromSignMagnitude;
using internal::Magnitude;
using internal::Nat;

// floor(a*b/10^18) and whether the division had a remainder; nullopt-like overflow flag.
struct ScaledQuotient {
  u128 value = 0;
  bool inexact = false;
  bool overflow = false;
};

ScaledQuotient MulScaled(u128 a, u128 b) {
  u128 narrow;
  if (!__builtin_mul_overflow(a, b, &narrow)) {  // the common case: a * b < 2^128
    Nat<2> q = Nat<2>::FromU128(narrow);
    std::uint64_t rem = q.DivInPlace(internal::kDecimalScaleDivisor);
    return {q.U128At(0), rem != 0, false};
  }
  Nat<4> p = internal::MulFull(Nat<2>::FromU128(a), Nat<2>::FromU128(b));
  std::uint64_t rem = p.DivInPlace(internal::kDecimalScaleDivisor);
  return {p.U128At(0), rem != 0, !p.ZeroFrom(2)};
}

// floor(a*10^18/b). REQUIRES: b != 0.
ScaledQuotient DivScaled(u128 a, u128 b) {
  u128 narrow;
  if (!__builtin_mul_overflow(a, static_cast<u128>(kScale), &narrow)) {
    return {narrow / b, narrow % b != 0, false};  // the common case: a < 3.4e20 / 10^18
  }
  Nat<3> n = internal::Resize<3>(Nat<2>::FromU128(a));
  QFS_CHECK(n.MulSmallInPlace(kScale) == 0);
  Nat<2> rem;
  Nat<3> q = internal::DivMod(n, Nat<2>::FromU128(b), &rem);
  return {q.U128At(0), !rem.IsZero(), !q.ZeroFrom(2)};
}

Status ParseError(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  return Status(StatusCode::kParseError, "'" + shown + "': " + why);
}

// Parses an unsigned decimal into a raw magnitude (scale 10^18). `limit` is the largest raw value.
Result<u128> ParseMagnitude(std::string_view text, u128 limit) {
  if (text.size() > kDecimalTextBytesMax) {
    return Status(StatusCode::kTooLarge,
                  "decimal text longer than " + std::to_string(kDecimalTextBytesMax) + " bytes");
  }
  std::size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (int_part.empty() || !all_digits(int_part)) return ParseError(text, "expected digits");
  if (dot != std::string_view::npos && (frac_part.empty() || !all_digits(frac_part))) {
    return ParseError(text, "expected digits after '.'");
  }
  if (frac_part.size() > kDecimals &&
      frac_part.find_first_not_of('0', kDecimals) != std::string_view::npos) {
    return ParseError(text, "more than 18 significant decimal places");
  }
  u128 integer = 0;
  for (char c : int_part) {
    if (__builtin_mul_overflow(integer, 10, &integer) ||
        __builtin_add_overflow(integer, static_cast<u128>(c - '0'), &integer)) {
      return Status(StatusCode::kOutOfRange,
                    "'" + std::string(text.substr(0, 60)) + "' is out of range");
    }
  }
  u128 frac = 0;
  for (int i = 0; i < kDecimals; ++i) {
    frac = frac * 10 + (i < static_cast<int>(frac_part.size()) ? frac_part[i] - '0' : 0);
  }
  u128 raw;
  if (__builtin_mul_overflow(integer, static_cast<u128>(kScale), &raw) ||
      __builtin_add_overflow(raw, frac, &raw) || raw > limit) {
    return Status(StatusCode::kOutOfRange,
                  "'" + std::string(text.substr(0, 60)) + "' is out of range");
  }
  return raw;
}

std::string FormatMagnitude(u128 raw, bool negative) {
  std::string frac = U128ToString(raw % kScale);
  std::string out = negative ? "-" : "";
  out += U128ToString(raw / kScale);
  out += '.';
  out.append(kDecimals - frac.size(), '0');
  out += frac;
  return out;
}

}  // namespace

namespace internal {
u128 Magnitude(i128 v) { return v < 0 ? static_cast<u128>(0) - static_cast<u128>(v) : v; }

Result<SD128x18> FromSignMagnitude(bool negative, u128 magnitude, const char* op) {
  const u128 limit = static_cast<u128>(kI128Max) + (negative ? 1 : 0);
  if (magnitude > limit) return internal::OverflowError(op);
  i128 raw =
      negative ? static_cast<i128>(static_cast<u128>(0) - magnitude) : static_cast<i128>(magnitude);
  return SD128x18::FromRaw(raw);
}

Status OverflowError(const char* op) {
  return Status(StatusCode::kOverflow, std::string(op) + ": result out of range");
}
Status UnderflowError(const char* op) {
  return Status(StatusCode::kUnderflow, std::string(op) + ": result below zero");
}
Status DivisionByZeroError(const char* op) {
  return Status(StatusCode::kDivisionByZero, std::string(op) + ": division by zero");
}
}  // namespace internal

std::string U128ToString(u128 v) {
  char buf[40];
  int pos = 40;
  do {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(buf + pos, buf + 40);
}

// --- UD128x18 ------------------------------------------------------------------------------
Result<UD128x18> UD128x18::FromInteger(u128 integer) {
  u128 raw;
  if (__builtin_mul_overflow(integer, static_cast<u128>(kScale), &raw)) {
    return internal::OverflowError("from_integer");
  }
  return UD128x18(raw);
}

Result<UD128x18> UD128x18::Parse(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    return ParseError(text, "negative value for an unsigned number");
  }
  QFS_ASSIGN_OR_RETURN(u128 raw, ParseMagnitude(text, kU128Max));
  return UD128x18(raw);
}

std::string UD128x18::ToString() const { return FormatMagnitude(raw_, false); }

Result<UD128x18> Mul(UD128x18 a, UD128x18 b) {
  ScaledQuotient q = MulScaled(a.raw(), b.raw());
  if (q.overflow) return internal::OverflowError("mul");
  return UD128x18::FromRaw(q.value);
}

Result<UD128x18> Div(UD128x18 a, UD128x18 b) {
  if (b.raw() == 0) return internal::DivisionByZeroError("div");
  ScaledQuotient q = DivScaled(a.raw(), b.raw());
  if (q.overflow) return internal::OverflowError("div");
  return UD128x18::FromRaw(q.value);
}

Result<UD128x18> Mod(UD128x18 a, UD128x18 b) {
  if (b.raw() == 0) return internal::DivisionByZeroError("mod");
  return UD128x18::FromRaw(a.raw() % b.raw());
}

Result<UD128x18> MulInt(UD128x18 a, u128 n) {
  u128 r;
  if (__builtin_mul_overflow(a.raw(), n, &r)) return internal::OverflowError("mul_int");
  return UD128x18::FromRaw(r);
}

Result<UD128x18> DivInt(UD128x18 a, u128 n) {
  if (n == 0) return internal::DivisionByZeroError("div_int");
  return UD128x18::FromRaw(a.raw() / n);
}

UD128x18 Clamp(UD128x18 x, UD128x18 lo, UD128x18 hi) {
  QFS_CHECK(lo <= hi);
  return Min(Max(x, lo), hi);
}

// --- SD128x18 ------------------------------------------------------------------------------
Result<SD128x18> SD128x18::FromInteger(i128 integer) {
  i128 raw;
  if (__builtin_mul_overflow(integer, static_cast<i128>(kScale), &raw)) {
    return internal::OverflowError("from_integer");
  }
  return SD128x18(raw);
}

Result<SD128x18> SD128x18::Parse(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  u128 limit = static_cast<u128>(kI128Max) + (negative ? 1 : 0);
  QFS_ASSIGN_OR_RETURN(u128 magnitude, ParseMagnitude(digits, limit));
  return FromSignMagnitude(negative, magnitude, "parse");
}

std::string SD128x18::ToString() const { return FormatMagnitude(Magnitude(raw_), raw_ < 0); }

Result<SD128x18> ToSigned(UD128x18 x) { return FromSignMagnitude(false, x.raw(), "to_signed"); }

Result<UD128x18> ToUnsigned(SD128x18 x) {
  if (x.raw() < 0) return internal::UnderflowError("to_unsigned");
  return UD128x18::FromRaw(static_cast<u128>(x.raw()));
}

Result<SD128x18> Neg(SD128x18 a) {
  if (a.raw() == kI128Min) return internal::OverflowError("neg");
  return SD128x18::FromRaw(-a.raw());
}

Result<SD128x18> Abs(SD128x18 a) { return a.negative() ? Neg(a) : a; }

Result<SD128x18> Mul(SD128x18 a, SD128x18 b) {
  bool negative = a.negative() != b.negative();
  ScaledQuotient q = MulScaled(Magnitude(a.raw()), Magnitude(b.raw()));
  if (q.overflow) return internal::OverflowError("mul");
  u128 magnitude = q.value + (negative && q.inexact ? 1 : 0);  // floor, not truncation
  if (magnitude < q.value) return internal::OverflowError("mul");
  return FromSignMagnitude(negative && magnitude != 0, magnitude, "mul");
}

Result<SD128x18> Div(SD128x18 a, SD128x18 b) {
  if (b.raw() == 0) return internal::DivisionByZeroError("div");
  bool negative = a.negative() != b.negative();
  ScaledQuotient q = DivScaled(Magnitude(a.raw()), Magnitude(b.raw()));
  if (q.overflow) return internal::OverflowError("div");
  u128 magnitude = q.value + (negative && q.inexact ? 1 : 0);
  if (magnitude < q.value) return internal::OverflowError("div");
  return FromSignMagnitude(negative && magnitude != 0, magnitude, "div");
}

Result<SD128x18> Mod(SD128x18 a, SD128x18 b) {
  if (b.raw() == 0) return internal::DivisionByZeroError("mod");
  if (b.raw() == -1) return SD128x18::Zero();  // avoids INT128_MIN % -1
  i128 r = a.raw() % b.raw();
  if (r != 0 && ((r < 0) != (b.raw() < 0))) r += b.raw();
  return SD128x18::FromRaw(r);
}

Result<SD128x18> MulInt(SD128x18 a, i128 n) {
  i128 r;
  if (__builtin_mul_overflow(a.raw(), n, &r)) return internal::OverflowError("mul_int");
  return SD128x18::FromRaw(r);
}

Result<SD128x18> DivInt(SD128x18 a, i128 n) {
  if (n == 0) return internal::DivisionByZeroError("div_int");
  if (a.raw() == kI128Min && n == -1) return internal::OverflowError("div_int");
  i128 q = a.raw() / n;
  if (a.raw() % n != 0 && ((a.raw() < 0) != (n < 0))) --q;
  return SD128x18::FromRaw(q);
}

SD128x18 Clamp(SD128x18 x, SD128x18 lo, SD128x18 hi) {
  QFS_CHECK(lo <= hi);
  return Min(Max(x, lo), hi);
}

}  // namespace qfs::math
