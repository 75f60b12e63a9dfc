#include "base/metrics.h"

#include <gtest/gtest.h>

namespace qfs {
namespace {

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.AddCounter("qfs_requests_total", "Requests", {{"code", "200"}}).Increment(3);
  m.AddCounter("qfs_requests_total", "Requests", {{"code", "404"}}).Increment();
  m.AddGauge("qfs_up", "Up").Set(1);
  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE qfs_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("qfs_requests_total{code=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("qfs_requests_total{code=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("qfs_up 1\n"), std::string::npos);
}

TEST(Metrics, SameNameAndLabelsIsOneCounter) {
  Metrics m;
  m.AddCounter("c_total", "c").Increment();
  m.AddCounter("c_total", "c").Increment();
  EXPECT_EQ(m.AddCounter("c_total", "c").value(), 2u);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics m;
  Histogram& h = m.AddHistogram("lat_seconds", "latency");
  h.Observe(40);        // <= 50us
  h.Observe(700);       // <= 1ms
  h.Observe(20000000);  // +Inf
  std::string text = m.Render();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.000050\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.001000\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum 20.000740\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(RenderLabels({{"a", "x\"y\\z"}}), "{a=\"x\\\"y\\\\z\"}");
}

}  // namespace
}  // namespace qfs
