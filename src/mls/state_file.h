// Saved MLS state encrypted at rest (docs/formats/mls-state.md): ChaCha20-Poly1305 under a
// 32-byte storage key the application keeps (a key file, the OS keystore), a fresh random nonce
// per write, written atomically (base/file.h), so that a crash leaves the previous state or the
// new one and a reader never sees a mix.
//
//   QFS_RETURN_IF_ERROR(WriteSealedState(path, group.Save(), storage_key, random));
//   QFS_ASSIGN_OR_RETURN(SecretBytes saved, ReadSealedState(path, storage_key));
//   QFS_ASSIGN_OR_RETURN(Group group, Group::Load(saved.span()));
#ifndef QFS_MLS_STATE_FILE_H_
#define QFS_MLS_STATE_FILE_H_

#include <string>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "crypto/random.h"

namespace qfs::mls {

inline constexpr std::size_t kStorageKeyBytes = 32;
using qfs::kSealedStateBytesMax;  // base/limits.h

// REQUIRES: key.size() == kStorageKeyBytes (checked). IO_ERROR, or TOO_LARGE beyond
// kSealedStateBytesMax; the old file is then untouched.
Status WriteSealedState(const std::string& path, const SecretBytes& plaintext,
                        const SecretBytes& key, crypto::RandomSource& random);
// NOT_FOUND, IO_ERROR, TOO_LARGE; CORRUPTION for a file that is not a sealed state, or whose
// tag does not verify under `key` (a wrong key or a damaged file: either way nothing is used).
Result<SecretBytes> ReadSealedState(const std::string& path, const SecretBytes& key);

}  // namespace qfs::mls

#endif  // QFS_MLS_STATE_FILE_H_
