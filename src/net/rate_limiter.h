// Per-client token buckets: each client may make `rate_per_second` requests a second on average,
// with bursts up to `burst`. Time is passed in (milliseconds on any monotonic clock) so tests
// drive it directly. At most `clients_max` clients are tracked; when full, buckets that have
// refilled completely are dropped first, and a new client beyond that is refused. Charge takes
// more tokens for what a request turned out to cost; the bucket may go into debt (down to minus
// the burst), which the client repays by waiting before its next request is allowed.
//
// Thread safety: thread-safe.
#ifndef QFS_NET_RATE_LIMITER_H_
#define QFS_NET_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace qfs::net {

class RateLimiter {
 public:
  RateLimiter(std::uint32_t rate_per_second, std::uint32_t burst, std::size_t clients_max);
  // True if `client` may make a request at `now_ms` (and takes a token).
  bool Allow(const std::string& client, std::uint64_t now_ms);
  // Takes `tokens` more from `client`'s bucket (if tracked) at `now_ms`.
  void Charge(const std::string& client, std::uint64_t tokens, std::uint64_t now_ms);

 private:
  struct Bucket {
    std::int64_t tokens_milli;  // tokens * 1000; in [-burst, burst]
    std::uint64_t updated_ms;
  };
  void Refill(Bucket& b, std::uint64_t now_ms) const;
  void EvictFull(std::uint64_t now_ms);

  const std::uint64_t rate_per_second_;
  const std::int64_t burst_milli_;
  const std::size_t clients_max_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace qfs::net

#endif  // QFS_NET_RATE_LIMITER_H_
