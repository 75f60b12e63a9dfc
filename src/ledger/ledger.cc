#include "ledger/ledger_impl.h"

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <future>

#include "base/check.h"
#include "base/clock.h"
#include "base/crc32c.h"
#include "base/file.h"
#include "base/strings.h"
#include "codec/encoding.h"
#include "crypto/random.h"

namespace qfs::ledger {
namespace {

Bytes Payload(RecordType type, ByteSpan body) {
  Bytes payload;
  payload.reserve(body.size() + 1);
  payload.push_back(static_cast<std::uint8_t>(type));
  payload.insert(payload.end(), body.begin(), body.end());
  return payload;
}

// The halt record: why, and the state root at the moment of the halt, signed.
Bytes HaltBody(const std::string& reason, const Digest32& state_root,
               const crypto::SignatureScheme& scheme, const SecretBytes& key) {
  HaltRecord h{reason, state_root, static_cast<std::uint16_t>(scheme.id()), {}};
  Result<Bytes> signature = scheme.Sign(key, HaltMessage(h));
  if (signature.ok()) h.signature = std::move(signature).value();
  return EncodeHalt(h);
}

// The resume record: the operator's reason, signed with the node key.
Result<Bytes> ResumeBody(const std::string& reason, const crypto::SignatureScheme& scheme,
                         const SecretBytes& key) {
  ResumeRecord r{reason, static_cast<std::uint16_t>(scheme.id()), {}};
  QFS_ASSIGN_OR_RETURN(r.signature, scheme.Sign(key, ResumeMessage(r)));
  return EncodeResume(r);
}

// A halt reason may quote outside text (a path, a peer's bytes): kept and recorded as valid
// UTF-8, cut on a character boundary.
std::string SafeReason(const std::string& why) {
  return TruncateUtf8(SanitizeUtf8(why), kHaltReasonBytesMax);
}

// One writer per ledger directory: an exclusive lock on DIR/LOCK, held while `lock` is.
Status LockDirectory(FileSystem& fs, const std::string& directory, UniqueFd& lock) {
  const std::string path = directory + "/LOCK";
  Result<int> fd = fs.Open(path, O_RDWR | O_CREAT);
  if (!fd.ok()) return InPath(fd.status(), "cannot open", path);
  lock.reset(fd.value());
  Status locked = fs.LockExclusive(lock.get());
  if (locked.code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists, "the ledger in " + directory + " is open elsewhere");
  }
  if (!locked.ok()) return InPath(locked, "cannot lock", path);
  return OkStatus();
}

// Background work (the snapshot writer) yields to commits: the lowest CPU priority (nice 19, for
// this thread only — Linux threads have their own) and the lowest best-effort I/O priority,
// which mq-deadline and BFQ honour. Best effort: without them it only competes harder.
void LowerThisThreadsPriority() {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  (void)::setpriority(PRIO_PROCESS, tid, 19);
  constexpr int kIoprioClassBestEffort = 2, kIoprioClassShift = 13, kIoprioWhoProcess = 1;
  (void)::syscall(SYS_ioprio_set, kIoprioWhoProcess, static_cast<int>(tid),
                  (kIoprioClassBestEffort << kIoprioClassShift) | 7);
}

}  // namespace

std::size_t LedgerImpl::IdentityHash::operator()(const IdentityId& id) const {
  static_assert(crypto_shorthash_BYTES == sizeof(std::uint64_t) &&
                crypto_shorthash_KEYBYTES == sizeof(secret));
  std::uint8_t out[crypto_shorthash_BYTES];
  crypto_shorthash(out, id.bytes.data(), id.bytes.size(), secret.data());
  std::uint64_t h = 0;
  std::memcpy(&h, out, sizeof(h));
  return static_cast<std::size_t>(h);
}

