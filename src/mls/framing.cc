#include "mls/framing.h"

#include <string>

#include "base/bytes.h"

namespace qfs::mls {
namespace {

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

bool HasContext(SenderType t) {
  return t == SenderType::kMember || t == SenderType::kNewMemberCommit;
}

void PutSender(TlsWriter& w, const Sender& s) {
  w.U8(static_cast<std::uint8_t>(s.type));
  if (s.type == SenderType::kMember || s.type == SenderType::kExternal) w.U32(s.index);
}

Result<Sender> GetSender(TlsReader& r) {
  QFS_ASSIGN_OR_RETURN(std::uint8_t type, r.U8());
  if (type < 1 || type > 4) return Invalid("sender type " + std::to_string(type) + " is unknown");
  Sender s{static_cast<SenderType>(type), 0};
  if (s.type == SenderType::kMember || s.type == SenderType::kExternal) {
    QFS_ASSIGN_OR_RETURN(s.index, r.U32());
  }
  return s;
}

// The content proper, as FramedContent and PrivateMessageContent carry it (after the type).
void PutContentBody(TlsWriter& w, const Content& c) {
  if (const auto* data = std::get_if<Bytes>(&c)) {
    w.Opaque(*data);
  } else if (const auto* p = std::get_if<Proposal>(&c)) {
    EncodeProposal(w, *p);
  } else {
    EncodeCommit(w, std::get<Commit>(c));
  }
}

Result<Content> GetContentBody(TlsReader& r, std::uint8_t type) {
  switch (static_cast<ContentType>(type)) {
    case ContentType::kApplication: {
      QFS_ASSIGN_OR_RETURN(Bytes data, r.Opaque());
      return Content(std::move(data));
    }
    case ContentType::kProposal: {
      QFS_ASSIGN_OR_RETURN(Proposal p, DecodeProposal(r));
      return Content(std::move(p));
    }
    case ContentType::kCommit: {
      QFS_ASSIGN_OR_RETURN(Commit c, DecodeCommit(r));
      return Content(std::move(c));
    }
  }
  return Invalid("content type " + std::to_string(type) + " is unknown");
}

void PutAuth(TlsWriter& w, const FramedContentAuthData& auth, ContentType type) {
  w.Opaque(auth.signature);
  if (type == ContentType::kCommit) w.Opaque(auth.confirmation_tag);
}

Result<FramedContentAuthData> GetAuth(TlsReader& r, ContentType type) {
  FramedContentAuthData auth;
  QFS_ASSIGN_OR_RETURN(auth.signature, r.Opaque(1024));
  if (type == ContentType::kCommit) {
    QFS_ASSIGN_OR_RETURN(auth.confirmation_tag, r.Opaque(64));
  }
  return auth;
}

void PutTbs(TlsWriter& w, WireFormat wire_format, const FramedContent& content,
            const GroupContext& context) {
  w.U16(kProtocolVersionMls10);
  w.U16(static_cast<std::uint16_t>(wire_format));
  EncodeFramedContent(w, content);
  if (HasContext(content.sender.type)) w.Raw(EncodeGroupContext(context));
}

Bytes MembershipTag(const CipherSuite& suite, const FramedContent& content,
                    const FramedContentAuthData& auth, ByteSpan membership_key,
                    const GroupContext& context) {
  TlsWriter tbm;
  PutTbs(tbm, WireFormat::kPublicMessage, content, context);
  PutAuth(tbm, auth, TypeOf(content.content));
  return suite.Mac(membership_key, tbm.bytes());
}

Status SameGroupAndEpoch(ByteSpan group_id, std::uint64_t epoch, const GroupContext& context) {
  if (group_id.size() != context.group_id.size() ||
      !std::equal(group_id.begin(), group_id.end(), context.group_id.begin())) {
    return Invalid("the message is for another group");
  }
  if (epoch != context.epoch) {
    return Invalid("the message is for epoch " + std::to_string(epoch) + ", the group is at " +
                   std::to_string(context.epoch));
  }
  return OkStatus();
}

Bytes SenderDataAad(ByteSpan group_id, std::uint64_t epoch, ContentType type) {
  TlsWriter w;
  w.Opaque(group_id);
  w.U64(epoch);
  w.U8(static_cast<std::uint8_t>(type));
  return w.Take();
}

Bytes PrivateContentAad(const PrivateMessage& m) {
  TlsWriter w;
  w.Opaque(m.group_id);
  w.U64(m.epoch);
  w.U8(static_cast<std::uint8_t>(m.content_type));
  w.Opaque(m.authenticated_data);
  return w.Take();
}

constexpr std::size_t kReuseGuardBytes = 4;

SecretBytes GuardedNonce(const SecretBytes& nonce, ByteSpan reuse_guard) {
  SecretBytes out = nonce.Clone();
  for (std::size_t i = 0; i < kReuseGuardBytes; ++i) out.data()[i] ^= reuse_guard[i];
  return out;
}

RatchetKind KindOf(ContentType type) {
  return type == ContentType::kApplication ? RatchetKind::kApplication : RatchetKind::kHandshake;
}

}  // namespace

ContentType TypeOf(const Content& content) { return static_cast<ContentType>(content.index() + 1); }

void EncodeFramedContent(TlsWriter& w, const FramedContent& c) {
  w.Opaque(c.group_id);
  w.U64(c.epoch);
  PutSender(w, c.sender);
  w.Opaque(c.authenticated_data);
  w.U8(static_cast<std::uint8_t>(TypeOf(c.content)));
  PutContentBody(w, c.content);
}

Result<FramedContent> DecodeFramedContent(TlsReader& r) {
  FramedContent c;
  QFS_ASSIGN_OR_RETURN(c.group_id, r.Opaque(256));
  QFS_ASSIGN_OR_RETURN(c.epoch, r.U64());
  QFS_ASSIGN_OR_RETURN(c.sender, GetSender(r));
  QFS_ASSIGN_OR_RETURN(c.authenticated_data, r.Opaque());
  QFS_ASSIGN_OR_RETURN(std::uint8_t type, r.U8());
  QFS_ASSIGN_OR_RETURN(c.content, GetContentBody(r, type));
  return c;
}

Bytes EncodeAuthenticatedContent(const AuthenticatedContent& ac) {
  TlsWriter w;
  w.U16(static_cast<std::uint16_t>(ac.wire_format));
  EncodeFramedContent(w, ac.content);
  PutAuth(w, ac.auth, TypeOf(ac.content.content));
  return w.Take();
}

Result<AuthenticatedContent> DecodeAuthenticatedContent(TlsReader& r) {
  AuthenticatedContent ac;
  QFS_ASSIGN_OR_RETURN(std::uint16_t format, r.U16());
  if (format != static_cast<std::uint16_t>(WireFormat::kPublicMessage) &&
      format != static_cast<std::uint16_t>(WireFormat::kPrivateMessage)) {
    return Invalid("wire format " + std::to_string(format) + " does not frame content");
  }
  ac.wire_format = static_cast<WireFormat>(format);
  QFS_ASSIGN_OR_RETURN(ac.content, DecodeFramedContent(r));
  QFS_ASSIGN_OR_RETURN(ac.auth, GetAuth(r, TypeOf(ac.content.content)));
  return ac;
}

Result<TranscriptHashes> NextTranscriptHashes(const CipherSuite& suite, ByteSpan interim_before,
                                              const AuthenticatedContent& commit) {
  if (TypeOf(commit.content.content) != ContentType::kCommit) {
    return Invalid("only a Commit moves the transcript hashes on");
  }
  TlsWriter confirmed_input;
  confirmed_input.Raw(interim_before);
  confirmed_input.U16(static_cast<std::uint16_t>(commit.wire_format));
  EncodeFramedContent(confirmed_input, commit.content);
  confirmed_input.Opaque(commit.auth.signature);
  TranscriptHashes out;
  out.confirmed = suite.Hash(confirmed_input.bytes());
  out.interim = InterimTranscriptHash(suite, out.confirmed, commit.auth.confirmation_tag);
  return out;
}

Bytes InterimTranscriptHash(const CipherSuite& suite, ByteSpan confirmed,
                            ByteSpan confirmation_tag) {
  TlsWriter w;
  w.Raw(confirmed);
  w.Opaque(confirmation_tag);
  return suite.Hash(w.bytes());
}

Bytes ConfirmationTag(const CipherSuite& suite, ByteSpan confirmation_key,
                      ByteSpan confirmed_transcript_hash) {
  return suite.Mac(confirmation_key, confirmed_transcript_hash);
}

Result<AuthenticatedContent> SignContent(const CipherSuite& suite, WireFormat wire_format,
                                         FramedContent content, const SecretBytes& signature_key,
                                         const GroupContext& context) {
  TlsWriter tbs;
  PutTbs(tbs, wire_format, content, context);
  AuthenticatedContent ac{wire_format, std::move(content), {}};
  QFS_ASSIGN_OR_RETURN(ac.auth.signature,
                       suite.SignWithLabel(signature_key, "FramedContentTBS", tbs.bytes()));
  return ac;
}

Status VerifyContent(const CipherSuite& suite, const AuthenticatedContent& ac,
                     ByteSpan signature_key, const GroupContext& context) {
  TlsWriter tbs;
  PutTbs(tbs, ac.wire_format, ac.content, context);
  return suite.VerifyWithLabel(signature_key, "FramedContentTBS", tbs.bytes(), ac.auth.signature);
}

void EncodePublicMessage(TlsWriter& w, const PublicMessage& m) {
  EncodeFramedContent(w, m.content);
  PutAuth(w, m.auth, TypeOf(m.content.content));
  if (m.content.sender.type == SenderType::kMember) w.Opaque(m.membership_tag);
}

Result<PublicMessage> DecodePublicMessage(TlsReader& r) {
  PublicMessage m;
  QFS_ASSIGN_OR_RETURN(m.content, DecodeFramedContent(r));
  QFS_ASSIGN_OR_RETURN(m.auth, GetAuth(r, TypeOf(m.content.content)));
  if (m.content.sender.type == SenderType::kMember) {
    QFS_ASSIGN_OR_RETURN(m.membership_tag, r.Opaque(64));
  }
  return m;
}

void EncodePrivateMessage(TlsWriter& w, const PrivateMessage& m) {
  w.Opaque(m.group_id);
  w.U64(m.epoch);
  w.U8(static_cast<std::uint8_t>(m.content_type));
  w.Opaque(m.authenticated_data);
  w.Opaque(m.encrypted_sender_data);
  w.Opaque(m.ciphertext);
}

Result<PrivateMessage> DecodePrivateMessage(TlsReader& r) {
  PrivateMessage m;
  QFS_ASSIGN_OR_RETURN(m.group_id, r.Opaque(256));
  QFS_ASSIGN_OR_RETURN(m.epoch, r.U64());
  QFS_ASSIGN_OR_RETURN(std::uint8_t type, r.U8());
  if (type < 1 || type > 3) return Invalid("content type " + std::to_string(type) + " is unknown");
  m.content_type = static_cast<ContentType>(type);
  QFS_ASSIGN_OR_RETURN(m.authenticated_data, r.Opaque());
  QFS_ASSIGN_OR_RETURN(m.encrypted_sender_data, r.Opaque(256));
  QFS_ASSIGN_OR_RETURN(m.ciphertext, r.Opaque());
  return m;
}

Result<PublicMessage> ProtectPublic(const CipherSuite& suite, const AuthenticatedContent& ac,
                                    ByteSpan membership_key, const GroupContext& context) {
  if (TypeOf(ac.content.content) == ContentType::kApplication) {
    return Invalid("application data is only ever sent as a PrivateMessage");
  }
  if (ac.wire_format != WireFormat::kPublicMessage) {
    return Invalid("the content was signed for another wire format");
  }
  QFS_RETURN_IF_ERROR(SameGroupAndEpoch(ac.content.group_id, ac.content.epoch, context));
  PublicMessage m{ac.content, ac.auth, {}};
  if (m.content.sender.type == SenderType::kMember) {
    m.membership_tag = MembershipTag(suite, m.content, m.auth, membership_key, context);
  }
  return m;
}

Result<AuthenticatedContent> UnprotectPublic(const CipherSuite& suite, const PublicMessage& m,
                                             ByteSpan membership_key, const GroupContext& context) {
  QFS_RETURN_IF_ERROR(SameGroupAndEpoch(m.content.group_id, m.content.epoch, context));
  if (TypeOf(m.content.content) == ContentType::kApplication) {
    return Invalid("application data in a PublicMessage");
  }
  if (m.content.sender.type == SenderType::kMember) {
    const Bytes want = MembershipTag(suite, m.content, m.auth, membership_key, context);
    if (!ConstantTimeEqual(want, m.membership_tag)) {
      return Status(StatusCode::kAuthenticationFailed, "the membership tag does not verify");
    }
  }
  return AuthenticatedContent{WireFormat::kPublicMessage, m.content, m.auth};
}

Result<PrivateMessage> ProtectPrivate(const CipherSuite& suite, const AuthenticatedContent& ac,
                                      SecretTree& secrets, ByteSpan sender_data_secret,
                                      crypto::RandomSource& random, PrivateMessageOptions options) {
  const FramedContent& c = ac.content;
  if (ac.wire_format != WireFormat::kPrivateMessage) {
    return Invalid("the content was signed for another wire format");
  }
  if (c.sender.type != SenderType::kMember || c.sender.index >= secrets.leaves()) {
    return Invalid("only a member of the group sends a PrivateMessage");
  }
  if (options.padding > kMlsMessageBytesMax) return Invalid("the padding is too large");
  const ContentType type = TypeOf(c.content);
  PrivateMessage m{c.group_id, c.epoch, type, c.authenticated_data, {}, {}};

  TlsWriter plain;
  PutContentBody(plain, c.content);
  PutAuth(plain, ac.auth, type);
  plain.Raw(Bytes(options.padding, 0));

  std::uint8_t guard[kReuseGuardBytes];
  random.Fill(guard);
  const KeyAndNonce key = secrets.Next(c.sender.index, KindOf(type));
  QFS_ASSIGN_OR_RETURN(m.ciphertext,
                       suite.Seal(key.key.span(), GuardedNonce(key.nonce, guard).span(),
                                  PrivateContentAad(m), plain.bytes()));
  TlsWriter sender_data;
  sender_data.U32(c.sender.index);
  sender_data.U32(key.generation);
  sender_data.Raw(guard);
  QFS_ASSIGN_OR_RETURN(m.encrypted_sender_data,
                       suite.Seal(SenderDataKey(suite, sender_data_secret, m.ciphertext).span(),
                                  SenderDataNonce(suite, sender_data_secret, m.ciphertext).span(),
                                  SenderDataAad(m.group_id, m.epoch, type), sender_data.bytes()));
  return m;
}

Result<AuthenticatedContent> UnprotectPrivate(
    const CipherSuite& suite, const PrivateMessage& m, SecretTree& secrets,
    ByteSpan sender_data_secret, const GroupContext& context,
    const std::function<Status(const AuthenticatedContent&)>& check) {
  QFS_RETURN_IF_ERROR(SameGroupAndEpoch(m.group_id, m.epoch, context));
  QFS_ASSIGN_OR_RETURN(
      SecretBytes sender_data,
      suite.Open(SenderDataKey(suite, sender_data_secret, m.ciphertext).span(),
                 SenderDataNonce(suite, sender_data_secret, m.ciphertext).span(),
                 SenderDataAad(m.group_id, m.epoch, m.content_type), m.encrypted_sender_data));
  TlsReader sd(sender_data.span());
  QFS_ASSIGN_OR_RETURN(std::uint32_t leaf, sd.U32());
  QFS_ASSIGN_OR_RETURN(std::uint32_t generation, sd.U32());
  QFS_ASSIGN_OR_RETURN(Bytes guard, sd.Raw(kReuseGuardBytes));
  QFS_RETURN_IF_ERROR(sd.ExpectEnd());
  if (leaf >= secrets.leaves()) return Invalid("the sender's leaf is outside the tree");

  // Peeked, and consumed only once the content authenticates (a forgery burns no key).
  const RatchetKind kind = KindOf(m.content_type);
  QFS_ASSIGN_OR_RETURN(KeyAndNonce key, secrets.Peek(leaf, kind, generation));
  QFS_ASSIGN_OR_RETURN(SecretBytes plain,
                       suite.Open(key.key.span(), GuardedNonce(key.nonce, guard).span(),
                                  PrivateContentAad(m), m.ciphertext));
  TlsReader r(plain.span());
  AuthenticatedContent ac;
  ac.wire_format = WireFormat::kPrivateMessage;
  ac.content.group_id = m.group_id;
  ac.content.epoch = m.epoch;
  ac.content.sender = Sender{SenderType::kMember, leaf};
  ac.content.authenticated_data = m.authenticated_data;
  QFS_ASSIGN_OR_RETURN(ac.content.content,
                       GetContentBody(r, static_cast<std::uint8_t>(m.content_type)));
  QFS_ASSIGN_OR_RETURN(ac.auth, GetAuth(r, m.content_type));
  while (!r.empty()) {
    QFS_ASSIGN_OR_RETURN(std::uint8_t pad, r.U8());
    if (pad != 0) return Invalid("the padding of a PrivateMessage is not all zero");
  }
  if (check) QFS_RETURN_IF_ERROR(check(ac));
  QFS_RETURN_IF_ERROR(secrets.Get(leaf, kind, generation).status());
  return ac;
}

WireFormat MlsMessage::wire_format() const {
  return static_cast<WireFormat>(body.index() + 1);  // the variant follows the enum's order
}

Bytes EncodeMlsMessage(const MlsMessage& m) {
  TlsWriter w;
  w.U16(kProtocolVersionMls10);
  w.U16(static_cast<std::uint16_t>(m.wire_format()));
  if (const auto* pub = std::get_if<PublicMessage>(&m.body)) {
    EncodePublicMessage(w, *pub);
  } else if (const auto* priv = std::get_if<PrivateMessage>(&m.body)) {
    EncodePrivateMessage(w, *priv);
  } else if (const auto* welcome = std::get_if<Welcome>(&m.body)) {
    EncodeWelcome(w, *welcome);
  } else if (const auto* info = std::get_if<GroupInfo>(&m.body)) {
    EncodeGroupInfo(w, *info);
  } else {
    EncodeKeyPackage(w, std::get<KeyPackage>(m.body));
  }
  return w.Take();
}

Result<MlsMessage> DecodeMlsMessage(ByteSpan bytes) {
  if (bytes.size() > kMlsMessageBytesMax) {
    return Status(StatusCode::kTooLarge, "an MLS message is at most 16 MiB");
  }
  TlsReader r(bytes);
  QFS_ASSIGN_OR_RETURN(std::uint16_t version, r.U16());
  if (version != kProtocolVersionMls10) {
    return Invalid("protocol version " + std::to_string(version) + " is not MLS 1.0");
  }
  QFS_ASSIGN_OR_RETURN(std::uint16_t format, r.U16());
  MlsMessage m;
  switch (static_cast<WireFormat>(format)) {
    case WireFormat::kPublicMessage: {
      QFS_ASSIGN_OR_RETURN(PublicMessage pub, DecodePublicMessage(r));
      m.body = std::move(pub);
      break;
    }
    case WireFormat::kPrivateMessage: {
      QFS_ASSIGN_OR_RETURN(PrivateMessage priv, DecodePrivateMessage(r));
      m.body = std::move(priv);
      break;
    }
    case WireFormat::kKeyPackage: {
      QFS_ASSIGN_OR_RETURN(KeyPackage kp, DecodeKeyPackage(r));
      m.body = std::move(kp);
      break;
    }
    case WireFormat::kWelcome: {
      QFS_ASSIGN_OR_RETURN(Welcome welcome, DecodeWelcome(r));
      m.body = std::move(welcome);
      break;
    }
    case WireFormat::kGroupInfo: {
      QFS_ASSIGN_OR_RETURN(GroupInfo info, DecodeGroupInfo(r));
      m.body = std::move(info);
      break;
    }
    default:
      return Invalid("wire format " + std::to_string(format) + " is unknown");
  }
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return m;
}

}  // namespace qfs::mls
