// Process metrics rendered in the Prometheus text exposition format (version 0.0.4).
//
// Counters and histograms are registered once by name (with a fixed label set) and updated
// lock-free. Registration after start-up is allowed but takes a lock. Names follow Prometheus
// conventions: `qfs_` prefix, unit suffix (`_seconds`, `_bytes`), `_total` for counters.
//
//   Metrics m;
//   Counter& requests = m.AddCounter("qfs_http_requests_total", "HTTP requests", {{"code",
//   "200"}}); requests.Increment(); std::string text = m.Render();
//
// Thread safety: all methods are thread-safe.
#ifndef QFS_BASE_METRICS_H_
#define QFS_BASE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace qfs {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(std::int64_t by) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Observations in microseconds, rendered in seconds. Bucket bounds are fixed at creation.
class Histogram {
 public:
  explicit Histogram(std::vector<std::uint64_t> bounds_us);
  void Observe(std::uint64_t value_us);
  std::string Render(const std::string& name, const std::string& labels) const;

 private:
  std::vector<std::uint64_t> bounds_us_;
  std::deque<std::atomic<std::uint64_t>> buckets_;  // one per bound, plus +Inf
  std::atomic<std::uint64_t> sum_us_{0};
  std::atomic<std::uint64_t> count_{0};
};

class Metrics {
 public:
  // Returns the existing metric if the same name and labels were registered before.
  Counter& AddCounter(const std::string& name, const std::string& help,
                      const MetricLabels& labels = {});
  Gauge& AddGauge(const std::string& name, const std::string& help,
                  const MetricLabels& labels = {});
  // Default bounds: 50us .. 10s.
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          const MetricLabels& labels = {});
  std::string Render() const;

 private:
  struct Family;
  // The family `name`, created with `type` if new. REQUIRES: mu_ held; an existing family has
  // the same type.
  Family& FamilyFor(const std::string& name, const char* type, const std::string& help);

  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, Counter> counters;  // by rendered label set
    std::map<std::string, Gauge> gauges;
    std::map<std::string, Histogram> histograms;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// {a="1",b="2"} with escaping, or "" for no labels.
std::string RenderLabels(const MetricLabels& labels);

}  // namespace qfs

#endif  // QFS_BASE_METRICS_H_
