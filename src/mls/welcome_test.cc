#include "mls/welcome.h"

#include <gtest/gtest.h>

#include "mls/framing.h"

namespace qfs::mls {
namespace {

const CipherSuite& Suite() {
  static const CipherSuite suite = CipherSuite::Find(1).value();
  return suite;
}

class WelcomeTest : public ::testing::Test {
 protected:
  WelcomeTest()
      : signer_(Suite().GenerateSignatureKey(crypto::SystemRandom())),
        init_(Suite().GenerateHpkeKey(crypto::SystemRandom())),
        other_init_(Suite().GenerateHpkeKey(crypto::SystemRandom())),
        joiner_(Bytes(32, 0x44)),
        path_(Bytes(32, 0x55)),
        no_psk_(PskSecret(Suite(), {})) {
    kp_.cipher_suite = Suite().id();
    kp_.init_key = init_.public_key;
    kp_.leaf_node.encryption_key = Bytes(32, 1);
    kp_.leaf_node.signature_key = Bytes(32, 2);
    other_kp_ = kp_;
    other_kp_.init_key = other_init_.public_key;
    info_.group_context.cipher_suite = Suite().id();
    info_.group_context.group_id = {'g'};
    info_.group_context.epoch = 3;
    info_.confirmation_tag = Bytes(32, 9);
    info_.signer = 0;
    EXPECT_TRUE(SignGroupInfo(Suite(), info_, signer_.private_key).ok());
  }

  Welcome Seal() {
    return SealWelcome(Suite(), info_, joiner_, {}, no_psk_.span(),
                       {{&other_kp_, nullptr}, {&kp_, &path_}}, crypto::SystemRandom())
        .value();
  }

  SignatureKeyPair signer_;
  HpkeKeyPair init_, other_init_;
  KeyPackage kp_, other_kp_;
  GroupInfo info_;
  SecretBytes joiner_, path_, no_psk_;
};

TEST_F(WelcomeTest, EachNewMemberOpensItsOwnSecretsAndTheSignedGroupInfo) {
  const Bytes wire = EncodeMlsMessage(MlsMessage{Seal()});
  const Welcome welcome = std::get<Welcome>(DecodeMlsMessage(wire).value().body);
  const GroupSecrets mine = OpenGroupSecrets(Suite(), welcome, kp_, init_.private_key).value();
  EXPECT_EQ(mine.joiner_secret, joiner_);
  ASSERT_TRUE(mine.path_secret.has_value());
  EXPECT_EQ(*mine.path_secret, path_);
  const GroupSecrets theirs =
      OpenGroupSecrets(Suite(), welcome, other_kp_, other_init_.private_key).value();
  EXPECT_FALSE(theirs.path_secret.has_value());
  const GroupInfo info =
      DecryptGroupInfo(Suite(), welcome, mine.joiner_secret.span(), no_psk_.span()).value();
  EXPECT_EQ(info.group_context, info_.group_context);
  EXPECT_TRUE(VerifyGroupInfo(Suite(), info, signer_.public_key).ok());
}

TEST_F(WelcomeTest, TheWrongKeyAMissingEntryAndTamperingAreRefused) {
  const Welcome welcome = Seal();
  KeyPackage stranger = kp_;
  stranger.init_key = Bytes(32, 7);
  EXPECT_EQ(OpenGroupSecrets(Suite(), welcome, stranger, init_.private_key).status().code(),
            StatusCode::kInvalidArgument);  // no entry for its reference
  EXPECT_EQ(OpenGroupSecrets(Suite(), welcome, kp_, other_init_.private_key).status().code(),
            StatusCode::kAuthenticationFailed);
  Welcome bad = welcome;
  bad.encrypted_group_info[0] ^= 1;  // also the group secrets' HPKE context
  EXPECT_EQ(OpenGroupSecrets(Suite(), bad, kp_, init_.private_key).status().code(),
            StatusCode::kAuthenticationFailed);
  EXPECT_EQ(DecryptGroupInfo(Suite(), bad, joiner_.span(), no_psk_.span()).status().code(),
            StatusCode::kAuthenticationFailed);
  const SecretBytes some_psk(Bytes(32, 3));
  EXPECT_EQ(DecryptGroupInfo(Suite(), welcome, joiner_.span(), some_psk.span()).status().code(),
            StatusCode::kAuthenticationFailed);  // the PSKs are bound into the welcome secret
  GroupInfo forged = info_;
  forged.group_context.epoch = 4;
  EXPECT_EQ(VerifyGroupInfo(Suite(), forged, signer_.public_key).code(), StatusCode::kBadSignature);
}

}  // namespace
}  // namespace qfs::mls
