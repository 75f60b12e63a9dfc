// Which SIMD extensions the running CPU has, for the few places (Keccak x4, the ML-DSA NTT) that
// carry a vectorized path next to the portable one. Both paths compute identical results; tests
// run each by switching the features off.
#ifndef QFS_CRYPTO_CPU_H_
#define QFS_CRYPTO_CPU_H_

namespace qfs::crypto {

struct CpuFeatures {
  bool bmi2 = false;  // with BMI1
  bool avx2 = false;
  bool avx512vl = false;  // with AVX-512F
};

// Detected once (thread-safe); what SetCpuFeaturesForTesting set, if it was called.
const CpuFeatures& Cpu();

// Restricts (never extends) the features used from now on; for tests that cover the portable
// paths on a machine that has SIMD. Not thread-safe against concurrent crypto calls.
void SetCpuFeaturesForTesting(const CpuFeatures& features);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_CPU_H_
