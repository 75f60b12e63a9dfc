#include "base/strings.h"

#include <gtest/gtest.h>

#include <sstream>

namespace qfs {
namespace {

TEST(Utf8, ValidatesWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));           // euro sign
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));       // emoji, four bytes
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));          // surrogate
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(Utf8, TruncationNeverSplitsACharacter) {
  const std::string euros = "\xe2\x82\xac\xe2\x82\xac";  // two 3-byte characters
  EXPECT_EQ(TruncateUtf8(euros, 6), euros);
  EXPECT_EQ(TruncateUtf8(euros, 5), "\xe2\x82\xac");
  EXPECT_EQ(TruncateUtf8(euros, 4), "\xe2\x82\xac");
  EXPECT_EQ(TruncateUtf8(euros, 3), "\xe2\x82\xac");
  EXPECT_EQ(TruncateUtf8(euros, 2), "");
  EXPECT_EQ(TruncateUtf8("abc", 2), "ab");
  // Every cut of a mixed string is valid UTF-8 and a prefix no longer than asked.
  const std::string mixed = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
  for (std::size_t n = 0; n <= mixed.size() + 1; ++n) {
    const std::string cut = TruncateUtf8(mixed, n);
    EXPECT_LE(cut.size(), n);
    EXPECT_TRUE(IsValidUtf8(cut)) << n;
    EXPECT_EQ(mixed.compare(0, cut.size(), cut), 0);
    EXPECT_GE(cut.size() + 3, std::min(n, mixed.size()));  // loses at most one character
  }
}

TEST(Utf8, SanitizingReplacesEachBadByte) {
  EXPECT_EQ(SanitizeUtf8("ok \xe2\x82\xac"), "ok \xe2\x82\xac");
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8(std::string("\0\x80\xc0\xaf", 4))));
}

TEST(ParseUint64, AcceptsDecimalsAndRefusesEverythingElse) {
  EXPECT_EQ(ParseUint64("0").value(), 0u);
  EXPECT_EQ(ParseUint64("007").value(), 7u);
  EXPECT_EQ(ParseUint64("18446744073709551615").value(), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "18446744073709551616",
                          "99999999999999999999999"}) {
    Result<std::uint64_t> r = ParseUint64(bad, "limit");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("limit"), std::string::npos);
  }
  EXPECT_EQ(ParseUint64("100", "n", 100).value(), 100u);
  EXPECT_FALSE(ParseUint64("101", "n", 100).ok());
  EXPECT_FALSE(ParseUint64("9", "n", 5).ok());
}

TEST(ReadBoundedLine, HoldsNoMoreThanTheBound) {
  std::istringstream in("short\r\n" + std::string(100, 'x') + "\nafter\nlast");
  std::string line;
  bool too_long = false;
  ASSERT_TRUE(ReadBoundedLine(in, 10, &line, &too_long));
  EXPECT_EQ(line, "short");
  EXPECT_FALSE(too_long);
  ASSERT_TRUE(ReadBoundedLine(in, 10, &line, &too_long));
  EXPECT_TRUE(too_long);
  EXPECT_TRUE(line.empty());
  ASSERT_TRUE(ReadBoundedLine(in, 10, &line, &too_long));
  EXPECT_EQ(line, "after");
  ASSERT_TRUE(ReadBoundedLine(in, 10, &line, &too_long));
  EXPECT_EQ(line, "last");
  EXPECT_FALSE(ReadBoundedLine(in, 10, &line, &too_long));
}

}  // namespace
}  // namespace qfs
