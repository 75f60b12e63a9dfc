#include "ledger/operation_index.h"

#include <sodium.h>

#include <cstring>

#include "base/check.h"
#include "crypto/random.h"

namespace qfs::ledger {

std::size_t OperationIndex::KeyHash::operator()(const OperationKey& key) const {
  static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);
  std::uint8_t input[20 + 16];
  std::memcpy(input, key.first.bytes.data(), 20);
  std::memcpy(input + 20, key.second.bytes.data(), 16);
  std::uint8_t out[8];
  crypto_shorthash(out, input, sizeof(input), secret.data());
  std::uint64_t h = 0;
  std::memcpy(&h, out, sizeof(h));
  return static_cast<std::size_t>(h);
}

OperationIndex::OperationIndex() {
  crypto::SystemRandom().Fill(hash_.secret);  // only the tables' layout depends on it
  shards_.assign(kShards, Shard(0, hash_));
}

const OperationRecord* OperationIndex::Find(const OperationKey& key) const {
  const Shard& shard = shards_[ShardNumber(hash_(key))];
  auto it = shard.find(key);
  return it == shard.end() ? nullptr : &At(it->second).second;
}

void OperationIndex::Add(const OperationKey& key, const OperationRecord& record) {
  const bool added = shards_[ShardNumber(hash_(key))].emplace(key, size_).second;
  QFS_CHECK(added);
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
