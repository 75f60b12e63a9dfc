// `qfs keygen --out FILE [--kind node|device] [--algorithm NAME]`: writes a new key file
// (hybrid Ed25519+ML-DSA-65 by default) with mode 0600, refusing to overwrite, and prints
// {"file","kind","algorithm","key_id","public_key"} where key_id = SHA-256(public key).
#ifndef QFS_CLI_KEYGEN_COMMAND_H_
#define QFS_CLI_KEYGEN_COMMAND_H_

namespace CLI {
class App;
}

namespace qfs::cli {
void AddKeygenCommand(CLI::App& app, int* exit_code);
}  // namespace qfs::cli

#endif  // QFS_CLI_KEYGEN_COMMAND_H_
