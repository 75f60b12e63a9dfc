#include "base/clock.h"

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <thread>

namespace qfs {
namespace {

// The CPU time this thread has used, in microseconds.
std::uint64_t ThreadCpuMicros() {
  timespec t{};
  EXPECT_EQ(::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t), 0);
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000 +
         static_cast<std::uint64_t>(t.tv_nsec) / 1000;
}

// The accounting may lag the scheduler by up to one tick (10 ms at the coarsest HZ, 100).
constexpr std::uint64_t kTickUs = 10'000;

TEST(ProcessCpuMicros, CountsSpinningAndNotSleeping) {
  // Spins until this thread has had 50 ms of CPU, however small its share of a busy machine,
  // so that the verdict does not depend on how fast the machine is or how loaded.
  constexpr std::uint64_t kSpinUs = 50'000;
  using Steady = std::chrono::steady_clock;
  const auto give_up = Steady::now() + std::chrono::seconds(30);
  std::uint64_t before = ProcessCpuMicros();
  const std::uint64_t thread_before = ThreadCpuMicros();
  volatile std::uint64_t sink = 0;
  while (ThreadCpuMicros() - thread_before < kSpinUs) {
    ASSERT_LT(Steady::now(), give_up) << "this thread got under 50 ms of CPU in 30 s of spinning";
    for (int i = 0; i < 1000; ++i) sink = sink + 1;
  }
  EXPECT_GE(ProcessCpuMicros() - before, kSpinUs - kTickUs);
  // Asleep for 100 ms of wall time, the process uses next to no CPU (a wall clock would show
  // at least 100 ms here).
  before = ProcessCpuMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(ProcessCpuMicros() - before, 2 * kTickUs);
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
