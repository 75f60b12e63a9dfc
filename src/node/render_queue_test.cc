#include "node/render_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
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

// Holds the queue's thread in a job until released.
class Blocker {
 public:
  explicit Blocker(RenderQueue& queue) {
    EXPECT_TRUE(queue.Submit("blocker", [this](bool) {
      started_.set_value();
      release_.get_future().wait();
    }));
    started_.get_future().wait();
  }
  ~Blocker() {
    if (!released_) Release();  // a failed expectation must not leave the queue's thread stuck
  }
  void Release() {
    released_ = true;
    release_.set_value();
  }

 private:
  bool released_ = false;
  std::promise<void> started_;
  std::promise<void> release_;
};

// Returns once every job submitted before it has been answered (jobs run in order). A full
// queue refuses the sentinel until a job has been taken from it.
void WaitForEarlierJobs(RenderQueue& queue) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> answered = done->get_future();
  while (!queue.Submit("sentinel", [done](bool) { done->set_value(); })) {
    std::this_thread::yield();
  }
  answered.wait();
}

// Records the order in which jobs are answered (on the queue's thread; read after waiting).
struct Order {
  std::mutex mu;
  std::vector<std::string> names;
  RenderQueue::Job Job(const std::string& name) {
    return [this, name](bool run) {
      const std::lock_guard<std::mutex> lock(mu);
      names.push_back(name + (run ? "" : " not run"));
    };
  }
};

TEST(RenderQueue, JobsRunOnTheQueuesThreadNeverTheSubmitters) {
  // The submitter is an HTTP thread inside its connection's strand: running other clients' jobs
  // there froze that connection for as long as they kept coming (fourth attack pass).
  RenderQueue queue(RenderQueue::Options{});
  std::promise<std::thread::id> ran_on;
  std::future<std::thread::id> id = ran_on.get_future();
  EXPECT_TRUE(queue.Submit("a", [&ran_on](bool run) {
    EXPECT_TRUE(run);
    ran_on.set_value(std::this_thread::get_id());
  }));
  EXPECT_NE(id.get(), std::this_thread::get_id());
}

TEST(RenderQueue, EachClientHasOneJobWaitingAndJobsRunInArrivalOrder) {
  RenderQueue queue(RenderQueue::Options{});
  Blocker blocker(queue);
  Order order;
  EXPECT_TRUE(queue.Submit("flooder", order.Job("flooder 1")));
  EXPECT_FALSE(queue.Submit("flooder", order.Job("flooder 2")));  // its waiting slot is taken
  EXPECT_FALSE(queue.Submit("flooder", order.Job("flooder 3")));
  EXPECT_TRUE(queue.Submit("reader", order.Job("reader 1")));
  EXPECT_EQ(queue.waiting(), 2u);
  blocker.Release();
  WaitForEarlierJobs(queue);
  EXPECT_EQ(order.names, (std::vector<std::string>{"flooder 1", "reader 1"}));
  EXPECT_EQ(queue.waiting(), 0u);
  EXPECT_TRUE(queue.Submit("flooder", order.Job("flooder 4")));  // its slot is free again
  WaitForEarlierJobs(queue);
  EXPECT_EQ(order.names.back(), "flooder 4");
}

TEST(RenderQueue, NoMoreThanWaitingMaxJobsWaitInAll) {
  RenderQueue::Options options;
  options.waiting_max = 3;
  RenderQueue queue(options);
  Blocker blocker(queue);
  std::atomic<int> runs{0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(
        queue.Submit("client " + std::to_string(i), [&](bool run) { runs += run ? 1 : 0; }));
  }
  EXPECT_FALSE(queue.Submit("client 3", [&](bool run) { runs += run ? 1 : 0; }));
  EXPECT_EQ(queue.waiting(), 3u);
  blocker.Release();
  WaitForEarlierJobs(queue);
  EXPECT_EQ(runs.load(), 3);
}

TEST(RenderQueue, AJobThatWaitedPastTheBoundIsAnsweredWithoutRunning) {
  TestClock clock;
  RenderQueue::Options options;
  options.wait_us_max = 2'000'000;
  options.clock = &clock;
  RenderQueue queue(options);
  Blocker blocker(queue);
  Order order;
  EXPECT_TRUE(queue.Submit("old", order.Job("old")));
  clock.now_us += 1'500'000;
  EXPECT_TRUE(queue.Submit("new", order.Job("new")));
  clock.now_us += 1'000'000;  // "old" has waited 2.5 s, "new" 1 s
  blocker.Release();
  WaitForEarlierJobs(queue);
  EXPECT_EQ(order.names, (std::vector<std::string>{"old not run", "new"}));
}

TEST(RenderQueue, AThrowingJobDoesNotStopTheQueue) {
  RenderQueue queue(RenderQueue::Options{});
  Order order;
  EXPECT_TRUE(queue.Submit("a", [](bool) { throw std::runtime_error("render failed"); }));
  EXPECT_TRUE(queue.Submit("b", order.Job("b")));
  WaitForEarlierJobs(queue);
  EXPECT_EQ(order.names, (std::vector<std::string>{"b"}));
}

TEST(RenderQueue, StopLetsTheRunningJobFinishAnswersTheWaitingAndRefusesTheRest) {
  auto queue = std::make_unique<RenderQueue>(RenderQueue::Options{});
  Blocker blocker(*queue);
  Order order;
  EXPECT_TRUE(queue->Submit("a", order.Job("a")));
  EXPECT_TRUE(queue->Submit("b", order.Job("b")));
  std::thread stopper([&queue] { queue->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Stop waits for the blocker
  blocker.Release();
  stopper.join();
  EXPECT_EQ(order.names, (std::vector<std::string>{"a not run", "b not run"}));
  EXPECT_FALSE(queue->Submit("c", order.Job("c")));
  queue->Stop();  // idempotent
  queue.reset();
  EXPECT_EQ(order.names.size(), 2u);
}

TEST(RenderQueue, ConcurrentSubmittersAreEachAnsweredExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kJobs = 500;
  std::atomic<int> ran{0};
  std::atomic<int> not_run{0};
  std::atomic<int> refused{0};
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  {
    RenderQueue::Options options;
    options.wait_us_max = UINT64_MAX;  // no verdict here may depend on the machine's speed
    RenderQueue queue(options);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kJobs; ++i) {
          const bool queued = queue.Submit("client " + std::to_string(t), [&](bool run) {
            if (!run) return void(++not_run);
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
    WaitForEarlierJobs(queue);
  }
  EXPECT_FALSE(overlapped) << "two jobs ran at once";
  EXPECT_EQ(not_run.load(), 0);
  EXPECT_EQ(ran + refused, kThreads * kJobs);
  EXPECT_GE(ran.load(), kThreads);  // each thread's first job at least
}

}  // namespace
}  // namespace qfs::node
