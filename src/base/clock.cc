#include "base/clock.h"

#include <chrono>

namespace qfs {

std::uint64_t SystemClock::NowMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace qfs
