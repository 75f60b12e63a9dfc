// ML-DSA per FIPS 204. Algorithm numbers in comments refer to the standard.
#include "crypto/mldsa.h"

#include <openssl/evp.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <vector>

#include "base/check.h"
#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/keccak.h"

namespace qfs::crypto {
namespace {

constexpr int kN = 256;
constexpr std::int32_t kQ = 8380417;
constexpr int kD = 13;

struct Params {
  int k, l, eta, tau, lambda, omega;
  std::int32_t gamma1, gamma2;
  int beta() const { return tau * eta; }
  int eta_bits() const { return eta == 2 ? 3 : 4; }
  int z_bits() const { return gamma1 == (1 << 17) ? 18 : 20; }
  int w1_bits() const { return gamma2 == (kQ - 1) / 88 ? 6 : 4; }
  std::size_t ctilde_bytes() const { return static_cast<std::size_t>(lambda / 4); }
};

Params ParamsFor(MlDsaParameterSet set) {
  switch (set) {
    case MlDsaParameterSet::k44:
      return {4, 4, 2, 39, 128, 80, 1 << 17, (kQ - 1) / 88};
    case MlDsaParameterSet::k65:
      return {6, 5, 4, 49, 192, 55, 1 << 19, (kQ - 1) / 32};
    case MlDsaParameterSet::k87:
      return {8, 7, 2, 60, 256, 75, 1 << 19, (kQ - 1) / 32};
  }
  QFS_CHECK(false);
}

using Poly = std::array<std::int32_t, kN>;  // coefficients in [0, q)
struct PolyVec {
  std::vector<Poly> p;
  explicit PolyVec(int n) : p(static_cast<std::size_t>(n)) {}
  ~PolyVec() { SecureWipe(p.data(), p.size() * sizeof(Poly)); }
  Poly& operator[](int i) { return p[static_cast<std::size_t>(i)]; }
  const Poly& operator[](int i) const { return p[static_cast<std::size_t>(i)]; }
  int size() const { return static_cast<int>(p.size()); }
};

// --- Arithmetic mod q, branch-free ------------------------------------------------------------
constexpr std::int32_t CondSubQ(std::int32_t r) {  // r in [0, 2q) -> [0, q)
  r -= kQ;
  return r + (kQ & (r >> 31));
}
constexpr std::int32_t Add(std::int32_t a, std::int32_t b) { return CondSubQ(a + b); }
constexpr std::int32_t Sub(std::int32_t a, std::int32_t b) { return CondSubQ(a - b + kQ); }
// A small signed value (|v| < q) as a coefficient.
constexpr std::int32_t FromSigned(std::int32_t v) { return v + (kQ & (v >> 31)); }
// The centered representative of a coefficient, in (-(q-1)/2, (q-1)/2].
constexpr std::int32_t Centered(std::int32_t a) { return a - (kQ & (((kQ - 1) / 2 - a) >> 31)); }
constexpr std::int32_t Abs(std::int32_t v) { return (v ^ (v >> 31)) - (v >> 31); }

constexpr std::int32_t PowMod(std::int64_t base, int e) {
  std::int64_t r = 1;
  for (; e != 0; e >>= 1, base = base * base % kQ) {
    if (e & 1) r = r * base % kQ;
  }
  return static_cast<std::int32_t>(r);
}
constexpr int BitRev8(int i) {
  int r = 0;
  for (int b = 0; b < 8; ++b) r |= ((i >> b) & 1) << (7 - b);
  return r;
}
// The NTT works in Montgomery form with R = 2^32: MontgomeryReduce(a) = a * R^-1 mod q, in
// (-q, q) for |a| < 2^31 q. Twiddle factors are stored premultiplied by R, so a butterfly's
// product is exact; coefficients inside the transforms are kept lazily reduced (signed, bounded as
// noted), and every transform ends with canonical coefficients in [0, q).
constexpr std::int32_t kQInv = 58728449;  // q^-1 mod 2^32
static_assert(static_cast<std::uint32_t>(kQ) * static_cast<std::uint32_t>(kQInv) == 1u);

constexpr std::int32_t MontgomeryReduce(std::int64_t a) {
  const auto t =
      static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(kQInv));
  return static_cast<std::int32_t>((a - static_cast<std::int64_t>(t) * kQ) >> 32);
}
// The product of two coefficients times R^-1; inputs |a|, |b| < q. Output in (-q, q).
constexpr std::int32_t MulMontgomery(std::int32_t a, std::int32_t b) {
  return MontgomeryReduce(static_cast<std::int64_t>(a) * b);
}

constexpr std::int32_t kMontR = static_cast<std::int32_t>((std::int64_t{1} << 32) % kQ);
constexpr std::array<std::int32_t, 256> kZetas = [] {  // zeta = 1753, times R, centered
  std::array<std::int32_t, 256> z{};
  for (int i = 0; i < 256; ++i) {
    std::int32_t v = static_cast<std::int32_t>(static_cast<std::int64_t>(PowMod(1753, BitRev8(i))) *
                                               kMontR % kQ);
    z[static_cast<std::size_t>(i)] = v > kQ / 2 ? v - kQ : v;
  }
  return z;
}();
// R^2 / 256 mod q: ends the inverse transform, undoing the R^-1 of a Montgomery product.
constexpr std::int32_t kInvNttFactor = 41978;
static_assert(static_cast<std::int64_t>(kInvNttFactor) * 256 % kQ ==
              static_cast<std::int64_t>(kMontR) * kMontR % kQ);

// A lazily reduced value with |a| < 2^31 as a canonical coefficient.
constexpr std::int32_t Freeze(std::int32_t a) {
  const std::int32_t r = a - ((a + (1 << 22)) >> 23) * kQ;  // |r| < q
  return FromSigned(r);
}

// One layer of Algorithm 41 (Cooley-Tukey butterflies); m counts the twiddle factors used.
inline void NttLayer(Poly& w, int len, int& m) {
  for (int start = 0; start < kN; start += 2 * len) {
    const std::int32_t z = kZetas[static_cast<std::size_t>(++m)];
    for (int j = start; j < start + len; ++j) {
      const std::int32_t t = MulMontgomery(z, w[j + len]);
      w[j + len] = w[j] - t;
      w[j] = w[j] + t;
    }
  }
}

// One layer of Algorithm 42 (Gentleman-Sande butterflies); m counts down.
inline void InvNttLayer(Poly& w, int len, int& m) {
  for (int start = 0; start < kN; start += 2 * len) {
    const std::int32_t z = -kZetas[static_cast<std::size_t>(--m)];
    for (int j = start; j < start + len; ++j) {
      const std::int32_t t = w[j];
      w[j] = t + w[j + len];
      w[j + len] = MulMontgomery(z, t - w[j + len]);
    }
  }
}

// Algorithm 41. Input in [0, q); each layer grows the bound by q, so |w| < 9q before Freeze.
void NttPortable(Poly& w) {
  int m = 0;
  for (int len = 128; len >= 1; len /= 2) NttLayer(w, len, m);
  for (std::int32_t& c : w) c = Freeze(c);
}

// Algorithm 42 applied to a sum of Montgomery products (see PointwiseAccumulate), which it also
// multiplies by R: the result is the true inverse transform of the products. Input in [0, q); the
// sums double per layer, so |w| < 256q < 2^31.
void InvNttPortable(Poly& w) {
  int m = 256;
  for (int len = 1; len < kN; len *= 2) InvNttLayer(w, len, m);
  for (std::int32_t& c : w) c = FromSigned(MulMontgomery(kInvNttFactor, c));
}

#if defined(__x86_64__)
// The same transforms with AVX2, eight coefficients at a time in the layers with len >= 8 (the
// last three layers stay scalar). Every lane computes exactly what the portable code computes.
constexpr std::array<std::int32_t, 256> kZetasQInv = [] {  // zeta * q^-1 mod 2^32
  std::array<std::int32_t, 256> z{};
  for (std::size_t i = 0; i < 256; ++i) {
    z[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(kZetas[i]) *
                                     static_cast<std::uint32_t>(kQInv));
  }
  return z;
}();

// MulMontgomery in each lane: t = w * (z q^-1) mod 2^32 makes z w - t q divisible by 2^32, so
// its high half, from two 64-bit products per lane pair, is the result.
[[gnu::target("avx2")]] inline __m256i MulMontgomery8(__m256i w, __m256i z, __m256i z_qinv) {
  const __m256i q = _mm256_set1_epi32(kQ);
  const __m256i t = _mm256_mullo_epi32(w, z_qinv);
  const __m256i even = _mm256_sub_epi64(_mm256_mul_epi32(w, z), _mm256_mul_epi32(t, q));
  const __m256i odd =
      _mm256_sub_epi64(_mm256_mul_epi32(_mm256_srli_epi64(w, 32), _mm256_srli_epi64(z, 32)),
                       _mm256_mul_epi32(_mm256_srli_epi64(t, 32), q));
  return _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

[[gnu::target("avx2")]] inline __m256i Load8(const std::int32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
[[gnu::target("avx2")]] inline void Store8(std::int32_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}
// FromSigned in each lane.
[[gnu::target("avx2")]] inline __m256i FromSigned8(__m256i v) {
  return _mm256_add_epi32(v, _mm256_and_si256(_mm256_set1_epi32(kQ), _mm256_srai_epi32(v, 31)));
}

// The last three forward layers (first three inverse ones) pair coefficients inside blocks of
// eight. They run on a chunk of 64 coefficients transposed, so that vector i holds coefficient i
// of each of the chunk's eight blocks, and every butterfly is again between whole vectors, with
// one twiddle factor per lane. kSmallZetas[inverse][chunk][slot] holds those factors: slot 0 for
// len 4; 1-2 for len 2 (columns 0-3, 4-7); 3-6 for len 1 (columns 0-1, 2-3, 4-5, 6-7).
struct SmallZetaTable {
  std::int32_t zeta[2][4][7][8];
  std::int32_t zeta_qinv[2][4][7][8];
};
constexpr SmallZetaTable kSmallZetas = [] {
  SmallZetaTable t{};
  constexpr int kLen[7] = {4, 2, 2, 1, 1, 1, 1};
  constexpr int kColumn[7] = {0, 0, 4, 0, 2, 4, 6};
  for (int inverse = 0; inverse < 2; ++inverse) {
    for (int chunk = 0; chunk < 4; ++chunk) {
      for (int slot = 0; slot < 7; ++slot) {
        for (int b = 0; b < 8; ++b) {
          const int len = kLen[slot];
          const int group = (64 * chunk + 8 * b + kColumn[slot]) / (2 * len);
          const int m = inverse != 0 ? 256 / len - 1 - group : 128 / len + group;
          const std::int32_t z = inverse != 0 ? -kZetas[static_cast<std::size_t>(m)]
                                              : kZetas[static_cast<std::size_t>(m)];
          t.zeta[inverse][chunk][slot][b] = z;
          t.zeta_qinv[inverse][chunk][slot][b] = static_cast<std::int32_t>(
              static_cast<std::uint32_t>(z) * static_cast<std::uint32_t>(kQInv));
        }
      }
    }
  }
  return t;
}();

// Transposes the 8x8 matrix of 32-bit values whose rows are r[0..7]; its own inverse.
[[gnu::target("avx2")]] inline void Transpose8x8(__m256i* r) {
  __m256i t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
  }
}

// Butterflies between vectors c[top] and c[top + len] with the factors of one slot.
[[gnu::target("avx2")]] inline void SmallLayer(__m256i* c, int inverse, int chunk, int slot,
                                               int first, int len) {
  const __m256i z = Load8(kSmallZetas.zeta[inverse][chunk][slot]);
  const __m256i zq = Load8(kSmallZetas.zeta_qinv[inverse][chunk][slot]);
  for (int i = first; i < first + len; ++i) {
    if (inverse == 0) {
      const __m256i t = MulMontgomery8(c[i + len], z, zq);
      c[i + len] = _mm256_sub_epi32(c[i], t);
      c[i] = _mm256_add_epi32(c[i], t);
    } else {
      const __m256i a = c[i];
      c[i] = _mm256_add_epi32(a, c[i + len]);
      c[i + len] = MulMontgomery8(_mm256_sub_epi32(a, c[i + len]), z, zq);
    }
  }
}

[[gnu::target("avx2")]] inline void LoadChunk(const Poly& w, int chunk, __m256i* c) {
  for (int i = 0; i < 8; ++i) c[i] = Load8(&w[64 * chunk + 8 * i]);
  Transpose8x8(c);
}
[[gnu::target("avx2")]] inline void StoreChunk(__m256i* c, int chunk, Poly& w) {
  Transpose8x8(c);
  for (int i = 0; i < 8; ++i) Store8(&w[64 * chunk + 8 * i], c[i]);
}

[[gnu::target("avx2")]] void NttAvx2(Poly& w) {
  int m = 0;
  for (int len = 128; len >= 8; len /= 2) {
    for (int start = 0; start < kN; start += 2 * len) {
      ++m;
      const __m256i z = _mm256_set1_epi32(kZetas[static_cast<std::size_t>(m)]);
      const __m256i zq = _mm256_set1_epi32(kZetasQInv[static_cast<std::size_t>(m)]);
      for (int j = start; j < start + len; j += 8) {
        const __m256i a = Load8(&w[j]);
        const __m256i t = MulMontgomery8(Load8(&w[j + len]), z, zq);
        Store8(&w[j + len], _mm256_sub_epi32(a, t));
        Store8(&w[j], _mm256_add_epi32(a, t));
      }
    }
  }
  const __m256i q = _mm256_set1_epi32(kQ);
  for (int chunk = 0; chunk < 4; ++chunk) {
    __m256i c[8];
    LoadChunk(w, chunk, c);
    SmallLayer(c, 0, chunk, 0, 0, 4);
    SmallLayer(c, 0, chunk, 1, 0, 2);
    SmallLayer(c, 0, chunk, 2, 4, 2);
    for (int slot = 3; slot < 7; ++slot) SmallLayer(c, 0, chunk, slot, 2 * (slot - 3), 1);
    for (__m256i& a : c) {  // Freeze
      const __m256i k = _mm256_srai_epi32(_mm256_add_epi32(a, _mm256_set1_epi32(1 << 22)), 23);
      a = FromSigned8(_mm256_sub_epi32(a, _mm256_mullo_epi32(k, q)));
    }
    StoreChunk(c, chunk, w);
  }
}

[[gnu::target("avx2")]] void InvNttAvx2(Poly& w) {
  for (int chunk = 0; chunk < 4; ++chunk) {
    __m256i c[8];
    LoadChunk(w, chunk, c);
    for (int slot = 3; slot < 7; ++slot) SmallLayer(c, 1, chunk, slot, 2 * (slot - 3), 1);
    SmallLayer(c, 1, chunk, 1, 0, 2);
    SmallLayer(c, 1, chunk, 2, 4, 2);
    SmallLayer(c, 1, chunk, 0, 0, 4);
    StoreChunk(c, chunk, w);
  }
  int m = 32;
  for (int len = 8; len < kN; len *= 2) {
    for (int start = 0; start < kN; start += 2 * len) {
      --m;
      const __m256i z = _mm256_set1_epi32(-kZetas[static_cast<std::size_t>(m)]);
      const __m256i zq = _mm256_set1_epi32(-kZetasQInv[static_cast<std::size_t>(m)]);
      for (int j = start; j < start + len; j += 8) {
        const __m256i a = Load8(&w[j]);
        const __m256i b = Load8(&w[j + len]);
        Store8(&w[j], _mm256_add_epi32(a, b));
        Store8(&w[j + len], MulMontgomery8(_mm256_sub_epi32(a, b), z, zq));
      }
    }
  }
  const __m256i f = _mm256_set1_epi32(kInvNttFactor);
  const __m256i fq = _mm256_set1_epi32(static_cast<std::int32_t>(
      static_cast<std::uint32_t>(kInvNttFactor) * static_cast<std::uint32_t>(kQInv)));
  for (int j = 0; j < kN; j += 8) Store8(&w[j], FromSigned8(MulMontgomery8(Load8(&w[j]), f, fq)));
}

// acc += a * b * R^-1 (see below), eight lanes at a time.
[[gnu::target("avx2")]] void PointwiseAccumulateAvx2(const Poly& a, const Poly& b, Poly& acc) {
  const __m256i q = _mm256_set1_epi32(kQ);
  const __m256i qinv = _mm256_set1_epi32(kQInv);
  for (int i = 0; i < kN; i += 8) {
    const __m256i x = Load8(&a[i]);
    const __m256i product =
        FromSigned8(MulMontgomery8(Load8(&b[i]), x, _mm256_mullo_epi32(x, qinv)));
    const __m256i sum = _mm256_sub_epi32(_mm256_add_epi32(Load8(&acc[i]), product), q);
    Store8(&acc[i], FromSigned8(sum));
  }
}
#endif

void Ntt(Poly& w) {
#if defined(__x86_64__)
  if (Cpu().avx2) return NttAvx2(w);
#endif
  NttPortable(w);
}

void InvNtt(Poly& w) {
#if defined(__x86_64__)
  if (Cpu().avx2) return InvNttAvx2(w);
#endif
  InvNttPortable(w);
}

// acc += a * b * R^-1, coefficient-wise, in [0, q). Everything InvNtt is applied to is built from
// these products.
void PointwiseAccumulate(const Poly& a, const Poly& b, Poly& acc) {
#if defined(__x86_64__)
  if (Cpu().avx2) return PointwiseAccumulateAvx2(a, b, acc);
#endif
  for (int i = 0; i < kN; ++i) acc[i] = Add(acc[i], FromSigned(MulMontgomery(a[i], b[i])));
}

// --- Rounding (Algorithms 35 to 40) ---------------------------------------------------------
// floor(r / d) for 0 <= r < 2^29 and the divisors used here, by multiplication.
constexpr std::int32_t DivideBy(std::int32_t r, std::int32_t d) {
  const std::uint64_t magic = ((std::uint64_t{1} << 48) + static_cast<std::uint64_t>(d) - 1) /
                              static_cast<std::uint64_t>(d);
  return static_cast<std::int32_t>((static_cast<std::uint64_t>(r) * magic) >> 48);
}

void Power2Round(std::int32_t r, std::int32_t* r1, std::int32_t* r0) {
  std::int32_t low = r & ((1 << kD) - 1);
  low -= (1 << kD) & (((1 << (kD - 1)) - low) >> 31);  // centered: (-2^12, 2^12]
  *r0 = low;
  *r1 = (r - low) >> kD;
}

// Algorithm 36: r = r1 * 2 gamma2 + r0, with the q - 1 corner case.
// gamma2 is (q-1)/88 or (q-1)/32; dividing by a constant 2 gamma2 compiles to a multiplication.
template <std::int32_t kGamma2>
[[gnu::always_inline]] inline void DecomposeFor(std::int32_t r, std::int32_t* r1,
                                                std::int32_t* r0) {
  constexpr std::int32_t kAlpha = 2 * kGamma2;
  std::int32_t quotient = DivideBy(r, kAlpha);
  std::int32_t low = r - quotient * kAlpha;         // [0, alpha)
  const std::int32_t over = (kGamma2 - low) >> 31;  // all ones iff low > gamma2
  low -= kAlpha & over;
  quotient += 1 & over;
  const std::int32_t corner =
      ~((r - low - (kQ - 1)) | (kQ - 1 - (r - low))) >> 31;  // r - low == q-1
  *r1 = quotient & ~corner;
  *r0 = low - (1 & corner);
}
constexpr std::int32_t kGamma2Small = (kQ - 1) / 88;
constexpr std::int32_t kGamma2Large = (kQ - 1) / 32;

// The branch is on the public parameter set only.
[[gnu::always_inline]] inline void Decompose(std::int32_t r, std::int32_t gamma2, std::int32_t* r1,
                                             std::int32_t* r0) {
  if (gamma2 == kGamma2Small) return DecomposeFor<kGamma2Small>(r, r1, r0);
  DecomposeFor<kGamma2Large>(r, r1, r0);
}

std::int32_t HighBits(std::int32_t r, std::int32_t gamma2) {
  std::int32_t r1, r0;
  Decompose(r, gamma2, &r1, &r0);
  return r1;
}

std::int32_t UseHint(bool h, std::int32_t r, std::int32_t gamma2) {  // verification: public
  const std::int32_t m = (kQ - 1) / (2 * gamma2);
  std::int32_t r1, r0;
  Decompose(r, gamma2, &r1, &r0);
  if (!h) return r1;
  if (r0 > 0) return r1 + 1 == m ? 0 : r1 + 1;
  return r1 == 0 ? m - 1 : r1 - 1;
}

// --- Bit packing (Algorithms 16 to 21) -----------------------------------------------------------
// Packs each value (already in [0, 2^bits)) little-endian, bits per value. Eight values fill
// exactly `bits` bytes, so with the width a constant each group of eight is straight-line code.
template <int kBits>
void PackBitsFixed(const std::int32_t* values, int count, std::uint8_t* out) {
  for (int g = 0; g < count; g += 8, out += kBits) {
    std::uint64_t acc = 0;
    int have = 0, used = 0;
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      acc |= static_cast<std::uint64_t>(values[g + i]) << have;
      have += kBits;
      while (have >= 8) {
        out[used++] = static_cast<std::uint8_t>(acc);
        acc >>= 8;
        have -= 8;
      }
    }
  }
}
template <int kBits>
void UnpackBitsFixed(const std::uint8_t* in, int count, std::int32_t* values) {
  for (int g = 0; g < count; g += 8, in += kBits) {
    std::uint64_t acc = 0;
    int have = 0, used = 0;
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      while (have < kBits) {
        acc |= static_cast<std::uint64_t>(in[used++]) << have;
        have += 8;
      }
      values[g + i] = static_cast<std::int32_t>(acc & ((std::uint64_t{1} << kBits) - 1));
      acc >>= kBits;
      have -= kBits;
    }
  }
}

