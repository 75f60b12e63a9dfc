// MLS layers measured on their own (the group-level figures of issue 5 come with the group
// API). Run:
//   build/release/bench/qfs_mls_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "mls/framing.h"
#include "mls/group.h"
#include "mls/treekem.h"

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(1).value();
  return suite;
}

// A full group of `n` members in which every member has committed once, so the tree's parents
// are filled in as in a group that has been in use.
struct TreeGroup {
  RatchetTree tree;
  std::map<LeafIndex, SignatureKeyPair> signers;
  std::map<LeafIndex, TreePrivateKey> keys;
  GroupContext context;
};

TreeGroup MakeGroup(std::uint32_t n) {
  TreeGroup g;
  g.context.cipher_suite = Suite().id();
  g.context.group_id = {'b', 'e', 'n', 'c', 'h'};
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::string name = "member " + std::to_string(i);
    KeyPackageSecrets kp =
        MakeKeyPackage(Suite(), Bytes(name.begin(), name.end()), crypto::SystemRandom()).value();
    const LeafIndex at = g.tree.Add(std::move(kp.member.leaf)).value();
    g.keys.emplace(at, TreePrivateKey(at, std::move(kp.member.encryption_private_key)));
    g.signers.emplace(at, std::move(kp.member.signature));
  }
  // Leaves committing in turn from the right leave the tree's parents non-blank.
  for (std::uint32_t i = n; i-- > 0;) {
    if (i % 2 != 0 && i + 1 != n) continue;
    CreatedPath p = CreateUpdatePath(Suite(), g.tree, i, g.signers.at(i).private_key, g.context, {},
                                     crypto::SystemRandom())
                        .value();
    g.tree = std::move(p.tree);
    g.keys.insert_or_assign(i, std::move(p.private_key));
  }
  return g;
}

// Google Benchmark calls each benchmark several times while it sizes the run: build each group
// once.
const TreeGroup& GroupOf(std::uint32_t n) {
  static std::map<std::uint32_t, TreeGroup> groups;
  auto it = groups.find(n);
  if (it == groups.end()) it = groups.emplace(n, MakeGroup(n)).first;
  return it->second;
}

void BM_CreateUpdatePath(benchmark::State& state) {
  const TreeGroup& g = GroupOf(static_cast<std::uint32_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(CreateUpdatePath(Suite(), g.tree, 0, g.signers.at(0).private_key,
                                              g.context, {}, crypto::SystemRandom()));
  }
}
BENCHMARK(BM_CreateUpdatePath)->Arg(2)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// A receiver far from the committer (the other half of the tree): merge, decrypt, derive.
void BM_ProcessUpdatePath(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  const TreeGroup& g = GroupOf(n);
  const CreatedPath p = CreateUpdatePath(Suite(), g.tree, 0, g.signers.at(0).private_key, g.context,
                                         {}, crypto::SystemRandom())
                            .value();
  const TreePrivateKey& receiver = g.keys.at(n - 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ProcessUpdatePath(Suite(), g.tree, 0, p.path, g.context, {}, receiver));
  }
}
BENCHMARK(BM_ProcessUpdatePath)->Arg(2)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// One application message, protected by its sender and unprotected by a receiver (signature
// and its verification included).
void BM_ApplicationMessageRoundTrip(benchmark::State& state) {
  const SignatureKeyPair signer = Suite().GenerateSignatureKey(crypto::SystemRandom());
  const SecretBytes encryption_secret(Bytes(32, 1));
  const Bytes sender_data_secret(32, 2);
  GroupContext context;
  context.cipher_suite = Suite().id();
  context.group_id = {'g'};
  SecretTree sender(Suite(), encryption_secret, 2);
  SecretTree receiver(Suite(), encryption_secret, 2);
  const Bytes text(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    FramedContent c{context.group_id, 0, Sender{SenderType::kMember, 1}, {}, Content(text)};
    AuthenticatedContent ac =
        SignContent(Suite(), WireFormat::kPrivateMessage, std::move(c), signer.private_key, context)
            .value();
    PrivateMessage m =
        ProtectPrivate(Suite(), ac, sender, sender_data_secret, crypto::SystemRandom()).value();
    AuthenticatedContent in =
        UnprotectPrivate(Suite(), m, receiver, sender_data_secret, context).value();
    benchmark::DoNotOptimize(VerifyContent(Suite(), in, signer.public_key, context));
  }
}
BENCHMARK(BM_ApplicationMessageRoundTrip)->Arg(100)->Arg(4096)->Unit(benchmark::kMicrosecond);

