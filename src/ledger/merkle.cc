#include "ledger/merkle.h"

#include <bit>
#include <string>

#include "base/check.h"

namespace qfs::ledger {
namespace {

// The largest power of two strictly below n. REQUIRES: n >= 2.
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

Status BadProof(const std::string& why) { return Status(StatusCode::kBadProof, why); }

}  // namespace

Digest32 LeafHash(ByteSpan data) {
  const std::uint8_t prefix = 0x00;
  return crypto::Sha256({ByteSpan(&prefix, 1), data});
}

Digest32 NodeHash(const Digest32& left, const Digest32& right) {
  const std::uint8_t prefix = 0x01;
  return crypto::Sha256({ByteSpan(&prefix, 1), left, right});
}

Digest32 EmptyTreeHash() { return crypto::Sha256(ByteSpan()); }

void MerkleTree::Append(const Digest32& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each completed pair completes a perfect subtree one level up.
  for (std::size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::deque<Digest32>& below = levels_[level];
    levels_[level + 1].push_back(NodeHash(below[below.size() - 2], below.back()));
  }
}

void MerkleTree::Truncate(std::uint64_t new_size) {
  QFS_CHECK(new_size <= size());
  for (std::size_t level = 0; level < levels_.size(); ++level)
    levels_[level].resize(new_size >> level);
}

Digest32 MerkleTree::RangeHash(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t n = end - begin;
  if (n == 0) return EmptyTreeHash();
  if (std::has_single_bit(n) && begin % n == 0) {
    const auto level = static_cast<std::size_t>(std::countr_zero(n));
    return levels_[level][begin >> level];
  }
  const std::uint64_t k = SplitPoint(n);
  return NodeHash(RangeHash(begin, begin + k), RangeHash(begin + k, end));
}

Digest32 MerkleTree::Root(std::uint64_t tree_size) const {
  QFS_CHECK(tree_size <= size());
  return RangeHash(0, tree_size);
}

void MerkleTree::InclusionPath(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
                               std::vector<Digest32>& out) const {
  if (end - begin <= 1) return;
  const std::uint64_t k = SplitPoint(end - begin);
  if (index < begin + k) {
    InclusionPath(index, begin, begin + k, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    InclusionPath(index, begin + k, end, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

Result<std::vector<Digest32>> MerkleTree::InclusionProof(std::uint64_t index,
                                                         std::uint64_t tree_size) const {
  if (index >= tree_size || tree_size > size()) {
    return Status(StatusCode::kOutOfRange,
                  "inclusion proof needs index < tree size <= " + std::to_string(size()));
  }
  std::vector<Digest32> proof;
  InclusionPath(index, 0, tree_size, proof);
  return proof;
}

// RFC 9162 SUBPROOF(m, D[begin:end], b), with m counted from begin.
void MerkleTree::SubProof(std::uint64_t first, std::uint64_t begin, std::uint64_t end, bool whole,
                          std::vector<Digest32>& out) const {
  if (first == end - begin) {
    if (!whole) out.push_back(RangeHash(begin, end));
    return;
  }
  const std::uint64_t k = SplitPoint(end - begin);
  if (first <= k) {
    SubProof(first, begin, begin + k, whole, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    SubProof(first - k, begin + k, end, false, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

Result<std::vector<Digest32>> MerkleTree::ConsistencyProof(std::uint64_t first,
                                                           std::uint64_t second) const {
  if (first > second || second > size()) {
    return Status(StatusCode::kOutOfRange,
                  "consistency proof needs first <= second <= " + std::to_string(size()));
  }
  std::vector<Digest32> proof;
  if (first > 0 && first < second) SubProof(first, 0, second, true, proof);
  return proof;
}

Status VerifyInclusion(std::uint64_t index, std::uint64_t tree_size, const Digest32& leaf_hash,
                       const std::vector<Digest32>& proof, const Digest32& root) {
  if (index >= tree_size) return BadProof("leaf index is not below the tree size");
  std::uint64_t fn = index, sn = tree_size - 1;
  Digest32 r = leaf_hash;
  for (const Digest32& p : proof) {
    if (sn == 0) return BadProof("inclusion proof is longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return BadProof("inclusion proof is shorter than the tree is deep");
  if (r != root) return BadProof("inclusion proof does not lead to the tree head");
  return OkStatus();
}

Status VerifyConsistency(std::uint64_t first, std::uint64_t second, const Digest32& first_root,
                         const Digest32& second_root, const std::vector<Digest32>& proof) {
  if (first > second) return BadProof("the first tree is larger than the second");
  if (first == 0 || first == second) {
    if (!proof.empty()) return BadProof("a trivial consistency proof must be empty");
    if (first == second && first_root != second_root)
      return BadProof("equal sizes, different heads");
    return OkStatus();
  }
  if (proof.empty()) return BadProof("empty consistency proof");
  std::vector<Digest32> path;
  if (std::has_single_bit(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  std::uint64_t fn = first - 1, sn = second - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest32 fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Digest32& c = path[i];
    if (sn == 0) return BadProof("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return BadProof("consistency proof is too short");
  if (fr != first_root) return BadProof("consistency proof does not lead to the first head");
  if (sr != second_root) return BadProof("consistency proof does not lead to the second head");
  return OkStatus();
}

}  // namespace qfs::ledger
