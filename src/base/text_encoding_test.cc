#include "base/text_encoding.h"

#include <gtest/gtest.h>

namespace qfs {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(Hex, RoundTrip) {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "0001abff");
  EXPECT_EQ(HexDecode("0001abff").value(), data);
  EXPECT_EQ(HexDecode("0001ABFF").value(), data);
  EXPECT_TRUE(HexDecode("").value().empty());
}

TEST(Hex, RejectsMalformed) {
  EXPECT_EQ(HexDecode("abc").code(), StatusCode::kParseError);
  EXPECT_EQ(HexDecode("0g").code(), StatusCode::kParseError);
  EXPECT_EQ(HexDecode("0x00").code(), StatusCode::kParseError);
  EXPECT_EQ(HexDecode(" 00").code(), StatusCode::kParseError);
}

// RFC 4648 section 10.
TEST(Base64, Rfc4648Vectors) {
  const char* cases[][2] = {{"", ""},
                            {"f", "Zg=="},
                            {"fo", "Zm8="},
                            {"foo", "Zm9v"},
                            {"foob", "Zm9vYg=="},
                            {"fooba", "Zm9vYmE="},
                            {"foobar", "Zm9vYmFy"}};
  for (auto& c : cases) {
    EXPECT_EQ(Base64Encode(B(c[0])), c[1]);
    EXPECT_EQ(Base64Decode(c[1]).value(), B(c[0]));
  }
}

TEST(Base64, RejectsMalformedAndNonCanonical) {
  EXPECT_EQ(Base64Decode("Zg=").code(), StatusCode::kParseError);
  EXPECT_EQ(Base64Decode("Zg").code(), StatusCode::kParseError);
  EXPECT_EQ(Base64Decode("Z===").code(), StatusCode::kParseError);
  EXPECT_EQ(Base64Decode("Zm9v\n").code(), StatusCode::kParseError);
  EXPECT_EQ(Base64Decode("Zh==").code(), StatusCode::kNonCanonical);  // unused bits set
  EXPECT_EQ(Base64Decode("Zm9=").code(), StatusCode::kNonCanonical);
  EXPECT_EQ(Base64Decode("Zg==Zg==").code(), StatusCode::kParseError);  // padding mid-stream
  EXPECT_EQ(Base64Decode("Z-9v").code(), StatusCode::kParseError);      // url alphabet
}

}  // namespace
}  // namespace qfs
