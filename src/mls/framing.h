// Message framing and protection (RFC 9420 section 6): FramedContent, its signature and
// authentication data, PublicMessage (signed, and MACed with the membership key for members),
// PrivateMessage (content and sender data encrypted with keys from the secret tree), and the
// MLSMessage envelope.
//
//   // Sending a Commit in the clear:
//   QFS_ASSIGN_OR_RETURN(AuthenticatedContent ac, SignContent(suite, WireFormat::kPublicMessage,
//                                                             content, signature_key, context));
//   ac.auth.confirmation_tag = ...;  // a Commit's, from the new epoch
//   QFS_ASSIGN_OR_RETURN(PublicMessage pm, ProtectPublic(suite, ac, membership_key, context));
//   // Receiving one:
//   QFS_ASSIGN_OR_RETURN(AuthenticatedContent in, UnprotectPublic(suite, pm, membership_key,
//                                                                 context));
//   QFS_RETURN_IF_ERROR(VerifyContent(suite, in, sender_signature_key, context));
//
// Unprotecting checks the group, epoch and MAC or AEAD tag; the signature needs the sender's
// key from the tree, so it is a separate call. Application data only ever travels as a
// PrivateMessage.
#ifndef QFS_MLS_FRAMING_H_
#define QFS_MLS_FRAMING_H_

#include <cstdint>
#include <functional>
#include <variant>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"
#include "mls/cipher_suite.h"
#include "mls/key_schedule.h"
#include "mls/messages.h"
#include "mls/secret_tree.h"
#include "mls/tls_codec.h"
#include "mls/welcome.h"

