// Hashing and the other primitives: throughput per input size. Run:
//   build/release/bench/qfs_crypto_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include "crypto/aead.h"
#include "crypto/curve25519.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
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
void BM_Secp256k1Recover(benchmark::State& s) {
  Bytes sk(32, 5);
  Digest32 digest = Eip191Hash(AsBytes("login"));
  Bytes sig = EcdsaSignRecoverable(sk, digest).value();
  for (auto _ : s) benchmark::DoNotOptimize(RecoverAddress(AsBytes("login"), sig));
}

BENCHMARK(BM_Sha256)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Sha512)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Sha3_256)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Keccak256)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_HmacSha256)->Arg(64)->Arg(4096);
BENCHMARK(BM_AesGcmSeal)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_ChaCha20Poly1305Seal)->Arg(64)->Arg(4096)->Arg(1 << 20);
BENCHMARK(BM_Ed25519Sign);
BENCHMARK(BM_Ed25519Verify);
BENCHMARK(BM_Secp256k1Recover);

}  // namespace
}  // namespace qfs::crypto

BENCHMARK_MAIN();
