// ML-KEM (FIPS 203): module-lattice key encapsulation, parameter sets ML-KEM-512, -768, -1024.
// Our own implementation (no Debian package implements the final standard), validated against
// every NIST ACVP case in ../shared/vectors/acvp (keyGen, encapsulation, decapsulation including
// implicit rejection, and both key checks).
//
// Secret-independent timing: no branch or memory index depends on d, z, m, the decapsulation
// key or the decrypted message; decapsulation compares and selects in constant time. Secrets are
// held in SecretBytes or wiped before release.
//
//   MlKemKeyPair kp = MlKemKeyGen(MlKemParameterSet::k768, SystemRandom()).value();
//   MlKemEncapsulation e = MlKemEncaps(MlKemParameterSet::k768, kp.encapsulation_key,
//                                      SystemRandom()).value();
//   SecretBytes k = MlKemDecaps(MlKemParameterSet::k768, kp.decapsulation_key,
//                               e.ciphertext).value();   // k == e.shared_key
//
// Encodings are FIPS 203's: ek = ByteEncode12(t) || rho (384k + 32 bytes);
// dk = ByteEncode12(s) || ek || H(ek) || z (768k + 96 bytes); c = c1 || c2 (32(du k + dv)).
#ifndef QFS_CRYPTO_MLKEM_H_
#define QFS_CRYPTO_MLKEM_H_

#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"

namespace qfs::crypto {

enum class MlKemParameterSet { k512, k768, k1024 };

struct MlKemSizes {
  std::size_t encapsulation_key_bytes;
  std::size_t decapsulation_key_bytes;
  std::size_t ciphertext_bytes;
};
inline constexpr std::size_t kMlKemSharedKeyBytes = 32;
inline constexpr std::size_t kMlKemSeedBytes = 32;  // d, z and m are 32 bytes each

MlKemSizes GetMlKemSizes(MlKemParameterSet set);
// "ML-KEM-512", "ML-KEM-768", "ML-KEM-1024" (also lower case, or "512"...).
Result<MlKemParameterSet> ParseMlKemParameterSet(std::string_view name);
std::string_view MlKemName(MlKemParameterSet set);

struct MlKemKeyPair {
  Bytes encapsulation_key;
  SecretBytes decapsulation_key;
};

struct MlKemEncapsulation {
  SecretBytes shared_key;
  Bytes ciphertext;
};

// ML-KEM.KeyGen_internal: deterministic from 32-byte d and z. BAD_LENGTH otherwise.
Result<MlKemKeyPair> MlKemKeyGen(MlKemParameterSet set, ByteSpan d, ByteSpan z);
Result<MlKemKeyPair> MlKemKeyGen(MlKemParameterSet set, RandomSource& random);

// ML-KEM.Encaps_internal with a given 32-byte message m. Checks ek first (BAD_KEY).
Result<MlKemEncapsulation> MlKemEncaps(MlKemParameterSet set, ByteSpan encapsulation_key,
                                       ByteSpan m);
Result<MlKemEncapsulation> MlKemEncaps(MlKemParameterSet set, ByteSpan encapsulation_key,
                                       RandomSource& random);

// ML-KEM.Decaps with FIPS 203's input checks (ciphertext and key lengths, the hash check on dk).
// A well-formed but wrong ciphertext yields the implicit-rejection key, not an error.
Result<SecretBytes> MlKemDecaps(MlKemParameterSet set, ByteSpan decapsulation_key,
                                ByteSpan ciphertext);

// FIPS 203 section 7.2: length and modulus check (every coefficient below q). BAD_KEY if not.
Status MlKemCheckEncapsulationKey(MlKemParameterSet set, ByteSpan encapsulation_key);
// FIPS 203 section 7.3: length and hash check (H(ek) stored in dk matches). BAD_KEY if not.
Status MlKemCheckDecapsulationKey(MlKemParameterSet set, ByteSpan decapsulation_key);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_MLKEM_H_