// REQUIRES: count % 8 == 0; bits is one of the widths FIPS 204 uses.
void PackBits(const std::int32_t* values, int count, int bits, std::uint8_t* out) {
  switch (bits) {
    case 3:
      return PackBitsFixed<3>(values, count, out);
    case 4:
      return PackBitsFixed<4>(values, count, out);
    case 6:
      return PackBitsFixed<6>(values, count, out);
    case 10:
      return PackBitsFixed<10>(values, count, out);
    case 13:
      return PackBitsFixed<13>(values, count, out);
    case 18:
      return PackBitsFixed<18>(values, count, out);
    case 20:
      return PackBitsFixed<20>(values, count, out);
    default:
      QFS_CHECK(false);
  }
}
void UnpackBits(const std::uint8_t* in, int count, int bits, std::int32_t* values) {
  switch (bits) {
    case 3:
      return UnpackBitsFixed<3>(in, count, values);
    case 4:
      return UnpackBitsFixed<4>(in, count, values);
    case 6:
      return UnpackBitsFixed<6>(in, count, values);
    case 10:
      return UnpackBitsFixed<10>(in, count, values);
    case 13:
      return UnpackBitsFixed<13>(in, count, values);
    case 18:
      return UnpackBitsFixed<18>(in, count, values);
    case 20:
      return UnpackBitsFixed<20>(in, count, values);
    default:
      QFS_CHECK(false);
  }
}
// BitPack(w, a, b): stores b - w for w in [-a, b].
void PackCentered(const Poly& w, std::int32_t b, int bits, std::uint8_t* out) {
  Poly t;
  for (int i = 0; i < kN; ++i) t[i] = Sub(b, w[i]);
  PackBits(t.data(), kN, bits, out);
  SecureWipe(t.data(), sizeof(t));
}
void UnpackCentered(const std::uint8_t* in, std::int32_t b, int bits, Poly& w) {
  UnpackBits(in, kN, bits, w.data());
  for (std::int32_t& c : w) c = Sub(b, c);
}

