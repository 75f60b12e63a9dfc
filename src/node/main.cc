// qfs: the single QFS binary. Each subcommand lives in its module; this file only wires them.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/crypto_command.h"
#include "cli/keygen_command.h"
#include "cli/ledger_command.h"
#include "cli/math_command.h"
#include "cli/mls_command.h"
#include "cli/tx_command.h"
#include "node/node.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"QFS: the ATLAS backend: signed ledger, messaging and storage node", "qfs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("qfs ") + qfs::node::kVersion);
  int exit_code = 0;
  qfs::node::AddNodeCommand(app, &exit_code);
  qfs::cli::AddMathCommand(app, &exit_code);
  qfs::cli::AddCryptoCommand(app, &exit_code);
  qfs::cli::AddKeygenCommand(app, &exit_code);
  qfs::cli::AddLedgerCommand(app, &exit_code);
  qfs::cli::AddTxCommand(app, &exit_code);
  qfs::cli::AddAccountCommand(app, &exit_code);
  qfs::cli::AddMlsCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qfs: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "qfs: unknown exception\n");
  }
  return 1;
}
