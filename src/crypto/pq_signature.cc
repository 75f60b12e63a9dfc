// ML-DSA and the Ed25519+ML-DSA-65 hybrid as SignatureSchemes (docs/formats/pqc.md).
#include <string>

#include "crypto/curve25519.h"
#include "crypto/ed25519_prepared.h"
#include "crypto/mldsa.h"
#include "crypto/signature.h"

namespace qfs::crypto {
namespace {

// A prepared ML-DSA key verifying pure signatures with the empty context, as MlDsaScheme does.
class Prepared final : public PreparedPublicKey {
 public:
  explicit Prepared(std::unique_ptr<const MlDsaPreparedKey> key) : key_(std::move(key)) {}
  Status Verify(ByteSpan message, ByteSpan signature) const override {
    return key_->Verify(message, {}, signature);
  }
  std::size_t memory_bytes() const override { return sizeof(*this) + key_->memory_bytes(); }

 private:
  std::unique_ptr<const MlDsaPreparedKey> key_;
};

class MlDsaScheme final : public SignatureScheme {
 public:
  MlDsaScheme(SignatureAlgorithm id, MlDsaParameterSet set, std::string name)
      : id_(id), set_(set), name_(std::move(name)), sizes_(GetMlDsaSizes(set)) {}
  SignatureAlgorithm id() const override { return id_; }
  std::string_view name() const override { return name_; }
  std::size_t seed_bytes() const override { return kMlDsaSeedBytes; }
  std::size_t public_key_bytes() const override { return sizes_.public_key_bytes; }
  std::size_t signature_bytes() const override { return sizes_.signature_bytes; }
  Result<SignatureKeyPair> KeyPairFromSeed(ByteSpan seed) const override {
    if (seed.size() != kMlDsaSeedBytes)
      return Status(StatusCode::kBadKey, "ML-DSA seed is 32 bytes");
    QFS_ASSIGN_OR_RETURN(MlDsaKeyPair kp, MlDsaKeyGen(set_, seed));
    return SignatureKeyPair{std::move(kp.public_key), std::move(kp.secret_key)};
  }
  // Hedged signing (FIPS 204 recommends it), empty context.
  Result<Bytes> Sign(const SecretBytes& secret_key, ByteSpan message) const override {
    return MlDsaSign(set_, secret_key.span(), message, {}, MlDsaRandomness::Hedged(SystemRandom()));
  }
  Status Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature) const override {
    return MlDsaVerify(set_, public_key, message, {}, signature);
  }
  Result<std::unique_ptr<const PreparedPublicKey>> Prepare(ByteSpan public_key) const override {
    QFS_ASSIGN_OR_RETURN(std::unique_ptr<const MlDsaPreparedKey> key,
                         MlDsaPreparedKey::Prepare(set_, public_key));
    return std::unique_ptr<const PreparedPublicKey>(new Prepared(std::move(key)));
  }