// --- Hashing and sampling (Algorithms 29 to 34) -------------------------------------------------
KeccakSponge Shake256() {
  return KeccakSponge(KeccakSponge::kShake256Rate, KeccakSponge::kShakePadding);
}

void ShakeTo(std::initializer_list<ByteSpan> parts, std::span<std::uint8_t> out) {
  KeccakSponge h = Shake256();
  for (ByteSpan p : parts) h.Absorb(p);
  h.Squeeze(out);
}

// Rejection sampling of 23-bit candidates from 3-byte groups (the body of Algorithm 30): appends
// the accepted values to out[count..] and returns the new count, at most kN. `in` is
// `size` bytes, followed by at least 8 readable bytes of slack.
int ParseUniformPortable(const std::uint8_t* in, std::size_t size, std::int32_t* out, int count) {
  for (std::size_t i = 0; i + 3 <= size && count < kN; i += 3) {
    const std::int32_t v = in[i] | (in[i + 1] << 8) | ((in[i + 2] & 0x7F) << 16);
    if (v < kQ) out[count++] = v;
  }
  return count;
}

#if defined(__x86_64__)
// For each 8-bit mask of accepted lanes, the indexes of those lanes in order.
constexpr std::array<std::uint64_t, 256> kCompressIndex = [] {
  std::array<std::uint64_t, 256> t{};
  for (int mask = 0; mask < 256; ++mask) {
    int k = 0;
    for (int lane = 0; lane < 8; ++lane) {
      if ((mask >> lane) & 1) {
        t[static_cast<std::size_t>(mask)] |= static_cast<std::uint64_t>(lane) << (8 * k++);
      }
    }
  }
  return t;
}();

