#include "node/render_queue.h"

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

RenderQueue::RenderQueue(Options options) : options_(options), thread_([this] { Run(); }) {}

RenderQueue::~RenderQueue() { Stop(); }

bool RenderQueue::Submit(const std::string& client, Job job) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || waiting_.size() >= options_.waiting_max || waiting_clients_.contains(client)) {
      return false;
    }
    waiting_clients_.insert(client);
    waiting_.push_back({client, NowUs(), std::move(job)});
  }
  wake_.notify_one();
  return true;
}

void RenderQueue::Stop() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void RenderQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, and nothing left to answer
    Waiting next = std::move(waiting_.front());
    waiting_.pop_front();
    waiting_clients_.erase(next.client);
    const bool run = !stopping_ && NowUs() - next.since_us <= options_.wait_us_max;
    lock.unlock();
    Call(next.job, run);
    next.job = nullptr;  // what the job holds (a connection) goes before the next one runs
    lock.lock();
  }
}

std::size_t RenderQueue::waiting() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

std::uint64_t RenderQueue::NowUs() const {
  static SystemClock machine;  // its MonotonicMicros() is the machine's steady clock
  return (options_.clock != nullptr ? options_.clock : &machine)->MonotonicMicros();
}

}  // namespace qfs::node
