#include "base/metrics.h"

#include "base/check.h"

namespace qfs {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Seconds(std::uint64_t us) {
  std::string frac = std::to_string(us % 1000000);
  return std::to_string(us / 1000000) + "." + std::string(6 - frac.size(), '0') + frac;
}

const std::vector<std::uint64_t> kDefaultBoundsUs = {
    50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 10000000};

// Adds a label to an already rendered set: {a="1"} + le -> {a="1",le="0.5"}.
std::string WithLabel(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"" + Escape(labels[i].second) + "\"";
  }
  return out + "}";
}

Histogram::Histogram(std::vector<std::uint64_t> bounds_us)
    : bounds_us_(std::move(bounds_us)), buckets_(bounds_us_.size() + 1) {
  for (std::size_t i = 1; i < bounds_us_.size(); ++i) QFS_CHECK(bounds_us_[i - 1] < bounds_us_[i]);
}

void Histogram::Observe(std::uint64_t value_us) {
  std::size_t i = 0;
  while (i < bounds_us_.size() && value_us > bounds_us_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(value_us, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::string Histogram::Render(const std::string& name, const std::string& labels) const {
  std::string out;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_us_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < bounds_us_.size() ? Seconds(bounds_us_[i]) : "+Inf";
    out += name + "_bucket" + WithLabel(labels, "le=\"" + le + "\"") + " " +
           std::to_string(cumulative) + "\n";
  }
  out += name + "_sum" + labels + " " + Seconds(sum_us_.load(std::memory_order_relaxed)) + "\n";
  out += name + "_count" + labels + " " + std::to_string(count_.load(std::memory_order_relaxed)) +
         "\n";
  return out;
}

Metrics::Family& Metrics::FamilyFor(const std::string& name, const char* type,
                                    const std::string& help) {
  Family& f = families_[name];
  QFS_CHECK(f.type.empty() || f.type == type);
  f.type = type;
  f.help = help;
  return f;
}

Counter& Metrics::AddCounter(const std::string& name, const std::string& help,
                             const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return FamilyFor(name, "counter", help).counters[RenderLabels(labels)];
}

Gauge& Metrics::AddGauge(const std::string& name, const std::string& help,
                         const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return FamilyFor(name, "gauge", help).gauges[RenderLabels(labels)];
}

Histogram& Metrics::AddHistogram(const std::string& name, const std::string& help,
                                 const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  return FamilyFor(name, "histogram", help)
      .histograms.try_emplace(RenderLabels(labels), kDefaultBoundsUs)
      .first->second;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, c] : f.counters) {
      out += name + labels + " " + std::to_string(c.value()) + "\n";
    }
    for (const auto& [labels, g] : f.gauges) {
      out += name + labels + " " + std::to_string(g.value()) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) out += h.Render(name, labels);
  }
  return out;
}

}  // namespace qfs
