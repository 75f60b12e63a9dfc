// How many bytes of refused packets the log takes, per signer and for the whole node: token
// buckets in bytes. A packet the state machine refuses is logged (its operation id answers
// retries, and an auditor sees it) while its signer's bucket and the node's both hold its size;
// past that, the sequencer refuses it with the same result code without logging it
// (docs/ledger.md, "What a refusal costs"). So the log grows from refusals by at most
// node_bytes_per_s on average, however many identities an attacker registers.
//
//   RefusalBudget budget(options);
//   if (budget.CanLog(signer, wire.size(), now_us)) { ...log it...; budget.Charge(...); }
//
// Pure arithmetic on the times it is given (the ledger's entry timestamps; no clock of its own),
// so that tests drive it. Node policy, not ledger state: a node that restarts starts with full
// buckets, and replay never asks it. Not thread-safe: the sequencer owns it.
#ifndef QFS_LEDGER_REFUSAL_BUDGET_H_
#define QFS_LEDGER_REFUSAL_BUDGET_H_

#include <cstdint>
#include <map>

#include "ledger/types.h"

namespace qfs::ledger {

struct RefusalBudgetOptions {
  // Each signer: its refused packets' bytes a second on average, and at once.
  std::uint32_t identity_bytes_per_s = 64;
  std::uint32_t identity_burst_bytes = 128u << 10;
  // All signers together (bounds the log's growth from refusals: ~170 MiB a day at 2 KiB/s).
  std::uint32_t node_bytes_per_s = 2048;
  std::uint32_t node_burst_bytes = 1u << 20;
  // Signers tracked (~100 bytes each); when full, refilled buckets are dropped first, and a
  // signer beyond that has no budget (its refusals are answered, not logged).
  std::size_t identities_max = 65'536;
};

class RefusalBudget {
 public:
  explicit RefusalBudget(const RefusalBudgetOptions& options);
  // True if a refusal of `bytes` signed by `signer` at now_us may be logged: its bucket and the
  // node's both hold `bytes`. now_us never goes backwards (an earlier time counts as the last).
  bool CanLog(const IdentityId& signer, std::uint64_t bytes, std::uint64_t now_us);
  // Takes `bytes` from both buckets (a refusal was logged); a bucket empties, never goes below.
  void Charge(const IdentityId& signer, std::uint64_t bytes, std::uint64_t now_us);

  std::size_t identities_tracked() const { return identities_.size(); }

 private:
  struct Bucket {
    std::uint64_t micro_bytes = 0;  // bytes * 1e6, so that a microsecond's refill is exact
    std::uint64_t updated_us = 0;
  };
  struct Rate {
    std::uint64_t per_s;
    std::uint64_t burst_micro_bytes;
  };
  static void Refill(Bucket& b, const Rate& rate, std::uint64_t now_us);
  static void Take(Bucket& b, std::uint64_t bytes);
  // The signer's bucket, refilled to now_us; nullptr when none is free.
  Bucket* Find(const IdentityId& signer, std::uint64_t now_us);
  void EvictFull(std::uint64_t now_us);

  const Rate identity_rate_;
  const Rate node_rate_;
  const std::size_t identities_max_;
  Bucket node_;
  std::map<IdentityId, Bucket> identities_;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_REFUSAL_BUDGET_H_
