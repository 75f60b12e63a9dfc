#include "cli/keygen_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "base/text_encoding.h"
#include "cli/output.h"
#include "codec/json.h"
#include "crypto/hash.h"
#include "keys/key_file.h"

namespace qfs::cli {

void AddKeygenCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("keygen", "Write a new node or device key file (mode 0600)");
  auto out = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>("node");
  auto algorithm = std::make_shared<std::string>("ed25519+ml-dsa-65");
  cmd->add_option("-o,--out", *out, "Key file to create (never overwritten)")->required();
  cmd->add_option("--kind", *kind, "node or device")->check(CLI::IsMember({"node", "device"}));
  cmd->add_option("--algorithm", *algorithm,
                  "ed25519+ml-dsa-65 (default), ed25519, ml-dsa-44, ml-dsa-65, ml-dsa-87");
  cmd->callback([out, kind, algorithm, exit_code] {
    auto fail = [&](const Status& s) {
      PrintError(s);
      *exit_code = 1;
    };
    Result<const crypto::SignatureScheme*> scheme =
        crypto::SignatureRegistry::Default().FindByName(*algorithm);
    if (!scheme.ok()) return fail(scheme.status());
    Result<keys::KeyFile> key = keys::GenerateKey(
        *kind == "device" ? keys::KeyKind::kDevice : keys::KeyKind::kNode, scheme.value()->id());
    if (!key.ok()) return fail(key.status());
    Status written = keys::WriteKeyFile(*out, key.value());
    if (!written.ok()) return fail(written);
    codec::Json info = {{"file", *out},
                        {"kind", *kind},
                        {"algorithm", std::string(scheme.value()->name())},
                        {"key_id", HexEncode(crypto::Sha256(key.value().public_key))},
                        {"public_key", HexEncode(key.value().public_key)}};
    std::cout << codec::CanonicalJson(info).value() << "\n";
    *exit_code = 0;
  });
}

}  // namespace qfs::cli
