// The ledger's append-only log: numbered entries in segment files under one directory, each
// entry chained to the previous by hash and framed with a length and a CRC-32C
// (docs/formats/log.md). The log is the durable truth; everything else is rebuilt from it.
//
//   Result<std::unique_ptr<Log>> log = Log::Open({.directory = dir + "/log"});
//   (*log)->Append(entry);      // buffered in the process, not yet written or durable
//   (*log)->Sync();             // durable: every appended entry survives a crash
//   LogEntry e = (*log)->Read(7).value();
//
// Opening scans every segment, checks every frame, CRC, index and hash link, and rebuilds the
// in-memory position index. An incomplete record (or a run of zero bytes) at the very end of the
// newest segment is a torn write of an entry that was never acknowledged: its bytes are saved
// beside the segments, then cut off, and recovery() says where and how many. Anything else that
// is wrong is CORRUPTION naming the first bad entry — a frame whose intact length no record can
// have included, even in the last position; the node then halts writes (CIR-302) instead of
// serving wrong state.
//
// Thread safety: the owner (the sequencer) appends and syncs with nobody else in the log; Read()
// calls may run concurrently with each other (the ledger holds its state lock shared for them).
#ifndef QFS_LEDGER_LOG_H_
#define QFS_LEDGER_LOG_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/file.h"
#include "base/limits.h"
#include "base/status.h"
#include "crypto/hash.h"

namespace qfs::ledger {

using crypto::Digest32;

struct LogEntry {
  std::uint64_t index = 0;         // 0 is the genesis entry
  Digest32 previous_hash{};        // entry_hash of index - 1; all zero for index 0
  std::uint64_t timestamp_us = 0;  // node time, strictly increasing along the log
  Bytes payload;                   // a canonical packet or system record
  std::uint16_t result = 0;        // the state machine's result code for this entry
  Digest32 entry_hash{};           // EntryHash() of the fields above

  bool operator==(const LogEntry&) const = default;
};

// SHA-256 over a domain tag and the canonical encoding of the entry's other fields.
Digest32 EntryHash(const LogEntry& entry);
// The canonical encoding of the whole entry (the record body), and its strict decoder.
Bytes EncodeEntry(const LogEntry& entry);
Result<LogEntry> DecodeEntry(ByteSpan body);

struct LogOptions {
  std::string directory;  // created if missing
  // A segment is closed and a new one started once it holds at least this many bytes.
  std::uint64_t segment_bytes_target = 64ull << 20;
  // Read-only (auditors, `qfs ledger verify`): nothing is created, cut, saved or written; a torn
  // tail is reported in recovery() and left in place.
  bool read_only = false;
  // On corruption, open anyway with the entries before the first bad one (readable, never
  // written: recovery().corruption says why) instead of failing. The node uses this to halt
  // and keep serving the good prefix.
  bool keep_good_prefix = false;
  // Called on open with each good entry in order, once it has passed every check (the ledger
  // builds its Merkle tree from the entry hashes without reading the log twice).
  std::function<void(const LogEntry&)> on_entry = nullptr;
  // Every file-system call goes through it (tests inject faults). Not owned; must outlive the
  // log. nullptr: PosixFileSystem().
  FileSystem* file_system = nullptr;
};

// An unfinished record at the end of the newest segment: where it was, and what became of it.
struct TornTail {
  std::string segment;       // the segment file's name
  std::uint64_t offset = 0;  // where the tail starts (0: a file shorter than its header)
  std::uint64_t bytes = 0;   // from there to the end of the file
  std::uint64_t entry = 0;   // the index the unfinished entry would have had
  std::string saved_as;      // the file the bytes were saved to; empty if read-only (left in place)
};
// One line for operators: "torn tail of N bytes at byte B of SEGMENT (entry I, never
// acknowledged) cut, saved as FILE" (or "left in place").
std::string DescribeTornTail(const TornTail& torn);

// What opening the log found.
struct LogRecovery {
  std::uint64_t entries = 0;     // valid entries found
  std::optional<TornTail> torn;  // a torn tail found by this open: cut and saved, or left in place
  std::uint64_t torn_bytes = 0;  // torn->bytes, or 0
  // Every torn tail cut so far (this open's included), counted from the files they were saved
  // to in the log directory (docs/formats/log.md): what an auditor sees after the cuts.
  std::uint64_t torn_tails_saved = 0;
  std::uint64_t torn_bytes_saved = 0;
  Status corruption;  // with keep_good_prefix: the first bad record
};

// A record's size in a segment beyond its payload: frame, fixed fields, entry hash.
inline constexpr std::uint64_t kRecordOverheadBytes = 12 + 8 + 32 + 8 + 4 + 2 + 32;

class Log {
 public:
  static Result<std::unique_ptr<Log>> Open(const LogOptions& options);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  std::uint64_t size() const { return positions_.size(); }
  // The hash the next entry must name as previous_hash (zeros while empty).
  const Digest32& last_hash() const { return last_hash_; }
  std::uint64_t last_timestamp_us() const { return last_timestamp_us_; }
  const LogRecovery& recovery() const { return recovery_; }
  // Append and Sync may be called: not read-only and no corruption was found.
  bool writable() const { return fd_ >= 0; }

