#include "net/rate_limiter.h"

#include <algorithm>

#include "base/check.h"

namespace qfs::net {

RateLimiter::RateLimiter(std::uint32_t rate_per_second, std::uint32_t burst,
                         std::size_t clients_max)
    : rate_per_second_(rate_per_second),
      burst_milli_(static_cast<std::int64_t>(burst) * 1000),
      clients_max_(clients_max) {
  QFS_CHECK(rate_per_second > 0 && burst > 0 && clients_max > 0);
}

void RateLimiter::Refill(Bucket& b, std::uint64_t now_ms) const {
  if (now_ms <= b.updated_ms) return;
  const std::uint64_t elapsed_ms = std::min<std::uint64_t>(now_ms - b.updated_ms, 3'600'000);
  // At most 3.6e6 * 2^32: well within 64 bits.
  const auto refill = static_cast<std::int64_t>(elapsed_ms * rate_per_second_);
  b.tokens_milli = std::min(burst_milli_, b.tokens_milli + refill);
  b.updated_ms = now_ms;
}

void RateLimiter::EvictFull(std::uint64_t now_ms) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now_ms);
    it = it->second.tokens_milli == burst_milli_ ? buckets_.erase(it) : std::next(it);
  }
}

bool RateLimiter::Allow(const std::string& client, std::uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= clients_max_) EvictFull(now_ms);
    if (buckets_.size() >= clients_max_) return false;
    it = buckets_.emplace(client, Bucket{burst_milli_, now_ms}).first;
  }
  Bucket& b = it->second;
  Refill(b, now_ms);
  if (b.tokens_milli < 1000) return false;
  b.tokens_milli -= 1000;
  return true;
}

void RateLimiter::Charge(const std::string& client, std::uint64_t tokens, std::uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) return;
  Bucket& b = it->second;
  Refill(b, now_ms);
  const std::int64_t room = b.tokens_milli + burst_milli_;  // down to -burst at most
  const auto want = tokens > static_cast<std::uint64_t>(room) / 1000
                        ? room
                        : static_cast<std::int64_t>(tokens) * 1000;
  b.tokens_milli -= want;
}

}  // namespace qfs::net
