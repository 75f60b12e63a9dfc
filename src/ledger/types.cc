#include "ledger/types.h"

#include <algorithm>

#include "base/text_encoding.h"

namespace qfs::ledger {
namespace {

constexpr std::array<std::string_view, kTokenCount> kSymbols = {"CHR", "FLX", "PSI",
                                                                "ATR", "RES", "NOD"};

}  // namespace

std::string IdentityId::ToHex() const { return "0x" + HexEncode(bytes); }

Result<IdentityId> ParseIdentityId(std::string_view text) {
  if (text.size() != 42 || text.substr(0, 2) != "0x") {
    return Status(StatusCode::kParseError, "an identity is 0x and 40 hex digits");
  }
  std::string lower(text.substr(2));
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  QFS_ASSIGN_OR_RETURN(Bytes raw, HexDecode(lower));
  IdentityId id;
  std::copy(raw.begin(), raw.end(), id.bytes.begin());
  return id;
}

std::string_view TokenSymbol(Token token) { return kSymbols[static_cast<std::size_t>(token)]; }

std::optional<Token> ParseToken(std::string_view symbol) {
  for (std::size_t i = 0; i < kSymbols.size(); ++i) {
    if (kSymbols[i] == symbol) return static_cast<Token>(i);
  }
  return std::nullopt;
}

std::optional<Token> TokenFromWire(std::uint8_t value) {
  if (value >= kTokenCount) return std::nullopt;
  return static_cast<Token>(value);
}

bool IsAdmissionCode(ResultCode code) {
  return static_cast<std::uint16_t>(code) > 0 && static_cast<std::uint16_t>(code) < 100;
}

std::string_view ResultCodeName(ResultCode code) {
  switch (code) {
    case ResultCode::kOk:
      return "OK";
    case ResultCode::kInvalidSequence:
      return "INVALID_SEQUENCE";
    case ResultCode::kInvalidTimestamp:
      return "INVALID_TTS_TIMESTAMP";
    case ResultCode::kInvalidSignature:
      return "INVALID_SIGNATURE";
    case ResultCode::kVersionMismatch:
      return "VERSION_MISMATCH";
    case ResultCode::kMalformedPacket:
      return "MALFORMED_PACKET";
    case ResultCode::kPacketTooLarge:
      return "PACKET_TOO_LARGE";
    case ResultCode::kWrongNetwork:
      return "WRONG_NETWORK";
    case ResultCode::kUnknownSigner:
      return "UNKNOWN_SIGNER";
    case ResultCode::kKeyRevoked:
      return "KEY_REVOKED";
    case ResultCode::kOperationConflict:
      return "OPERATION_CONFLICT";
    case ResultCode::kInsufficientFunds:
      return "INSUFFICIENT_FUNDS";
    case ResultCode::kUnknownAccount:
      return "UNKNOWN_ACCOUNT";
    case ResultCode::kNotTransferable:
      return "NOT_TRANSFERABLE";
    case ResultCode::kZeroAmount:
      return "ZERO_AMOUNT";
    case ResultCode::kSelfTransfer:
      return "SELF_TRANSFER";
    case ResultCode::kRoleRequired:
      return "ROLE_REQUIRED";
    case ResultCode::kAmountOverflow:
      return "AMOUNT_OVERFLOW";
    case ResultCode::kPendingNotFound:
      return "PENDING_NOT_FOUND";
    case ResultCode::kPendingExpired:
      return "PENDING_EXPIRED";
    case ResultCode::kPendingFinal:
      return "PENDING_FINAL";
    case ResultCode::kIdentityExists:
      return "IDENTITY_EXISTS";
    case ResultCode::kKeyNotFound:
      return "KEY_NOT_FOUND";
    case ResultCode::kKeyAlreadyRevoked:
      return "KEY_ALREADY_REVOKED";
    case ResultCode::kLastActiveKey:
      return "LAST_ACTIVE_KEY";
    case ResultCode::kBatchSize:
      return "BATCH_SIZE";
    case ResultCode::kInvalidTimeout:
      return "INVALID_TIMEOUT";
    case ResultCode::kWalletProofInvalid:
      return "WALLET_PROOF_INVALID";
    case ResultCode::kInvalidIdentity:
      return "INVALID_IDENTITY";
    case ResultCode::kUnknownAlgorithm:
      return "UNKNOWN_ALGORITHM";
    case ResultCode::kBadPublicKey:
      return "BAD_PUBLIC_KEY";
    case ResultCode::kTooManyKeys:
      return "TOO_MANY_KEYS";
    case ResultCode::kHalted:
      return "CIR_302_HALTED";
  }
  return "UNKNOWN_RESULT";
}

}  // namespace qfs::ledger
