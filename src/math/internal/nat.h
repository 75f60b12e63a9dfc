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
    if constexpr (N > 1) r.w[1] = static_cast<u64>(x >> 64);
    else QFS_CHECK((x >> 64) == 0);
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
  constexpr u64 DivSmallInPlace(u64 d) {
    QFS_CHECK(d != 0);
    u64 rem = 0;
    for (int i = N - 1; i >= 0; --i) {
      u128 cur = static_cast<u128>(rem) << 64 | w[i];
      w[i] = static_cast<u64>(cur / d);
      rem = static_cast<u64>(cur % d);
    }
    return rem;
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

// Full product: Nat<N+M>.
template <int N, int M>
constexpr Nat<N + M> MulFull(const Nat<N>& a, const Nat<M>& b) {
  Nat<N + M> r;
  for (int i = 0; i < N; ++i) {
    if (a.w[i] == 0) continue;
    u64 carry = 0;
    for (int j = 0; j < M; ++j) {
      u128 p = static_cast<u128>(a.w[i]) * b.w[j] + r.w[i + j] + carry;
      r.w[i + j] = static_cast<u64>(p);
      carry = static_cast<u64>(p >> 64);
    }
    r.w[i + M] = carry;
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

// Number of significant limbs (at least 1).
template <int N>
constexpr int SignificantLimbs(const Nat<N>& a) {
  int n = N;
  while (n > 1 && a.w[n - 1] == 0) --n;
  return n;
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