  // Appends the next entry (index size(), previous hash last_hash()) and returns its entry
  // hash, which the log computes in the same pass that encodes the record. REQUIRES (checked,
  // INVALID_ARGUMENT): timestamp above the last, payload within kLogPayloadBytesMax. The
  // record is buffered (up to kLogWriteBufferBytes) and written by Sync, so a group commit
  // costs one write and one fdatasync. IO_ERROR if a write fails; the log is then unusable.
  Result<Digest32> Append(std::uint64_t timestamp_us, ByteSpan payload, std::uint16_t result);
  // The same for a whole entry, which must also continue the chain (index == size(),
  // previous_hash == last_hash()) and carry its own hash (entry_hash == EntryHash(entry)).
  Status Append(const LogEntry& entry);
  // Writes the buffered records and makes every appended entry durable (fdatasync; the
  // directory too after a new segment).
  Status Sync();
  // OUT_OF_RANGE past the end; CORRUPTION if the bytes on disk changed under us. Two preads:
  // each segment's file stays open for reading after its first Read (see read_files_).
  Result<LogEntry> Read(std::uint64_t index) const;
  // Segment files kept open for Read at most; beyond, the lowest-numbered is closed first.
  static constexpr std::size_t kReadFilesOpenMax = kLogReadFilesOpenMax;

 private:
  struct Segment {
    std::uint64_t first_index = 0;
    std::string path;
  };
  struct Position {
    std::uint32_t segment = 0;  // into segments_
    std::uint64_t offset = 0;   // of the record's frame
  };
  explicit Log(LogOptions options)
      : options_(std::move(options)),
        fs_(options_.file_system != nullptr ? *options_.file_system : PosixFileSystem()) {}
  Status Recover();
  Status ScanSegment(std::size_t segment_number, bool last);
  // Records a torn tail of the newest segment (data[offset..]) in recovery_ and, unless
  // read-only, saves its bytes and cuts it (removes the file when offset is 0).
  Status CutTornTail(const Segment& segment, ByteSpan data, std::uint64_t offset);
  Status StartSegment(std::uint64_t first_index);
  Status OpenForAppend(const Segment& segment, std::uint64_t length);
  // Writes the buffered records to the newest segment.
  Status Flush();
  // A segment's file, open read-only; shared, so that it closes when its last holder lets go and
  // evicting it never pulls it from under a concurrent Read.
  Result<std::shared_ptr<const UniqueFd>> OpenForRead(std::uint32_t segment) const;

  LogOptions options_;
  FileSystem& fs_;
  std::vector<Segment> segments_;
  std::deque<Position> positions_;  // a deque: growing it never copies what it holds
  Digest32 last_hash_{};
  std::uint64_t last_timestamp_us_ = 0;
  LogRecovery recovery_;
  int fd_ = -1;                   // the newest segment, open for appending
  std::uint64_t fd_length_ = 0;   // its length in bytes, the buffered records included
  Bytes buffer_;                  // records appended and not yet written (at fd_length_ - size)
  bool directory_dirty_ = false;  // a segment was created since the last Sync
  // Read's open files by segment number: reading entry after entry (start-up replay, export,
  // proofs, the API) cost an open with its path walk and a close besides the two preads.
  mutable std::mutex read_files_mutex_;
  mutable std::map<std::uint32_t, std::shared_ptr<const UniqueFd>> read_files_;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_LOG_H_
