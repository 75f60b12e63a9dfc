#include "base/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace qfs {
namespace {

TEST(ProcessCpuMicros, CountsSpinningAndNotSleeping) {
  using Steady = std::chrono::steady_clock;
  std::uint64_t before = ProcessCpuMicros();
  volatile std::uint64_t sink = 0;
  for (const auto end = Steady::now() + std::chrono::milliseconds(100); Steady::now() < end;) {
    sink = sink + 1;
  }
  // 100 ms of spinning: at least a fifth of it on a machine shared with other tests.
  EXPECT_GE(ProcessCpuMicros() - before, 20'000u);
  before = ProcessCpuMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(ProcessCpuMicros() - before, 20'000u);  // a tick or two of accounting slack
}

TEST(UsableCores, IsAtLeastOneAndAtMostTheMachinesCpus) {
  const std::uint32_t cores = UsableCores();
  EXPECT_GE(cores, 1u);
  const unsigned online = std::thread::hardware_concurrency();
  if (online > 0) {
    EXPECT_LE(cores, online);
  }
}

}  // namespace
}  // namespace qfs