namespace qfs::mls {

enum class ContentType : std::uint8_t { kApplication = 1, kProposal = 2, kCommit = 3 };
enum class SenderType : std::uint8_t {
  kMember = 1,
  kExternal = 2,
  kNewMemberProposal = 3,
  kNewMemberCommit = 4,
};
enum class WireFormat : std::uint16_t {
  kPublicMessage = 1,
  kPrivateMessage = 2,
  kWelcome = 3,
  kGroupInfo = 4,
  kKeyPackage = 5,
};

struct Sender {
  SenderType type = SenderType::kMember;
  std::uint32_t index = 0;  // leaf index (member) or sender index (external); else unused
};

// Application data, a Proposal or a Commit.
using Content = std::variant<Bytes, Proposal, Commit>;
ContentType TypeOf(const Content& content);

struct FramedContent {
  Bytes group_id;
  std::uint64_t epoch = 0;
  Sender sender;
  Bytes authenticated_data;
  Content content;
};
void EncodeFramedContent(TlsWriter& w, const FramedContent& c);
Result<FramedContent> DecodeFramedContent(TlsReader& r);

struct FramedContentAuthData {
  Bytes signature;
  Bytes confirmation_tag;  // Commits only
};

struct AuthenticatedContent {
  WireFormat wire_format = WireFormat::kPublicMessage;
  FramedContent content;
  FramedContentAuthData auth;
};
// The AuthenticatedContent's encoding (its ProposalRef is RefHash over it; the confirmed
// transcript hash covers part of it).
Bytes EncodeAuthenticatedContent(const AuthenticatedContent& ac);

// Errors: the codec's, INVALID_ARGUMENT for an unknown wire format or content.
Result<AuthenticatedContent> DecodeAuthenticatedContent(TlsReader& r);

// The transcript hashes (section 8.2): a Commit's AuthenticatedContent moves the confirmed
// transcript hash on from the last interim one (wire format, content and signature), and its
// confirmation tag moves the interim hash on from the new confirmed one.
struct TranscriptHashes {
  Bytes confirmed;
  Bytes interim;
};
// REQUIRES: `commit` carries a Commit (checked: INVALID_ARGUMENT otherwise).
Result<TranscriptHashes> NextTranscriptHashes(const CipherSuite& suite, ByteSpan interim_before,
                                              const AuthenticatedContent& commit);
// The interim transcript hash after a confirmed one and its Commit's confirmation tag (also a
// new group's, from the empty confirmed hash and the epoch-0 tag).
Bytes InterimTranscriptHash(const CipherSuite& suite, ByteSpan confirmed,
                            ByteSpan confirmation_tag);
// MAC(confirmation_key, confirmed_transcript_hash): a Commit's confirmation tag.
Bytes ConfirmationTag(const CipherSuite& suite, ByteSpan confirmation_key,
                      ByteSpan confirmed_transcript_hash);

// Signs FramedContentTBS (with `context` for member and new-member-commit senders).
Result<AuthenticatedContent> SignContent(const CipherSuite& suite, WireFormat wire_format,
                                         FramedContent content, const SecretBytes& signature_key,
                                         const GroupContext& context);
// BAD_SIGNATURE unless auth.signature verifies under `signature_key`.
Status VerifyContent(const CipherSuite& suite, const AuthenticatedContent& ac,
                     ByteSpan signature_key, const GroupContext& context);

struct PublicMessage {
  FramedContent content;
  FramedContentAuthData auth;
  Bytes membership_tag;  // member senders only
};
void EncodePublicMessage(TlsWriter& w, const PublicMessage& m);
Result<PublicMessage> DecodePublicMessage(TlsReader& r);

struct PrivateMessage {
  Bytes group_id;
  std::uint64_t epoch = 0;
  ContentType content_type = ContentType::kApplication;
  Bytes authenticated_data;
  Bytes encrypted_sender_data;
  Bytes ciphertext;
};
void EncodePrivateMessage(TlsWriter& w, const PrivateMessage& m);
Result<PrivateMessage> DecodePrivateMessage(TlsReader& r);

// INVALID_ARGUMENT for application data (never public) or a content from another group or
// epoch than `context`'s.
Result<PublicMessage> ProtectPublic(const CipherSuite& suite, const AuthenticatedContent& ac,
                                    ByteSpan membership_key, const GroupContext& context);
// Checks group and epoch (INVALID_ARGUMENT) and, for a member sender, the membership tag
// (AUTHENTICATION_FAILED); the signature is VerifyContent's.
Result<AuthenticatedContent> UnprotectPublic(const CipherSuite& suite, const PublicMessage& m,
                                             ByteSpan membership_key, const GroupContext& context);

struct PrivateMessageOptions {
  std::size_t padding = 0;  // zero bytes appended to the content before encryption
};
// Encrypts a member's content with its next key from `secrets` (handshake ratchet for proposals
// and commits, application ratchet for application data) and a random reuse guard.
Result<PrivateMessage> ProtectPrivate(const CipherSuite& suite, const AuthenticatedContent& ac,
                                      SecretTree& secrets, ByteSpan sender_data_secret,
                                      crypto::RandomSource& random,
                                      PrivateMessageOptions options = {});
// Decrypts the sender data, then the content with the sender's key for that generation (which
// it consumes). Errors: INVALID_ARGUMENT (group, epoch, a sender outside the tree, non-zero
// padding), AUTHENTICATION_FAILED (either AEAD), NOT_FOUND / TOO_LARGE from the secret tree (a
// generation already used, or too far ahead); the signature is VerifyContent's.
// `check`, if given, runs on the decrypted content before its key is consumed (a group verifies
// the sender's signature there, so that a member forging another's message burns no key).
Result<AuthenticatedContent> UnprotectPrivate(
    const CipherSuite& suite, const PrivateMessage& m, SecretTree& secrets,
    ByteSpan sender_data_secret, const GroupContext& context,
    const std::function<Status(const AuthenticatedContent&)>& check = nullptr);

// MLSMessage: the envelope of everything sent.
struct MlsMessage {
  std::variant<PublicMessage, PrivateMessage, Welcome, GroupInfo, KeyPackage> body;
  WireFormat wire_format() const;
};
Bytes EncodeMlsMessage(const MlsMessage& m);
Result<MlsMessage> DecodeMlsMessage(ByteSpan bytes);

}  // namespace qfs::mls

#endif  // QFS_MLS_FRAMING_H_