// Eight candidates per step: spread 24 bytes into eight 32-bit lanes, compare with q, and
// compress the accepted lanes to the front. `out` has room for kN + 8 values.
[[gnu::target("avx2,popcnt")]] int ParseUniformAvx2(const std::uint8_t* in, std::size_t size,
                                                    std::int32_t* out, int count) {
  const __m256i spread = _mm256_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1,  //
                                          4, 5, 6, -1, 7, 8, 9, -1, 10, 11, 12, -1, 13, 14, 15, -1);
  const __m256i mask23 = _mm256_set1_epi32(0x7FFFFF);
  const __m256i q = _mm256_set1_epi32(kQ);
  std::size_t i = 0;
  for (; i + 24 <= size && count <= kN - 8; i += 24) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    v = _mm256_permute4x64_epi64(v, 0x94);  // bytes 0-15 | 8-23
    v = _mm256_and_si256(_mm256_shuffle_epi8(v, spread), mask23);
    const int accepted = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(q, v)));
    const __m256i index = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(
        static_cast<long long>(kCompressIndex[static_cast<std::size_t>(accepted)])));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + count),
                        _mm256_permutevar8x32_epi32(v, index));
    count += _mm_popcnt_u32(static_cast<unsigned>(accepted));
  }
  return ParseUniformPortable(in + i, size - i, out, count);
}
#endif

int ParseUniform(const std::uint8_t* in, std::size_t size, std::int32_t* out, int count) {
#if defined(__x86_64__)
  if (Cpu().avx2) return ParseUniformAvx2(in, size, out, count);
#endif
  return ParseUniformPortable(in, size, out, count);
}

// RejNTTPoly(rho || s || r) for four (s, r) pairs at once: uniform in the NTT domain, from four
// SHAKE128 streams. Public input. Five blocks give 280 candidates for 256 coefficients and nearly
// always suffice; a poly that needs more draws further blocks.
struct NttPolyRequest {
  std::uint8_t s, r;
  Poly* out;
};
void RejNttPolys(ByteSpan rho, const std::array<NttPolyRequest, 4>& requests) {
  constexpr std::size_t kRate = KeccakSponge::kShake128Rate;
  constexpr std::size_t kFirstBlocks = 5;
  std::array<std::array<std::uint8_t, 34>, 4> inputs;
  std::array<ByteSpan, 4> spans;
  for (std::size_t j = 0; j < 4; ++j) {
    std::copy(rho.begin(), rho.end(), inputs[j].begin());
    inputs[j][32] = requests[j].s;
    inputs[j][33] = requests[j].r;
    spans[j] = inputs[j];
  }
  KeccakSpongeX4 g(kRate, KeccakSponge::kShakePadding);
  g.AbsorbOnce(spans);
  std::array<std::array<std::uint8_t, kFirstBlocks * kRate + 32>, 4> buf{};  // + slack
  std::array<std::array<std::int32_t, kN + 8>, 4> coefficients;
  std::array<int, 4> n{};
  bool more = true;
  for (std::size_t blocks = kFirstBlocks; more; blocks = 1) {
    for (std::size_t b = 0; b < blocks; ++b) {
      g.SqueezeBlocks({buf[0].data() + b * kRate, buf[1].data() + b * kRate,
                       buf[2].data() + b * kRate, buf[3].data() + b * kRate});
    }
    more = false;
    for (std::size_t j = 0; j < 4; ++j) {
      n[j] = ParseUniform(buf[j].data(), blocks * kRate, coefficients[j].data(), n[j]);
      more = more || n[j] < kN;
    }
  }
  for (std::size_t j = 0; j < 4; ++j) {
    std::copy_n(coefficients[j].begin(), kN, requests[j].out->begin());
  }
}

