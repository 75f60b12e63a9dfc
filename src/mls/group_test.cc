#include "mls/group.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(1).value();
  return suite;
}

KeyPackageSecrets Kp(const std::string& name) {
  return MakeKeyPackage(Suite(), Bytes(name.begin(), name.end()), crypto::SystemRandom()).value();
}

Group Create(const std::string& name) {
  KeyPackageSecrets kp = Kp(name);
  return Group::Create(Suite(), Bytes{'c', 'h', 'a', 't'}, std::move(kp.member),
                       crypto::SystemRandom())
      .value();
}

std::string Say(Group& from, Group& to, const std::string& text) {
  const Bytes wire = from.Protect(Bytes(text.begin(), text.end()), crypto::SystemRandom()).value();
  Result<Group::Received> got = to.Unprotect(wire);
  if (!got.ok()) return "error: " + got.status().ToString();
  EXPECT_EQ(got.value().sender, from.leaf());
  return std::string(got.value().data.begin(), got.value().data.end());
}

void ExpectSameEpoch(const Group& a, const Group& b) {
  EXPECT_EQ(a.epoch(), b.epoch());
  EXPECT_EQ(a.epoch_authenticator(), b.epoch_authenticator());
  EXPECT_EQ(a.context(), b.context());
  EXPECT_EQ(a.Export("test", {}, 32), b.Export("test", {}, 32));
}

TEST(GroupTest, AddJoinTalkCommitAndRemove) {
  Group alice = Create("alice");
  const KeyPackageSecrets bob_kp = Kp("bob");
  const KeyPackageSecrets carol_kp = Kp("carol");
  Group::Commit add =
      alice.CreateCommit({bob_kp.key_package, carol_kp.key_package}, {}, crypto::SystemRandom())
          .value();
  ASSERT_TRUE(add.welcome.has_value());
  EXPECT_EQ(alice.epoch(), 0u);  // nothing moves before the Commit is accepted
  alice = std::move(*add.next);
  Group bob = Group::Join(Suite(), *add.welcome, bob_kp).value();
  Group carol = Group::Join(Suite(), *add.welcome, carol_kp).value();
  ExpectSameEpoch(alice, bob);
  ExpectSameEpoch(alice, carol);
  EXPECT_EQ(Say(alice, bob, "hi bob"), "hi bob");
  EXPECT_EQ(Say(bob, carol, "hi carol"), "hi carol");
  EXPECT_EQ(Say(carol, alice, "hi alice"), "hi alice");

  // Bob commits (a fresh path, no proposals); the others process it.
  Group::Commit empty = bob.CreateCommit({}, {}, crypto::SystemRandom()).value();
  alice = alice.ProcessCommit(empty.message).value();
  carol = carol.ProcessCommit(empty.message).value();
  bob = std::move(*empty.next);
  ExpectSameEpoch(alice, bob);
  ExpectSameEpoch(bob, carol);
  EXPECT_EQ(Say(carol, bob, "epoch 2"), "epoch 2");

  // Carol removes Bob: Bob learns he is out; the others go on without him.
  Group::Commit remove = carol.CreateCommit({}, {bob.leaf()}, crypto::SystemRandom()).value();
  EXPECT_EQ(bob.ProcessCommit(remove.message).status().code(), StatusCode::kInvalidArgument);
  alice = alice.ProcessCommit(remove.message).value();
  carol = std::move(*remove.next);
  ExpectSameEpoch(alice, carol);
  EXPECT_EQ(Say(alice, carol, "just us"), "just us");
  EXPECT_NE(alice.epoch_authenticator(), bob.epoch_authenticator());
  const Bytes to_bob = alice.Protect(Bytes{'x'}, crypto::SystemRandom()).value();
  EXPECT_FALSE(bob.Unprotect(to_bob).ok());  // another epoch
}

