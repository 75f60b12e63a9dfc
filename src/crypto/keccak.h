// The Keccak-f[1600] sponge (FIPS 202), incremental: absorb any number of times, then squeeze
// any number of times. Used for Keccak-256 (Ethereum: original padding 0x01) and, through the
// same code, for SHA-3 and SHAKE inside ML-DSA and ML-KEM, which squeeze incrementally.
//
//   KeccakSponge s(KeccakSponge::kShake128Rate, KeccakSponge::kShakePadding);
//   s.Absorb(seed);
//   s.Squeeze(out_block);  // as often as needed
//
// Thread safety: none. The state is wiped on destruction.
#ifndef QFS_CRYPTO_KECCAK_H_
#define QFS_CRYPTO_KECCAK_H_

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace qfs::crypto {

class KeccakSponge {
 public:
  static constexpr std::size_t kShake128Rate = 168;
  static constexpr std::size_t kShake256Rate = 136;
  static constexpr std::size_t kSha3_256Rate = 136;
  static constexpr std::size_t kSha3_512Rate = 72;
  static constexpr std::uint8_t kKeccakPadding = 0x01;  // original Keccak (Ethereum)
  static constexpr std::uint8_t kSha3Padding = 0x06;
  static constexpr std::uint8_t kShakePadding = 0x1F;

  // REQUIRES: 0 < rate_bytes < 200, rate_bytes % 8 == 0.
  KeccakSponge(std::size_t rate_bytes, std::uint8_t padding);
  ~KeccakSponge();
  KeccakSponge(const KeccakSponge&) = default;
  KeccakSponge& operator=(const KeccakSponge&) = default;

  // REQUIRES: Squeeze has not been called.
  void Absorb(ByteSpan data);
  void Squeeze(std::span<std::uint8_t> out);

 private:
  void Pad();
  std::array<std::uint64_t, 25> state_{};
  std::size_t rate_;
  std::size_t offset_ = 0;  // bytes absorbed into, or squeezed from, the current block
  std::uint8_t padding_;
  bool squeezing_ = false;
};

// Four sponges with one rate and padding, run in lockstep: each absorbs one input (all four the
// same length) and then squeezes whole blocks. Where the CPU has AVX2 or AVX-512 the four
// permutations cost little more than one, which is what makes expanding the ML-DSA and ML-KEM
// matrices cheap. Streams are bit-for-bit those of four KeccakSponge objects.
//
// Thread safety: none. The state is wiped on destruction.
class KeccakSpongeX4 {
 public:
  static constexpr int kWays = 4;
  // REQUIRES: 0 < rate_bytes < 200, rate_bytes % 8 == 0.
  KeccakSpongeX4(std::size_t rate_bytes, std::uint8_t padding);
  ~KeccakSpongeX4();
  KeccakSpongeX4(const KeccakSpongeX4&) = delete;
  KeccakSpongeX4& operator=(const KeccakSpongeX4&) = delete;

  // REQUIRES: called once, first; all inputs have the same size.
  void AbsorbOnce(const std::array<ByteSpan, kWays>& inputs);
  // Writes the next block of every stream to out[j], which holds rate_bytes bytes.
  // REQUIRES: AbsorbOnce has been called.
  void SqueezeBlocks(const std::array<std::uint8_t*, kWays>& out);

 private:
  void XorByte(int way, std::size_t at, std::uint8_t b);
  std::array<std::uint64_t, 25 * kWays> lanes_{};  // lane i of stream j at [kWays * i + j]
  std::size_t rate_;
  std::uint8_t padding_;
  bool absorbed_ = false;
  bool fresh_block_ = false;  // the current state has not been squeezed yet
};

void KeccakF1600(std::array<std::uint64_t, 25>& state);
// Four permutations; lane i of state j is lanes[4 * i + j].
void KeccakF1600x4(std::array<std::uint64_t, 100>& lanes);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_KECCAK_H_