// ExpandA (Algorithm 32): the k x l matrix in the NTT domain, four polynomials at a time.
struct Matrix {
  std::vector<Poly> a;
  int k, l;
  Matrix(ByteSpan rho, int k_, int l_) : a(static_cast<std::size_t>(k_ * l_)), k(k_), l(l_) {
    const int count = k * l;
    Poly spare;  // the unused ways of the last group write here
    for (int first = 0; first < count; first += 4) {
      std::array<NttPolyRequest, 4> requests;
      for (int j = 0; j < 4; ++j) {
        const int i = first + j < count ? first + j : count - 1;
        requests[static_cast<std::size_t>(j)] = {
            static_cast<std::uint8_t>(i % l), static_cast<std::uint8_t>(i / l),
            first + j < count ? &a[static_cast<std::size_t>(i)] : &spare};
      }
      RejNttPolys(rho, requests);
    }
  }
  std::size_t Index(int r, int s) const {
    return static_cast<std::size_t>(r) * static_cast<std::size_t>(l) + static_cast<std::size_t>(s);
  }
  const Poly& at(int r, int s) const { return a[Index(r, s)]; }
  Poly& at(int r, int s) { return a[Index(r, s)]; }
};

// RejBoundedPoly(rho' || r): coefficients in [-eta, eta] from SHAKE256. Whether a half-byte is
// rejected is declassified: rejected half-bytes are discarded and say nothing about the kept ones
// (the same argument as for the signing loop); the kept values are never branched on.
void RejBoundedPoly(ByteSpan seed, std::uint16_t r, int eta, Poly& a) {
  KeccakSponge h = Shake256();
  h.Absorb(seed);
  const std::uint8_t idx[2] = {static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(r >> 8)};
  h.Absorb(ByteSpan(idx, 2));
  std::array<std::uint8_t, KeccakSponge::kShake256Rate> block;
  int n = 0;
  while (n < kN) {
    h.Squeeze(block);
    for (std::size_t p = 0; p < block.size() && n < kN; ++p) {
      for (int half = 0; half < 2 && n < kN; ++half) {
        const std::int32_t b = half == 0 ? block[p] & 15 : block[p] >> 4;
        bool accept = eta == 2 ? b < 15 : b < 9;
        Declassify(&accept, sizeof(accept));
        if (!accept) continue;
        const std::int32_t value = eta == 2 ? 2 - (b - 5 * DivideBy(b, 5)) : 4 - b;
        a[n++] = FromSigned(value);
      }
    }
  }
  SecureWipe(block.data(), block.size());
}

// SampleInBall(c~): tau coefficients +-1. c~ is public (it is in the signature).
void SampleInBall(ByteSpan ctilde, int tau, Poly& c) {
  KeccakSponge h = Shake256();
  h.Absorb(ctilde);
  std::array<std::uint8_t, 8> sign_bytes;
  h.Squeeze(sign_bytes);
  std::uint64_t signs = 0;
  for (int i = 7; i >= 0; --i) signs = signs << 8 | sign_bytes[static_cast<std::size_t>(i)];
  c.fill(0);
  for (int i = kN - tau; i < kN; ++i) {
    std::uint8_t j;
    do {
      h.Squeeze(std::span<std::uint8_t>(&j, 1));
    } while (j > i);
    c[i] = c[j];
    c[j] = (signs & 1) ? kQ - 1 : 1;
    signs >>= 1;
  }
}

// ExpandMask(rho'', kappa): y with coefficients in (-gamma1, gamma1].
void ExpandMask(ByteSpan rho2, int kappa, const Params& p, PolyVec& y) {
  std::array<std::uint8_t, 32 * 20> buf;
  const std::size_t bytes = 32 * static_cast<std::size_t>(p.z_bits());
  for (int r = 0; r < p.l; ++r) {
    const int n = kappa + r;
    const std::uint8_t idx[2] = {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8)};
    ShakeTo({rho2, ByteSpan(idx, 2)}, std::span<std::uint8_t>(buf.data(), bytes));
    UnpackCentered(buf.data(), p.gamma1, p.z_bits(), y[r]);
  }
  SecureWipe(buf.data(), buf.size());
}

// --- Encodings (Algorithms 22 to 28) -----------------------------------------------------------
std::size_t PkBytes(const Params& p) { return 32 + 320 * static_cast<std::size_t>(p.k); }
std::size_t SkBytes(const Params& p) {
  return 128 + 32 * static_cast<std::size_t>((p.k + p.l) * p.eta_bits() + kD * p.k);
}
std::size_t SigBytes(const Params& p) {
  return p.ctilde_bytes() + static_cast<std::size_t>(p.l * 32 * p.z_bits() + p.omega + p.k);
}

struct SecretKey {
  std::array<std::uint8_t, 32> rho, key;
  std::array<std::uint8_t, 64> tr;
  PolyVec s1, s2, t0;  // NTT domain after decoding
  explicit SecretKey(const Params& p) : s1(p.l), s2(p.k), t0(p.k) {}
  ~SecretKey() { SecureWipe(key.data(), key.size()); }
};

// skDecode; also checks that s1, s2 lie in [-eta, eta] (a malformed key is BAD_KEY).
Status DecodeSecretKey(const Params& p, ByteSpan sk, SecretKey& out) {
  if (sk.size() != SkBytes(p)) {
    return Status(StatusCode::kBadKey,
                  "ML-DSA secret key must be " + std::to_string(SkBytes(p)) + " bytes");
  }
  const std::uint8_t* in = sk.data();
  std::copy(in, in + 32, out.rho.begin());
  std::copy(in + 32, in + 64, out.key.begin());
  std::copy(in + 64, in + 128, out.tr.begin());
  in += 128;
  std::int32_t bad = 0;
  auto read_eta = [&](Poly& s) {
    UnpackCentered(in, p.eta, p.eta_bits(), s);
    in += 32 * p.eta_bits();
    for (std::int32_t c : s) bad |= (p.eta - Abs(Centered(c))) >> 31;
  };
  for (int i = 0; i < p.l; ++i) read_eta(out.s1[i]);
  for (int i = 0; i < p.k; ++i) read_eta(out.s2[i]);
  for (int i = 0; i < p.k; ++i) {
    UnpackCentered(in, 1 << (kD - 1), kD, out.t0[i]);
    in += 32 * kD;
  }
  Declassify(&bad, sizeof(bad));
  if (bad != 0) return Status(StatusCode::kBadKey, "ML-DSA secret key has out-of-range s1/s2");
  for (int i = 0; i < p.l; ++i) Ntt(out.s1[i]);
  for (int i = 0; i < p.k; ++i) Ntt(out.s2[i]);
  for (int i = 0; i < p.k; ++i) Ntt(out.t0[i]);
  return OkStatus();
}

void EncodeW1(const Params& p, const PolyVec& w1, std::uint8_t* out) {
  for (int i = 0; i < p.k; ++i) {
    PackBits(w1[i].data(), kN, p.w1_bits(), out);
    out += 32 * p.w1_bits();
  }
}

// A vector's infinity norm is at least `bound`? Constant time over all coefficients.
std::int32_t NormAtLeast(const PolyVec& v, std::int32_t bound) {
  std::int32_t flag = 0;
  for (const Poly& poly : v.p) {
    for (std::int32_t c : poly) flag |= (bound - 1 - Abs(Centered(c))) >> 31;
  }
  return flag & 1;
}

}  // namespace

