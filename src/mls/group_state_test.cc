#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>

#include "mls/group.h"
#include "mls/state_file.h"

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(3).value();
  return suite;
}

KeyPackageSecrets Kp(const std::string& name) {
  return MakeKeyPackage(Suite(), Bytes(name.begin(), name.end()), crypto::SystemRandom()).value();
}

// Alice's group with Bob in it, as both see it.
std::pair<Group, Group> Pair() {
  KeyPackageSecrets alice_kp = Kp("alice");
  Group alice =
      Group::Create(Suite(), Bytes{'g'}, std::move(alice_kp.member), crypto::SystemRandom())
          .value();
  const KeyPackageSecrets bob_kp = Kp("bob");
  Group::Commit add = alice.CreateCommit({bob_kp.key_package}, {}, crypto::SystemRandom()).value();
  Group bob = Group::Join(Suite(), *add.welcome, bob_kp).value();
  return {std::move(*add.next), std::move(bob)};
}

class GroupStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/qfs_mls_state_XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    key_ = SecretBytes(kStorageKeyBytes);
    crypto::SystemRandom().Fill(key_.mutable_span());
  }
  void TearDown() override { (void)std::system(("rm -rf " + dir_).c_str()); }

  // Saves `g` sealed to disk and loads it back, as a restarted client would.
  Group Reload(const Group& g, const std::string& name) {
    const std::string path = dir_ + "/" + name + ".state";
    EXPECT_TRUE(WriteSealedState(path, g.Save(), key_, crypto::SystemRandom()).ok());
    SecretBytes saved = ReadSealedState(path, key_).value();
    return Group::Load(saved.span()).value();
  }

  std::string dir_;
  SecretBytes key_;
};

// Two members exchange 1,000 messages, each reloaded from disk after every third message it
// handles, with a Commit every hundred: every message decrypts, no fork.
TEST_F(GroupStateTest, AThousandMessagesWithReloads) {
  auto [alice, bob] = Pair();
  int failures = 0;
  for (int i = 0; i < 1000; ++i) {
    Group& from = i % 2 == 0 ? alice : bob;
    Group& to = i % 2 == 0 ? bob : alice;
    const std::string text = "message " + std::to_string(i);
    const Bytes wire =
        from.Protect(Bytes(text.begin(), text.end()), crypto::SystemRandom()).value();
    if (i % 3 == 0) from = Reload(from, "from");  // after sending: the key stays used
    Result<Group::Processed> got = to.Process(wire);
    if (!got.ok() || got.value().application_data != Bytes(text.begin(), text.end())) ++failures;
    if (i % 3 == 1) to = Reload(to, "to");
    if (i % 100 == 99) {
      Group::Commit c = to.CreateCommit({}, {}, crypto::SystemRandom()).value();
      from = std::move(*from.Process(c.message).value().next);
      to = std::move(*c.next);
      ASSERT_EQ(from.epoch_authenticator(), to.epoch_authenticator());
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(alice.epoch(), 11u);
  EXPECT_EQ(alice.epoch_authenticator(), bob.epoch_authenticator());
}

// A reload keeps what the secret tree knows: skipped keys for late messages, used keys stay used,
// cached proposals and a pending Update's key survive.
TEST_F(GroupStateTest, AReloadKeepsRatchetsAndProposals) {
  auto [alice, bob] = Pair();
  std::vector<Bytes> wires;
  for (std::uint8_t i = 0; i < 3; ++i) {
    wires.push_back(alice.Protect(Bytes{i}, crypto::SystemRandom()).value());
  }
  ASSERT_TRUE(bob.Process(wires[2]).ok());  // the first two are now skipped keys
  bob = Reload(bob, "bob");
  EXPECT_FALSE(bob.Process(wires[2]).ok());  // used stays used
  EXPECT_EQ(bob.Process(wires[0]).value().application_data, Bytes{0});
  EXPECT_EQ(bob.Process(wires[1]).value().application_data, Bytes{1});

  const Bytes update = bob.ProposeUpdate(crypto::SystemRandom()).value();
  bob = Reload(bob, "bob");  // with his pending Update's key
  ASSERT_TRUE(alice.Process(update).ok());
  alice = Reload(alice, "alice");  // with the cached proposal
  EXPECT_EQ(alice.pending_proposals(), 1u);
  Group::Commit c = alice.CommitProposals({}, crypto::SystemRandom(), {}).value();
  alice = std::move(*c.next);
  bob = std::move(*bob.Process(c.message).value().next);
  EXPECT_EQ(alice.epoch_authenticator(), bob.epoch_authenticator());
  EXPECT_EQ(bob.Export("x", {}, 16), alice.Export("x", {}, 16));
}

TEST_F(GroupStateTest, AWrongKeyADamagedFileOrABadStateIsRefused) {
  KeyPackageSecrets kp = Kp("alice");
  Group g =
      Group::Create(Suite(), Bytes{'g'}, std::move(kp.member), crypto::SystemRandom()).value();
  const std::string path = dir_ + "/g.state";
  ASSERT_TRUE(WriteSealedState(path, g.Save(), key_, crypto::SystemRandom()).ok());
  SecretBytes other(kStorageKeyBytes);
  EXPECT_EQ(ReadSealedState(path, other).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadSealedState(dir_ + "/none", key_).status().code(), StatusCode::kNotFound);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (std::size_t i = 0; i < bytes.size(); i += 7) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    std::ofstream(path, std::ios::binary) << bad;
    EXPECT_EQ(ReadSealedState(path, key_).status().code(), StatusCode::kCorruption) << i;
  }
  // Every prefix of a saved state is refused by Load, never half-loaded.
  const SecretBytes saved = g.Save();
  for (std::size_t n = 0; n < saved.size(); n += 3) {
    EXPECT_FALSE(Group::Load(saved.span().first(n)).ok()) << n;
  }
  EXPECT_TRUE(Group::Load(saved.span()).ok());
}

}  // namespace
}  // namespace qfs::mls
