#include "mls/state_file.h"

#include <cstring>

#include "base/check.h"
#include "base/file.h"
#include "crypto/aead.h"

namespace qfs::mls {
namespace {

constexpr char kMagic[8] = {'Q', 'F', 'S', 'M', 'L', 'S', 'S', 1};
constexpr std::size_t kNonceBytes = 12;

ByteSpan Magic() { return {reinterpret_cast<const std::uint8_t*>(kMagic), sizeof(kMagic)}; }

}  // namespace

Status WriteSealedState(const std::string& path, const SecretBytes& plaintext,
                        const SecretBytes& key, crypto::RandomSource& random) {
  QFS_CHECK(key.size() == kStorageKeyBytes);
  if (plaintext.size() + sizeof(kMagic) + kNonceBytes + crypto::kAeadTagBytes >
      kSealedStateBytesMax) {
    return Status(StatusCode::kTooLarge, "a saved state is larger than 256 MiB");
  }
  Bytes nonce(kNonceBytes);
  random.Fill(nonce);
  QFS_ASSIGN_OR_RETURN(Bytes sealed,
                       crypto::AeadSeal(crypto::AeadAlgorithm::kChaCha20Poly1305, key.span(), nonce,
                                        Magic(), plaintext.span()));
  Bytes file(Magic().begin(), Magic().end());
  file.insert(file.end(), nonce.begin(), nonce.end());
  file.insert(file.end(), sealed.begin(), sealed.end());
  return WriteFileAtomically(path, file);
}

Result<SecretBytes> ReadSealedState(const std::string& path, const SecretBytes& key) {
  QFS_CHECK(key.size() == kStorageKeyBytes);
  QFS_ASSIGN_OR_RETURN(Bytes file, ReadWholeFile(path, kSealedStateBytesMax));
  if (file.size() < sizeof(kMagic) + kNonceBytes + crypto::kAeadTagBytes ||
      std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
    return Status(StatusCode::kCorruption, path + " is not a sealed MLS state");
  }
  const ByteSpan all(file);
  Result<SecretBytes> opened = crypto::AeadOpen(
      crypto::AeadAlgorithm::kChaCha20Poly1305, key.span(),
      all.subspan(sizeof(kMagic), kNonceBytes), Magic(), all.subspan(sizeof(kMagic) + kNonceBytes));
  if (!opened.ok()) {
    return Status(StatusCode::kCorruption,
                  path + ": the sealed state does not open under this key (wrong key or damaged)");
  }
  return opened;
}

}  // namespace qfs::mls
