#include "cli/ledger_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/clock.h"
#include "base/limits.h"
#include "base/strings.h"
#include "base/text_encoding.h"
#include "cli/input.h"
#include "cli/output.h"
#include "codec/json.h"
#include "keys/key_file.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"

namespace qfs::cli {
namespace {

// A one-line bar on stderr, only for a terminal (logs and pipes stay clean).
void ShowProgress(std::uint64_t done, std::uint64_t total) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (!tty || total == 0) return;
  const std::uint64_t width = 40, filled = width * done / total;
  std::fprintf(stderr, "\rverify [%s%s] %llu/%llu MiB", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(),
               static_cast<unsigned long long>(done >> 20),
               static_cast<unsigned long long>(total >> 20));
  if (done == total) std::fprintf(stderr, "\n");
}

Result<ledger::LedgerHead> ResumeLedger(const std::string& dir, const std::string& key_file,
                                        const std::string& reason) {
  if (reason.empty() || reason.size() > kHaltReasonBytesMax || !IsValidUtf8(reason)) {
    return Status(StatusCode::kInvalidArgument, "--reason must be UTF-8 text of 1.." +
                                                    std::to_string(kHaltReasonBytesMax) + " bytes");
  }
  QFS_ASSIGN_OR_RETURN(keys::KeyFile key, keys::ReadKeyFile(key_file));
  QFS_ASSIGN_OR_RETURN(const crypto::SignatureScheme* scheme,
                       crypto::SignatureRegistry::Default().Find(key.algorithm));
  if (!std::filesystem::is_directory(dir + "/log")) {
    return Status(StatusCode::kNotFound, "no ledger in " + dir);
  }
  SystemClock clock;
  ledger::LedgerOptions options;
  options.directory = dir;  // the genesis is the logged one
  options.clock = &clock;
  options.node_scheme = scheme;
  options.node_secret_key = &key.secret_key;
  options.node_public_key = key.public_key;
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> opened, ledger::Ledger::Open(options));
  QFS_RETURN_IF_ERROR(opened->Resume(reason));
  return opened->Head();
}

}  // namespace

void AddLedgerCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "ledger", "Audit a ledger directory (read-only), or resume it after a CIR-302 halt");
  cmd->require_subcommand(1);
  auto dir = std::make_shared<std::string>();

  CLI::App* verify = cmd->add_subcommand("verify", "Replay from genesis and check everything");
  verify->add_option("DIR", *dir, "Ledger directory (DATA_DIR/ledger)")->required();
  verify->callback([dir, exit_code] {
    Result<ledger::VerifyReport> r = ledger::VerifyLedger(*dir, ShowProgress);
    if (!r.ok()) {
      PrintError(r.status());
      *exit_code = 1;
      return;
    }
    const ledger::VerifyReport& v = r.value();
    codec::Json out = {{"valid", true},
                       {"entries", std::to_string(v.entries)},
                       {"packets", std::to_string(v.packets)},
                       {"checkpoints", std::to_string(v.checkpoints)},
                       {"tree_root", HexEncode(v.tree_root)},
                       {"state_root", HexEncode(v.state_root)},
                       {"torn_tail_bytes", std::to_string(v.torn_bytes)},
                       {"torn_tails_cut", std::to_string(v.torn_tails_cut)},
                       {"torn_bytes_cut", std::to_string(v.torn_bytes_cut)},
                       {"halted", v.halted}};
    std::cout << codec::CanonicalJson(out).value() << "\n";
    *exit_code = 0;
  });

  auto index = std::make_shared<std::uint64_t>(0);
  auto from = std::make_shared<std::uint64_t>(0);
  auto to = std::make_shared<std::uint64_t>(0);
  CLI::App* proof = cmd->add_subcommand(
      "proof", "Inclusion proof of entry N (or --from A --to B: consistency of two heads)");
  proof->add_option("DIR", *dir, "Ledger directory (DATA_DIR/ledger)")->required();
  CLI::Option* n = proof->add_option("N", *index, "Entry index");
  CLI::Option* a = proof->add_option("--from", *from, "Tree size of the first signed head");
  CLI::Option* b = proof->add_option("--to", *to, "Tree size of the second signed head");
  a->needs(b);
  b->needs(a);
  n->excludes(a);
  proof->callback([dir, index, from, to, n, exit_code] {
    Result<codec::Json> doc = n->count() > 0 ? ledger::InclusionProofJson(*dir, *index)
                                             : ledger::ConsistencyProofJson(*dir, *from, *to);
    if (!doc.ok()) {
      PrintError(doc.status());
      *exit_code = 1;
      return;
    }
    std::cout << codec::CanonicalJson(doc.value()).value() << "\n";
    *exit_code = 0;
  });

  auto file = std::make_shared<std::string>();
  auto pinned = std::make_shared<std::string>();
  CLI::App* check = cmd->add_subcommand("check-proof", "Verify a proof from `qfs ledger proof`");
  check->add_option("FILE", *file, "Proof document, - for stdin")->required();
  check->add_option("--public-key", *pinned, "hex: require heads signed by this node key");
  check->callback([file, pinned, exit_code] {
    Result<std::string> text = ReadTextInput(*file, kJsonTextBytesMax, "the proof document");
    Result<codec::Json> doc =
        text.ok() ? codec::ParseJson(text.value()) : Result<codec::Json>(text.status());
    Result<Bytes> key = HexDecode(*pinned);
    if (!doc.ok() || !key.ok()) {
      PrintError(!doc.ok() ? doc.status() : key.status());
      *exit_code = 1;
      return;
    }
    Status verdict = ledger::CheckProof(doc.value(), key.value());
    codec::Json out = {{"valid", verdict.ok()}};
    if (!verdict.ok()) out["reason"] = verdict.message();
    std::cout << codec::CanonicalJson(out).value() << "\n";
    *exit_code = verdict.ok() ? 0 : 1;
  });

  CLI::App* exp = cmd->add_subcommand("export", "Write the log as canonical JSONL to stdout");
  exp->add_option("DIR", *dir, "Ledger directory (DATA_DIR/ledger)")->required();
  exp->callback([dir, exit_code] {
    Status s = ledger::ExportLedger(*dir, std::cout);
    if (!s.ok()) PrintError(s);
    *exit_code = s.ok() ? 0 : 1;
  });

  auto key_file = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  CLI::App* resume = cmd->add_subcommand(
      "resume", "Lift a CIR-302 halt once its cause is repaired (node stopped; signs a record)");
  resume->add_option("DIR", *dir, "Ledger directory (DATA_DIR/ledger)")->required();
  resume->add_option("-k,--key", *key_file, "The node key file")->required();
  resume->add_option("--reason", *reason, "What the operator repaired (logged)")->required();
  resume->callback([dir, key_file, reason, exit_code] {
    Result<ledger::LedgerHead> head = ResumeLedger(*dir, *key_file, *reason);
    if (!head.ok()) {
      PrintError(head.status());
      *exit_code = 1;
      return;
    }
    const codec::Json out = {{"resumed", true}, {"entries", std::to_string(head.value().size)}};
    std::cout << codec::CanonicalJson(out).value() << "\n";
    *exit_code = 0;
  });
}

}  // namespace qfs::cli
