// The deterministic state machine: identities with their keys and roles, six balances per
// account, pending two-phase transfers, idempotency records and token supply. Apply() is a pure
// function of the state, the packet, and the entry's index and node time: no clock, no
// randomness, no floating point, ordered containers only (tests/style/determinism_check.py).
//
//   State state(genesis);
//   ResultCode admit = state.CheckAdmission(packet, now_us);   // before the log
//   ResultCode result = state.Apply(packet, PacketHash(packet), index, now_us);
//   QFS_CHECK(state.CheckInvariants().ok());
//   Digest32 root = state.Root();
//
// Thread safety: none; the sequencer owns the state.
#ifndef QFS_LEDGER_STATE_H_
#define QFS_LEDGER_STATE_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "crypto/hash.h"
#include "crypto/prepared_key_cache.h"
#include "ledger/operation_index.h"
#include "ledger/packet.h"
#include "ledger/types.h"

namespace qfs::codec {
class Reader;
class Writer;
}  // namespace qfs::codec

namespace qfs::ledger {

using crypto::Digest32;
using math::u128;

using qfs::kGenesisIdentitiesMax;  // base/limits.h
using qfs::kKeysPerIdentityMax;
using qfs::kPendingTimeoutMaxUs;  // 30 days

// The genesis entry's contents: fixed for the life of the network.
struct GenesisParams {
  std::uint32_t network = 1;
  // Per token (CHR, FLX, PSI, ATR, RES, NOD): may users transfer it? The original: ATR only.
  std::array<bool, kTokenCount> transferable = {false, false, false, true, false, false};
  // A packet's client time must be within this of the entry's node time.
  std::uint64_t admission_window_us = 300'000'000;
  struct Identity {
    IdentityId id;
    std::uint16_t algorithm = 0;
    Bytes public_key;
    std::uint32_t roles = 0;
    bool operator==(const Identity&) const = default;
  };
  std::vector<Identity> identities;
  bool operator==(const GenesisParams&) const = default;
};
Bytes EncodeGenesis(const GenesisParams& params);
Result<GenesisParams> DecodeGenesis(ByteSpan bytes);

struct KeyRecord {
  std::uint16_t algorithm = 0;
  Bytes public_key;
  bool revoked = false;
};

struct Account {
  std::vector<KeyRecord> keys;  // KeyId = position
  std::uint32_t roles = 0;
  std::uint64_t sequence = 0;                // of the last accepted packet
  std::array<u128, kTokenCount> balance{};   // available
  std::array<u128, kTokenCount> reserved{};  // held by pending transfers from this account
};

enum class PendingStatus : std::uint8_t { kPending = 0, kPosted = 1, kVoided = 2, kExpired = 3 };
struct PendingTransfer {
  TransferLeg leg;
  std::uint64_t deadline_us = 0;
  PendingStatus status = PendingStatus::kPending;
};

// A registration's wallet proof (EIP-191 over RegistrationMessage) recovers the identity it
// names: kOk, or kWalletProofInvalid. kOk for any other packet and for key-only registrations.
// Costs a secp256k1 recovery: admission runs it beside the signature check.
ResultCode CheckRegistrationProof(const Packet& p, std::uint32_t network);

class State {
 public:
  explicit State(GenesisParams params);

  const GenesisParams& params() const { return params_; }
  const Account* FindAccount(const IdentityId& id) const;
  const std::map<IdentityId, Account>& accounts() const { return accounts_; }
  const PendingTransfer* FindPending(const IdentityId& from, const OperationId& id) const;
  const OperationRecord* FindOperation(const IdentityId& signer, const OperationId& id) const;
  u128 minted(Token t) const { return minted_[static_cast<std::size_t>(t)]; }
  u128 burned(Token t) const { return burned_[static_cast<std::size_t>(t)]; }

