#include "mls/tls_codec.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"

namespace qfs::mls {
namespace {

Bytes Hex(std::string_view s) { return HexDecode(s).value(); }

TEST(VarInt, ShortestEncodingAtEachBoundary) {
  EXPECT_EQ(HexEncode(EncodeVarInt(0)), "00");
  EXPECT_EQ(HexEncode(EncodeVarInt(63)), "3f");
  EXPECT_EQ(HexEncode(EncodeVarInt(64)), "4040");
  EXPECT_EQ(HexEncode(EncodeVarInt(16383)), "7fff");
  EXPECT_EQ(HexEncode(EncodeVarInt(16384)), "80004000");
  EXPECT_EQ(HexEncode(EncodeVarInt(kVarIntMax)), "bfffffff");
  for (std::uint32_t v : {0u, 1u, 63u, 64u, 300u, 16383u, 16384u, 1u << 20, kVarIntMax}) {
    const Bytes e = EncodeVarInt(v);
    TlsReader r(e);
    EXPECT_EQ(r.VarInt().value(), v);
    EXPECT_TRUE(r.ExpectEnd().ok());
  }
}

TEST(VarInt, RefusesLongFormsThePrefix11AndTruncation) {
  const Bytes long_forms[] = {Hex("4000"), Hex("403f"), Hex("80000000"), Hex("80003fff")};
  for (const Bytes& b : long_forms) {
    TlsReader r(b);
    EXPECT_EQ(r.VarInt().status().code(), StatusCode::kNonCanonical) << HexEncode(b);
  }
  const Bytes prefix11 = Hex("c000000000000000");
  TlsReader r11(prefix11);
  EXPECT_EQ(r11.VarInt().status().code(), StatusCode::kBadLength);
  const Bytes cut = Hex("8000");
  TlsReader rc(cut);
  EXPECT_EQ(rc.VarInt().status().code(), StatusCode::kTruncated);
}

TEST(TlsCodec, VectorsOptionalsAndIntegersRoundTrip) {
  TlsWriter w;
  w.U8(7);
  w.U16(0x1234);
  w.U32(0xdeadbeef);
  w.U64(0x0102030405060708);
  w.Opaque(Hex("aabbcc"));
  w.Vector([](TlsWriter& items) {
    items.U16(1);
    items.U16(2);
  });
  w.Optional(false, [](TlsWriter&) {});
  w.Optional(true, [](TlsWriter& x) { x.U8(9); });
  EXPECT_EQ(HexEncode(w.bytes()),
            "071234deadbeef010203040506070803aabbcc04000100020001"
            "09");
  TlsReader r(w.bytes());
  EXPECT_EQ(r.U8().value(), 7);
  EXPECT_EQ(r.U16().value(), 0x1234);
  EXPECT_EQ(r.U32().value(), 0xdeadbeef);
  EXPECT_EQ(r.U64().value(), 0x0102030405060708u);
  EXPECT_EQ(HexEncode(r.Opaque().value()), "aabbcc");
  TlsReader items = r.Vector().value();
  EXPECT_EQ(items.U16().value(), 1);
  EXPECT_EQ(items.U16().value(), 2);
  EXPECT_TRUE(items.empty());
  EXPECT_FALSE(r.Presence().value());
  EXPECT_TRUE(r.Presence().value());
  EXPECT_EQ(r.U8().value(), 9);
  EXPECT_TRUE(r.ExpectEnd().ok());
}

TEST(TlsCodec, RefusesOverlongVectorsBadPresenceAndTrailingBytes) {
  const Bytes claims_more = Hex("05aabb");  // a 5-byte vector with 2 bytes left
  TlsReader r1(claims_more);
  EXPECT_EQ(r1.Opaque().status().code(), StatusCode::kTruncated);
  const Bytes big = Hex("4040");  // 64 bytes claimed, limit 10
  TlsReader r2(big);
  EXPECT_EQ(r2.Opaque(10).status().code(), StatusCode::kTooLarge);
  const Bytes presence = Hex("02");
  TlsReader r3(presence);
  EXPECT_EQ(r3.Presence().status().code(), StatusCode::kNonCanonical);
  const Bytes extra = Hex("0100");
  TlsReader r4(extra);
  EXPECT_EQ(r4.U8().value(), 1);
  EXPECT_EQ(r4.ExpectEnd().code(), StatusCode::kTrailingBytes);
}

// A writer for secrets moves its own buffers (wiping the old ones) but writes the same bytes.
TEST(TlsCodec, ASecretWriterWritesTheSameBytes) {
  const auto write = [](TlsWriter& w) {
    for (int i = 0; i < 300; ++i) {
      w.U16(static_cast<std::uint16_t>(i));
      w.Vector([&](TlsWriter& items) {
        for (int j = 0; j < i % 7; ++j) items.Opaque(Bytes(static_cast<std::size_t>(j * 40), 7));
      });
      w.Optional(i % 2 == 0, [&](TlsWriter& o) { o.U64(static_cast<std::uint64_t>(i)); });
    }
  };
  TlsWriter plain;
  TlsWriter secret = TlsWriter::ForSecrets();
  write(plain);
  write(secret);
  EXPECT_EQ(plain.bytes(), secret.bytes());
  EXPECT_GT(secret.bytes().size(), 10000u);
}

}  // namespace
}  // namespace qfs::mls