LedgerImpl::LedgerImpl(LedgerOptions options)
    : options_(std::move(options)),
      fs_(options_.file_system != nullptr ? *options_.file_system : PosixFileSystem()),
      refusal_budget_(options_.refusal_budget),
      keys_(0,
            [] {
              IdentityHash hash;
              crypto::SystemRandom().Fill(hash.secret);  // only the table's layout depends on it
              return hash;
            }()),
      key_cache_(crypto::PreparedKeyCacheOptions{.memory_bytes_max = options_.key_cache_bytes_max}),
      commit_window_(
          CommitWindowOptions{.idle_us = options_.commit_window_us,
                              .busy_us = options_.commit_window_busy_us,
                              .cores = options_.cores != 0 ? options_.cores : UsableCores()}),
      commit_window_now_us_(options_.commit_window_us) {}

LedgerImpl::~LedgerImpl() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (sequencer_.joinable()) sequencer_.join();
  if (snapshot_writer_.joinable()) snapshot_writer_.join();
  // Best effort: without it the next start replays from the last snapshot instead.
  if (log_ != nullptr && log_->writable() && state_ != nullptr && !halted_ &&
      log_->size() > last_snapshot_size_) {
    (void)WriteSnapshotLocked();
  }
}

Result<std::unique_ptr<Ledger>> Ledger::Open(LedgerOptions options) {
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<LedgerImpl> ledger, LedgerImpl::Open(std::move(options)));
  return std::unique_ptr<Ledger>(std::move(ledger));
}

Result<std::unique_ptr<LedgerImpl>> LedgerImpl::Open(LedgerOptions options) {
  QFS_CHECK(options.clock != nullptr && options.node_scheme != nullptr &&
            options.node_secret_key != nullptr);
  auto ledger = std::make_unique<LedgerImpl>(std::move(options));
  if (Status s = ledger->fs_.CreateDirectory(ledger->options_.directory); !s.ok()) {
    return InPath(s, "cannot create", ledger->options_.directory);
  }
  QFS_RETURN_IF_ERROR(LockDirectory(ledger->fs_, ledger->options_.directory, ledger->lock_));
  LogOptions log_options;
  log_options.file_system = &ledger->fs_;
  log_options.directory = ledger->options_.directory + "/log";
  log_options.segment_bytes_target = ledger->options_.segment_bytes_target;
  log_options.keep_good_prefix = true;
  log_options.on_entry = [raw = ledger.get()](const LogEntry& e) {
    raw->opened_hashes_.push_back(e.entry_hash);
  };
  QFS_ASSIGN_OR_RETURN(ledger->log_, Log::Open(log_options));
  ledger->start_.log = ledger->log_->recovery();
  if (!ledger->log_->writable()) {
    // CIR-302 on a corrupt log: replay the good prefix, serve it, refuse writes. The halt
    // cannot be recorded in a log we must not write to; the reason is the corruption itself.
    QFS_RETURN_IF_ERROR(ledger->Replay());
    if (ledger->state_ == nullptr) ledger->state_ = std::make_unique<State>(GenesisParams{});
    ledger->halted_ = true;
    ledger->halt_reason_ = SafeReason(ledger->log_->recovery().corruption.message());
    ledger->sequencer_ = std::thread([raw = ledger.get()] { raw->SequencerLoop(); });
    return ledger;
  }
  QFS_RETURN_IF_ERROR(ledger->CheckGenesis());
  QFS_RETURN_IF_ERROR(ledger->Replay());
  ledger->network_ = ledger->state_->params().network;
  ledger->durable_size_ = ledger->log_->size();
  for (const auto& [id, account] : ledger->state_->accounts()) {
    ledger->keys_[id] = std::make_shared<const std::vector<KeyRecord>>(account.keys);
  }
  ledger->sequencer_ = std::thread([raw = ledger.get()] { raw->SequencerLoop(); });
  return ledger;
}