// --- Public API -------------------------------------------------------------------------------
MlDsaSizes GetMlDsaSizes(MlDsaParameterSet set) {
  Params p = ParamsFor(set);
  return {PkBytes(p), SkBytes(p), SigBytes(p)};
}

Result<MlDsaParameterSet> ParseMlDsaParameterSet(std::string_view name) {
  if (name == "ML-DSA-44" || name == "ml-dsa-44" || name == "44") return MlDsaParameterSet::k44;
  if (name == "ML-DSA-65" || name == "ml-dsa-65" || name == "65") return MlDsaParameterSet::k65;
  if (name == "ML-DSA-87" || name == "ml-dsa-87" || name == "87") return MlDsaParameterSet::k87;
  return Status(StatusCode::kUnknownAlgorithm,
                "unknown ML-DSA parameter set '" + std::string(name.substr(0, 32)) + "'");
}

std::string_view MlDsaName(MlDsaParameterSet set) {
  switch (set) {
    case MlDsaParameterSet::k44:
      return "ML-DSA-44";
    case MlDsaParameterSet::k65:
      return "ML-DSA-65";
    case MlDsaParameterSet::k87:
      return "ML-DSA-87";
  }
  QFS_CHECK(false);
}

MlDsaRandomness MlDsaRandomness::Hedged(RandomSource& random) {
  MlDsaRandomness r{Bytes(32)};
  random.Fill(r.rnd);
  return r;
}

Result<MlDsaKeyPair> MlDsaKeyGen(MlDsaParameterSet set, ByteSpan seed) {
  if (seed.size() != kMlDsaSeedBytes)
    return Status(StatusCode::kBadLength, "ML-DSA seed is 32 bytes");
  const Params p = ParamsFor(set);
  std::array<std::uint8_t, 128> expanded;  // rho || rho' || K
  const std::uint8_t kl[2] = {static_cast<std::uint8_t>(p.k), static_cast<std::uint8_t>(p.l)};
  ShakeTo({seed, ByteSpan(kl, 2)}, expanded);
  Declassify(expanded.data(), 32);  // rho is published in pk
  ByteSpan rho(expanded.data(), 32), rho1(expanded.data() + 32, 64), key(expanded.data() + 96, 32);
  Matrix a(rho, p.k, p.l);
  PolyVec s1(p.l), s2(p.k), s1_hat(p.l);
  for (int i = 0; i < p.l; ++i) RejBoundedPoly(rho1, static_cast<std::uint16_t>(i), p.eta, s1[i]);
  for (int i = 0; i < p.k; ++i) {
    RejBoundedPoly(rho1, static_cast<std::uint16_t>(p.l + i), p.eta, s2[i]);
  }
  for (int i = 0; i < p.l; ++i) {
    s1_hat[i] = s1[i];
    Ntt(s1_hat[i]);
  }
  MlDsaKeyPair kp{Bytes(PkBytes(p)), SecretBytes(SkBytes(p))};
  std::copy(rho.begin(), rho.end(), kp.public_key.begin());
  PolyVec t0(p.k);
  for (int i = 0; i < p.k; ++i) {
    Poly t{};
    for (int j = 0; j < p.l; ++j) PointwiseAccumulate(a.at(i, j), s1_hat[j], t);
    InvNtt(t);
    Poly t1;
    for (int x = 0; x < kN; ++x) Power2Round(Add(t[x], s2[i][x]), &t1[x], &t0[i][x]);
    for (std::int32_t& c : t0[i]) c = FromSigned(c);
    Declassify(t1.data(), sizeof(t1));  // published in pk
    PackBits(t1.data(), kN, 10, kp.public_key.data() + 32 + 320 * i);
  }
  std::uint8_t* out = kp.secret_key.data();
  std::copy(rho.begin(), rho.end(), out);
  std::copy(key.begin(), key.end(), out + 32);
  ShakeTo({kp.public_key}, std::span<std::uint8_t>(out + 64, 64));  // tr = H(pk, 64)
  out += 128;
  for (int i = 0; i < p.l; ++i, out += 32 * p.eta_bits())
    PackCentered(s1[i], p.eta, p.eta_bits(), out);
  for (int i = 0; i < p.k; ++i, out += 32 * p.eta_bits())
    PackCentered(s2[i], p.eta, p.eta_bits(), out);
  for (int i = 0; i < p.k; ++i, out += 32 * kD) PackCentered(t0[i], 1 << (kD - 1), kD, out);
  SecureWipe(expanded.data(), expanded.size());
  return kp;
}

