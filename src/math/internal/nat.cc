#include "math/internal/nat.h"

namespace qfs::math::internal {
namespace {

constexpr int kLimbsMax = 64;

void DivBySingleLimb(const u64* u, int m, u64 v, u64* q, u64* r) {
  u64 rem = 0;
  for (int i = m - 1; i >= 0; --i) {
    u64 qi = Div128By64(rem, u[i], v, &rem);
    if (q != nullptr) q[i] = qi;
  }
  if (r != nullptr) r[0] = rem;
}

// un[j..j+n] -= qhat * vn[0..n); returns true if the result went negative.
bool MulSub(u64* un, const u64* vn, int n, u64 qhat) {
  u64 carry = 0;
  u64 borrow = 0;
  for (int i = 0; i < n; ++i) {
    u128 p = static_cast<u128>(qhat) * vn[i] + carry;
    carry = static_cast<u64>(p >> 64);
    u64 lo = static_cast<u64>(p);
    u64 d1 = un[i] - lo;
    u64 b1 = un[i] < lo ? 1 : 0;
    u64 d2 = d1 - borrow;
    u64 b2 = d1 < borrow ? 1 : 0;
    un[i] = d2;
    borrow = b1 + b2;
  }
  u128 need = static_cast<u128>(carry) + borrow;
  bool negative = un[n] < need;
  un[n] = static_cast<u64>(un[n] - need);
  return negative;
}

void AddBack(u64* un, const u64* vn, int n) {
  u64 carry = 0;
  for (int i = 0; i < n; ++i) {
    u128 s = static_cast<u128>(un[i]) + vn[i] + carry;
    un[i] = static_cast<u64>(s);
    carry = static_cast<u64>(s >> 64);
  }
  un[n] += carry;
}

}  // namespace

void DivModLimbs(const u64* u, int m, const u64* v, int n, u64* q, u64* r) {
  QFS_CHECK(n >= 1 && m >= n && m < kLimbsMax && v[n - 1] != 0);
  if (n == 1) return DivBySingleLimb(u, m, v[0], q, r);

  const int s = std::countl_zero(v[n - 1]);
  std::array<u64, kLimbsMax> vn;  // only [0, n) and [0, m] are used; both are written first
  std::array<u64, kLimbsMax + 1> un;
  for (int i = n - 1; i > 0; --i) vn[i] = s == 0 ? v[i] : (v[i] << s | v[i - 1] >> (64 - s));
  vn[0] = v[0] << s;
  un[m] = s == 0 ? 0 : u[m - 1] >> (64 - s);
  for (int i = m - 1; i > 0; --i) un[i] = s == 0 ? u[i] : (u[i] << s | u[i - 1] >> (64 - s));
  un[0] = u[0] << s;

  const u128 base = static_cast<u128>(1) << 64;
  const u64 top = vn[n - 1];
  const u64 top_reciprocal = Divisor(top).reciprocal;
  for (int j = m - n; j >= 0; --j) {
    // qhat = min(floor((un[j+n]:un[j+n-1]) / top), 2^64 - 1); un[j+n] <= top always holds.
    u128 qhat;
    u128 rhat;
    if (un[j + n] >= top) {
      qhat = base - 1;
      rhat = static_cast<u128>(un[j + n - 1]) + top;
    } else {
      u64 remainder = 0;
      qhat = Div2By1(un[j + n], un[j + n - 1], top, top_reciprocal, &remainder);
      rhat = remainder;
    }
    while (rhat < base && qhat * vn[n - 2] > (rhat << 64 | un[j + n - 2])) {
      --qhat;
      rhat += top;
    }
    if (MulSub(&un[j], vn.data(), n, static_cast<u64>(qhat))) {
      --qhat;
      AddBack(&un[j], vn.data(), n);
    }
    if (q != nullptr) q[j] = static_cast<u64>(qhat);
  }
  if (r != nullptr) {
    for (int i = 0; i < n; ++i) r[i] = s == 0 ? un[i] : (un[i] >> s | un[i + 1] << (64 - s));
  }
}

}  // namespace qfs::math::internal