Status LedgerImpl::CheckGenesis() {
  const std::optional<GenesisParams>& genesis = options_.genesis;
  if (log_->size() == 0) {
    if (!genesis.has_value()) {
      return Status(StatusCode::kFailedPrecondition,
                    "no ledger in " + options_.directory + " and no genesis to start one");
    }
    QFS_RETURN_IF_ERROR(AppendRecord(RecordType::kGenesis, EncodeGenesis(*genesis), ResultCode::kOk,
                                     NextTimestamp()));
    return log_->Sync();
  }
  if (!genesis.has_value()) return OkStatus();
  QFS_ASSIGN_OR_RETURN(LogEntry first, log_->Read(0));
  if (first.payload != Payload(RecordType::kGenesis, EncodeGenesis(*genesis))) {
    return Status(StatusCode::kFailedPrecondition,
                  "the ledger in " + options_.directory +
                      " was started from another genesis (network, identities or parameters "
                      "differ from the configured ones)");
  }
  return OkStatus();
}

Status LedgerImpl::Replay() {
  Replayer replay({.check_signatures = false});
  std::uint64_t first = 0;
  if (auto snapshot = UsableSnapshot()) {
    auto& [s, state] = *snapshot;
    MerkleTree prefix;
    for (std::uint64_t i = 0; i < s.tree_size; ++i) prefix.Append(LeafHash(opened_hashes_[i]));
    replay.StartAt(std::move(state), std::move(prefix), s.last_checkpoint_size, s.last_checkpoint);
    first = s.tree_size;
    start_.snapshot_entries = s.tree_size;
    last_snapshot_size_ = s.tree_size;
  }
  opened_hashes_ = {};
  start_.replayed_entries = log_->size() - first;
  for (std::uint64_t i = first; i < log_->size(); ++i) {
    QFS_ASSIGN_OR_RETURN(LogEntry entry, log_->Read(i));
    Status s = replay.Apply(entry);
    if (s.ok()) continue;
    // Halted. The tree covers every entry, so that the halt record lands at its true
    // position; the state is rebuilt up to the entry before the bad one, and reads serve it.
    bool recorded = false;  // a halt record already follows (an earlier start halted here)
    for (std::uint64_t j = i + 1; j < log_->size(); ++j) {
      QFS_ASSIGN_OR_RETURN(LogEntry rest, log_->Read(j));
      replay.AppendLeaf(rest);
      recorded = recorded || (!rest.payload.empty() &&
                              rest.payload[0] == static_cast<std::uint8_t>(RecordType::kHalt));
    }
    tree_ = std::move(replay.tree());
    Replayer before({.check_signatures = false});
    for (std::uint64_t j = 0; j < i; ++j) {
      QFS_ASSIGN_OR_RETURN(LogEntry earlier, log_->Read(j));
      QFS_RETURN_IF_ERROR(before.Apply(earlier));
    }
    state_ = before.has_state() ? before.TakeState() : std::make_unique<State>(GenesisParams{});
    if (recorded) {
      halted_ = true;
      halt_reason_ = SafeReason(s.message());
    } else {
      HaltLocked(s.message());
    }
    return OkStatus();
  }
  tree_ = std::move(replay.tree());
  state_ = replay.TakeState();
  halted_ = replay.halted();
  halt_reason_ = replay.halt_reason();
  resumable_ = halted_;  // the log says halted and the whole log replays: an operator may resume
  last_checkpoint_size_ = replay.last_checkpoint_size();
  last_checkpoint_ = replay.last_checkpoint();
  return OkStatus();
}

