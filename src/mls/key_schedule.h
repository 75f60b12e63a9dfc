// The MLS key schedule (RFC 9420 section 8): the GroupContext, the secrets of an epoch, the
// pre-shared key secret (8.4) and the exporter (8.5).
#ifndef QFS_MLS_KEY_SCHEDULE_H_
#define QFS_MLS_KEY_SCHEDULE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "mls/cipher_suite.h"
#include "mls/tls_codec.h"

namespace qfs::mls {

inline constexpr std::uint16_t kProtocolVersionMls10 = 1;

struct Extension {
  std::uint16_t type = 0;
  Bytes data;
  friend bool operator==(const Extension&, const Extension&) = default;
};
void EncodeExtensions(TlsWriter& w, const std::vector<Extension>& extensions);
// Refuses a repeated extension type (RFC 9420 section 13.4).
Result<std::vector<Extension>> DecodeExtensions(TlsReader& r);

struct GroupContext {
  std::uint16_t version = kProtocolVersionMls10;
  std::uint16_t cipher_suite = 0;
  Bytes group_id;
  std::uint64_t epoch = 0;
  Bytes tree_hash;
  Bytes confirmed_transcript_hash;
  std::vector<Extension> extensions;
  friend bool operator==(const GroupContext&, const GroupContext&) = default;
};
Bytes EncodeGroupContext(const GroupContext& context);
Result<GroupContext> DecodeGroupContext(TlsReader& r);

// Everything an epoch derives from its epoch secret, plus the joiner and welcome secrets that
// lead to it.
struct EpochSecrets {
  SecretBytes joiner_secret;
  SecretBytes welcome_secret;
  SecretBytes epoch_secret;
  SecretBytes sender_data_secret;
  SecretBytes encryption_secret;
  SecretBytes exporter_secret;
  SecretBytes external_secret;
  SecretBytes confirmation_key;
  SecretBytes membership_key;
  SecretBytes resumption_psk;
  SecretBytes epoch_authenticator;
  SecretBytes init_secret;  // the next epoch's
};

// The epoch after `init_secret` (the previous epoch's), given the commit secret, the PSK secret
// (Nh zero bytes when there are none) and the new epoch's encoded GroupContext.
EpochSecrets DeriveEpochSecrets(const CipherSuite& suite, ByteSpan init_secret,
                                ByteSpan commit_secret, ByteSpan psk_secret,
                                ByteSpan group_context);
// The epoch from a joiner secret (a Welcome's receiver): the same, from the joiner secret on.
EpochSecrets DeriveEpochSecretsFromJoiner(const CipherSuite& suite, SecretBytes joiner_secret,
                                          ByteSpan psk_secret, ByteSpan group_context);

// The welcome secret alone (a joiner needs it to open the GroupInfo, before it knows the
// GroupContext the rest of the epoch derives from).
SecretBytes WelcomeSecret(const CipherSuite& suite, ByteSpan joiner_secret, ByteSpan psk_secret);

// MLS-Exporter(label, context, length) over an epoch's exporter secret.
SecretBytes MlsExport(const CipherSuite& suite, ByteSpan exporter_secret, std::string_view label,
                      ByteSpan context, std::size_t length);

// Pre-shared keys (section 8.4).
enum class PskType : std::uint8_t { kExternal = 1, kResumption = 2 };
enum class ResumptionPskUsage : std::uint8_t { kApplication = 1, kReinit = 2, kBranch = 3 };
struct PreSharedKeyId {
  PskType type = PskType::kExternal;
  Bytes psk_id;                                                 // external
  ResumptionPskUsage usage = ResumptionPskUsage::kApplication;  // resumption
  Bytes psk_group_id;                                           // resumption
  std::uint64_t psk_epoch = 0;                                  // resumption
  Bytes psk_nonce;
  friend bool operator==(const PreSharedKeyId&, const PreSharedKeyId&) = default;
};
void EncodePreSharedKeyId(TlsWriter& w, const PreSharedKeyId& id);
Result<PreSharedKeyId> DecodePreSharedKeyId(TlsReader& r);

struct PskWithSecret {
  PreSharedKeyId id;
  SecretBytes psk;
};
// psk_secret over the PSKs in order; Nh zero bytes for none.
SecretBytes PskSecret(const CipherSuite& suite, const std::vector<PskWithSecret>& psks);

}  // namespace qfs::mls

#endif  // QFS_MLS_KEY_SCHEDULE_H_
