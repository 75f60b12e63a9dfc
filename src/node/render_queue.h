// Runs costly renders (ledger entries and pages) one at a time on a thread of their own, fairly
// between clients.
//
// A render of a large page takes ~100 ms of a core. Rendering on a thread of its own keeps the
// HTTP threads (and every connection's own strand) free for everything else: /healthz,
// submissions, the rest of a large response. Running one render at a time bounds what reads
// cost the machine; queueing the rest — at most one waiting per client, served first come
// first served — means that a client flooding from a few addresses delays an honest reader by a
// few renders instead of locking it out:
//
//   RenderQueue queue(RenderQueue::Options{});
//   if (!queue.Submit(request.remote_address, [=](bool run) { respond(run ? Render() : Busy()); }))
//     respond(Busy());
//
// A job that waited longer than `wait_us_max`, or that is still waiting at Stop(), is called
// with run = false and must answer at once (503), so that a backlog drains in microseconds.
//
// Thread safety: Submit and Stop may be called from any thread.
#ifndef QFS_NODE_RENDER_QUEUE_H_
#define QFS_NODE_RENDER_QUEUE_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

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
  // Called once, on the queue's thread: run = true to do the work, false to answer that it was
  // not done. Must not throw (what it throws is swallowed, and the queue goes on).
  using Job = std::function<void(bool run)>;

  // Starts the queue's thread.
  explicit RenderQueue(Options options);
  ~RenderQueue();  // Stop()
  RenderQueue(const RenderQueue&) = delete;
  RenderQueue& operator=(const RenderQueue&) = delete;

  // Queues `job` unless the queue is stopped, `client` already has a job waiting or
  // waiting_max jobs wait; in those cases it returns false and `job` is never called.
  bool Submit(const std::string& client, Job job);

  // Lets the running job finish, answers every waiting one with run = false, refuses what is
  // submitted afterwards, and joins the thread. Idempotent. Call it before what jobs use (the
  // ledger) goes away.
  void Stop();

  // Jobs waiting now (not counting the one running).
  std::size_t waiting() const;

 private:
  struct Waiting {
    std::string client;
    std::uint64_t since_us;
    Job job;
  };
  void Run();
  std::uint64_t NowUs() const;

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under mu_
  std::deque<Waiting> waiting_;
  std::set<std::string> waiting_clients_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace qfs::node

#endif  // QFS_NODE_RENDER_QUEUE_H_
