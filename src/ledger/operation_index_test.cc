#include "ledger/operation_index.h"

#include <gtest/gtest.h>

#include <vector>

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
  }
  std::uint32_t seen = 0;
  ops.Freeze().ForEach([&](const OperationIndex::Entry& e) {
    EXPECT_EQ(e.second.index, seen);
    EXPECT_EQ(e.first, Key((seen * 7919) % kCount));
    ++seen;
  });
  EXPECT_EQ(seen, kCount);
  EXPECT_EQ(ops.back().second.index, kCount - 1);
  EXPECT_EQ(ops.Find(Key(kCount)), nullptr);
  OperationKey other_signer = Key(5);
  other_signer.first.bytes[19] = 1;
  EXPECT_EQ(ops.Find(other_signer), nullptr);
}

// With a hash that collides on purpose (four values, one shard), every lookup and insert probes
// past slots of equal hash and different key, and the shard grows many times.
std::uint64_t WeakHash(const OperationKey& key) { return key.second.bytes[0] & 3u; }

TEST(OperationIndexTest, FindsTheRightRecordAmongCollidingHashes) {
  OperationIndex ops(&WeakHash);
  constexpr std::uint32_t kCount = 3000;
  for (std::uint32_t i = 0; i < kCount; ++i) ops.Add(Key(i), {{}, 10 * i, ResultCode::kOk});
  for (std::uint32_t i = 0; i < kCount; ++i) {
    const OperationRecord* r = ops.Find(Key(i));
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->index, 10 * i);
  }
  EXPECT_EQ(ops.Find(Key(kCount)), nullptr);  // same hash as some, a key never added
  EXPECT_EQ(ops.Find(Key(kCount + 1)), nullptr);
}

// A frozen view keeps the records of its moment, exactly, however the index grows afterwards
// (across a partial block, which Freeze copies, and full blocks, which it shares).
TEST(OperationIndexTest, AFrozenViewIsUnchangedByLaterRecords) {
  OperationIndex ops;
  const std::uint32_t first = OperationIndex::kBlockRecords + 10;
  for (std::uint32_t i = 0; i < first; ++i) ops.Add(Key(i), {{}, i, ResultCode::kOk});
  const OperationIndex::Frozen frozen = ops.Freeze();
  for (std::uint32_t i = first; i < 3 * OperationIndex::kBlockRecords; ++i) {
    ops.Add(Key(i), {{}, i, ResultCode::kOk});
  }
  ASSERT_EQ(frozen.size(), first);
  std::vector<std::uint64_t> indexes;
  frozen.ForEach([&](const OperationIndex::Entry& e) { indexes.push_back(e.second.index); });
  ASSERT_EQ(indexes.size(), first);
  for (std::uint32_t i = 0; i < first; ++i) ASSERT_EQ(indexes[i], i);
  EXPECT_EQ(ops.size(), 3 * OperationIndex::kBlockRecords);
  EXPECT_EQ(OperationIndex().Freeze().size(), 0u);
}

TEST(OperationIndexDeathTest, AddingAKeyTwiceIsAProgrammerError) {
  OperationIndex ops;
  ops.Add(Key(1), {});
  EXPECT_DEATH(ops.Add(Key(1), {}), "QFS_CHECK");
  OperationIndex weak(&WeakHash);  // found past colliding slots too
  for (std::uint32_t i = 0; i < 100; ++i) weak.Add(Key(i), {});
  EXPECT_DEATH(weak.Add(Key(40), {}), "QFS_CHECK");
}

}  // namespace
}  // namespace qfs::ledger
