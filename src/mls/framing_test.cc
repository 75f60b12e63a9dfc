#include "mls/framing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(3).value();
  return suite;
}

class FramingTest : public ::testing::Test {
 protected:
  FramingTest()
      : signer_(Suite().GenerateSignatureKey(crypto::SystemRandom())),
        encryption_secret_(Bytes(32, 0x11)),
        sender_data_secret_(32, 0x22),
        membership_key_(32, 0x33) {
    context_.cipher_suite = Suite().id();
    context_.group_id = {'g'};
    context_.epoch = 7;
    context_.tree_hash = Bytes(32, 1);
    context_.confirmed_transcript_hash = Bytes(32, 2);
  }

  FramedContent Framed(Content content) {
    return FramedContent{context_.group_id,
                         context_.epoch,
                         Sender{SenderType::kMember, 1},
                         {'a', 'd'},
                         std::move(content)};
  }

  AuthenticatedContent Signed(WireFormat format, Content content) {
    return SignContent(Suite(), format, Framed(std::move(content)), signer_.private_key, context_)
        .value();
  }

  PrivateMessage Seal(SecretTree& tree, const std::string& text, std::size_t padding = 0) {
    return ProtectPrivate(Suite(),
                          Signed(WireFormat::kPrivateMessage, Bytes(text.begin(), text.end())),
                          tree, sender_data_secret_, crypto::SystemRandom(), {padding})
        .value();
  }

  std::string Open(SecretTree& tree, const PrivateMessage& m) {
    Result<AuthenticatedContent> ac =
        UnprotectPrivate(Suite(), m, tree, sender_data_secret_, context_);
    if (!ac.ok()) return "error: " + ac.status().ToString();
    EXPECT_TRUE(VerifyContent(Suite(), ac.value(), signer_.public_key, context_).ok());
    const Bytes& data = std::get<Bytes>(ac.value().content.content);
    return std::string(data.begin(), data.end());
  }

  SignatureKeyPair signer_;
  SecretBytes encryption_secret_;
  Bytes sender_data_secret_;
  Bytes membership_key_;
  GroupContext context_;
};

TEST_F(FramingTest, APublicProposalVerifiesAndEveryTamperingIsCaught) {
  const AuthenticatedContent ac = Signed(WireFormat::kPublicMessage, Proposal(RemoveProposal{3}));
  const PublicMessage pm = ProtectPublic(Suite(), ac, membership_key_, context_).value();
  const Bytes wire = EncodeMlsMessage(MlsMessage{pm});
  const MlsMessage decoded = DecodeMlsMessage(wire).value();
  const auto& in = std::get<PublicMessage>(decoded.body);
  const AuthenticatedContent out = UnprotectPublic(Suite(), in, membership_key_, context_).value();
  EXPECT_TRUE(VerifyContent(Suite(), out, signer_.public_key, context_).ok());
  EXPECT_EQ(std::get<RemoveProposal>(std::get<Proposal>(out.content.content)).removed, 3u);

  PublicMessage bad = in;
  bad.membership_tag[0] ^= 1;
  EXPECT_EQ(UnprotectPublic(Suite(), bad, membership_key_, context_).status().code(),
            StatusCode::kAuthenticationFailed);
  bad = in;
  bad.content.authenticated_data.push_back('!');  // the tag covers it
  EXPECT_EQ(UnprotectPublic(Suite(), bad, membership_key_, context_).status().code(),
            StatusCode::kAuthenticationFailed);
  GroupContext later = context_;
  ++later.epoch;
  EXPECT_EQ(UnprotectPublic(Suite(), in, membership_key_, later).status().code(),
            StatusCode::kInvalidArgument);
  const SignatureKeyPair other = Suite().GenerateSignatureKey(crypto::SystemRandom());
  EXPECT_EQ(VerifyContent(Suite(), out, other.public_key, context_).code(),
            StatusCode::kBadSignature);
  // The signature covers the group context: another tree hash does not verify.
  GroupContext forked = context_;
  forked.tree_hash[0] ^= 1;
  EXPECT_EQ(VerifyContent(Suite(), out, signer_.public_key, forked).code(),
            StatusCode::kBadSignature);
  // Application data never travels in the clear.
  EXPECT_EQ(ProtectPublic(Suite(), Signed(WireFormat::kPublicMessage, Bytes{'x'}), membership_key_,
                          context_)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(FramingTest, PrivateMessagesDecryptOnceInAnyOrderWithinTheWindow) {
  SecretTree sender(Suite(), encryption_secret_, 2);
  SecretTree receiver(Suite(), encryption_secret_, 2);
  const PrivateMessage a = Seal(sender, "first", 0);
  const PrivateMessage b = Seal(sender, "second", 100);
  const PrivateMessage c = Seal(sender, "third", 3);
  EXPECT_EQ(Open(receiver, c), "third");
  EXPECT_EQ(Open(receiver, a), "first");
  EXPECT_EQ(Open(receiver, b), "second");
  EXPECT_NE(Open(receiver, b).find("NOT_FOUND"), std::string::npos);  // a replay
  EXPECT_GT(b.ciphertext.size(), a.ciphertext.size() + 90);           // padded
}

// Each damage is refused, and none of them costs the genuine message its key: the receiver's
// key is consumed only once a message authenticates.
TEST_F(FramingTest, ADamagedPrivateMessageIsRefusedAndBurnsNoKey) {
  SecretTree sender(Suite(), encryption_secret_, 2);
  const PrivateMessage m = Seal(sender, "hello");
  SecretTree receiver(Suite(), encryption_secret_, 2);
  PrivateMessage bad = m;
  bad.ciphertext.back() ^= 1;
  EXPECT_NE(Open(receiver, bad).find("AUTHENTICATION_FAILED"), std::string::npos);
  bad = m;
  bad.encrypted_sender_data[0] ^= 1;
  EXPECT_NE(Open(receiver, bad).find("AUTHENTICATION_FAILED"), std::string::npos);
  bad = m;
  bad.authenticated_data.push_back('!');  // bound into the content's AAD
  EXPECT_NE(Open(receiver, bad).find("AUTHENTICATION_FAILED"), std::string::npos);
  bad = m;
  bad.epoch = m.epoch + 1;
  EXPECT_NE(Open(receiver, bad).find("INVALID_ARGUMENT"), std::string::npos);
  EXPECT_EQ(Open(receiver, m), "hello");
}

TEST_F(FramingTest, TheEnvelopeDecoderIsStrict) {
  SecretTree sender(Suite(), encryption_secret_, 2);
  const Bytes wire = EncodeMlsMessage(MlsMessage{Seal(sender, "x")});
  EXPECT_TRUE(DecodeMlsMessage(wire).ok());
  for (std::size_t cut = 0; cut < wire.size(); ++cut) {
    EXPECT_FALSE(DecodeMlsMessage(ByteSpan(wire).first(cut)).ok()) << cut;
  }
  Bytes longer = wire;
  longer.push_back(0);
  EXPECT_EQ(DecodeMlsMessage(longer).status().code(), StatusCode::kTrailingBytes);
  Bytes version = wire;
  version[1] = 2;
  EXPECT_EQ(DecodeMlsMessage(version).status().code(), StatusCode::kInvalidArgument);
  Bytes format = wire;
  format[3] = 9;
  EXPECT_EQ(DecodeMlsMessage(format).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qfs::mls
