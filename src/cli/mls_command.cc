#include "cli/mls_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "base/limits.h"
#include "cli/input.h"
#include "cli/mls_client.h"
#include "cli/output.h"
#include "codec/json.h"
#include "mls/vectors.h"

namespace qfs::cli {

Result<std::size_t> RunMlsVectorFile(const std::string& file, bool json, std::ostream& out) {
  QFS_ASSIGN_OR_RETURN(std::string text, ReadTextInput(file, kJsonTextBytesMax, file));
  QFS_ASSIGN_OR_RETURN(mls::VectorReport report, mls::RunVectors(text));
  if (json) {
    codec::Json cases = codec::Json::array();
    for (const mls::CaseResult& c : report.cases) {
      codec::Json one = {{"case", c.index},
                         {"outcome", std::string(mls::CaseOutcomeName(c.outcome))}};
      if (!c.detail.empty()) one["detail"] = c.detail;
      cases.push_back(std::move(one));
    }
    const codec::Json doc = {{"file", file},
                             {"kind", report.kind},
                             {"passed", report.passed},
                             {"failed", report.failed},
                             {"skipped", report.skipped},
                             {"cases", cases}};
    out << codec::CanonicalJson(doc).value() << "\n";
    return report.failed;
  }
  for (const mls::CaseResult& c : report.cases) {
    out << file << " case " << c.index << ": " << mls::CaseOutcomeName(c.outcome);
    if (!c.detail.empty()) out << ": " << c.detail;
    out << "\n";
  }
  out << file << " (" << report.kind << "): " << report.passed << " passed, " << report.failed
      << " failed, " << report.skipped << " skipped\n";
  return report.failed;
}

void AddMlsCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("mls", "MLS (RFC 9420) client library");
  cmd->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  CLI::App* vectors =
      cmd->add_subcommand("vectors", "Run MLS test-vector files (mls-implementations format)");
  vectors->add_option("FILE", *files, "Vector files")->required();
  vectors->add_flag("--json", *json, "One JSON report per file");
  vectors->callback([files, json, exit_code] {
    *exit_code = 0;
    for (const std::string& file : *files) {
      Result<std::size_t> failed = RunMlsVectorFile(file, *json, std::cout);
      if (!failed.ok()) {
        PrintError(Status(failed.status().code(), file + ": " + failed.status().message()));
        *exit_code = 1;
      } else if (failed.value() > 0) {
        *exit_code = 1;
      }
    }
  });

  auto identity = std::make_shared<std::string>();
  auto suite = std::make_shared<std::uint16_t>(1);
  CLI::App* client = cmd->add_subcommand(
      "client",
      "One MLS member driven by JSON lines on stdin/stdout (docs/protocol/mls-client.md)");
  client->add_option("--identity", *identity, "The basic credential's identity")->required();
  client->add_option("--suite", *suite, "Cipher suite: 1 or 3")->capture_default_str();
  auto state = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  client->add_option("--state", *state, "Keep the state in this file, sealed, across runs");
  client->add_option("--state-key-file", *key,
                     "The storage key (64 hex digits; made, mode 0600, if missing)");
  client->callback([identity, suite, state, key, exit_code] {
    *exit_code = RunMlsClient(*suite, *identity, *state, *key);
  });
}

}  // namespace qfs::cli
