// Nat<N>: a fixed-size unsigned integer of N 64-bit limbs (little-endian), the arithmetic core of
// CertifiedMath. Everything is exact integer arithmetic; overflow that the caller did not rule out
// is a programmer error (QFS_CHECK). Internal to src/math.
#ifndef QFS_MATH_INTERNAL_NAT_H_
#define QFS_MATH_INTERNAL_NAT_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

#include "base/check.h"

namespace qfs::math::internal {

using u64 = std::uint64_t;
using u128 = unsigned __int128;

// Division by a fixed 64-bit divisor with a precomputed reciprocal (Moller and Granlund,
// "Improved division by invariant integers", 2011): two multiplications per limb instead of a
// hardware 128/64 division.
struct Divisor {
  u64 d = 0;           // the divisor
  int shift = 0;       // leading zeros of d
  u64 normalized = 0;  // d << shift, top bit set
  u64 reciprocal = 0;  // floor((2^128 - 1) / normalized) - 2^64

  constexpr explicit Divisor(u64 divisor) : d(divisor) {
    QFS_CHECK(divisor != 0);
    shift = std::countl_zero(divisor);
    normalized = divisor << shift;
    reciprocal = static_cast<u64>(~static_cast<u128>(0) / normalized);  // - 2^64 by truncation
  }
};

// (u1:u0) / d for normalized d and u1 < d: returns the quotient, stores the remainder.
constexpr u64 Div2By1(u64 u1, u64 u0, u64 d, u64 reciprocal, u64* remainder) {
  u128 q = static_cast<u128>(reciprocal) * u1;
  q += static_cast<u128>(u1) << 64 | u0;
  u64 q1 = static_cast<u64>(q >> 64) + 1;
  u64 q0 = static_cast<u64>(q);
  u64 r = u0 - q1 * d;
  if (r > q0) {
    --q1;
    r += d;
  }
  if (r >= d) {
    ++q1;
    r -= d;
  }
  *remainder = r;
  return q1;
}

// (hi:lo) / d for hi < d: the quotient, and the remainder in *remainder. One hardware division
// on x86-64 (a 128/64 `divq`, which cannot overflow because hi < d).
inline u64 Div128By64(u64 hi, u64 lo, u64 d, u64* remainder) {
#if defined(__x86_64__)
  u64 q;
  u64 r;
  __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
  *remainder = r;
  return q;
#else
  u128 n = static_cast<u128>(hi) << 64 | lo;
  *remainder = static_cast<u64>(n % d);
  return static_cast<u64>(n / d);
#endif
}

inline constexpr Divisor kDecimalScaleDivisor{1'000'000'000'000'000'000ull};  // 10^18

// Divides u[0..m) by v[0..n) (v[n-1] != 0, m >= n): q[0..m-n+1) = floor(u/v), r[0..n) = u mod v.
// Either of q and r may be null. Knuth, TAOCP vol. 2, 4.3.1, Algorithm D.
void DivModLimbs(const u64* u, int m, const u64* v, int n, u64* q, u64* r);

template <int N>
struct Nat {
  static_assert(N >= 1);
  std::array<u64, N> w{};

  static constexpr Nat FromU128(u128 x) {
    Nat r;
    r.w[0] = static_cast<u64>(x);
    if constexpr (N > 1)
      r.w[1] = static_cast<u64>(x >> 64);
    else
      QFS_CHECK((x >> 64) == 0);
    return r;
  }
  // Value v * 2^(64*limb_shift).
  static constexpr Nat FromU128Shifted(u128 x, int limb_shift) {
    QFS_CHECK(limb_shift + 2 <= N);
    Nat r;
    r.w[limb_shift] = static_cast<u64>(x);
    r.w[limb_shift + 1] = static_cast<u64>(x >> 64);
    return r;
  }

