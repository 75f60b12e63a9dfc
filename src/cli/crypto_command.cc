#include "cli/crypto_command.h"

#include "base/strings.h"
#include "cli/output.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "base/limits.h"
#include "base/text_encoding.h"
#include "crypto/aead.h"
#include "crypto/curve25519.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "crypto/mldsa.h"
#include "crypto/mlkem.h"
#include "crypto/signature.h"
#include "crypto/wallet.h"

namespace qfs::cli {
namespace {

using codec::Json;
using Options = std::map<std::string, std::string>;

std::string Hex(ByteSpan b) { return HexEncode(b); }

// An option as bytes: hex, with or without a 0x prefix. Absent optional options are empty.
Result<Bytes> HexOption(const Options& o, const std::string& name) {
  auto it = o.find(name);
  if (it == o.end()) return Bytes();
  std::string_view v = it->second;
  if (v.size() > 2 * kCryptoMessageBytesMax + 2) {
    return Status(StatusCode::kTooLarge, "--" + name + " is larger than the input limit");
  }
  if (v.rfind("0x", 0) == 0) v.remove_prefix(2);
  Result<Bytes> b = HexDecode(v);
  if (!b.ok()) return Status(b.code(), "--" + name + ": " + b.status().message());
  return b;
}

// --message as hex, or --text as UTF-8 text.
Result<Bytes> MessageOption(const Options& o) {
  auto text = o.find("text");
  if (text != o.end()) return Bytes(text->second.begin(), text->second.end());
  return HexOption(o, "message");
}

Json VerifyResult(const Status& s) {
  Json out = {{"valid", s.ok()}};
  if (!s.ok()) out["reason"] = s.ToString();
  return out;
}

Result<Json> Hash(const Options& o) {
  QFS_ASSIGN_OR_RETURN(Bytes data, HexOption(o, "data"));
  const std::string& alg = o.at("algorithm");
  std::size_t length = 32;
  if (o.count("length") != 0) {
    Result<std::uint64_t> l = ParseUint64(o.at("length"), "--length", 65536);
    if (!l.ok()) return Status(StatusCode::kInvalidArgument, "--length must be 0..65536");
    length = static_cast<std::size_t>(l.value());
  }
  Bytes digest;
  if (alg == "sha256") {
    crypto::Digest32 d = crypto::Sha256(data);
    digest.assign(d.begin(), d.end());
  } else if (alg == "sha512") {
    crypto::Digest64 d = crypto::Sha512(data);
    digest.assign(d.begin(), d.end());
  } else if (alg == "sha3-256") {
    crypto::Digest32 d = crypto::Sha3_256(data);
    digest.assign(d.begin(), d.end());
  } else if (alg == "keccak256") {
    crypto::Digest32 d = crypto::Keccak256(data);
    digest.assign(d.begin(), d.end());
  } else if (alg == "shake128")
    digest = crypto::Shake128(data, length);
  else if (alg == "shake256")
    digest = crypto::Shake256(data, length);
  else {
    return Status(StatusCode::kUnknownAlgorithm,
                  "unknown hash (sha256, sha512, sha3-256, shake128, shake256, keccak256)");
  }
  return Json{{"algorithm", alg}, {"digest", Hex(digest)}};
}

Result<Json> Hmac(const Options& o) {
  QFS_ASSIGN_OR_RETURN(Bytes key, HexOption(o, "key"));
  QFS_ASSIGN_OR_RETURN(Bytes message, HexOption(o, "message"));
  if (o.count("tag") != 0) {
    QFS_ASSIGN_OR_RETURN(Bytes tag, HexOption(o, "tag"));
    bool ok = crypto::HmacSha256Verify(key, message, tag);
    return VerifyResult(ok ? OkStatus()
                           : Status(StatusCode::kAuthenticationFailed, "tag mismatch"));
  }
  return Json{{"tag", Hex(crypto::HmacSha256(key, message))}};
}

Result<Json> Hkdf(const Options& o) {
  QFS_ASSIGN_OR_RETURN(Bytes salt, HexOption(o, "salt"));
  QFS_ASSIGN_OR_RETURN(Bytes ikm, HexOption(o, "ikm"));
  QFS_ASSIGN_OR_RETURN(Bytes info, HexOption(o, "info"));
  Result<std::uint64_t> l = ParseUint64(o.at("length"), "--length", 99999);
  if (!l.ok()) return Status(StatusCode::kInvalidArgument, "--length must be a number of bytes");
  QFS_ASSIGN_OR_RETURN(SecretBytes okm,
                       crypto::Hkdf(salt, ikm, info, static_cast<std::size_t>(l.value())));
  return Json{{"okm", Hex(okm.span())}};
}

Result<Json> Aead(const Options& o, bool seal) {
  QFS_ASSIGN_OR_RETURN(crypto::AeadAlgorithm alg, crypto::ParseAeadAlgorithm(o.at("algorithm")));
  QFS_ASSIGN_OR_RETURN(Bytes key, HexOption(o, "key"));
  QFS_ASSIGN_OR_RETURN(Bytes nonce, HexOption(o, "nonce"));
  QFS_ASSIGN_OR_RETURN(Bytes aad, HexOption(o, "aad"));
  QFS_ASSIGN_OR_RETURN(Bytes data, HexOption(o, "data"));
  if (seal) {
    QFS_ASSIGN_OR_RETURN(Bytes sealed, crypto::AeadSeal(alg, key, nonce, aad, data));
    return Json{{"sealed", Hex(sealed)}};
  }
  QFS_ASSIGN_OR_RETURN(SecretBytes plain, crypto::AeadOpen(alg, key, nonce, aad, data));
  return Json{{"plaintext", Hex(plain.span())}};
}

Result<Json> Ed25519(const Options& o, const std::string& op) {
  if (op == "verify") {
    QFS_ASSIGN_OR_RETURN(Bytes pk, HexOption(o, "public-key"));
    QFS_ASSIGN_OR_RETURN(Bytes message, MessageOption(o));
    QFS_ASSIGN_OR_RETURN(Bytes sig, HexOption(o, "signature"));
    return VerifyResult(crypto::Ed25519Verify(pk, message, sig));
  }
  QFS_ASSIGN_OR_RETURN(Bytes seed, HexOption(o, "seed"));
  QFS_ASSIGN_OR_RETURN(crypto::Ed25519KeyPair kp, crypto::Ed25519FromSeed(seed));
  if (op == "keygen") return Json{{"public_key", Hex(kp.public_key)}};
  QFS_ASSIGN_OR_RETURN(Bytes message, MessageOption(o));
  QFS_ASSIGN_OR_RETURN(Bytes sig, crypto::Ed25519Sign(kp.secret_key, message));
  return Json{{"public_key", Hex(kp.public_key)}, {"signature", Hex(sig)}};
}

Result<Json> X25519(const Options& o) {
  QFS_ASSIGN_OR_RETURN(Bytes sk, HexOption(o, "private"));
  if (o.count("public") == 0) {
    QFS_ASSIGN_OR_RETURN(Bytes pk, crypto::X25519PublicKey(sk));
    return Json{{"public", Hex(pk)}};
  }
  QFS_ASSIGN_OR_RETURN(Bytes peer, HexOption(o, "public"));
  QFS_ASSIGN_OR_RETURN(SecretBytes shared, crypto::X25519(sk, peer));
  return Json{{"shared", Hex(shared.span())}};
}

Result<crypto::EcdsaEncoding> Encoding(const Options& o) {
  auto it = o.find("encoding");
  if (it == o.end() || it->second == "der") return crypto::EcdsaEncoding::kDer;
  if (it->second == "compact") return crypto::EcdsaEncoding::kCompact;
  return Status(StatusCode::kInvalidArgument, "--encoding is der or compact");
}

Result<Json> Secp256k1(const Options& o, const std::string& op) {
  if (op == "pubkey") {
    QFS_ASSIGN_OR_RETURN(Bytes sk, HexOption(o, "private"));
    QFS_ASSIGN_OR_RETURN(Bytes pk, crypto::Secp256k1PublicKey(sk, o.count("compressed") != 0));
    QFS_ASSIGN_OR_RETURN(crypto::Address a, crypto::AddressFromPublicKey(pk));
    return Json{{"public_key", Hex(pk)}, {"address", crypto::ChecksumAddress(a)}};
  }
  QFS_ASSIGN_OR_RETURN(Bytes digest, HexOption(o, "digest"));
  QFS_ASSIGN_OR_RETURN(Bytes sig, HexOption(o, "signature"));
  if (op == "verify") {
    QFS_ASSIGN_OR_RETURN(Bytes pk, HexOption(o, "public-key"));
    QFS_ASSIGN_OR_RETURN(crypto::EcdsaEncoding enc, Encoding(o));
    return VerifyResult(crypto::EcdsaVerify(pk, digest, sig, enc));
  }
  QFS_ASSIGN_OR_RETURN(Bytes pk, crypto::RecoverPublicKey(digest, sig));
  QFS_ASSIGN_OR_RETURN(crypto::Address a, crypto::AddressFromPublicKey(pk));
  return Json{{"public_key", Hex(pk)}, {"address", crypto::ChecksumAddress(a)}};
}

Result<Json> Eip191(const Options& o, bool recover) {
  QFS_ASSIGN_OR_RETURN(Bytes message, MessageOption(o));
  if (!recover) return Json{{"hash", Hex(crypto::Eip191Hash(message))}};
  QFS_ASSIGN_OR_RETURN(Bytes sig, HexOption(o, "signature"));
  QFS_ASSIGN_OR_RETURN(crypto::Address a, crypto::RecoverAddress(message, sig));
  return Json{{"address", crypto::ChecksumAddress(a)}};
}

Result<Json> Eip55(const Options& o) {
  QFS_ASSIGN_OR_RETURN(crypto::Address a, crypto::ParseAddress(o.at("address")));
  return Json{{"address", crypto::ChecksumAddress(a)}};
}

// --- Post-quantum ----------------------------------------------------------------------------
Result<crypto::MlDsaRandomness> SigningRandomness(const Options& o) {
  if (o.count("hedged") != 0) return crypto::MlDsaRandomness::Hedged(crypto::SystemRandom());
  if (o.count("rnd") != 0) {
    QFS_ASSIGN_OR_RETURN(Bytes rnd, HexOption(o, "rnd"));
    if (rnd.size() != 32) return Status(StatusCode::kBadLength, "--rnd must be 32 bytes");
    return crypto::MlDsaRandomness::Given(rnd);
  }
  return crypto::MlDsaRandomness::Deterministic();
}

Result<Json> MlDsa(const Options& o, const std::string& op) {
  QFS_ASSIGN_OR_RETURN(crypto::MlDsaParameterSet set, crypto::ParseMlDsaParameterSet(o.at("set")));
  if (op == "keygen") {
    QFS_ASSIGN_OR_RETURN(Bytes seed, HexOption(o, "seed"));
    QFS_ASSIGN_OR_RETURN(crypto::MlDsaKeyPair kp, crypto::MlDsaKeyGen(set, seed));
    return Json{{"public_key", Hex(kp.public_key)}, {"secret_key", Hex(kp.secret_key.span())}};
  }
  QFS_ASSIGN_OR_RETURN(Bytes context, HexOption(o, "context"));
  QFS_ASSIGN_OR_RETURN(Bytes message, MessageOption(o));
  const bool prehash = o.count("prehash") != 0;
  crypto::MlDsaPreHash ph = crypto::MlDsaPreHash::kSha2_256;
  if (prehash) {
    QFS_ASSIGN_OR_RETURN(ph, crypto::ParseMlDsaPreHash(o.at("prehash")));
  }
  if (op == "sign") {
    QFS_ASSIGN_OR_RETURN(Bytes sk, HexOption(o, "secret-key"));
    QFS_ASSIGN_OR_RETURN(crypto::MlDsaRandomness rnd, SigningRandomness(o));
    Result<Bytes> sig = Status(StatusCode::kInternal, "unset");
    if (o.count("mu") != 0) {
      QFS_ASSIGN_OR_RETURN(Bytes mu, HexOption(o, "mu"));
      sig = crypto::MlDsaSignMu(set, sk, mu, rnd);
    } else if (o.count("internal") != 0) {
      sig = crypto::MlDsaSignInternal(set, sk, message, rnd);
    } else if (prehash) {
      sig = crypto::MlDsaSignPreHash(set, sk, message, context, ph, rnd);
    } else {
      sig = crypto::MlDsaSign(set, sk, message, context, rnd);
    }
    SecureWipe(sk.data(), sk.size());
    QFS_ASSIGN_OR_RETURN(Bytes signature, std::move(sig));
    return Json{{"signature", Hex(signature)}};
  }
  QFS_ASSIGN_OR_RETURN(Bytes pk, HexOption(o, "public-key"));
  QFS_ASSIGN_OR_RETURN(Bytes sig, HexOption(o, "signature"));
  if (o.count("mu") != 0) {
    QFS_ASSIGN_OR_RETURN(Bytes mu, HexOption(o, "mu"));
    return VerifyResult(crypto::MlDsaVerifyMu(set, pk, mu, sig));
  }
  if (o.count("internal") != 0)
    return VerifyResult(crypto::MlDsaVerifyInternal(set, pk, message, sig));
  if (prehash) return VerifyResult(crypto::MlDsaVerifyPreHash(set, pk, message, context, ph, sig));
  return VerifyResult(crypto::MlDsaVerify(set, pk, message, context, sig));
}

Result<Json> MlKem(const Options& o, const std::string& op) {
  QFS_ASSIGN_OR_RETURN(crypto::MlKemParameterSet set, crypto::ParseMlKemParameterSet(o.at("set")));
  if (op == "keygen") {
    QFS_ASSIGN_OR_RETURN(Bytes d, HexOption(o, "d"));
    QFS_ASSIGN_OR_RETURN(Bytes z, HexOption(o, "z"));
    QFS_ASSIGN_OR_RETURN(crypto::MlKemKeyPair kp, crypto::MlKemKeyGen(set, d, z));
    return Json{{"encapsulation_key", Hex(kp.encapsulation_key)},
                {"decapsulation_key", Hex(kp.decapsulation_key.span())}};
  }
  if (op == "encaps") {
    QFS_ASSIGN_OR_RETURN(Bytes ek, HexOption(o, "encapsulation-key"));
    QFS_ASSIGN_OR_RETURN(Bytes m, HexOption(o, "m"));
    QFS_ASSIGN_OR_RETURN(crypto::MlKemEncapsulation e, crypto::MlKemEncaps(set, ek, m));
    return Json{{"ciphertext", Hex(e.ciphertext)}, {"shared_key", Hex(e.shared_key.span())}};
  }
  if (op == "decaps") {
    QFS_ASSIGN_OR_RETURN(Bytes dk, HexOption(o, "decapsulation-key"));
    QFS_ASSIGN_OR_RETURN(Bytes c, HexOption(o, "ciphertext"));
    Result<SecretBytes> k = crypto::MlKemDecaps(set, dk, c);
    SecureWipe(dk.data(), dk.size());
    QFS_ASSIGN_OR_RETURN(SecretBytes key, std::move(k));
    return Json{{"shared_key", Hex(key.span())}};
  }
  if (o.count("encapsulation-key") != 0) {
    QFS_ASSIGN_OR_RETURN(Bytes ek, HexOption(o, "encapsulation-key"));
    return VerifyResult(crypto::MlKemCheckEncapsulationKey(set, ek));
  }
  QFS_ASSIGN_OR_RETURN(Bytes dk, HexOption(o, "decapsulation-key"));
  return VerifyResult(crypto::MlKemCheckDecapsulationKey(set, dk));
}

Result<Json> Hybrid(const Options& o, const std::string& op) {
  QFS_ASSIGN_OR_RETURN(
      const crypto::SignatureScheme* h,
      crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519MlDsa65));
  if (op == "keygen") {
    QFS_ASSIGN_OR_RETURN(Bytes seed, HexOption(o, "seed"));
    QFS_ASSIGN_OR_RETURN(crypto::SignatureKeyPair kp, h->KeyPairFromSeed(seed));
    return Json{{"public_key", Hex(kp.public_key)}, {"secret_key", Hex(kp.secret_key.span())}};
  }
  QFS_ASSIGN_OR_RETURN(Bytes message, MessageOption(o));
  if (op == "sign") {
    QFS_ASSIGN_OR_RETURN(Bytes sk, HexOption(o, "secret-key"));
    SecretBytes secret(sk);
    SecureWipe(sk.data(), sk.size());
    QFS_ASSIGN_OR_RETURN(Bytes sig, h->Sign(secret, message));
    return Json{{"signature", Hex(sig)}};
  }
  QFS_ASSIGN_OR_RETURN(Bytes pk, HexOption(o, "public-key"));
  QFS_ASSIGN_OR_RETURN(Bytes sig, HexOption(o, "signature"));
  return VerifyResult(h->Verify(pk, message, sig));
}

CryptoOption Req(std::string name, std::string help) {
  return {std::move(name), std::move(help), true};
}
CryptoOption Opt(std::string name, std::string help) {
  return {std::move(name), std::move(help), false};
}

}  // namespace

