#include "node/node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "codec/json.h"
#include "ledger/json.h"
#include "net/http_client.h"
#include "node/openapi.h"

namespace qfs::node {
namespace {

namespace fs = std::filesystem;

class NodeTest : public ::testing::Test {
 protected:
  NodeTest()
      : dir_(fs::path(::testing::TempDir()) /
             ("qfs_node_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
  }
  ~NodeTest() override { fs::remove_all(dir_); }

  NodeOptions Options() const {
    NodeOptions o;
    o.data_dir = dir_.string();
    o.listen_port = 0;
    return o;
  }
  fs::path dir_;
};

TEST_F(NodeTest, EveryRouteIsInTheOpenApiDocumentAndViceVersa) {
  std::unique_ptr<Node> node = Node::Start(Options()).value();
  const codec::Json doc = codec::ParseJson(OpenApiDocument()).value();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(upper, path);
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : node->Routes()) served.insert(route);
  EXPECT_EQ(served, documented);
  EXPECT_GE(served.size(), 8u);
}

TEST_F(NodeTest, WebRootFilesAreServedUnderTheApiWithAStrictPolicy) {
  fs::create_directories(dir_ / "web");
  std::ofstream(dir_ / "web" / "index.html") << "<!doctype html>";
  NodeOptions options = Options();
  options.data_dir = (dir_ / "data").string();
  options.web_root = (dir_ / "web").string();
  std::unique_ptr<Node> node = Node::Start(options).value();
  const std::string base = "http://127.0.0.1:" + std::to_string(node->port());
  const net::HttpResponse index = net::HttpFetch(base, "GET", "/").value();
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(net::HttpFetch(base, "GET", "/healthz").value().content_type, "application/json");
  EXPECT_EQ(net::HttpFetch(base, "GET", "/missing.js").value().status, 404);
  node.reset();
  options.web_root = (dir_ / "no-such-dir").string();
  EXPECT_EQ(Node::Start(options).status().code(), StatusCode::kNotFound);
}

TEST_F(NodeTest, AFreshNodeCreatesItsKeyAndTheDevelopmentGenesis) {
  ledger::IdentityId identity;
  {
    std::unique_ptr<Node> node = Node::Start(Options()).value();
    identity = node->identity();
  }
  EXPECT_TRUE(fs::exists(dir_ / "node.key"));
  EXPECT_EQ(fs::status(dir_ / "node.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  // A restart keeps the key (and so the identity) and the ledger.
  std::unique_ptr<Node> node = Node::Start(Options()).value();
  EXPECT_EQ(node->identity(), identity);
}

TEST_F(NodeTest, AGenesisFileMustMatchTheLedger) {
  keys::KeyFile key =
      keys::GenerateKey(keys::KeyKind::kNode, crypto::SignatureAlgorithm::kEd25519).value();
  ledger::GenesisParams genesis = DevelopmentGenesis(key);
  genesis.network = 42;
  fs::create_directories(dir_);
  const fs::path file = dir_ / "genesis.json";
  std::ofstream(file) << codec::CanonicalJson(ledger::GenesisJson(genesis)).value();
  NodeOptions o = Options();
  o.genesis_file = file.string();
  Node::Start(o).value().reset();
  genesis.network = 43;
  std::ofstream(file) << codec::CanonicalJson(ledger::GenesisJson(genesis)).value();
  EXPECT_EQ(Node::Start(o).code(), StatusCode::kFailedPrecondition);
  std::ofstream(file) << "{\"network\":";
  EXPECT_EQ(Node::Start(o).code(), StatusCode::kParseError);
  o.genesis_file = (dir_ / "missing.json").string();
  EXPECT_EQ(Node::Start(o).code(), StatusCode::kNotFound);
  o.genesis_file.clear();
  o.node_key_file = (dir_ / "missing.key").string();
  EXPECT_EQ(Node::Start(o).code(), StatusCode::kNotFound);
}

TEST_F(NodeTest, ATornLogTailIsReportedOnStderrAndInMetrics) {
  Node::Start(Options()).value().reset();
  const fs::path segment = dir_ / "ledger" / "log" / "00000000000000000000.qlog";
  const auto size = fs::file_size(segment);
  {
    std::ofstream f(segment, std::ios::app | std::ios::binary);
    f.write("\x00\x00\x01\x00\xff\xff\xfe\xff", 8);  // a frame promising 256 bytes ...
    f.write(std::string(32, 'x').data(), 32);        // ... of which 32 follow
  }
  ::testing::internal::CaptureStderr();
  Result<std::unique_ptr<Node>> node = Node::Start(Options());
  const std::string said = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_NE(said.find("torn tail of 40 bytes at byte " + std::to_string(size) +
                      " of 00000000000000000000.qlog"),
            std::string::npos)
      << said;
  EXPECT_EQ(fs::file_size(segment), size);
  Result<net::HttpResponse> metrics =
      net::HttpFetch("http://127.0.0.1:" + std::to_string(node.value()->port()), "GET", "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_NE(metrics.value().body.find("\nqfs_ledger_torn_bytes_cut 40\n"), std::string::npos)
      << metrics.value().body;
  EXPECT_NE(metrics.value().body.find("\nqfs_ledger_torn_tails_cut 1\n"), std::string::npos);
}

}  // namespace
}  // namespace qfs::node
