// Ethereum wallet signatures on secp256k1 (libsecp256k1 with its recovery module).
//
// Policy (docs/formats/signatures.md): ECDSA signatures must be low-S (s <= n/2, as Ethereum
// requires since EIP-2 and libsecp256k1 enforces); a high-S signature is BAD_SIGNATURE, not
// silently normalised, so every accepted signature has one form. DER input must be strict DER.
// Recoverable signatures are 65 bytes r || s || v with v in {0, 1, 27, 28}.
//
//   Address a = RecoverAddress(AsBytes("Sign this message to login to ATLAS: 42"), sig).value();
//   std::string shown = ChecksumAddress(a);  // EIP-55
#ifndef QFS_CRYPTO_WALLET_H_
#define QFS_CRYPTO_WALLET_H_

#include <array>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace qfs::crypto {

using Address = std::array<std::uint8_t, 20>;

enum class EcdsaEncoding { kDer, kCompact };  // compact: r || s, 64 bytes

// Public key (33 bytes compressed or 65 uncompressed) of a 32-byte private key. BAD_KEY if the
// key is zero or not below the group order.
Result<Bytes> Secp256k1PublicKey(ByteSpan private_key, bool compressed);
// Verifies an ECDSA signature over a 32-byte digest (already hashed: SHA-256 or Keccak-256).
Status EcdsaVerify(ByteSpan public_key, ByteSpan digest, ByteSpan signature, EcdsaEncoding enc);
// Signs a 32-byte digest (RFC 6979 nonces, low-S), returning r || s || v (v in {0, 1}).
Result<Bytes> EcdsaSignRecoverable(ByteSpan private_key, ByteSpan digest);
// The uncompressed (65-byte) public key that made `signature` over `digest`.
Result<Bytes> RecoverPublicKey(ByteSpan digest, ByteSpan signature);

// keccak256(pubkey[1..65])[12..32]; accepts a compressed or uncompressed key.
Result<Address> AddressFromPublicKey(ByteSpan public_key);
// EIP-191 personal_sign: keccak256("\x19Ethereum Signed Message:\n" + len(message) + message).
Digest32 Eip191Hash(ByteSpan message);
// The signer of an EIP-191 message.
Result<Address> RecoverAddress(ByteSpan message, ByteSpan signature);

// EIP-55 mixed-case "0x..." form.
std::string ChecksumAddress(const Address& address);
// Accepts "0x" + 40 hex digits: all lower case, all upper case, or the exact EIP-55 form.
// PARSE_ERROR for malformed text, NON_CANONICAL for mixed case with a wrong checksum.
Result<Address> ParseAddress(std::string_view text);

}  // namespace qfs::crypto

#endif  // QFS_CRYPTO_WALLET_H_
