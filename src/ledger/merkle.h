// The log's Merkle tree, exactly as RFC 9162 section 2.1 defines it (the Certificate
// Transparency tree): SHA-256, leaf hash H(0x00 || data), node hash H(0x01 || left || right),
// the empty tree's hash H(""), and the unbalanced split at the largest power of two below the
// size. Inclusion and consistency proofs are generated and verified as RFC 9162 2.1.3 and 2.1.4
// specify, so any CT-style verifier can check our proofs.
//
//   MerkleTree tree;
//   tree.Append(LeafHash(entry_hash));
//   Digest32 root = tree.Root(tree.size());
//   std::vector<Digest32> proof = tree.InclusionProof(index, tree.size()).value();
//   Status ok = VerifyInclusion(index, tree.size(), LeafHash(entry_hash), proof, root);
//
// MerkleTree keeps every perfect subtree's hash (about two hashes per leaf, 64 bytes), so roots
// and proofs for any earlier size cost O(log^2 n) hashes. Thread safety: none; the log owns one
// tree and serializes access.
#ifndef QFS_LEDGER_MERKLE_H_
#define QFS_LEDGER_MERKLE_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace qfs::ledger {

using crypto::Digest32;

Digest32 LeafHash(ByteSpan data);
Digest32 NodeHash(const Digest32& left, const Digest32& right);
Digest32 EmptyTreeHash();

class MerkleTree {
 public:
  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  void Append(const Digest32& leaf_hash);
  // Forgets leaves from `size` on (used when the log truncates a torn tail before replay).
  // REQUIRES: size <= this->size().
  void Truncate(std::uint64_t size);

  // The tree head of the first `tree_size` leaves. REQUIRES: tree_size <= size().
  Digest32 Root(std::uint64_t tree_size) const;
  // RFC 9162 PATH(index, D[tree_size]); OUT_OF_RANGE unless index < tree_size <= size().
  Result<std::vector<Digest32>> InclusionProof(std::uint64_t index, std::uint64_t tree_size) const;
  // RFC 9162 PROOF(first, D[second]); OUT_OF_RANGE unless first <= second <= size().
  // Empty when first is 0 or equals second.
  Result<std::vector<Digest32>> ConsistencyProof(std::uint64_t first, std::uint64_t second) const;

 private:
  // The hash of leaves [begin, end), split as RFC 9162 splits it.
  Digest32 RangeHash(std::uint64_t begin, std::uint64_t end) const;
  void InclusionPath(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
                     std::vector<Digest32>& out) const;
  void SubProof(std::uint64_t first, std::uint64_t begin, std::uint64_t end, bool whole,
                std::vector<Digest32>& out) const;
  // levels_[l][i] is the hash of the perfect subtree over leaves [i 2^l, (i + 1) 2^l).
  // Deques, not vectors: growing one never copies the millions of hashes it holds (a vector's
  // doubling did, for tens of milliseconds, under the ledger's state lock).
  std::vector<std::deque<Digest32>> levels_;
};

// RFC 9162 2.1.3.2. OK, or BAD_PROOF with the reason.
Status VerifyInclusion(std::uint64_t index, std::uint64_t tree_size, const Digest32& leaf_hash,
                       const std::vector<Digest32>& proof, const Digest32& root);
// RFC 9162 2.1.4.2, plus the trivial cases: first == 0 (consistent with anything, empty proof)
// and first == second (roots equal, empty proof). OK, or BAD_PROOF with the reason.
Status VerifyConsistency(std::uint64_t first, std::uint64_t second, const Digest32& first_root,
                         const Digest32& second_root, const std::vector<Digest32>& proof);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_MERKLE_H_
