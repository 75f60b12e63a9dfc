#include "ledger/commit_window.h"

#include <gtest/gtest.h>

namespace qfs::ledger {
namespace {

CommitWindowOptions TwoCores() {
  return {.idle_us = 1000, .busy_us = 4000, .cores = 2, .sample_us = 100'000};
}

// Feeds one interval of `wall_us` in which the process used `cpu_us`, after a starting reading.
CommitWindow After(std::uint64_t wall_us, std::uint64_t cpu_us) {
  CommitWindow w(TwoCores());
  w.Observe(5'000'000, 7'000'000);
  w.Observe(5'000'000 + wall_us, 7'000'000 + cpu_us);
  return w;
}

TEST(CommitWindow, IsTheIdleWindowUntilAWholeIntervalHasBeenSeen) {
  CommitWindow w(TwoCores());
  EXPECT_EQ(w.window_us(), 1000u);
  w.Observe(0, 0);
  w.Observe(50'000, 100'000);  // every core busy, but only half an interval
  EXPECT_EQ(w.window_us(), 1000u);
  w.Observe(100'000, 200'000);
  EXPECT_EQ(w.busy_permille(), 1000u);
  EXPECT_EQ(w.window_us(), 4000u);
}

TEST(CommitWindow, FollowsTheShareOfTheCoresTheProcessKeepsBusy) {
  EXPECT_EQ(After(100'000, 120'000).window_us(), 1000u);  // 60 %
  EXPECT_EQ(After(100'000, 170'000).window_us(), 1000u);  // 85 %: still idle
  EXPECT_EQ(After(100'000, 180'000).window_us(), 2500u);  // 90 %: half way
  EXPECT_EQ(After(100'000, 190'000).window_us(), 4000u);  // 95 %
  EXPECT_EQ(After(100'000, 260'000).window_us(), 4000u);  // more than the cores (sampling skew)
  EXPECT_EQ(After(100'000, 180'000).busy_permille(), 900u);
}

TEST(CommitWindow, ComesBackWhenTheLoadDrops) {
  CommitWindow w(TwoCores());
  w.Observe(0, 0);
  w.Observe(100'000, 200'000);
  ASSERT_EQ(w.window_us(), 4000u);
  w.Observe(200'000, 260'000);  // 30 % in the next interval
  EXPECT_EQ(w.window_us(), 1000u);
}

TEST(CommitWindow, AReadingThatGoesBackwardsRestartsTheInterval) {
  CommitWindow w(TwoCores());
  w.Observe(1'000'000, 1'000'000);
  w.Observe(900'000, 1'200'000);  // wall time went back: a new start, no sample
  EXPECT_EQ(w.window_us(), 1000u);
  w.Observe(1'000'000, 1'400'000);
  EXPECT_EQ(w.window_us(), 4000u);  // 200 ms of CPU in 100 ms on two cores
}

TEST(CommitWindow, ABusyWindowBelowTheIdleOneMeansNoStretching) {
  CommitWindow w({.idle_us = 1000, .busy_us = 0, .cores = 0});  // cores 0 counts as 1
  w.Observe(0, 0);
  w.Observe(100'000, 100'000);
  EXPECT_EQ(w.busy_permille(), 1000u);
  EXPECT_EQ(w.window_us(), 1000u);
}

}  // namespace
}  // namespace qfs::ledger
