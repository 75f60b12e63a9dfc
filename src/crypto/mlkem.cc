// ML-KEM per FIPS 203. Algorithm numbers in comments refer to the standard.
#include "crypto/mlkem.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <vector>

#include "base/check.h"
#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"

namespace qfs::crypto {
namespace {

constexpr int kN = 256;
constexpr std::uint32_t kQ = 3329;

struct Params {
  int k;
  int eta1;
  int eta2;
  int du;
  int dv;
};

Params ParamsFor(MlKemParameterSet set) {
  switch (set) {
    case MlKemParameterSet::k512:
      return {2, 3, 2, 10, 4};
    case MlKemParameterSet::k768:
      return {3, 2, 2, 10, 4};
    case MlKemParameterSet::k1024:
      return {4, 2, 2, 11, 5};
  }
  QFS_CHECK(false);
}

using Poly = std::array<std::uint16_t, kN>;  // coefficients in [0, q)
using PolyVec = std::vector<Poly>;

// Wipes polynomial vectors that hold secrets when they go out of scope.
struct SecretPolyVec {
  PolyVec v;
  explicit SecretPolyVec(int k) : v(static_cast<std::size_t>(k)) {}
  ~SecretPolyVec() { SecureWipe(v.data(), v.size() * sizeof(Poly)); }
  Poly& operator[](int i) { return v[static_cast<std::size_t>(i)]; }
};

// --- Arithmetic mod q, branch-free -----------------------------------------------------------
constexpr std::uint32_t CondSubQ(std::uint32_t r) {  // r < 2q -> r mod q
  std::uint32_t t = r - kQ;
  std::uint32_t mask = 0 - (t >> 31);  // all ones iff r < q
  return t + (kQ & mask);
}
constexpr std::uint32_t Reduce(std::uint32_t x) {  // any x < 2^32 -> x mod q (Barrett)
  std::uint32_t quotient = static_cast<std::uint32_t>((std::uint64_t{x} * 1290167) >> 32);
  return CondSubQ(x - quotient * kQ);  // the difference is below 2q
}
constexpr std::uint16_t Add(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::uint16_t>(CondSubQ(a + b));
}
constexpr std::uint16_t Sub(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::uint16_t>(CondSubQ(a + kQ - b));
}
constexpr std::uint16_t Mul(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::uint16_t>(Reduce(a * b));
}

constexpr std::uint32_t PowMod(std::uint32_t base, std::uint32_t e) {
  std::uint32_t r = 1;
  for (; e != 0; e >>= 1, base = base * base % kQ) {
    if (e & 1) r = r * base % kQ;
  }
  return r;
}
constexpr std::uint32_t BitRev7(std::uint32_t i) {
  std::uint32_t r = 0;
  for (int b = 0; b < 7; ++b) r |= ((i >> b) & 1) << (6 - b);
  return r;
}
// zeta = 17, a primitive 256th root of unity mod q.
constexpr std::array<std::uint16_t, 128> kZetas = [] {
  std::array<std::uint16_t, 128> z{};
  for (std::uint32_t i = 0; i < 128; ++i) z[i] = static_cast<std::uint16_t>(PowMod(17, BitRev7(i)));
  return z;
}();
constexpr std::array<std::uint16_t, 128> kGammas = [] {
  std::array<std::uint16_t, 128> g{};
  for (std::uint32_t i = 0; i < 128; ++i) {
    g[i] = static_cast<std::uint16_t>(PowMod(17, 2 * BitRev7(i) + 1));
  }
  return g;
}();
constexpr std::uint32_t kInv128 = 3303;  // 128^-1 mod q
static_assert(128 * kInv128 % kQ == 1);
static_assert(Reduce(0xFFFFFFFFu) == 0xFFFFFFFFu % kQ);

// Algorithm 9.
void NttPortable(Poly& f) {
  int i = 1;
  for (int len = 128; len >= 2; len /= 2) {
    for (int start = 0; start < kN; start += 2 * len) {
      const std::uint32_t zeta = kZetas[i++];
      for (int j = start; j < start + len; ++j) {
        std::uint16_t t = Mul(zeta, f[j + len]);
        f[j + len] = Sub(f[j], t);
        f[j] = Add(f[j], t);
      }
    }
  }
}

// Algorithm 10.
void InvNttPortable(Poly& f) {
  int i = 127;
  for (int len = 2; len <= 128; len *= 2) {
    for (int start = 0; start < kN; start += 2 * len) {
      const std::uint32_t zeta = kZetas[i--];
      for (int j = start; j < start + len; ++j) {
        std::uint16_t t = f[j];
        f[j] = Add(t, f[j + len]);
        f[j + len] = Mul(zeta, Sub(f[j + len], t));
      }
    }
  }
  for (std::uint16_t& c : f) c = Mul(c, kInv128);
}

// Algorithms 11 and 12: h += f * g in the NTT domain.
void MultiplyNttsAccumulatePortable(const Poly& f, const Poly& g, Poly& h) {
  for (int i = 0; i < 128; ++i) {
    const std::uint32_t a0 = f[2 * i], a1 = f[2 * i + 1], b0 = g[2 * i], b1 = g[2 * i + 1];
    std::uint16_t c0 = Add(Mul(a0, b0), Mul(Mul(a1, b1), kGammas[i]));
    std::uint16_t c1 = Add(Mul(a0, b1), Mul(a1, b0));
    h[2 * i] = Add(h[2 * i], c0);
    h[2 * i + 1] = Add(h[2 * i + 1], c1);
  }
}

#if defined(__x86_64__)
// --- The same three operations with AVX2, sixteen 16-bit coefficients per vector --------------
// Montgomery arithmetic with R = 2^16: MulMontgomery16(a, b) = a b R^-1 mod q, in (-q, q) for
// |a b| < q 2^15. Twiddle factors are stored times R (so a butterfly's product is exact) next to
// their products with q^-1 mod 2^16. Inside a transform coefficients are signed and lazily
// reduced (bounds below); every function ends with canonical coefficients in [0, q), so results
// equal the portable code's exactly.
constexpr std::int32_t kQInv16 = 62209;  // q^-1 mod 2^16
static_assert(kQ * kQInv16 % 65536 == 1);
constexpr std::int32_t kMontR16 = 65536 % kQ;

constexpr std::int16_t Centered16(std::uint32_t a) {  // a < q
  return static_cast<std::int16_t>(a > kQ / 2 ? static_cast<std::int32_t>(a) -
                                                    static_cast<std::int32_t>(kQ)
                                              : static_cast<std::int32_t>(a));
}
constexpr std::int16_t TimesQInv16(std::int16_t a) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(
      static_cast<std::uint32_t>(static_cast<std::uint16_t>(a)) * kQInv16));
}
struct MontgomeryConstant {
  std::int16_t value, value_qinv;
};
constexpr MontgomeryConstant ToMontgomery(std::uint32_t a) {  // a < q
  const std::int16_t v = Centered16(a * kMontR16 % kQ);
  return {v, TimesQInv16(v)};
}