// Groups of n members made by one Commit that adds n - 1 KeyPackages, with the creator's and one
// joiner's state (the joiner at the far end of the tree). Every member is still unmerged in the
// parents above it, which makes the next paths encrypt to the most nodes: the worst case for a
// group's first Commits.
struct Members {
  std::unique_ptr<Group> creator;
  std::unique_ptr<Group> joiner;
};

const Members& MembersOf(std::uint32_t n) {
  static std::map<std::uint32_t, Members> made;
  auto it = made.find(n);
  if (it != made.end()) return it->second;
  KeyPackageSecrets creator_kp =
      MakeKeyPackage(Suite(), Bytes{'c'}, crypto::SystemRandom()).value();
  Group creator = Group::Create(Suite(), Bytes{'b', 'e', 'n', 'c', 'h'},
                                std::move(creator_kp.member), crypto::SystemRandom())
                      .value();
  std::vector<KeyPackageSecrets> joiners;
  std::vector<KeyPackage> adds;
  for (std::uint32_t i = 1; i < n; ++i) {
    const std::string name = "member " + std::to_string(i);
    joiners.push_back(
        MakeKeyPackage(Suite(), Bytes(name.begin(), name.end()), crypto::SystemRandom()).value());
    adds.push_back(joiners.back().key_package);
  }
  Group::Commit add = creator.CreateCommit(adds, {}, crypto::SystemRandom()).value();
  Members m{std::move(add.next),
            std::make_unique<Group>(Group::Join(Suite(), *add.welcome, joiners.back()).value())};
  return made.emplace(n, std::move(m)).first->second;
}

// The figure: a Commit (a fresh path, no proposals) created by one member...
void BM_GroupCreateCommit(benchmark::State& state) {
  const Members& m = MembersOf(static_cast<std::uint32_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.creator->CreateCommit({}, {}, crypto::SystemRandom()));
  }
}
BENCHMARK(BM_GroupCreateCommit)->Arg(2)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// ... and processed by another (decode, membership tag, signature, path, key schedule).
void BM_GroupProcessCommit(benchmark::State& state) {
  const Members& m = MembersOf(static_cast<std::uint32_t>(state.range(0)));
  const Group::Commit c = m.creator->CreateCommit({}, {}, crypto::SystemRandom()).value();
  for (auto _ : state) benchmark::DoNotOptimize(m.joiner->ProcessCommit(c.message));
  state.counters["commit_bytes"] = static_cast<double>(c.message.size());
}
BENCHMARK(BM_GroupProcessCommit)->Arg(2)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// One application message through the group API, as an application sends it: the sender's
// Protect (sign, encrypt) and the receiver's Process (decrypt, verify) — the figure compared
// with ts-mls's createApplicationMessage + processMessage (bench/mls_compare.py).
void BM_GroupMessageRoundTrip(benchmark::State& state) {
  const Members& m = MembersOf(2);
  Group sender = Group::Load(m.creator->Save().span()).value();
  Group receiver = Group::Load(m.joiner->Save().span()).value();
  const Bytes text(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    const Bytes wire = sender.Protect(text, crypto::SystemRandom()).value();
    benchmark::DoNotOptimize(receiver.Process(wire));
  }
}
BENCHMARK(BM_GroupMessageRoundTrip)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace qfs::mls

BENCHMARK_MAIN();