std::optional<std::pair<Snapshot, std::unique_ptr<State>>> LedgerImpl::UsableSnapshot() {
  Result<Snapshot> read = ReadSnapshot(SnapshotPath(), fs_);
  if (!read.ok()) {
    if (read.code() != StatusCode::kNotFound) start_.snapshot_note = read.status().message();
    return std::nullopt;
  }
  Snapshot& s = read.value();
  if (s.tree_size == 0 || s.tree_size > opened_hashes_.size() ||
      opened_hashes_[s.tree_size - 1] != s.last_entry_hash ||
      s.last_checkpoint_size > s.tree_size) {
    start_.snapshot_note = "the snapshot does not belong to this log";
    return std::nullopt;
  }
  Result<Bytes> records = ReadRecordsFile(RecordsPath(), s, fs_);
  if (!records.ok()) {
    start_.snapshot_note = "the snapshot's records are unusable: " + records.status().message();
    return std::nullopt;
  }
  Result<std::unique_ptr<State>> state = State::Decode(s.state, records.value());
  if (!state.ok() || state.value()->Root() != s.state_root) {
    start_.snapshot_note =
        "the snapshot's state is damaged" +
        (state.ok() ? std::string(" (state root mismatch)") : ": " + state.status().message());
    return std::nullopt;
  }
  s.state = {};
  records_file_bytes_ = s.records_bytes;
  records_file_crc32c_ = s.records_crc32c;
  return std::make_pair(std::move(s), std::move(state).value());
}

Status LedgerImpl::WriteSnapshotLocked() { return WriteSnapshotFiles(TakeSnapshotLocked()); }

Status LedgerImpl::WriteSnapshotFiles(FrozenSnapshot f) {
  // Records only ever follow those the file holds; the prefix an older snapshot names stays as
  // it is, so a crash anywhere in here leaves that snapshot usable.
  const Bytes records = f.state.EncodeRecords(records_file_bytes_ / State::kRecordBytes);
  QFS_RETURN_IF_ERROR(WriteFileFrom(RecordsPath(), records_file_bytes_, records, fs_));
  records_file_bytes_ += records.size();
  records_file_crc32c_ = Crc32cExtend(records_file_crc32c_, records);
  f.header.records_bytes = records_file_bytes_;
  f.header.records_crc32c = records_file_crc32c_;
  f.header.state = f.state.head();
  return WriteSnapshot(SnapshotPath(), f.header, fs_);
}

LedgerImpl::FrozenSnapshot LedgerImpl::TakeSnapshotLocked() {
  FrozenSnapshot f{Snapshot{}, state_->Freeze()};
  Snapshot& s = f.header;
  s.tree_size = log_->size();
  s.last_entry_hash = log_->last_hash();
  s.state_root = state_->Root();
  s.last_checkpoint_size = last_checkpoint_size_;
  s.last_checkpoint = last_checkpoint_;
  last_snapshot_size_ = s.tree_size;
  return f;
}

std::uint64_t LedgerImpl::NextTimestamp() {
  const std::uint64_t now = options_.clock->NowMicros();
  return log_->size() == 0 ? now : std::max(now, log_->last_timestamp_us() + 1);
}

Status LedgerImpl::AppendRecord(RecordType type, ByteSpan body, ResultCode result,
                                std::uint64_t timestamp_us) {
  QFS_ASSIGN_OR_RETURN(const Digest32 hash, log_->Append(timestamp_us, Payload(type, body),
                                                         static_cast<std::uint16_t>(result)));
  if (state_ != nullptr) tree_.Append(LeafHash(hash));  // replay appends the rest
  return OkStatus();
}

Result<SubmitResult> LedgerImpl::Submit(ByteSpan packet_bytes) {
  std::promise<Result<SubmitResult>> answer;
  std::future<Result<SubmitResult>> done = answer.get_future();
  SubmitAsync(packet_bytes, [&answer](Result<SubmitResult> r) { answer.set_value(std::move(r)); });
  return done.get();
}

void LedgerImpl::SubmitAsync(ByteSpan packet_bytes, SubmitCallback done) {
  auto pending = std::make_unique<Pending>();
  if (std::optional<SubmitResult> rejected = Admit(packet_bytes, *pending)) {
    done(*rejected);
    return;
  }
  pending->done = std::move(done);
  Status refused;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopping_) {
      refused = Status(StatusCode::kUnavailable, "the ledger is shutting down");
    } else if (queue_.size() >= options_.queue_max) {
      refused = Status(StatusCode::kUnavailable, "the ledger's queue is full");
    } else {
      queue_.push_back(std::move(pending));
      pending = nullptr;  // the sequencer owns it now
      // The sequencer waits for a first entry, then (in the commit window) for a full batch.
      wake = queue_.size() == 1 || queue_.size() == options_.commit_batch_max;
    }
  }
  if (pending == nullptr) {
    if (wake) queue_cv_.notify_one();
    return;
  }
  pending->done(refused);
}

