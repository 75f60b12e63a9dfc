#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <string>

#include "base/text_encoding.h"

namespace qfs::ledger {
namespace {

Digest32 D(std::string_view hex) {
  Bytes b = HexDecode(hex).value();
  Digest32 d;
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

// The Certificate Transparency reference data (RFC 6962 = RFC 9162 hashing): eight leaves, the
// tree head of every prefix, and known proofs (leaf numbers there are 1-based).
const std::vector<Bytes> kLeaves = [] {
  std::vector<Bytes> leaves;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    leaves.push_back(HexDecode(hex).value());
  }
  return leaves;
}();
const std::vector<std::string> kRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

MerkleTree ReferenceTree() {
  MerkleTree tree;
  for (const Bytes& leaf : kLeaves) tree.Append(LeafHash(leaf));
  return tree;
}

std::vector<Digest32> Proof(std::initializer_list<const char*> hexes) {
  std::vector<Digest32> proof;
  for (const char* h : hexes) proof.push_back(D(h));
  return proof;
}

TEST(Merkle, RootsMatchTheReference) {
  MerkleTree tree = ReferenceTree();
  for (std::uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(tree.Root(n), D(kRoots[n])) << n;
  EXPECT_EQ(EmptyTreeHash(), D(kRoots[0]));
}

TEST(Merkle, InclusionProofsMatchTheReference) {
  struct Vector {
    std::uint64_t leaf, size;
    std::vector<Digest32> proof;
  };
  const std::vector<Vector> vectors = {
      {1, 1, {}},
      {1, 8,
       Proof({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Proof({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {3, 3, Proof({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {2, 5,
       Proof({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  MerkleTree tree = ReferenceTree();
  for (const Vector& v : vectors) {
    EXPECT_EQ(tree.InclusionProof(v.leaf - 1, v.size).value(), v.proof) << v.leaf << "/" << v.size;
    EXPECT_TRUE(VerifyInclusion(v.leaf - 1, v.size, LeafHash(kLeaves[v.leaf - 1]), v.proof,
                                D(kRoots[v.size]))
                    .ok());
  }
}

TEST(Merkle, ConsistencyProofsMatchTheReference) {
  struct Vector {
    std::uint64_t first, second;
    std::vector<Digest32> proof;
  };
  const std::vector<Vector> vectors = {
      {1, 1, {}},
      {1, 8,
       Proof({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
              "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Proof({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
              "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Proof({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
              "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  MerkleTree tree = ReferenceTree();
  for (const Vector& v : vectors) {
    EXPECT_EQ(tree.ConsistencyProof(v.first, v.second).value(), v.proof)
        << v.first << "-" << v.second;
    EXPECT_TRUE(
        VerifyConsistency(v.first, v.second, D(kRoots[v.first]), D(kRoots[v.second]), v.proof)
            .ok());
  }
}

// The tree head computed straight from RFC 9162's recursive definition.
Digest32 NaiveRoot(const std::vector<Digest32>& leaves, std::size_t begin, std::size_t end) {
  if (begin == end) return EmptyTreeHash();
  if (end - begin == 1) return leaves[begin];
  std::size_t k = 1;
  while (2 * k < end - begin) k *= 2;
  return NodeHash(NaiveRoot(leaves, begin, begin + k), NaiveRoot(leaves, begin + k, end));
}

std::vector<Digest32> GeneratedLeaves(std::size_t n) {
  std::vector<Digest32> leaves;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t data[2] = {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)};
    leaves.push_back(LeafHash(ByteSpan(data, 2)));
  }
  return leaves;
}

TEST(Merkle, EveryProofOfEverySizeVerifiesAndCorruptionsFail) {
  const std::vector<Digest32> leaves = GeneratedLeaves(70);
  MerkleTree tree;
  for (const Digest32& l : leaves) tree.Append(l);
  for (std::uint64_t n = 1; n <= leaves.size(); ++n) {
    const Digest32 root = tree.Root(n);
    ASSERT_EQ(root, NaiveRoot(leaves, 0, n)) << n;
    for (std::uint64_t i = 0; i < n; ++i) {
      std::vector<Digest32> proof = tree.InclusionProof(i, n).value();
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], proof, root).ok()) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[(i + 1) % n], proof, root).ok() && n > 1);
      // The size is bound by the signed tree head; a size of another depth must fail.
      EXPECT_FALSE(VerifyInclusion(i, 2 * n, leaves[i], proof, root).ok());
      if (i < n / 2) {
        EXPECT_FALSE(VerifyInclusion(i, n / 2, leaves[i], proof, root).ok());
      }
      EXPECT_FALSE(VerifyInclusion(n, n, leaves[i], proof, root).ok());
      if (!proof.empty()) {
        std::vector<Digest32> bad = proof;
        bad[bad.size() / 2][0] ^= 8;
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], bad, root).ok());
        bad = proof;
        bad.pop_back();
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], bad, root).ok());
      }
      std::vector<Digest32> longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], longer, root).ok());
    }
  }
}

TEST(Merkle, EveryConsistencyProofVerifiesAndCorruptionsFail) {
  const std::vector<Digest32> leaves = GeneratedLeaves(130);
  MerkleTree tree;
  for (const Digest32& l : leaves) tree.Append(l);
  for (std::uint64_t m = 0; m <= leaves.size(); ++m) {
    for (std::uint64_t n = m; n <= leaves.size(); ++n) {
      const Digest32 a = tree.Root(m), b = tree.Root(n);
      std::vector<Digest32> proof = tree.ConsistencyProof(m, n).value();
      ASSERT_TRUE(VerifyConsistency(m, n, a, b, proof).ok()) << m << "-" << n;
      if (proof.empty()) continue;
      EXPECT_FALSE(VerifyConsistency(m, n, b, b, proof).ok()) << m << "-" << n;
      EXPECT_FALSE(VerifyConsistency(m, n, a, a, proof).ok()) << m << "-" << n;
      EXPECT_FALSE(VerifyConsistency(m + 1, n, a, b, proof).ok() && m + 1 <= n);
      EXPECT_FALSE(VerifyConsistency(m, n, a, b, {}).ok());
      std::vector<Digest32> bad = proof;
      bad[0][0] ^= 16;
      EXPECT_FALSE(VerifyConsistency(m, n, a, b, bad).ok()) << m << "-" << n;
      bad = proof;
      bad.push_back(b);
      EXPECT_FALSE(VerifyConsistency(m, n, a, b, bad).ok()) << m << "-" << n;
    }
  }
  EXPECT_FALSE(VerifyConsistency(5, 4, tree.Root(5), tree.Root(4), {}).ok());
  EXPECT_FALSE(VerifyConsistency(4, 4, tree.Root(4), tree.Root(5), {}).ok());
}

TEST(Merkle, OutOfRangeRequestsAreErrorsAndTruncateForgets) {
  MerkleTree tree = ReferenceTree();
  EXPECT_EQ(tree.InclusionProof(8, 8).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(tree.InclusionProof(0, 9).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(tree.ConsistencyProof(3, 9).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(tree.ConsistencyProof(4, 3).status().code(), StatusCode::kOutOfRange);
  tree.Truncate(5);
  EXPECT_EQ(tree.size(), 5u);
  EXPECT_EQ(tree.Root(5), D(kRoots[5]));
  for (std::size_t i = 5; i < kLeaves.size(); ++i) tree.Append(LeafHash(kLeaves[i]));
  EXPECT_EQ(tree.Root(8), D(kRoots[8]));
}

}  // namespace
}  // namespace qfs::ledger
