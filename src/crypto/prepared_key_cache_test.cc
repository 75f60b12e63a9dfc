#include "crypto/prepared_key_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "crypto/mldsa.h"

namespace qfs::crypto {
namespace {

struct Signed {
  const SignatureScheme* scheme;
  Bytes public_key, message, signature;
};

Signed Sign(SignatureAlgorithm algorithm, std::uint8_t seed) {
  const SignatureScheme* scheme = SignatureRegistry::Default().Find(algorithm).value();
  SignatureKeyPair kp = scheme->KeyPairFromSeed(Bytes(scheme->seed_bytes(), seed)).value();
  Bytes message = {seed, 1, 2, 3};
  Bytes signature = scheme->Sign(kp.secret_key, message).value();
  return {scheme, kp.public_key, message, signature};
}

TEST(PreparedKeyCacheTest, SameVerdictsAsThePlainVerifyForEveryScheme) {
  PreparedKeyCache cache;
  for (const SignatureScheme* scheme : SignatureRegistry::Default().schemes()) {
    Signed s = Sign(scheme->id(), 5);
    for (int round = 0; round < 3; ++round) {  // plain (first miss), prepared, cached
      EXPECT_TRUE(cache.Verify(*scheme, s.public_key, s.message, s.signature).ok())
          << scheme->name() << " round " << round;
      Bytes bad = s.signature;
      bad[bad.size() / 2] ^= 0x10;
      EXPECT_EQ(cache.Verify(*scheme, s.public_key, s.message, bad).code(),
                scheme->Verify(s.public_key, s.message, bad).code())
          << scheme->name();
      Bytes other = s.message;
      other.push_back(0);
      EXPECT_FALSE(cache.Verify(*scheme, s.public_key, other, s.signature).ok());
      EXPECT_FALSE(cache.Verify(*scheme, s.public_key, s.message, {}).ok());
    }
  }
  const PreparedKeyCacheStats stats = cache.stats();
  EXPECT_EQ(stats.keys, SignatureRegistry::Default().schemes().size());
  EXPECT_EQ(stats.prepared, stats.keys);
  EXPECT_EQ(stats.misses, 2 * stats.keys);  // the first miss verifies plainly; the second prepares
  EXPECT_GT(stats.hits, 0u);
}

TEST(PreparedKeyCacheTest, PreparedOnTheSecondMissOnly) {
  PreparedKeyCache cache;
  Signed a = Sign(SignatureAlgorithm::kEd25519, 1);
  ASSERT_TRUE(cache.Verify(*a.scheme, a.public_key, a.message, a.signature).ok());
  EXPECT_EQ(cache.stats().keys, 0u);
  ASSERT_TRUE(cache.Verify(*a.scheme, a.public_key, a.message, a.signature).ok());
  EXPECT_EQ(cache.stats().keys, 1u);
  EXPECT_GT(cache.stats().memory_bytes, 30'000u);
}

TEST(PreparedKeyCacheTest, TheSameKeyBytesUnderAnotherSchemeAreAnotherEntry) {
  PreparedKeyCache cache({.doorkeeper_keys = 0});  // prepare on the first miss
  Signed ml44 = Sign(SignatureAlgorithm::kMlDsa44, 2);
  const SignatureScheme* ml65 =
      SignatureRegistry::Default().Find(SignatureAlgorithm::kMlDsa65).value();
  EXPECT_TRUE(cache.Verify(*ml44.scheme, ml44.public_key, ml44.message, ml44.signature).ok());
  // ML-DSA-65 refuses a key of ML-DSA-44's size, cached or not.
  EXPECT_EQ(cache.Verify(*ml65, ml44.public_key, ml44.message, ml44.signature).code(),
            StatusCode::kBadKey);
  EXPECT_EQ(cache.stats().keys, 1u);
}

TEST(PreparedKeyCacheTest, MalformedKeysAreNeverCached) {
  PreparedKeyCache cache({.doorkeeper_keys = 0});
  Signed a = Sign(SignatureAlgorithm::kEd25519, 3);
  Bytes small_order(32, 0);
  small_order[0] = 1;  // the identity
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(cache.Verify(*a.scheme, small_order, a.message, a.signature).ok());
  }
  EXPECT_EQ(cache.stats().keys, 0u);
}

TEST(PreparedKeyCacheTest, EvictsTheLeastRecentlyUsedWithinItsBudget) {
  // Room for two Ed25519 keys.
  const std::size_t one = SignatureRegistry::Default()
                              .Find(SignatureAlgorithm::kEd25519)
                              .value()
                              ->Prepare(Sign(SignatureAlgorithm::kEd25519, 0).public_key)
                              .value()
                              ->memory_bytes() +
                          32;
  PreparedKeyCache cache({.memory_bytes_max = 2 * one + one / 2, .doorkeeper_keys = 0});
  std::vector<Signed> keys;
  for (std::uint8_t i = 0; i < 3; ++i) keys.push_back(Sign(SignatureAlgorithm::kEd25519, i));
  auto verify = [&](int i) {
    const Signed& s = keys[static_cast<std::size_t>(i)];
    ASSERT_TRUE(cache.Verify(*s.scheme, s.public_key, s.message, s.signature).ok());
  };
  verify(0);
  verify(1);
  verify(0);  // 1 is now the least recent
  verify(2);  // evicts 1
  EXPECT_EQ(cache.stats().keys, 2u);
  EXPECT_EQ(cache.stats().evicted, 1u);
  EXPECT_LE(cache.stats().memory_bytes, 2 * one + one / 2);
  const std::uint64_t hits = cache.stats().hits;
  verify(0);
  EXPECT_EQ(cache.stats().hits, hits + 1);
  verify(1);  // a miss again
  EXPECT_EQ(cache.stats().hits, hits + 1);
}

TEST(PreparedKeyCacheTest, DisabledIsThePlainVerify) {
  PreparedKeyCache cache({.memory_bytes_max = 0});
  Signed a = Sign(SignatureAlgorithm::kEd25519, 4);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(cache.Verify(*a.scheme, a.public_key, a.message, a.signature).ok());
  }
  EXPECT_EQ(cache.stats().keys, 0u);
}

TEST(PreparedKeyCacheTest, ManyThreads) {
  PreparedKeyCache cache({.memory_bytes_max = 4 * 40'000, .doorkeeper_keys = 2});
  std::vector<Signed> keys;
  for (std::uint8_t i = 0; i < 8; ++i) keys.push_back(Sign(SignatureAlgorithm::kEd25519, i));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const Signed& s = keys[static_cast<std::size_t>((i * 7 + t) % 8)];
        Bytes sig = s.signature;
        if (i % 5 == 0) sig[0] ^= 1;
        const bool ok = cache.Verify(*s.scheme, s.public_key, s.message, sig).ok();
        if (ok != (i % 5 != 0)) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(cache.stats().memory_bytes, 4u * 40'000);
}

}  // namespace
}  // namespace qfs::crypto