std::optional<SubmitResult> LedgerImpl::Admit(ByteSpan packet_bytes, Pending& pending) const {
  if (packet_bytes.size() > kPacketBytesMax) return SubmitResult{0, ResultCode::kPacketTooLarge};
  Result<Packet> decoded = DecodePacket(packet_bytes);
  if (!decoded.ok()) return SubmitResult{0, ResultCode::kMalformedPacket};
  pending.packet = std::move(decoded).value();
  // The decoder is strict (one encoding per packet), so the wire bytes are the canonical
  // encoding: hash and log them as they are instead of encoding the packet again.
  pending.wire.assign(packet_bytes.begin(), packet_bytes.end());
  pending.packet_hash = crypto::Sha256(pending.wire);
  const Packet& p = pending.packet;
  // The signature is checked here, on the caller's thread, so that verification runs in
  // parallel; the sequencer re-checks everything that can change (revocation, sequence).
  // Halted: the sequencer answers from the operation records alone (AnswerWhileHalted) — a
  // retry of a durable entry learns its outcome; the packet hash covers the signature, so no
  // signature check is needed for that, and anything else is refused.
  if (halted_) return std::nullopt;
  ByteSpan public_key;
  std::uint16_t algorithm = 0;
  KeyList keys;  // holds `public_key` of a registered key
  if (const auto* reg = std::get_if<RegisterIdentity>(&p.operation)) {
    algorithm = reg->algorithm;
    public_key = reg->public_key;
  } else {
    {
      std::shared_lock<std::shared_mutex> lock(keys_mutex_);
      auto it = keys_.find(p.signer);
      if (it != keys_.end()) keys = it->second;
    }
    if (keys == nullptr || p.key.value >= keys->size()) {
      return SubmitResult{0, ResultCode::kUnknownSigner};
    }
    algorithm = (*keys)[p.key.value].algorithm;
    public_key = (*keys)[p.key.value].public_key;
  }
  Result<const crypto::SignatureScheme*> scheme =
      crypto::SignatureRegistry::Default().Find(p.algorithm);
  if (p.algorithm != algorithm || !scheme.ok() ||
      !key_cache_.Verify(*scheme.value(), public_key, SigningMessage(p), p.signature).ok()) {
    return SubmitResult{0, ResultCode::kInvalidSignature};
  }
  if (const ResultCode proof = CheckRegistrationProof(p, network_); proof != ResultCode::kOk) {
    return SubmitResult{0, proof};
  }
  return std::nullopt;
}

void LedgerImpl::SequencerLoop() {
  ::pthread_setname_np(::pthread_self(), "qfs-sequencer");  // for top, perf and gdb
  for (;;) {
    std::vector<std::unique_ptr<Pending>> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;    // stopping
      if (last_sync_entries_ > 1) {  // concurrent writers: let more of them join this commit
        commit_window_waits_.fetch_add(1, std::memory_order_relaxed);
        const std::uint64_t window_end_us = last_sync_start_us_ + commit_window_.window_us();
        const std::uint64_t now_us = options_.clock->MonotonicMicros();
        const auto left = std::chrono::microseconds(
            static_cast<std::int64_t>(window_end_us > now_us ? window_end_us - now_us : 0));
        queue_cv_.wait_for(
            lock, left, [this] { return stopping_ || queue_.size() >= options_.commit_batch_max; });
      }
      while (!queue_.empty() && batch.size() < options_.commit_batch_max) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    // After a commit with company, outside the queue lock (a system call): the next one waits.
    if (last_sync_entries_ > 1) {
      commit_window_.Observe(options_.clock->MonotonicMicros(), options_.clock->CpuMicros());
      commit_window_now_us_.store(commit_window_.window_us(), std::memory_order_relaxed);
    }
  }
}