const std::vector<CryptoOperation>& CryptoOperations() {
  static const std::vector<CryptoOperation> ops = {
      {"hash",
       "Digest of --data",
       {Req("algorithm", "sha256|sha512|sha3-256|shake128|shake256|keccak256"),
        Opt("data", "hex input"), Opt("length", "output bytes for shake (default 32)")},
       Hash},
      {"hmac",
       "HMAC-SHA256 of --message under --key; with --tag, verify it",
       {Req("key", "hex"), Opt("message", "hex"), Opt("tag", "hex tag to verify")},
       Hmac},
      {"hkdf",
       "HKDF-SHA256",
       {Opt("salt", "hex"), Req("ikm", "hex"), Opt("info", "hex"), Req("length", "bytes")},
       Hkdf},
      {"aead-seal",
       "Encrypt and authenticate: prints ciphertext || tag",
       {Req("algorithm", "aes-gcm|chacha20-poly1305"), Req("key", "hex"), Req("nonce", "hex"),
        Opt("aad", "hex"), Opt("data", "hex plaintext")},
       [](const Options& o) { return Aead(o, true); }},
      {"aead-open",
       "Check and decrypt ciphertext || tag",
       {Req("algorithm", "aes-gcm|chacha20-poly1305"), Req("key", "hex"), Req("nonce", "hex"),
        Opt("aad", "hex"), Req("data", "hex ciphertext || tag")},
       [](const Options& o) { return Aead(o, false); }},
      {"ed25519-keygen",
       "Ed25519 public key from a 32-byte seed",
       {Req("seed", "hex")},
       [](const Options& o) { return Ed25519(o, "keygen"); }},
      {"ed25519-sign",
       "Ed25519 signature (key from --seed)",
       {Req("seed", "hex"), Opt("message", "hex"), Opt("text", "UTF-8 message")},
       [](const Options& o) { return Ed25519(o, "sign"); }},
      {"ed25519-verify",
       "Verify an Ed25519 signature",
       {Req("public-key", "hex"), Opt("message", "hex"), Opt("text", "UTF-8 message"),
        Req("signature", "hex")},
       [](const Options& o) { return Ed25519(o, "verify"); }},
      {"x25519",
       "X25519 public key of --private, or the shared secret with --public",
       {Req("private", "hex"), Opt("public", "hex peer key")},
       X25519},
      {"secp256k1-pubkey",
       "secp256k1 public key and Ethereum address of --private",
       {Req("private", "hex"), Opt("compressed", "any value: compressed output")},
       [](const Options& o) { return Secp256k1(o, "pubkey"); }},
      {"secp256k1-verify",
       "Verify ECDSA over a 32-byte digest (low-S only)",
       {Req("public-key", "hex SEC1"), Req("digest", "hex, 32 bytes"), Req("signature", "hex"),
        Opt("encoding", "der (default) or compact")},
       [](const Options& o) { return Secp256k1(o, "verify"); }},
      {"secp256k1-recover",
       "Public key and address from a digest and r || s || v",
       {Req("digest", "hex, 32 bytes"), Req("signature", "hex, 65 bytes")},
       [](const Options& o) { return Secp256k1(o, "recover"); }},
      {"eip191-hash",
       "EIP-191 personal_sign hash",
       {Opt("message", "hex"), Opt("text", "UTF-8 message")},
       [](const Options& o) { return Eip191(o, false); }},
      {"eip191-recover",
       "Signer address of an EIP-191 message",
       {Opt("message", "hex"), Opt("text", "UTF-8 message"), Req("signature", "hex, 65 bytes")},
       [](const Options& o) { return Eip191(o, true); }},
      {"eip55",
       "EIP-55 checksummed form of an address (checks a mixed-case checksum)",
       {Req("address", "0x + 40 hex digits")},
       Eip55},
      {"mldsa-keygen",
       "ML-DSA key pair from a 32-byte seed (FIPS 204 KeyGen_internal)",
       {Req("set", "ML-DSA-44|ML-DSA-65|ML-DSA-87"), Req("seed", "hex, 32 bytes")},
       [](const Options& o) { return MlDsa(o, "keygen"); }},
      {"mldsa-sign",
       "ML-DSA signature: pure (default), --prehash ALG, --internal (message is M'), or --mu",
       {Req("set", "ML-DSA-44|ML-DSA-65|ML-DSA-87"), Req("secret-key", "hex"),
        Opt("message", "hex"), Opt("text", "UTF-8 message"), Opt("context", "hex, <= 255 bytes"),
        Opt("prehash", "SHA2-256, SHA3-512, SHAKE-128, ... (HashML-DSA)"),
        Opt("internal", "any value: sign M' as given"), Opt("mu", "hex, 64 bytes: external mu"),
        Opt("rnd", "hex, 32 bytes (default: deterministic)"),
        Opt("hedged", "any value: fresh randomness")},
       [](const Options& o) { return MlDsa(o, "sign"); }},
      {"mldsa-verify",
       "Verify an ML-DSA signature (same modes as sign)",
       {Req("set", "ML-DSA-44|ML-DSA-65|ML-DSA-87"), Req("public-key", "hex"),
        Opt("message", "hex"), Opt("text", "UTF-8 message"), Opt("context", "hex"),
        Opt("prehash", "hash name"), Opt("internal", "any value"), Opt("mu", "hex"),
        Req("signature", "hex")},
       [](const Options& o) { return MlDsa(o, "verify"); }},
      {"mlkem-keygen",
       "ML-KEM key pair from d and z (FIPS 203 KeyGen_internal)",
       {Req("set", "ML-KEM-512|ML-KEM-768|ML-KEM-1024"), Req("d", "hex, 32 bytes"),
        Req("z", "hex, 32 bytes")},
       [](const Options& o) { return MlKem(o, "keygen"); }},
      {"mlkem-encaps",
       "Encapsulate with message m (FIPS 203 Encaps_internal)",
       {Req("set", "ML-KEM-512|ML-KEM-768|ML-KEM-1024"), Req("encapsulation-key", "hex"),
        Req("m", "hex, 32 bytes")},
       [](const Options& o) { return MlKem(o, "encaps"); }},
      {"mlkem-decaps",
       "Decapsulate (implicit rejection for a wrong ciphertext)",
       {Req("set", "ML-KEM-512|ML-KEM-768|ML-KEM-1024"), Req("decapsulation-key", "hex"),
        Req("ciphertext", "hex")},
       [](const Options& o) { return MlKem(o, "decaps"); }},
      {"mlkem-check",
       "FIPS 203 input check of an encapsulation or decapsulation key",
       {Req("set", "ML-KEM-512|ML-KEM-768|ML-KEM-1024"), Opt("encapsulation-key", "hex"),
        Opt("decapsulation-key", "hex")},
       [](const Options& o) { return MlKem(o, "check"); }},
      {"hybrid-keygen",
       "Ed25519+ML-DSA-65 key pair from a 64-byte seed",
       {Req("seed", "hex, 64 bytes")},
       [](const Options& o) { return Hybrid(o, "keygen"); }},
      {"hybrid-sign",
       "Ed25519+ML-DSA-65 signature (hedged)",
       {Req("secret-key", "hex"), Opt("message", "hex"), Opt("text", "UTF-8 message")},
       [](const Options& o) { return Hybrid(o, "sign"); }},
      {"hybrid-verify",
       "Verify an Ed25519+ML-DSA-65 signature (both halves must verify)",
       {Req("public-key", "hex"), Opt("message", "hex"), Opt("text", "UTF-8 message"),
        Req("signature", "hex")},
       [](const Options& o) { return Hybrid(o, "verify"); }},
  };
  return ops;
}

