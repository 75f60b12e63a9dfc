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
// The reason in a halt or resume record (UTF-8; longer reasons are cut on a character boundary).
inline constexpr std::size_t kHaltReasonBytesMax = 1024;
// Appended records buffered before a write (Sync writes whatever is buffered).
inline constexpr std::size_t kLogWriteBufferBytes = 1024 * 1024;

// Node HTTP server.
inline constexpr std::size_t kHttpRequestBytesMax = 1024 * 1024;
inline constexpr std::size_t kHttpHeaderBytesMax = 16 * 1024;
// Open connections, all clients together; the server lowers it to what RLIMIT_NOFILE leaves
// after kFileDescriptorsReserved.
inline constexpr std::size_t kHttpConnectionsMax = 1024;
// Open connections from one client address (one client must not lock everyone out).
inline constexpr std::size_t kHttpConnectionsPerClientMax = 64;
inline constexpr std::uint32_t kHttpIdleTimeoutMs = 30'000;
// A response not taken by the peer within this is abandoned with its connection.
inline constexpr std::uint32_t kHttpWriteTimeoutMs = 10'000;
inline constexpr std::uint32_t kHttpRequestsPerSecondPerClientMax = 200;
// The largest response body a handler may produce (a page of ledger entries is the largest).
inline constexpr std::size_t kHttpResponseBytesMax = 8 * 1024 * 1024;
// Response bytes buffered for peers, all connections together. A response that would pass it
// is answered 503 instead, except small ones (below kHttpSmallResponseBytes: health, metrics,
// errors), which always go out.
inline constexpr std::size_t kHttpResponseBytesInFlightMax = 64 * 1024 * 1024;
inline constexpr std::size_t kHttpSmallResponseBytes = 256 * 1024;
// File descriptors kept back from connections for the ledger (open log segments, the
// snapshot writer, the lock files) and the process's own needs.
inline constexpr std::size_t kFileDescriptorsReserved = 256;
// Rendered bytes of one page of ledger entries (GET /v1/ledger/entries).
inline constexpr std::size_t kEntriesPageBytesMax = 4 * 1024 * 1024;

// MLS (RFC 9420) messages: the largest encoded message (a Welcome or GroupInfo with the ratchet
// tree of a large group), and the widest group.
inline constexpr std::size_t kMlsMessageBytesMax = 16 * 1024 * 1024;
inline constexpr std::uint32_t kMlsGroupLeavesMax = 1u << 16;

static_assert(kCodecBytesFieldMax <= kCodecMessageBytesMax);
static_assert(kDecimalTextBytesMax < kMathLineBytesMax);
static_assert(kHttpHeaderBytesMax < kHttpRequestBytesMax);
static_assert(kHttpConnectionsPerClientMax <= kHttpConnectionsMax);
static_assert(kHttpSmallResponseBytes < kHttpResponseBytesMax);
static_assert(kHttpResponseBytesMax <= kHttpResponseBytesInFlightMax);
// A page holds entries while they fit in kEntriesPageBytesMax, and one entry at least: an entry
// renders its payload as hex and once more decoded (hex keys and signatures), so the largest
// rendered entry is under four times the largest payload.
static_assert(kEntriesPageBytesMax <= kHttpResponseBytesMax);
static_assert(4 * kLogPayloadBytesMax + 64 * 1024 <= kHttpResponseBytesMax);
static_assert(kCodecMessageBytesMax <= kTextInputBytesMax);
static_assert(kLogPayloadBytesMax <= kCodecBytesFieldMax);
static_assert(kLogRecordBytesMax <= 0xFFFFFFFFu);  // the frame's length field is 32 bits

}  // namespace qfs

#endif  // QFS_BASE_LIMITS_H_
