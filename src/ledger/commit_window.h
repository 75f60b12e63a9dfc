// The group-commit window: how long the sequencer lets concurrent writers gather before it
// starts the next fdatasync, chosen from how busy the process keeps the machine's cores.
//
//   CommitWindow window({.idle_us = 1000, .busy_us = 4000});
//   window.Observe(wall_us, process_cpu_us);  // now and then, from the sequencer
//   wait_until(last_sync_start + window.window_us());
//
// Each commit costs CPU beyond its entries: on a virtual disk an fdatasync is ~0.2–0.3 ms of
// request notifications, completion interrupts and wake-ups (docs/BENCHMARKS.md). While cores
// are idle that cost is free and the short window keeps latency low; while admission's
// signature checks keep every core busy it comes straight out of them, and a longer window
// (fewer, larger commits) leaves more of the machine to admission. The window is `idle_us`
// below `busy_from_permille` of the cores busy, `busy_us` from `busy_at_permille`, and
// proportional in between, so that it moves smoothly as the load does.
//
// Pure arithmetic on the readings it is given (no clock of its own), so that tests drive it.
// Not thread-safe: the sequencer owns it.
#ifndef QFS_LEDGER_COMMIT_WINDOW_H_
#define QFS_LEDGER_COMMIT_WINDOW_H_

#include <cstdint>
#include <optional>

namespace qfs::ledger {

struct CommitWindowOptions {
  std::uint32_t idle_us = 1000;  // the window while the cores have room
  std::uint32_t busy_us = 4000;  // the window while they are saturated; below idle_us: idle_us
  std::uint32_t cores = 1;       // the cores the process may run on; 0 counts as 1
  std::uint32_t busy_from_permille = 850;  // of all cores' time, used by the process
  std::uint32_t busy_at_permille = 950;    // REQUIRES (checked): above busy_from_permille
  // Readings closer together than this are not a utilisation sample yet (a short interval is
  // noise: a scheduler tick is 1–10 ms); the first reading only starts the first interval.
  std::uint64_t sample_us = 100'000;
};

class CommitWindow {
 public:
  explicit CommitWindow(const CommitWindowOptions& options);

  // One reading of two monotonic clocks, in microseconds: wall time, and the CPU time the
  // whole process has used (every thread, user and system). A reading that goes backwards
  // restarts the interval.
  void Observe(std::uint64_t wall_us, std::uint64_t cpu_us);

  // The window for the next commit, from the last complete interval (idle_us before one).
  std::uint32_t window_us() const { return window_us_; }
  // The last complete interval's utilisation, permille of all cores (may exceed 1000 briefly).
  std::uint64_t busy_permille() const { return busy_permille_; }

 private:
  CommitWindowOptions options_;
  std::optional<std::uint64_t> start_wall_us_, start_cpu_us_;
  std::uint32_t window_us_;
  std::uint64_t busy_permille_ = 0;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_COMMIT_WINDOW_H_