  constexpr bool IsZero() const {
    for (u64 x : w) {
      if (x != 0) return false;
    }
    return true;
  }
  // Number of significant bits (0 for zero).
  constexpr int BitLength() const {
    for (int i = N - 1; i >= 0; --i) {
      if (w[i] != 0) return 64 * i + 64 - std::countl_zero(w[i]);
    }
    return 0;
  }
  constexpr bool Bit(int i) const { return (w[i / 64] >> (i % 64)) & 1; }
  // Limbs [from, from+2) as a u128 (limbs past N read as zero).
  constexpr u128 U128At(int from) const {
    u128 lo = from < N ? w[from] : 0;
    u128 hi = from + 1 < N ? w[from + 1] : 0;
    return lo | hi << 64;
  }
  // True iff every limb at index >= from is zero.
  constexpr bool ZeroFrom(int from) const {
    for (int i = from; i < N; ++i) {
      if (w[i] != 0) return false;
    }
    return true;
  }

  friend constexpr int Compare(const Nat& a, const Nat& b) {
    for (int i = N - 1; i >= 0; --i) {
      if (a.w[i] != b.w[i]) return a.w[i] < b.w[i] ? -1 : 1;
    }
    return 0;
  }
  friend constexpr bool operator==(const Nat& a, const Nat& b) { return a.w == b.w; }
  friend constexpr bool operator<(const Nat& a, const Nat& b) { return Compare(a, b) < 0; }
  friend constexpr bool operator<=(const Nat& a, const Nat& b) { return Compare(a, b) <= 0; }

