#include "mls/treekem.h"

#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "crypto/hash.h"

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(1).value();
  return suite;
}

struct Member {
  SignatureKeyPair signature;
  HpkeKeyPair encryption;
  LeafIndex leaf = 0;
};

// A group of `n` members built by Adds, each with its own keys, and every member's private view.
class TreeKemTest : public ::testing::Test {
 protected:
  void Build(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) AddMember("member " + std::to_string(i));
    context_.cipher_suite = Suite().id();
    context_.group_id = {'g', 'r', 'o', 'u', 'p'};
    context_.epoch = 1;
  }

  LeafIndex AddMember(const std::string& name) {
    Member m{Suite().GenerateSignatureKey(crypto::SystemRandom()),
             Suite().GenerateHpkeKey(crypto::SystemRandom())};
    LeafNode leaf;
    leaf.encryption_key = m.encryption.public_key;
    leaf.signature_key = m.signature.public_key;
    leaf.credential.identity.assign(name.begin(), name.end());
    leaf.capabilities.versions = {1};
    leaf.capabilities.cipher_suites = {1};
    leaf.capabilities.credentials = {kCredentialBasic};
    leaf.lifetime = {0, ~std::uint64_t{0}};
    leaf.signature =
        Suite()
            .SignWithLabel(m.signature.private_key, "LeafNodeTBS", LeafNodeTbs(leaf, {}, 0))
            .value();
    m.leaf = tree_.Add(std::move(leaf)).value();
    keys_.insert_or_assign(m.leaf, TreePrivateKey(m.leaf, m.encryption.private_key.Clone()));
    const LeafIndex at = m.leaf;
    members_.insert_or_assign(at, std::move(m));
    return at;
  }

  CreatedPath Create(LeafIndex sender, const std::vector<LeafIndex>& added = {}) {
    return CreateUpdatePath(Suite(), tree_, sender, members_.at(sender).signature.private_key,
                            context_, added, crypto::SystemRandom())
        .value();
  }

  Result<MergedPath> Process(LeafIndex receiver, LeafIndex sender, const UpdatePath& path,
                             const std::vector<LeafIndex>& added = {}) {
    return ProcessUpdatePath(Suite(), tree_, sender, path, context_, added, keys_.at(receiver));
  }

  // Every other member processes the sender's path to the sender's tree and commit secret;
  // then all move to the new tree and keys.
  void CommitAndAgree(LeafIndex sender) {
    CreatedPath created = Create(sender);
    std::map<LeafIndex, TreePrivateKey> next;
    for (const auto& [j, key] : keys_) {
      if (j == sender) continue;
      Result<MergedPath> merged = Process(j, sender, created.path);
      ASSERT_TRUE(merged.ok()) << "leaf " << j << " from " << sender << ": "
                               << merged.status().ToString();
      EXPECT_EQ(merged.value().commit_secret, created.commit_secret) << "leaf " << j;
      EXPECT_EQ(merged.value().tree.Encode(), created.tree.Encode()) << "leaf " << j;
      EXPECT_TRUE(merged.value().private_key.CheckAgainst(Suite(), created.tree).ok());
      next.emplace(j, std::move(merged.value().private_key));
    }
    EXPECT_TRUE(created.tree.VerifyParentHashes(Suite()).ok());
    EXPECT_TRUE(created.tree.VerifyLeafSignatures(Suite(), context_.group_id).ok());
    next.emplace(sender, std::move(created.private_key));
    keys_ = std::move(next);
    tree_ = std::move(created.tree);
    ++context_.epoch;
  }

  RatchetTree tree_;
  GroupContext context_;
  std::map<LeafIndex, Member> members_;  // by leaf
  std::map<LeafIndex, TreePrivateKey> keys_;
};

TEST_F(TreeKemTest, EveryMemberDerivesTheCommittersSecretEpochAfterEpoch) {
  Build(7);  // an unbalanced tree: 8 leaves, one blank
  for (LeafIndex sender : {0u, 6u, 3u, 3u, 5u}) {
    CommitAndAgree(sender);
    if (HasFatalFailure()) return;
  }
  // After a removal and an add (unmerged leaves on the path), the same holds.
  ASSERT_TRUE(tree_.Remove(2).ok());
  keys_.erase(2);
  for (auto& [j, key] : keys_) key.Prune(tree_);
  AddMember("newcomer");  // takes leaf 2 and is unmerged above it
  CommitAndAgree(4);
  CommitAndAgree(2);
}

TEST_F(TreeKemTest, LeavesAddedByTheSameCommitAreNotEncryptedTo) {
  Build(4);
  CommitAndAgree(0);
  const LeafIndex added = AddMember("newcomer");
  const CreatedPath with = Create(1, {added});
  EXPECT_EQ(Process(added, 1, with.path, {added}).status().code(), StatusCode::kInvalidArgument);
  for (LeafIndex j : {0u, 2u, 3u}) {
    Result<MergedPath> merged = Process(j, 1, with.path, {added});
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    EXPECT_EQ(merged.value().commit_secret, with.commit_secret);
  }
  std::size_t with_count = 0, without_count = 0;
  for (const UpdatePathNode& n : with.path.nodes) with_count += n.encrypted_path_secret.size();
  for (const UpdatePathNode& n : Create(1).path.nodes) {
    without_count += n.encrypted_path_secret.size();
  }
  EXPECT_EQ(with_count + 1, without_count);
}

