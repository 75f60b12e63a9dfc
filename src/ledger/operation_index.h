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
#include <deque>
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

  // The record for `key`, or nullptr. The pointer stays valid (records never move).
  const OperationRecord* Find(const OperationKey& key) const;
  // REQUIRES: no record for `key` yet (checked).
  void Add(const OperationKey& key, const OperationRecord& record);
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  // In the order they were added (the log's order).
  using Records = std::deque<std::pair<OperationKey, OperationRecord>>;
  const Records& records() const { return records_; }

 private:
  struct KeyHash {
    std::array<std::uint8_t, 16> secret{};
    std::size_t operator()(const OperationKey& key) const;
  };

  using Shard = std::unordered_map<OperationKey, std::size_t, KeyHash>;  // key -> records_ index
  static constexpr std::size_t kShards = 256;
  static std::size_t ShardNumber(std::size_t hash) { return hash >> (8 * sizeof(hash) - 8); }

  // Neither ever moves what it holds wholesale: a deque grows by blocks, and each shard rehashes
  // only its 1/256 of the keys, so no insert stalls the sequencer for long (one table of
  // millions of records took tens of milliseconds to rehash, a vector as long to reallocate).
  KeyHash hash_;
  Records records_;
  std::vector<Shard> shards_;  // kShards of them
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_OPERATION_INDEX_H_
