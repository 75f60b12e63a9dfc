#include "codec/json.h"

#include <gtest/gtest.h>

namespace qfs::codec {
namespace {

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  Json v = ParseJson(R"({ "b": 1, "a": [true, null, "x"], "c": {"z": 0, "y": -3} })").value();
  EXPECT_EQ(CanonicalJson(v).value(), R"({"a":[true,null,"x"],"b":1,"c":{"y":-3,"z":0}})");
}

TEST(CanonicalJson, EscapesOnlyWhatItMust) {
  Json v = Json::object({{"s", "q\"b\\n\n\x01\xc3\xa9/"}});
  EXPECT_EQ(CanonicalJson(v).value(), "{\"s\":\"q\\\"b\\\\n\\n\\u0001\xc3\xa9/\"}");
}

TEST(CanonicalJson, RejectsFloatsAndUnsafeIntegers) {
  EXPECT_EQ(CanonicalJson(Json(1.5)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CanonicalJson(Json(std::uint64_t{1} << 53)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CanonicalJson(Json(-(std::int64_t{1} << 53))).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CanonicalJson(Json(kJsonSafeIntegerMax)).ok());
  EXPECT_EQ(CanonicalJson(Json::array({Json::object({{"a", 0.1}})})).code(),
            StatusCode::kInvalidArgument);
}

TEST(ParseJson, RejectsDuplicateKeysAndMalformedText) {
  EXPECT_EQ(ParseJson(R"({"a":1,"a":2})").code(), StatusCode::kParseError);
  EXPECT_EQ(ParseJson(R"({"x":{"a":1,"a":2}})").code(), StatusCode::kParseError);
  EXPECT_TRUE(ParseJson(R"([{"a":1},{"a":2}])").ok());  // same key in sibling objects
  EXPECT_TRUE(ParseJson(R"({"x":{"a":1},"a":2})").ok());
  EXPECT_EQ(ParseJson("{").code(), StatusCode::kParseError);
  EXPECT_EQ(ParseJson("\"\xff\"").code(), StatusCode::kParseError);
  EXPECT_EQ(ParseJson("[1] x").code(), StatusCode::kParseError);
}

TEST(ParseJson, BoundsDepthAndSize) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_EQ(ParseJson(deep).code(), StatusCode::kTooLarge);
  std::string ok(10, '[');
  ok += std::string(10, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  EXPECT_EQ(ParseJson(std::string(kJsonTextBytesMax + 1, ' ')).code(), StatusCode::kTooLarge);
}

}  // namespace
}  // namespace qfs::codec
