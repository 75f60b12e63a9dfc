#include "ledger/refusal_budget.h"

#include <algorithm>

namespace qfs::ledger {

namespace {
constexpr std::uint64_t kMicro = 1'000'000;
}  // namespace

RefusalBudget::RefusalBudget(const RefusalBudgetOptions& options)
    : identity_rate_{options.identity_bytes_per_s, options.identity_burst_bytes * kMicro},
      node_rate_{options.node_bytes_per_s, options.node_burst_bytes * kMicro},
      identities_max_(options.identities_max),
      node_{node_rate_.burst_micro_bytes, 0} {}

void RefusalBudget::Refill(Bucket& b, const Rate& rate, std::uint64_t now_us) {
  if (now_us <= b.updated_us) return;
  const std::uint64_t missing = rate.burst_micro_bytes - b.micro_bytes;
  // Elapsed time past what fills the bucket adds nothing; capping it first keeps the product
  // within 64 bits.
  const std::uint64_t to_fill = rate.per_s == 0 ? 0 : (missing + rate.per_s - 1) / rate.per_s;
  const std::uint64_t elapsed = std::min(now_us - b.updated_us, to_fill);
  b.micro_bytes = std::min(rate.burst_micro_bytes, b.micro_bytes + elapsed * rate.per_s);
  b.updated_us = now_us;
}

void RefusalBudget::Take(Bucket& b, std::uint64_t bytes) {
  const std::uint64_t want = bytes > b.micro_bytes / kMicro ? b.micro_bytes : bytes * kMicro;
  b.micro_bytes -= want;
}

void RefusalBudget::EvictFull(std::uint64_t now_us) {
  for (auto it = identities_.begin(); it != identities_.end();) {
    Refill(it->second, identity_rate_, now_us);
    it = it->second.micro_bytes == identity_rate_.burst_micro_bytes ? identities_.erase(it)
                                                                    : std::next(it);
  }
}

RefusalBudget::Bucket* RefusalBudget::Find(const IdentityId& signer, std::uint64_t now_us) {
  auto it = identities_.find(signer);
  if (it == identities_.end()) {
    if (identities_.size() >= identities_max_) EvictFull(now_us);
    if (identities_.size() >= identities_max_) return nullptr;
    it = identities_.emplace(signer, Bucket{identity_rate_.burst_micro_bytes, now_us}).first;
  }
  Refill(it->second, identity_rate_, now_us);
  return &it->second;
}

bool RefusalBudget::CanLog(const IdentityId& signer, std::uint64_t bytes, std::uint64_t now_us) {
  Refill(node_, node_rate_, now_us);
  // Bytes beyond any burst never fit (and would overflow the scaling below).
  if (bytes > node_.micro_bytes / kMicro) return false;
  const Bucket* own = Find(signer, now_us);
  return own != nullptr && bytes <= own->micro_bytes / kMicro;
}

void RefusalBudget::Charge(const IdentityId& signer, std::uint64_t bytes, std::uint64_t now_us) {
  Refill(node_, node_rate_, now_us);
  Take(node_, bytes);
  if (Bucket* own = Find(signer, now_us)) Take(*own, bytes);
}

}  // namespace qfs::ledger
