// Randomness. Product code takes a RandomSource& so tests and the simulator can supply a
// deterministic one; SystemRandom() is the operating system's CSPRNG (libsodium's
// randombytes, i.e. getrandom(2)). The deterministic ledger never uses randomness.
#ifndef QFS_CRYPTO_RANDOM_H_
#define QFS_CRYPTO_RANDOM_H_

#include <span>

#include "base/bytes.h"

namespace qfs::crypto {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<std::uint8_t> out) = 0;
};

// The process-wide CSPRNG. Thread-safe.
RandomSource& SystemRandom();

// n fresh random bytes from `source`, held as a secret.
SecretBytes RandomSecret(RandomSource& source, std::size_t n);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_RANDOM_H_