 private:
  SignatureAlgorithm id_;
  MlDsaParameterSet set_;
  std::string name_;
  MlDsaSizes sizes_;
};

constexpr std::string_view kHybridDomain = "QFS hybrid signature v1: ed25519+ml-dsa-65";

// The domain-separated message both halves sign: tag || 0x00 || message. A half can therefore
// never be replayed as a plain Ed25519 or ML-DSA signature over `message`.
Bytes HybridMessage(ByteSpan message) {
  Bytes m(kHybridDomain.begin(), kHybridDomain.end());
  m.push_back(0);
  m.insert(m.end(), message.begin(), message.end());
  return m;
}

class HybridScheme final : public SignatureScheme {
 public:
  HybridScheme() : dsa_(GetMlDsaSizes(MlDsaParameterSet::k65)) {}
  SignatureAlgorithm id() const override { return SignatureAlgorithm::kEd25519MlDsa65; }
  std::string_view name() const override { return "ed25519+ml-dsa-65"; }
  std::size_t seed_bytes() const override { return kEd25519SeedBytes + kMlDsaSeedBytes; }
  std::size_t public_key_bytes() const override {
    return kEd25519PublicKeyBytes + dsa_.public_key_bytes;
  }
  std::size_t signature_bytes() const override {
    return kEd25519SignatureBytes + dsa_.signature_bytes;
  }
  // Secret key: Ed25519 secret (64) || ML-DSA-65 secret key (4032).
  Result<SignatureKeyPair> KeyPairFromSeed(ByteSpan seed) const override {
    if (seed.size() != seed_bytes()) return Status(StatusCode::kBadKey, "hybrid seed is 64 bytes");
    QFS_ASSIGN_OR_RETURN(Ed25519KeyPair ed, Ed25519FromSeed(seed.first(kEd25519SeedBytes)));
    QFS_ASSIGN_OR_RETURN(MlDsaKeyPair dsa,
                         MlDsaKeyGen(MlDsaParameterSet::k65, seed.subspan(kEd25519SeedBytes)));
    SignatureKeyPair kp{std::move(ed.public_key),
                        SecretBytes(kEdSecretBytes + dsa_.secret_key_bytes)};
    kp.public_key.insert(kp.public_key.end(), dsa.public_key.begin(), dsa.public_key.end());
    std::copy(ed.secret_key.data(), ed.secret_key.data() + kEdSecretBytes, kp.secret_key.data());
    std::copy(dsa.secret_key.data(), dsa.secret_key.data() + dsa.secret_key.size(),
              kp.secret_key.data() + kEdSecretBytes);
    return kp;
  }
  Result<Bytes> Sign(const SecretBytes& secret_key, ByteSpan message) const override {
    if (secret_key.size() != kEdSecretBytes + dsa_.secret_key_bytes) {
      return Status(StatusCode::kBadKey, "hybrid secret key has the wrong length");
    }
    Bytes m = HybridMessage(message);
    SecretBytes ed_secret(secret_key.span().first(kEdSecretBytes));
    QFS_ASSIGN_OR_RETURN(Bytes sig, Ed25519Sign(ed_secret, m));
    QFS_ASSIGN_OR_RETURN(
        Bytes dsa_sig, MlDsaSign(MlDsaParameterSet::k65, secret_key.span().subspan(kEdSecretBytes),
                                 m, {}, MlDsaRandomness::Hedged(SystemRandom())));
    sig.insert(sig.end(), dsa_sig.begin(), dsa_sig.end());
    return sig;
  }
  // Both halves must verify; either failing is BAD_SIGNATURE naming the half.
  Status Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature) const override {
    if (public_key.size() != public_key_bytes()) {
      return Status(StatusCode::kBadKey,
                    "hybrid public key must be " + std::to_string(public_key_bytes()) + " bytes");
    }
    if (signature.size() != signature_bytes()) {
      return Status(StatusCode::kBadSignature,
                    "hybrid signature must be " + std::to_string(signature_bytes()) + " bytes");
    }
    Bytes m = HybridMessage(message);
    Status ed = Ed25519Verify(public_key.first(kEd25519PublicKeyBytes), m,
                              signature.first(kEd25519SignatureBytes));
    Status dsa = MlDsaVerify(MlDsaParameterSet::k65, public_key.subspan(kEd25519PublicKeyBytes), m,
                             {}, signature.subspan(kEd25519SignatureBytes));
    return Combine(ed, dsa);
  }
  Result<std::unique_ptr<const PreparedPublicKey>> Prepare(ByteSpan public_key) const override {
    if (public_key.size() != public_key_bytes()) {
      return Status(StatusCode::kBadKey,
                    "hybrid public key must be " + std::to_string(public_key_bytes()) + " bytes");
    }
    auto ed = Ed25519PreparedKey::Prepare(public_key.first(kEd25519PublicKeyBytes));
    if (!ed.ok())
      return Status(ed.status().code(), "hybrid: Ed25519 half: " + ed.status().message());
    QFS_ASSIGN_OR_RETURN(std::unique_ptr<const MlDsaPreparedKey> dsa,
                         MlDsaPreparedKey::Prepare(MlDsaParameterSet::k65,
                                                   public_key.subspan(kEd25519PublicKeyBytes)));
    return std::unique_ptr<const PreparedPublicKey>(
        new PreparedHybrid(std::move(ed).value(), std::move(dsa), signature_bytes()));
  }

  static Status Combine(const Status& ed, const Status& dsa) {
    if (!ed.ok()) return Status(ed.code(), "hybrid: Ed25519 half: " + ed.message());
    if (!dsa.ok()) return Status(dsa.code(), "hybrid: ML-DSA-65 half: " + dsa.message());
    return OkStatus();
  }

 private:
  class PreparedHybrid final : public PreparedPublicKey {
   public:
    PreparedHybrid(std::unique_ptr<const Ed25519PreparedKey> ed,
                   std::unique_ptr<const MlDsaPreparedKey> dsa, std::size_t signature_bytes)
        : ed_(std::move(ed)), dsa_(std::move(dsa)), signature_bytes_(signature_bytes) {}
    Status Verify(ByteSpan message, ByteSpan signature) const override {
      if (signature.size() != signature_bytes_) {
        return Status(StatusCode::kBadSignature,
                      "hybrid signature must be " + std::to_string(signature_bytes_) + " bytes");
      }
      Bytes m = HybridMessage(message);
      Status ed = ed_->Verify(m, signature.first(kEd25519SignatureBytes));
      Status dsa = dsa_->Verify(m, {}, signature.subspan(kEd25519SignatureBytes));
      return Combine(ed, dsa);
    }
    std::size_t memory_bytes() const override {
      return sizeof(*this) + ed_->memory_bytes() + dsa_->memory_bytes();
    }

   private:
    std::unique_ptr<const Ed25519PreparedKey> ed_;
    std::unique_ptr<const MlDsaPreparedKey> dsa_;
    std::size_t signature_bytes_;
  };
  static constexpr std::size_t kEdSecretBytes = 64;
  MlDsaSizes dsa_;
};

}  // namespace

std::unique_ptr<SignatureScheme> MakeMlDsaScheme(MlDsaParameterSet set) {
  switch (set) {
    case MlDsaParameterSet::k44:
      return std::make_unique<MlDsaScheme>(SignatureAlgorithm::kMlDsa44, set, "ml-dsa-44");
    case MlDsaParameterSet::k65:
      return std::make_unique<MlDsaScheme>(SignatureAlgorithm::kMlDsa65, set, "ml-dsa-65");
    case MlDsaParameterSet::k87:
      return std::make_unique<MlDsaScheme>(SignatureAlgorithm::kMlDsa87, set, "ml-dsa-87");
  }
  QFS_CHECK(false);
}

std::unique_ptr<SignatureScheme> MakeHybridScheme() { return std::make_unique<HybridScheme>(); }

}  // namespace qfs::crypto