  // this += b; returns the carry out.
  constexpr u64 AddInPlace(const Nat& b) {
    u64 carry = 0;
    for (int i = 0; i < N; ++i) {
      u128 s = static_cast<u128>(w[i]) + b.w[i] + carry;
      w[i] = static_cast<u64>(s);
      carry = static_cast<u64>(s >> 64);
    }
    return carry;
  }
  // this -= b; returns the borrow out.
  constexpr u64 SubInPlace(const Nat& b) {
    u64 borrow = 0;
    for (int i = 0; i < N; ++i) {
      u128 d = static_cast<u128>(w[i]) - b.w[i] - borrow;
      w[i] = static_cast<u64>(d);
      borrow = static_cast<u64>(d >> 64) & 1;
    }
    return borrow;
  }
  // this *= m; returns the carry limb.
  constexpr u64 MulSmallInPlace(u64 m) {
    u64 carry = 0;
    for (int i = 0; i < N; ++i) {
      u128 p = static_cast<u128>(w[i]) * m + carry;
      w[i] = static_cast<u64>(p);
      carry = static_cast<u64>(p >> 64);
    }
    return carry;
  }
  // this = floor(this / d); returns the remainder. REQUIRES: d != 0.
  u64 DivSmallInPlace(u64 d) {
    QFS_CHECK(d != 0);
    u64 rem = 0;
    for (int i = N - 1; i >= 0; --i) w[i] = Div128By64(rem, w[i], d, &rem);
    return rem;
  }
  // Faster for a divisor whose reciprocal is precomputed (a constexpr Divisor).
  constexpr u64 DivInPlace(const Divisor& divisor) {
    const int s = divisor.shift;
    // Divide (this << s) by the normalized divisor, limb by limb from the top.
    u64 rem = s == 0 ? 0 : w[N - 1] >> (64 - s);
    for (int i = N - 1; i >= 0; --i) {
      u64 limb = w[i] << s | (s == 0 || i == 0 ? 0 : w[i - 1] >> (64 - s));
      w[i] = Div2By1(rem, limb, divisor.normalized, divisor.reciprocal, &rem);
    }
    return rem >> s;
  }
  // Shifts by `bits` (any non-negative count; bits shifted out are lost).
  constexpr void ShiftLeftInPlace(int bits) {
    QFS_CHECK(bits >= 0);
    int limbs = bits / 64;
    int b = bits % 64;
    for (int i = N - 1; i >= 0; --i) {
      u64 hi = i - limbs >= 0 ? w[i - limbs] : 0;
      u64 lo = i - limbs - 1 >= 0 ? w[i - limbs - 1] : 0;
      w[i] = b == 0 ? hi : (hi << b | lo >> (64 - b));
    }
  }
  constexpr void ShiftRightInPlace(int bits) {
    QFS_CHECK(bits >= 0);
    int limbs = bits / 64;
    int b = bits % 64;
    for (int i = 0; i < N; ++i) {
      u64 lo = i + limbs < N ? w[i + limbs] : 0;
      u64 hi = i + limbs + 1 < N ? w[i + limbs + 1] : 0;
      w[i] = b == 0 ? lo : (lo >> b | hi << (64 - b));
    }
  }
};

template <int N>
constexpr Nat<N> operator+(Nat<N> a, const Nat<N>& b) {
  QFS_CHECK(a.AddInPlace(b) == 0);
  return a;
}
template <int N>
constexpr Nat<N> operator-(Nat<N> a, const Nat<N>& b) {
  QFS_CHECK(a.SubInPlace(b) == 0);
  return a;
}

// Number of significant limbs (at least 1).
template <int N>
constexpr int SignificantLimbs(const Nat<N>& a) {
  int n = N;
  while (n > 1 && a.w[n - 1] == 0) --n;
  return n;
}

// Full product: Nat<N+M>. Only significant limbs are multiplied.
template <int N, int M>
constexpr Nat<N + M> MulFull(const Nat<N>& a, const Nat<M>& b) {
  Nat<N + M> r;
  const int na = SignificantLimbs(a);
  const int nb = SignificantLimbs(b);
  for (int i = 0; i < na; ++i) {
    u64 carry = 0;
    for (int j = 0; j < nb; ++j) {
      u128 p = static_cast<u128>(a.w[i]) * b.w[j] + r.w[i + j] + carry;
      r.w[i + j] = static_cast<u64>(p);
      carry = static_cast<u64>(p >> 64);
    }
    r.w[i + nb] = carry;
  }
  return r;
}

// Resizes, checking that nothing significant is dropped.
template <int M, int N>
constexpr Nat<M> Resize(const Nat<N>& a) {
  Nat<M> r;
  for (int i = 0; i < std::min(N, M); ++i) r.w[i] = a.w[i];
  QFS_CHECK(a.ZeroFrom(M));
  return r;
}

// floor(a / b) and a mod b. REQUIRES: b != 0.
template <int N, int M>
Nat<N> DivMod(const Nat<N>& a, const Nat<M>& b, Nat<M>* remainder) {
  QFS_CHECK(!b.IsZero());
  int n = SignificantLimbs(b);
  int m = SignificantLimbs(a);
  Nat<N> q;
  Nat<M> r;
  if (m < n) {
    for (int i = 0; i < M; ++i) r.w[i] = i < N ? a.w[i] : 0;
  } else {
    DivModLimbs(a.w.data(), m, b.w.data(), n, q.w.data(), r.w.data());
  }
  if (remainder != nullptr) *remainder = r;
  return q;
}

// floor(sqrt(a)).
template <int N>
Nat<N> ISqrt(const Nat<N>& a) {
  if (a.IsZero()) return a;
  // Start above the root: 2^ceil(bits/2); Newton's iteration then decreases monotonically.
  Nat<N> x;
  int bits = (a.BitLength() + 1) / 2;
  x.w[bits / 64] = u64{1} << (bits % 64);
  while (true) {
    Nat<N> y = DivMod(a, x, static_cast<Nat<N>*>(nullptr));
    QFS_CHECK(y.AddInPlace(x) == 0);
    y.ShiftRightInPlace(1);
    if (!(y < x)) return x;
    x = y;
  }
}

}  // namespace qfs::math::internal

#endif  // QFS_MATH_INTERNAL_NAT_H_
