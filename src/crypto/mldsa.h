// ML-DSA (FIPS 204): module-lattice signatures, parameter sets ML-DSA-44, -65 and -87.
// Our own implementation (no Debian package implements the final standard), validated against
// every NIST ACVP case in ../shared/vectors/acvp: key generation from a seed; signing —
// deterministic and hedged, pure and pre-hash (HashML-DSA with all 12 ACVP hash functions),
// with context strings, and the internal interface including an external mu; verification.
//
// Secret-independent timing: key generation and signing branch and index only on public data
// and on the accept/reject decision of each signing attempt (whose number reveals nothing about
// the key); checked under valgrind (tests/ct). Secrets are wiped.
//
//   MlDsaKeyPair kp = MlDsaKeyGen(MlDsaParameterSet::k65, seed).value();
//   Bytes sig = MlDsaSign(MlDsaParameterSet::k65, kp.secret_key.span(), msg, ctx,
//                         MlDsaRandomness::Hedged(SystemRandom())).value();
//   Status ok = MlDsaVerify(MlDsaParameterSet::k65, kp.public_key, msg, ctx, sig);
//
// Encodings are FIPS 204's pkEncode, skEncode and sigEncode (docs/formats/pqc.md).
#ifndef QFS_CRYPTO_MLDSA_H_
#define QFS_CRYPTO_MLDSA_H_

#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"

namespace qfs::crypto {

enum class MlDsaParameterSet { k44, k65, k87 };

struct MlDsaSizes {
  std::size_t public_key_bytes;
  std::size_t secret_key_bytes;
  std::size_t signature_bytes;
};
inline constexpr std::size_t kMlDsaSeedBytes = 32;
inline constexpr std::size_t kMlDsaContextBytesMax = 255;
inline constexpr std::size_t kMlDsaMuBytes = 64;

MlDsaSizes GetMlDsaSizes(MlDsaParameterSet set);
// "ML-DSA-44" (also "ml-dsa-44", "44"), ...
Result<MlDsaParameterSet> ParseMlDsaParameterSet(std::string_view name);
std::string_view MlDsaName(MlDsaParameterSet set);

// The pre-hash functions of HashML-DSA, by their ACVP names: SHA2-224, SHA2-256, SHA2-384,
// SHA2-512, SHA2-512/224, SHA2-512/256, SHA3-224, SHA3-256, SHA3-384, SHA3-512, SHAKE-128,
// SHAKE-256.
enum class MlDsaPreHash {
  kSha2_224,
  kSha2_256,
  kSha2_384,
  kSha2_512,
  kSha2_512_224,
  kSha2_512_256,
  kSha3_224,
  kSha3_256,
  kSha3_384,
  kSha3_512,
  kShake128,
  kShake256,
};
Result<MlDsaPreHash> ParseMlDsaPreHash(std::string_view name);

// The 32 bytes of signing randomness: all zero for deterministic signing, fresh for hedged.
struct MlDsaRandomness {
  Bytes rnd;
  static MlDsaRandomness Deterministic() { return {Bytes(32, 0)}; }
  static MlDsaRandomness Hedged(RandomSource& random);
  static MlDsaRandomness Given(ByteSpan rnd) { return {Bytes(rnd.begin(), rnd.end())}; }
};

struct MlDsaKeyPair {
  Bytes public_key;
  SecretBytes secret_key;
};

// ML-DSA.KeyGen_internal from a 32-byte seed xi.
Result<MlDsaKeyPair> MlDsaKeyGen(MlDsaParameterSet set, ByteSpan seed);

// ML-DSA.Sign (pure): M' = 0 || |ctx| || ctx || M. Errors: BAD_LENGTH (context over 255 bytes,
// rnd not 32 bytes), BAD_KEY (malformed secret key).
Result<Bytes> MlDsaSign(MlDsaParameterSet set, ByteSpan secret_key, ByteSpan message,
                        ByteSpan context, const MlDsaRandomness& randomness);
// HashML-DSA.Sign: M' = 1 || |ctx| || ctx || OID(ph) || ph(M).
Result<Bytes> MlDsaSignPreHash(MlDsaParameterSet set, ByteSpan secret_key, ByteSpan message,
                               ByteSpan context, MlDsaPreHash ph,
                               const MlDsaRandomness& randomness);
// ML-DSA.Sign_internal on M' as given, or (external mu) on a 64-byte mu.
Result<Bytes> MlDsaSignInternal(MlDsaParameterSet set, ByteSpan secret_key, ByteSpan m_prime,
                                const MlDsaRandomness& randomness);
Result<Bytes> MlDsaSignMu(MlDsaParameterSet set, ByteSpan secret_key, ByteSpan mu,
                          const MlDsaRandomness& randomness);

// Verification: OK, BAD_SIGNATURE, BAD_KEY (malformed public key) or BAD_LENGTH (context).
Status MlDsaVerify(MlDsaParameterSet set, ByteSpan public_key, ByteSpan message, ByteSpan context,
                   ByteSpan signature);
Status MlDsaVerifyPreHash(MlDsaParameterSet set, ByteSpan public_key, ByteSpan message,
                          ByteSpan context, MlDsaPreHash ph, ByteSpan signature);
Status MlDsaVerifyInternal(MlDsaParameterSet set, ByteSpan public_key, ByteSpan m_prime,
                           ByteSpan signature);
Status MlDsaVerifyMu(MlDsaParameterSet set, ByteSpan public_key, ByteSpan mu, ByteSpan signature);

// A public key expanded once (the matrix A-hat from rho, t1 * 2^d in the NTT domain and
// tr = H(pk): about 37 KiB for ML-DSA-65) for repeated verification of pure ML-DSA signatures;
// Verify gives exactly MlDsaVerify's verdict and error, 2.7 times as fast for ML-DSA-65
// (docs/BENCHMARKS.md).
// Immutable; Verify may run on many threads at once.
class MlDsaPreparedKey {
 public:
  // BAD_KEY for a public key of the wrong size (the only malformed key FIPS 204 has).
  static Result<std::unique_ptr<const MlDsaPreparedKey>> Prepare(MlDsaParameterSet set,
                                                                 ByteSpan public_key);
  ~MlDsaPreparedKey();
  MlDsaPreparedKey(const MlDsaPreparedKey&) = delete;
  MlDsaPreparedKey& operator=(const MlDsaPreparedKey&) = delete;
  Status Verify(ByteSpan message, ByteSpan context, ByteSpan signature) const;
  ByteSpan public_key() const;
  std::size_t memory_bytes() const;

  struct Expanded;  // defined in mldsa.cc

 private:
  explicit MlDsaPreparedKey(std::unique_ptr<const Expanded> key);
  std::unique_ptr<const Expanded> key_;
};

// mu = SHAKE256(SHAKE256(pk, 64) || M', 64), for callers that compute mu outside the signer.
Bytes MlDsaComputeMu(ByteSpan public_key, ByteSpan m_prime);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_MLDSA_H_
