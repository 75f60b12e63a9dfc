// Every operation record the state machine made, in the order it made them, with a hash index
// for lookups by (signer, operation id).
//
//   OperationIndex ops;
//   ops.Add({signer, id}, {packet_hash, index, result});
//   const OperationRecord* r = ops.Find({signer, id});    // nullptr if none
//   OperationIndex::Frozen f = ops.Freeze();               // the records so far, in entry order,
//   f.ForEach([](const OperationIndex::Entry& e) {...});  // readable on any thread meanwhile
//
// Why not std::map: there is one record per logged packet, forever, and a map of millions of
// records costs ~20 cache-missing 36-byte comparisons per lookup and per insert, on the
// sequencer thread, for every entry. Why not std::unordered_map: a lookup there walks a bucket
// array, then a separately allocated node, then the record (three cache misses), and every
// insert allocates. Here a lookup hashes the key (SipHash-2-4, keyed by a secret drawn from the
// OS when the index is made, so nobody can choose operation ids that collide) and probes an
// open-addressing table of (hash, record number) slots: one miss for a new key (the common
// case), one more for the record only when the full 64-bit hashes match.
//
// Determinism is kept by construction: the table is only ever probed, never iterated; everything
// ordered (snapshots, the state root's running hash) uses the records in the order they were
// added, which is the log's.
//
// Records live in blocks of kBlockRecords. A full block never changes again, so Freeze() shares
// the full blocks and copies only the last, partial one: a snapshot of millions of records is
// taken in microseconds under the state's lock and encoded afterwards, off it. The table is cut
// into kShards by the hash's top bits, each growing on its own, so that no insert stalls the
// sequencer for long (one table of millions of records took tens of milliseconds to rehash).
//
// Thread safety: one writer, no concurrent readers of the index itself (the ledger's state lock);
// a Frozen may be read on any thread while the index goes on growing.
#ifndef QFS_LEDGER_OPERATION_INDEX_H_
#define QFS_LEDGER_OPERATION_INDEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
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
  using Entry = std::pair<OperationKey, OperationRecord>;
  static constexpr std::size_t kBlockRecords = 4096;

  // The records at the moment of Freeze(), in the order they were added.
  class Frozen {
   public:
    std::size_t size() const { return size_; }
    // Calls f on records [from, size()), in order.
    template <typename F>
    void ForEach(F&& f, std::size_t from = 0) const {
      for (std::size_t n = from; n < size_; ++n)
        f((*blocks_[n / kBlockRecords])[n % kBlockRecords]);
    }

   private:
    friend class OperationIndex;
    std::vector<std::shared_ptr<const std::vector<Entry>>> blocks_;  // the last one is a copy
    std::size_t size_ = 0;
  };

  OperationIndex();
  // For tests: `hash` replaces the keyed SipHash (a weak one makes collisions to probe past).
  explicit OperationIndex(std::uint64_t (*hash)(const OperationKey&));

  // The record for `key`, or nullptr. The pointer stays valid (records never move).
  const OperationRecord* Find(const OperationKey& key) const;
  // REQUIRES: no record for `key` yet (checked).
  void Add(const OperationKey& key, const OperationRecord& record);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // REQUIRES: !empty(). The record added last.
  const Entry& back() const { return blocks_.back()->back(); }
  // O(size / kBlockRecords + kBlockRecords).
  Frozen Freeze() const;

 private:
  // A record number + 1 (0: empty) and its key's full hash, which a rehash moves without
  // reading the record.
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t record = 0;
  };
  // Open addressing, linear probing, a power-of-two size, at most 3/4 full.
  struct Shard {
    std::vector<Slot> slots;
    std::size_t used = 0;
  };
  static constexpr std::size_t kShards = 256;
  static constexpr std::size_t kShardSlotsMin = 16;

  std::uint64_t Hash(const OperationKey& key) const;
  static std::size_t ShardNumber(std::uint64_t hash) { return hash >> 56; }  // kShards = 2^8
  static void Grow(Shard& shard);
  const Entry& At(std::size_t n) const { return (*blocks_[n / kBlockRecords])[n % kBlockRecords]; }

  std::array<std::uint8_t, 16> secret_{};
  std::uint64_t (*test_hash_)(const OperationKey&) = nullptr;
  // Records grow by blocks, each reserved in full, so none ever reallocates or moves.
  std::vector<std::shared_ptr<std::vector<Entry>>> blocks_;
  std::size_t size_ = 0;
  std::vector<Shard> shards_;  // kShards of them
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_OPERATION_INDEX_H_
