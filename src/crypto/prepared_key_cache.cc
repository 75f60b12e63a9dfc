#include "crypto/prepared_key_cache.h"

namespace qfs::crypto {

PreparedKeyCache::PreparedKeyCache(PreparedKeyCacheOptions options) : options_(options) {}

Status PreparedKeyCache::Verify(const SignatureScheme& scheme, ByteSpan public_key,
                                ByteSpan message, ByteSpan signature) {
  if (options_.memory_bytes_max == 0) return scheme.Verify(public_key, message, signature);
  Key key{scheme.id(), Bytes(public_key.begin(), public_key.end())};
  bool prepare = false;
  std::shared_ptr<const PreparedPublicKey> prepared = Lookup(key, &prepare);
  if (prepared == nullptr && prepare) {
    Result<std::unique_ptr<const PreparedPublicKey>> made = scheme.Prepare(public_key);
    if (made.ok()) {
      prepared = std::move(made).value();
      Insert(std::move(key), prepared);
    }
  }
  if (prepared == nullptr) return scheme.Verify(public_key, message, signature);
  return prepared->Verify(message, signature);
}

std::shared_ptr<const PreparedPublicKey> PreparedKeyCache::Lookup(const Key& key, bool* prepare) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    ++stats_.hits;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.prepared;
  }
  ++stats_.misses;
  auto seen = seen_.find(key);
  if (seen != seen_.end()) {  // the second miss: prepare it (seen_ forgets it in Insert)
    *prepare = true;
    return nullptr;
  }
  if (options_.doorkeeper_keys == 0) {
    *prepare = true;
    return nullptr;
  }
  if (seen_order_.size() >= options_.doorkeeper_keys) {
    seen_.erase(*seen_order_.front());
    seen_order_.pop_front();
  }
  seen_order_.push_back(&*seen_.insert(key).first);
  return nullptr;
}

void PreparedKeyCache::Insert(Key key, std::shared_ptr<const PreparedPublicKey> prepared) {
  const std::size_t bytes = prepared->memory_bytes() + key.second.size();
  std::lock_guard<std::mutex> lock(mutex_);
  if (bytes > options_.memory_bytes_max || entries_.count(key) != 0) return;  // raced: one wins
  if (auto seen = seen_.find(key); seen != seen_.end()) {
    std::erase(seen_order_, &*seen);
    seen_.erase(seen);
  }
  while (stats_.memory_bytes + bytes > options_.memory_bytes_max) {
    auto oldest = entries_.find(*lru_.back());
    stats_.memory_bytes -= oldest->second.prepared->memory_bytes() + oldest->first.second.size();
    lru_.pop_back();
    entries_.erase(oldest);
    ++stats_.evicted;
  }
  auto it = entries_.emplace(std::move(key), Entry{std::move(prepared), {}}).first;
  lru_.push_front(&it->first);
  it->second.lru = lru_.begin();
  stats_.memory_bytes += bytes;
  ++stats_.prepared;
}

PreparedKeyCacheStats PreparedKeyCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  PreparedKeyCacheStats s = stats_;
  s.keys = entries_.size();
  return s;
}

}  // namespace qfs::crypto