namespace {

// ML-DSA.Sign_internal with mu given (Algorithm 7 from line 6).
Result<Bytes> SignMu(const Params& p, ByteSpan sk, ByteSpan mu, const MlDsaRandomness& randomness) {
  if (randomness.rnd.size() != 32) return Status(StatusCode::kBadLength, "rnd must be 32 bytes");
  SecretKey key(p);
  QFS_RETURN_IF_ERROR(DecodeSecretKey(p, sk, key));
  Matrix a(key.rho, p.k, p.l);
  std::array<std::uint8_t, 64> rho2;
  ShakeTo({key.key, randomness.rnd, mu}, rho2);
  Bytes sig(SigBytes(p));
  PolyVec y(p.l), z(p.l), w(p.k), w1(p.k), r0(p.k), ct0(p.k), hint(p.k);
  Bytes w1_encoded(static_cast<std::size_t>(32 * p.k * p.w1_bits()));
  Poly c;
  constexpr int kAttemptsMax = 1000;  // each attempt succeeds with probability > 1/5
  for (int attempt = 0, kappa = 0; attempt < kAttemptsMax; ++attempt, kappa += p.l) {
    ExpandMask(rho2, kappa, p, y);
    PolyVec y_hat(p.l);
    for (int i = 0; i < p.l; ++i) {
      y_hat[i] = y[i];
      Ntt(y_hat[i]);
    }
    for (int i = 0; i < p.k; ++i) {
      w[i].fill(0);
      for (int j = 0; j < p.l; ++j) PointwiseAccumulate(a.at(i, j), y_hat[j], w[i]);
      InvNtt(w[i]);
      for (int x = 0; x < kN; ++x) w1[i][x] = HighBits(w[i][x], p.gamma2);
    }
    EncodeW1(p, w1, w1_encoded.data());
    std::span<std::uint8_t> ctilde(sig.data(), p.ctilde_bytes());
    ShakeTo({mu, w1_encoded}, ctilde);
    Declassify(ctilde.data(), ctilde.size());  // published in the signature
    SampleInBall(ctilde, p.tau, c);
    Ntt(c);
    for (int i = 0; i < p.l; ++i) {  // z = y + c s1
      Poly cs1{};
      PointwiseAccumulate(c, key.s1[i], cs1);
      InvNtt(cs1);
      for (int x = 0; x < kN; ++x) z[i][x] = Add(y[i][x], cs1[x]);
    }
    for (int i = 0; i < p.k; ++i) {  // r0 = LowBits(w - c s2), kept as the full w - c s2 for hints
      Poly cs2{};
      PointwiseAccumulate(c, key.s2[i], cs2);
      InvNtt(cs2);
      for (int x = 0; x < kN; ++x) {
        std::int32_t high, low;
        w[i][x] = Sub(w[i][x], cs2[x]);
        Decompose(w[i][x], p.gamma2, &high, &low);
        r0[i][x] = FromSigned(low);
      }
    }
    std::int32_t reject =
        NormAtLeast(z, p.gamma1 - p.beta()) | NormAtLeast(r0, p.gamma2 - p.beta());
    Declassify(&reject, sizeof(reject));  // only whether this attempt is discarded
    if (reject) continue;
    std::int32_t ones = 0;
    for (int i = 0; i < p.k; ++i) {  // h = MakeHint(-c t0, w - c s2 + c t0)
      ct0[i].fill(0);
      PointwiseAccumulate(c, key.t0[i], ct0[i]);
      InvNtt(ct0[i]);
      for (int x = 0; x < kN; ++x) {
        const std::int32_t r = w[i][x];
        const std::int32_t diff = HighBits(r, p.gamma2) ^ HighBits(Add(r, ct0[i][x]), p.gamma2);
        hint[i][x] = ((diff | -diff) >> 31) & 1;  // 1 iff the high bits differ
        ones += hint[i][x];
      }
    }
    reject = NormAtLeast(ct0, p.gamma2) | ((p.omega - ones) >> 31);
    Declassify(&reject, sizeof(reject));
    if (reject) continue;
    // Accepted: z and h are published.
    std::uint8_t* out = sig.data() + p.ctilde_bytes();
    for (int i = 0; i < p.l; ++i) {
      Declassify(z[i].data(), sizeof(Poly));
      PackCentered(z[i], p.gamma1, p.z_bits(), out);
      out += 32 * p.z_bits();
    }
    int index = 0;
    for (int i = 0; i < p.k; ++i) {
      Declassify(hint[i].data(), sizeof(Poly));
      for (int x = 0; x < kN; ++x) {
        if (hint[i][x]) out[index++] = static_cast<std::uint8_t>(x);
      }
      out[p.omega + i] = static_cast<std::uint8_t>(index);
    }
    SecureWipe(rho2.data(), rho2.size());
    return sig;
  }
  return Status(StatusCode::kCryptoFailure, "ML-DSA signing did not finish");
}

Result<Bytes> FormatMessage(std::uint8_t domain, ByteSpan context, ByteSpan tail_a,
                            ByteSpan tail_b) {
  if (context.size() > kMlDsaContextBytesMax) {
    return Status(StatusCode::kBadLength, "ML-DSA context is at most 255 bytes");
  }
  Bytes m;
  m.reserve(2 + context.size() + tail_a.size() + tail_b.size());
  m.push_back(domain);
  m.push_back(static_cast<std::uint8_t>(context.size()));
  m.insert(m.end(), context.begin(), context.end());
  m.insert(m.end(), tail_a.begin(), tail_a.end());
  m.insert(m.end(), tail_b.begin(), tail_b.end());
  return m;
}

struct PreHashInfo {
  const char* name;       // ACVP and OpenSSL name
  std::uint8_t oid_last;  // 2.16.840.1.101.3.4.2.x
  std::size_t xof_bytes;  // output length for SHAKE, 0 otherwise
};
constexpr PreHashInfo kPreHashes[] = {
    {"SHA2-224", 0x04, 0}, {"SHA2-256", 0x01, 0},     {"SHA2-384", 0x02, 0},
    {"SHA2-512", 0x03, 0}, {"SHA2-512/224", 0x05, 0}, {"SHA2-512/256", 0x06, 0},
    {"SHA3-224", 0x07, 0}, {"SHA3-256", 0x08, 0},     {"SHA3-384", 0x09, 0},
    {"SHA3-512", 0x0A, 0}, {"SHAKE-128", 0x0B, 32},   {"SHAKE-256", 0x0C, 64},
};

// OID(ph) || ph(message).
Bytes PreHashSuffix(MlDsaPreHash ph, ByteSpan message) {
  const PreHashInfo& info = kPreHashes[static_cast<int>(ph)];
  Bytes out = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, info.oid_last};
  EVP_MD* md = EVP_MD_fetch(nullptr, info.name, nullptr);
  QFS_CHECK(md != nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  QFS_CHECK(ctx != nullptr && EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx, message.data(), message.size()) == 1);
  std::size_t n =
      info.xof_bytes != 0 ? info.xof_bytes : static_cast<std::size_t>(EVP_MD_get_size(md));
  std::size_t at = out.size();
  out.resize(at + n);
  if (info.xof_bytes != 0) {
    QFS_CHECK(EVP_DigestFinalXOF(ctx, out.data() + at, n) == 1);
  } else {
    unsigned int len = 0;
    QFS_CHECK(EVP_DigestFinal_ex(ctx, out.data() + at, &len) == 1 && len == n);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  return out;
}

}  // namespace

// A public key expanded for verification: the matrix A-hat, t1 * 2^d in the NTT domain, tr.
struct MlDsaPreparedKey::Expanded {
  Params p;
  Matrix a;
  PolyVec t1;
  std::array<std::uint8_t, 64> tr;
  Bytes public_key;
  Expanded(const Params& params, ByteSpan pk)
      : p(params),
        a(pk.first(32), params.k, params.l),
        t1(params.k),
        public_key(pk.begin(), pk.end()) {
    for (int i = 0; i < p.k; ++i) {
      UnpackBits(pk.data() + 32 + 320 * i, kN, 10, t1[i].data());
      for (std::int32_t& v : t1[i]) v <<= kD;
      Ntt(t1[i]);
    }
    ShakeTo({pk}, tr);
  }
};

