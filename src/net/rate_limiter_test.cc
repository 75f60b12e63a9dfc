#include "net/rate_limiter.h"

#include <gtest/gtest.h>

namespace qfs::net {
namespace {

TEST(RateLimiter, AllowsBurstThenRefillsAtRate) {
  RateLimiter limiter(10, 5, 100);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow("a", 1000));
  EXPECT_FALSE(limiter.Allow("a", 1000));
  EXPECT_TRUE(limiter.Allow("b", 1000));   // clients are independent
  EXPECT_FALSE(limiter.Allow("a", 1050));  // half a token
  EXPECT_TRUE(limiter.Allow("a", 1100));   // one token after 100 ms at 10/s
  EXPECT_FALSE(limiter.Allow("a", 1100));
}

TEST(RateLimiter, BoundsTrackedClients) {
  RateLimiter limiter(1, 1, 2);
  EXPECT_TRUE(limiter.Allow("a", 0));
  EXPECT_TRUE(limiter.Allow("b", 0));
  EXPECT_FALSE(limiter.Allow("c", 0));    // table full of active clients
  EXPECT_TRUE(limiter.Allow("c", 5000));  // a and b refilled and were dropped
}

TEST(RateLimiter, ChargesGoIntoDebtDownToMinusTheBurst) {
  RateLimiter limiter(10, 5, 4);  // 10/s, burst 5
  EXPECT_TRUE(limiter.Allow("a", 0));
  limiter.Charge("a", 1'000'000, 0);      // far more than the debt allowed: -5
  EXPECT_FALSE(limiter.Allow("a", 500));  // -5 + 5 tokens after 0.5 s: 0
  EXPECT_TRUE(limiter.Allow("a", 600));   // 1
  limiter.Charge("unknown", 3, 0);        // an untracked client is left alone
  EXPECT_TRUE(limiter.Allow("unknown", 0));
}

}  // namespace
}  // namespace qfs::net
