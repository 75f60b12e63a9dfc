#include "base/status.h"

namespace qfs {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case StatusCode::kParseError:
      return "PARSE_ERROR";
    case StatusCode::kTooLarge:
      return "TOO_LARGE";
    case StatusCode::kOverflow:
      return "OVERFLOW";
    case StatusCode::kUnderflow:
      return "UNDERFLOW";
    case StatusCode::kDivisionByZero:
      return "DIVISION_BY_ZERO";
    case StatusCode::kDomainError:
      return "DOMAIN_ERROR";
    case StatusCode::kPrecisionExhausted:
      return "PRECISION_EXHAUSTED";
    case StatusCode::kNonCanonical:
      return "NON_CANONICAL";
    case StatusCode::kTrailingBytes:
      return "TRAILING_BYTES";
    case StatusCode::kTruncated:
      return "TRUNCATED";
    case StatusCode::kBadLength:
      return "BAD_LENGTH";
    case StatusCode::kBadKey:
      return "BAD_KEY";
    case StatusCode::kBadSignature:
      return "BAD_SIGNATURE";
    case StatusCode::kAuthenticationFailed:
      return "AUTHENTICATION_FAILED";
    case StatusCode::kUnknownAlgorithm:
      return "UNKNOWN_ALGORITHM";
    case StatusCode::kCryptoFailure:
      return "CRYPTO_FAILURE";
    case StatusCode::kBadProof:
      return "BAD_PROOF";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kIoError:
      return "IO_ERROR";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kCorruption:
      return "CORRUPTION";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kOutcomeUnknown:
      return "OUTCOME_UNKNOWN";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace qfs
