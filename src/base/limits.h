// Every bound in QFS, in one place. A limit is named for what it bounds, unit last. Relations
// between limits are static_asserted below each group and at the end. Raising a limit is a
// reviewed change: anything on disk or on the wire that depends on it is noted next to it.
//
// Module headers keep their old names for the limits that moved here (`ledger::kBatchLegsMax`,
// `codec::kJsonDepthMax`, ...) with a using-declaration. What stays in the modules is not a
// choice of ours but a fact of a format or an algorithm (RFC 9420's varint maximum, FIPS 204's
// context length, a hash's output size, the range of a fixed-point type) or a tuning constant
// internal to one function.
#ifndef QFS_BASE_LIMITS_H_
#define QFS_BASE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace qfs {

// --- Text and encodings -------------------------------------------------------------------

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
// Canonical JSON rendering and parsing: the longest text and the deepest nesting.
inline constexpr std::size_t kJsonTextBytesMax = 8 * 1024 * 1024;
inline constexpr std::size_t kJsonDepthMax = 32;

static_assert(kCodecBytesFieldMax <= kCodecMessageBytesMax);
static_assert(kCodecMessageBytesMax <= kTextInputBytesMax);
static_assert(kDecimalTextBytesMax < kMathLineBytesMax);

// --- Crypto -------------------------------------------------------------------------------

// Crypto inputs on the CLI and API.
inline constexpr std::size_t kCryptoMessageBytesMax = 4 * 1024 * 1024;
inline constexpr std::size_t kAeadPlaintextBytesMax = 64 * 1024 * 1024;
// AES-GCM nonces we accept (12 is the standard size; longer ones are hashed, SP 800-38D).
inline constexpr std::size_t kAesGcmNonceBytesMax = 1024;

// The largest signature, public key and secret key of any registered signature scheme
// (crypto::SignatureRegistry::Default()): ML-DSA-87's 4,627, 2,592 and 4,896 bytes; the hybrid
// Ed25519+ML-DSA-65's are 3,373 and 1,984 (public). Facts, not choices: the crypto tests hold
// every registered scheme to them, so a new, larger scheme fails there until the limits below
// that depend on them are worked out again.
inline constexpr std::size_t kSignatureBytesLargest = 4627;
inline constexpr std::size_t kSignaturePublicKeyBytesLargest = 2592;
inline constexpr std::size_t kSignatureSecretKeyBytesLargest = 4896;

// A key file (`qfs keygen`, keys/key_file.h): the whole file, and each key in it.
inline constexpr std::size_t kKeyFileBytesMax = 64 * 1024;

// Magic, version, kind, algorithm, the two length-prefixed keys, the SHA-256 checksum.
static_assert(6 + 1 + 1 + 2 + 4 + kSignaturePublicKeyBytesLargest + 4 +
                  kSignatureSecretKeyBytesLargest + 32 <=
              kKeyFileBytesMax);

// --- Signed packets (docs/formats/packet.md) ------------------------------------------------

// A whole packet as submitted and logged (larger: PACKET_TOO_LARGE).
inline constexpr std::size_t kPacketBytesMax = 64 * 1024;
// A public key field in a packet, a genesis identity or the state. Decoders refuse longer ones
// before looking at the algorithm; every registered scheme's key fits (asserted below).
inline constexpr std::size_t kPublicKeyBytesMax = 4096;
// Facts of the packet layout the batch limit is worked out from (packet_test checks them
// against the encoder): the fields before the operation (version .. kind), a batch's leg count,
// a leg (recipient, token, amount), and the signature's algorithm and length.
inline constexpr std::size_t kPacketHeaderBytes = 2 + 4 + 20 + 4 + 8 + 8 + 16 + 2;
inline constexpr std::size_t kPacketBatchCountBytes = 4;
inline constexpr std::size_t kPacketLegBytes = 20 + 1 + 16;
inline constexpr std::size_t kPacketSignatureFramingBytes = 2 + 4;
// Legs in a batch: as many as fit in kPacketBytesMax beside the header, the count and the
// largest signature of any scheme, so that every scheme can sign a full batch:
// (65,536 − 64 − 4 − 6 − 4,627) / 37 = 1,644 (with Ed25519 alone 1,767 would fit). A decoded
// batch with more legs is MALFORMED_PACKET, and the CLI refuses to build one.
inline constexpr std::size_t kBatchLegsMax = 1644;

