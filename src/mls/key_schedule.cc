#include "mls/key_schedule.h"

#include <set>
#include <string>

#include "base/check.h"
#include "crypto/hash.h"

namespace qfs::mls {

void EncodeExtensions(TlsWriter& w, const std::vector<Extension>& extensions) {
  w.Vector([&](TlsWriter& items) {
    for (const Extension& e : extensions) {
      items.U16(e.type);
      items.Opaque(e.data);
    }
  });
}

Result<std::vector<Extension>> DecodeExtensions(TlsReader& r) {
  QFS_ASSIGN_OR_RETURN(TlsReader items, r.Vector());
  std::vector<Extension> out;
  std::set<std::uint16_t> seen;
  while (!items.empty()) {
    Extension e;
    QFS_ASSIGN_OR_RETURN(e.type, items.U16());
    QFS_ASSIGN_OR_RETURN(e.data, items.Opaque());
    if (!seen.insert(e.type).second) {
      return Status(StatusCode::kInvalidArgument,
                    "extension type " + std::to_string(e.type) + " appears twice");
    }
    out.push_back(std::move(e));
  }
  return out;
}

Bytes EncodeGroupContext(const GroupContext& c) {
  TlsWriter w;
  w.U16(c.version);
  w.U16(c.cipher_suite);
  w.Opaque(c.group_id);
  w.U64(c.epoch);
  w.Opaque(c.tree_hash);
  w.Opaque(c.confirmed_transcript_hash);
  EncodeExtensions(w, c.extensions);
  return w.Take();
}

Result<GroupContext> DecodeGroupContext(TlsReader& r) {
  GroupContext c;
  QFS_ASSIGN_OR_RETURN(c.version, r.U16());
  QFS_ASSIGN_OR_RETURN(c.cipher_suite, r.U16());
  QFS_ASSIGN_OR_RETURN(c.group_id, r.Opaque());
  QFS_ASSIGN_OR_RETURN(c.epoch, r.U64());
  QFS_ASSIGN_OR_RETURN(c.tree_hash, r.Opaque());
  QFS_ASSIGN_OR_RETURN(c.confirmed_transcript_hash, r.Opaque());
  QFS_ASSIGN_OR_RETURN(c.extensions, DecodeExtensions(r));
  return c;
}

EpochSecrets DeriveEpochSecretsFromJoiner(const CipherSuite& suite, SecretBytes joiner_secret,
                                          ByteSpan psk_secret, ByteSpan group_context) {
  EpochSecrets s;
  s.joiner_secret = std::move(joiner_secret);
  const SecretBytes member = suite.Extract(s.joiner_secret.span(), psk_secret);
  s.welcome_secret = suite.DeriveSecret(member.span(), "welcome");
  s.epoch_secret = suite.ExpandWithLabel(member.span(), "epoch", group_context, suite.hash_bytes());
  const ByteSpan epoch = s.epoch_secret.span();
  s.sender_data_secret = suite.DeriveSecret(epoch, "sender data");
  s.encryption_secret = suite.DeriveSecret(epoch, "encryption");
  s.exporter_secret = suite.DeriveSecret(epoch, "exporter");
  s.external_secret = suite.DeriveSecret(epoch, "external");
  s.confirmation_key = suite.DeriveSecret(epoch, "confirm");
  s.membership_key = suite.DeriveSecret(epoch, "membership");
  s.resumption_psk = suite.DeriveSecret(epoch, "resumption");
  s.epoch_authenticator = suite.DeriveSecret(epoch, "authentication");
  s.init_secret = suite.DeriveSecret(epoch, "init");
  return s;
}

SecretBytes WelcomeSecret(const CipherSuite& suite, ByteSpan joiner_secret, ByteSpan psk_secret) {
  const SecretBytes member = suite.Extract(joiner_secret, psk_secret);
  return suite.DeriveSecret(member.span(), "welcome");
}

EpochSecrets DeriveEpochSecrets(const CipherSuite& suite, ByteSpan init_secret,
                                ByteSpan commit_secret, ByteSpan psk_secret,
                                ByteSpan group_context) {
  const SecretBytes prk = suite.Extract(init_secret, commit_secret);
  SecretBytes joiner =
      suite.ExpandWithLabel(prk.span(), "joiner", group_context, suite.hash_bytes());
  return DeriveEpochSecretsFromJoiner(suite, std::move(joiner), psk_secret, group_context);
}

SecretBytes MlsExport(const CipherSuite& suite, ByteSpan exporter_secret, std::string_view label,
                      ByteSpan context, std::size_t length) {
  const SecretBytes derived = suite.DeriveSecret(exporter_secret, label);
  return suite.ExpandWithLabel(derived.span(), "exported", suite.Hash(context), length);
}

void EncodePreSharedKeyId(TlsWriter& w, const PreSharedKeyId& id) {
  w.U8(static_cast<std::uint8_t>(id.type));
  if (id.type == PskType::kExternal) {
    w.Opaque(id.psk_id);
  } else {
    w.U8(static_cast<std::uint8_t>(id.usage));
    w.Opaque(id.psk_group_id);
    w.U64(id.psk_epoch);
  }
  w.Opaque(id.psk_nonce);
}

Result<PreSharedKeyId> DecodePreSharedKeyId(TlsReader& r) {
  PreSharedKeyId id;
  QFS_ASSIGN_OR_RETURN(std::uint8_t type, r.U8());
  if (type == static_cast<std::uint8_t>(PskType::kExternal)) {
    id.type = PskType::kExternal;
    QFS_ASSIGN_OR_RETURN(id.psk_id, r.Opaque());
  } else if (type == static_cast<std::uint8_t>(PskType::kResumption)) {
    id.type = PskType::kResumption;
    QFS_ASSIGN_OR_RETURN(std::uint8_t usage, r.U8());
    if (usage < 1 || usage > 3) {
      return Status(StatusCode::kInvalidArgument,
                    "unknown resumption PSK usage " + std::to_string(usage));
    }
    id.usage = static_cast<ResumptionPskUsage>(usage);
    QFS_ASSIGN_OR_RETURN(id.psk_group_id, r.Opaque());
    QFS_ASSIGN_OR_RETURN(id.psk_epoch, r.U64());
  } else {
    return Status(StatusCode::kInvalidArgument, "unknown PSK type " + std::to_string(type));
  }
  QFS_ASSIGN_OR_RETURN(id.psk_nonce, r.Opaque());
  return id;
}

SecretBytes PskSecret(const CipherSuite& suite, const std::vector<PskWithSecret>& psks) {
  QFS_CHECK(psks.size() <= 0xFFFF);
  const Bytes zero(suite.hash_bytes(), 0);
  SecretBytes secret{ByteSpan(zero)};
  for (std::size_t i = 0; i < psks.size(); ++i) {
    TlsWriter label;  // PSKLabel
    EncodePreSharedKeyId(label, psks[i].id);
    label.U16(static_cast<std::uint16_t>(i));
    label.U16(static_cast<std::uint16_t>(psks.size()));
    const SecretBytes extracted = suite.Extract(zero, psks[i].psk.span());
    const SecretBytes input =
        suite.ExpandWithLabel(extracted.span(), "derived psk", label.bytes(), suite.hash_bytes());
    secret = suite.Extract(input.span(), secret.span());
  }
  return secret;
}

}  // namespace qfs::mls
