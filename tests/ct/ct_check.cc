// Constant-time check ("ctgrind"): run under valgrind memcheck with the secret inputs of key
// generation, encapsulation, decapsulation and signing marked undefined. Memcheck then reports
// every conditional jump and every memory address that depends on a secret; the ctest entry
// requires zero reports. Public outputs (keys, ciphertexts) are declassified after each call, as a
// real caller would publish them.
//
//   valgrind --error-exitcode=1 build/release/tests/ct/qfs_ct_check          (must pass)
//   valgrind --error-exitcode=1 build/release/tests/ct/qfs_ct_check --leaky  (must fail: self-test)
#include <cstdio>
#include <cstring>

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/mldsa.h"
#include "crypto/mlkem.h"

namespace qfs::crypto {
namespace {

void CheckMlKem(MlKemParameterSet set) {
  Bytes d(32, 0x11), z(32, 0x22), m(32, 0x33);
  Classify(d.data(), d.size());
  Classify(z.data(), z.size());
  MlKemKeyPair kp = MlKemKeyGen(set, d, z).value();
  Declassify(kp.encapsulation_key.data(), kp.encapsulation_key.size());
  // dk = dk_pke || ek || H(ek) || z: the secret parts are dk_pke and z.
  const std::size_t ek_bytes = kp.encapsulation_key.size();
  const std::size_t pke_bytes = ek_bytes - 32;
  Declassify(kp.decapsulation_key.data(), kp.decapsulation_key.size());
  Classify(kp.decapsulation_key.data(), pke_bytes);
  Classify(kp.decapsulation_key.data() + 2 * pke_bytes + 64, 32);

  Classify(m.data(), m.size());
  MlKemEncapsulation e = MlKemEncaps(set, kp.encapsulation_key, m).value();
  Declassify(e.ciphertext.data(), e.ciphertext.size());
  SecretBytes k = MlKemDecaps(set, kp.decapsulation_key.span(), e.ciphertext).value();
  // Also the implicit-rejection path.
  e.ciphertext[5] ^= 1;
  SecretBytes rejected = MlKemDecaps(set, kp.decapsulation_key.span(), e.ciphertext).value();
  // Only now look at the results: declassify, then compare.
  Declassify(k.data(), k.size());
  Declassify(e.shared_key.data(), e.shared_key.size());
  Declassify(rejected.data(), rejected.size());
  if (!(k == e.shared_key) || rejected == k) {
    std::fprintf(stderr, "ML-KEM round trip failed for %s\n", MlKemName(set).data());
    std::exit(2);
  }
}

void CheckMlDsa(MlDsaParameterSet set) {
  Bytes seed(32, 0x44), rnd(32, 0x55), message = {1, 2, 3};
  Classify(seed.data(), seed.size());
  MlDsaKeyPair kp = MlDsaKeyGen(set, seed).value();
  Declassify(kp.public_key.data(), kp.public_key.size());
  // sk = rho || K || tr || s1 || s2 || t0: rho and tr are public (derived from pk).
  Declassify(kp.secret_key.data(), kp.secret_key.size());
  Classify(kp.secret_key.data() + 32, 32);
  Classify(kp.secret_key.data() + 128, kp.secret_key.size() - 128);
  Classify(rnd.data(), rnd.size());
  for (const MlDsaRandomness& r : {MlDsaRandomness::Given(rnd), MlDsaRandomness::Deterministic()}) {
    Bytes sig = MlDsaSign(set, kp.secret_key.span(), message, {}, r).value();
    Declassify(sig.data(), sig.size());
    if (!MlDsaVerify(set, kp.public_key, message, {}, sig).ok()) {
      std::fprintf(stderr, "ML-DSA round trip failed for %s\n", MlDsaName(set).data());
      std::exit(2);
    }
  }
}

// The self-test: a branch on a secret byte, which memcheck must report.
int Leaky() {
  Bytes secret(1, 7);
  Classify(secret.data(), 1);
  volatile int sink = 0;
  if (secret[0] > 3) sink = 1;
  return sink;
}

}  // namespace
}  // namespace qfs::crypto

int main(int argc, char** argv) {
  using qfs::crypto::MlKemParameterSet;
  if (argc > 1 && std::strcmp(argv[1], "--leaky") == 0) return qfs::crypto::Leaky() * 0;
  // The SIMD paths valgrind's CPU offers (AVX2), then the portable code.
  for (bool simd : {true, false}) {
    qfs::crypto::SetCpuFeaturesForTesting({simd, simd, simd});
    for (MlKemParameterSet set :
         {MlKemParameterSet::k512, MlKemParameterSet::k768, MlKemParameterSet::k1024}) {
      qfs::crypto::CheckMlKem(set);
    }
    for (qfs::crypto::MlDsaParameterSet set :
         {qfs::crypto::MlDsaParameterSet::k44, qfs::crypto::MlDsaParameterSet::k65,
          qfs::crypto::MlDsaParameterSet::k87}) {
      qfs::crypto::CheckMlDsa(set);
    }
  }
  std::printf(
      "constant-time check: ML-KEM and ML-DSA keygen, encaps/decaps, sign ran (SIMD and "
      "portable)\n");
  return 0;
}
