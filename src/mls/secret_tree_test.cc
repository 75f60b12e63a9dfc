#include "mls/secret_tree.h"

#include <gtest/gtest.h>

#include <string>

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

// Peek gives Get's key and errors but changes nothing: the same key can be peeked again, a later
// generation is still reachable, and nothing earlier is dropped from the window.
TEST(SecretTree, PeekingChangesNothing) {
  SecretTree peeked = MakeTree(2, {.out_of_order_keys = 2, .forward_generations_max = 10});
  SecretTree plain = MakeTree(2);
  const std::string ahead =
      HexEncode(peeked.Peek(1, RatchetKind::kHandshake, 9).value().key.span());
  EXPECT_EQ(ahead, HexEncode(peeked.Peek(1, RatchetKind::kHandshake, 9).value().key.span()));
  EXPECT_EQ(ahead, HexEncode(plain.Get(1, RatchetKind::kHandshake, 9).value().key.span()));
  // Had the peek at 9 moved the ratchet, 0 would now be outside a window of 2.
  EXPECT_TRUE(peeked.Get(1, RatchetKind::kHandshake, 0).ok());
  EXPECT_TRUE(peeked.Get(1, RatchetKind::kHandshake, 4).ok());  // keeps 2 and 3
  EXPECT_TRUE(peeked.Peek(1, RatchetKind::kHandshake, 3).ok());
  EXPECT_TRUE(peeked.Get(1, RatchetKind::kHandshake, 3).ok());  // still there after the peek
  EXPECT_EQ(peeked.Peek(1, RatchetKind::kHandshake, 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(peeked.Peek(1, RatchetKind::kHandshake, 16).status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(peeked.Peek(2, RatchetKind::kHandshake, 0).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace qfs::mls
