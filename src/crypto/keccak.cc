#include "crypto/keccak.h"

#include <bit>
#include <cstring>

#include "base/check.h"

namespace qfs::crypto {
namespace {

constexpr std::array<std::uint64_t, 24> kRoundConstants = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};

// Rotation offsets and lane order of the combined rho and pi steps.
constexpr std::array<int, 24> kRho = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                      27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr std::array<int, 24> kPi = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                     15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

constexpr std::uint64_t Rotl(std::uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

}  // namespace

void KeccakF1600(std::array<std::uint64_t, 25>& state) {
  // Works on a local copy with every loop unrolled, so that the lanes live in registers and
  // every rotation count is a constant.
  std::uint64_t a[25];
  for (int i = 0; i < 25; ++i) a[i] = state[i];
  for (int round = 0; round < 24; ++round) {
    std::uint64_t c[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      const std::uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
#pragma GCC unroll 5
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    std::uint64_t current = a[1];
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) {
      const std::uint64_t next = a[kPi[i]];
      a[kPi[i]] = Rotl(current, kRho[i]);
      current = next;
    }
#pragma GCC unroll 5
    for (int y = 0; y < 25; y += 5) {
      const std::uint64_t r0 = a[y], r1 = a[y + 1], r2 = a[y + 2], r3 = a[y + 3], r4 = a[y + 4];
      a[y] = r0 ^ (~r1 & r2);
      a[y + 1] = r1 ^ (~r2 & r3);
      a[y + 2] = r2 ^ (~r3 & r4);
      a[y + 3] = r3 ^ (~r4 & r0);
      a[y + 4] = r4 ^ (~r0 & r1);
    }
    a[0] ^= kRoundConstants[round];
  }
  for (int i = 0; i < 25; ++i) state[i] = a[i];
  SecureWipe(a, sizeof(a));
}

KeccakSponge::KeccakSponge(std::size_t rate_bytes, std::uint8_t padding)
    : rate_(rate_bytes), padding_(padding) {
  QFS_CHECK(rate_bytes > 0 && rate_bytes < 200 && rate_bytes % 8 == 0);
}

KeccakSponge::~KeccakSponge() { SecureWipe(state_.data(), sizeof(state_)); }

// Lanes are little-endian: byte i of the state is byte (i % 8) of lane i / 8.
static void XorByte(std::array<std::uint64_t, 25>& s, std::size_t i, std::uint8_t b) {
  s[i / 8] ^= static_cast<std::uint64_t>(b) << (8 * (i % 8));
}

static std::uint64_t LoadLittleEndian(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

void KeccakSponge::Absorb(ByteSpan data) {
  QFS_CHECK(!squeezing_);
  std::size_t i = 0;
  // Byte by byte up to a lane boundary, then whole lanes, then the tail.
  while (i < data.size() && offset_ % 8 != 0) {
    XorByte(state_, offset_++, data[i++]);
    if (offset_ == rate_) {
      KeccakF1600(state_);
      offset_ = 0;
    }
  }
  while (data.size() - i >= 8) {
    state_[offset_ / 8] ^= LoadLittleEndian(data.data() + i);
    i += 8;
    offset_ += 8;
    if (offset_ == rate_) {
      KeccakF1600(state_);
      offset_ = 0;
    }
  }
  while (i < data.size()) XorByte(state_, offset_++, data[i++]);  // offset_ < rate_ here
}

void KeccakSponge::Pad() {
  XorByte(state_, offset_, padding_);
  XorByte(state_, rate_ - 1, 0x80);
  KeccakF1600(state_);
  offset_ = 0;
  squeezing_ = true;
}

void KeccakSponge::Squeeze(std::span<std::uint8_t> out) {
  if (!squeezing_) Pad();
  std::size_t done = 0;
  while (done < out.size()) {
    if (offset_ == rate_) {
      KeccakF1600(state_);
      offset_ = 0;
    }
    const std::size_t n = std::min(out.size() - done, rate_ - offset_);
    if constexpr (std::endian::native == std::endian::little) {
      // The state's bytes in memory are the sponge's bytes in order.
      std::memcpy(out.data() + done, reinterpret_cast<const std::uint8_t*>(state_.data()) + offset_,
                  n);
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t at = offset_ + i;
        out[done + i] = static_cast<std::uint8_t>(state_[at / 8] >> (8 * (at % 8)));
      }
    }
    offset_ += n;
    done += n;
  }
}

}  // namespace qfs::crypto
