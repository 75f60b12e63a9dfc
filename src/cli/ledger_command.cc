#include "cli/ledger_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "base/text_encoding.h"
#include "codec/json.h"
#include "ledger/audit.h"

namespace qfs::cli {
namespace {

void PrintError(const Status& s) {
  codec::Json e = {
      {"error", {{"code", std::string(StatusCodeName(s.code()))}, {"message", s.message()}}}};
  std::cout << codec::CanonicalJson(e).value() << "\n";
}

// A one-line bar on stderr, only for a terminal (logs and pipes stay clean).
void ShowProgress(std::uint64_t done, std::uint64_t total) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (!tty || total == 0) return;
  const std::uint64_t width = 40, filled = width * done / total;
  std::fprintf(stderr, "\rverify [%s%s] %llu/%llu entries", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total));
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace

void AddLedgerCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("ledger", "Audit a ledger directory (read-only)");
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
                       {"halted", v.halted}};
    std::cout << codec::CanonicalJson(out).value() << "\n";
    *exit_code = 0;
  });

  CLI::App* exp = cmd->add_subcommand("export", "Write the log as canonical JSONL to stdout");
  exp->add_option("DIR", *dir, "Ledger directory (DATA_DIR/ledger)")->required();
  exp->callback([dir, exit_code] {
    Status s = ledger::ExportLedger(*dir, std::cout);
    if (!s.ok()) PrintError(s);
    *exit_code = s.ok() ? 0 : 1;
  });
}

}  // namespace qfs::cli
