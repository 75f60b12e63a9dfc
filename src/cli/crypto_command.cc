#include "cli/crypto_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "base/limits.h"
#include "base/text_encoding.h"
#include "crypto/aead.h"
#include "crypto/curve25519.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
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
    const std::string& l = o.at("length");
    if (l.empty() || l.size() > 6 || l.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(l) > 65536) {
      return Status(StatusCode::kInvalidArgument, "--length must be 0..65536");
    }
    length = std::stoul(l);
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
  const std::string& l = o.at("length");
  if (l.empty() || l.size() > 5 || l.find_first_not_of("0123456789") != std::string::npos) {
    return Status(StatusCode::kInvalidArgument, "--length must be a number of bytes");
  }
  QFS_ASSIGN_OR_RETURN(SecretBytes okm, crypto::Hkdf(salt, ikm, info, std::stoul(l)));
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
  for (const CryptoOperation& op : CryptoOperations()) {
    CLI::App* cmd = crypto->add_subcommand(op.name, op.help);
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
      Json error = {
          {"error",
           {{"code", std::string(StatusCodeName(r.code()))}, {"message", r.status().message()}}}};
      std::cout << codec::CanonicalJson(error).value() << "\n";
      *exit_code = 1;
    });
  }
}

}  // namespace qfs::cli
