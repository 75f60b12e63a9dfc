#include "math/functions.h"

#include <optional>

#include "math/internal/kernels.h"
#include "math/internal/nat.h"

namespace qfs::math {
namespace {

using internal::EvaluateExactly;
using internal::LogBase;
using internal::Outcome;

constexpr u128 kOne = kScale;

// A signed raw value as sign and magnitude.
struct Value {
  bool negative = false;
  u128 magnitude = 0;
};

Value Positive(u128 magnitude) { return {false, magnitude}; }

Status DomainError(const char* op, const char* why) {
  return Status(StatusCode::kDomainError, std::string(op) + ": " + why);
}

// floor of +-M from a kernel's outcome. For a negative result, floor(-M) = -(floor(M) + 1)
// because kernels only see inputs where M is not an integer.
Result<Value> FromOutcome(Outcome o, bool negative, const char* op) {
  switch (o.kind) {
    case Outcome::Kind::kAmbiguous:
      return Status(StatusCode::kPrecisionExhausted,
                    std::string(op) + ": result not decided at 768 bits");
    case Outcome::Kind::kOverflow:
      return internal::OverflowError(op);
    case Outcome::Kind::kValue:
      break;
  }
  if (!negative) return Positive(o.floor);
  if (o.floor == kU128Max) return internal::OverflowError(op);
  return Value{true, o.floor + 1};
}

Result<UD128x18> ToUnsignedResult(const Result<Value>& r, const char* op) {
  if (!r.ok()) return r.status();
  if (r.value().negative) return internal::UnderflowError(op);
  return UD128x18::FromRaw(r.value().magnitude);
}

Result<SD128x18> ToSignedResult(const Result<Value>& r, const char* op) {
  if (!r.ok()) return r.status();
  return internal::FromSignMagnitude(r.value().negative, r.value().magnitude, op);
}

Value FromSigned(SD128x18 x) { return {x.negative(), internal::Magnitude(x.raw())}; }

// --- sqrt ----------------------------------------------------------------------------------
Value SqrtCore(u128 x) {
  internal::Nat<3> n = internal::Resize<3>(internal::Nat<2>::FromU128(x));
  QFS_CHECK(n.MulSmallInPlace(kScale) == 0);
  return Positive(internal::ISqrt(n).U128At(0));  // sqrt(x * 10^18) < 2^94
}

// --- exp -----------------------------------------------------------------------------------
Result<Value> ExpCore(Value x) {
  if (x.magnitude == 0) return Positive(kOne);
  if (x.negative && x.magnitude >= internal::kExpNegativeZero) return Positive(0);
  if (!x.negative && x.magnitude > internal::kExpArgumentMax) return internal::OverflowError("exp");
  return FromOutcome(
      EvaluateExactly([&]<int F>() { return internal::ExpKernel<F>(x.negative, x.magnitude); }),
      false, "exp");
}

// --- logarithms ----------------------------------------------------------------------------
bool IsPowerOfTwo(u128 v) { return v != 0 && (v & (v - 1)) == 0; }
int Log2Exact(u128 v) { return internal::Nat<2>::FromU128(v).BitLength() - 1; }

// x = 2^k exactly?
std::optional<int> ExactLog2(u128 x) {
  if (x % kOne == 0 && IsPowerOfTwo(x / kOne)) return Log2Exact(x / kOne);
  if (kOne % x == 0 && IsPowerOfTwo(kOne / x)) return -Log2Exact(kOne / x);
  return std::nullopt;
}

// x = 10^k exactly?
std::optional<int> ExactLog10(u128 x) {
  u128 p = 1;
  for (int e = 0; e <= 38; ++e) {
    if (p == x) return e - kDecimals;
    if (p > kU128Max / 10) break;
    p *= 10;
  }
  return std::nullopt;
}

Result<Value> LogCore(LogBase base, u128 x, const char* op) {
  if (x == 0) return DomainError(op, "logarithm of zero");
  if (x == kOne) return Positive(0);
  std::optional<int> exact = base == LogBase::k2    ? ExactLog2(x)
                             : base == LogBase::k10 ? ExactLog10(x)
                                                    : std::nullopt;
  if (exact) {
    int k = *exact;
    return Value{k < 0, static_cast<u128>(k < 0 ? -k : k) * kOne};
  }
  return FromOutcome(EvaluateExactly([&]<int F>() { return internal::LogKernel<F>(base, x); }),
                     x < kOne, op);
}

// --- pow -----------------------------------------------------------------------------------
u128 Gcd(u128 a, u128 b) {
  while (b != 0) {
    u128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// base^n if it is at most `limit`.
std::optional<u128> CheckedPow(u128 base, u128 n, u128 limit) {
  u128 r = 1;
  for (u128 i = 0; i < n; ++i) {
    if (base != 0 && r > limit / base) return std::nullopt;
    r *= base;
  }
  return r;
}

// Largest r with r^n <= v. REQUIRES: 1 <= n <= 128.
u128 IntegerRoot(u128 v, u128 n) {
  if (n == 1) return v;
  u128 r = 0;
  for (int bit = static_cast<int>(128 / n) + 1; bit >= 0; --bit) {
    u128 candidate = r | static_cast<u128>(1) << bit;
    if (CheckedPow(candidate, n, v)) r = candidate;
  }
  return r;
}

// x^(+-y) when it is a rational whose denominator divides 10^18 (so it may sit exactly on a
// representable value): x = P/Q and y = a/b in lowest terms make x^y rational iff P and Q are
// perfect b-th powers. Returns nullopt when the result is not such a value; then it is never a
// multiple of 10^-18 and the kernel may evaluate it. Result: exact raw value, or OVERFLOW.
std::optional<Result<u128>> ExactPow(u128 x, bool y_negative, u128 y) {
  const u128 g = Gcd(x, kOne);
  const u128 h = Gcd(y, kOne);
  const u128 p = x / g, q = kOne / g, a = y / h, b = kOne / h;
  if (b > 128) return std::nullopt;
  const u128 t = IntegerRoot(p, b);
  const u128 u = IntegerRoot(q, b);
  if (CheckedPow(t, b, kU128Max) != p || CheckedPow(u, b, kU128Max) != q) return std::nullopt;
  const u128 num = y_negative ? u : t;
  const u128 den = y_negative ? t : u;
  u128 den_power = 1;
  if (den != 1) {
    std::optional<u128> d = a <= 60 ? CheckedPow(den, a, kOne) : std::nullopt;
    if (!d || kOne % *d != 0) return std::nullopt;
    den_power = *d;
  }
  const u128 multiplier = kOne / den_power;
  std::optional<u128> n = a <= 128 ? CheckedPow(num, a, kU128Max / multiplier) : std::nullopt;
  if (!n) return Result<u128>(internal::OverflowError("pow"));
  return Result<u128>(*n * multiplier);
}

struct PowResult {
  u128 floor = 0;
  bool exact = false;
};

Result<PowResult> PowMagnitude(u128 x, bool y_negative, u128 y) {
  if (y == 0 || x == kOne) return PowResult{kOne, true};
  if (x == 0) {
    if (y_negative) return internal::DivisionByZeroError("pow");
    return PowResult{0, true};
  }
  if (std::optional<Result<u128>> exact = ExactPow(x, y_negative, y)) {
    if (!exact->ok()) return exact->status();
    return PowResult{exact->value(), true};
  }
  QFS_ASSIGN_OR_RETURN(Value v, FromOutcome(EvaluateExactly([&]<int F>() {
                                              return internal::PowKernel<F>(x, y_negative, y);
                                            }),
                                            false, "pow"));
  return PowResult{v.magnitude, false};
}

Result<Value> PowCore(Value x, Value y) {
  if (!x.negative) {
    QFS_ASSIGN_OR_RETURN(PowResult r, PowMagnitude(x.magnitude, y.negative, y.magnitude));
    return Positive(r.floor);
  }
  if (y.magnitude % kOne != 0) return DomainError("pow", "negative base needs an integer exponent");
  const bool odd = (y.magnitude / kOne) % 2 == 1;
  QFS_ASSIGN_OR_RETURN(PowResult r, PowMagnitude(x.magnitude, y.negative, y.magnitude));
  if (!odd) return Positive(r.floor);
  if (r.exact) return Value{r.floor != 0, r.floor};
  return Value{true, r.floor + 1};
}

// --- tanh, sigmoid, erf ----------------------------------------------------------------------
// An odd function that saturates below -1 / above 1 past `saturation`.
template <typename Kernel>
Result<Value> OddSaturating(Value x, u128 saturation, const char* op, Kernel&& kernel) {
  if (x.magnitude == 0) return Positive(0);
  if (x.magnitude >= saturation) {
    // |f| lies in (1 - 10^-18, 1): floor is 0.99..9 above zero and -1 below.
    return x.negative ? Value{true, kOne} : Positive(kOne - 1);
  }
  return FromOutcome(EvaluateExactly(kernel), x.negative, op);
}

Result<Value> TanhCore(Value x) {
  return OddSaturating(x, internal::kTanhSaturation, "tanh",
                       [&]<int F>() { return internal::TanhKernel<F>(x.magnitude); });
}

Result<Value> ErfCore(Value x) {
  return OddSaturating(x, internal::kErfSaturation, "erf",
                       [&]<int F>() { return internal::ErfKernel<F>(x.magnitude); });
}

Result<Value> SigmoidCore(Value x) {
  if (x.magnitude == 0) return Positive(kOne / 2);
  if (x.magnitude >= internal::kSigmoidSaturation) return Positive(x.negative ? 0 : kOne - 1);
  return FromOutcome(
      EvaluateExactly([&]<int F>() { return internal::SigmoidKernel<F>(x.negative, x.magnitude); }),
      false, "sigmoid");
}

Status BelowOne(const char* op) {
  return DomainError(op, "x < 1 gives a negative result; use SD128x18");
}

}  // namespace

// --- UD128x18 ------------------------------------------------------------------------------
Result<UD128x18> Sqrt(UD128x18 x) { return UD128x18::FromRaw(SqrtCore(x.raw()).magnitude); }
Result<UD128x18> Exp(UD128x18 x) { return ToUnsignedResult(ExpCore(Positive(x.raw())), "exp"); }
Result<UD128x18> Ln(UD128x18 x) {
  if (x.raw() != 0 && x.raw() < kOne) return BelowOne("ln");
  return ToUnsignedResult(LogCore(LogBase::kE, x.raw(), "ln"), "ln");
}
Result<UD128x18> Log2(UD128x18 x) {
  if (x.raw() != 0 && x.raw() < kOne) return BelowOne("log2");
  return ToUnsignedResult(LogCore(LogBase::k2, x.raw(), "log2"), "log2");
}
Result<UD128x18> Log10(UD128x18 x) {
  if (x.raw() != 0 && x.raw() < kOne) return BelowOne("log10");
  return ToUnsignedResult(LogCore(LogBase::k10, x.raw(), "log10"), "log10");
}
Result<UD128x18> Pow(UD128x18 x, UD128x18 y) {
  return ToUnsignedResult(PowCore(Positive(x.raw()), Positive(y.raw())), "pow");
}
Result<UD128x18> Tanh(UD128x18 x) { return ToUnsignedResult(TanhCore(Positive(x.raw())), "tanh"); }
Result<UD128x18> Sigmoid(UD128x18 x) {
  return ToUnsignedResult(SigmoidCore(Positive(x.raw())), "sigmoid");
}
Result<UD128x18> Erf(UD128x18 x) { return ToUnsignedResult(ErfCore(Positive(x.raw())), "erf"); }

// --- SD128x18 ------------------------------------------------------------------------------
Result<SD128x18> Sqrt(SD128x18 x) {
  if (x.negative()) return DomainError("sqrt", "square root of a negative number");
  return SD128x18::FromRaw(static_cast<i128>(SqrtCore(static_cast<u128>(x.raw())).magnitude));
}
Result<SD128x18> Exp(SD128x18 x) { return ToSignedResult(ExpCore(FromSigned(x)), "exp"); }
Result<SD128x18> Ln(SD128x18 x) {
  if (x.negative()) return DomainError("ln", "logarithm of a negative number");
  return ToSignedResult(LogCore(LogBase::kE, static_cast<u128>(x.raw()), "ln"), "ln");
}
Result<SD128x18> Log2(SD128x18 x) {
  if (x.negative()) return DomainError("log2", "logarithm of a negative number");
  return ToSignedResult(LogCore(LogBase::k2, static_cast<u128>(x.raw()), "log2"), "log2");
}
Result<SD128x18> Log10(SD128x18 x) {
  if (x.negative()) return DomainError("log10", "logarithm of a negative number");
  return ToSignedResult(LogCore(LogBase::k10, static_cast<u128>(x.raw()), "log10"), "log10");
}
Result<SD128x18> Pow(SD128x18 x, SD128x18 y) {
  return ToSignedResult(PowCore(FromSigned(x), FromSigned(y)), "pow");
}
Result<SD128x18> Tanh(SD128x18 x) { return ToSignedResult(TanhCore(FromSigned(x)), "tanh"); }
Result<SD128x18> Sigmoid(SD128x18 x) {
  return ToSignedResult(SigmoidCore(FromSigned(x)), "sigmoid");
}
Result<SD128x18> Erf(SD128x18 x) { return ToSignedResult(ErfCore(FromSigned(x)), "erf"); }

}  // namespace qfs::math
