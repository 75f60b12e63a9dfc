// MLS layers measured on their own (the group-level figures of issue 5 come with the group
// API). Run:
//   build/release/bench/qfs_mls_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "mls/framing.h"
#include "mls/treekem.h"

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(1).value();
  return suite;
}

// A full group of `n` members in which every member has committed once, so the tree's parents
// are filled in as in a group that has been in use.
struct Group {
  RatchetTree tree;
  std::map<LeafIndex, SignatureKeyPair> signers;
  std::map<LeafIndex, TreePrivateKey> keys;
  GroupContext context;
};

Group MakeGroup(std::uint32_t n) {
  Group g;
  g.context.cipher_suite = Suite().id();
  g.context.group_id = {'b', 'e', 'n', 'c', 'h'};
  for (std::uint32_t i = 0; i < n; ++i) {
    SignatureKeyPair sig = Suite().GenerateSignatureKey(crypto::SystemRandom());
    HpkeKeyPair enc = Suite().GenerateHpkeKey(crypto::SystemRandom());
    LeafNode leaf;
    leaf.encryption_key = enc.public_key;
    leaf.signature_key = sig.public_key;
    const std::string name = "member " + std::to_string(i);
    leaf.credential.identity.assign(name.begin(), name.end());
    leaf.capabilities.versions = {1};
    leaf.capabilities.cipher_suites = {1};
    leaf.lifetime = {0, ~std::uint64_t{0}};
    leaf.signature =
        Suite().SignWithLabel(sig.private_key, "LeafNodeTBS", LeafNodeTbs(leaf, {}, 0)).value();
    const LeafIndex at = g.tree.Add(std::move(leaf)).value();
    g.keys.emplace(at, TreePrivateKey(at, std::move(enc.private_key)));
    g.signers.emplace(at, std::move(sig));
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
const Group& GroupOf(std::uint32_t n) {
  static std::map<std::uint32_t, Group> groups;
  auto it = groups.find(n);
  if (it == groups.end()) it = groups.emplace(n, MakeGroup(n)).first;
  return it->second;
}

void BM_CreateUpdatePath(benchmark::State& state) {
  const Group& g = GroupOf(static_cast<std::uint32_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(CreateUpdatePath(Suite(), g.tree, 0, g.signers.at(0).private_key,
                                              g.context, {}, crypto::SystemRandom()));
  }
}
BENCHMARK(BM_CreateUpdatePath)->Arg(2)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// A receiver far from the committer (the other half of the tree): merge, decrypt, derive.
void BM_ProcessUpdatePath(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  const Group& g = GroupOf(n);
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

}  // namespace
}  // namespace qfs::mls

BENCHMARK_MAIN();
