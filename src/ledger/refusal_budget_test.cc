#include "ledger/refusal_budget.h"

#include <gtest/gtest.h>

namespace qfs::ledger {
namespace {

IdentityId Id(std::uint8_t n) {
  IdentityId id{};
  id.bytes[0] = n;
  return id;
}

RefusalBudgetOptions Small() {
  return {.identity_bytes_per_s = 100,
          .identity_burst_bytes = 1000,
          .node_bytes_per_s = 1000,
          .node_burst_bytes = 2500,
          .identities_max = 2};
}

TEST(RefusalBudget, ASignerSpendsItsBurstThenItsRate) {
  RefusalBudget b(Small());
  ASSERT_TRUE(b.CanLog(Id(1), 600, 0));
  b.Charge(Id(1), 600, 0);
  EXPECT_TRUE(b.CanLog(Id(1), 400, 0));
  EXPECT_FALSE(b.CanLog(Id(1), 401, 0));
  b.Charge(Id(1), 400, 0);
  EXPECT_FALSE(b.CanLog(Id(1), 1, 9'999));         // 0.9999 bytes refilled
  EXPECT_TRUE(b.CanLog(Id(1), 1, 10'000));         // 100 B/s: one byte per 10 ms
  EXPECT_TRUE(b.CanLog(Id(1), 1000, 10'000'000));  // refilled to the burst, no further
  EXPECT_FALSE(b.CanLog(Id(1), 1001, 3'600'000'000));
}

TEST(RefusalBudget, TheNodesBucketBoundsAllSignersTogether) {
  RefusalBudgetOptions o = Small();
  o.identities_max = 10;
  RefusalBudget b(o);
  b.Charge(Id(1), 1000, 0);
  b.Charge(Id(2), 1000, 0);
  EXPECT_TRUE(b.CanLog(Id(3), 500, 0));  // its own bucket is full; the node's holds 500
  EXPECT_FALSE(b.CanLog(Id(3), 501, 0));
  EXPECT_TRUE(b.CanLog(Id(3), 1000, 500'000));  // the node refills at 1,000 B/s
}

TEST(RefusalBudget, ASignerBeyondTheTrackedOnesHasNoBudgetUntilABucketRefills) {
  RefusalBudget b(Small());
  b.Charge(Id(1), 10, 0);
  b.Charge(Id(2), 10, 0);
  EXPECT_FALSE(b.CanLog(Id(3), 1, 0));
  EXPECT_EQ(b.identities_tracked(), 2u);
  // After 0.1 s both have refilled completely and make room.
  EXPECT_TRUE(b.CanLog(Id(3), 1, 100'000));
  EXPECT_LE(b.identities_tracked(), 2u);
}

TEST(RefusalBudget, ChargingMoreThanABucketHoldsEmptiesIt) {
  RefusalBudget b(Small());
  b.Charge(Id(1), 5000, 0);
  EXPECT_FALSE(b.CanLog(Id(1), 1, 0));
  EXPECT_FALSE(b.CanLog(Id(2), 1, 0));  // the node's bucket is empty too
  EXPECT_TRUE(b.CanLog(Id(2), 1, 1000));
}

TEST(RefusalBudget, TimeGoingBackwardsRefillsNothing) {
  RefusalBudget b(Small());
  b.Charge(Id(1), 1000, 5'000'000);
  EXPECT_FALSE(b.CanLog(Id(1), 1, 1'000'000));
  EXPECT_FALSE(b.CanLog(Id(1), 1, 5'000'000));
}

TEST(RefusalBudget, AHugeSizeNeverFitsAndNeverOverflows) {
  RefusalBudget b(Small());
  EXPECT_FALSE(b.CanLog(Id(1), UINT64_MAX, UINT64_MAX));
  b.Charge(Id(1), UINT64_MAX, UINT64_MAX);
  EXPECT_FALSE(b.CanLog(Id(1), 1, UINT64_MAX));
}

}  // namespace
}  // namespace qfs::ledger
