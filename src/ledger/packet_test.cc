#include "ledger/packet.h"

#include <gtest/gtest.h>

#include "base/limits.h"
#include "base/text_encoding.h"

namespace qfs::ledger {
namespace {

IdentityId Id(std::uint8_t fill) {
  IdentityId id;
  id.bytes.fill(fill);
  return id;
}

Amount Tokens(std::uint64_t whole) { return Amount::FromInteger(whole).value(); }

std::vector<Operation> EveryOperation() {
  OperationId pending;
  pending.bytes.fill(0x42);
  return {RegisterIdentity{5, Bytes(32, 1), Bytes(65, 2)},
          RegisterIdentity{1, Bytes(32, 1), {}},
          AddKey{1, Bytes(32, 3)},
          RevokeKey{KeyId{2}},
          RotateKey{3, Bytes(1952, 4), KeyId{0}},
          SetRoles{Id(7), kRoleMinter | kRoleBurner},
          Mint{Id(8), Token::kFlx, Tokens(1000)},
          Burn{Token::kNod, Tokens(3)},
          Transfer{{Id(9), Token::kAtr, Amount::FromRaw(1)}},
          Batch{{{Id(9), Token::kAtr, Tokens(1)}, {Id(10), Token::kChr, Tokens(2)}}},
          Reserve{{Id(11), Token::kAtr, Tokens(5)}, 60'000'000},
          PostPending{pending},
          VoidPending{pending}};
}

Packet MakePacket(const Operation& op) {
  Packet p;
  p.network = 7;
  p.signer = Id(0xAB);
  p.key = KeyId{1};
  p.sequence = 12;
  p.client_time_us = 1'700'000'000'000'000;
  p.operation_id.bytes.fill(0x11);
  p.operation = op;
  p.algorithm = 1;
  p.signature = Bytes(64, 0x5A);
  return p;
}

TEST(Packet, EveryOperationRoundTrips) {
  for (const Operation& op : EveryOperation()) {
    const Packet p = MakePacket(op);
    const Bytes wire = EncodePacket(p);
    Result<Packet> back = DecodePacket(wire);
    ASSERT_TRUE(back.ok()) << static_cast<int>(KindOf(op)) << " " << back.status().ToString();
    EXPECT_EQ(back.value(), p);
    EXPECT_EQ(EncodePacket(back.value()), wire);
  }
}

TEST(Packet, EncodingIsPinned) {
  // A change to this encoding changes every signature and entry hash: it needs a new version.
  const Packet p = MakePacket(Transfer{{Id(9), Token::kAtr, Amount::FromRaw(1)}});
  EXPECT_EQ(HexEncode(EncodePacket(p)),
            "0001"                                      // version
            "00000007"                                  // network
            "abababababababababababababababababababab"  // signer
            "00000001"                                  // key id
            "000000000000000c"                          // sequence
            "00060a24181e4000"                          // client time
            "11111111111111111111111111111111"          // operation id
            "000c"                                      // kind: transfer
            "0909090909090909090909090909090909090909"  // to
            "03"                                        // token ATR
            "00000000000000000000000000000001"          // amount (raw, 10^-18 ATR)
            "0001"                                      // algorithm
            "00000040" +                                // signature length
                HexEncode(Bytes(64, 0x5A)));
}

TEST(Packet, DecoderIsStrict) {
  const Bytes wire = EncodePacket(MakePacket(Transfer{{Id(9), Token::kAtr, Tokens(1)}}));
  Bytes trailing = wire;
  trailing.push_back(0);
  EXPECT_EQ(DecodePacket(trailing).status().code(), StatusCode::kTrailingBytes);
  EXPECT_EQ(DecodePacket(ByteSpan(wire).first(wire.size() - 1)).status().code(),
            StatusCode::kTruncated);
  Bytes bad_kind = wire;
  bad_kind[2 + 4 + 20 + 4 + 8 + 8 + 16 + 1] = 0x63;  // kind 99
  EXPECT_FALSE(DecodePacket(bad_kind).ok());
  Bytes bad_token = wire;
  bad_token[2 + 4 + 20 + 4 + 8 + 8 + 16 + 2 + 20] = 6;
  EXPECT_EQ(DecodePacket(bad_token).status().code(), StatusCode::kNonCanonical);
  EXPECT_EQ(DecodePacket(Bytes(kPacketBytesMax + 1, 0)).status().code(), StatusCode::kTooLarge);
  Bytes bad_roles = EncodePacket(MakePacket(SetRoles{Id(1), 1u << 9}));
  EXPECT_EQ(DecodePacket(bad_roles).status().code(), StatusCode::kNonCanonical);
}

Batch LegsBatch(std::size_t legs) {
  Batch batch;
  for (std::size_t i = 0; i < legs; ++i) {
    batch.legs.push_back({Id(static_cast<std::uint8_t>(i)), Token::kAtr, Tokens(i + 1)});
  }
  return batch;
}

// kBatchLegsMax is what fits in kPacketBytesMax with the largest signature: every registered
// scheme signs a full batch that the decoder takes, and one leg more is refused with any scheme
// (even Ed25519's, whose packet would still be under 64 KiB).
TEST(Packet, AFullBatchFitsEveryRegisteredSchemeAndOneLegMoreIsRefused) {
  for (const crypto::SignatureScheme* scheme : crypto::SignatureRegistry::Default().schemes()) {
    crypto::SignatureKeyPair kp = scheme->KeyPairFromSeed(Bytes(scheme->seed_bytes(), 5)).value();
    Packet p = MakePacket(LegsBatch(kBatchLegsMax));
    EXPECT_TRUE(CheckPacketEncodable(p, scheme->signature_bytes()).ok()) << scheme->name();
    ASSERT_TRUE(SignPacket(p, *scheme, kp.secret_key).ok());
    const Bytes wire = EncodePacket(p);
    EXPECT_LE(wire.size(), kPacketBytesMax) << scheme->name();
    EXPECT_EQ(wire.size(),
              kBatchPacketBytesLargest - kSignatureBytesLargest + scheme->signature_bytes());
    EXPECT_EQ(DecodePacket(wire).value(), p) << scheme->name();

    Packet over = MakePacket(LegsBatch(kBatchLegsMax + 1));
    const Status refused = CheckPacketEncodable(over, scheme->signature_bytes());
    EXPECT_FALSE(refused.ok()) << scheme->name();
    ASSERT_TRUE(SignPacket(over, *scheme, kp.secret_key).ok());
    EXPECT_EQ(DecodePacket(EncodePacket(over)).status().code(), refused.code()) << scheme->name();
  }
  // The encoder agrees with the layout facts in base/limits.h.
  const Bytes empty = EncodePacket(MakePacket(Batch{}));
  EXPECT_EQ(empty.size(), kPacketHeaderBytes + kPacketBatchCountBytes +
                              kPacketSignatureFramingBytes + MakePacket(Batch{}).signature.size());
  EXPECT_EQ(EncodePacket(MakePacket(LegsBatch(1))).size(), empty.size() + kPacketLegBytes);
}

TEST(Packet, CheckPacketEncodableRefusesWhatTheNodeWould) {
  EXPECT_TRUE(CheckPacketEncodable(MakePacket(AddKey{1, Bytes(32, 3)}), 64).ok());
  EXPECT_FALSE(
      CheckPacketEncodable(MakePacket(AddKey{1, Bytes(kPublicKeyBytesMax + 1, 3)}), 64).ok());
  EXPECT_EQ(
      CheckPacketEncodable(MakePacket(Transfer{{Id(9), Token::kAtr, Tokens(1)}}), kPacketBytesMax)
          .code(),
      StatusCode::kTooLarge);
}

TEST(Packet, SignaturesCoverEveryFieldAndVerifyThroughTheRegistry) {
  const crypto::SignatureRegistry& registry = crypto::SignatureRegistry::Default();
  for (crypto::SignatureAlgorithm alg :
       {crypto::SignatureAlgorithm::kEd25519, crypto::SignatureAlgorithm::kEd25519MlDsa65}) {
    const crypto::SignatureScheme* scheme = registry.Find(alg).value();
    crypto::SignatureKeyPair kp = scheme->KeyPairFromSeed(Bytes(scheme->seed_bytes(), 3)).value();
    Packet p = MakePacket(Mint{Id(8), Token::kFlx, Tokens(10)});
    ASSERT_TRUE(SignPacket(p, *scheme, kp.secret_key).ok());
    EXPECT_TRUE(scheme->Verify(kp.public_key, SigningMessage(p), p.signature).ok());
    Packet changed = p;
    changed.sequence += 1;
    EXPECT_FALSE(scheme->Verify(kp.public_key, SigningMessage(changed), p.signature).ok());
    changed = p;
    std::get<Mint>(changed.operation).amount = Tokens(11);
    EXPECT_FALSE(scheme->Verify(kp.public_key, SigningMessage(changed), p.signature).ok());
  }
}

TEST(Packet, IdentitiesAndNames) {
  const IdentityId a = DeriveIdentity(1, Bytes(32, 1));
  EXPECT_NE(a, DeriveIdentity(1, Bytes(32, 2)));
  EXPECT_NE(a, DeriveIdentity(5, Bytes(32, 1)));
  EXPECT_EQ(ParseIdentityId(a.ToHex()).value(), a);
  EXPECT_EQ(ParseIdentityId("0xABABABABABABABABABABABABABABABABABABABAB").value(), Id(0xAB));
  EXPECT_FALSE(ParseIdentityId("abab").ok());
  EXPECT_EQ(ParseToken("ATR"), Token::kAtr);
  EXPECT_FALSE(ParseToken("ETH").has_value());
  EXPECT_EQ(ResultCodeName(ResultCode::kInsufficientFunds), "INSUFFICIENT_FUNDS");
  EXPECT_TRUE(IsAdmissionCode(ResultCode::kInvalidSignature));
  EXPECT_FALSE(IsAdmissionCode(ResultCode::kInsufficientFunds));
  EXPECT_NE(RegistrationMessage(1, Id(1), 5, Bytes(3, 1)).find(Id(1).ToHex()), std::string::npos);
}

}  // namespace
}  // namespace qfs::ledger
