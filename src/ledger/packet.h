// The signed packet (the original's DRV_Packet) and the operations it carries: the only way a
// client changes the ledger. docs/ledger.md specifies the encoding byte by byte; every field is
// in the canonical encoding of docs/formats/encoding.md.
//
//   Packet p{.network = 1, .signer = me, .key = KeyId{0}, .sequence = 8,
//            .client_time_us = now, .operation_id = id, .operation = Transfer{...}};
//   QFS_RETURN_IF_ERROR(SignPacket(p, scheme, secret_key));
//   Bytes wire = EncodePacket(p);
//   Packet back = DecodePacket(wire).value();   // strict: one encoding per packet
//
// Thread safety: plain values and pure functions.
#ifndef QFS_LEDGER_PACKET_H_
#define QFS_LEDGER_PACKET_H_

#include <cstdint>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "crypto/hash.h"
#include "crypto/signature.h"
#include "ledger/types.h"

namespace qfs::ledger {

inline constexpr std::uint16_t kPacketVersion = 1;
// The packet's bounds and how they relate: base/limits.h.
using qfs::kBatchLegsMax;
using qfs::kPacketBytesMax;
using qfs::kPublicKeyBytesMax;

struct TransferLeg {
  IdentityId to;
  Token token = Token::kChr;
  Amount amount;
  bool operator==(const TransferLeg&) const = default;
};

// Registers the signer as a new identity whose key 0 is `public_key`. A wallet identity proves
// the address with an EIP-191 signature (65 bytes r || s || v) over RegistrationMessage(); a
// key-only identity must be DeriveIdentity(algorithm, public_key).
struct RegisterIdentity {
  std::uint16_t algorithm = 0;
  Bytes public_key;
  Bytes wallet_signature;  // empty for a key-only identity
  bool operator==(const RegisterIdentity&) const = default;
};
struct AddKey {
  std::uint16_t algorithm = 0;
  Bytes public_key;
  bool operator==(const AddKey&) const = default;
};
struct RevokeKey {
  KeyId key;
  bool operator==(const RevokeKey&) const = default;
};
// Adds a key and revokes another in one step.
struct RotateKey {
  std::uint16_t algorithm = 0;
  Bytes public_key;
  KeyId revoke;
  bool operator==(const RotateKey&) const = default;
};
struct SetRoles {  // requires kRoleAdmin
  IdentityId identity;
  std::uint32_t roles = 0;
  bool operator==(const SetRoles&) const = default;
};
struct Mint {  // requires kRoleMinter
  IdentityId to;
  Token token = Token::kChr;
  Amount amount;
  bool operator==(const Mint&) const = default;
};
struct Burn {  // requires kRoleBurner; from the signer's own account
  Token token = Token::kChr;
  Amount amount;
  bool operator==(const Burn&) const = default;
};
struct Transfer {
  TransferLeg leg;
  bool operator==(const Transfer&) const = default;
};
// Several transfers from the signer, any tokens: all apply or none does.
struct Batch {
  std::vector<TransferLeg> legs;
  bool operator==(const Batch&) const = default;
};
// Phase one of a two-phase transfer: moves `amount` of the signer's balance into pending. The
// pending transfer is named by this packet's operation id; it expires (back to the signer) once
// ledger time passes the entry's time plus timeout_us.
struct Reserve {
  TransferLeg leg;
  std::uint64_t timeout_us = 0;
  bool operator==(const Reserve&) const = default;
};
struct PostPending {  // phase two: the reserved amount goes to the recipient
  OperationId pending;
  bool operator==(const PostPending&) const = default;
};
struct VoidPending {  // phase two: the reserved amount returns to the signer
  OperationId pending;
  bool operator==(const VoidPending&) const = default;
};

using Operation = std::variant<RegisterIdentity, AddKey, RevokeKey, RotateKey, SetRoles, Mint, Burn,
                               Transfer, Batch, Reserve, PostPending, VoidPending>;
// Wire numbers of the operations, in the variant's order. Never renumbered.
enum class OperationKind : std::uint16_t {
  kRegisterIdentity = 1,
  kAddKey = 2,
  kRevokeKey = 3,
  kRotateKey = 4,
  kSetRoles = 5,
  kMint = 10,
  kBurn = 11,
  kTransfer = 12,
  kBatch = 13,
  kReserve = 14,
  kPostPending = 15,
  kVoidPending = 16,
};
OperationKind KindOf(const Operation& operation);

struct Packet {
  std::uint16_t version = kPacketVersion;
  std::uint32_t network = 0;
  IdentityId signer;
  KeyId key;
  std::uint64_t sequence = 0;        // the signer's previous sequence + 1 (the first is 1)
  std::uint64_t client_time_us = 0;  // checked against the node's time window at admission
  OperationId operation_id;
  Operation operation;
  std::uint16_t algorithm = 0;  // crypto::SignatureAlgorithm
  Bytes signature;
  bool operator==(const Packet&) const = default;
};

// The bytes the signature covers: a domain tag and every field before `algorithm`.
Bytes SigningMessage(const Packet& packet);
Bytes EncodePacket(const Packet& packet);
// Strict: TOO_LARGE over kPacketBytesMax, NON_CANONICAL / TRUNCATED / TRAILING_BYTES, unknown
// operation kinds and tokens rejected. Does not verify the signature.
Result<Packet> DecodePacket(ByteSpan wire);
// What a node would say of `packet` once signed with a signature of `signature_bytes`, before
// it checks anything else: TOO_LARGE over kPacketBytesMax (PACKET_TOO_LARGE), or the decoder's
// refusal (MALFORMED_PACKET: more than kBatchLegsMax legs, a public key over
// kPublicKeyBytesMax, ...). A client calls it before it signs, to refuse what the node would.
Status CheckPacketEncodable(const Packet& packet, std::size_t signature_bytes);
// SHA-256 of the encoded packet: what an operation id's record remembers.
crypto::Digest32 PacketHash(const Packet& packet);

// Sets algorithm and signature. REQUIRES: the scheme matches the secret key.
Status SignPacket(Packet& packet, const crypto::SignatureScheme& scheme,
                  const SecretBytes& secret_key);

// The key-only identity of a public key.
IdentityId DeriveIdentity(std::uint16_t algorithm, ByteSpan public_key);
// The text a wallet signs (EIP-191 personal_sign) to bind a key to its address.
std::string RegistrationMessage(std::uint32_t network, const IdentityId& wallet,
                                std::uint16_t algorithm, ByteSpan public_key);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_PACKET_H_
