#include "crypto/ed25519_prepared.h"

#include <sodium.h>

#include <bit>
#include <cstring>
#include <vector>

#include "base/check.h"

namespace qfs::crypto {
namespace {

// ---- GF(2^255 - 19), five 51-bit limbs. ----
// Bounds: Mul, Sqr and Sub leave limbs below 2^52; Add does not carry, so its result is below
// the sum of its inputs' bounds. Mul and Sqr take limbs below 2^54, Sub a subtrahend below
// 2^53 - 76; every use below stays within them (at most two Adds deep before a Mul).
// The hot helpers are forced inline: as calls they cost a third of a verification.
#define QFS_FE_INLINE inline __attribute__((always_inline))

using u64 = std::uint64_t;
using u128 = unsigned __int128;
constexpr u64 kMask51 = (u64{1} << 51) - 1;

struct Fe {
  u64 v[5];
};

constexpr Fe kZero{{0, 0, 0, 0, 0}};
constexpr Fe kOne{{1, 0, 0, 0, 0}};

Fe Small(u64 x) { return Fe{{x, 0, 0, 0, 0}}; }

// Carries so that every limb is below 2^51 (plus at most a small excess in limb 0).
QFS_FE_INLINE void Carry(Fe& h) {
  for (int i = 0; i < 4; ++i) {
    h.v[i + 1] += h.v[i] >> 51;
    h.v[i] &= kMask51;
  }
  h.v[0] += 19 * (h.v[4] >> 51);
  h.v[4] &= kMask51;
}

QFS_FE_INLINE Fe Add(const Fe& f, const Fe& g) {
  Fe h;
  for (int i = 0; i < 5; ++i) h.v[i] = f.v[i] + g.v[i];
  return h;
}

// f + 4p - g, carried: no limb goes negative while g's limbs are below 2^53 - 76.
QFS_FE_INLINE Fe Sub(const Fe& f, const Fe& g) {
  constexpr u64 k4p0 = 4 * ((u64{1} << 51) - 19);
  constexpr u64 k4pi = 4 * ((u64{1} << 51) - 1);
  Fe h;
  h.v[0] = f.v[0] + k4p0 - g.v[0];
  for (int i = 1; i < 5; ++i) h.v[i] = f.v[i] + k4pi - g.v[i];
  Carry(h);
  return h;
}

QFS_FE_INLINE Fe Neg(const Fe& f) { return Sub(kZero, f); }

// Folds 128-bit column sums (each below 2^117, the top one below 2^111 for inputs below 2^54)
// into limbs below 2^52.
QFS_FE_INLINE Fe Reduce128(u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) {
  r1 += static_cast<u64>(r0 >> 51);
  r2 += static_cast<u64>(r1 >> 51);
  r3 += static_cast<u64>(r2 >> 51);
  r4 += static_cast<u64>(r3 >> 51);
  Fe h{{static_cast<u64>(r0) & kMask51, static_cast<u64>(r1) & kMask51,
        static_cast<u64>(r2) & kMask51, static_cast<u64>(r3) & kMask51,
        static_cast<u64>(r4) & kMask51}};
  h.v[0] += 19 * static_cast<u64>(r4 >> 51);  // r4 >> 51 < 2^60, so no overflow
  h.v[1] += h.v[0] >> 51;
  h.v[0] &= kMask51;
  return h;
}

QFS_FE_INLINE Fe Mul(const Fe& f, const Fe& g) {
  const u64 g1 = 19 * g.v[1], g2 = 19 * g.v[2], g3 = 19 * g.v[3], g4 = 19 * g.v[4];
  auto m = [](u64 a, u64 b) { return static_cast<u128>(a) * b; };
  const u64* a = f.v;
  const u64* b = g.v;
  return Reduce128(m(a[0], b[0]) + m(a[1], g4) + m(a[2], g3) + m(a[3], g2) + m(a[4], g1),
                   m(a[0], b[1]) + m(a[1], b[0]) + m(a[2], g4) + m(a[3], g3) + m(a[4], g2),
                   m(a[0], b[2]) + m(a[1], b[1]) + m(a[2], b[0]) + m(a[3], g4) + m(a[4], g3),
                   m(a[0], b[3]) + m(a[1], b[2]) + m(a[2], b[1]) + m(a[3], b[0]) + m(a[4], g4),
                   m(a[0], b[4]) + m(a[1], b[3]) + m(a[2], b[2]) + m(a[3], b[1]) + m(a[4], b[0]));
}

QFS_FE_INLINE Fe Sqr(const Fe& f) {
  auto m = [](u64 a, u64 b) { return static_cast<u128>(a) * b; };
  const u64* a = f.v;
  const u64 d0 = 2 * a[0], d1 = 2 * a[1];
  const u64 a3_19 = 19 * a[3], a4_19 = 19 * a[4];
  return Reduce128(m(a[0], a[0]) + m(d1, a4_19) + m(2 * a[2], a3_19),
                   m(d0, a[1]) + m(2 * a[2], a4_19) + m(a[3], a3_19),
                   m(d0, a[2]) + m(a[1], a[1]) + m(2 * a[3], a4_19),
                   m(d0, a[3]) + m(d1, a[2]) + m(a[4], a4_19),
                   m(d0, a[4]) + m(d1, a[3]) + m(a[2], a[2]));
}

Fe SqrTimes(Fe f, int n) {
  for (int i = 0; i < n; ++i) f = Sqr(f);
  return f;
}

// z^(2^250 - 1) and z^11, the common head of the two exponentiations below.
void Pow250(const Fe& z, Fe& z250, Fe& z11) {
  const Fe z2 = Sqr(z);
  const Fe z9 = Mul(SqrTimes(z2, 2), z);
  z11 = Mul(z9, z2);
  const Fe z5 = Mul(Sqr(z11), z9);                 // 2^5 - 1
  const Fe z10 = Mul(SqrTimes(z5, 5), z5);         // 2^10 - 1
  const Fe z20 = Mul(SqrTimes(z10, 10), z10);      // 2^20 - 1
  const Fe z40 = Mul(SqrTimes(z20, 20), z20);      // 2^40 - 1
  const Fe z50 = Mul(SqrTimes(z40, 10), z10);      // 2^50 - 1
  const Fe z100 = Mul(SqrTimes(z50, 50), z50);     // 2^100 - 1
  const Fe z200 = Mul(SqrTimes(z100, 100), z100);  // 2^200 - 1
  z250 = Mul(SqrTimes(z200, 50), z50);             // 2^250 - 1
}

// z^(p - 2) = z^(2^255 - 21).
Fe Invert(const Fe& z) {
  Fe z250, z11;
  Pow250(z, z250, z11);
  return Mul(SqrTimes(z250, 5), z11);
}

// z^((p - 5) / 8) = z^(2^252 - 3).
Fe Pow22523(const Fe& z) {
  Fe z250, z11;
  Pow250(z, z250, z11);
  return Mul(SqrTimes(z250, 2), z);
}

u64 Load64(const std::uint8_t* p) {
  u64 x;
  std::memcpy(&x, p, 8);
  return x;  // little-endian hosts only (checked at compile time below)
}
static_assert(std::endian::native == std::endian::little);

// The low 255 bits of s; the top bit (a point's sign) is ignored.
Fe FromBytes(const std::uint8_t* s) {
  return Fe{{Load64(s) & kMask51, (Load64(s + 6) >> 3) & kMask51, (Load64(s + 12) >> 6) & kMask51,
             (Load64(s + 19) >> 1) & kMask51, (Load64(s + 24) >> 12) & kMask51}};
}

// The canonical encoding (value mod p, below p), 32 bytes, top bit clear.
std::array<std::uint8_t, 32> ToBytes(Fe h) {
  Carry(h);
  Carry(h);
  // q = 1 iff h >= p, i.e. iff h + 19 reaches 2^255.
  u64 q = (h.v[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (h.v[i] + q) >> 51;
  h.v[0] += 19 * q;
  for (int i = 0; i < 4; ++i) {
    h.v[i + 1] += h.v[i] >> 51;
    h.v[i] &= kMask51;
  }
  h.v[4] &= kMask51;
  const u64 w[4] = {h.v[0] | (h.v[1] << 51), (h.v[1] >> 13) | (h.v[2] << 38),
                    (h.v[2] >> 26) | (h.v[3] << 25), (h.v[3] >> 39) | (h.v[4] << 12)};
  std::array<std::uint8_t, 32> out;
  std::memcpy(out.data(), w, 32);
  return out;
}

bool Equal(const Fe& f, const Fe& g) { return ToBytes(f) == ToBytes(g); }
bool IsZero(const Fe& f) { return Equal(f, kZero); }
bool IsOdd(const Fe& f) { return (ToBytes(f)[0] & 1) != 0; }

// ---- The curve: -x^2 + y^2 = 1 + d x^2 y^2, extended coordinates (X:Y:Z:T), T = XY/Z. ----

struct Constants {
  Fe d, d2, sqrtm1;
};

const Constants& Curve() {
  static const Constants c = [] {
    Constants k;
    k.d = Mul(Neg(Small(121665)), Invert(Small(121666)));
    k.d2 = Add(k.d, k.d);
    k.sqrtm1 = Mul(Sqr(Pow22523(Small(2))), Small(2));  // 2^((p - 1) / 4)
    return k;
  }();
  return c;
}

struct Point {
  Fe x, y, z, t;
};

constexpr Point kIdentity{kZero, kOne, kOne, kZero};

// An affine point prepared for mixed addition: y + x, y - x, 2 d x y.
struct Niels {
  Fe ypx, ymx, xy2d;
};

Point Double(const Point& p) {
  const Fe a = Sqr(p.x);
  const Fe b = Sqr(p.y);
  const Fe c = Add(Sqr(p.z), Sqr(p.z));
  const Fe e = Sub(Sub(Sqr(Add(p.x, p.y)), a), b);
  const Fe g = Sub(b, a);  // D + B with D = -A
  const Fe f = Sub(g, c);
  const Fe h = Neg(Add(a, b));  // D - B
  return Point{Mul(e, f), Mul(g, h), Mul(f, g), Mul(e, h)};
}

// p + q (or p - q when `negate`), q affine.
Point AddNiels(const Point& p, const Niels& q, bool negate) {
  const Fe ypx = Add(p.y, p.x);
  const Fe ymx = Sub(p.y, p.x);
  const Fe a = Mul(ymx, negate ? q.ypx : q.ymx);
  const Fe b = Mul(ypx, negate ? q.ymx : q.ypx);
  const Fe c = Mul(p.t, q.xy2d);
  const Fe d = Add(p.z, p.z);
  const Fe e = Sub(b, a);
  const Fe h = Add(b, a);
  const Fe f = negate ? Add(d, c) : Sub(d, c);
  const Fe g = negate ? Sub(d, c) : Add(d, c);
  return Point{Mul(e, f), Mul(g, h), Mul(f, g), Mul(e, h)};
}

// p + q, both projective (used only while building tables).
Point AddPoints(const Point& p, const Point& q) {
  const Fe a = Mul(Sub(p.y, p.x), Sub(q.y, q.x));
  const Fe b = Mul(Add(p.y, p.x), Add(q.y, q.x));
  const Fe c = Mul(Mul(p.t, q.t), Curve().d2);
  const Fe zz = Mul(p.z, q.z);
  const Fe d = Add(zz, zz);
  const Fe e = Sub(b, a);
  const Fe h = Add(b, a);
  const Fe f = Sub(d, c);
  const Fe g = Add(d, c);
  return Point{Mul(e, f), Mul(g, h), Mul(f, g), Mul(e, h)};
}

bool IsIdentity(const Point& p) { return IsZero(p.x) && Equal(p.y, p.z); }

bool IsSmallOrder(const Point& p) { return IsIdentity(Double(Double(Double(p)))); }

std::array<std::uint8_t, 32> Encode(const Point& p) {
  const Fe zinv = Invert(p.z);
  std::array<std::uint8_t, 32> out = ToBytes(Mul(p.y, zinv));
  out[31] |= static_cast<std::uint8_t>(IsOdd(Mul(p.x, zinv)) << 7);
  return out;
}

// RFC 8032 section 5.1.3, plus canonical y: false unless `s` encodes a point exactly.
bool Decode(const std::uint8_t* s, Point& out) {
  const Fe y = FromBytes(s);
  std::array<std::uint8_t, 32> y_bytes;
  std::memcpy(y_bytes.data(), s, 32);
  y_bytes[31] &= 0x7f;
  if (ToBytes(y) != y_bytes) return false;  // y >= p
  const Fe yy = Sqr(y);
  const Fe u = Sub(yy, kOne);
  const Fe v = Add(Mul(Curve().d, yy), kOne);
  const Fe v3 = Mul(Sqr(v), v);
  Fe x = Mul(Mul(u, v3), Pow22523(Mul(u, Mul(Sqr(v3), v))));  // u v^3 (u v^7)^((p-5)/8)
  const Fe vxx = Mul(v, Sqr(x));
  if (!Equal(vxx, u)) {
    if (!Equal(vxx, Neg(u))) return false;  // not on the curve
    x = Mul(x, Curve().sqrtm1);
  }
  if (IsOdd(x) != ((s[31] >> 7) != 0)) x = Neg(x);
  out = Point{x, y, kOne, Mul(x, y)};
  return true;
}

// ---- Comb tables and scalars. ----

// Signed radix-16 digits in [-8, 8) of a scalar below 2^255: a = sum e[i] 16^i.
std::array<std::int8_t, 64> Radix16(const std::uint8_t* a) {
  std::array<std::int8_t, 64> e;
  for (int i = 0; i < 32; ++i) {
    e[2 * i] = static_cast<std::int8_t>(a[i] & 15);
    e[2 * i + 1] = static_cast<std::int8_t>(a[i] >> 4);
  }
  int carry = 0;
  for (int i = 0; i < 63; ++i) {
    int digit = e[i] + carry;
    carry = (digit + 8) >> 4;
    e[i] = static_cast<std::int8_t>(digit - (carry << 4));
  }
  e[63] = static_cast<std::int8_t>(e[63] + carry);
  return e;
}

}  // namespace

// Multiples (j + 1) * 256^i * P, affine, row i at [i * entries, (i + 1) * entries).
struct Ed25519PreparedKey::Table {
  std::vector<Niels> points;
};

namespace {

// A key's table: 32 x 8 points (30 KiB), signed radix-16 digits; B's: 32 x 128 points (480 KiB,
// once), signed radix-256.
constexpr std::size_t kKeyEntries = 8;
constexpr std::size_t kBaseEntries = 128;

std::vector<Niels> BuildTable(const Point& p, std::size_t entries) {
  std::vector<Point> points(32 * entries);
  Point base = p;
  for (std::size_t i = 0; i < 32; ++i) {
    Point* row = &points[i * entries];
    row[0] = base;
    for (std::size_t j = 1; j < entries; ++j) row[j] = AddPoints(row[j - 1], base);
    for (int k = 0; k < 8; ++k) base = Double(base);  // the next row's: 256 * base
  }
  // Normalise every point with one inversion (Montgomery's trick).
  std::vector<Fe> prefix(points.size());
  Fe acc = kOne;
  for (std::size_t i = 0; i < points.size(); ++i) {
    prefix[i] = acc;
    acc = Mul(acc, points[i].z);
  }
  Fe inv = Invert(acc);
  std::vector<Niels> table(points.size());
  for (std::size_t i = points.size(); i-- > 0;) {
    const Fe zinv = Mul(inv, prefix[i]);
    inv = Mul(inv, points[i].z);
    const Fe x = Mul(points[i].x, zinv);
    const Fe y = Mul(points[i].y, zinv);
    table[i] = Niels{Add(y, x), Sub(y, x), Mul(Mul(x, y), Curve().d2)};
  }
  return table;
}

const std::vector<Niels>& BaseTable() {
  static const std::vector<Niels> table = [] {
    // B: y = 4/5, x even (RFC 8032 section 5.1).
    const std::array<std::uint8_t, 32> b = ToBytes(Mul(Small(4), Invert(Small(5))));
    Point base;
    QFS_CHECK(Decode(b.data(), base));
    return BuildTable(base, kBaseEntries);
  }();
  return table;
}

// Signed radix-256 digits in [-128, 128) of a scalar below 2^253: b = sum e[i] 256^i.
std::array<int, 32> Radix256(const std::uint8_t* b) {
  std::array<int, 32> e;
  int carry = 0;
  for (int i = 0; i < 32; ++i) {
    const int digit = b[i] + carry;
    carry = (digit + 128) >> 8;
    e[static_cast<std::size_t>(i)] = digit - (carry << 8);
  }
  QFS_CHECK(carry == 0);  // b < 2^253: the top byte is at most 0x1f
  return e;
}

// Adds digit * row[0] to p, row holding the multiples 1..|digit|max.
void AddDigit(Point& p, const Niels* row, int digit) {
  if (digit > 0) p = AddNiels(p, row[digit - 1], false);
  if (digit < 0) p = AddNiels(p, row[-digit - 1], true);
}

// [a]A + [b]B: A's odd radix-16 digits, 4 doublings, A's even digits and B's radix-256 digits
// (96 mixed additions and 4 doublings).
Point DoubleComb(const std::vector<Niels>& ta, const std::uint8_t* a, const std::uint8_t* b) {
  const std::array<std::int8_t, 64> ea = Radix16(a);
  const std::array<int, 32> eb = Radix256(b);
  const std::vector<Niels>& tb = BaseTable();
  Point p = kIdentity;
  for (int i = 1; i < 64; i += 2)
    AddDigit(p, &ta[static_cast<std::size_t>(i / 2) * kKeyEntries], ea[i]);
  for (int k = 0; k < 4; ++k) p = Double(p);
  for (int i = 0; i < 64; i += 2)
    AddDigit(p, &ta[static_cast<std::size_t>(i / 2) * kKeyEntries], ea[i]);
  for (int i = 0; i < 32; ++i) AddDigit(p, &tb[static_cast<std::size_t>(i) * kBaseEntries], eb[i]);
  return p;
}

bool IsCanonicalScalar(const std::uint8_t* s) {
  std::uint8_t wide[64] = {};
  std::memcpy(wide, s, 32);
  std::uint8_t reduced[32];
  crypto_core_ed25519_scalar_reduce(reduced, wide);
  return std::memcmp(reduced, s, 32) == 0;
}

}  // namespace

Ed25519PreparedKey::~Ed25519PreparedKey() = default;

std::size_t Ed25519PreparedKey::memory_bytes() const {
  return sizeof(Ed25519PreparedKey) + sizeof(Table) + 32 * kKeyEntries * sizeof(Niels);
}

Result<std::unique_ptr<const Ed25519PreparedKey>> Ed25519PreparedKey::Prepare(ByteSpan public_key) {
  static const bool sodium = sodium_init() >= 0;
  QFS_CHECK(sodium);
  if (public_key.size() != 32) return Status(StatusCode::kBadKey, "Ed25519 public key is 32 bytes");
  Point a;
  if (!Decode(public_key.data(), a)) {
    return Status(StatusCode::kBadKey, "Ed25519 public key is not a canonical curve point");
  }
  if (IsSmallOrder(a)) return Status(StatusCode::kBadKey, "Ed25519 public key has small order");
  // The table holds -A: verification computes [S]B + [k](-A).
  a = Point{Neg(a.x), a.y, a.z, Neg(a.t)};
  std::unique_ptr<Ed25519PreparedKey> key(new Ed25519PreparedKey());
  std::memcpy(key->encoded_.data(), public_key.data(), 32);
  key->table_ = std::make_unique<const Table>(Table{BuildTable(a, kKeyEntries)});
  (void)BaseTable();  // built once, before any verification needs it
  return std::unique_ptr<const Ed25519PreparedKey>(std::move(key));
}

Status Ed25519PreparedKey::Verify(ByteSpan message, ByteSpan signature) const {
  if (signature.size() != 64) {
    return Status(StatusCode::kBadSignature, "Ed25519 signature is 64 bytes");
  }
  const std::uint8_t* r = signature.data();
  const std::uint8_t* s = signature.data() + 32;
  if (!IsCanonicalScalar(s)) {
    return Status(StatusCode::kBadSignature, "Ed25519 signature does not verify");
  }
  crypto_hash_sha512_state hash;
  crypto_hash_sha512_init(&hash);
  crypto_hash_sha512_update(&hash, r, 32);
  crypto_hash_sha512_update(&hash, encoded_.data(), 32);
  crypto_hash_sha512_update(&hash, message.data(), message.size());
  std::uint8_t digest[64];
  crypto_hash_sha512_final(&hash, digest);
  std::uint8_t k[32];
  crypto_core_ed25519_scalar_reduce(k, digest);
  const Point p = DoubleComb(table_->points, k, s);  // [k](-A) + [S]B
  if (std::memcmp(Encode(p).data(), r, 32) != 0 || IsSmallOrder(p)) {
    return Status(StatusCode::kBadSignature, "Ed25519 signature does not verify");
  }
  return OkStatus();
}

}  // namespace qfs::crypto
