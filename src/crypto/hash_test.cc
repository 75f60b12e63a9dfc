#include "crypto/hash.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"
#include "crypto/cpu_testing.h"
#include "crypto/keccak.h"

namespace qfs::crypto {
namespace {

template <typename D>
std::string Hex(const D& d) {
  return HexEncode(ByteSpan(d.data(), d.size()));
}

// FIPS 180-4 and FIPS 202 examples.
TEST(Hash, KnownAnswers) {
  EXPECT_EQ(Hex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256(AsBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(Sha512(AsBytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(Hex(Sha3_256(AsBytes("abc"))),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(Hex(Sha3_512(AsBytes("abc"))),
            "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
            "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0");
  EXPECT_EQ(HexEncode(Shake128(AsBytes(""), 32)),
            "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
  EXPECT_EQ(HexEncode(Shake256(AsBytes(""), 32)),
            "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f");
  EXPECT_EQ(Hex(Keccak256(AsBytes(""))),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

// Our sponge with SHA-3 and SHAKE padding must agree with OpenSSL for every length around the
// block boundaries, absorbing and squeezing in pieces.
TEST(KeccakSponge, MatchesOpenSslAcrossBlockBoundaries) {
  Bytes data;
  for (int len = 0; len < 400; ++len) {
    KeccakSponge sha3(KeccakSponge::kSha3_256Rate, KeccakSponge::kSha3Padding);
    sha3.Absorb(ByteSpan(data).first(len / 2));
    sha3.Absorb(ByteSpan(data).subspan(len / 2));
    Digest32 d;
    sha3.Squeeze(d);
    ASSERT_EQ(d, Sha3_256(data)) << len;

    KeccakSponge shake(KeccakSponge::kShake128Rate, KeccakSponge::kShakePadding);
    shake.Absorb(data);
    Bytes out(len + 1);
    std::size_t half = out.size() / 3;
    shake.Squeeze(std::span<std::uint8_t>(out).first(half));
    shake.Squeeze(std::span<std::uint8_t>(out).subspan(half));
    ASSERT_EQ(out, Shake128(data, out.size())) << len;
    data.push_back(static_cast<std::uint8_t>(len * 7 + 1));
  }
}

// Four lockstep sponges give exactly the streams of four single sponges, on every permutation
// path (AVX-512, AVX2, portable), for input lengths around the block boundaries.
class KeccakSpongeX4Test : public testing::CpuPathTest {};

TEST_P(KeccakSpongeX4Test, EqualsFourSingleSponges) {
  for (std::size_t rate : {KeccakSponge::kShake128Rate, KeccakSponge::kShake256Rate}) {
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{34}, rate - 1, rate,
                            rate + 1, 3 * rate + 5}) {
      std::array<Bytes, 4> inputs;
      std::array<ByteSpan, 4> spans;
      for (std::size_t j = 0; j < 4; ++j) {
        for (std::size_t i = 0; i < len; ++i)
          inputs[j].push_back(static_cast<std::uint8_t>(i * 31 + j * 7 + 1));
        spans[j] = inputs[j];
      }
      KeccakSpongeX4 x4(rate, KeccakSponge::kShakePadding);
      x4.AbsorbOnce(spans);
      std::array<Bytes, 4> got;
      for (Bytes& g : got) g.resize(3 * rate);
      for (std::size_t b = 0; b < 3; ++b) {
        x4.SqueezeBlocks({got[0].data() + b * rate, got[1].data() + b * rate,
                          got[2].data() + b * rate, got[3].data() + b * rate});
      }
      for (std::size_t j = 0; j < 4; ++j) {
        KeccakSponge one(rate, KeccakSponge::kShakePadding);
        one.Absorb(inputs[j]);
        Bytes want(3 * rate);
        one.Squeeze(want);
        ASSERT_EQ(got[j], want) << "rate " << rate << " length " << len << " way " << j;
      }
    }
  }
}

QFS_INSTANTIATE_CPU_PATHS(KeccakSpongeX4Test);

TEST(Sha256Hasher, IncrementalEqualsOneShot) {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  Sha256Hasher h;
  h.Update(ByteSpan(data).first(333));
  h.Update(ByteSpan(data).subspan(333));
  EXPECT_EQ(h.Finish(), Sha256(data));
}

// The one-shot functions (low-level OpenSSL) and the incremental hasher (EVP) agree at every
// length around the block size, and the many-part form hashes the concatenation.
TEST(Sha256, OneShotEqualsIncrementalAtEveryLengthAndParts) {
  Bytes data(300);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  for (std::size_t n = 0; n <= data.size(); ++n) {
    const ByteSpan input = ByteSpan(data).first(n);
    Sha256Hasher h;
    h.Update(input);
    const Digest32 expected = h.Finish();
    ASSERT_EQ(Sha256(input), expected) << n;
    ASSERT_EQ(Sha256({input.first(n / 3), ByteSpan(), input.subspan(n / 3)}), expected) << n;
  }
}

}  // namespace
}  // namespace qfs::crypto
