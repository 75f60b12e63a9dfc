// Every bound in QFS, in one place. A limit is named for what it bounds, unit last. Relations
// between limits are static_asserted below. Raising a limit is a reviewed change: anything on disk
// or on the wire that depends on it is noted next to it.
#ifndef QFS_BASE_LIMITS_H_
#define QFS_BASE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace qfs {

// Text decoders (hex, base64, decimal numbers on the CLI): longest accepted input.
inline constexpr std::size_t kTextInputBytesMax = 16 * 1024 * 1024;
// A CertifiedMath decimal literal, sign and point included.
inline constexpr std::size_t kDecimalTextBytesMax = 128;
// One line of `qfs math` batch input.
inline constexpr std::size_t kMathLineBytesMax = 4096;

// Canonical binary encoding (docs/formats/encoding.md).
inline constexpr std::size_t kCodecMessageBytesMax = 4 * 1024 * 1024;
inline constexpr std::size_t kCodecBytesFieldMax = kCodecMessageBytesMax;
inline constexpr std::size_t kCodecListItemsMax = 65536;
inline constexpr std::size_t kCodecNestingDepthMax = 16;
// Canonical JSON rendering and parsing.
inline constexpr std::size_t kJsonTextBytesMax = 8 * 1024 * 1024;

// Crypto inputs on the CLI and API.
inline constexpr std::size_t kCryptoMessageBytesMax = 4 * 1024 * 1024;
inline constexpr std::size_t kAeadPlaintextBytesMax = 64 * 1024 * 1024;

// Ledger log (docs/formats/log.md). On disk: raising either limit keeps old logs readable.
inline constexpr std::size_t kLogPayloadBytesMax = 1024 * 1024;
// A record body: the payload plus the fixed fields (index, hashes, time, result, lengths).
inline constexpr std::size_t kLogRecordBytesMax = kLogPayloadBytesMax + 256;
// Appended records buffered before a write (Sync writes whatever is buffered).
inline constexpr std::size_t kLogWriteBufferBytes = 1024 * 1024;

// Node HTTP server.
inline constexpr std::size_t kHttpRequestBytesMax = 1024 * 1024;
inline constexpr std::size_t kHttpHeaderBytesMax = 16 * 1024;
inline constexpr std::size_t kHttpConnectionsMax = 1024;
inline constexpr std::uint32_t kHttpIdleTimeoutMs = 30'000;
inline constexpr std::uint32_t kHttpRequestsPerSecondPerClientMax = 200;

// MLS (RFC 9420) messages: the largest encoded message (a Welcome or GroupInfo with the ratchet
// tree of a large group), and the widest group.
inline constexpr std::size_t kMlsMessageBytesMax = 16 * 1024 * 1024;
inline constexpr std::uint32_t kMlsGroupLeavesMax = 1u << 16;

static_assert(kCodecBytesFieldMax <= kCodecMessageBytesMax);
static_assert(kDecimalTextBytesMax < kMathLineBytesMax);
static_assert(kHttpHeaderBytesMax < kHttpRequestBytesMax);
static_assert(kCodecMessageBytesMax <= kTextInputBytesMax);
static_assert(kLogPayloadBytesMax <= kCodecBytesFieldMax);
static_assert(kLogRecordBytesMax <= 0xFFFFFFFFu);  // the frame's length field is 32 bits

}  // namespace qfs

#endif  // QFS_BASE_LIMITS_H_
