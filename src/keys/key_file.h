// Node and device key files (docs/formats/pqc.md): the algorithm id, the public key and the
// secret key in the canonical encoding, with a SHA-256 checksum. Written with mode 0600, never
// over an existing file, and fsynced before success is reported. The node reads (or creates) its
// key here; the CLI's `keygen`, `tx`, `account id` and `ledger resume` write or read them.
#ifndef QFS_KEYS_KEY_FILE_H_
#define QFS_KEYS_KEY_FILE_H_

#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signature.h"

namespace qfs::keys {

enum class KeyKind : std::uint8_t { kNode = 1, kDevice = 2 };

struct KeyFile {
  KeyKind kind = KeyKind::kNode;
  crypto::SignatureAlgorithm algorithm = crypto::SignatureAlgorithm::kEd25519MlDsa65;
  Bytes public_key;
  SecretBytes secret_key;
};

Bytes EncodeKeyFile(const KeyFile& key);
// CORRUPTION for a bad checksum; PARSE_ERROR / TRUNCATED / TRAILING_BYTES for a malformed file;
// UNKNOWN_ALGORITHM for an unregistered algorithm; BAD_KEY if a key has the wrong size.
Result<KeyFile> DecodeKeyFile(ByteSpan bytes);

// ALREADY_EXISTS if `path` exists (nothing is touched); IO_ERROR otherwise on failure.
Status WriteKeyFile(const std::string& path, const KeyFile& key);
Result<KeyFile> ReadKeyFile(const std::string& path);

// A fresh key pair of `algorithm` from the system CSPRNG.
Result<KeyFile> GenerateKey(KeyKind kind, crypto::SignatureAlgorithm algorithm);

}  // namespace qfs::keys

#endif  // QFS_KEYS_KEY_FILE_H_
