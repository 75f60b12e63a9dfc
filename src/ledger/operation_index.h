// Every operation record the state machine made, in the order it made them, with a hash index
// for lookups by (signer, operation id).
//
//   OperationIndex ops;
//   ops.Add({signer, id}, {packet_hash, index, result});
//   const OperationRecord* r = ops.Find({signer, id});    // nullptr if none
//   for (const auto& [key, record] : ops.records()) ...   // entry order
//
// Why not std::map: there is one record per logged packet, forever, and a map of millions of
// records costs ~20 cache-missing 36-byte comparisons per lookup and per insert, on the
// sequencer thread, for every entry. The index is a hash table whose hash (SipHash-2-4) is keyed
// by a secret drawn from the OS when the index is made, so nobody can choose operation ids
// that collide. Determinism is kept by construction: the table is only ever probed, never
// iterated; everything ordered (snapshots, the state root's running hash) uses records(), whose
// order is the log's.
#ifndef QFS_LEDGER_OPERATION_INDEX_H_
#define QFS_LEDGER_OPERATION_INDEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crypto/hash.h"
#include "ledger/types.h"

namespace qfs::ledger {

// What a packet's operation id remembers: a retry with the same packet gets this back.
struct OperationRecord {
  crypto::Digest32 packet_hash{};
  std::uint64_t index = 0;
  ResultCode result = ResultCode::kOk;
};

using OperationKey = std::pair<IdentityId, OperationId>;

class OperationIndex {
 public:
  OperationIndex();

  // The record for `key`, or nullptr. The pointer is valid until the next Add.
  const OperationRecord* Find(const OperationKey& key) const;
  // REQUIRES: no record for `key` yet (checked).
  void Add(const OperationKey& key, const OperationRecord& record);
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  // In the order they were added (the log's order).
  const std::vector<std::pair<OperationKey, OperationRecord>>& records() const { return records_; }

 private:
  struct KeyHash {
    std::array<std::uint8_t, 16> secret{};
    std::size_t operator()(const OperationKey& key) const;
  };

  std::vector<std::pair<OperationKey, OperationRecord>> records_;
  static KeyHash RandomKeyHash();

  std::unordered_map<OperationKey, std::size_t, KeyHash> positions_;  // into records_
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_OPERATION_INDEX_H_