std::optional<SubmitResult> LedgerImpl::Sequence(Pending& pending) {
  const Packet& p = pending.packet;
  if (const OperationRecord* r = state_->FindOperation(p.signer, p.operation_id)) {
    if (r->packet_hash == pending.packet_hash) return SubmitResult{r->index, r->result, true, true};
    return SubmitResult{0, ResultCode::kOperationConflict};
  }
  const std::uint64_t now = NextTimestamp();
  State::SigningKey key;
  const ResultCode admission = state_->CheckAdmissionState(p, now, &key);
  if (admission != ResultCode::kOk) return SubmitResult{0, admission};
  // Past its refusal budget, a packet the state machine would refuse is answered, not logged:
  // refusals cannot grow the log faster than the budget (docs/ledger.md, "What a refusal costs").
  // What its entry costs the log: the packet, its record type byte and the record's frame.
  const std::uint64_t entry_bytes = pending.wire.size() + 1 + kRecordOverheadBytes;
  const bool can_log_refusal = refusal_budget_.CanLog(p.signer, entry_bytes, now);
  if (!can_log_refusal) {
    const ResultCode verdict = state_->Evaluate(p, now);
    if (verdict != ResultCode::kOk) {
      refusals_unlogged_.fetch_add(1, std::memory_order_relaxed);
      return SubmitResult{0, verdict};
    }
  }
  const std::uint64_t index = log_->size();
  const ResultCode result = state_->Apply(p, pending.packet_hash, index, now);
  // Evaluate and Apply agree (a property test says so), so only a budget that could pay
  // reaches this; were they ever to differ, the refusal is logged all the same (Apply changed
  // the state), and the bucket merely empties.
  if (result != ResultCode::kOk) refusal_budget_.Charge(p.signer, entry_bytes, now);
  if (result == ResultCode::kOk && (std::holds_alternative<RegisterIdentity>(p.operation) ||
                                    std::holds_alternative<AddKey>(p.operation) ||
                                    std::holds_alternative<RotateKey>(p.operation) ||
                                    std::holds_alternative<RevokeKey>(p.operation))) {
    CopyKeys(p.signer);
  }
  Status appended = AppendRecord(RecordType::kPacket, pending.wire, result, now);
  if (!appended.ok()) {
    HaltLocked("log append failed: " + appended.message());
    return SubmitResult{0, ResultCode::kHalted};
  }
  // Logged as applied, so that replay meets the same violation at the same entry.
  if (!state_->last_entry_check().ok()) HaltLocked(state_->last_entry_check().message());
  pending.logged = SubmitResult{index, result, false, true};
  return std::nullopt;  // answered after the commit
}

