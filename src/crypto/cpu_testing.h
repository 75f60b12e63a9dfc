// Runs a test once on each code path the CPU offers: the SIMD paths it has (as detected) and the
// portable code, by restricting the features crypto/cpu.h reports.
//
//   class AcvpMlDsa : public CpuPathTest {};
//   TEST_P(AcvpMlDsa, KeyGen) { ... }
//   QFS_INSTANTIATE_CPU_PATHS(AcvpMlDsa);
#ifndef QFS_CRYPTO_CPU_TESTING_H_
#define QFS_CRYPTO_CPU_TESTING_H_

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "crypto/cpu.h"

namespace qfs::crypto::testing {

struct CpuPath {
  std::string name;
  CpuFeatures features;
};

// Test names and logs show the path's name.
inline void PrintTo(const CpuPath& path, std::ostream* out) { *out << path.name; }

inline const CpuPath kDetected{"Detected", {true, true, true}};  // restricted to what exists
inline const CpuPath kAvx2{"Avx2", {true, true, false}};
inline const CpuPath kPortable{"Portable", {false, false, false}};

class CpuPathTest : public ::testing::TestWithParam<CpuPath> {
 protected:
  void SetUp() override { SetCpuFeaturesForTesting(GetParam().features); }
  void TearDown() override { SetCpuFeaturesForTesting(kDetected.features); }
};

}  // namespace qfs::crypto::testing

#define QFS_INSTANTIATE_CPU_PATHS(Suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(                                                               \
      CpuPaths, Suite,                                                                    \
      ::testing::Values(::qfs::crypto::testing::kDetected, ::qfs::crypto::testing::kAvx2, \
                        ::qfs::crypto::testing::kPortable),                               \
      [](const ::testing::TestParamInfo<::qfs::crypto::testing::CpuPath>& path) {         \
        return path.param.name;                                                           \
      })

#endif  // QFS_CRYPTO_CPU_TESTING_H_
