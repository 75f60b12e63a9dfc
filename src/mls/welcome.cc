#include "mls/welcome.h"

#include <string>

#include "mls/hpke.h"

namespace qfs::mls {
namespace {

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

constexpr std::size_t kRefBytesMax = 64;

void PutGroupInfoContent(TlsWriter& w, const GroupInfo& info) {
  w.Raw(EncodeGroupContext(info.group_context));
  EncodeExtensions(w, info.extensions);
  w.Opaque(info.confirmation_tag);
  w.U32(info.signer);
}

}  // namespace

void EncodeGroupInfo(TlsWriter& w, const GroupInfo& info) {
  PutGroupInfoContent(w, info);
  w.Opaque(info.signature);
}

Bytes GroupInfoTbs(const GroupInfo& info) {
  TlsWriter w;
  PutGroupInfoContent(w, info);
  return w.Take();
}

Result<GroupInfo> DecodeGroupInfo(TlsReader& r) {
  GroupInfo info;
  QFS_ASSIGN_OR_RETURN(info.group_context, DecodeGroupContext(r));
  QFS_ASSIGN_OR_RETURN(info.extensions, DecodeExtensions(r));
  QFS_ASSIGN_OR_RETURN(info.confirmation_tag, r.Opaque(kRefBytesMax));
  QFS_ASSIGN_OR_RETURN(info.signer, r.U32());
  QFS_ASSIGN_OR_RETURN(info.signature, r.Opaque(1024));
  return info;
}

Status SignGroupInfo(const CipherSuite& suite, GroupInfo& info, const SecretBytes& signature_key) {
  QFS_ASSIGN_OR_RETURN(info.signature,
                       suite.SignWithLabel(signature_key, "GroupInfoTBS", GroupInfoTbs(info)));
  return OkStatus();
}

Status VerifyGroupInfo(const CipherSuite& suite, const GroupInfo& info, ByteSpan signer_key) {
  return suite.VerifyWithLabel(signer_key, "GroupInfoTBS", GroupInfoTbs(info), info.signature);
}

void EncodeGroupSecrets(TlsWriter& w, const GroupSecrets& secrets) {
  w.Opaque(secrets.joiner_secret.span());
  w.Optional(secrets.path_secret.has_value(),
             [&](TlsWriter& out) { out.Opaque(secrets.path_secret->span()); });
  w.Vector([&](TlsWriter& list) {
    for (const PreSharedKeyId& id : secrets.psks) EncodePreSharedKeyId(list, id);
  });
}

Result<GroupSecrets> DecodeGroupSecrets(TlsReader& r) {
  GroupSecrets s;
  QFS_ASSIGN_OR_RETURN(Bytes joiner, r.Opaque(kRefBytesMax));
  s.joiner_secret = SecretBytes(joiner);
  SecureWipe(joiner.data(), joiner.size());
  QFS_ASSIGN_OR_RETURN(bool has_path, r.Presence());
  if (has_path) {
    QFS_ASSIGN_OR_RETURN(Bytes path, r.Opaque(kRefBytesMax));
    s.path_secret = SecretBytes(path);
    SecureWipe(path.data(), path.size());
  }
  QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
  while (!list.empty()) {
    if (s.psks.size() >= kMlsProposalsMax) return Invalid("too many PSKs in the GroupSecrets");
    QFS_ASSIGN_OR_RETURN(PreSharedKeyId id, DecodePreSharedKeyId(list));
    s.psks.push_back(std::move(id));
  }
  return s;
}

void EncodeWelcome(TlsWriter& w, const Welcome& welcome) {
  w.U16(welcome.cipher_suite);
  w.Vector([&](TlsWriter& list) {
    for (const EncryptedGroupSecrets& e : welcome.secrets) {
      list.Opaque(e.new_member);
      list.Opaque(e.encrypted_group_secrets.kem_output);
      list.Opaque(e.encrypted_group_secrets.ciphertext);
    }
  });
  w.Opaque(welcome.encrypted_group_info);
}

Result<Welcome> DecodeWelcome(TlsReader& r) {
  Welcome welcome;
  QFS_ASSIGN_OR_RETURN(welcome.cipher_suite, r.U16());
  QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
  while (!list.empty()) {
    if (welcome.secrets.size() >= kMlsGroupLeavesMax) {
      return Invalid("a Welcome has more entries than a group has members");
    }
    EncryptedGroupSecrets e;
    QFS_ASSIGN_OR_RETURN(e.new_member, list.Opaque(kRefBytesMax));
    QFS_ASSIGN_OR_RETURN(e.encrypted_group_secrets.kem_output, list.Opaque(kHpkeFieldBytesMax));
    QFS_ASSIGN_OR_RETURN(e.encrypted_group_secrets.ciphertext, list.Opaque(kHpkeFieldBytesMax));
    welcome.secrets.push_back(std::move(e));
  }
  QFS_ASSIGN_OR_RETURN(welcome.encrypted_group_info, r.Opaque());
  return welcome;
}

Bytes KeyPackageRef(const CipherSuite& suite, const KeyPackage& kp) {
  TlsWriter w;
  EncodeKeyPackage(w, kp);
  return suite.RefHash("MLS 1.0 KeyPackage Reference", w.bytes());
}

WelcomeKey WelcomeKeyFor(const CipherSuite& suite, ByteSpan welcome_secret) {
  return {suite.ExpandWithLabel(welcome_secret, "key", {}, suite.aead_key_bytes()),
          suite.ExpandWithLabel(welcome_secret, "nonce", {}, suite.aead_nonce_bytes())};
}

Result<Welcome> SealWelcome(const CipherSuite& suite, const GroupInfo& info,
                            const SecretBytes& joiner_secret,
                            const std::vector<PreSharedKeyId>& psks, ByteSpan psk_secret,
                            const std::vector<NewMember>& members, crypto::RandomSource& random) {
  Welcome welcome;
  welcome.cipher_suite = suite.id();
  const WelcomeKey key =
      WelcomeKeyFor(suite, WelcomeSecret(suite, joiner_secret.span(), psk_secret).span());
  TlsWriter plain_info;
  EncodeGroupInfo(plain_info, info);
  QFS_ASSIGN_OR_RETURN(welcome.encrypted_group_info,
                       suite.Seal(key.key.span(), key.nonce.span(), {}, plain_info.bytes()));
  for (const NewMember& m : members) {
    GroupSecrets secrets{joiner_secret.Clone(), std::nullopt, psks};
    if (m.path_secret != nullptr) secrets.path_secret = m.path_secret->Clone();
    TlsWriter plain;
    EncodeGroupSecrets(plain, secrets);
    const SecretBytes sealed_input(plain.bytes());  // wiped when done
    QFS_ASSIGN_OR_RETURN(
        HpkeCiphertext ct,
        suite.EncryptWithLabel(m.key_package->init_key, "Welcome", welcome.encrypted_group_info,
                               sealed_input.span(), random));
    welcome.secrets.push_back({KeyPackageRef(suite, *m.key_package), std::move(ct)});
  }
  return welcome;
}

Result<GroupSecrets> OpenGroupSecrets(const CipherSuite& suite, const Welcome& welcome,
                                      const KeyPackage& kp, const SecretBytes& init_private_key) {
  if (welcome.cipher_suite != suite.id() || kp.cipher_suite != suite.id()) {
    return Invalid("the Welcome or the KeyPackage is for another cipher suite");
  }
  const Bytes ref = KeyPackageRef(suite, kp);
  for (const EncryptedGroupSecrets& e : welcome.secrets) {
    if (!ConstantTimeEqual(e.new_member, ref)) continue;
    QFS_ASSIGN_OR_RETURN(
        SecretBytes plain,
        suite.DecryptWithLabel(init_private_key, "Welcome", welcome.encrypted_group_info,
                               e.encrypted_group_secrets.kem_output,
                               e.encrypted_group_secrets.ciphertext));
    TlsReader r(plain.span());
    QFS_ASSIGN_OR_RETURN(GroupSecrets secrets, DecodeGroupSecrets(r));
    QFS_RETURN_IF_ERROR(r.ExpectEnd());
    if (secrets.joiner_secret.size() != suite.hash_bytes() ||
        (secrets.path_secret.has_value() && secrets.path_secret->size() != suite.hash_bytes())) {
      return Invalid("a secret in the GroupSecrets has the wrong size");
    }
    return secrets;
  }
  return Invalid("the Welcome has no entry for this KeyPackage");
}

Result<GroupInfo> DecryptGroupInfo(const CipherSuite& suite, const Welcome& welcome,
                                   ByteSpan joiner_secret, ByteSpan psk_secret) {
  const WelcomeKey key =
      WelcomeKeyFor(suite, WelcomeSecret(suite, joiner_secret, psk_secret).span());
  QFS_ASSIGN_OR_RETURN(SecretBytes plain, suite.Open(key.key.span(), key.nonce.span(), {},
                                                     welcome.encrypted_group_info));
  TlsReader r(plain.span());
  QFS_ASSIGN_OR_RETURN(GroupInfo info, DecodeGroupInfo(r));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  if (info.group_context.cipher_suite != suite.id()) {
    return Invalid("the GroupInfo is for another cipher suite");
  }
  return info;
}

}  // namespace qfs::mls
