// ML-KEM per FIPS 203. Algorithm numbers in comments refer to the standard.
#include "crypto/mlkem.h"

#include <array>
#include <vector>

#include "base/check.h"
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
void Ntt(Poly& f) {
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
void InvNtt(Poly& f) {
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
void MultiplyNttsAccumulate(const Poly& f, const Poly& g, Poly& h) {
  for (int i = 0; i < 128; ++i) {
    const std::uint32_t a0 = f[2 * i], a1 = f[2 * i + 1], b0 = g[2 * i], b1 = g[2 * i + 1];
    std::uint16_t c0 = Add(Mul(a0, b0), Mul(Mul(a1, b1), kGammas[i]));
    std::uint16_t c1 = Add(Mul(a0, b1), Mul(a1, b0));
    h[2 * i] = Add(h[2 * i], c0);
    h[2 * i + 1] = Add(h[2 * i + 1], c1);
  }
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
void SampleNtt(ByteSpan rho, std::uint8_t j, std::uint8_t i, Poly& a) {
  KeccakSponge xof(KeccakSponge::kShake128Rate, KeccakSponge::kShakePadding);
  xof.Absorb(rho);
  const std::uint8_t indices[2] = {j, i};
  xof.Absorb(ByteSpan(indices, 2));
  std::array<std::uint8_t, KeccakSponge::kShake128Rate> block;
  int n = 0;
  while (n < kN) {  // rejection sampling on public data: the loop count may vary
    xof.Squeeze(block);
    for (std::size_t p = 0; p + 3 <= block.size() && n < kN; p += 3) {
      std::uint32_t d1 = block[p] | (static_cast<std::uint32_t>(block[p + 1] & 15) << 8);
      std::uint32_t d2 = (block[p + 1] >> 4) | (static_cast<std::uint32_t>(block[p + 2]) << 4);
      if (d1 < kQ) a[n++] = static_cast<std::uint16_t>(d1);
      if (d2 < kQ && n < kN) a[n++] = static_cast<std::uint16_t>(d2);
    }
  }
}

// CBD_eta(PRF_eta(s, b)) with PRF = SHAKE256(s || b, 64 eta).
void SampleCbd(ByteSpan s, std::uint8_t b, int eta, Poly& f) {
  KeccakSponge prf(KeccakSponge::kShake256Rate, KeccakSponge::kShakePadding);
  prf.Absorb(s);
  prf.Absorb(ByteSpan(&b, 1));
  std::array<std::uint8_t, 64 * 3> bytes{};
  std::span<std::uint8_t> used(bytes.data(), static_cast<std::size_t>(64 * eta));
  prf.Squeeze(used);
  auto bit = [&](int k) { return static_cast<std::uint32_t>((bytes[k / 8] >> (k % 8)) & 1); };
  for (int i = 0; i < kN; ++i) {
    std::uint32_t x = 0, y = 0;
    for (int j = 0; j < eta; ++j) {
      x += bit(2 * i * eta + j);
      y += bit(2 * i * eta + eta + j);
    }
    f[i] = Sub(x, y);
  }
  SecureWipe(bytes.data(), bytes.size());
}

// --- K-PKE (Algorithms 13, 14, 15) -------------------------------------------------------------
struct Matrix {
  std::vector<Poly> a;  // row-major k x k, A[i][j] = SampleNTT(rho || j || i)
  int k;
  Matrix(ByteSpan rho, int k_) : a(static_cast<std::size_t>(k_ * k_)), k(k_) {
    for (int i = 0; i < k; ++i) {
      for (int j = 0; j < k; ++j) {
        SampleNtt(rho, static_cast<std::uint8_t>(j), static_cast<std::uint8_t>(i), at(i, j));
      }
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
  std::uint8_t n = 0;
  for (int i = 0; i < p.k; ++i) SampleCbd(sigma, n++, p.eta1, s[i]);
  for (int i = 0; i < p.k; ++i) SampleCbd(sigma, n++, p.eta1, e[i]);
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
  std::uint8_t n = 0;
  for (int i = 0; i < k; ++i) SampleCbd(r, n++, p.eta1, y[i]);
  for (int i = 0; i < k; ++i) SampleCbd(r, n++, p.eta2, e1[i]);
  SampleCbd(r, n, p.eta2, extra[0]);
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