  // The cheap, state-dependent half of admission: version, network, time window (against
  // now_us, the entry's node time), known signer, existing unrevoked key, sequence. On kOk,
  // *key is the key the signature must verify under (for a registration: the key it
  // registers). Operation ids are the caller's business (FindOperation).
  struct SigningKey {
    std::uint16_t algorithm = 0;
    ByteSpan public_key;
  };
  ResultCode CheckAdmissionState(const Packet& packet, std::uint64_t now_us, SigningKey* key) const;
  // CheckAdmissionState, the signature (through `key_cache` if given) and a registration's
  // wallet proof; kOk if the packet may be logged.
  //
  // The rule (docs/ledger.md): a packet that is not authenticated by a key of the identity it
  // names never changes that identity. Every packet but a registration must verify under one of
  // the signer's unrevoked keys; a registration verifies under the key it registers and may name
  // only an identity that does not exist yet, derived from that key or proven by its wallet.
  ResultCode CheckAdmission(const Packet& packet, std::uint64_t now_us,
                            crypto::PreparedKeyCache* key_cache = nullptr) const;

  // Applies an admitted packet as log entry `index` at node time now_us (>= every earlier
  // entry's): first expires pending transfers whose deadline has passed, then the operation.
  // REQUIRES (checked): no record for its operation id yet (FindOperation; a retry is answered
  // from the record and never applied).
  // Returns the result code to record. A business rejection changes nothing but the signer's
  // sequence and the operation record (expiries due at now_us happen either way).
  ResultCode Apply(const Packet& packet, const Digest32& packet_hash, std::uint64_t index,
                   std::uint64_t now_us);
  // What Apply(packet, ..., now_us) would return, without changing anything: the same checks
  // in the same order, counting the expiries due at now_us. REQUIRES: CheckAdmissionState(packet,
  // now_us) is kOk. The sequencer asks it to refuse without logging (docs/ledger.md, "What a
  // refusal costs").
  ResultCode Evaluate(const Packet& packet, std::uint64_t now_us) const;
  // Ledger time passes without an operation (expiries only).
  void AdvanceTime(std::uint64_t now_us);
  // The check after every entry, in time proportional to the entry: across the accounts the
  // last Apply touched, holdings (available + reserved) changed per token by exactly what was
  // minted minus what was burned. INTERNAL names the token otherwise (the node halts).
  const Status& last_entry_check() const { return last_entry_check_; }

  // Supply conservation per token (sum of available and reserved balances = minted - burned),
  // reserved = the pending transfers' amounts per account and token. INTERNAL names the first
  // violation; a violation halts the node (CIR-302).
  Status CheckInvariants() const;
  // SHA-256 over a domain tag and the canonical encoding of the whole state.
  Digest32 Root() const;
  // The whole state, for snapshots (docs/formats/log.md), and back: its head (everything but the
  // operation records, ending with their count and running hash), then the records in entry
  // order, kRecordBytes each. Decode checks the encoding and the invariants: CORRUPTION /
  // NON_CANONICAL / TRUNCATED / TRAILING_BYTES for a bad snapshot.
  static constexpr std::size_t kRecordBytes = 20 + 16 + 32 + 8 + 2;
  Bytes Encode() const { return Freeze().Encode(); }
  static Result<std::unique_ptr<State>> Decode(ByteSpan bytes);
  // The same with the head and the records apart, as snapshots keep them: the records in a file
  // that each snapshot only extends. `records` must hold exactly the head's count.
  static Result<std::unique_ptr<State>> Decode(ByteSpan head, ByteSpan records);
  // Encoding in two steps, so that a snapshot holds the state's lock only for what may change:
  // Freeze() encodes the head and shares the operation records (append-only, see
  // OperationIndex); the Frozen may then be encoded on any thread while the state goes on, and
  // gives what Encode() gave at the moment of Freeze().
  class Frozen {
   public:
    const Bytes& head() const { return head_; }
    std::size_t records() const { return operations_.size(); }
    // The encodings of records [from, records()).
    Bytes EncodeRecords(std::size_t from) const;
    Bytes Encode() const;  // head() and every record

   private:
    friend class State;
    Bytes head_;
    OperationIndex::Frozen operations_;
  };
  Frozen Freeze() const;
  // Tests only: changes a balance without an entry (to prove that the checks catch it).
  void AdjustBalanceForTesting(const IdentityId& id, Token token, u128 delta) {
    accounts_.at(id).balance[static_cast<std::size_t>(token)] += delta;
  }

