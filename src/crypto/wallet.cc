#include "crypto/wallet.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "base/check.h"
#include "base/text_encoding.h"

namespace qfs::crypto {
namespace {

const secp256k1_context* Context() {
  static secp256k1_context* ctx = [] {
    secp256k1_context* c =
        secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    QFS_CHECK(c != nullptr);
    return c;
  }();
  return ctx;
}

Status CheckDigest(ByteSpan digest) {
  if (digest.size() != 32) return Status(StatusCode::kBadLength, "digest must be 32 bytes");
  return OkStatus();
}

Result<secp256k1_pubkey> ParsePublicKey(ByteSpan public_key) {
  secp256k1_pubkey pk;
  if ((public_key.size() != 33 && public_key.size() != 65) ||
      secp256k1_ec_pubkey_parse(Context(), &pk, public_key.data(), public_key.size()) != 1) {
    return Status(StatusCode::kBadKey, "not a secp256k1 public key (33 or 65 bytes SEC1)");
  }
  return pk;
}

Bytes Serialize(const secp256k1_pubkey& pk, bool compressed) {
  Bytes out(compressed ? 33 : 65);
  std::size_t n = out.size();
  QFS_CHECK(secp256k1_ec_pubkey_serialize(
                Context(), out.data(), &n, &pk,
                compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED) == 1);
  return out;
}

Result<secp256k1_ecdsa_recoverable_signature> ParseRecoverable(ByteSpan signature) {
  if (signature.size() != 65) {
    return Status(StatusCode::kBadSignature, "recoverable signature is 65 bytes (r || s || v)");
  }
  int v = signature[64];
  if (v >= 27) v -= 27;
  if (v != 0 && v != 1) return Status(StatusCode::kBadSignature, "v must be 0, 1, 27 or 28");
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(Context(), &sig, signature.data(), v) !=
      1) {
    return Status(StatusCode::kBadSignature, "r or s is not below the group order");
  }
  secp256k1_ecdsa_signature plain;
  secp256k1_ecdsa_recoverable_signature_convert(Context(), &plain, &sig);
  if (secp256k1_ecdsa_signature_normalize(Context(), nullptr, &plain) == 1) {
    return Status(StatusCode::kBadSignature, "high-S signature (s > n/2) is not accepted");
  }
  return sig;
}

}  // namespace

Result<Bytes> Secp256k1PublicKey(ByteSpan private_key, bool compressed) {
  secp256k1_pubkey pk;
  if (private_key.size() != 32 ||
      secp256k1_ec_pubkey_create(Context(), &pk, private_key.data()) != 1) {
    return Status(StatusCode::kBadKey, "secp256k1 private key must be 32 bytes in [1, n-1]");
  }
  return Serialize(pk, compressed);
}

Status EcdsaVerify(ByteSpan public_key, ByteSpan digest, ByteSpan signature, EcdsaEncoding enc) {
  QFS_RETURN_IF_ERROR(CheckDigest(digest));
  QFS_ASSIGN_OR_RETURN(secp256k1_pubkey pk, ParsePublicKey(public_key));
  secp256k1_ecdsa_signature sig;
  int parsed =
      enc == EcdsaEncoding::kDer
          ? secp256k1_ecdsa_signature_parse_der(Context(), &sig, signature.data(), signature.size())
          : (signature.size() == 64 &&
             secp256k1_ecdsa_signature_parse_compact(Context(), &sig, signature.data()));
  if (parsed != 1) return Status(StatusCode::kBadSignature, "malformed ECDSA signature");
  if (enc == EcdsaEncoding::kDer) {
    // parse_der tolerates some non-minimal forms; accept only input that re-serialises exactly.
    std::uint8_t der[72];
    std::size_t n = sizeof(der);
    QFS_CHECK(secp256k1_ecdsa_signature_serialize_der(Context(), der, &n, &sig) == 1);
    if (n != signature.size() || !std::equal(der, der + n, signature.begin())) {
      return Status(StatusCode::kBadSignature, "ECDSA signature is not strict DER");
    }
  }
  if (secp256k1_ecdsa_signature_normalize(Context(), nullptr, &sig) == 1) {
    return Status(StatusCode::kBadSignature, "high-S signature (s > n/2) is not accepted");
  }
  if (secp256k1_ecdsa_verify(Context(), &sig, digest.data(), &pk) != 1) {
    return Status(StatusCode::kBadSignature, "ECDSA signature does not verify");
  }
  return OkStatus();
}