TEST(GroupTest, ACommitForAnEpochAlreadyLeftAndTamperedCommitsAreRefused) {
  Group alice = Create("alice");
  const KeyPackageSecrets bob_kp = Kp("bob");
  Group::Commit add = alice.CreateCommit({bob_kp.key_package}, {}, crypto::SystemRandom()).value();
  alice = std::move(*add.next);
  Group bob = Group::Join(Suite(), *add.welcome, bob_kp).value();
  // Both commit for the same epoch; the Delivery Service takes Bob's. Alice's own is dropped,
  // she processes Bob's from her unchanged state, and Bob refuses Alice's (old epoch).
  Group::Commit mine = alice.CreateCommit({}, {}, crypto::SystemRandom()).value();
  Group::Commit theirs = bob.CreateCommit({}, {}, crypto::SystemRandom()).value();
  Group alice_next = alice.ProcessCommit(theirs.message).value();
  bob = std::move(*theirs.next);
  ExpectSameEpoch(alice_next, bob);
  EXPECT_EQ(bob.ProcessCommit(mine.message).status().code(), StatusCode::kInvalidArgument);
  // A flipped byte anywhere in a Commit is refused by some check, never accepted.
  Group::Commit next = bob.CreateCommit({}, {}, crypto::SystemRandom()).value();
  for (std::size_t i = 0; i < next.message.size(); i += 5) {
    Bytes bad = next.message;
    bad[i] ^= 0x01;
    EXPECT_FALSE(alice_next.ProcessCommit(bad).ok()) << i;
  }
  EXPECT_TRUE(alice_next.ProcessCommit(next.message).ok());
}

TEST(GroupTest, AForgedApplicationMessageBurnsNoKey) {
  Group alice = Create("alice");
  const KeyPackageSecrets bob_kp = Kp("bob");
  Group::Commit add = alice.CreateCommit({bob_kp.key_package}, {}, crypto::SystemRandom()).value();
  alice = std::move(*add.next);
  Group bob = Group::Join(Suite(), *add.welcome, bob_kp).value();
  const Bytes wire = alice.Protect(Bytes{'o', 'k'}, crypto::SystemRandom()).value();
  Bytes bad = wire;
  bad.back() ^= 1;
  EXPECT_FALSE(bob.Unprotect(bad).ok());
  Result<Group::Received> got = bob.Unprotect(wire);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got.value().data, (Bytes{'o', 'k'}));
  EXPECT_FALSE(bob.Unprotect(wire).ok());  // a replay
}

