// `qfs crypto`: every primitive of src/crypto on hex input with JSON output, so an auditor can
// run any outside vector set against the node's own code.
//
//   qfs crypto hash --algorithm sha256 --data 616263
//   {"algorithm":"sha256","digest":"ba7816bf..."}
//   qfs crypto eip191-recover --text "Sign this message..." --signature 0x...
//   {"address":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"}
//
// Errors print {"error":{"code":"BAD_SIGNATURE","message":"..."}} and exit 1; a failed
// verification is not an error: it prints {"valid":false,"reason":...} and exits 0.
#ifndef QFS_CLI_CRYPTO_COMMAND_H_
#define QFS_CLI_CRYPTO_COMMAND_H_

#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "codec/json.h"

namespace CLI {
class App;
}

namespace qfs::cli {

struct CryptoOption {
  std::string name;  // flag without dashes, e.g. "key"
  std::string help;
  bool required;
};

struct CryptoOperation {
  std::string name;
  std::string help;
  std::vector<CryptoOption> options;
  std::function<Result<codec::Json>(const std::map<std::string, std::string>&)> run;
};

const std::vector<CryptoOperation>& CryptoOperations();
// Runs one operation with its options as given on the command line.
Result<codec::Json> RunCrypto(const std::string& operation,
                              const std::map<std::string, std::string>& options);

void AddCryptoCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::cli

#endif  // QFS_CLI_CRYPTO_COMMAND_H_
