// Fuzz target: the decoders of post-quantum keys, signatures and ciphertexts, and of key files,
// never crash on malformed input; they answer with an error or a verdict. The first byte picks
// the decoder; the rest is split into key || signature/ciphertext at the key's size, so inputs of
// the right shape (which the corpus seeds) reach deep into verification and decapsulation.
#include <cstdint>

#include "crypto/mldsa.h"
#include "crypto/mlkem.h"
#include "crypto/signature.h"
#include "keys/key_file.h"

namespace {

using qfs::Bytes;
using qfs::ByteSpan;

// key = the first `n` bytes (zero padded), rest = what follows.
void Split(ByteSpan in, std::size_t n, Bytes* key, ByteSpan* rest) {
  key->assign(n, 0);
  std::size_t take = std::min(n, in.size());
  std::copy(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take), key->begin());
  *rest = in.subspan(take);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  ByteSpan in(data + 1, size - 1);
  Bytes key;
  ByteSpan rest;
  const Bytes message = {'m'};
  switch (selector % 6) {
    case 0: {  // ML-DSA verification
      qfs::crypto::MlDsaParameterSet set =
          static_cast<qfs::crypto::MlDsaParameterSet>((selector / 6) % 3);
      Split(in, qfs::crypto::GetMlDsaSizes(set).public_key_bytes, &key, &rest);
      (void)qfs::crypto::MlDsaVerify(set, key, message, {}, rest);
      break;
    }
    case 1: {  // ML-KEM decapsulation (with the dk hash check)
      qfs::crypto::MlKemParameterSet set =
          static_cast<qfs::crypto::MlKemParameterSet>((selector / 6) % 3);
      Split(in, qfs::crypto::GetMlKemSizes(set).decapsulation_key_bytes, &key, &rest);
      (void)qfs::crypto::MlKemDecaps(set, key, rest);
      break;
    }
    case 2: {  // ML-KEM encapsulation key check and encapsulation
      qfs::crypto::MlKemParameterSet set =
          static_cast<qfs::crypto::MlKemParameterSet>((selector / 6) % 3);
      (void)qfs::crypto::MlKemEncaps(set, in, Bytes(32, 1));
      break;
    }
    case 3: {  // the hybrid through the registry
      const qfs::crypto::SignatureScheme* h =
          qfs::crypto::SignatureRegistry::Default()
              .Find(qfs::crypto::SignatureAlgorithm::kEd25519MlDsa65)
              .value();
      Split(in, h->public_key_bytes(), &key, &rest);
      (void)h->Verify(key, message, rest);
      break;
    }
    case 4:  // ML-DSA secret keys
      (void)qfs::crypto::MlDsaSign(static_cast<qfs::crypto::MlDsaParameterSet>((selector / 6) % 3),
                                   in, message, {}, qfs::crypto::MlDsaRandomness::Deterministic());
      break;
    case 5:
      (void)qfs::keys::DecodeKeyFile(in);
      break;
  }
  return 0;
}