// A Commit that only adds may leave the path out: the committer's keys stay, the new member
// joins, and everyone reaches the same epoch. One that removes, or proposes nothing, may not.
TEST(GroupTest, AnAddOnlyCommitMayLeaveThePathOut) {
  Group alice = Create("alice");
  const KeyPackageSecrets bob_kp = Kp("bob");
  const KeyPackageSecrets carol_kp = Kp("carol");
  Group::Commit first =
      alice.CreateCommit({bob_kp.key_package}, {}, crypto::SystemRandom()).value();
  alice = std::move(*first.next);
  Group bob = Group::Join(Suite(), *first.welcome, bob_kp).value();
  Group::Commit pathless = alice
                               .CreateCommit({carol_kp.key_package}, {}, crypto::SystemRandom(),
                                             Group::CommitOptions{.path = false})
                               .value();
  const MlsMessage m = DecodeMlsMessage(pathless.message).value();
  EXPECT_FALSE(std::get<mls::Commit>(std::get<PublicMessage>(m.body).content.content).path);
  bob = bob.ProcessCommit(pathless.message).value();
  alice = std::move(*pathless.next);
  Group carol = Group::Join(Suite(), *pathless.welcome, carol_kp).value();
  ExpectSameEpoch(alice, bob);
  ExpectSameEpoch(alice, carol);
  EXPECT_EQ(Say(carol, bob, "joined without a path"), "joined without a path");
  EXPECT_EQ(alice.CreateCommit({}, {}, crypto::SystemRandom(), Group::CommitOptions{.path = false})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(alice
                .CreateCommit({}, {bob.leaf()}, crypto::SystemRandom(),
                              Group::CommitOptions{.path = false})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // And a path after it still reaches everyone.
  Group::Commit update = carol.CreateCommit({}, {}, crypto::SystemRandom()).value();
  alice = alice.ProcessCommit(update.message).value();
  bob = bob.ProcessCommit(update.message).value();
  carol = std::move(*update.next);
  ExpectSameEpoch(alice, carol);
  ExpectSameEpoch(bob, carol);
}

// After a burst of Adds every new member is an unmerged leaf, so the next path is sealed to each
// of them: enough seals to run on several threads. Every member still gets the epoch.
TEST(GroupTest, ALargeGroupsFirstCommitReachesEveryMember) {
  Group alice = Create("alice");
  std::vector<KeyPackageSecrets> joiners;
  std::vector<KeyPackage> adds;
  for (int i = 0; i < 150; ++i) {
    joiners.push_back(Kp("member " + std::to_string(i)));
    adds.push_back(joiners.back().key_package);
  }
  Group::Commit add = alice.CreateCommit(adds, {}, crypto::SystemRandom()).value();
  alice = std::move(*add.next);
  std::vector<Group> members;
  for (std::size_t i : {std::size_t{0}, std::size_t{77}, std::size_t{149}}) {
    members.push_back(Group::Join(Suite(), *add.welcome, joiners[i]).value());
  }
  Group::Commit next = alice.CreateCommit({}, {}, crypto::SystemRandom()).value();
  std::size_t sealed = 0;
  const MlsMessage m = DecodeMlsMessage(next.message).value();
  const auto& commit = std::get<mls::Commit>(std::get<PublicMessage>(m.body).content.content);
  for (const UpdatePathNode& n : commit.path->nodes) sealed += n.encrypted_path_secret.size();
  EXPECT_GE(sealed, 150u);
  alice = std::move(*next.next);
  for (Group& member : members) {
    member = member.ProcessCommit(next.message).value();
    ExpectSameEpoch(alice, member);
  }
  EXPECT_EQ(Say(members[1], members[2], "still here"), "still here");
}

// Three members, each of whose states the test holds.
struct Trio {
  Group alice, bob, carol;
};
Trio MakeTrio() {
  Group alice = Create("alice");
  const KeyPackageSecrets bob_kp = Kp("bob");
  const KeyPackageSecrets carol_kp = Kp("carol");
  Group::Commit add =
      alice.CreateCommit({bob_kp.key_package, carol_kp.key_package}, {}, crypto::SystemRandom())
          .value();
  alice = std::move(*add.next);
  Group bob = Group::Join(Suite(), *add.welcome, bob_kp).value();
  Group carol = Group::Join(Suite(), *add.welcome, carol_kp).value();
  return Trio{std::move(alice), std::move(bob), std::move(carol)};
}

// Delivers `message` to each of `to` and adopts the next epoch when it is a Commit.
void Deliver(const Bytes& message, std::initializer_list<Group*> to) {
  for (Group* g : to) {
    Result<Group::Processed> got = g->Process(message);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (got.value().type == ContentType::kCommit) *g = std::move(*got.value().next);
  }
}

// Bob proposes an Update, Carol a Remove of nobody yet; Alice commits both by reference. Bob
// ends with his new leaf key (he decrypts the path with it) and everyone shares the epoch.
TEST(GroupTest, AnUpdateProposalCommittedByAnotherMember) {
  Trio t = MakeTrio();
  const Bytes old_key = t.bob.tree().leaf(t.bob.leaf())->encryption_key;
  const Bytes update = t.bob.ProposeUpdate(crypto::SystemRandom()).value();
  Deliver(update, {&t.alice, &t.carol});
  EXPECT_EQ(t.alice.pending_proposals(), 1u);
  Group::Commit c = t.alice.CommitProposals({}, crypto::SystemRandom(), {}).value();
  const MlsMessage m = DecodeMlsMessage(c.message).value();
  const auto& commit = std::get<mls::Commit>(std::get<PublicMessage>(m.body).content.content);
  ASSERT_EQ(commit.proposals.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Bytes>(commit.proposals[0]));  // by reference
  t.alice = std::move(*c.next);
  Deliver(c.message, {&t.bob, &t.carol});
  ExpectSameEpoch(t.alice, t.bob);
  ExpectSameEpoch(t.alice, t.carol);
  EXPECT_NE(t.bob.tree().leaf(t.bob.leaf())->encryption_key, old_key);
  EXPECT_EQ(t.bob.pending_proposals(), 0u);
  EXPECT_EQ(Say(t.bob, t.carol, "new key"), "new key");
  // Bob cannot commit his own Update: it is left out, and a Commit without it still works.
  const Bytes again = t.bob.ProposeUpdate(crypto::SystemRandom()).value();
  Deliver(again, {&t.alice, &t.carol});
  Group::Commit own = t.bob.CommitProposals({}, crypto::SystemRandom(), {}).value();
  const MlsMessage own_m = DecodeMlsMessage(own.message).value();
  EXPECT_TRUE(
      std::get<mls::Commit>(std::get<PublicMessage>(own_m.body).content.content).proposals.empty());
}

// A Remove proposed by one member, committed by another; a duplicate is left out by the
// committer; the removed member learns it has left.
TEST(GroupTest, RemoveProposalsByReference) {
  Trio t = MakeTrio();
  const LeafIndex carol = t.carol.leaf();
  const Bytes p1 = t.alice.Propose(RemoveProposal{carol}).value();
  Deliver(p1, {&t.bob, &t.carol});
  const Bytes p2 = t.bob.Propose(RemoveProposal{carol}).value();
  Deliver(p2, {&t.alice, &t.carol});
  Group::Commit c = t.bob.CommitProposals({}, crypto::SystemRandom(), {}).value();
  const MlsMessage m = DecodeMlsMessage(c.message).value();
  EXPECT_EQ(std::get<mls::Commit>(std::get<PublicMessage>(m.body).content.content).proposals.size(),
            1u);
  t.bob = std::move(*c.next);
  Result<Group::Processed> out = t.carol.Process(c.message);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out.value().removed);
  EXPECT_EQ(out.value().next, nullptr);
  Deliver(c.message, {&t.alice});
  ExpectSameEpoch(t.alice, t.bob);
  EXPECT_TRUE(carol >= t.alice.tree().leaf_count() || t.alice.tree().leaf(carol) == nullptr);
}

// Proposals a receiver never saw, and invalid ones, are refused with what is wrong.
TEST(GroupTest, BadProposalsAreRefused) {
  Trio t = MakeTrio();
  // Alice's proposal reaches Bob but not Carol: Bob's Commit by reference fails at Carol.
  const Bytes p = t.alice.ProposeUpdate(crypto::SystemRandom()).value();
  Deliver(p, {&t.bob});
  Group::Commit c = t.bob.CommitProposals({}, crypto::SystemRandom(), {}).value();
  Result<Group::Processed> got = t.carol.Process(c.message);
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("not seen"), std::string::npos);
  // Removing a blank leaf, or a GroupContext extension a member does not support.
  EXPECT_EQ(t.alice.Propose(RemoveProposal{99}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.alice
                .CommitProposals({GroupContextExtensionsProposal{{{0xff0a, Bytes{1}}}}},
                                 crypto::SystemRandom(), {})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // A KeyPackage already in the group (the same keys twice).
  const KeyPackage dave = Kp("dave").key_package;
  EXPECT_EQ(
      t.alice.CommitProposals({AddProposal{dave}, AddProposal{dave}}, crypto::SystemRandom(), {})
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(t.alice.Propose(ReInitProposal{}).status().code(), StatusCode::kInvalidArgument);
  // Nothing above changed Carol: she still talks with Alice.
  EXPECT_EQ(Say(t.alice, t.carol, "still fine"), "still fine");
}

// An external PSK named by a PreSharedKey proposal: members who know it reach the epoch; a
// joiner in the same Commit needs it too.
TEST(GroupTest, AnExternalPskProposal) {
  Trio t = MakeTrio();
  const Bytes id{'p', 's', 'k'};
  SecretBytes secret(32);
  crypto::SystemRandom().Fill(secret.mutable_span());
  for (Group* g : {&t.alice, &t.bob, &t.carol}) g->AddExternalPsk({id, secret.Clone()});
  PreSharedKeyId psk;
  psk.psk_id = id;
  psk.psk_nonce = Bytes(32, 7);
  const KeyPackageSecrets dave_kp = Kp("dave");
  Group::Commit c =
      t.carol
          .CommitProposals({PreSharedKeyProposal{psk}, AddProposal{dave_kp.key_package}},
                           crypto::SystemRandom(), {})
          .value();
  t.carol = std::move(*c.next);
  Deliver(c.message, {&t.alice, &t.bob});
  ExpectSameEpoch(t.alice, t.carol);
  EXPECT_FALSE(Group::Join(Suite(), *c.welcome, dave_kp).ok());  // no PSK given
  JoinOptions options;
  options.external_psks.push_back({id, secret.Clone()});
  Group dave = Group::Join(Suite(), *c.welcome, dave_kp, options).value();
  ExpectSameEpoch(dave, t.carol);
  // An unknown PSK cannot be proposed.
  psk.psk_id = Bytes{'n', 'o'};
  EXPECT_EQ(t.alice.Propose(PreSharedKeyProposal{psk}).status().code(),
            StatusCode::kInvalidArgument);
}

// A resumption PSK of an earlier epoch of this group (usage application), which every member
// keeps; one of an epoch no longer kept, or of another group, is refused.
TEST(GroupTest, AResumptionPskProposal) {
  Trio t = MakeTrio();
  const std::uint64_t earlier = t.alice.epoch();
  Group::Commit step = t.bob.CreateCommit({}, {}, crypto::SystemRandom()).value();
  t.bob = std::move(*step.next);
  Deliver(step.message, {&t.alice, &t.carol});
  PreSharedKeyId psk;
  psk.type = PskType::kResumption;
  psk.usage = ResumptionPskUsage::kApplication;
  psk.psk_group_id = t.alice.context().group_id;
  psk.psk_epoch = earlier;
  psk.psk_nonce = Bytes(32, 9);
  Group::Commit c =
      t.carol.CommitProposals({PreSharedKeyProposal{psk}}, crypto::SystemRandom(), {}).value();
  t.carol = std::move(*c.next);
  Deliver(c.message, {&t.alice, &t.bob});
  ExpectSameEpoch(t.alice, t.carol);
  ExpectSameEpoch(t.bob, t.carol);
  psk.psk_epoch = 99;
  EXPECT_EQ(t.alice.Propose(PreSharedKeyProposal{psk}).status().code(),
            StatusCode::kInvalidArgument);
  psk.psk_epoch = earlier;
  psk.psk_group_id = Bytes{'o', 't', 'h', 'e', 'r'};
  EXPECT_EQ(t.alice.Propose(PreSharedKeyProposal{psk}).status().code(),
            StatusCode::kInvalidArgument);
  // The kept PSKs survive a reload.
  Group reloaded = Group::Load(t.alice.Save().span()).value();
  psk.psk_group_id = t.alice.context().group_id;
  EXPECT_TRUE(reloaded.Propose(PreSharedKeyProposal{psk}).ok());
}

// GroupContextExtensions: a required_capabilities extension every member meets changes the
// context for everyone (and needs a path).
TEST(GroupTest, GroupContextExtensions) {
  Trio t = MakeTrio();
  TlsWriter w;
  PutU16Vector(w, {});
  PutU16Vector(w, {});
  PutU16Vector(w, {kCredentialBasic});
  const Extension required{3, w.Take()};
  const Bytes p = t.bob.Propose(GroupContextExtensionsProposal{{required}}).value();
  Deliver(p, {&t.alice, &t.carol});
  EXPECT_EQ(t.alice.CommitProposals({}, crypto::SystemRandom(), {.path = false}).status().code(),
            StatusCode::kInvalidArgument);
  Group::Commit c = t.alice.CommitProposals({}, crypto::SystemRandom(), {}).value();
  t.alice = std::move(*c.next);
  Deliver(c.message, {&t.bob, &t.carol});
  ExpectSameEpoch(t.alice, t.bob);
  ExpectSameEpoch(t.alice, t.carol);
  ASSERT_EQ(t.alice.context().extensions.size(), 1u);
  EXPECT_EQ(t.alice.context().extensions[0], required);
}

// A new device joins by external commit from a GroupInfo; everyone reaches its epoch.
TEST(GroupTest, ANewMemberJoinsByExternalCommit) {
  Trio t = MakeTrio();
  const Bytes info = t.bob.ExternalGroupInfo().value();
  KeyPackageSecrets dave_kp = Kp("dave");
  Group::Commit join =
      Group::JoinExternal(Suite(), info, std::move(dave_kp.member), crypto::SystemRandom()).value();
  Group dave = std::move(*join.next);
  // Tampering anywhere is refused, never accepted.
  for (std::size_t i = 0; i < join.message.size(); i += 11) {
    Bytes bad = join.message;
    bad[i] ^= 0x04;
    Group copy = Group::Load(t.alice.Save().span()).value();
    EXPECT_FALSE(copy.Process(bad).ok()) << i;
  }
  Deliver(join.message, {&t.alice, &t.bob, &t.carol});
  ExpectSameEpoch(dave, t.alice);
  ExpectSameEpoch(dave, t.carol);
  EXPECT_EQ(Say(dave, t.carol, "new device"), "new device");
  EXPECT_EQ(Say(t.bob, dave, "welcome"), "welcome");
  // A GroupInfo of an epoch the group has left is no good: the Commit names the old epoch.
  KeyPackageSecrets erin_kp = Kp("erin");
  Group::Commit late =
      Group::JoinExternal(Suite(), info, std::move(erin_kp.member), crypto::SystemRandom()).value();
  EXPECT_EQ(t.alice.Process(late.message).status().code(), StatusCode::kInvalidArgument);
}

// A device that lost its state rejoins with a new leaf, removing its old one in the same Commit.
TEST(GroupTest, AMemberRejoinsByExternalCommit) {
  Trio t = MakeTrio();
  const LeafIndex old = t.bob.leaf();
  const Bytes info = t.alice.ExternalGroupInfo().value();
  KeyPackageSecrets again = Kp("bob");  // the same identity, new keys
  ExternalJoinOptions options;
  options.rejoin = old;
  Group::Commit join =
      Group::JoinExternal(Suite(), info, std::move(again.member), crypto::SystemRandom(), options)
          .value();
  Group bob = std::move(*join.next);
  Result<Group::Processed> old_bob = t.bob.Process(join.message);
  ASSERT_TRUE(old_bob.ok()) << old_bob.status().ToString();
  EXPECT_TRUE(old_bob.value().removed);
  Deliver(join.message, {&t.alice, &t.carol});
  ExpectSameEpoch(bob, t.alice);
  ExpectSameEpoch(bob, t.carol);
  EXPECT_EQ(Say(bob, t.alice, "back"), "back");
  EXPECT_EQ(t.alice.tree().leaf(old)->credential.identity, (Bytes{'b', 'o', 'b'}));
  // Someone else's leaf cannot be "rejoined".
  KeyPackageSecrets mallory = Kp("mallory");
  options.rejoin = t.carol.leaf();
  EXPECT_EQ(Group::JoinExternal(Suite(), t.alice.ExternalGroupInfo().value(),
                                std::move(mallory.member), crypto::SystemRandom(), options)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

// Signs a KeyPackage (and its leaf) again after a test changed it.
void Resign(KeyPackageSecrets& kp) {
  const SecretBytes& key = kp.member.signature.private_key;
  kp.key_package.leaf_node.signature =
      Suite()
          .SignWithLabel(key, "LeafNodeTBS", LeafNodeTbs(kp.key_package.leaf_node, {}, 0))
          .value();
  kp.key_package.signature =
      Suite().SignWithLabel(key, "KeyPackageTBS", KeyPackageTbs(kp.key_package)).value();
}

// A member whose credential type others do not support, or whose leaf carries an extension its
// capabilities do not list, cannot be added.
TEST(GroupTest, IncompatibleCapabilitiesAreRefused) {
  Group alice = Create("alice");
  KeyPackageSecrets x509 = Kp("x509");
  x509.key_package.leaf_node.credential = Credential{kCredentialX509, {}, {Bytes{0x30, 0x00}}};
  x509.key_package.leaf_node.capabilities.credentials = {kCredentialBasic, kCredentialX509};
  Resign(x509);
  Result<Group::Commit> c = alice.CreateCommit({x509.key_package}, {}, crypto::SystemRandom());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("credential type"), std::string::npos);
  KeyPackageSecrets extended = Kp("extended");
  extended.key_package.leaf_node.extensions = {{0xff01, Bytes{1}}};
  Resign(extended);
  EXPECT_EQ(alice.CreateCommit({extended.key_package}, {}, crypto::SystemRandom()).status().code(),
            StatusCode::kInvalidArgument);
  extended.key_package.leaf_node.capabilities.extensions = {0xff01};
  Resign(extended);
  EXPECT_TRUE(alice.CreateCommit({extended.key_package}, {}, crypto::SystemRandom()).ok());
}

// A KeyPackage outside its lifetime is refused on Add (against the group's clock).
TEST(GroupTest, AnExpiredKeyPackageIsRefused) {
  ManualClock clock(1'700'000'000ull * 1'000'000);
  GroupOptions options;
  options.clock = &clock;
  KeyPackageSecrets alice_kp = Kp("alice");
  Group alice = Group::Create(Suite(), Bytes{'g'}, std::move(alice_kp.member),
                              crypto::SystemRandom(), options)
                    .value();
  KeyPackageSecrets bob = Kp("bob");
  bob.key_package.leaf_node.lifetime = {1'600'000'000, 1'650'000'000};  // ended before "now"
  Resign(bob);
  Result<Group::Commit> c = alice.CreateCommit({bob.key_package}, {}, crypto::SystemRandom());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("lifetime"), std::string::npos);
  EXPECT_TRUE(alice.CreateCommit({Kp("carol").key_package}, {}, crypto::SystemRandom()).ok());
}

// A last-resort KeyPackage may be used by more than one Welcome.
TEST(GroupTest, ALastResortKeyPackageJoinsTwice) {
  const KeyPackageSecrets bob =
      MakeKeyPackage(Suite(), Bytes{'b'}, crypto::SystemRandom(), {.last_resort = true}).value();
  EXPECT_TRUE(IsLastResort(bob.key_package));
  EXPECT_FALSE(IsLastResort(Kp("x").key_package));
  for (const char* name : {"one", "two"}) {
    Group g = Create(name);
    Group::Commit c = g.CreateCommit({bob.key_package}, {}, crypto::SystemRandom()).value();
    EXPECT_TRUE(Group::Join(Suite(), *c.welcome, bob).ok()) << name;
  }
}

// The out-of-order window is the group's: with room for two skipped keys, the oldest of three
// skipped messages no longer decrypts; with the default it does.
TEST(GroupTest, TheOutOfOrderWindowIsConfigured) {
  for (const std::uint32_t window : {2u, 128u}) {
    GroupOptions options;
    options.secret_tree.out_of_order_keys = window;
    KeyPackageSecrets alice_kp = Kp("alice");
    Group alice = Group::Create(Suite(), Bytes{'g'}, std::move(alice_kp.member),
                                crypto::SystemRandom(), options)
                      .value();
    const KeyPackageSecrets bob_kp = Kp("bob");
    Group::Commit add =
        alice.CreateCommit({bob_kp.key_package}, {}, crypto::SystemRandom()).value();
    alice = std::move(*add.next);
    JoinOptions join;
    join.group = options;
    Group bob = Group::Join(Suite(), *add.welcome, bob_kp, join).value();
    std::vector<Bytes> wires;
    for (std::uint8_t i = 0; i < 4; ++i) {
      wires.push_back(alice.Protect(Bytes{i}, crypto::SystemRandom()).value());
    }
    ASSERT_TRUE(bob.Process(wires[3]).ok());
    EXPECT_EQ(bob.Process(wires[0]).ok(), window > 2) << window;
    EXPECT_TRUE(bob.Process(wires[2]).ok());
  }
}

}  // namespace
}  // namespace qfs::mls
