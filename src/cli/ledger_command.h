// `qfs ledger`: the auditor's commands, read-only on a ledger directory (DATA_DIR/ledger).
//
//   qfs ledger verify DIR    replays from genesis with every check; prints a JSON report, or
//                            the first bad entry ({"error":{"code":"CORRUPTION",...}}, exit 1).
//                            A progress bar goes to stderr when it is a terminal.
//   qfs ledger export DIR    writes the log as canonical JSONL to stdout.
//   qfs ledger proof DIR N   inclusion proof of entry N against the first signed tree head
//                            (checkpoint) that covers it; --from A --to B: consistency proof.
//   qfs ledger check-proof FILE [--public-key HEX]   verifies a proof document: the heads'
//                            signatures (pinned to the node key if given) and the proof.
#ifndef QFS_CLI_LEDGER_COMMAND_H_
#define QFS_CLI_LEDGER_COMMAND_H_

namespace CLI {
class App;
}

namespace qfs::cli {

void AddLedgerCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::cli

#endif  // QFS_CLI_LEDGER_COMMAND_H_
