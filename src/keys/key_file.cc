#include "keys/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/limits.h"
#include "codec/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace qfs::keys {
namespace {

constexpr char kMagic[] = "QFSKEY";
constexpr std::uint8_t kVersion = 1;

Status IoError(const std::string& what, const std::string& path) {
  return Status(StatusCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Bytes EncodeKeyFile(const KeyFile& key) {
  codec::Writer w;
  w.FixedBytes(crypto::AsBytes(std::string_view(kMagic, 6)));
  w.U8(kVersion);
  w.U8(static_cast<std::uint8_t>(key.kind));
  w.U16(static_cast<std::uint16_t>(key.algorithm));
  w.LengthPrefixedBytes(key.public_key);
  w.LengthPrefixedBytes(key.secret_key.span());
  crypto::Digest32 checksum = crypto::Sha256(w.bytes());
  w.FixedBytes(checksum);
  return w.Take();
}

Result<KeyFile> DecodeKeyFile(ByteSpan bytes) {
  if (bytes.size() < 32 + 6) return Status(StatusCode::kTruncated, "key file too short");
  ByteSpan body = bytes.first(bytes.size() - 32);
  crypto::Digest32 checksum = crypto::Sha256(body);
  if (!ConstantTimeEqual(checksum, bytes.last(32))) {
    return Status(StatusCode::kCorruption, "key file checksum does not match");
  }
  codec::Reader r(body);
  QFS_ASSIGN_OR_RETURN(Bytes magic, r.FixedBytes(6));
  if (std::string(magic.begin(), magic.end()) != "QFSKEY") {
    return Status(StatusCode::kParseError, "not a QFS key file");
  }
  QFS_ASSIGN_OR_RETURN(std::uint8_t version, r.U8());
  if (version != kVersion) {
    return Status(StatusCode::kParseError, "key file version " + std::to_string(version));
  }
  KeyFile key;
  QFS_ASSIGN_OR_RETURN(std::uint8_t kind, r.U8());
  if (kind != 1 && kind != 2) return Status(StatusCode::kParseError, "unknown key kind");
  key.kind = static_cast<KeyKind>(kind);
  QFS_ASSIGN_OR_RETURN(std::uint16_t algorithm, r.U16());
  QFS_ASSIGN_OR_RETURN(const crypto::SignatureScheme* scheme,
                       crypto::SignatureRegistry::Default().Find(algorithm));
  key.algorithm = scheme->id();
  QFS_ASSIGN_OR_RETURN(key.public_key, r.LengthPrefixedBytes(kKeyFileBytesMax));
  QFS_ASSIGN_OR_RETURN(Bytes secret, r.LengthPrefixedBytes(kKeyFileBytesMax));
  key.secret_key = SecretBytes(secret);
  SecureWipe(secret.data(), secret.size());
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  if (key.public_key.size() != scheme->public_key_bytes()) {
    return Status(StatusCode::kBadKey, "public key size does not match the algorithm");
  }
  return key;
}

Status WriteKeyFile(const std::string& path, const KeyFile& key) {
  Bytes encoded = EncodeKeyFile(key);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status(StatusCode::kAlreadyExists, path + " exists; refusing to overwrite a key");
    }
    return IoError("cannot create", path);
  }
  std::size_t done = 0;
  while (done < encoded.size()) {
    ssize_t n = ::write(fd, encoded.data() + done, encoded.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = IoError("cannot write", path);
      ::close(fd);
      ::unlink(path.c_str());
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  SecureWipe(encoded.data(), encoded.size());
  if (::fsync(fd) != 0) {
    Status s = IoError("cannot sync", path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return IoError("cannot close", path);
  return OkStatus();
}

Result<KeyFile> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? Status(StatusCode::kNotFound, "no key file " + path)
                           : IoError("cannot open", path);
  }
  SecretBytes contents(kKeyFileBytesMax + 1);
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::read(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return IoError("cannot read", path);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (done > kKeyFileBytesMax) return Status(StatusCode::kTooLarge, path + " is too large");
  return DecodeKeyFile(contents.span().first(done));
}

Result<KeyFile> GenerateKey(KeyKind kind, crypto::SignatureAlgorithm algorithm) {
  QFS_ASSIGN_OR_RETURN(const crypto::SignatureScheme* scheme,
                       crypto::SignatureRegistry::Default().Find(algorithm));
  SecretBytes seed = crypto::RandomSecret(crypto::SystemRandom(), scheme->seed_bytes());
  QFS_ASSIGN_OR_RETURN(crypto::SignatureKeyPair kp, scheme->KeyPairFromSeed(seed.span()));
  return KeyFile{kind, algorithm, std::move(kp.public_key), std::move(kp.secret_key)};
}

}  // namespace qfs::keys
