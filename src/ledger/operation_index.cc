#include "ledger/operation_index.h"

#include <sodium.h>

#include <cstring>

#include "base/check.h"
#include "crypto/random.h"

namespace qfs::ledger {

std::uint64_t OperationIndex::Hash(const OperationKey& key) const {
  if (test_hash_ != nullptr) return test_hash_(key);
  static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);
  std::uint8_t input[20 + 16];
  std::memcpy(input, key.first.bytes.data(), 20);
  std::memcpy(input + 20, key.second.bytes.data(), 16);
  std::uint8_t out[8];
  crypto_shorthash(out, input, sizeof(input), secret_.data());
  std::uint64_t h = 0;
  std::memcpy(&h, out, sizeof(h));
  return h;
}

OperationIndex::OperationIndex() : OperationIndex(nullptr) {
  crypto::SystemRandom().Fill(secret_);  // only the tables' layout depends on it
}

OperationIndex::OperationIndex(std::uint64_t (*hash)(const OperationKey&)) : test_hash_(hash) {
  shards_.resize(kShards);
  for (Shard& shard : shards_) shard.slots.resize(kShardSlotsMin);
}

const OperationRecord* OperationIndex::Find(const OperationKey& key) const {
  const std::uint64_t hash = Hash(key);
  const Shard& shard = shards_[ShardNumber(hash)];
  const std::size_t mask = shard.slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = shard.slots[i];
    if (slot.record == 0) return nullptr;
    if (slot.hash == hash && At(slot.record - 1).first == key) return &At(slot.record - 1).second;
  }
}

void OperationIndex::Grow(Shard& shard) {
  std::vector<Slot> old(shard.slots.size() * 2);
  old.swap(shard.slots);
  const std::size_t mask = shard.slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.record == 0) continue;
    std::size_t i = slot.hash & mask;
    while (shard.slots[i].record != 0) i = (i + 1) & mask;
    shard.slots[i] = slot;
  }
}

void OperationIndex::Add(const OperationKey& key, const OperationRecord& record) {
  const std::uint64_t hash = Hash(key);
  Shard& shard = shards_[ShardNumber(hash)];
  if (4 * (shard.used + 1) > 3 * shard.slots.size()) Grow(shard);
  const std::size_t mask = shard.slots.size() - 1;
  std::size_t i = hash & mask;
  for (; shard.slots[i].record != 0; i = (i + 1) & mask) {
    QFS_CHECK(shard.slots[i].hash != hash || At(shard.slots[i].record - 1).first != key);
  }
  shard.slots[i] = {hash, size_ + 1};
  ++shard.used;
  if (size_ % kBlockRecords == 0) {
    blocks_.push_back(std::make_shared<std::vector<Entry>>());
    blocks_.back()->reserve(kBlockRecords);
  }
  blocks_.back()->emplace_back(key, record);
  ++size_;
}

OperationIndex::Frozen OperationIndex::Freeze() const {
  Frozen f;
  f.size_ = size_;
  f.blocks_.assign(blocks_.begin(), blocks_.end());
  // The last block may still grow: the frozen view gets its own copy of it.
  if (size_ % kBlockRecords != 0)
    f.blocks_.back() = std::make_shared<std::vector<Entry>>(*blocks_.back());
  return f;
}

}  // namespace qfs::ledger
