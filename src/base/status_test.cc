#include "base/status.h"

#include <gtest/gtest.h>

namespace qfs {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status(StatusCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  QFS_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status s(StatusCode::kOverflow, "too big");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOverflow);
  EXPECT_EQ(s.ToString(), "OVERFLOW: too big");
}

TEST(Status, CodesHaveStableNames) {
  EXPECT_EQ(StatusCodeName(StatusCode::kDomainError), "DOMAIN_ERROR");
  EXPECT_EQ(static_cast<int>(StatusCode::kDomainError), 23);
  EXPECT_EQ(StatusCodeName(StatusCode::kNonCanonical), "NON_CANONICAL");
  EXPECT_EQ(static_cast<int>(StatusCode::kNonCanonical), 40);
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = Half(3);
  EXPECT_DEATH((void)r.value(), "QFS_CHECK failed");
}

}  // namespace
}  // namespace qfs