Result<Bytes> EcdsaSignRecoverable(ByteSpan private_key, ByteSpan digest) {
  QFS_RETURN_IF_ERROR(CheckDigest(digest));
  if (private_key.size() != 32 || secp256k1_ec_seckey_verify(Context(), private_key.data()) != 1) {
    return Status(StatusCode::kBadKey, "secp256k1 private key must be 32 bytes in [1, n-1]");
  }
  secp256k1_ecdsa_recoverable_signature sig;
  QFS_CHECK(secp256k1_ecdsa_sign_recoverable(Context(), &sig, digest.data(), private_key.data(),
                                             nullptr, nullptr) == 1);
  Bytes out(65);
  int v = 0;
  QFS_CHECK(secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), out.data(), &v,
                                                                    &sig) == 1);
  out[64] = static_cast<std::uint8_t>(v);
  return out;
}

Result<Bytes> RecoverPublicKey(ByteSpan digest, ByteSpan signature) {
  QFS_RETURN_IF_ERROR(CheckDigest(digest));
  QFS_ASSIGN_OR_RETURN(secp256k1_ecdsa_recoverable_signature sig, ParseRecoverable(signature));
  secp256k1_pubkey pk;
  if (secp256k1_ecdsa_recover(Context(), &pk, &sig, digest.data()) != 1) {
    return Status(StatusCode::kBadSignature, "no public key recovers from this signature");
  }
  return Serialize(pk, false);
}

Result<Address> AddressFromPublicKey(ByteSpan public_key) {
  QFS_ASSIGN_OR_RETURN(secp256k1_pubkey pk, ParsePublicKey(public_key));
  Bytes uncompressed = Serialize(pk, false);
  Digest32 h = Keccak256(ByteSpan(uncompressed).subspan(1));
  Address a;
  std::copy(h.begin() + 12, h.end(), a.begin());
  return a;
}

Digest32 Eip191Hash(ByteSpan message) {
  std::string prefix =
      "\x19"
      "Ethereum Signed Message:\n" +
      std::to_string(message.size());
  Bytes data(prefix.begin(), prefix.end());
  data.insert(data.end(), message.begin(), message.end());
  return Keccak256(data);
}

Result<Address> RecoverAddress(ByteSpan message, ByteSpan signature) {
  Digest32 digest = Eip191Hash(message);
  QFS_ASSIGN_OR_RETURN(Bytes pk, RecoverPublicKey(digest, signature));
  return AddressFromPublicKey(pk);
}

std::string ChecksumAddress(const Address& address) {
  std::string lower = HexEncode(address);
  Digest32 h = Keccak256(AsBytes(lower));
  std::string out = "0x";
  for (std::size_t i = 0; i < lower.size(); ++i) {
    int nibble = (h[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
    char c = lower[i];
    out += (c >= 'a' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

Result<Address> ParseAddress(std::string_view text) {
  if (text.size() != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return Status(StatusCode::kParseError, "address must be 0x followed by 40 hex digits");
  }
  QFS_ASSIGN_OR_RETURN(Bytes raw, HexDecode(text.substr(2)));
  Address a;
  std::copy(raw.begin(), raw.end(), a.begin());
  std::string_view digits = text.substr(2);
  bool has_lower = digits.find_first_of("abcdef") != std::string_view::npos;
  bool has_upper = digits.find_first_of("ABCDEF") != std::string_view::npos;
  if (has_lower && has_upper && ChecksumAddress(a).substr(2) != digits) {
    return Status(StatusCode::kNonCanonical, "address checksum (EIP-55) does not match");
  }
  return a;
}

}  // namespace qfs::crypto
