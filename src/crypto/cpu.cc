#include "crypto/cpu.h"

namespace qfs::crypto {
namespace {

CpuFeatures Detect() {
  CpuFeatures f;
#if defined(__x86_64__)
  __builtin_cpu_init();
  f.bmi2 = __builtin_cpu_supports("bmi") != 0 && __builtin_cpu_supports("bmi2") != 0;
  f.avx2 = __builtin_cpu_supports("avx2") != 0;
  f.avx512vl = __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512vl") != 0;
#endif
  return f;
}

CpuFeatures& Mutable() {
  static CpuFeatures features = Detect();
  return features;
}

}  // namespace

const CpuFeatures& Cpu() { return Mutable(); }

void SetCpuFeaturesForTesting(const CpuFeatures& features) {
  const CpuFeatures detected = Detect();
  Mutable() = {features.bmi2 && detected.bmi2, features.avx2 && detected.avx2,
               features.avx512vl && detected.avx512vl};
}

}  // namespace qfs::crypto