Result<Json> RunCrypto(const std::string& operation, const Options& options) {
  for (const CryptoOperation& op : CryptoOperations()) {
    if (op.name != operation) continue;
    for (const CryptoOption& opt : op.options) {
      if (opt.required && options.count(opt.name) == 0) {
        return Status(StatusCode::kInvalidArgument, "--" + opt.name + " is required");
      }
    }
    return op.run(options);
  }
  return Status(StatusCode::kInvalidArgument, "unknown crypto operation '" + operation + "'");
}

void AddCryptoCommand(CLI::App& app, int* exit_code) {
  CLI::App* crypto =
      app.add_subcommand("crypto", "Run a cryptographic primitive: hex in, JSON out");
  crypto->require_subcommand(1);
  // "mldsa-sign" becomes `qfs crypto mldsa sign`; single operations stay flat (`qfs crypto hash`).
  std::map<std::string, int> family_size;
  for (const CryptoOperation& op : CryptoOperations()) {
    ++family_size[op.name.substr(0, op.name.find('-'))];
  }
  std::map<std::string, CLI::App*> families;
  for (const CryptoOperation& op : CryptoOperations()) {
    const std::size_t dash = op.name.find('-');
    const std::string family = op.name.substr(0, dash);
    CLI::App* parent = crypto;
    std::string leaf = op.name;
    if (dash != std::string::npos && family_size[family] > 1) {
      CLI::App*& f = families[family];
      if (f == nullptr) {
        f = crypto->add_subcommand(family, family + " operations");
        f->require_subcommand(1);
      }
      parent = f;
      leaf = op.name.substr(dash + 1);
    }
    CLI::App* cmd = parent->add_subcommand(leaf, op.help);
    auto values = std::make_shared<Options>();
    for (const CryptoOption& opt : op.options) {
      cmd->add_option_function<std::string>(
          "--" + opt.name, [values, name = opt.name](const std::string& v) { (*values)[name] = v; },
          opt.help + (opt.required ? " (required)" : ""));
    }
    cmd->callback([values, name = op.name, exit_code] {
      Result<Json> r = RunCrypto(name, *values);
      if (r.ok()) {
        std::cout << codec::CanonicalJson(r.value()).value() << "\n";
        *exit_code = 0;
        return;
      }
      PrintError(r.status());
      *exit_code = 1;
    });
  }
}

}  // namespace qfs::cli
