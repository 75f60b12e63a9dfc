// Ed25519PreparedKey against libsodium's crypto_sign_verify_detached: the same verdict on valid
// signatures, on every single-bit corruption, on non-canonical S, on small-order R, and on keys
// and nonces with torsion components built with libsodium's own group operations (the cases
// where a cofactored or a blocklist-free implementation would differ). The Wycheproof set runs
// through both in vectors_test.cc.
#include "crypto/ed25519_prepared.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstring>

#include "base/text_encoding.h"
#include "crypto/curve25519.h"

namespace qfs::crypto {
namespace {

using Point = std::array<std::uint8_t, 32>;

Point FromHex(const char* hex) {
  Bytes b = HexDecode(hex).value();
  Point p;
  std::memcpy(p.data(), b.data(), 32);
  return p;
}

// The eight points of small order (the torsion subgroup, cyclic of order 8): the identity, the
// point of order 2, the two of order 4 (y = 0) and the four of order 8.
std::vector<Point> SmallOrderPoints() {
  const Point y8 = FromHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
  std::vector<Point> out;
  Point identity{};
  identity[0] = 1;
  out.push_back(identity);
  Point minus_one = FromHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  out.push_back(minus_one);
  Point zero{};
  out.push_back(zero);
  zero[31] = 0x80;
  out.push_back(zero);
  for (int neg_y = 0; neg_y < 2; ++neg_y) {
    Point p = y8;
    if (neg_y != 0) {  // -y8 = p - y8, via libsodium's field through (0,-1) + (x,y) = (-x,-y)
      EXPECT_EQ(crypto_core_ed25519_add(p.data(), y8.data(), minus_one.data()), 0);
    }
    out.push_back(p);
    p[31] ^= 0x80;
    out.push_back(p);
  }
  for (const Point& t : out) {  // each really is a torsion point: [8]T = identity
    Point acc = t;
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(crypto_core_ed25519_add(acc.data(), acc.data(), acc.data()), 0);
    EXPECT_EQ(acc, identity);
  }
  return out;
}

bool Sodium(ByteSpan pk, ByteSpan msg, ByteSpan sig) { return Ed25519Verify(pk, msg, sig).ok(); }

bool Prepared(ByteSpan pk, ByteSpan msg, ByteSpan sig) {
  auto key = Ed25519PreparedKey::Prepare(pk);
  return key.ok() && key.value()->Verify(msg, sig).ok();
}

// k = SHA-512(R || A || M) mod L.
std::array<std::uint8_t, 32> Challenge(const Point& r, const Point& a, ByteSpan msg) {
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, r.data(), 32);
  crypto_hash_sha512_update(&st, a.data(), 32);
  crypto_hash_sha512_update(&st, msg.data(), msg.size());
  std::uint8_t h[64];
  crypto_hash_sha512_final(&st, h);
  std::array<std::uint8_t, 32> k;
  crypto_core_ed25519_scalar_reduce(k.data(), h);
  return k;
}

TEST(Ed25519PreparedTest, ValidSignaturesAndEveryBitFlip) {
  for (int trial = 0; trial < 16; ++trial) {
    Ed25519KeyPair kp = Ed25519FromSeed(Bytes(32, static_cast<std::uint8_t>(trial))).value();
    Bytes msg(static_cast<std::size_t>(trial * 37), static_cast<std::uint8_t>(trial));
    Bytes sig = Ed25519Sign(kp.secret_key, msg).value();
    auto key = Ed25519PreparedKey::Prepare(kp.public_key).value();
    ASSERT_TRUE(key->Verify(msg, sig).ok());
    EXPECT_TRUE(std::equal(kp.public_key.begin(), kp.public_key.end(), key->public_key().begin()));
    for (std::size_t bit = 0; bit < sig.size() * 8; ++bit) {
      Bytes bad = sig;
      bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      EXPECT_EQ(key->Verify(msg, bad).ok(), Sodium(kp.public_key, msg, bad)) << "bit " << bit;
      EXPECT_FALSE(key->Verify(msg, bad).ok());
    }
    if (!msg.empty()) {
      Bytes other = msg;
      other[0] ^= 1;
      EXPECT_FALSE(key->Verify(other, sig).ok());
    }
    EXPECT_EQ(key->Verify(msg, ByteSpan(sig).first(63)).code(), StatusCode::kBadSignature);
  }
}

TEST(Ed25519PreparedTest, NonCanonicalS) {
  Ed25519KeyPair kp = Ed25519FromSeed(Bytes(32, 9)).value();
  Bytes msg = {1, 2, 3};
  Bytes sig = Ed25519Sign(kp.secret_key, msg).value();
  // S + L, still below 2^256 for this S: the same point, refused by both.
  const Point l = FromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned sum = sig[32 + i] + l[i] + carry;
    sig[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0u);
  EXPECT_FALSE(Sodium(kp.public_key, msg, sig));
  EXPECT_FALSE(Prepared(kp.public_key, msg, sig));
}

TEST(Ed25519PreparedTest, KeysRefused) {
  for (const Point& t : SmallOrderPoints()) {
    EXPECT_EQ(Ed25519PreparedKey::Prepare(t).status().code(), StatusCode::kBadKey);
  }
  Point not_canonical = FromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_EQ(Ed25519PreparedKey::Prepare(not_canonical).status().code(), StatusCode::kBadKey);
  Point off_curve{};
  off_curve[0] = 2;  // y = 2: (y^2 - 1) / (d y^2 + 1) is not a square
  EXPECT_EQ(Ed25519PreparedKey::Prepare(off_curve).status().code(), StatusCode::kBadKey);
  EXPECT_EQ(Ed25519PreparedKey::Prepare(Bytes(31, 1)).status().code(), StatusCode::kBadKey);
}

// Keys A = [a]B + T and nonces R = [r]B + T' with T, T' of small order, signed by someone who
// knows a: libsodium accepts exactly when R = [S]B - [k]A, i.e. T' = -[k]T; the prepared path
// must agree every time. Also R of small order (r = 0), which libsodium's blocklist refuses.
TEST(Ed25519PreparedTest, TorsionComponentsAgreeWithLibsodium) {
  ASSERT_GE(sodium_init(), 0);
  const std::vector<Point> torsion = SmallOrderPoints();
  int accepted = 0, refused = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::uint8_t a[32], r[32];
    crypto_core_ed25519_scalar_random(a);
    crypto_core_ed25519_scalar_random(r);
    if (trial % 50 == 0) std::memset(r, 0, 32);  // R is then the torsion point itself
    Point ab, rb, pk, big_r;
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(ab.data(), a), 0);
    const bool r_zero = trial % 50 == 0;
    if (!r_zero) {
      ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(rb.data(), r), 0);
    }
    const Point& t = torsion[static_cast<std::size_t>(trial) % torsion.size()];
    const Point& t2 = torsion[static_cast<std::size_t>(trial / 8) % torsion.size()];
    ASSERT_EQ(crypto_core_ed25519_add(pk.data(), ab.data(), t.data()), 0);
    if (r_zero) {
      big_r = t2;
    } else {
      ASSERT_EQ(crypto_core_ed25519_add(big_r.data(), rb.data(), t2.data()), 0);
    }
    Bytes msg = {static_cast<std::uint8_t>(trial), 0x51};
    const auto k = Challenge(big_r, pk, msg);
    std::uint8_t ka[32], s[32];
    crypto_core_ed25519_scalar_mul(ka, k.data(), a);
    crypto_core_ed25519_scalar_add(s, r, ka);  // S = r + k a
    Bytes sig(big_r.begin(), big_r.end());
    sig.insert(sig.end(), s, s + 32);
    const bool sodium = Sodium(pk, msg, sig);
    EXPECT_EQ(Prepared(pk, msg, sig), sodium) << "trial " << trial;
    (sodium ? accepted : refused)++;
  }
  // Both outcomes occur, so the comparison covered each side (T' = -kT happens about 1 in 8).
  EXPECT_GT(accepted, 10);
  EXPECT_GT(refused, 100);
}

}  // namespace
}  // namespace qfs::crypto