void LedgerImpl::CommitBatch(std::vector<std::unique_ptr<Pending>>& batch) {
  std::vector<std::pair<Pending*, Result<SubmitResult>>> answers;
  answers.reserve(batch.size());
  std::optional<FrozenSnapshot> snapshot;  // frozen under the lock, encoded and written after it
  {
    std::unique_lock<std::shared_mutex> lock(state_mutex_);
    std::vector<Pending*> logged;
    for (std::unique_ptr<Pending>& p : batch) {
      if (halted_) {
        answers.emplace_back(p.get(), AnswerWhileHalted(*p));
        continue;
      }
      std::optional<SubmitResult> immediate = Sequence(*p);
      if (immediate.has_value()) {
        answers.emplace_back(p.get(), *immediate);
      } else {
        logged.push_back(p.get());
      }
    }
    if (!logged.empty()) {
      last_sync_start_us_ = options_.clock->MonotonicMicros();
      last_sync_entries_ = logged.size();
      ++group_commits_;
    }
    Status synced = logged.empty() ? OkStatus() : log_->Sync();
    if (synced.ok()) {
      durable_size_ = log_->size();
    } else {
      HaltLocked("log sync failed: " + synced.message());
    }
    for (Pending* p : logged) {
      // Appended but not confirmed: the entry may be on the disk or not. Never "failed".
      answers.emplace_back(p, synced.ok() ? Result<SubmitResult>(p->logged) : OutcomeUnknown());
    }
    if (!halted_ && log_->size() - last_checkpoint_size_ >= options_.checkpoint_interval) {
      Status s = WriteCheckpoint();
      if (!s.ok()) HaltLocked(s.message());
    }
    if (!halted_ && options_.snapshot_interval != 0 &&
        log_->size() - last_snapshot_size_ >= options_.snapshot_interval &&
        !snapshot_writing_.load()) {
      snapshot = TakeSnapshotLocked();
    }
  }
  // Answered outside the lock, so that a callback's work never holds up readers.
  for (auto& [p, answer] : answers) p->done(std::move(answer));
  if (snapshot.has_value()) {
    // Encoded and written (checksum, file, fsync, rename) off the sequencer, so commits go on
    // meanwhile; a failure costs a longer replay, nothing else. One writer at a time: they share
    // the file.
    if (snapshot_writer_.joinable()) snapshot_writer_.join();  // done: snapshot_writing_ was false
    snapshot_writing_.store(true);
    snapshot_writer_ = std::thread([this, f = std::move(*snapshot)]() mutable {
      ::pthread_setname_np(::pthread_self(), "qfs-snapshot");
      LowerThisThreadsPriority();
      (void)WriteSnapshotFiles(std::move(f));
      snapshot_writing_.store(false);
    });
  }
}

Status LedgerImpl::OutcomeUnknown() {
  return Status(StatusCode::kOutcomeUnknown,
                "the entry was appended but the disk did not confirm it (the ledger halted); "
                "submit the same packet again to learn its outcome");
}

Result<SubmitResult> LedgerImpl::AnswerWhileHalted(const Pending& pending) const {
  const Packet& p = pending.packet;
  const OperationRecord* r = state_->FindOperation(p.signer, p.operation_id);
  if (r == nullptr) return SubmitResult{0, ResultCode::kHalted};
  if (r->packet_hash != pending.packet_hash) return SubmitResult{0, ResultCode::kOperationConflict};
  // Only what a successful sync covered is known to be in the log.
  if (r->index >= durable_size_) return OutcomeUnknown();
  return SubmitResult{r->index, r->result, true, true};
}

Status LedgerImpl::WriteCheckpoint() {
  QFS_RETURN_IF_ERROR(state_->CheckInvariants());
  Checkpoint c;
  c.tree_size = log_->size();
  c.tree_root = tree_.Root(c.tree_size);
  c.state_root = state_->Root();
  c.algorithm = static_cast<std::uint16_t>(options_.node_scheme->id());
  c.public_key = options_.node_public_key;
  QFS_ASSIGN_OR_RETURN(c.signature,
                       options_.node_scheme->Sign(*options_.node_secret_key, CheckpointMessage(c)));
  QFS_RETURN_IF_ERROR(
      AppendRecord(RecordType::kCheckpoint, EncodeCheckpoint(c), ResultCode::kOk, NextTimestamp()));
  last_checkpoint_size_ = log_->size();
  last_checkpoint_ = std::move(c);
  return log_->Sync();
}

void LedgerImpl::MutateStateForTesting(const std::function<void(State&)>& mutate) {
  std::unique_lock<std::shared_mutex> lock(state_mutex_);
  mutate(*state_);
}

void LedgerImpl::CopyKeys(const IdentityId& id) {
  const Account* account = state_->FindAccount(id);
  if (account == nullptr) return;
  KeyList keys = std::make_shared<const std::vector<KeyRecord>>(account->keys);
  std::unique_lock<std::shared_mutex> lock(keys_mutex_);
  keys_[id] = std::move(keys);
}

