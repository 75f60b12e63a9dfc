// `qfs tx ...`: build one operation, sign it with a key file, submit it to a node and print the
// result once the entry is durable. `qfs account show|id`: read an account, or print the
// identity of a key file. docs/cli.md has every form.
#ifndef QFS_CLI_TX_COMMAND_H_
#define QFS_CLI_TX_COMMAND_H_

namespace CLI {
class App;
}

namespace qfs::cli {

void AddTxCommand(CLI::App& app, int* exit_code);
void AddAccountCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::cli

#endif  // QFS_CLI_TX_COMMAND_H_