namespace {

Status CheckPublicKeySize(const Params& p, ByteSpan pk) {
  if (pk.size() != PkBytes(p)) {
    return Status(StatusCode::kBadKey,
                  "ML-DSA public key must be " + std::to_string(PkBytes(p)) + " bytes");
  }
  return OkStatus();
}

// Verify_internal from mu, against an expanded key.
Status VerifyMuExpanded(const MlDsaPreparedKey::Expanded& key, ByteSpan mu, ByteSpan sig) {
  const Params& p = key.p;
  auto bad = [](const char* why) { return Status(StatusCode::kBadSignature, why); };
  if (sig.size() != SigBytes(p)) return bad("ML-DSA signature has the wrong length");
  ByteSpan ctilde = sig.first(p.ctilde_bytes());
  const std::uint8_t* in = sig.data() + p.ctilde_bytes();
  PolyVec z(p.l), h(p.k);
  for (int i = 0; i < p.l; ++i, in += 32 * p.z_bits())
    UnpackCentered(in, p.gamma1, p.z_bits(), z[i]);
  // HintBitUnpack (Algorithm 21), rejecting every non-canonical hint encoding.
  int index = 0;
  for (int i = 0; i < p.k; ++i) {
    h[i].fill(0);
    const int end = in[p.omega + i];
    if (end < index || end > p.omega) return bad("malformed hint");
    for (int first = index; index < end; ++index) {
      if (index > first && in[index - 1] >= in[index]) return bad("malformed hint");
      h[i][in[index]] = 1;
    }
  }
  for (int i = index; i < p.omega; ++i) {
    if (in[i] != 0) return bad("malformed hint");
  }
  if (NormAtLeast(z, p.gamma1 - p.beta())) return bad("z out of range");
  Poly c;
  SampleInBall(ctilde, p.tau, c);
  Ntt(c);
  for (int i = 0; i < p.l; ++i) Ntt(z[i]);
  PolyVec w1(p.k);
  for (int i = 0; i < p.k; ++i) {
    const Poly& t1 = key.t1[i];
    Poly w{};
    for (int j = 0; j < p.l; ++j) PointwiseAccumulate(key.a.at(i, j), z[j], w);
    for (int x = 0; x < kN; ++x) w[x] = Sub(w[x], FromSigned(MulMontgomery(c[x], t1[x])));
    InvNtt(w);
    for (int x = 0; x < kN; ++x) w1[i][x] = UseHint(h[i][x] != 0, w[x], p.gamma2);
  }
  Bytes w1_encoded(static_cast<std::size_t>(32 * p.k * p.w1_bits()));
  EncodeW1(p, w1, w1_encoded.data());
  Bytes again(p.ctilde_bytes());
  ShakeTo({mu, w1_encoded}, again);
  if (!ConstantTimeEqual(again, ctilde)) return bad("ML-DSA signature does not verify");
  return OkStatus();
}

// Verify_internal from mu, expanding the key for this one check.
Status VerifyMuImpl(const Params& p, ByteSpan pk, ByteSpan mu, ByteSpan sig) {
  QFS_RETURN_IF_ERROR(CheckPublicKeySize(p, pk));
  return VerifyMuExpanded(MlDsaPreparedKey::Expanded(p, pk), mu, sig);
}

// Verify_internal from M': mu from the expanded key's tr.
Status VerifyMPrimeExpanded(const MlDsaPreparedKey::Expanded& key, ByteSpan m_prime, ByteSpan sig) {
  Bytes mu(64);
  ShakeTo({key.tr, m_prime}, mu);
  return VerifyMuExpanded(key, mu, sig);
}

Bytes ComputeMu(ByteSpan pk, ByteSpan m_prime) {
  std::array<std::uint8_t, 64> tr;
  ShakeTo({pk}, tr);
  Bytes mu(64);
  ShakeTo({tr, m_prime}, mu);
  return mu;
}

// mu from the secret key's tr.
Result<Bytes> MuFromSecretKey(const Params& p, ByteSpan sk, ByteSpan m_prime) {
  if (sk.size() != SkBytes(p)) {
    return Status(StatusCode::kBadKey,
                  "ML-DSA secret key must be " + std::to_string(SkBytes(p)) + " bytes");
  }
  Bytes mu(64);
  ShakeTo({sk.subspan(64, 64), m_prime}, mu);
  return mu;
}

}  // namespace

Bytes MlDsaComputeMu(ByteSpan public_key, ByteSpan m_prime) {
  return ComputeMu(public_key, m_prime);
}

Result<MlDsaPreHash> ParseMlDsaPreHash(std::string_view name) {
  for (int i = 0; i < 12; ++i) {
    if (name == kPreHashes[i].name) return static_cast<MlDsaPreHash>(i);
  }
  return Status(StatusCode::kUnknownAlgorithm,
                "unknown pre-hash '" + std::string(name.substr(0, 32)) + "'");
}

Result<Bytes> MlDsaSignMu(MlDsaParameterSet set, ByteSpan sk, ByteSpan mu,
                          const MlDsaRandomness& randomness) {
  if (mu.size() != kMlDsaMuBytes) return Status(StatusCode::kBadLength, "mu is 64 bytes");
  return SignMu(ParamsFor(set), sk, mu, randomness);
}

Result<Bytes> MlDsaSignInternal(MlDsaParameterSet set, ByteSpan sk, ByteSpan m_prime,
                                const MlDsaRandomness& randomness) {
  const Params p = ParamsFor(set);
  QFS_ASSIGN_OR_RETURN(Bytes mu, MuFromSecretKey(p, sk, m_prime));
  return SignMu(p, sk, mu, randomness);
}

Result<Bytes> MlDsaSign(MlDsaParameterSet set, ByteSpan sk, ByteSpan message, ByteSpan context,
                        const MlDsaRandomness& randomness) {
  QFS_ASSIGN_OR_RETURN(Bytes m_prime, FormatMessage(0, context, message, {}));
  return MlDsaSignInternal(set, sk, m_prime, randomness);
}

Result<Bytes> MlDsaSignPreHash(MlDsaParameterSet set, ByteSpan sk, ByteSpan message,
                               ByteSpan context, MlDsaPreHash ph,
                               const MlDsaRandomness& randomness) {
  QFS_ASSIGN_OR_RETURN(Bytes m_prime, FormatMessage(1, context, PreHashSuffix(ph, message), {}));
  return MlDsaSignInternal(set, sk, m_prime, randomness);
}

MlDsaPreparedKey::MlDsaPreparedKey(std::unique_ptr<const Expanded> key) : key_(std::move(key)) {}
MlDsaPreparedKey::~MlDsaPreparedKey() = default;

Result<std::unique_ptr<const MlDsaPreparedKey>> MlDsaPreparedKey::Prepare(MlDsaParameterSet set,
                                                                          ByteSpan public_key) {
  const Params p = ParamsFor(set);
  QFS_RETURN_IF_ERROR(CheckPublicKeySize(p, public_key));
  return std::unique_ptr<const MlDsaPreparedKey>(
      new MlDsaPreparedKey(std::make_unique<const Expanded>(p, public_key)));
}

Status MlDsaPreparedKey::Verify(ByteSpan message, ByteSpan context, ByteSpan signature) const {
  QFS_ASSIGN_OR_RETURN(Bytes m_prime, FormatMessage(0, context, message, {}));
  return VerifyMPrimeExpanded(*key_, m_prime, signature);
}

ByteSpan MlDsaPreparedKey::public_key() const { return key_->public_key; }

std::size_t MlDsaPreparedKey::memory_bytes() const {
  return sizeof(*this) + sizeof(Expanded) + key_->public_key.size() +
         sizeof(Poly) * static_cast<std::size_t>(key_->p.k * key_->p.l + key_->p.k);
}

Status MlDsaVerifyMu(MlDsaParameterSet set, ByteSpan pk, ByteSpan mu, ByteSpan sig) {
  if (mu.size() != kMlDsaMuBytes) return Status(StatusCode::kBadLength, "mu is 64 bytes");
  return VerifyMuImpl(ParamsFor(set), pk, mu, sig);
}

Status MlDsaVerifyInternal(MlDsaParameterSet set, ByteSpan pk, ByteSpan m_prime, ByteSpan sig) {
  const Params p = ParamsFor(set);
  QFS_RETURN_IF_ERROR(CheckPublicKeySize(p, pk));
  return VerifyMPrimeExpanded(MlDsaPreparedKey::Expanded(p, pk), m_prime, sig);
}

Status MlDsaVerify(MlDsaParameterSet set, ByteSpan pk, ByteSpan message, ByteSpan context,
                   ByteSpan sig) {
  QFS_ASSIGN_OR_RETURN(Bytes m_prime, FormatMessage(0, context, message, {}));
  return MlDsaVerifyInternal(set, pk, m_prime, sig);
}

Status MlDsaVerifyPreHash(MlDsaParameterSet set, ByteSpan pk, ByteSpan message, ByteSpan context,
                          MlDsaPreHash ph, ByteSpan sig) {
  QFS_ASSIGN_OR_RETURN(Bytes m_prime, FormatMessage(1, context, PreHashSuffix(ph, message), {}));
  return MlDsaVerifyInternal(set, pk, m_prime, sig);
}

}  // namespace qfs::crypto
