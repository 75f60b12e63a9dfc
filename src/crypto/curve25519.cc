#include "crypto/curve25519.h"

#include <sodium.h>

#include "base/check.h"

namespace qfs::crypto {
namespace {

void EnsureSodium() {
  static const bool initialised = sodium_init() >= 0;
  QFS_CHECK(initialised);
}

}  // namespace

Result<Bytes> X25519PublicKey(ByteSpan private_key) {
  EnsureSodium();
  if (private_key.size() != kX25519KeyBytes) {
    return Status(StatusCode::kBadKey, "X25519 private key is 32 bytes");
  }
  Bytes out(kX25519KeyBytes);
  QFS_CHECK(crypto_scalarmult_base(out.data(), private_key.data()) == 0);
  return out;
}

Result<SecretBytes> X25519(ByteSpan private_key, ByteSpan peer_public_key) {
  EnsureSodium();
  if (private_key.size() != kX25519KeyBytes || peer_public_key.size() != kX25519KeyBytes) {
    return Status(StatusCode::kBadKey, "X25519 keys are 32 bytes");
  }
  SecretBytes out(kX25519KeyBytes);
  if (crypto_scalarmult(out.data(), private_key.data(), peer_public_key.data()) != 0) {
    return Status(StatusCode::kCryptoFailure, "X25519 result is zero (low-order public key)");
  }
  return out;
}

Result<Ed25519KeyPair> Ed25519FromSeed(ByteSpan seed) {
  EnsureSodium();
  if (seed.size() != kEd25519SeedBytes)
    return Status(StatusCode::kBadKey, "Ed25519 seed is 32 bytes");
  Ed25519KeyPair kp{Bytes(kEd25519PublicKeyBytes), SecretBytes(crypto_sign_SECRETKEYBYTES)};
  QFS_CHECK(crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(), seed.data()) == 0);
  return kp;
}

Result<Bytes> Ed25519Sign(const SecretBytes& secret_key, ByteSpan message) {
  EnsureSodium();
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return Status(StatusCode::kBadKey, "Ed25519 secret key is 64 bytes");
  }
  Bytes sig(kEd25519SignatureBytes);
  QFS_CHECK(crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                                 secret_key.data()) == 0);
  return sig;
}

Status Ed25519Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature) {
  EnsureSodium();
  if (public_key.size() != kEd25519PublicKeyBytes) {
    return Status(StatusCode::kBadKey, "Ed25519 public key is 32 bytes");
  }
  if (signature.size() != kEd25519SignatureBytes) {
    return Status(StatusCode::kBadSignature, "Ed25519 signature is 64 bytes");
  }
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  public_key.data()) != 0) {
    return Status(StatusCode::kBadSignature, "Ed25519 signature does not verify");
  }
  return OkStatus();
}

}  // namespace qfs::crypto
