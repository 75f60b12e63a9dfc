#include "ledger/operation_index.h"

#include <gtest/gtest.h>

namespace qfs::ledger {
namespace {

OperationKey Key(std::uint32_t i) {
  OperationKey k;
  k.first.bytes[0] = static_cast<std::uint8_t>(i % 7);  // few signers, many operations each
  for (std::size_t b = 0; b < 4; ++b) k.second.bytes[b] = static_cast<std::uint8_t>(i >> (8 * b));
  return k;
}

TEST(OperationIndexTest, FindsEveryRecordAndListsThemInTheOrderMade) {
  OperationIndex ops;
  constexpr std::uint32_t kCount = 20'000;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    // Added in an order unlike the keys' own, as a log would.
    const std::uint32_t k = (i * 7919) % kCount;
    ops.Add(Key(k), {crypto::Digest32{static_cast<std::uint8_t>(k)}, i, ResultCode::kOk});
  }
  ASSERT_EQ(ops.size(), kCount);
  for (std::uint32_t i = 0; i < kCount; ++i) {
    const OperationRecord* r = ops.Find(Key((i * 7919) % kCount));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->index, i);
    EXPECT_EQ(ops.records()[i].second.index, i);
    EXPECT_EQ(ops.records()[i].first, Key((i * 7919) % kCount));
  }
  EXPECT_EQ(ops.Find(Key(kCount)), nullptr);
  OperationKey other_signer = Key(5);
  other_signer.first.bytes[19] = 1;
  EXPECT_EQ(ops.Find(other_signer), nullptr);
}

TEST(OperationIndexDeathTest, AddingAKeyTwiceIsAProgrammerError) {
  OperationIndex ops;
  ops.Add(Key(1), {});
  EXPECT_DEATH(ops.Add(Key(1), {}), "QFS_CHECK");
}

}  // namespace
}  // namespace qfs::ledger
