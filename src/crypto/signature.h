// The signature-scheme registry: every signature in QFS names its algorithm by a stable numeric
// id (docs/formats/signatures.md), and callers verify through the registry, so new schemes
// (ML-DSA, the Ed25519+ML-DSA-65 hybrid) drop in without touching them.
//
//   const SignatureScheme* s = SignatureRegistry::Default().Find(algorithm).value();
//   Status ok = s->Verify(public_key, message, signature);
//
// Thread safety: Default() is built once and is read-only afterwards; schemes are stateless.
#ifndef QFS_CRYPTO_SIGNATURE_H_
#define QFS_CRYPTO_SIGNATURE_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace qfs::crypto {

enum class MlDsaParameterSet;  // crypto/mldsa.h

// Stable ids: never renumber or reuse.
enum class SignatureAlgorithm : std::uint16_t {
  kEd25519 = 1,
  kMlDsa44 = 2,
  kMlDsa65 = 3,
  kMlDsa87 = 4,
  kEd25519MlDsa65 = 5,  // hybrid: both must verify
};

struct SignatureKeyPair {
  Bytes public_key;
  SecretBytes secret_key;
};

// A public key decoded and expanded once for repeated verification (Ed25519 comb tables,
// ML-DSA's matrix): Verify gives the verdict of SignatureScheme::Verify(public_key, ...) of the
// scheme that prepared it, faster. Immutable; Verify may run on many threads at once.
class PreparedPublicKey {
 public:
  virtual ~PreparedPublicKey() = default;
  virtual Status Verify(ByteSpan message, ByteSpan signature) const = 0;
  virtual std::size_t memory_bytes() const = 0;  // what it holds, for caches with a budget
};

class SignatureScheme {
 public:
  virtual ~SignatureScheme() = default;
  virtual SignatureAlgorithm id() const = 0;
  virtual std::string_view name() const = 0;  // e.g. "ed25519"
  virtual std::size_t seed_bytes() const = 0;
  virtual std::size_t public_key_bytes() const = 0;
  virtual std::size_t signature_bytes() const = 0;
  // Deterministic key generation. BAD_KEY for a seed of the wrong size.
  virtual Result<SignatureKeyPair> KeyPairFromSeed(ByteSpan seed) const = 0;
  virtual Result<Bytes> Sign(const SecretBytes& secret_key, ByteSpan message) const = 0;
  // OK, or BAD_KEY (malformed public key) / BAD_SIGNATURE.
  virtual Status Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature) const = 0;
  // The key prepared for repeated verification (prepared_key_cache.h keeps them). BAD_KEY for
  // a malformed key — one that Verify would refuse with every signature.
  virtual Result<std::unique_ptr<const PreparedPublicKey>> Prepare(ByteSpan public_key) const = 0;
};

class SignatureRegistry {
 public:
  // Every built-in scheme.
  static const SignatureRegistry& Default();

  // REQUIRES: no scheme with the same id or name is registered.
  void Register(std::unique_ptr<SignatureScheme> scheme);
  // UNKNOWN_ALGORITHM if none.
  Result<const SignatureScheme*> Find(SignatureAlgorithm id) const;
  Result<const SignatureScheme*> Find(std::uint16_t id) const;
  Result<const SignatureScheme*> FindByName(std::string_view name) const;
  std::vector<const SignatureScheme*> schemes() const;
  // The scheme new node and device keys use: the Ed25519+ML-DSA-65 hybrid in Default().
  SignatureAlgorithm default_algorithm() const { return default_; }
  void set_default_algorithm(SignatureAlgorithm id);

 private:
  std::vector<std::unique_ptr<SignatureScheme>> schemes_;
  SignatureAlgorithm default_ = SignatureAlgorithm::kEd25519;
};

std::unique_ptr<SignatureScheme> MakeEd25519Scheme();
// ML-DSA (hedged signing, empty context) and the default hybrid, both halves over a
// domain-separated message (docs/formats/pqc.md). Defined in pq_signature.cc.
std::unique_ptr<SignatureScheme> MakeMlDsaScheme(MlDsaParameterSet set);
std::unique_ptr<SignatureScheme> MakeHybridScheme();

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_SIGNATURE_H_