// Per-lane twiddle factors for the layers with len 8, 4 and 2, which work on pairs of vectors
// (32 coefficients, "group" g) shuffled so that T holds the top and U the bottom of each
// butterfly: kLaneZetas[inverse][layer][g][lane]. TopIndex gives the coefficient whose butterfly
// lane `lane` of T computes; it mirrors the shuffles in SplitLayer.
constexpr int TopIndex(int len, int lane) {
  if (len == 8) return lane < 8 ? lane : 16 + lane - 8;
  if (len == 4) return (lane / 4 == 0 ? 0 : lane / 4 == 1 ? 16 : lane / 4 == 2 ? 8 : 24) + lane % 4;
  const int dword = lane / 2;  // len == 2
  return (dword % 2 == 0 ? 2 * dword : 16 + 2 * (dword - 1)) + lane % 2;
}
struct LaneZetaTable {
  std::int16_t value[2][3][8][16];
  std::int16_t value_qinv[2][3][8][16];
};
constexpr LaneZetaTable kLaneZetas = [] {
  LaneZetaTable t{};
  constexpr int kLen[3] = {8, 4, 2};
  for (int inverse = 0; inverse < 2; ++inverse) {
    for (int layer = 0; layer < 3; ++layer) {
      const int len = kLen[layer];
      for (int g = 0; g < 8; ++g) {
        for (int lane = 0; lane < 16; ++lane) {
          const int block = (32 * g + TopIndex(len, lane)) / (2 * len);
          const int index = inverse != 0 ? 256 / len - 1 - block : 128 / len + block;
          const MontgomeryConstant z = ToMontgomery(kZetas[static_cast<std::size_t>(index)]);
          t.value[inverse][layer][g][lane] = z.value;
          t.value_qinv[inverse][layer][g][lane] = z.value_qinv;
        }
      }
    }
  }
  return t;
}();
// gamma_i R in the odd lanes of each pair, for the base multiplication.
struct GammaTable {
  std::int16_t value[256];
  std::int16_t value_qinv[256];
};
constexpr GammaTable kLaneGammas = [] {
  GammaTable t{};
  for (int i = 0; i < 128; ++i) {
    const MontgomeryConstant c = ToMontgomery(kGammas[static_cast<std::size_t>(i)]);
    t.value[2 * i + 1] = c.value;
    t.value_qinv[2 * i + 1] = c.value_qinv;
  }
  return t;
}();

