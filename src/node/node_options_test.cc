#include "node/node_options.h"

#include <gtest/gtest.h>

#include <map>

namespace qfs::node {
namespace {

// A distinct valid value for every field.
std::map<std::string, std::string> SampleValues() {
  return {{"data_dir", "/tmp/qfs-sample"},
          {"listen_address", "0.0.0.0"},
          {"listen_port", "9191"},
          {"http_threads", "3"},
          {"http_connections_max", "77"},
          {"http_request_bytes_max", "200000"},
          {"http_idle_timeout_ms", "1234"},
          {"http_requests_per_second_per_client", "9"},
          {"http_trusted_proxies", "10.0.0.0/8, ::1"},
          {"http_forwarded_header", "forwarded"},
          {"tls_certificate_file", "/tmp/cert.pem"},
          {"tls_key_file", "/tmp/key.pem"},
          {"web_root", "/tmp/web"},
          {"log_level", "debug"},
          {"node_key_file", "/tmp/qfs-sample.key"},
          {"genesis_file", "/tmp/genesis.json"},
          {"ledger_checkpoint_interval", "500"},
          {"ledger_commit_batch_max", "64"},
          {"ledger_commit_window_us", "250"},
          {"ledger_commit_window_busy_us", "2500"},
          {"ledger_queue_max", "1000"},
          {"ledger_segment_mib", "8"},
          {"ledger_snapshot_interval", "2000"}};
}

TEST(NodeOptions, EveryFieldHasASampleValue) {
  EXPECT_EQ(NodeOptionFields().size(), SampleValues().size());
}

TEST(NodeOptions, ConfigFileSetsEveryField) {
  std::string text = "# comment\n\n";
  for (const auto& [k, v] : SampleValues()) text += k + " = \"" + v + "\"  # trailing\n";
  NodeOptions o;
  ASSERT_TRUE(ApplyConfigText(text, "test.conf", &o).ok());
  for (const NodeOptionField& f : NodeOptionFields()) EXPECT_EQ(f.get(o), SampleValues()[f.key]);
  EXPECT_TRUE(Validate(o).ok());
}

TEST(NodeOptions, EnvironmentSetsEveryField) {
  std::map<std::string, std::string> env;
  for (const NodeOptionField& f : NodeOptionFields()) env[f.env] = SampleValues()[f.key];
  NodeOptions o;
  ASSERT_TRUE(ApplyEnvironment(
                  [&](const char* name) -> const char* {
                    auto it = env.find(name);
                    return it == env.end() ? nullptr : it->second.c_str();
                  },
                  &o)
                  .ok());
  for (const NodeOptionField& f : NodeOptionFields()) EXPECT_EQ(f.get(o), SampleValues()[f.key]);
  EXPECT_EQ(env.count("QFS_LISTEN_PORT"), 1u);
}

TEST(NodeOptions, ErrorsNameTheLine) {
  NodeOptions o;
  Status s = ApplyConfigText("listen_port = 1\nbogus = 2\n", "a.conf", &o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "a.conf:2: unknown option 'bogus'");
  s = ApplyConfigText("listen_port = x\n", "a.conf", &o);
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  EXPECT_EQ(ApplyConfigText("just words\n", "a.conf", &o).code(), StatusCode::kParseError);
  EXPECT_EQ(ApplyConfigFile("/nonexistent/qfs.conf", &o).code(), StatusCode::kNotFound);
}

TEST(NodeOptions, ValidateChecksRanges) {
  NodeOptions o;
  EXPECT_TRUE(Validate(o).ok());
  o.listen_port = 70000;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  o = NodeOptions();
  o.log_level = "loud";
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  o = NodeOptions();
  o.http_threads = 0;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  o = NodeOptions();
  o.http_trusted_proxies = "10.0.0.0/8, not-an-address";
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  EXPECT_NE(Validate(o).message().find("not-an-address"), std::string::npos);
  o = NodeOptions();
  o.http_forwarded_header = "x-real-ip";
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o = NodeOptions();
  o.tls_certificate_file = "/tmp/cert.pem";  // without its key
  EXPECT_EQ(Validate(o).code(), StatusCode::kInvalidArgument);
  o = NodeOptions();
  o.ledger_commit_batch_max = 0;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  o = NodeOptions();
  o.ledger_commit_window_us = 100'001;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  o = NodeOptions();
  o.ledger_commit_window_busy_us = 100'001;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  o = NodeOptions();
  o.ledger_segment_mib = 5000;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  // A request body too small for the largest packet, hex-encoded, would refuse packets the
  // ledger accepts.
  o = NodeOptions();
  o.http_request_bytes_max = 2 * kPacketBytesMax;
  EXPECT_EQ(Validate(o).code(), StatusCode::kOutOfRange);
  EXPECT_NE(Validate(o).message().find("http_request_bytes_max must be 132096.."),
            std::string::npos)
      << Validate(o).message();
  o.http_request_bytes_max = kNodeHttpRequestBytesMin;
  EXPECT_TRUE(Validate(o).ok());
}

}  // namespace
}  // namespace qfs::node
