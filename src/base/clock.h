// Where node time comes from: an interface, so tests and the simulator can drive time, and so
// that code under the determinism rules (src/ledger) never reads a clock itself.
//
//   SystemClock clock;
//   std::uint64_t now = clock.NowMicros();
//
// Thread safety: implementations are safe to call from any thread.
#ifndef QFS_BASE_CLOCK_H_
#define QFS_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace qfs {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC).
  virtual std::uint64_t NowMicros() = 0;
  // Microseconds on a clock that never goes backwards (any epoch), for intervals: the group-
  // commit window. The machine's steady clock unless a simulator says otherwise.
  virtual std::uint64_t MonotonicMicros();
  // CPU time every thread of this process has used (ProcessCpuMicros unless overridden).
  virtual std::uint64_t CpuMicros();
};

// The machine's real-time clock.
class SystemClock final : public Clock {
 public:
  std::uint64_t NowMicros() override;
};

// A clock whose node time moves only when told to; for tests. Its monotonic and CPU times are
// the machine's (a simulator overrides those too).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::uint64_t start_us) : now_us_(start_us) {}
  std::uint64_t NowMicros() override { return now_us_.load(); }
  void Advance(std::uint64_t us) { now_us_ += us; }

 private:
  std::atomic<std::uint64_t> now_us_;
};

// CPU time every thread of this process has used, user and system, in microseconds (monotonic).
std::uint64_t ProcessCpuMicros();
// The cores this process may run on (its affinity mask); at least 1.
std::uint32_t UsableCores();

}  // namespace qfs

#endif  // QFS_BASE_CLOCK_H_
