#include "codec/encoding.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"

namespace qfs::codec {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

TEST(Writer, FixedLayoutBigEndian) {
  Writer w;
  w.U8(1);
  w.U16(0x0203);
  w.U32(0x04050607);
  w.U64(0x08090a0b0c0d0e0full);
  w.I64(-2);
  w.Bool(true);
  w.String("hé");
  w.LengthPrefixedBytes(H("ff00"));
  w.Count(3);
  w.U128(static_cast<u128>(1) << 64 | 2);
  EXPECT_EQ(HexEncode(w.bytes()),
            "01"
            "0203"
            "04050607"
            "08090a0b0c0d0e0f"
            "fffffffffffffffe"
            "01"
            "00000003"
            "68c3a9"
            "00000002"
            "ff00"
            "00000003"
            "0000000000000001"
            "0000000000000002");
}

TEST(Reader, RoundTrip) {
  Writer w;
  w.U16(513);
  w.I128(-5);
  w.String("abc");
  w.Bool(false);
  Bytes b = w.Take();
  Reader r(b);
  EXPECT_EQ(r.U16().value(), 513);
  EXPECT_EQ(r.I128().value(), -5);
  EXPECT_EQ(r.String().value(), "abc");
  EXPECT_FALSE(r.Bool().value());
  EXPECT_TRUE(r.ExpectEnd().ok());
}

TEST(Reader, RejectsTruncatedInput) {
  Bytes b = H("0000");
  Reader r(b);
  EXPECT_EQ(r.U32().code(), StatusCode::kTruncated);
  Bytes s = H("00000005616263");  // says 5 bytes, has 3
  Reader r2(s);
  Result<std::string> str = r2.String();
  EXPECT_EQ(str.code(), StatusCode::kTruncated);
  EXPECT_EQ(str.status().message(), "input ends inside bytes at byte 4");
}

TEST(Reader, RejectsNonCanonicalBool) {
  Bytes b = H("02");
  Reader r(b);
  EXPECT_EQ(r.Bool().code(), StatusCode::kNonCanonical);
}

TEST(Reader, RejectsTrailingBytes) {
  Bytes b = H("0001ff");
  Reader r(b);
  EXPECT_EQ(r.U16().value(), 1);
  Status end = r.ExpectEnd();
  EXPECT_EQ(end.code(), StatusCode::kTrailingBytes);
  EXPECT_EQ(end.message(), "1 bytes after the value at byte 2");
}

TEST(Reader, RejectsOversizedLengthsBeforeAllocating) {
  Bytes b = H("ffffffff");
  Reader r(b);
  EXPECT_EQ(r.LengthPrefixedBytes().code(), StatusCode::kTooLarge);
  Reader r2(b);
  EXPECT_EQ(r2.Count(1).code(), StatusCode::kTooLarge);
  Bytes c = H("0000ffff");  // 65535 items claimed, no bytes left
  Reader r3(c);
  EXPECT_EQ(r3.Count(1).code(), StatusCode::kTruncated);
  Bytes d = H("00000003616263");
  Reader r4(d);
  EXPECT_EQ(r4.LengthPrefixedBytes(2).code(), StatusCode::kTooLarge);
}

TEST(Reader, RejectsInvalidUtf8) {
  for (std::string_view bad :
       {"00000001ff", "00000002c0af", "00000003eda080", "00000004f4908080", "00000001c3"}) {
    Bytes b = H(bad);
    Reader r(b);
    EXPECT_EQ(r.String().code(), StatusCode::kNonCanonical) << bad;
  }
  Bytes ok = H("00000004f09f9880");  // U+1F600
  Reader r(ok);
  EXPECT_TRUE(r.String().ok());
}

TEST(Reader, MapKeysMustStrictlyIncrease) {
  Bytes a = H("0001"), b = H("0002"), prefix = H("00");
  EXPECT_TRUE(Reader::CheckKeyOrder(a, b).ok());
  EXPECT_TRUE(Reader::CheckKeyOrder(prefix, a).ok());
  EXPECT_EQ(Reader::CheckKeyOrder(b, a).code(), StatusCode::kNonCanonical);
  EXPECT_EQ(Reader::CheckKeyOrder(a, a).code(), StatusCode::kNonCanonical);
}

TEST(Reader, NestingIsBounded) {
  Bytes empty;
  Reader r(empty);
  for (std::size_t i = 0; i < kCodecNestingDepthMax; ++i) ASSERT_TRUE(r.Enter().ok());
  EXPECT_EQ(r.Enter().code(), StatusCode::kTooLarge);
  r.Leave();
  EXPECT_TRUE(r.Enter().ok());
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));           // euro sign
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\x80"));          // overlong NUL
}

}  // namespace
}  // namespace qfs::codec
