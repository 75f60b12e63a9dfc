#include "node/node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "codec/json.h"
#include "ledger/json.h"
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
  cli::KeyFile key =
      cli::GenerateKey(cli::KeyKind::kNode, crypto::SignatureAlgorithm::kEd25519).value();
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

}  // namespace
}  // namespace qfs::node
