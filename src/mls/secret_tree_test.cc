#include "mls/secret_tree.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"

namespace qfs::mls {
namespace {

SecretTree MakeTree(std::uint32_t leaves, SecretTreeOptions options = {}) {
  const CipherSuite suite = CipherSuite::Find(kSuiteX25519Aes128GcmSha256Ed25519).value();
  return SecretTree(suite, SecretBytes(Bytes(32, 0x42)), leaves, options);
}

TEST(SecretTree, SenderAndReceiverAgreeAndKeysAreSingleUse) {
  SecretTree sender = MakeTree(4), receiver = MakeTree(4);
  for (std::uint32_t g = 0; g < 3; ++g) {
    KeyAndNonce sent = sender.Next(2, RatchetKind::kApplication);
    ASSERT_EQ(sent.generation, g);
    KeyAndNonce got = receiver.Get(2, RatchetKind::kApplication, g).value();
    EXPECT_EQ(HexEncode(sent.key.span()), HexEncode(got.key.span()));
    EXPECT_EQ(HexEncode(sent.nonce.span()), HexEncode(got.nonce.span()));
    EXPECT_EQ(receiver.Get(2, RatchetKind::kApplication, g).status().code(),
              StatusCode::kNotFound);  // used once, then gone
  }
  // The two ratchets of a leaf, and different leaves, give different keys.
  EXPECT_NE(HexEncode(sender.Next(2, RatchetKind::kHandshake).key.span()),
            HexEncode(sender.Next(1, RatchetKind::kHandshake).key.span()));
}

TEST(SecretTree, OutOfOrderWithinTheWindowAndNotBeyond) {
  SecretTree tree = MakeTree(2, {.out_of_order_keys = 4, .forward_generations_max = 10});
  EXPECT_TRUE(tree.Get(0, RatchetKind::kApplication, 6).ok());  // skips 0..5, keeps 2..5
  EXPECT_TRUE(tree.Get(0, RatchetKind::kApplication, 3).ok());  // late, still kept
  EXPECT_EQ(tree.Get(0, RatchetKind::kApplication, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tree.Get(0, RatchetKind::kApplication, 18).status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(tree.Get(2, RatchetKind::kApplication, 0).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace qfs::mls
