// Status and Result<T>: how an operation reports an operating error (bad input, I/O, bad peer).
//
// Business rejections (insufficient balance, revoked key) are not Status: they are the ledger's
// numbered result codes. Programmer errors are not Status either: they are QFS_CHECK failures.
//
// Codes are stable: they appear in CLI output, API error bodies and logs. Never renumber or reuse
// one; add new codes at the end of their block. docs/ERRORS.md lists them.
//
// Example:
//   Result<UD128x18> r = UD128x18::Parse(text);
//   if (!r.ok()) return r.status();
//   UD128x18 v = r.value();
#ifndef QFS_BASE_STATUS_H_
#define QFS_BASE_STATUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/check.h"

namespace qfs {

enum class StatusCode : std::uint16_t {
  kOk = 0,
  // Generic input errors.
  kInvalidArgument = 1,
  kOutOfRange = 2,
  kParseError = 3,
  kTooLarge = 4,
  // Arithmetic (CertifiedMath).
  kOverflow = 20,
  kUnderflow = 21,
  kDivisionByZero = 22,
  kDomainError = 23,
  kPrecisionExhausted = 24,
  // Encoding (codec, hex, base64).
  kNonCanonical = 40,
  kTrailingBytes = 41,
  kTruncated = 42,
  kBadLength = 43,
  // Crypto.
  kBadKey = 60,
  kBadSignature = 61,
  kAuthenticationFailed = 62,
  kUnknownAlgorithm = 63,
  kCryptoFailure = 64,
  kBadProof = 65,  // a Merkle inclusion or consistency proof does not verify
  // Environment.
  kNotFound = 80,
  kAlreadyExists = 81,
  kIoError = 82,
  kPermissionDenied = 83,
  kUnavailable = 84,
  kResourceExhausted = 85,
  kCorruption = 86,
  kFailedPrecondition = 87,  // the system is not in the state the operation needs
  // A write that may or may not have taken effect (the disk did not confirm it): ask again with
  // the same idempotency key to learn which.
  kOutcomeUnknown = 88,
  kInternal = 99,
};

// The stable upper-snake-case name of a code, e.g. "OVERFLOW".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    QFS_CHECK(code != StatusCode::kOk);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OVERFLOW: mul result exceeds 2^128-1"
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    QFS_CHECK(!std::get<Status>(data_).ok());
  }
  Result(StatusCode code, std::string message) : Result(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(data_); }
  // REQUIRES: ok().
  const T& value() const& {
    QFS_CHECK(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    QFS_CHECK(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    QFS_CHECK(ok());
    return std::get<T>(std::move(data_));
  }
  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }
  StatusCode code() const { return ok() ? StatusCode::kOk : std::get<Status>(data_).code(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace qfs

// Returns early from the calling function with the error of `expr` (a Status or a Result).
#define QFS_RETURN_IF_ERROR(expr)                    \
  do {                                               \
    auto qfs_status_ = (expr);                       \
    if (!qfs_status_.ok()) {                         \
      return ::qfs::internal::ToStatus(qfs_status_); \
    }                                                \
  } while (0)

#define QFS_CONCAT_INNER_(a, b) a##b
#define QFS_CONCAT_(a, b) QFS_CONCAT_INNER_(a, b)
// QFS_ASSIGN_OR_RETURN(auto v, ParseThing(x)); declares v from a Result or returns its error.
#define QFS_ASSIGN_OR_RETURN(lhs, expr) \
  QFS_ASSIGN_OR_RETURN_IMPL_(QFS_CONCAT_(qfs_result_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is a declaration and `tmp` a name.
#define QFS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace qfs::internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace qfs::internal

#endif  // QFS_BASE_STATUS_H_