TEST_F(TreeKemTest, AForgedOrDamagedPathIsRefusedWithItsReason) {
  Build(5);
  CommitAndAgree(0);
  const CreatedPath good = Create(4);
  const auto refused = [&](const UpdatePath& path, StatusCode code, const std::string& words) {
    Result<MergedPath> r = Process(1, 4, path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().ToString();
  };
  UpdatePath p = good.path;
  p.nodes.pop_back();
  refused(p, StatusCode::kInvalidArgument, "filtered direct path");
  p = good.path;
  p.nodes[0].encryption_key = Suite().GenerateHpkeKey(crypto::SystemRandom()).public_key;
  refused(p, StatusCode::kInvalidArgument, "parent-hash valid");
  p = good.path;
  p.leaf_node.signature[0] ^= 1;
  refused(p, StatusCode::kBadSignature, "");
  p = good.path;
  p.leaf_node.encryption_key = tree_.leaf(4)->encryption_key;
  refused(p, StatusCode::kInvalidArgument, "current one");
  p = good.path;
  p.nodes[0].encryption_key = tree_.leaf(2)->encryption_key;
  refused(p, StatusCode::kInvalidArgument, "already in the tree");
  p = good.path;
  for (UpdatePathNode& n : p.nodes) {
    for (HpkeCiphertext& ct : n.encrypted_path_secret) ct.ciphertext[0] ^= 1;
  }
  refused(p, StatusCode::kAuthenticationFailed, "");
  p = good.path;
  for (UpdatePathNode& n : p.nodes) n.encrypted_path_secret.pop_back();
  refused(p, StatusCode::kInvalidArgument, "ciphertexts");
  // A path encrypted under another epoch's context does not decrypt.
  ++context_.epoch;
  refused(good.path, StatusCode::kAuthenticationFailed, "");
  --context_.epoch;
  // The committer does not process its own path; the good one still works for the others.
  EXPECT_EQ(Process(4, 4, good.path).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Process(1, 4, good.path).ok());
}

// A deterministic source: SHA-256 of a seed and a counter.
class SeededRandom final : public crypto::RandomSource {
 public:
  explicit SeededRandom(std::uint8_t seed) : seed_(seed) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      if (used_ == block_.size()) {
        const Bytes input{seed_, static_cast<std::uint8_t>(counter_ >> 8),
                          static_cast<std::uint8_t>(counter_)};
        ++counter_;
        block_ = crypto::Sha256(input);
        used_ = 0;
      }
      b = block_[used_++];
    }
  }

 private:
  std::uint8_t seed_;
  std::uint32_t counter_ = 0;
  crypto::Digest32 block_{};
  std::size_t used_ = block_.size();
};

// The seals of a large path run on several threads, but their randomness is drawn in order
// first: the same seeded source gives the same path, byte for byte.
TEST_F(TreeKemTest, ASeededSourceGivesTheSamePathWhateverTheThreads) {
  Build(40);
  const auto encoded = [&](std::uint8_t seed, const std::vector<LeafIndex>& added) {
    SeededRandom random(seed);
    CreatedPath p = CreateUpdatePath(Suite(), tree_, 0, members_.at(0).signature.private_key,
                                     context_, added, random)
                        .value();
    TlsWriter w;
    EncodeUpdatePath(w, p.path);
    return w.Take();
  };
  // The tree has no parents yet, so each copath resolution is all of its leaves: 39 seals, two
  // threads' worth (at least 16 each).
  const Bytes first = encoded(7, {});
  EXPECT_EQ(encoded(7, {}), first);
  EXPECT_NE(encoded(8, {}), first);
}

TEST_F(TreeKemTest, UpdatePathsRoundTripAndTheDecoderIsStrict) {
  Build(3);
  const CreatedPath created = Create(1);
  TlsWriter w;
  EncodeUpdatePath(w, created.path);
  TlsReader r(w.bytes());
  const UpdatePath decoded = DecodeUpdatePath(r).value();
  EXPECT_TRUE(r.ExpectEnd().ok());
  TlsWriter again;
  EncodeUpdatePath(again, decoded);
  EXPECT_EQ(again.bytes(), w.bytes());
  for (std::size_t cut = 0; cut < w.bytes().size(); cut += 7) {
    TlsReader part(ByteSpan(w.bytes()).first(cut));
    EXPECT_FALSE(DecodeUpdatePath(part).ok()) << cut;
  }
  UpdatePath key_package_leaf = created.path;
  key_package_leaf.leaf_node.source = LeafNodeSource::kKeyPackage;
  TlsWriter bad;
  EncodeUpdatePath(bad, key_package_leaf);
  TlsReader bad_reader(bad.bytes());
  EXPECT_EQ(DecodeUpdatePath(bad_reader).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TreeKemTest, APrivateKeyThatDoesNotMatchTheTreeIsFound) {
  Build(2);
  CommitAndAgree(0);
  EXPECT_TRUE(keys_.at(1).CheckAgainst(Suite(), tree_).ok());
  TreePrivateKey wrong(1, Suite().GenerateHpkeKey(crypto::SystemRandom()).private_key.Clone());
  EXPECT_EQ(wrong.CheckAgainst(Suite(), tree_).code(), StatusCode::kInvalidArgument);
  TreePrivateKey bad_secret = keys_.at(1).Clone();
  bad_secret.SetPathSecret(Root(tree_.leaf_count()), SecretBytes(Bytes(32, 7)));
  EXPECT_EQ(bad_secret.CheckAgainst(Suite(), tree_).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qfs::mls
