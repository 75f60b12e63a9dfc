#include "cli/tx_command.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "base/limits.h"
#include "codec/json.h"
#include "keys/key_file.h"

namespace qfs::cli {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string code;     // the error's code, from the last line on stdout
  std::string message;  // and its message
};

// Runs `qfs tx ARGS...` as the command line would, against a node that is not there.
Outcome RunTxCommand(const std::vector<std::string>& args) {
  CLI::App app("qfs");
  Outcome outcome;
  AddTxCommand(app, &outcome.exit_code);
  std::vector<const char*> argv = {"qfs", "tx", "--node", "http://127.0.0.1:1", "--network", "1"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  ::testing::internal::CaptureStdout();
  app.parse(static_cast<int>(argv.size()), argv.data());
  std::istringstream out(::testing::internal::GetCapturedStdout());
  std::string line, last;
  while (std::getline(out, line)) last = line;
  const codec::Json printed = codec::ParseJson(last).value();
  if (printed.contains("error")) {
    outcome.code = printed["error"].value("code", "");
    outcome.message = printed["error"].value("message", "");
  }
  return outcome;
}

std::string KeyFileOf(crypto::SignatureAlgorithm algorithm) {
  std::string path = ::testing::TempDir() + "/tx_command_test_" + std::to_string(::getpid()) + "_" +
                     std::to_string(static_cast<int>(algorithm));
  std::filesystem::remove(path);  // WriteKeyFile never overwrites a key
  EXPECT_TRUE(
      keys::WriteKeyFile(path, keys::GenerateKey(keys::KeyKind::kDevice, algorithm).value()).ok());
  return path;
}

std::vector<std::string> Batch(const std::string& key, std::size_t legs) {
  std::vector<std::string> args = {"-k", key, "batch"};
  for (std::size_t i = 0; i < legs; ++i) {
    args.push_back("0x" + std::string(40, "0123456789abcdef"[i % 16]) + ":ATR:1");
  }
  return args;
}

// The node refuses a batch of more than 1,644 legs (MALFORMED_PACKET; docs/formats/packet.md
// works the number out), with any key — even Ed25519's, whose packet of 1,645 legs would be
// under 64 KiB: the CLI refuses it first, before it signs or asks the node anything.
TEST(TxCommand, RefusesABatchTheNodeWouldRefuseBeforeSigning) {
  ASSERT_EQ(kBatchLegsMax, 1644u);
  for (crypto::SignatureAlgorithm algorithm :
       {crypto::SignatureAlgorithm::kEd25519, crypto::SignatureAlgorithm::kMlDsa87}) {
    const std::string key = KeyFileOf(algorithm);
    const Outcome over = RunTxCommand(Batch(key, kBatchLegsMax + 1));
    EXPECT_EQ(over.exit_code, 1);
    EXPECT_EQ(over.code, "INVALID_ARGUMENT") << over.message;
    EXPECT_NE(over.message.find("1.." + std::to_string(kBatchLegsMax) + " legs"), std::string::npos)
        << over.message;
    // A full batch passes the CLI's checks: it goes on to ask the node, which is not there.
    const Outcome full = RunTxCommand(Batch(key, kBatchLegsMax));
    EXPECT_EQ(full.exit_code, 1);
    EXPECT_NE(full.code, "INVALID_ARGUMENT") << full.message;
    EXPECT_EQ(full.message.find("would refuse"), std::string::npos) << full.message;
    std::filesystem::remove(key);
  }
}

}  // namespace
}  // namespace qfs::cli