// The largest possible batch packet, signed with the largest signature.
inline constexpr std::size_t kBatchPacketBytesLargest =
    kPacketHeaderBytes + kPacketBatchCountBytes + kBatchLegsMax * kPacketLegBytes +
    kPacketSignatureFramingBytes + kSignatureBytesLargest;
static_assert(kPacketHeaderBytes == 64);
static_assert(kPacketLegBytes == 37);
static_assert(kBatchPacketBytesLargest <= kPacketBytesMax, "a full batch must fit any scheme");
static_assert(kBatchPacketBytesLargest + kPacketLegBytes > kPacketBytesMax,
              "kBatchLegsMax is as large as fits");
static_assert(kSignaturePublicKeyBytesLargest <= kPublicKeyBytesMax);
static_assert(kSignatureBytesLargest <= kPacketBytesMax);

// --- Ledger state ---------------------------------------------------------------------------

// Keys an identity may hold at once (more: TOO_MANY_KEYS).
inline constexpr std::size_t kKeysPerIdentityMax = 16;
// Identities a genesis may name. The genesis must also fit in one log record: with Ed25519
// keys all 1,024 do (62 bytes each), with ML-DSA-87 keys about 399 (2,622 bytes each);
// ParseGenesisJson refuses a genesis that does not fit with a clear error.
inline constexpr std::size_t kGenesisIdentitiesMax = 1024;
// The longest a reserved (two-phase) transfer may stay pending: 30 days.
inline constexpr std::uint64_t kPendingTimeoutMaxUs = 30ull * 24 * 3600 * 1'000'000;
// A state snapshot file (docs/formats/log.md, "Snapshots").
inline constexpr std::uint64_t kSnapshotBytesMax = 16ull << 30;

// --- Ledger log (docs/formats/log.md) -------------------------------------------------------

// On disk: raising either limit keeps old logs readable.
inline constexpr std::size_t kLogPayloadBytesMax = 1024 * 1024;
// A record body: the payload plus the fixed fields (index, hashes, time, result, lengths).
inline constexpr std::size_t kLogRecordBytesMax = kLogPayloadBytesMax + 256;
// The fixed fields of a record body: index, previous hash, time, payload length, result,
// entry hash.
inline constexpr std::size_t kLogRecordFixedBytes = 8 + 32 + 8 + 4 + 2 + 32;
// The reason in a halt or resume record (UTF-8; longer reasons are cut on a character boundary).
inline constexpr std::size_t kHaltReasonBytesMax = 1024;
// Appended records buffered before a write (Sync writes whatever is buffered).
inline constexpr std::size_t kLogWriteBufferBytes = 1024 * 1024;
// Segment files the log keeps open for reading; beyond, the lowest-numbered is closed first.
inline constexpr std::size_t kLogReadFilesOpenMax = 64;

static_assert(kLogPayloadBytesMax + kLogRecordFixedBytes <= kLogRecordBytesMax);
static_assert(kLogRecordBytesMax <= 0xFFFFFFFFu);  // the frame's length field is 32 bits
static_assert(kLogPayloadBytesMax <= kCodecBytesFieldMax);
// Every record type fits in a payload, its type byte included: a packet; a checkpoint (tree
// size, tree root, state root, algorithm, public key, signature); a halt (reason, state root,
// algorithm, signature); a resume (reason, algorithm, signature).
static_assert(1 + kPacketBytesMax <= kLogPayloadBytesMax);
static_assert(1 + 8 + 32 + 32 + 2 + 4 + kPublicKeyBytesMax + 4 + kSignatureBytesLargest <=
              kLogPayloadBytesMax);
static_assert(1 + 4 + kHaltReasonBytesMax + 32 + 2 + 4 + kSignatureBytesLargest <=
              kLogPayloadBytesMax);
// A genesis of kGenesisIdentitiesMax Ed25519 identities fits (see kGenesisIdentitiesMax): type,
// domain, network, six transferable flags, admission window, count, then per identity its id,
// algorithm, key and roles.
static_assert(1 + (4 + 21) + 4 + 6 + 8 + 4 + kGenesisIdentitiesMax * (20 + 2 + 4 + 32 + 4) <=
              kLogPayloadBytesMax);

// --- Node HTTP server -----------------------------------------------------------------------