[[gnu::target("avx2")]] inline __m256i Load16(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
[[gnu::target("avx2")]] inline void Store16(void* p, __m256i v) {
  _mm256_storeu_si256(static_cast<__m256i*>(p), v);
}
[[gnu::target("avx2")]] inline __m256i Set16(std::int32_t v) {
  return _mm256_set1_epi16(static_cast<std::int16_t>(v));
}
// a b R^-1 per lane, given b q^-1 mod 2^16: a b - t q is divisible by 2^16 for t = a (b q^-1).
[[gnu::target("avx2")]] inline __m256i MulMontgomery16(__m256i a, __m256i b, __m256i b_qinv) {
  const __m256i t = _mm256_mullo_epi16(a, b_qinv);
  return _mm256_sub_epi16(_mm256_mulhi_epi16(a, b), _mm256_mulhi_epi16(t, Set16(kQ)));
}
// A representative in [-(q-1)/2, (q-1)/2] of any 16-bit value: a - round(a / q) q.
[[gnu::target("avx2")]] inline __m256i Barrett16(__m256i a) {
  __m256i t = _mm256_mulhi_epi16(a, Set16(20159));  // round(2^26 / q)
  t = _mm256_srai_epi16(_mm256_add_epi16(t, Set16(1 << 9)), 10);
  return _mm256_sub_epi16(a, _mm256_mullo_epi16(t, Set16(kQ)));
}
// (-q, q) -> [0, q).
[[gnu::target("avx2")]] inline __m256i FromSigned16(__m256i a) {
  return _mm256_add_epi16(a, _mm256_and_si256(Set16(kQ), _mm256_srai_epi16(a, 15)));
}

// Cooley-Tukey (forward) or Gentleman-Sande (inverse, sums Barrett-reduced) butterflies.
[[gnu::target("avx2")]] inline void Butterfly(bool inverse, __m256i& top, __m256i& bottom,
                                              __m256i z, __m256i z_qinv) {
  if (!inverse) {
    const __m256i t = MulMontgomery16(bottom, z, z_qinv);
    bottom = _mm256_sub_epi16(top, t);
    top = _mm256_add_epi16(top, t);
  } else {
    const __m256i a = top;
    top = Barrett16(_mm256_add_epi16(a, bottom));
    bottom = MulMontgomery16(_mm256_sub_epi16(bottom, a), z, z_qinv);
  }
}

// One of the layers len 8, 4, 2 on the 32 coefficients x (0-15), y (16-31) of group g.
[[gnu::target("avx2")]] inline void SplitLayer(bool inverse, int layer, int g, __m256i& x,
                                               __m256i& y) {
  __m256i t, u;
  if (layer == 0) {  // len 8: halves of the 128-bit lanes
    t = _mm256_permute2x128_si256(x, y, 0x20);
    u = _mm256_permute2x128_si256(x, y, 0x31);
  } else if (layer == 1) {  // len 4: 64-bit halves
    t = _mm256_unpacklo_epi64(x, y);
    u = _mm256_unpackhi_epi64(x, y);
  } else {  // len 2: 32-bit halves
    t = _mm256_blend_epi32(x, _mm256_slli_epi64(y, 32), 0xAA);
    u = _mm256_blend_epi32(_mm256_srli_epi64(x, 32), y, 0xAA);
  }
  const int dir = inverse ? 1 : 0;
  Butterfly(inverse, t, u, Load16(kLaneZetas.value[dir][layer][g]),
            Load16(kLaneZetas.value_qinv[dir][layer][g]));
  if (layer == 0) {
    x = _mm256_permute2x128_si256(t, u, 0x20);
    y = _mm256_permute2x128_si256(t, u, 0x31);
  } else if (layer == 1) {
    x = _mm256_unpacklo_epi64(t, u);
    y = _mm256_unpackhi_epi64(t, u);
  } else {
    x = _mm256_blend_epi32(t, _mm256_slli_epi64(u, 32), 0xAA);
    y = _mm256_blend_epi32(_mm256_srli_epi64(t, 32), u, 0xAA);
  }
}

// Input in [0, q); each layer adds less than q, so |f| < 8q < 2^15 before the final reduction.
[[gnu::target("avx2")]] void NttAvx2(Poly& f) {
  int i = 1;
  for (int len = 128; len >= 16; len /= 2) {
    for (int start = 0; start < kN; start += 2 * len, ++i) {
      const MontgomeryConstant z = ToMontgomery(kZetas[static_cast<std::size_t>(i)]);
      for (int j = start; j < start + len; j += 16) {
        __m256i top = Load16(&f[j]), bottom = Load16(&f[j + len]);
        Butterfly(false, top, bottom, Set16(z.value), Set16(z.value_qinv));
        Store16(&f[j], top);
        Store16(&f[j + len], bottom);
      }
    }
  }
  for (int g = 0; g < 8; ++g) {
    __m256i x = Load16(&f[32 * g]), y = Load16(&f[32 * g + 16]);
    for (int layer = 0; layer < 3; ++layer) SplitLayer(false, layer, g, x, y);
    Store16(&f[32 * g], FromSigned16(Barrett16(x)));
    Store16(&f[32 * g + 16], FromSigned16(Barrett16(y)));
  }
}

// Input in [0, q); sums are reduced to |a| <= q/2 in every layer and differences stay below
// 2q, so nothing overflows. The final factor R / 128 undoes the transform's scale.
[[gnu::target("avx2")]] void InvNttAvx2(Poly& f) {
  for (int g = 0; g < 8; ++g) {
    __m256i x = Load16(&f[32 * g]), y = Load16(&f[32 * g + 16]);
    for (int layer = 2; layer >= 0; --layer) SplitLayer(true, layer, g, x, y);
    Store16(&f[32 * g], x);
    Store16(&f[32 * g + 16], y);
  }
  for (int len = 16; len <= 128; len *= 2) {
    int i = 256 / len - 1;  // Algorithm 10's index, which counts down through the layers
    for (int start = 0; start < kN; start += 2 * len, --i) {
      const MontgomeryConstant z = ToMontgomery(kZetas[static_cast<std::size_t>(i)]);
      for (int j = start; j < start + len; j += 16) {
        __m256i top = Load16(&f[j]), bottom = Load16(&f[j + len]);
        Butterfly(true, top, bottom, Set16(z.value), Set16(z.value_qinv));
        Store16(&f[j], top);
        Store16(&f[j + len], bottom);
      }
    }
  }
  const MontgomeryConstant scale = ToMontgomery(kInv128);  // 128^-1 R: times R^-1 gives 1/128
  for (int j = 0; j < kN; j += 16) {
    Store16(&f[j], FromSigned16(MulMontgomery16(Load16(&f[j]), Set16(scale.value),
                                                Set16(scale.value_qinv))));
  }
}

// h += f * g: per pair, c0 = a0 b0 + a1 b1 gamma, c1 = a0 b1 + a1 b0, all times R^-1, then
// times R^2 (one more Montgomery multiplication) for the true value.
[[gnu::target("avx2")]] void MultiplyNttsAccumulateAvx2(const Poly& f, const Poly& g, Poly& h) {
  const __m256i swap = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,  //
                                        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  const MontgomeryConstant r2 = ToMontgomery(kMontR16);  // R^2 mod q, centered
  const __m256i q = Set16(kQ);
  for (int j = 0; j < kN; j += 16) {
    const __m256i a = Load16(&f[j]), b = Load16(&g[j]);
    const __m256i b_qinv = _mm256_mullo_epi16(b, Set16(kQInv16));
    const __m256i straight = MulMontgomery16(a, b, b_qinv);  // a0 b0, a1 b1
    const __m256i crossed = MulMontgomery16(a, _mm256_shuffle_epi8(b, swap),
                                            _mm256_shuffle_epi8(b_qinv, swap));  // a0 b1, a1 b0
    const __m256i with_gamma = MulMontgomery16(straight, Load16(&kLaneGammas.value[j]),
                                               Load16(&kLaneGammas.value_qinv[j]));
    const __m256i c0 = _mm256_add_epi16(straight, _mm256_srli_epi32(with_gamma, 16));
    const __m256i c1 = _mm256_add_epi16(crossed, _mm256_slli_epi32(crossed, 16));
    const __m256i c =
        MulMontgomery16(_mm256_blend_epi16(c0, c1, 0xAA), Set16(r2.value), Set16(r2.value_qinv));
    __m256i sum = _mm256_sub_epi16(_mm256_add_epi16(Load16(&h[j]), FromSigned16(c)), q);
    Store16(&h[j], FromSigned16(sum));
  }
}
#endif

void Ntt(Poly& f) {
#if defined(__x86_64__)
  if (Cpu().avx2) return NttAvx2(f);
#endif
  NttPortable(f);
}
void InvNtt(Poly& f) {
#if defined(__x86_64__)
  if (Cpu().avx2) return InvNttAvx2(f);
#endif
  InvNttPortable(f);
}
void MultiplyNttsAccumulate(const Poly& f, const Poly& g, Poly& h) {
#if defined(__x86_64__)
  if (Cpu().avx2) return MultiplyNttsAccumulateAvx2(f, g, h);
#endif
  MultiplyNttsAccumulatePortable(f, g, h);
}

// --- Encoding, compression (Algorithms 5 and 6, section 4.2.1) --------------------------------
void ByteEncode(const Poly& f, int d, std::uint8_t* out) {
  std::uint64_t acc = 0;
  int bits = 0;
  for (std::uint16_t a : f) {
    acc |= static_cast<std::uint64_t>(a) << bits;
    bits += d;
    while (bits >= 8) {
      *out++ = static_cast<std::uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

// For d = 12 the values are reduced mod q (FIPS 203: m = q), as the modulus check expects.
void ByteDecode(const std::uint8_t* in, int d, Poly& f) {
  std::uint64_t acc = 0;
  int bits = 0;
  const std::uint64_t mask = (std::uint64_t{1} << d) - 1;
  for (std::uint16_t& a : f) {
    while (bits < d) {
      acc |= static_cast<std::uint64_t>(*in++) << bits;
      bits += 8;
    }
    std::uint32_t v = static_cast<std::uint32_t>(acc & mask);
    acc >>= d;
    bits -= d;
    a = static_cast<std::uint16_t>(d == 12 ? CondSubQ(v) : v);
  }
}

// round(2^d x / q) mod 2^d = floor((2^(d+1) x + q) / 2q); the division is a multiplication by
// ceil(2^48 / 2q), exact for numerators below 2^35 (ours are below 2^25).
constexpr std::uint16_t Compress(std::uint32_t x, int d) {
  constexpr std::uint64_t kMagic = ((std::uint64_t{1} << 48) + 2 * kQ - 1) / (2 * kQ);
  std::uint64_t numerator = (std::uint64_t{x} << (d + 1)) + kQ;
  return static_cast<std::uint16_t>(((numerator * kMagic) >> 48) & ((1u << d) - 1));
}
constexpr std::uint16_t Decompress(std::uint32_t y, int d) {
  return static_cast<std::uint16_t>((y * kQ + (1u << (d - 1))) >> d);
}

// --- Sampling (Algorithms 7 and 8) ---------------------------------------------------------------
// SampleNTT(rho || j || i) for four index pairs at once, from four SHAKE128 streams. Rejection
// sampling on public data, so the number of blocks drawn may vary: three blocks give 336
// candidates for 256 coefficients and nearly always suffice.
struct NttPolyRequest {
  std::uint8_t j, i;
  Poly* out;
};
void SampleNtts(ByteSpan rho, const std::array<NttPolyRequest, 4>& requests) {
  constexpr std::size_t kRate = KeccakSponge::kShake128Rate;
  constexpr std::size_t kFirstBlocks = 3;
  std::array<std::array<std::uint8_t, 34>, 4> inputs;
  std::array<ByteSpan, 4> spans;
  for (std::size_t w = 0; w < 4; ++w) {
    std::copy(rho.begin(), rho.end(), inputs[w].begin());
    inputs[w][32] = requests[w].j;
    inputs[w][33] = requests[w].i;
    spans[w] = inputs[w];
  }
  KeccakSpongeX4 xof(kRate, KeccakSponge::kShakePadding);
  xof.AbsorbOnce(spans);
  std::array<std::array<std::uint8_t, kFirstBlocks * kRate>, 4> buf;
  std::array<int, 4> n{};
  bool more = true;
  for (std::size_t blocks = kFirstBlocks; more; blocks = 1) {
    for (std::size_t b = 0; b < blocks; ++b) {
      xof.SqueezeBlocks({buf[0].data() + b * kRate, buf[1].data() + b * kRate,
                         buf[2].data() + b * kRate, buf[3].data() + b * kRate});
    }
    more = false;
    for (std::size_t w = 0; w < 4; ++w) {
      Poly& a = *requests[w].out;
      const std::uint8_t* block = buf[w].data();
      for (std::size_t p = 0; p + 3 <= blocks * kRate && n[w] < kN; p += 3) {
        std::uint32_t d1 = block[p] | (static_cast<std::uint32_t>(block[p + 1] & 15) << 8);
        std::uint32_t d2 = (block[p + 1] >> 4) | (static_cast<std::uint32_t>(block[p + 2]) << 4);
        if (d1 < kQ) a[n[w]++] = static_cast<std::uint16_t>(d1);
        if (d2 < kQ && n[w] < kN) a[n[w]++] = static_cast<std::uint16_t>(d2);
      }
      more = more || n[w] < kN;
    }
  }
}

// CBD_eta (Algorithm 8) on 64 eta bytes: each coefficient is the difference of two sums of eta
// bits. Summing neighbouring bits with masks handles a whole word at once.
void Cbd(const std::uint8_t* bytes, int eta, Poly& f) {
  if (eta == 2) {
    for (int g = 0; g < kN / 8; ++g) {  // 4 bytes -> 8 coefficients
      const std::uint8_t* in = bytes + 4 * g;
      const std::uint32_t t = in[0] | (in[1] << 8) | (in[2] << 16) | (std::uint32_t{in[3]} << 24);
      const std::uint32_t d = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
      for (int j = 0; j < 8; ++j) f[8 * g + j] = Sub((d >> (4 * j)) & 3, (d >> (4 * j + 2)) & 3);
    }
    return;
  }
  QFS_CHECK(eta == 3);
  for (int g = 0; g < kN / 4; ++g) {  // 3 bytes -> 4 coefficients
    const std::uint8_t* in = bytes + 3 * g;
    const std::uint32_t t = in[0] | (in[1] << 8) | (in[2] << 16);
    const std::uint32_t d = (t & 0x249249u) + ((t >> 1) & 0x249249u) + ((t >> 2) & 0x249249u);
    for (int j = 0; j < 4; ++j) f[4 * g + j] = Sub((d >> (6 * j)) & 7, (d >> (6 * j + 3)) & 7);
  }
}

// CBD_eta(PRF_eta(s, first + i)) into out[i], PRF = SHAKE256(s || b, 64 eta), four at a time.
struct CbdRequest {
  int eta;
  Poly* out;
};
void SampleCbds(ByteSpan s, std::uint8_t first, const std::vector<CbdRequest>& requests) {
  constexpr std::size_t kRate = KeccakSponge::kShake256Rate;  // 64 eta <= 192 bytes: 2 blocks
  std::array<std::array<std::uint8_t, 33>, 4> inputs;
  std::array<std::array<std::uint8_t, 2 * kRate>, 4> bytes;
  Poly spare;  // the unused ways of the last group
  for (std::size_t start = 0; start < requests.size(); start += 4) {
    std::array<ByteSpan, 4> spans;
    for (std::size_t w = 0; w < 4; ++w) {
      std::copy(s.begin(), s.end(), inputs[w].begin());
      inputs[w][32] = static_cast<std::uint8_t>(first + std::min(start + w, requests.size() - 1));
      spans[w] = inputs[w];
    }
    KeccakSpongeX4 prf(kRate, KeccakSponge::kShakePadding);
    prf.AbsorbOnce(spans);
    prf.SqueezeBlocks({bytes[0].data(), bytes[1].data(), bytes[2].data(), bytes[3].data()});
    prf.SqueezeBlocks({bytes[0].data() + kRate, bytes[1].data() + kRate, bytes[2].data() + kRate,
                       bytes[3].data() + kRate});
    for (std::size_t w = 0; w < 4; ++w) {
      const CbdRequest& r = requests[std::min(start + w, requests.size() - 1)];
      Cbd(bytes[w].data(), r.eta, start + w < requests.size() ? *r.out : spare);
    }
  }
  SecureWipe(inputs.data(), sizeof(inputs));
  SecureWipe(bytes.data(), sizeof(bytes));
  SecureWipe(spare.data(), sizeof(spare));
}

// --- K-PKE (Algorithms 13, 14, 15) -------------------------------------------------------------
struct Matrix {
  std::vector<Poly> a;  // row-major k x k, A[i][j] = SampleNTT(rho || j || i)
  int k;
  Matrix(ByteSpan rho, int k_) : a(static_cast<std::size_t>(k_ * k_)), k(k_) {
    const int count = k * k;
    Poly spare;  // the unused ways of the last group write here
    for (int first = 0; first < count; first += 4) {
      std::array<NttPolyRequest, 4> requests;
      for (int w = 0; w < 4; ++w) {
        const int n = first + w < count ? first + w : count - 1;  // n = i k + j
        requests[static_cast<std::size_t>(w)] = {
            static_cast<std::uint8_t>(n % k), static_cast<std::uint8_t>(n / k),
            first + w < count ? &a[static_cast<std::size_t>(n)] : &spare};
      }
      SampleNtts(rho, requests);
    }
  }
  Poly& at(int i, int j) {
    return a[static_cast<std::size_t>(i) * static_cast<std::size_t>(k) +
             static_cast<std::size_t>(j)];
  }
};

// ek (384k + 32 bytes) and dk_pke (384k bytes) from the 32-byte seed d.
void PkeKeyGen(const Params& p, ByteSpan d, std::uint8_t* ek, std::uint8_t* dk_pke) {
  std::array<std::uint8_t, 33> seed_input{};
  std::copy(d.begin(), d.end(), seed_input.begin());
  seed_input[32] = static_cast<std::uint8_t>(p.k);
  Digest64 g = Sha3_512(seed_input);
  Declassify(g.data(), 32);  // rho is published in ek
  ByteSpan rho(g.data(), 32), sigma(g.data() + 32, 32);
  Matrix a(rho, p.k);
  SecretPolyVec s(p.k), e(p.k);
  std::vector<CbdRequest> noise;
  noise.reserve(2 * static_cast<std::size_t>(p.k));
  for (int i = 0; i < p.k; ++i) noise.push_back({p.eta1, &s[i]});
  for (int i = 0; i < p.k; ++i) noise.push_back({p.eta1, &e[i]});
  SampleCbds(sigma, 0, noise);
  for (int i = 0; i < p.k; ++i) {
    Ntt(s[i]);
    Ntt(e[i]);
  }
  for (int i = 0; i < p.k; ++i) {
    Poly t = e[i];
    for (int j = 0; j < p.k; ++j) MultiplyNttsAccumulate(a.at(i, j), s[j], t);
    ByteEncode(t, 12, ek + 384 * i);
    ByteEncode(s[i], 12, dk_pke + 384 * i);
  }
  std::copy(rho.begin(), rho.end(), ek + 384 * p.k);
  SecureWipe(g.data(), g.size());
  SecureWipe(seed_input.data(), seed_input.size());
}

void PkeEncrypt(const Params& p, ByteSpan ek, ByteSpan m, ByteSpan r, std::uint8_t* c) {
  const int k = p.k;
  PolyVec t(static_cast<std::size_t>(k));
  for (int i = 0; i < k; ++i) ByteDecode(ek.data() + 384 * i, 12, t[static_cast<std::size_t>(i)]);
  Matrix a(ek.subspan(384 * static_cast<std::size_t>(k), 32), k);
  SecretPolyVec y(k), e1(k), extra(2);  // extra[0] = e2, extra[1] = mu
  std::vector<CbdRequest> noise;
  noise.reserve(2 * static_cast<std::size_t>(k) + 1);
  for (int i = 0; i < k; ++i) noise.push_back({p.eta1, &y[i]});
  for (int i = 0; i < k; ++i) noise.push_back({p.eta2, &e1[i]});
  noise.push_back({p.eta2, &extra[0]});
  SampleCbds(r, 0, noise);
  for (int i = 0; i < k; ++i) Ntt(y[i]);
  std::uint8_t* out = c;
  for (int i = 0; i < k; ++i) {  // u = NTT^-1(A^T y) + e1
    Poly u{};
    for (int j = 0; j < k; ++j) MultiplyNttsAccumulate(a.at(j, i), y[j], u);
    InvNtt(u);
    for (int x = 0; x < kN; ++x) u[x] = Compress(Add(u[x], e1[i][x]), p.du);
    ByteEncode(u, p.du, out);
    out += 32 * p.du;
  }
  ByteDecode(m.data(), 1, extra[1]);
  Poly v{};
  for (int i = 0; i < k; ++i) MultiplyNttsAccumulate(t[static_cast<std::size_t>(i)], y[i], v);
  InvNtt(v);
  for (int x = 0; x < kN; ++x) {
    v[x] = Compress(Add(Add(v[x], extra[0][x]), Decompress(extra[1][x], 1)), p.dv);
  }
  ByteEncode(v, p.dv, out);
  SecureWipe(v.data(), sizeof(v));
}

// m (32 bytes) from dk_pke and c.
void PkeDecrypt(const Params& p, ByteSpan dk_pke, ByteSpan c, std::uint8_t* m) {
  const int k = p.k;
  Poly w{};
  SecretPolyVec s(k);
  for (int i = 0; i < k; ++i) {
    Poly u;
    ByteDecode(c.data() + 32 * p.du * i, p.du, u);
    for (std::uint16_t& x : u) x = Decompress(x, p.du);
    Ntt(u);
    ByteDecode(dk_pke.data() + 384 * i, 12, s[i]);
    MultiplyNttsAccumulate(s[i], u, w);
  }
  InvNtt(w);
  Poly v;
  ByteDecode(c.data() + 32 * p.du * k, p.dv, v);
  for (int x = 0; x < kN; ++x) w[x] = Compress(Sub(Decompress(v[x], p.dv), w[x]), 1);
  ByteEncode(w, 1, m);
  SecureWipe(w.data(), sizeof(w));
}

Status CheckLength(ByteSpan b, std::size_t want, StatusCode code, const char* what) {
  if (b.size() == want) return OkStatus();
  return Status(code, std::string(what) + " must be " + std::to_string(want) + " bytes, got " +
                          std::to_string(b.size()));
}

}  // namespace

MlKemSizes GetMlKemSizes(MlKemParameterSet set) {
  Params p = ParamsFor(set);
  std::size_t k = static_cast<std::size_t>(p.k);
  return {384 * k + 32, 768 * k + 96, 32 * (static_cast<std::size_t>(p.du) * k + p.dv)};
}

Result<MlKemParameterSet> ParseMlKemParameterSet(std::string_view name) {
  if (name == "ML-KEM-512" || name == "ml-kem-512" || name == "512") return MlKemParameterSet::k512;
  if (name == "ML-KEM-768" || name == "ml-kem-768" || name == "768") return MlKemParameterSet::k768;
  if (name == "ML-KEM-1024" || name == "ml-kem-1024" || name == "1024") {
    return MlKemParameterSet::k1024;
  }
  return Status(StatusCode::kUnknownAlgorithm,
                "unknown ML-KEM parameter set '" + std::string(name.substr(0, 32)) + "'");
}

std::string_view MlKemName(MlKemParameterSet set) {
  switch (set) {
    case MlKemParameterSet::k512:
      return "ML-KEM-512";
    case MlKemParameterSet::k768:
      return "ML-KEM-768";
    case MlKemParameterSet::k1024:
      return "ML-KEM-1024";
  }
  QFS_CHECK(false);
}

Status MlKemCheckEncapsulationKey(MlKemParameterSet set, ByteSpan ek) {
  const Params p = ParamsFor(set);
  QFS_RETURN_IF_ERROR(CheckLength(ek, GetMlKemSizes(set).encapsulation_key_bytes,
                                  StatusCode::kBadKey, "encapsulation key"));
  std::array<std::uint8_t, 384> again;
  for (int i = 0; i < p.k; ++i) {
    Poly t;
    ByteDecode(ek.data() + 384 * i, 12, t);
    ByteEncode(t, 12, again.data());
    if (!std::equal(again.begin(), again.end(), ek.begin() + 384 * i)) {
      return Status(StatusCode::kBadKey, "encapsulation key has a coefficient >= q");
    }
  }
  return OkStatus();
}

Status MlKemCheckDecapsulationKey(MlKemParameterSet set, ByteSpan dk) {
  const std::size_t k = static_cast<std::size_t>(ParamsFor(set).k);
  QFS_RETURN_IF_ERROR(CheckLength(dk, GetMlKemSizes(set).decapsulation_key_bytes,
                                  StatusCode::kBadKey, "decapsulation key"));
  Digest32 h = Sha3_256(dk.subspan(384 * k, 384 * k + 32));
  if (!ConstantTimeEqual(h, dk.subspan(768 * k + 32, 32))) {
    return Status(StatusCode::kBadKey, "decapsulation key fails the hash check");
  }
  return OkStatus();
}

Result<MlKemKeyPair> MlKemKeyGen(MlKemParameterSet set, ByteSpan d, ByteSpan z) {
  QFS_RETURN_IF_ERROR(CheckLength(d, kMlKemSeedBytes, StatusCode::kBadLength, "d"));
  QFS_RETURN_IF_ERROR(CheckLength(z, kMlKemSeedBytes, StatusCode::kBadLength, "z"));
  const Params p = ParamsFor(set);
  const MlKemSizes sizes = GetMlKemSizes(set);
  const std::size_t k = static_cast<std::size_t>(p.k);
  MlKemKeyPair kp{Bytes(sizes.encapsulation_key_bytes), SecretBytes(sizes.decapsulation_key_bytes)};
  std::uint8_t* dk = kp.decapsulation_key.data();
  PkeKeyGen(p, d, kp.encapsulation_key.data(), dk);
  std::copy(kp.encapsulation_key.begin(), kp.encapsulation_key.end(), dk + 384 * k);
  Digest32 h = Sha3_256(kp.encapsulation_key);
  std::copy(h.begin(), h.end(), dk + 768 * k + 32);
  std::copy(z.begin(), z.end(), dk + 768 * k + 64);
  return kp;
}

Result<MlKemKeyPair> MlKemKeyGen(MlKemParameterSet set, RandomSource& random) {
  SecretBytes d = RandomSecret(random, kMlKemSeedBytes);
  SecretBytes z = RandomSecret(random, kMlKemSeedBytes);
  return MlKemKeyGen(set, d.span(), z.span());
}

Result<MlKemEncapsulation> MlKemEncaps(MlKemParameterSet set, ByteSpan ek, ByteSpan m) {
  QFS_RETURN_IF_ERROR(CheckLength(m, kMlKemSeedBytes, StatusCode::kBadLength, "m"));
  QFS_RETURN_IF_ERROR(MlKemCheckEncapsulationKey(set, ek));
  const Params p = ParamsFor(set);
  Digest32 h = Sha3_256(ek);
  std::array<std::uint8_t, 64> g_input;
  std::copy(m.begin(), m.end(), g_input.begin());
  std::copy(h.begin(), h.end(), g_input.begin() + 32);
  Digest64 kr = Sha3_512(g_input);
  MlKemEncapsulation out{SecretBytes(ByteSpan(kr.data(), 32)),
                         Bytes(GetMlKemSizes(set).ciphertext_bytes)};
  PkeEncrypt(p, ek, m, ByteSpan(kr.data() + 32, 32), out.ciphertext.data());
  SecureWipe(kr.data(), kr.size());
  SecureWipe(g_input.data(), g_input.size());
  return out;
}

Result<MlKemEncapsulation> MlKemEncaps(MlKemParameterSet set, ByteSpan ek, RandomSource& random) {
  SecretBytes m = RandomSecret(random, kMlKemSeedBytes);
  return MlKemEncaps(set, ek, m.span());
}

Result<SecretBytes> MlKemDecaps(MlKemParameterSet set, ByteSpan dk, ByteSpan c) {
  const MlKemSizes sizes = GetMlKemSizes(set);
  QFS_RETURN_IF_ERROR(CheckLength(c, sizes.ciphertext_bytes, StatusCode::kBadLength, "ciphertext"));
  QFS_RETURN_IF_ERROR(MlKemCheckDecapsulationKey(set, dk));
  const Params p = ParamsFor(set);
  const std::size_t k = static_cast<std::size_t>(p.k);
  ByteSpan dk_pke = dk.first(384 * k), ek = dk.subspan(384 * k, 384 * k + 32);
  ByteSpan h = dk.subspan(768 * k + 32, 32), z = dk.subspan(768 * k + 64, 32);
  std::array<std::uint8_t, 64> g_input;  // m' || h
  PkeDecrypt(p, dk_pke, c, g_input.data());
  std::copy(h.begin(), h.end(), g_input.begin() + 32);
  Digest64 kr = Sha3_512(g_input);
  // K_bar = J(z || c) = SHAKE256(z || c, 32).
  KeccakSponge j(KeccakSponge::kShake256Rate, KeccakSponge::kShakePadding);
  j.Absorb(z);
  j.Absorb(c);
  SecretBytes rejection(kMlKemSharedKeyBytes);
  j.Squeeze(rejection.mutable_span());
  Bytes c_again(sizes.ciphertext_bytes);
  PkeEncrypt(p, ek, ByteSpan(g_input.data(), 32), ByteSpan(kr.data() + 32, 32), c_again.data());
  // Constant-time: choose K' if c == c', else K_bar, without branching on the result.
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < c.size(); ++i) diff |= c[i] ^ c_again[i];
  const std::uint8_t keep = static_cast<std::uint8_t>((static_cast<std::uint32_t>(diff) - 1) >> 8);
  SecretBytes key(kMlKemSharedKeyBytes);
  for (std::size_t i = 0; i < kMlKemSharedKeyBytes; ++i) {
    key.data()[i] = static_cast<std::uint8_t>((kr[i] & keep) | (rejection.data()[i] & ~keep));
  }
  SecureWipe(kr.data(), kr.size());
  SecureWipe(g_input.data(), g_input.size());
  return key;
}

}  // namespace qfs::crypto
