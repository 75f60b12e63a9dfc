// Known values and edge cases. The exhaustive check against an independent oracle is
// oracle_test.cc; the algebraic properties are properties_test.cc.
#include "math/functions.h"

#include <gtest/gtest.h>

#include "math/internal/kernels.h"

namespace qfs::math {
namespace {

UD128x18 U(const char* s) { return UD128x18::Parse(s).value(); }
SD128x18 S(const char* s) { return SD128x18::Parse(s).value(); }

// The values FACTS.md lists as raw integers at scale 10^18.
TEST(Functions, FactsValues) {
  EXPECT_EQ(Exp(U("1")).value().raw(), static_cast<u128>(2718281828459045235ull));
  EXPECT_EQ(Sqrt(U("2")).value().raw(), static_cast<u128>(1414213562373095048ull));
  EXPECT_EQ(Ln(U("2")).value().raw(), static_cast<u128>(693147180559945309ull));
  EXPECT_EQ(Ln(U("10")).value().raw(), static_cast<u128>(2302585092994045684ull));
  EXPECT_EQ(Pow(U("2"), U("2")).value(), U("4"));  // the original gave 3.999999999999999986
}

// The original's defects, each pinned.
TEST(Functions, OriginalDefectsAreAbsent) {
  EXPECT_EQ(Ln(S("0.8")).value(), S("-0.223143551314209756"));  // not ln(1.2)
  EXPECT_EQ(Ln(S("1.2")).value(), S("0.182321556793954626"));
  EXPECT_EQ(Ln(U("3")).value(), U("1.098612288668109691"));       // not ln(5)
  EXPECT_EQ(Sigmoid(S("2")).value(), S("0.880797077977882444"));  // not sigmoid(-2)
  EXPECT_EQ(Sigmoid(S("-2")).value(), S("0.119202922022117555"));
}

TEST(Functions, ExactCases) {
  EXPECT_EQ(Exp(U("0")).value(), U("1"));
  EXPECT_EQ(Ln(U("1")).value(), U("0"));
  EXPECT_EQ(Log2(U("8")).value(), U("3"));
  EXPECT_EQ(Log2(S("0.125")).value(), S("-3"));
  EXPECT_EQ(Log10(U("1000")).value(), U("3"));
  EXPECT_EQ(Log10(S("0.000000000000000001")).value(), S("-18"));
  EXPECT_EQ(Sqrt(U("4")).value(), U("2"));
  EXPECT_EQ(Sqrt(U("0.25")).value(), U("0.5"));
  EXPECT_EQ(Pow(U("4"), U("0.5")).value(), U("2"));
  EXPECT_EQ(Pow(U("0.25"), U("0.5")).value(), U("0.5"));
  EXPECT_EQ(Pow(U("8"), U("0")).value(), U("1"));
  EXPECT_EQ(Pow(U("0"), U("0")).value(), U("1"));
  EXPECT_EQ(Pow(U("0"), U("2.5")).value(), U("0"));
  EXPECT_EQ(Pow(S("2"), S("-2")).value(), S("0.25"));
  EXPECT_EQ(Pow(S("-2"), S("3")).value(), S("-8"));
  EXPECT_EQ(Pow(S("-2"), S("2")).value(), S("4"));
  EXPECT_EQ(Pow(S("1.5"), S("0.25")).value(), S("1.106681919700321592"));
  EXPECT_EQ(Pow(U("1024"), U("0.1")).value(), U("2"));
  EXPECT_EQ(Tanh(S("0")).value(), S("0"));
  EXPECT_EQ(Sigmoid(S("0")).value(), S("0.5"));
  EXPECT_EQ(Erf(S("0")).value(), S("0"));
}

TEST(Functions, NegativeResultsFloorDown) {
  EXPECT_EQ(Ln(S("0.999999999999999999")).value(), S("-0.000000000000000002"));
  EXPECT_EQ(Tanh(S("-1")).value(), S("-0.761594155955764889"));
  EXPECT_EQ(Erf(S("-1")).value(), S("-0.842700792949714870"));
  EXPECT_EQ(Pow(S("-3"), S("-1")).value(), S("-0.333333333333333334"));
}

TEST(Functions, Saturation) {
  EXPECT_EQ(Tanh(S("30")).value(), S("0.999999999999999999"));
  EXPECT_EQ(Tanh(S("-30")).value(), S("-1"));
  EXPECT_EQ(Erf(S("7")).value(), S("0.999999999999999999"));
  EXPECT_EQ(Erf(S("-7")).value(), S("-1"));
  EXPECT_EQ(Sigmoid(S("100")).value(), S("0.999999999999999999"));
  EXPECT_EQ(Sigmoid(S("-100")).value(), S("0"));
  EXPECT_EQ(Exp(S("-100")).value(), S("0"));
  EXPECT_EQ(Exp(SD128x18::Min()).value(), S("0"));
}

TEST(Functions, DomainAndOverflowErrors) {
  EXPECT_EQ(Ln(U("0")).code(), StatusCode::kDomainError);
  EXPECT_EQ(Ln(U("0.5")).code(), StatusCode::kDomainError);  // negative result in UD
  EXPECT_EQ(Ln(S("-1")).code(), StatusCode::kDomainError);
  EXPECT_EQ(Sqrt(S("-1")).code(), StatusCode::kDomainError);
  EXPECT_EQ(Exp(U("48")).code(), StatusCode::kOverflow);
  EXPECT_EQ(Exp(U("47.2")).value(), U("315282267886693688624.407768403726031956"));
  EXPECT_EQ(Exp(S("47.2")).code(), StatusCode::kOverflow);
  EXPECT_EQ(Exp(UD128x18::Max()).code(), StatusCode::kOverflow);
  EXPECT_EQ(Pow(S("0"), S("-1")).code(), StatusCode::kDivisionByZero);
  EXPECT_EQ(Pow(S("-2"), S("0.5")).code(), StatusCode::kDomainError);
  EXPECT_EQ(Pow(U("2"), U("200")).code(), StatusCode::kOverflow);
  EXPECT_EQ(Pow(U("10"), U("21")).code(), StatusCode::kOverflow);
  EXPECT_EQ(Pow(U("10"), U("20")).value(), U("100000000000000000000"));
}

// The higher-precision kernels agree with the first one wherever the first one decides.
TEST(Functions, PrecisionLevelsAgree) {
  for (u128 raw = 1; raw < static_cast<u128>(40) * kScale; raw = raw * 3 + 12345) {
    internal::Outcome low = internal::ExpKernel<2>(false, raw);
    internal::Outcome a = internal::ExpKernel<3>(false, raw);
    internal::Outcome b = internal::ExpKernel<6>(false, raw);
    internal::Outcome c = internal::ExpKernel<12>(false, raw);
    ASSERT_EQ(a.kind, internal::Outcome::Kind::kValue);
    EXPECT_EQ(a.floor, b.floor);
    EXPECT_EQ(a.floor, c.floor);
    if (low.kind == internal::Outcome::Kind::kValue) {
      EXPECT_EQ(low.floor, c.floor);
    }
    internal::Outcome la = internal::LogKernel<3>(internal::LogBase::kE, raw + 7);
    internal::Outcome lc = internal::LogKernel<12>(internal::LogBase::kE, raw + 7);
    EXPECT_EQ(la.floor, lc.floor);
    if (raw < internal::kErfSaturation) {
      EXPECT_EQ(internal::ErfKernel<3>(raw).floor, internal::ErfKernel<12>(raw).floor);
      EXPECT_EQ(internal::ErfKernel<2>(raw).floor, internal::ErfKernel<12>(raw).floor);
    }
  }
}

}  // namespace
}  // namespace qfs::math
