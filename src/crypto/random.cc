#include "crypto/random.h"

#include <sodium.h>

#include "base/check.h"

namespace qfs::crypto {
namespace {

class SodiumRandom final : public RandomSource {
 public:
  SodiumRandom() { QFS_CHECK(sodium_init() >= 0); }
  void Fill(std::span<std::uint8_t> out) override { randombytes_buf(out.data(), out.size()); }
};

}  // namespace

RandomSource& SystemRandom() {
  static SodiumRandom source;
  return source;
}

SecretBytes RandomSecret(RandomSource& source, std::size_t n) {
  SecretBytes out(n);
  source.Fill(out.mutable_span());
  return out;
}

}  // namespace qfs::crypto
