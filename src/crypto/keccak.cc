#include "crypto/keccak.h"

#include <bit>
#include <cstring>

#include "base/check.h"
#include "crypto/cpu.h"

namespace qfs::crypto {
namespace {

constexpr std::array<std::uint64_t, 24> kRoundConstants = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};

// Lane (x, y) is a[x + 5 * y]. kRotation[i] is the rho offset of lane i; kSource[i] is the lane
// that the pi step moves to position i: B[y, 2x + 3y] = rot(A[x, y]).
constexpr std::array<int, 25> kRotation = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                           25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};
constexpr std::array<int, 25> kSource = [] {
  std::array<int, 25> source{};
  for (std::size_t x = 0; x < 5; ++x) {
    for (std::size_t y = 0; y < 5; ++y)
      source[y + 5 * ((2 * x + 3 * y) % 5)] = static_cast<int>(x + 5 * y);
  }
  return source;
}();

// Lanes go by reference: when Lane is a vector, passing it by value would change the calling
// convention between the AVX and non-AVX compilations of these always-inlined helpers.
template <typename Lane>
[[gnu::always_inline]] inline void RotateLeft(const Lane& x, int n, Lane& out) {
  out = n == 0 ? x : static_cast<Lane>((x << n) | (x >> (64 - n)));
}

// One round from a into e. Lane is std::uint64_t, or a vector of them for several states at once.
// Everything is indexed by constants once unrolled, so the lanes stay in registers.
template <typename Lane>
[[gnu::always_inline]] inline void Round(const Lane* a, Lane* e, std::uint64_t round_constant) {
  Lane c[5], d[5];
#pragma GCC unroll 5
  for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
  for (int x = 0; x < 5; ++x) {
    RotateLeft(c[(x + 1) % 5], 1, d[x]);
    d[x] ^= c[(x + 4) % 5];
  }
#pragma GCC unroll 5
  for (int y = 0; y < 25; y += 5) {
    Lane b[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      const std::size_t from = static_cast<std::size_t>(
          kSource[static_cast<std::size_t>(y) + static_cast<std::size_t>(x)]);
      const Lane lane = a[from] ^ d[from % 5];
      RotateLeft(lane, kRotation[from], b[x]);
    }
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) e[y + x] = b[x] ^ (~b[(x + 1) % 5] & b[(x + 2) % 5]);
  }
  e[0] ^= round_constant;
}

template <typename Lane>
[[gnu::always_inline]] inline void Permute(Lane* a) {
  Lane e[25];
  for (std::size_t round = 0; round < 24; round += 2) {
    Round(a, e, kRoundConstants[round]);
    Round(e, a, kRoundConstants[round + 1]);
  }
  SecureWipe(e, sizeof(e));
}

// Four states side by side: lane i of state j is lanes[4 * i + j].
using Lanes4 = std::uint64_t __attribute__((vector_size(32)));

template <typename Vector>
[[gnu::always_inline]] inline void PermuteX4(std::uint64_t* lanes) {
  Vector a[25];
  std::memcpy(a, lanes, sizeof(a));
  Permute(a);
  std::memcpy(lanes, a, sizeof(a));
  SecureWipe(a, sizeof(a));
}

#if defined(__x86_64__)
[[gnu::target("avx512f,avx512vl")]] void PermuteX4Avx512(std::uint64_t* lanes) {
  PermuteX4<Lanes4>(lanes);
}
[[gnu::target("avx2")]] void PermuteX4Avx2(std::uint64_t* lanes) { PermuteX4<Lanes4>(lanes); }
#endif
// Without SIMD, four scalar permutations.
void PermuteX4Generic(std::uint64_t* lanes) {
  std::uint64_t a[25];
  for (int j = 0; j < 4; ++j) {
    for (int i = 0; i < 25; ++i) a[i] = lanes[4 * i + j];
    Permute(a);
    for (int i = 0; i < 25; ++i) lanes[4 * i + j] = a[i];
  }
  SecureWipe(a, sizeof(a));
}

void PermuteScalar(std::uint64_t* lanes) { Permute(lanes); }
#if defined(__x86_64__)
// BMI1/BMI2 give and-not and non-destructive rotations: fewer instructions per round.
[[gnu::target("bmi,bmi2")]] void PermuteBmi2(std::uint64_t* lanes) { Permute(lanes); }
#endif

}  // namespace

void KeccakF1600(std::array<std::uint64_t, 25>& state) {
#if defined(__x86_64__)
  if (Cpu().bmi2) return PermuteBmi2(state.data());
#endif
  PermuteScalar(state.data());
}

void KeccakF1600x4(std::array<std::uint64_t, 100>& lanes) {
#if defined(__x86_64__)
  const CpuFeatures& cpu = Cpu();
  if (cpu.avx512vl) return PermuteX4Avx512(lanes.data());
  if (cpu.avx2) return PermuteX4Avx2(lanes.data());
#endif
  PermuteX4Generic(lanes.data());
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

KeccakSpongeX4::KeccakSpongeX4(std::size_t rate_bytes, std::uint8_t padding)
    : rate_(rate_bytes), padding_(padding) {
  QFS_CHECK(rate_bytes > 0 && rate_bytes < 200 && rate_bytes % 8 == 0);
}

KeccakSpongeX4::~KeccakSpongeX4() { SecureWipe(lanes_.data(), sizeof(lanes_)); }

void KeccakSpongeX4::XorByte(int way, std::size_t at, std::uint8_t b) {
  lanes_[kWays * (at / 8) + static_cast<std::size_t>(way)] ^= static_cast<std::uint64_t>(b)
                                                              << (8 * (at % 8));
}

void KeccakSpongeX4::AbsorbOnce(const std::array<ByteSpan, kWays>& inputs) {
  QFS_CHECK(!absorbed_);
  const std::size_t size = inputs[0].size();
  for (ByteSpan input : inputs) QFS_CHECK(input.size() == size);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < size; ++i) {
    for (int j = 0; j < kWays; ++j) XorByte(j, offset, inputs[static_cast<std::size_t>(j)][i]);
    if (++offset == rate_) {
      KeccakF1600x4(lanes_);
      offset = 0;
    }
  }
  for (int j = 0; j < kWays; ++j) {
    XorByte(j, offset, padding_);
    XorByte(j, rate_ - 1, 0x80);
  }
  KeccakF1600x4(lanes_);
  absorbed_ = true;
  fresh_block_ = true;
}

void KeccakSpongeX4::SqueezeBlocks(const std::array<std::uint8_t*, kWays>& out) {
  QFS_CHECK(absorbed_);
  if (!fresh_block_) KeccakF1600x4(lanes_);
  fresh_block_ = false;
  for (int j = 0; j < kWays; ++j) {
    std::uint8_t* block = out[static_cast<std::size_t>(j)];
    for (std::size_t i = 0; i < rate_ / 8; ++i) {
      const std::uint64_t lane = lanes_[kWays * i + static_cast<std::size_t>(j)];
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(block + 8 * i, &lane, 8);
      } else {
        for (std::size_t b = 0; b < 8; ++b)
          block[8 * i + b] = static_cast<std::uint8_t>(lane >> (8 * b));
      }
    }
  }
}

}  // namespace qfs::crypto
