#include "node/render_queue.h"

#include <chrono>
#include <utility>

namespace qfs::node {
namespace {

void Call(const RenderQueue::Job& job, bool run) {
  try {
    job(run);
  } catch (...) {  // the contract says it does not throw; the queue must go on if it does
  }
}

}  // namespace

RenderQueue::RenderQueue(Options options) : options_(options) {}

bool RenderQueue::Submit(const std::string& client, Job job) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (running_) {
      if (waiting_.size() >= options_.waiting_max || waiting_clients_.contains(client)) {
        return false;
      }
      waiting_clients_.insert(client);
      waiting_.push_back({client, NowUs(), std::move(job)});
      return true;
    }
    running_ = true;
  }
  Drain(std::move(job));
  return true;
}

void RenderQueue::Drain(Job job) {
  for (;;) {
    Call(job, true);
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (waiting_.empty()) {
        running_ = false;
        return;
      }
      Waiting next = std::move(waiting_.front());
      waiting_.pop_front();
      waiting_clients_.erase(next.client);
      if (NowUs() - next.since_us <= options_.wait_us_max) {
        job = std::move(next.job);
        break;
      }
      lock.unlock();
      Call(next.job, false);  // waited too long: answered at once, outside the lock
      lock.lock();
    }
  }
}

std::size_t RenderQueue::waiting() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

std::uint64_t RenderQueue::NowUs() const {
  if (options_.clock != nullptr) return options_.clock->MonotonicMicros();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace qfs::node
