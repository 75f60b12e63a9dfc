#include "math/fixed.h"

#include <gtest/gtest.h>

namespace qfs::math {
namespace {

UD128x18 U(const char* s) { return UD128x18::Parse(s).value(); }
SD128x18 S(const char* s) { return SD128x18::Parse(s).value(); }

TEST(UD128x18, ParseAndFormat) {
  EXPECT_EQ(U("2").ToString(), "2.000000000000000000");
  EXPECT_EQ(U("2.5").ToString(), "2.500000000000000000");
  EXPECT_EQ(U("0.000000000000000001").raw(), 1u);
  EXPECT_EQ(U("1.0000000000000000000000").raw(), kScale);  // zeros past the 18th are fine
  EXPECT_EQ(U("340282366920938463463.374607431768211455").raw(), kU128Max);
  EXPECT_EQ(UD128x18::Max().ToString(), "340282366920938463463.374607431768211455");
  EXPECT_EQ(U("007.5").ToString(), "7.500000000000000000");
}

TEST(UD128x18, ParseRejects) {
  EXPECT_EQ(UD128x18::Parse("").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse("-1").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse("+1").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse("1.").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse(".5").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse("1e5").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse(" 1").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse("0.0000000000000000001").code(), StatusCode::kParseError);
  EXPECT_EQ(UD128x18::Parse("340282366920938463463.374607431768211456").code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(UD128x18::Parse("99999999999999999999999999999999999999999").code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(UD128x18::Parse(std::string(200, '1')).code(), StatusCode::kTooLarge);
}

TEST(SD128x18, ParseAndFormat) {
  EXPECT_EQ(S("-2.5").ToString(), "-2.500000000000000000");
  EXPECT_EQ(S("-0").raw(), 0);
  EXPECT_EQ(S("-170141183460469231731.687303715884105728").raw(), kI128Min);
  EXPECT_EQ(SD128x18::Min().ToString(), "-170141183460469231731.687303715884105728");
  EXPECT_EQ(SD128x18::Parse("170141183460469231731.687303715884105728").code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(SD128x18::Parse("--1").code(), StatusCode::kParseError);
  EXPECT_EQ(SD128x18::Parse("-").code(), StatusCode::kParseError);
}

TEST(UD128x18, AddSubOverflowUnderflow) {
  EXPECT_EQ(Add(U("1.5"), U("2.25")).value(), U("3.75"));
  EXPECT_EQ(Add(UD128x18::Max(), UD128x18::FromRaw(1)).code(), StatusCode::kOverflow);
  EXPECT_EQ(Sub(U("1"), U("2")).code(), StatusCode::kUnderflow);  // never saturates
  EXPECT_EQ(Sub(U("2"), U("0.5")).value(), U("1.5"));
}

TEST(UD128x18, MulDivFloorWith256BitIntermediate) {
  EXPECT_EQ(Mul(U("2"), U("2")).value(), U("4"));
  EXPECT_EQ(Mul(U("0.000000000000000001"), U("0.5")).value(), U("0"));  // floor
  EXPECT_EQ(Div(U("1"), U("3")).value(), U("0.333333333333333333"));
  EXPECT_EQ(Div(U("2"), U("3")).value(), U("0.666666666666666666"));
  // Large operands whose product exceeds 2^128 before scaling still give exact floors.
  UD128x18 big = U("100000000000000000000");  // 1e20
  EXPECT_EQ(Mul(big, U("3.4")).value(), U("340000000000000000000"));
  EXPECT_EQ(Div(big, U("0.5")).value(), U("200000000000000000000"));
  EXPECT_EQ(Mul(big, U("4")).code(), StatusCode::kOverflow);
  EXPECT_EQ(Div(big, U("0.1")).code(), StatusCode::kOverflow);
  EXPECT_EQ(Div(U("1"), U("0")).code(), StatusCode::kDivisionByZero);
  EXPECT_EQ(Mod(U("7.5"), U("2")).value(), U("1.5"));
  EXPECT_EQ(Mod(U("7.5"), U("0")).code(), StatusCode::kDivisionByZero);
  EXPECT_EQ(MulInt(U("1.5"), 3).value(), U("4.5"));
  EXPECT_EQ(DivInt(U("10"), 4).value(), U("2.5"));
  EXPECT_EQ(DivInt(U("10"), 0).code(), StatusCode::kDivisionByZero);
}

TEST(UD128x18, MinMaxClamp) {
  EXPECT_EQ(Min(U("1"), U("2")), U("1"));
  EXPECT_EQ(Max(U("1"), U("2")), U("2"));
  EXPECT_EQ(Clamp(U("5"), U("1"), U("3")), U("3"));
  EXPECT_EQ(Clamp(U("0.5"), U("1"), U("3")), U("1"));
}

TEST(SD128x18, SignedFloorTowardNegativeInfinity) {
  EXPECT_EQ(Div(S("-1"), S("3")).value(), S("-0.333333333333333334"));
  EXPECT_EQ(Div(S("1"), S("-3")).value(), S("-0.333333333333333334"));
  EXPECT_EQ(Div(S("-1"), S("-3")).value(), S("0.333333333333333333"));
  EXPECT_EQ(Mul(S("-0.000000000000000001"), S("0.5")).value(), S("-0.000000000000000001"));
  EXPECT_EQ(Mul(S("-2"), S("3")).value(), S("-6"));
  EXPECT_EQ(Mod(S("-7"), S("2")).value(), S("1"));
  EXPECT_EQ(Mod(S("7"), S("-2")).value(), S("-1"));
  EXPECT_EQ(DivInt(S("-7"), 2).value(), S("-3.5"));
  EXPECT_EQ(DivInt(SD128x18::FromRaw(-7), 2).value().raw(), -4);
  EXPECT_EQ(Neg(SD128x18::Min()).code(), StatusCode::kOverflow);
  EXPECT_EQ(Abs(S("-3")).value(), S("3"));
  EXPECT_EQ(Sub(SD128x18::Min(), S("1")).code(), StatusCode::kOverflow);
  EXPECT_EQ(DivInt(SD128x18::Min(), -1).code(), StatusCode::kOverflow);
  EXPECT_EQ(Mod(SD128x18::Min(), SD128x18::FromRaw(-1)).value(), S("0"));
  EXPECT_EQ(Mul(SD128x18::Min(), S("1")).value(), SD128x18::Min());
  EXPECT_EQ(Mul(SD128x18::Min(), S("-1")).code(), StatusCode::kOverflow);
}

TEST(Conversions, SignedUnsigned) {
  EXPECT_EQ(ToUnsigned(S("-1")).code(), StatusCode::kUnderflow);
  EXPECT_EQ(ToUnsigned(S("1.5")).value(), U("1.5"));
  EXPECT_EQ(ToSigned(UD128x18::Max()).code(), StatusCode::kOverflow);
  EXPECT_EQ(UD128x18::FromInteger(3).value(), U("3"));
  EXPECT_EQ(UD128x18::FromInteger(kU128Max).code(), StatusCode::kOverflow);
}

}  // namespace
}  // namespace qfs::math
