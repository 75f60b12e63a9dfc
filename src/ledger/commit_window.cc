#include "ledger/commit_window.h"

#include <algorithm>

#include "base/check.h"

namespace qfs::ledger {

CommitWindow::CommitWindow(const CommitWindowOptions& options)
    : options_(options), window_us_(options.idle_us) {
  QFS_CHECK(options_.busy_from_permille < options_.busy_at_permille);
  options_.cores = std::max<std::uint32_t>(1, options_.cores);
  options_.busy_us = std::max(options_.busy_us, options_.idle_us);
}

void CommitWindow::Observe(std::uint64_t wall_us, std::uint64_t cpu_us) {
  if (!start_wall_us_.has_value() || wall_us < *start_wall_us_ || cpu_us < *start_cpu_us_) {
    start_wall_us_ = wall_us;
    start_cpu_us_ = cpu_us;
    return;
  }
  const std::uint64_t wall = wall_us - *start_wall_us_;
  if (wall < std::max<std::uint64_t>(1, options_.sample_us)) return;
  const std::uint64_t cpu = cpu_us - *start_cpu_us_;
  start_wall_us_ = wall_us;
  start_cpu_us_ = cpu_us;
  // Both are at most centuries of microseconds: cpu * 1000 cannot overflow 64 bits.
  busy_permille_ = cpu * 1000 / (wall * options_.cores);
  const std::uint64_t from = options_.busy_from_permille, at = options_.busy_at_permille;
  const std::uint64_t extra = options_.busy_us - options_.idle_us;
  if (busy_permille_ <= from) {
    window_us_ = options_.idle_us;
  } else if (busy_permille_ >= at) {
    window_us_ = options_.busy_us;
  } else {
    window_us_ = options_.idle_us +
                 static_cast<std::uint32_t>(extra * (busy_permille_ - from) / (at - from));
  }
}

}  // namespace qfs::ledger