// The largest request body (http_request_bytes_max's default): a cap over every route's own
// limit (Router::Add's body_bytes_max), which is what a route's requests are read against.
inline constexpr std::size_t kHttpRequestBytesMax = 1024 * 1024;
// A route's body limit unless it declares one (and an unmatched path's): JSON requests with a
// few fields. A partial body is held in memory until it completes or the idle timeout ends it,
// so each connection pins at most its route's limit.
inline constexpr std::size_t kHttpRouteBodyBytesDefault = 16 * 1024;
// Requests cost their client's rate limiter one token, and a large response one more per this
// many bytes of body, so that a client is limited in what it makes the node render and send,
// not only in how often it asks.
inline constexpr std::size_t kHttpResponseBytesPerToken = 64 * 1024;
inline constexpr std::size_t kHttpHeaderBytesMax = 16 * 1024;
// Bytes read from a connection and not yet parsed. What the parser needs whole must fit: the
// header, a chunk's header line (size and extensions), the trailer fields. Boost.Beast throws on
// a field over 65,533 bytes; this keeps every field below that.
inline constexpr std::size_t kHttpReadBufferBytes = 32 * 1024;
// Open connections, all clients together; the server lowers it to what RLIMIT_NOFILE leaves
// after kFileDescriptorsReserved.
inline constexpr std::size_t kHttpConnectionsMax = 1024;
// Open connections from one client address (one client must not lock everyone out).
inline constexpr std::size_t kHttpConnectionsPerClientMax = 64;
// Client addresses the per-client rate limiter tracks at once.
inline constexpr std::size_t kHttpRateLimitClientsMax = 65536;
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
// One client's share of that budget: two of the largest responses, so that one address cannot
// hold the node's budget (and every other client's large answers) with readers that never read.
inline constexpr std::size_t kHttpResponseBytesInFlightPerClientMax = 2 * kHttpResponseBytesMax;
// File descriptors kept back from connections for the ledger (open log segments, the
// snapshot writer, the lock files) and the process's own needs.
inline constexpr std::size_t kFileDescriptorsReserved = 256;
// A page of ledger entries (GET /v1/ledger/entries): at most this many entries, and rendered
// bytes while they fit in kEntriesPageBytesMax.
inline constexpr std::size_t kEntriesPageMax = 1000;
inline constexpr std::size_t kEntriesPageBytesMax = 4 * 1024 * 1024;
// Entries and pages of entries (GET /v1/ledger/entries[/{n}]) render one at a time, all
// clients together, on a thread of their own (node/render_queue.h): a page of large entries
// costs ~100 ms of a core, and this bounds what reads take from everything else. The others
// wait, one per client address and this many in all; a render that waited longer than the
// bound is answered 503 with Retry-After, as are those past the caps.
inline constexpr std::size_t kEntryRendersWaitingMax = 64;
inline constexpr std::uint64_t kEntryRenderWaitMicrosMax = 2'000'000;
// POST /v1/packets: {"packet":"<hex>"}, the packet hex-encoded, with room for the JSON around
// it (whitespace included). The smallest http_request_bytes_max a node accepts.
inline constexpr std::size_t kPacketRequestBytesMax = 2 * kPacketBytesMax + 1024;

// A string value in a log line (base/log.h) is cut here: no outside text makes a line long.
inline constexpr std::size_t kLogValueBytesMax = 256;
// Request log lines per client address (net/http_server.h): past the rate, lines are dropped
// and counted (qfs_log_lines_dropped_total), so that a client bounds the log bytes it costs.
inline constexpr std::uint32_t kLogLinesPerSecondPerClient = 20;

// WebSocket connections (net/websocket.h), per connection unless a route says otherwise: the
// largest message the peer may send, the heartbeat, and the send queue's bounds. What one
// connection can pin is its message limit (being read) plus its send queue.
inline constexpr std::size_t kWsMessageBytesMax = 64 * 1024;
inline constexpr std::uint32_t kWsPingIntervalMs = 15'000;
inline constexpr std::uint32_t kWsDeadPeerTimeoutMs = 30'000;  // two intervals
inline constexpr std::size_t kWsSendQueueBytesMax = 1024 * 1024;
inline constexpr std::size_t kWsSendQueueMessagesMax = 1024;
// A close handshake not finished within this ends the connection anyway (a route may say less).
inline constexpr std::uint32_t kWsCloseTimeoutMs = 5'000;
// At shutdown, how long the server waits for WebSocket connections to close after sending
// them 1001.
inline constexpr std::uint32_t kWsStopGraceMs = 1'000;
// TLS handshakes (when the server has a certificate) not finished within this are dropped.
inline constexpr std::uint32_t kTlsHandshakeTimeoutMs = 10'000;
// Files served from a static directory (net/static_files.h): the largest, and path length.
inline constexpr std::size_t kStaticFileBytesMax = 8 * 1024 * 1024;
inline constexpr std::size_t kStaticPathBytesMax = 1024;