 private:
  // Decode's halves: everything up to the records, whose count goes to `records`; the records.
  static Result<std::unique_ptr<State>> DecodeHead(codec::Reader& r, std::uint64_t& records);
  Status DecodeRecords(ByteSpan records, std::uint64_t count);
  ResultCode ApplyOperation(const Packet& p, std::uint64_t now_us);
  // Evaluate's part per operation (a registration is decided in Evaluate itself).
  ResultCode Check(const Packet& p, const Account& signer, const AddKey& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const RotateKey& op,
                   std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const RevokeKey& op,
                   std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const SetRoles& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const Mint& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const Burn& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const Transfer& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const Batch& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const Reserve& op, std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const PostPending& op,
                   std::uint64_t) const;
  ResultCode Check(const Packet& p, const Account& signer, const VoidPending& op,
                   std::uint64_t) const;
  static ResultCode CheckNewKey(const Account& signer, std::uint16_t algorithm,
                                const Bytes& public_key, const KeyId* revoke);
  ResultCode CheckLeg(const IdentityId& from, const TransferLeg& leg, bool need_transferable) const;
  ResultCode CheckLegs(const IdentityId& from_id, const Account& from,
                       std::span<const TransferLeg> legs, std::uint64_t now_us) const;
  ResultCode CheckPending(const IdentityId& from, const OperationId& id,
                          std::uint64_t now_us) const;
  std::array<u128, kTokenCount> AvailableAt(const IdentityId& id, const Account& a,
                                            std::uint64_t now_us) const;
  // The changes of an accepted operation, one per operation.
  void Perform(const Packet& p, const RegisterIdentity& op, std::uint64_t now_us);
  void Perform(const Packet& p, const AddKey& op, std::uint64_t now_us);
  void Perform(const Packet& p, const RotateKey& op, std::uint64_t now_us);
  void Perform(const Packet& p, const RevokeKey& op, std::uint64_t now_us);
  void Perform(const Packet& p, const SetRoles& op, std::uint64_t now_us);
  void Perform(const Packet& p, const Mint& op, std::uint64_t now_us);
  void Perform(const Packet& p, const Burn& op, std::uint64_t now_us);
  void Perform(const Packet& p, const Transfer& op, std::uint64_t now_us);
  void Perform(const Packet& p, const Batch& op, std::uint64_t now_us);
  void Perform(const Packet& p, const Reserve& op, std::uint64_t now_us);
  void Perform(const Packet& p, const PostPending& op, std::uint64_t now_us);
  void Perform(const Packet& p, const VoidPending& op, std::uint64_t now_us);
  void MoveLegs(const IdentityId& from_id, std::span<const TransferLeg> legs);
  void FinishPending(const IdentityId& from, const OperationId& id, bool post);
  void Expire(std::uint64_t now_us);
  void RecordOperation(const OperationKey& key, const OperationRecord& record);
  // Supplies, accounts and pending transfers: the part the root and a snapshot share.
  void PutBalancesAndPending(codec::Writer& w) const;
  std::vector<IdentityId> Touched(const Packet& p, std::uint64_t now_us) const;
  // The sum of balance + reserved over `ids`, by token. `accounts[i]` caches ids[i]'s account,
  // looked up while null (map nodes never move, and no account is ever removed).
  std::array<u128, kTokenCount> Held(const std::vector<IdentityId>& ids,
                                     std::vector<const Account*>& accounts) const;

  GenesisParams params_;
  std::map<IdentityId, Account> accounts_;
  std::map<OperationKey, PendingTransfer> pending_;
  std::set<std::pair<std::uint64_t, OperationKey>> deadlines_;  // of pending transfers still open
  OperationIndex operations_;
  Digest32 operations_digest_{};  // running hash of the records in the order they were made
  std::array<u128, kTokenCount> minted_{};
  std::array<u128, kTokenCount> burned_{};
  Status last_entry_check_;
};

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_STATE_H_
