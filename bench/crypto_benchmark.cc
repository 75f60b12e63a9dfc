// Hashing and the other primitives: throughput per input size. Run:
//   build/release/bench/qfs_crypto_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include "crypto/aead.h"
#include "crypto/curve25519.h"
#include "crypto/ed25519_prepared.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "crypto/mldsa.h"
#include "crypto/mlkem.h"
#include "crypto/wallet.h"

namespace qfs::crypto {
namespace {

template <typename Fn>
void Throughput(benchmark::State& state, Fn fn) {
  Bytes data(static_cast<std::size_t>(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(fn(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_Sha256(benchmark::State& s) {
  Throughput(s, [](ByteSpan d) { return Sha256(d); });
}
void BM_Sha512(benchmark::State& s) {
  Throughput(s, [](ByteSpan d) { return Sha512(d); });
}
void BM_Sha3_256(benchmark::State& s) {
  Throughput(s, [](ByteSpan d) { return Sha3_256(d); });
}
void BM_Keccak256(benchmark::State& s) {
  Throughput(s, [](ByteSpan d) { return Keccak256(d); });
}
void BM_HmacSha256(benchmark::State& s) {
  Bytes key(32, 1);
  Throughput(s, [&](ByteSpan d) { return HmacSha256(key, d); });
}
void BM_AesGcmSeal(benchmark::State& s) {
  Bytes key(32, 1), nonce(12, 2);
  Throughput(s, [&](ByteSpan d) { return AeadSeal(AeadAlgorithm::kAesGcm, key, nonce, {}, d); });
}
void BM_ChaCha20Poly1305Seal(benchmark::State& s) {
  Bytes key(32, 1), nonce(12, 2);
  Throughput(
      s, [&](ByteSpan d) { return AeadSeal(AeadAlgorithm::kChaCha20Poly1305, key, nonce, {}, d); });
}

void BM_Ed25519Sign(benchmark::State& s) {
  Ed25519KeyPair kp = Ed25519FromSeed(Bytes(32, 3)).value();
  Bytes msg(100, 4);
  for (auto _ : s) benchmark::DoNotOptimize(Ed25519Sign(kp.secret_key, msg));
}
void BM_Ed25519Verify(benchmark::State& s) {
  Ed25519KeyPair kp = Ed25519FromSeed(Bytes(32, 3)).value();
  Bytes msg(100, 4);
  Bytes sig = Ed25519Sign(kp.secret_key, msg).value();
  for (auto _ : s) benchmark::DoNotOptimize(Ed25519Verify(kp.public_key, msg, sig));
}
// The same check against a key prepared once (crypto/ed25519_prepared.h).
void BM_Ed25519VerifyPrepared(benchmark::State& s) {
  Ed25519KeyPair kp = Ed25519FromSeed(Bytes(32, 3)).value();
  Bytes msg(100, 7);
  Bytes sig = Ed25519Sign(kp.secret_key, msg).value();
  auto key = Ed25519PreparedKey::Prepare(kp.public_key).value();
  for (auto _ : s) benchmark::DoNotOptimize(key->Verify(msg, sig));
}
void BM_Ed25519Prepare(benchmark::State& s) {
  Ed25519KeyPair kp = Ed25519FromSeed(Bytes(32, 3)).value();
  for (auto _ : s) benchmark::DoNotOptimize(Ed25519PreparedKey::Prepare(kp.public_key));
}
void BM_Secp256k1Recover(benchmark::State& s) {
  Bytes sk(32, 5);
  Digest32 digest = Eip191Hash(AsBytes("login"));
  Bytes sig = EcdsaSignRecoverable(sk, digest).value();
  for (auto _ : s) benchmark::DoNotOptimize(RecoverAddress(AsBytes("login"), sig));
}

// --- Post-quantum (issue 3): per parameter set, operations per second = 1e9 / ns.
const MlDsaParameterSet kDsaSets[] = {MlDsaParameterSet::k44, MlDsaParameterSet::k65,
                                      MlDsaParameterSet::k87};
const MlKemParameterSet kKemSets[] = {MlKemParameterSet::k512, MlKemParameterSet::k768,
                                      MlKemParameterSet::k1024};

void BM_MlDsaKeyGen(benchmark::State& s) {
  MlDsaParameterSet set = kDsaSets[s.range(0)];
  Bytes seed(32, 1);
  for (auto _ : s) benchmark::DoNotOptimize(MlDsaKeyGen(set, seed));
  s.SetLabel(std::string(MlDsaName(set)));
}
void BM_MlDsaSign(benchmark::State& s) {
  MlDsaParameterSet set = kDsaSets[s.range(0)];
  MlDsaKeyPair kp = MlDsaKeyGen(set, Bytes(32, 1)).value();
  Bytes msg(100, 2);
  std::uint8_t i = 0;
  for (auto _ : s) {
    msg[0] = i++;  // different messages: the rejection loop length varies like in use
    benchmark::DoNotOptimize(
        MlDsaSign(set, kp.secret_key.span(), msg, {}, MlDsaRandomness::Deterministic()));
  }
  s.SetLabel(std::string(MlDsaName(set)));
}
void BM_MlDsaVerify(benchmark::State& s) {
  MlDsaParameterSet set = kDsaSets[s.range(0)];
  MlDsaKeyPair kp = MlDsaKeyGen(set, Bytes(32, 1)).value();
  Bytes msg(100, 2);
  Bytes sig =
      MlDsaSign(set, kp.secret_key.span(), msg, {}, MlDsaRandomness::Deterministic()).value();
  for (auto _ : s) benchmark::DoNotOptimize(MlDsaVerify(set, kp.public_key, msg, {}, sig));
  s.SetLabel(std::string(MlDsaName(set)));
}
// The same against a key expanded once (MlDsaPreparedKey).
void BM_MlDsaVerifyPrepared(benchmark::State& s) {
  MlDsaParameterSet set = kDsaSets[s.range(0)];
  MlDsaKeyPair kp = MlDsaKeyGen(set, Bytes(32, 1)).value();
  Bytes msg(100, 2);
  Bytes sig =
      MlDsaSign(set, kp.secret_key.span(), msg, {}, MlDsaRandomness::Deterministic()).value();
  auto key = MlDsaPreparedKey::Prepare(set, kp.public_key).value();
  for (auto _ : s) benchmark::DoNotOptimize(key->Verify(msg, {}, sig));
  s.SetLabel(std::string(MlDsaName(set)));
}
void BM_MlKemKeyGen(benchmark::State& s) {
  MlKemParameterSet set = kKemSets[s.range(0)];
  Bytes d(32, 1), z(32, 2);
  for (auto _ : s) benchmark::DoNotOptimize(MlKemKeyGen(set, d, z));
  s.SetLabel(std::string(MlKemName(set)));
}
void BM_MlKemEncaps(benchmark::State& s) {
  MlKemParameterSet set = kKemSets[s.range(0)];
  MlKemKeyPair kp = MlKemKeyGen(set, Bytes(32, 1), Bytes(32, 2)).value();
  Bytes m(32, 3);
  for (auto _ : s) benchmark::DoNotOptimize(MlKemEncaps(set, kp.encapsulation_key, m));
  s.SetLabel(std::string(MlKemName(set)));
}
void BM_MlKemDecaps(benchmark::State& s) {
  MlKemParameterSet set = kKemSets[s.range(0)];
  MlKemKeyPair kp = MlKemKeyGen(set, Bytes(32, 1), Bytes(32, 2)).value();
  MlKemEncapsulation e = MlKemEncaps(set, kp.encapsulation_key, Bytes(32, 3)).value();
  for (auto _ : s) {
    benchmark::DoNotOptimize(MlKemDecaps(set, kp.decapsulation_key.span(), e.ciphertext));
  }
  s.SetLabel(std::string(MlKemName(set)));
}
BENCHMARK(BM_MlDsaKeyGen)->DenseRange(0, 2);
BENCHMARK(BM_MlDsaSign)->DenseRange(0, 2);
BENCHMARK(BM_MlDsaVerify)->DenseRange(0, 2);
BENCHMARK(BM_MlDsaVerifyPrepared)->DenseRange(0, 2);
BENCHMARK(BM_MlKemKeyGen)->DenseRange(0, 2);
BENCHMARK(BM_MlKemEncaps)->DenseRange(0, 2);
BENCHMARK(BM_MlKemDecaps)->DenseRange(0, 2);

BENCHMARK(BM_Sha256)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Sha512)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Sha3_256)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Keccak256)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_HmacSha256)->Arg(64)->Arg(4096);
BENCHMARK(BM_AesGcmSeal)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_ChaCha20Poly1305Seal)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Ed25519Sign);
BENCHMARK(BM_Ed25519Verify);
BENCHMARK(BM_Ed25519VerifyPrepared);
BENCHMARK(BM_Ed25519Prepare);
BENCHMARK(BM_Secp256k1Recover);

}  // namespace
}  // namespace qfs::crypto

BENCHMARK_MAIN();