static_assert(kHttpHeaderBytesMax < kHttpRequestBytesMax);
static_assert(kHttpHeaderBytesMax < kHttpReadBufferBytes && kHttpReadBufferBytes < 65'533);
static_assert(kHttpConnectionsPerClientMax <= kHttpConnectionsMax);
static_assert(kHttpConnectionsMax <= kHttpRateLimitClientsMax);  // every client is tracked
static_assert(kHttpSmallResponseBytes < kHttpResponseBytesMax);
static_assert(kHttpResponseBytesMax <= kHttpResponseBytesInFlightMax);
static_assert(kHttpResponseBytesMax <= kHttpResponseBytesInFlightPerClientMax);
static_assert(kStaticFileBytesMax <= kHttpResponseBytesMax);
static_assert(kWsMessageBytesMax <= kHttpRequestBytesMax);
static_assert(kLogReadFilesOpenMax < kFileDescriptorsReserved);
static_assert(kPacketRequestBytesMax <= kHttpRequestBytesMax);  // the largest packet arrives
// A page holds entries while they fit in kEntriesPageBytesMax, and one entry at least: an entry
// renders its payload as hex and once more decoded (hex keys and signatures), so the largest
// rendered entry is under four times the largest payload.
static_assert(kEntriesPageBytesMax <= kHttpResponseBytesMax);
static_assert(4 * kLogPayloadBytesMax + 64 * 1024 <= kHttpResponseBytesMax);

// --- Node options: the ranges `qfs node` accepts (docs/configuration.md) ---------------------

inline constexpr std::uint32_t kNodeHttpThreadsMax = 64;
inline constexpr std::uint32_t kNodeHttpConnectionsMax = 65536;
inline constexpr std::uint32_t kNodeHttpRequestBytesMin = kPacketRequestBytesMax;
inline constexpr std::uint32_t kNodeHttpRequestBytesMax = 64 * kHttpRequestBytesMax;
inline constexpr std::uint32_t kNodeCommitBatchMax = 65'536;
inline constexpr std::uint32_t kNodeCommitWindowUsMax = 100'000;
inline constexpr std::uint32_t kNodeQueueMax = 1'048'576;
inline constexpr std::uint32_t kNodeSegmentMibMax = 4096;

static_assert(kHttpConnectionsMax <= kNodeHttpConnectionsMax);
static_assert(kNodeHttpRequestBytesMin <= kHttpRequestBytesMax);
static_assert(kNodeHttpRequestBytesMax <= 0xFFFFFFFFu);  // NodeOptions holds it in 32 bits
static_assert(kNodeCommitBatchMax <= kNodeQueueMax);
// A segment at its largest still holds whole records: the target is checked before an append.
static_assert((std::uint64_t{kNodeSegmentMibMax} << 20) >= kLogRecordBytesMax);

// --- MLS (RFC 9420) -------------------------------------------------------------------------

// The largest encoded message (a Welcome or GroupInfo with the ratchet tree of a large group),
// and the widest group.
inline constexpr std::size_t kMlsMessageBytesMax = 16 * 1024 * 1024;
inline constexpr std::uint32_t kMlsGroupLeavesMax = 1u << 16;
// Proposals in one Commit (and pending in one epoch).
inline constexpr std::size_t kMlsProposalsMax = 1024;
// An HPKE public key, KEM output or sealed secret on the wire: 32-48 bytes in suites 1 and 3;
// the limit leaves room for post-quantum KEMs and refuses anything absurd before it is copied.
inline constexpr std::size_t kHpkeFieldBytesMax = 4096;
// Skipped generations a secret-tree ratchet may be configured to keep.
inline constexpr std::uint32_t kSecretTreeOutOfOrderKeysMax = 1u << 16;
// A sealed client state file (mls/state_file.h).
inline constexpr std::uint64_t kSealedStateBytesMax = 256ull << 20;
// Threads that seal one UpdatePath's secrets.
inline constexpr unsigned kMlsSealThreadsMax = 8;
// `qfs mls client`: outstanding KeyPackages, and the identity's length.
inline constexpr std::size_t kMlsClientKeyPackagesMax = 256;
inline constexpr std::size_t kMlsClientIdentityBytesMax = 255;

static_assert(kHpkeFieldBytesMax <= kMlsMessageBytesMax);
// A client's state holds at least the ratchet tree a Welcome brought it.
static_assert(kMlsMessageBytesMax <= kSealedStateBytesMax);

}  // namespace qfs

#endif  // QFS_BASE_LIMITS_H_
