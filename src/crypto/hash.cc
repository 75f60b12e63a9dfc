#include "crypto/hash.h"

// SHA-256 of short inputs (entry hashes, Merkle nodes, packet hashes: several per ledger entry)
// uses OpenSSL's low-level SHA256_* functions, deprecated in 3.0 but kept through 3.x: they run
// the same hardware-accelerated compression as EVP, without EVP_DigestInit_ex2's per-call
// allocation and release of a provider context (OpenSSL 3.0), which adds ~60 % to hashing
// 64 bytes (BM_Sha256/64: 207 ns through EVP, 129 ns here).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>

#include "base/check.h"
#include "crypto/keccak.h"

namespace qfs::crypto {
namespace {

enum class Algorithm { kSha256, kSha512, kSha3_256, kSha3_512, kShake128, kShake256, kCount };

// Fetched once: in OpenSSL 3, EVP_sha256() and friends fetch the implementation again on every
// init, which costs more than hashing a short input.
const EVP_MD* Fetched(Algorithm a) {
  static const std::array<EVP_MD*, static_cast<int>(Algorithm::kCount)> mds = [] {
    std::array<EVP_MD*, static_cast<int>(Algorithm::kCount)> m{};
    const char* names[] = {"SHA2-256", "SHA2-512",  "SHA3-256",
                           "SHA3-512", "SHAKE-128", "SHAKE-256"};
    for (int i = 0; i < static_cast<int>(Algorithm::kCount); ++i) {
      m[i] = EVP_MD_fetch(nullptr, names[i], nullptr);
      QFS_CHECK(m[i] != nullptr);
    }
    return m;
  }();
  return mds[static_cast<int>(a)];
}

// One context per thread, reused. OpenSSL failures here are environment errors (no outside input
// can make a digest fail), so they abort.
void Digest(Algorithm a, std::initializer_list<ByteSpan> parts, std::uint8_t* out,
            std::size_t out_bytes, bool xof) {
  struct CtxHolder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~CtxHolder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local CtxHolder holder;
  EVP_MD_CTX* ctx = holder.ctx;
  QFS_CHECK(ctx != nullptr);
  QFS_CHECK(EVP_DigestInit_ex2(ctx, Fetched(a), nullptr) == 1);
  for (ByteSpan data : parts) QFS_CHECK(EVP_DigestUpdate(ctx, data.data(), data.size()) == 1);
  if (xof) {
    QFS_CHECK(EVP_DigestFinalXOF(ctx, out, out_bytes) == 1);
  } else {
    unsigned int n = 0;
    QFS_CHECK(EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == out_bytes);
  }
}

}  // namespace

Digest32 Sha256(ByteSpan data) { return Sha256({data}); }

Digest32 Sha256(std::initializer_list<ByteSpan> parts) {
  SHA256_CTX ctx;
  QFS_CHECK(SHA256_Init(&ctx) == 1);
  for (ByteSpan data : parts) QFS_CHECK(SHA256_Update(&ctx, data.data(), data.size()) == 1);
  Digest32 out;
  QFS_CHECK(SHA256_Final(out.data(), &ctx) == 1);
  OPENSSL_cleanse(&ctx, sizeof(ctx));  // the input may be secret
  return out;
}

Digest64 Sha512(ByteSpan data) {
  Digest64 out;
  Digest(Algorithm::kSha512, {data}, out.data(), out.size(), false);
  return out;
}

Digest32 Sha3_256(ByteSpan data) {
  Digest32 out;
  Digest(Algorithm::kSha3_256, {data}, out.data(), out.size(), false);
  return out;
}

Digest64 Sha3_512(ByteSpan data) {
  Digest64 out;
  Digest(Algorithm::kSha3_512, {data}, out.data(), out.size(), false);
  return out;
}

Bytes Shake128(ByteSpan data, std::size_t out_bytes) {
  Bytes out(out_bytes);
  if (out_bytes > 0) Digest(Algorithm::kShake128, {data}, out.data(), out_bytes, true);
  return out;
}

Bytes Shake256(ByteSpan data, std::size_t out_bytes) {
  Bytes out(out_bytes);
  if (out_bytes > 0) Digest(Algorithm::kShake256, {data}, out.data(), out_bytes, true);
  return out;
}

Digest32 Keccak256(ByteSpan data) {
  KeccakSponge sponge(KeccakSponge::kSha3_256Rate, KeccakSponge::kKeccakPadding);
  sponge.Absorb(data);
  Digest32 out;
  sponge.Squeeze(out);
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  QFS_CHECK(ctx_ != nullptr);
  QFS_CHECK(EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), Fetched(Algorithm::kSha256),
                               nullptr) == 1);
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Hasher::Update(ByteSpan data) {
  QFS_CHECK(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) == 1);
}

Digest32 Sha256Hasher::Finish() {
  Digest32 out;
  unsigned int n = 0;
  QFS_CHECK(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &n) == 1 && n == 32);
  return out;
}

}  // namespace qfs::crypto
