// The ledger's vocabulary: identities, keys, tokens, amounts, and the numbered result codes the
// state machine records in every log entry (docs/ledger.md lists them; numbers are never
// renumbered or reused).
#ifndef QFS_LEDGER_TYPES_H_
#define QFS_LEDGER_TYPES_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "math/fixed.h"

namespace qfs::ledger {

// An identity: a wallet's 20-byte EVM address, or for a key-only identity (nodes, operators) the
// first 20 bytes of SHA-256("qfs.identity.v1" || algorithm || public key) of its first key.
struct IdentityId {
  std::array<std::uint8_t, 20> bytes{};
  bool operator==(const IdentityId&) const = default;
  std::strong_ordering operator<=>(const IdentityId& o) const {
    return CompareFixedBytes(bytes, o.bytes);  // byte order, inline (the account map's key)
  }
  std::string ToHex() const;  // "0x" + 40 lowercase hex digits
};
Result<IdentityId> ParseIdentityId(std::string_view text);  // "0x" + 40 hex digits

// A key's number within its identity, in order of registration (0 is the first key).
struct KeyId {
  std::uint32_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const KeyId&) const = default;
};

// An idempotency id chosen by the client, unique per signer.
struct OperationId {
  std::array<std::uint8_t, 16> bytes{};
  bool operator==(const OperationId&) const = default;
  std::strong_ordering operator<=>(const OperationId& o) const {
    return CompareFixedBytes(bytes, o.bytes);
  }
};

// The six tokens. The numbers are the wire encoding.
enum class Token : std::uint8_t { kChr = 0, kFlx = 1, kPsi = 2, kAtr = 3, kRes = 4, kNod = 5 };
inline constexpr int kTokenCount = 6;
std::string_view TokenSymbol(Token token);  // "CHR", ...
std::optional<Token> ParseToken(std::string_view symbol);
std::optional<Token> TokenFromWire(std::uint8_t value);

using Amount = math::UD128x18;

// Roles, a bit set on each identity.
enum Role : std::uint32_t {
  kRoleAdmin = 1u << 0,   // grants and revokes roles
  kRoleMinter = 1u << 1,  // mints any token to any account
  kRoleBurner = 1u << 2,  // burns from its own account
};
inline constexpr std::uint32_t kRolesAll = kRoleAdmin | kRoleMinter | kRoleBurner;

// Each role's name in JSON, the CLI and the docs.
struct RoleName {
  Role bit;
  std::string_view name;
};
inline constexpr std::array<RoleName, 3> kRoleNames = {
    {{kRoleAdmin, "admin"}, {kRoleMinter, "minter"}, {kRoleBurner, "burner"}}};

// The role named `name`, or nullopt for an unknown name.
inline std::optional<Role> RoleFromName(std::string_view name) {
  for (const RoleName& r : kRoleNames) {
    if (r.name == name) return r.bit;
  }
  return std::nullopt;
}

// Numbered result codes. 0-99: admission (the packet never reaches the log); 100-299: business
// rejections, logged with the entry so that replay reproduces them; 302: the node is halted.
enum class ResultCode : std::uint16_t {
  kOk = 0,
  // The original system's DRV_Packet codes.
  kInvalidSequence = 1,
  kInvalidTimestamp = 2,
  kInvalidSignature = 3,
  kVersionMismatch = 5,
  // Admission.
  kMalformedPacket = 10,
  kPacketTooLarge = 11,
  kWrongNetwork = 12,
  kUnknownSigner = 13,
  kKeyRevoked = 14,
  kOperationConflict = 15,  // an operation id reused with different contents
  // Business rejections.
  kInsufficientFunds = 100,
  kUnknownAccount = 101,
  kNotTransferable = 102,
  kZeroAmount = 103,
  kSelfTransfer = 104,
  kRoleRequired = 105,
  kAmountOverflow = 106,
  kPendingNotFound = 107,
  kPendingExpired = 109,
  kPendingFinal = 110,
  kIdentityExists = 111,
  kKeyNotFound = 112,
  kKeyAlreadyRevoked = 113,
  kLastActiveKey = 114,
  kBatchSize = 115,
  kInvalidTimeout = 116,
  kWalletProofInvalid = 117,
  kInvalidIdentity = 118,
  kUnknownAlgorithm = 119,
  kBadPublicKey = 120,
  kTooManyKeys = 121,
  // The node.
  kHalted = 302,
};
std::string_view ResultCodeName(ResultCode code);  // "INSUFFICIENT_FUNDS", ...
bool IsAdmissionCode(ResultCode code);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_TYPES_H_
