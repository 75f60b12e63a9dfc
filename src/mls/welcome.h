// Joining a group (RFC 9420 section 12.4.3): GroupInfo (signed by a member), GroupSecrets (the
// joiner secret, and a path secret when the joiner sits under the committer's path), and the
// Welcome that carries the GroupSecrets to each new member, sealed to its KeyPackage's init key,
// beside one GroupInfo encrypted under the welcome secret.
//
//   // A new member, holding the private init key of `kp`:
//   QFS_ASSIGN_OR_RETURN(GroupSecrets gs, OpenGroupSecrets(suite, welcome, kp, init_private_key));
//   QFS_ASSIGN_OR_RETURN(GroupInfo info, DecryptGroupInfo(suite, welcome,
//                                                         gs.joiner_secret.span(), psk_secret));
//   QFS_RETURN_IF_ERROR(VerifyGroupInfo(suite, info, signer_public_key));
#ifndef QFS_MLS_WELCOME_H_
#define QFS_MLS_WELCOME_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"
#include "mls/cipher_suite.h"
#include "mls/key_schedule.h"
#include "mls/messages.h"
#include "mls/tls_codec.h"

namespace qfs::mls {

struct GroupInfo {
  GroupContext group_context;
  std::vector<Extension> extensions;  // e.g. ratchet_tree, external_pub
  Bytes confirmation_tag;
  std::uint32_t signer = 0;  // leaf index
  Bytes signature;
};
void EncodeGroupInfo(TlsWriter& w, const GroupInfo& info);
Result<GroupInfo> DecodeGroupInfo(TlsReader& r);
// GroupInfoTBS: everything but the signature.
Bytes GroupInfoTbs(const GroupInfo& info);
Status SignGroupInfo(const CipherSuite& suite, GroupInfo& info, const SecretBytes& signature_key);
// BAD_SIGNATURE unless the signature verifies under the signer's key.
Status VerifyGroupInfo(const CipherSuite& suite, const GroupInfo& info, ByteSpan signer_key);

struct GroupSecrets {
  SecretBytes joiner_secret;
  std::optional<SecretBytes> path_secret;
  std::vector<PreSharedKeyId> psks;
};
void EncodeGroupSecrets(TlsWriter& w, const GroupSecrets& secrets);
Result<GroupSecrets> DecodeGroupSecrets(TlsReader& r);

struct EncryptedGroupSecrets {
  Bytes new_member;  // KeyPackageRef
  HpkeCiphertext encrypted_group_secrets;
};

struct Welcome {
  std::uint16_t cipher_suite = 0;
  std::vector<EncryptedGroupSecrets> secrets;
  Bytes encrypted_group_info;
};
void EncodeWelcome(TlsWriter& w, const Welcome& welcome);
Result<Welcome> DecodeWelcome(TlsReader& r);

// RefHash("MLS 1.0 KeyPackage Reference", KeyPackage).
Bytes KeyPackageRef(const CipherSuite& suite, const KeyPackage& kp);

// The key and nonce that seal a Welcome's GroupInfo, from the welcome secret.
struct WelcomeKey {
  SecretBytes key;
  SecretBytes nonce;
};
WelcomeKey WelcomeKeyFor(const CipherSuite& suite, ByteSpan welcome_secret);

// The committer's side: the GroupInfo (signed) sealed under the welcome secret of
// `joiner_secret` and `psk_secret`, and for each new member its GroupSecrets (the joiner
// secret, its path secret if any, the PSKs) sealed to its KeyPackage's init key.
struct NewMember {
  const KeyPackage* key_package = nullptr;
  const SecretBytes* path_secret = nullptr;  // the secret of its lowest common ancestor, if any
};
Result<Welcome> SealWelcome(const CipherSuite& suite, const GroupInfo& info,
                            const SecretBytes& joiner_secret,
                            const std::vector<PreSharedKeyId>& psks, ByteSpan psk_secret,
                            const std::vector<NewMember>& members, crypto::RandomSource& random);

// The new member's two steps. First its GroupSecrets: finds the entry for `kp` and opens it
// with the KeyPackage's private init key. Errors: INVALID_ARGUMENT (another suite, no entry
// for the KeyPackage), AUTHENTICATION_FAILED, the codec's.
Result<GroupSecrets> OpenGroupSecrets(const CipherSuite& suite, const Welcome& welcome,
                                      const KeyPackage& kp, const SecretBytes& init_private_key);
// Then, with the PSK secret of the PSKs those secrets name (PskSecret; Nh zero bytes for none),
// the GroupInfo — decrypted, not yet verified (VerifyGroupInfo). Errors: AUTHENTICATION_FAILED,
// the codec's, INVALID_ARGUMENT for a GroupInfo of another suite.
Result<GroupInfo> DecryptGroupInfo(const CipherSuite& suite, const Welcome& welcome,
                                   ByteSpan joiner_secret, ByteSpan psk_secret);

}  // namespace qfs::mls

#endif  // QFS_MLS_WELCOME_H_
