// A bounded cache of prepared public keys (signature.h's PreparedPublicKey), so that a node
// verifying many signatures by the same keys decodes and expands each key once instead of for
// every signature — about twice the verification rate for Ed25519 and ML-DSA-65
// (docs/BENCHMARKS.md). Verdicts are exactly the schemes' Verify's: the cache only changes speed.
//
//   PreparedKeyCache cache({.memory_bytes_max = 64 << 20});
//   Status ok = cache.Verify(*scheme, public_key, message, signature);
//
// Admission: preparing a key costs a few verifications (an Ed25519 comb table is ~2.5), so a key
// is prepared only on its second miss within the last `doorkeeper_keys` distinct misses; a key
// seen once is verified the plain way. Eviction: least recently used, by memory.
//
// Thread safety: every method may be called from any thread; verification runs outside the
// lock (the lock covers a lookup or an insertion only).
#ifndef QFS_CRYPTO_PREPARED_KEY_CACHE_H_
#define QFS_CRYPTO_PREPARED_KEY_CACHE_H_

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signature.h"

namespace qfs::crypto {

struct PreparedKeyCacheOptions {
  // What the prepared keys may hold in all: ~31 KiB per Ed25519 key, ~69 KiB per hybrid key.
  // 0 disables the cache (every Verify is the plain one).
  std::size_t memory_bytes_max = 64u << 20;
  // How many distinct missed keys are remembered for the second-miss admission rule.
  std::size_t doorkeeper_keys = 4096;
};

struct PreparedKeyCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t prepared = 0;  // keys prepared (admitted)
  std::uint64_t evicted = 0;
  std::size_t keys = 0;
  std::size_t memory_bytes = 0;
};

class PreparedKeyCache {
 public:
  explicit PreparedKeyCache(PreparedKeyCacheOptions options = {});
  PreparedKeyCache(const PreparedKeyCache&) = delete;
  PreparedKeyCache& operator=(const PreparedKeyCache&) = delete;

  // scheme.Verify(public_key, message, signature)'s verdict, through a prepared key when there
  // is (or, by the admission rule, now should be) one. A key the scheme cannot prepare (BAD_KEY)
  // is never cached and gets the plain Verify's answer.
  Status Verify(const SignatureScheme& scheme, ByteSpan public_key, ByteSpan message,
                ByteSpan signature);
  PreparedKeyCacheStats stats() const;

 private:
  using Key = std::pair<SignatureAlgorithm, Bytes>;
  struct Entry {
    std::shared_ptr<const PreparedPublicKey> prepared;
    std::list<const Key*>::iterator lru;  // position in lru_ (front: most recent)
  };
  // The prepared key if cached (moved to the front), else whether to prepare it now.
  std::shared_ptr<const PreparedPublicKey> Lookup(const Key& key, bool* prepare);
  void Insert(Key key, std::shared_ptr<const PreparedPublicKey> prepared);

  const PreparedKeyCacheOptions options_;
  mutable std::mutex mutex_;
  std::map<Key, Entry> entries_;
  std::list<const Key*> lru_;
  std::set<Key> seen_;                 // keys missed once, not yet prepared (the doorkeeper)
  std::deque<const Key*> seen_order_;  // oldest first, to bound seen_
  PreparedKeyCacheStats stats_;
};

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_PREPARED_KEY_CACHE_H_
