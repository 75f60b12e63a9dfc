#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <functional>
#include <string_view>

namespace qfs {
namespace {

using Extend = std::function<std::uint32_t(std::uint32_t, ByteSpan)>;

// RFC 3720 appendix B.4 and the common "123456789" check value, on both implementations.
void CheckKnownAnswers(const Extend& extend) {
  Bytes zeros(32, 0), ones(32, 0xFF), up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    down[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(31 - i);
  }
  const std::string_view check = "123456789";
  EXPECT_EQ(extend(0, ByteSpan(reinterpret_cast<const std::uint8_t*>(check.data()), check.size())),
            0xE3069283u);
  EXPECT_EQ(extend(0, zeros), 0x8A9136AAu);
  EXPECT_EQ(extend(0, ones), 0x62A8AB43u);
  EXPECT_EQ(extend(0, up), 0x46DD794Eu);
  EXPECT_EQ(extend(0, down), 0x113FDB5Cu);
  EXPECT_EQ(extend(0, ByteSpan()), 0u);
}

TEST(Crc32c, KnownAnswers) {
  CheckKnownAnswers(Crc32cExtend);
  CheckKnownAnswers(Crc32cExtendPortable);
}

TEST(Crc32c, ExtendingEqualsOneShotAndPathsAgree) {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 131 + 7);
  for (std::size_t len = 0; len <= data.size(); len += 37) {
    ByteSpan all = ByteSpan(data).first(len);
    const std::uint32_t whole = Crc32c(all);
    ASSERT_EQ(whole, Crc32cExtendPortable(0, all)) << len;
    for (std::size_t cut = 0; cut <= len; cut += 13) {
      ASSERT_EQ(Crc32cExtend(Crc32c(all.first(cut)), all.subspan(cut)), whole) << len << "/" << cut;
    }
  }
  // Any single flipped bit changes the checksum.
  const std::uint32_t base = Crc32c(data);
  for (std::size_t bit = 0; bit < 8 * data.size(); bit += 97) {
    data[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_NE(Crc32c(data), base) << bit;
    data[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  }
}

}  // namespace
}  // namespace qfs
