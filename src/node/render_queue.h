// Runs costly renders (ledger entries and pages) one at a time node-wide, fairly between clients.
//
// A render of a large page holds a server thread for ~100 ms. Running one at a time leaves the
// other threads to everything else (/healthz, submissions); queueing the rest — at most one
// waiting per client, served first come first served — means that a client flooding from a
// few addresses delays an honest reader by a few renders instead of locking it out:
//
//   RenderQueue queue(RenderQueue::Options{});
//   if (!queue.Submit(request.remote_address, [=](bool run) { respond(run ? Render() : Busy()); }))
//     respond(Busy());
//
// A job runs on the thread that submitted it (when nothing runs) or on the thread that finished
// the job before it. A job that waited longer than `wait_us_max` is called with run = false and
// must answer at once (503), so that a backlog drains in microseconds, not renders.
//
// Thread safety: Submit may be called from any thread.
#ifndef QFS_NODE_RENDER_QUEUE_H_
#define QFS_NODE_RENDER_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/limits.h"

namespace qfs::node {

class RenderQueue {
 public:
  struct Options {
    // Jobs waiting, all clients together (each client has at most one).
    std::size_t waiting_max = kEntryRendersWaitingMax;
    // A job that waited longer is called with run = false.
    std::uint64_t wait_us_max = kEntryRenderWaitMicrosMax;
    // Its MonotonicMicros() times the wait; the machine's steady clock if null.
    Clock* clock = nullptr;
  };
  // Called once: run = true to do the work, false to answer that it was not done. Must not
  // throw (what it throws is swallowed, and the queue goes on).
  using Job = std::function<void(bool run)>;

  explicit RenderQueue(Options options);
  RenderQueue(const RenderQueue&) = delete;
  RenderQueue& operator=(const RenderQueue&) = delete;

  // Runs `job` now if no job runs; else queues it unless `client` already has a job waiting or
  // waiting_max jobs wait, in which case it returns false and `job` is never called.
  bool Submit(const std::string& client, Job job);

  // Jobs waiting now.
  std::size_t waiting() const;

 private:
  struct Waiting {
    std::string client;
    std::uint64_t since_us;
    Job job;
  };
  // Runs `job`, then every job waiting, in order; ends with running_ = false.
  void Drain(Job job);
  std::uint64_t NowUs() const;

  const Options options_;
  mutable std::mutex mu_;
  bool running_ = false;
  std::deque<Waiting> waiting_;
  std::set<std::string> waiting_clients_;
};

}  // namespace qfs::node

#endif  // QFS_NODE_RENDER_QUEUE_H_
