#include "node/render_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace qfs::node {
namespace {

// A monotonic clock the test moves.
class TestClock final : public Clock {
 public:
  std::uint64_t NowMicros() override { return 0; }
  std::uint64_t MonotonicMicros() override { return now_us.load(); }
  std::atomic<std::uint64_t> now_us{1'000'000};
};

// Holds the queue busy: a job submitted on its own thread that runs until released.
class Blocker {
 public:
  explicit Blocker(RenderQueue& queue) {
    thread_ = std::thread([this, &queue] {
      queue.Submit("blocker", [this](bool) {
        started_.set_value();
        release_.get_future().wait();
      });
    });
    started_.get_future().wait();
  }
  // Lets the blocker's job end; the blocker's thread then runs every job waiting.
  void Release() {
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> started_;
  std::promise<void> release_;
  std::thread thread_;
};

TEST(RenderQueue, AnIdleQueueRunsTheJobAtOnceOnTheCallersThread) {
  RenderQueue queue(RenderQueue::Options{});
  std::thread::id ran_on;
  bool ran = false;
  EXPECT_TRUE(queue.Submit("a", [&](bool run) {
    ran = run;
    ran_on = std::this_thread::get_id();
  }));
  EXPECT_TRUE(ran);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(queue.waiting(), 0u);
}

TEST(RenderQueue, EachClientHasOneJobWaitingAndJobsRunInArrivalOrder) {
  RenderQueue queue(RenderQueue::Options{});
  Blocker blocker(queue);
  std::vector<std::string> order;  // written by the blocker's thread only, read after join
  auto job = [&order](const std::string& name) {
    return [&order, name](bool run) { order.push_back(name + (run ? "" : " expired")); };
  };
  EXPECT_TRUE(queue.Submit("flooder", job("flooder 1")));
  EXPECT_FALSE(queue.Submit("flooder", job("flooder 2")));  // its one waiting slot is taken
  EXPECT_FALSE(queue.Submit("flooder", job("flooder 3")));
  EXPECT_TRUE(queue.Submit("reader", job("reader 1")));
  EXPECT_EQ(queue.waiting(), 2u);
  blocker.Release();
  EXPECT_EQ(order, (std::vector<std::string>{"flooder 1", "reader 1"}));
  EXPECT_EQ(queue.waiting(), 0u);
  // The queue is idle again: the next job runs at once, and the flooder may queue again later.
  bool ran = false;
  EXPECT_TRUE(queue.Submit("flooder", [&](bool run) { ran = run; }));
  EXPECT_TRUE(ran);
}

TEST(RenderQueue, NoMoreThanWaitingMaxJobsWaitInAll) {
  RenderQueue::Options options;
  options.waiting_max = 3;
  RenderQueue queue(options);
  Blocker blocker(queue);
  int runs = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(
        queue.Submit("client " + std::to_string(i), [&](bool run) { runs += run ? 1 : 0; }));
  }
  EXPECT_FALSE(queue.Submit("client 3", [&](bool run) { runs += run ? 1 : 0; }));
  EXPECT_EQ(queue.waiting(), 3u);
  blocker.Release();
  EXPECT_EQ(runs, 3);
}

TEST(RenderQueue, AJobThatWaitedPastTheBoundIsAnsweredWithoutRunning) {
  TestClock clock;
  RenderQueue::Options options;
  options.wait_us_max = 2'000'000;
  options.clock = &clock;
  RenderQueue queue(options);
  Blocker blocker(queue);
  std::vector<std::string> order;
  auto job = [&order](const std::string& name) {
    return [&order, name](bool run) { order.push_back(name + (run ? "" : " expired")); };
  };
  EXPECT_TRUE(queue.Submit("old", job("old")));
  clock.now_us += 1'500'000;
  EXPECT_TRUE(queue.Submit("new", job("new")));
  clock.now_us += 1'000'000;  // "old" has waited 2.5 s, "new" 1 s
  blocker.Release();
  EXPECT_EQ(order, (std::vector<std::string>{"old expired", "new"}));
}

TEST(RenderQueue, AThrowingJobDoesNotStopTheQueue) {
  RenderQueue queue(RenderQueue::Options{});
  Blocker blocker(queue);
  bool ran = false;
  EXPECT_TRUE(queue.Submit("a", [](bool) { throw std::runtime_error("render failed"); }));
  EXPECT_TRUE(queue.Submit("b", [&](bool run) { ran = run; }));
  blocker.Release();
  EXPECT_TRUE(ran);
  bool ran_after = false;  // and the queue is idle, not stuck "running"
  EXPECT_TRUE(queue.Submit("a", [&](bool run) { ran_after = run; }));
  EXPECT_TRUE(ran_after);
}

TEST(RenderQueue, ConcurrentSubmittersAreEachAnsweredExactlyOnce) {
  RenderQueue queue(RenderQueue::Options{});
  constexpr int kThreads = 8;
  constexpr int kJobs = 500;
  std::atomic<int> ran{0};
  std::atomic<int> expired{0};
  std::atomic<int> refused{0};
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kJobs; ++i) {
        const bool queued = queue.Submit("client " + std::to_string(t), [&](bool run) {
          if (!run) return void(++expired);
          if (running.fetch_add(1) != 0) overlapped = true;
          std::this_thread::yield();
          running.fetch_sub(1);
          ++ran;
        });
        if (!queued) ++refused;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(overlapped) << "two jobs ran at once";
  EXPECT_EQ(ran + expired + refused, kThreads * kJobs);
  EXPECT_GT(ran.load(), 0);
  EXPECT_EQ(queue.waiting(), 0u);
}

}  // namespace
}  // namespace qfs::node