void LedgerImpl::Halt(const std::string& reason) {
  std::unique_lock<std::shared_mutex> lock(state_mutex_);
  HaltLocked(reason);
}

Status LedgerImpl::Resume(const std::string& reason) {
  if (!IsValidUtf8(reason) || reason.size() > kHaltReasonBytesMax) {
    return Status(StatusCode::kInvalidArgument, "the reason must be UTF-8 text of at most " +
                                                    std::to_string(kHaltReasonBytesMax) + " bytes");
  }
  std::unique_lock<std::shared_mutex> lock(state_mutex_);
  if (!halted_) return Status(StatusCode::kFailedPrecondition, "the ledger is not halted");
  if (!log_->writable()) {
    return Status(StatusCode::kFailedPrecondition,
                  "the log is damaged; repair or restore it first: " + halt_reason_);
  }
  if (!resumable_) {
    return Status(StatusCode::kFailedPrecondition,
                  "the cause of the halt persists: " + halt_reason_);
  }
  // Only a node key of this ledger may resume it: an auditor would refuse any other signer.
  if (!IsNodeKey(*state_, static_cast<std::uint16_t>(options_.node_scheme->id()),
                 options_.node_public_key)) {
    return Status(StatusCode::kPermissionDenied,
                  "the key is not a node key of this ledger (an unrevoked key of an admin "
                  "identity); only a node key may resume it");
  }
  QFS_ASSIGN_OR_RETURN(Bytes body,
                       ResumeBody(reason, *options_.node_scheme, *options_.node_secret_key));
  QFS_RETURN_IF_ERROR(AppendRecord(RecordType::kResume, body, ResultCode::kOk, NextTimestamp()));
  QFS_RETURN_IF_ERROR(log_->Sync());
  halted_ = false;
  resumable_ = false;
  halt_reason_.clear();
  return OkStatus();
}

void LedgerImpl::HaltLocked(const std::string& why) {
  resumable_ = false;
  if (halted_) return;
  const std::string reason = SafeReason(why);
  halted_ = true;
  halt_reason_ = reason;
  if (state_ == nullptr || log_ == nullptr || !log_->writable()) return;
  const Bytes body =
      HaltBody(reason, state_->Root(), *options_.node_scheme, *options_.node_secret_key);
  // Best effort: the halt holds in memory even if the disk refuses the record.
  if (AppendRecord(RecordType::kHalt, body, ResultCode::kHalted, NextTimestamp()).ok()) {
    (void)log_->Sync();
  }
}

LedgerHead LedgerImpl::Head() const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  return {log_->size(),
          tree_.Root(tree_.size()),
          log_->last_hash(),
          halted_,
          halt_reason_,
          last_checkpoint_,
          group_commits_,
          commit_window_now_us_.load(std::memory_order_relaxed),
          commit_window_waits_.load(std::memory_order_relaxed),
          refusals_unlogged_.load(std::memory_order_relaxed)};
}

Result<AccountView> LedgerImpl::GetAccount(const IdentityId& id) const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  const Account* a = state_->FindAccount(id);
  if (a == nullptr) return Status(StatusCode::kNotFound, "no account " + id.ToHex());
  return AccountView{id, *a, log_->size()};
}

Result<LogEntry> LedgerImpl::GetEntry(std::uint64_t index) const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  return log_->Read(index);
}

Result<std::vector<Digest32>> LedgerImpl::InclusionProof(std::uint64_t index,
                                                         std::uint64_t tree_size) const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  return tree_.InclusionProof(index, tree_size);
}

Result<std::vector<Digest32>> LedgerImpl::ConsistencyProof(std::uint64_t first,
                                                           std::uint64_t second) const {
  std::shared_lock<std::shared_mutex> lock(state_mutex_);
  return tree_.ConsistencyProof(first, second);
}

}  // namespace qfs::ledger
