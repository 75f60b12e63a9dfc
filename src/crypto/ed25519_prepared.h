// Ed25519 verification against a prepared public key: the key is decoded once and expanded into
// a comb table (multiples j * 256^i * A for j = 1..8, 256 affine points, 30 KiB; the base point
// has a static one of j = 1..128), so that a verification is 96 table additions and 4 doublings
// — no doubling per bit, no decoding of A — about three times as fast as libsodium's
// crypto_sign_verify_detached on the same machine (docs/BENCHMARKS.md). Preparing costs about
// 2.5 plain verifications, so it pays from the third signature by the same key.
//
//   auto key = Ed25519PreparedKey::Prepare(public_key).value();   // once per key
//   Status ok = key->Verify(message, signature);                  // many times, any thread
//
// Same verdict as Ed25519Verify (libsodium) for every input, by construction and by a
// differential test: Prepare refuses what libsodium refuses about a key (non-canonical y, not on
// the curve, small order) with BAD_KEY; Verify requires a canonical S (< L), computes
// P = [S]B - [k]A with k = SHA-512(R || A || M) mod L, and accepts iff encode(P) is exactly the
// 32 bytes of R and P is not of small order (libsodium's R blocklist, which for a canonical
// encoding is the same set). Cofactorless, deterministic, variable time (all inputs are public).
//
// Thread safety: a prepared key is immutable; Verify may run on many threads at once.
#ifndef QFS_CRYPTO_ED25519_PREPARED_H_
#define QFS_CRYPTO_ED25519_PREPARED_H_

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signature.h"

namespace qfs::crypto {

class Ed25519PreparedKey final : public PreparedPublicKey {
 public:
  // BAD_KEY for a key that is not 32 bytes, not a canonical encoding, not on the curve, or of
  // small order.
  static Result<std::unique_ptr<const Ed25519PreparedKey>> Prepare(ByteSpan public_key);
  ~Ed25519PreparedKey() override;
  Ed25519PreparedKey(const Ed25519PreparedKey&) = delete;
  Ed25519PreparedKey& operator=(const Ed25519PreparedKey&) = delete;

  // OK or BAD_SIGNATURE, exactly as Ed25519Verify(public_key(), message, signature).
  Status Verify(ByteSpan message, ByteSpan signature) const override;
  ByteSpan public_key() const { return encoded_; }
  std::size_t memory_bytes() const override;

  struct Table;  // the comb table (defined in ed25519_prepared.cc)

 private:
  Ed25519PreparedKey() = default;
  std::array<std::uint8_t, 32> encoded_{};
  std::unique_ptr<const Table> table_;
};

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_ED25519_PREPARED_H_
