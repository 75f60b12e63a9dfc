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
  return it == shard.end() ? nullptr : &records_[it->second].second;
}

void OperationIndex::Add(const OperationKey& key, const OperationRecord& record) {
  const bool added = shards_[ShardNumber(hash_(key))].emplace(key, records_.size()).second;
  QFS_CHECK(added);
  records_.emplace_back(key, record);
}

}  // namespace qfs::ledger
