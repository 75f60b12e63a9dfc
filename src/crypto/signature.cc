#include "crypto/signature.h"

#include "crypto/curve25519.h"
#include "crypto/ed25519_prepared.h"
#include "crypto/mldsa.h"

namespace qfs::crypto {
namespace {

class Ed25519Scheme final : public SignatureScheme {
 public:
  SignatureAlgorithm id() const override { return SignatureAlgorithm::kEd25519; }
  std::string_view name() const override { return "ed25519"; }
  std::size_t seed_bytes() const override { return kEd25519SeedBytes; }
  std::size_t public_key_bytes() const override { return kEd25519PublicKeyBytes; }
  std::size_t signature_bytes() const override { return kEd25519SignatureBytes; }
  Result<SignatureKeyPair> KeyPairFromSeed(ByteSpan seed) const override {
    QFS_ASSIGN_OR_RETURN(Ed25519KeyPair kp, Ed25519FromSeed(seed));
    return SignatureKeyPair{std::move(kp.public_key), std::move(kp.secret_key)};
  }
  Result<Bytes> Sign(const SecretBytes& secret_key, ByteSpan message) const override {
    return Ed25519Sign(secret_key, message);
  }
  Status Verify(ByteSpan public_key, ByteSpan message, ByteSpan signature) const override {
    return Ed25519Verify(public_key, message, signature);
  }
  Result<std::unique_ptr<const PreparedPublicKey>> Prepare(ByteSpan public_key) const override {
    QFS_ASSIGN_OR_RETURN(std::unique_ptr<const Ed25519PreparedKey> key,
                         Ed25519PreparedKey::Prepare(public_key));
    return std::unique_ptr<const PreparedPublicKey>(std::move(key));
  }
};

}  // namespace

std::unique_ptr<SignatureScheme> MakeEd25519Scheme() { return std::make_unique<Ed25519Scheme>(); }

const SignatureRegistry& SignatureRegistry::Default() {
  static const SignatureRegistry registry = [] {
    SignatureRegistry r;
    r.Register(MakeEd25519Scheme());
    r.Register(MakeMlDsaScheme(MlDsaParameterSet::k44));
    r.Register(MakeMlDsaScheme(MlDsaParameterSet::k65));
    r.Register(MakeMlDsaScheme(MlDsaParameterSet::k87));
    r.Register(MakeHybridScheme());
    r.set_default_algorithm(SignatureAlgorithm::kEd25519MlDsa65);
    return r;
  }();
  return registry;
}

void SignatureRegistry::Register(std::unique_ptr<SignatureScheme> scheme) {
  QFS_CHECK(scheme != nullptr);
  QFS_CHECK(!Find(scheme->id()).ok() && !FindByName(scheme->name()).ok());
  schemes_.push_back(std::move(scheme));
}

Result<const SignatureScheme*> SignatureRegistry::Find(SignatureAlgorithm id) const {
  for (const auto& s : schemes_) {
    if (s->id() == id) return s.get();
  }
  return Status(StatusCode::kUnknownAlgorithm,
                "no signature scheme with id " + std::to_string(static_cast<int>(id)));
}

Result<const SignatureScheme*> SignatureRegistry::Find(std::uint16_t id) const {
  return Find(static_cast<SignatureAlgorithm>(id));
}

Result<const SignatureScheme*> SignatureRegistry::FindByName(std::string_view name) const {
  for (const auto& s : schemes_) {
    if (s->name() == name) return s.get();
  }
  return Status(StatusCode::kUnknownAlgorithm,
                "no signature scheme named '" + std::string(name.substr(0, 32)) + "'");
}

std::vector<const SignatureScheme*> SignatureRegistry::schemes() const {
  std::vector<const SignatureScheme*> out;
  for (const auto& s : schemes_) out.push_back(s.get());
  return out;
}

void SignatureRegistry::set_default_algorithm(SignatureAlgorithm id) {
  QFS_CHECK(Find(id).ok());  // register the scheme first
  default_ = id;
}

}  // namespace qfs::crypto
