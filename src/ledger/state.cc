#include "ledger/state.h"

#include <algorithm>
#include <string>
#include <type_traits>

#include "base/check.h"
#include "codec/encoding.h"
#include "crypto/wallet.h"

namespace qfs::ledger {
namespace {

constexpr char kStateDomain[] = "qfs.ledger.state.v1";
constexpr char kSnapshotDomain[] = "qfs.ledger.snapshot.v3";  // 3: the records after the head
constexpr char kGenesisDomain[] = "qfs.ledger.genesis.v1";

std::size_t I(Token t) { return static_cast<std::size_t>(t); }

// OK if the key's algorithm is registered and the key has its size.
ResultCode CheckKey(std::uint16_t algorithm, ByteSpan public_key) {
  Result<const crypto::SignatureScheme*> scheme =
      crypto::SignatureRegistry::Default().Find(algorithm);
  if (!scheme.ok()) return ResultCode::kUnknownAlgorithm;
  if (public_key.size() != scheme.value()->public_key_bytes()) return ResultCode::kBadPublicKey;
  return ResultCode::kOk;
}

void PutAccount(codec::Writer& w, const Account& a) {
  w.Count(a.keys.size());
  for (const KeyRecord& k : a.keys) {
    w.U16(k.algorithm);
    w.LengthPrefixedBytes(k.public_key);
    w.Bool(k.revoked);
  }
  w.U32(a.roles);
  w.U64(a.sequence);
  for (u128 v : a.balance) w.U128(v);
  for (u128 v : a.reserved) w.U128(v);
}

Status Unordered() {
  return Status(StatusCode::kCorruption, "state snapshot: an item out of order or malformed");
}

Result<IdentityId> ReadIdentity(codec::Reader& r) {
  IdentityId id;
  QFS_ASSIGN_OR_RETURN(id.bytes, r.FixedArray<20>());
  return id;
}

Result<Account> GetAccount(codec::Reader& r) {
  Account a;
  QFS_ASSIGN_OR_RETURN(std::size_t keys, r.Count(2 + 4 + 1, kKeysPerIdentityMax));
  a.keys.resize(keys);
  for (KeyRecord& k : a.keys) {
    QFS_ASSIGN_OR_RETURN(k.algorithm, r.U16());
    QFS_ASSIGN_OR_RETURN(k.public_key, r.LengthPrefixedBytes(kPublicKeyBytesMax));
    QFS_ASSIGN_OR_RETURN(k.revoked, r.Bool());
  }
  QFS_ASSIGN_OR_RETURN(a.roles, r.U32());
  QFS_ASSIGN_OR_RETURN(a.sequence, r.U64());
  for (u128& v : a.balance) {
    QFS_ASSIGN_OR_RETURN(v, r.U128());
  }
  for (u128& v : a.reserved) {
    QFS_ASSIGN_OR_RETURN(v, r.U128());
  }
  return a;
}

void PutLeg(codec::Writer& w, const TransferLeg& leg) {
  w.FixedBytes(leg.to.bytes);
  w.U8(static_cast<std::uint8_t>(leg.token));
  w.U128(leg.amount.raw());
}

}  // namespace

Bytes EncodeGenesis(const GenesisParams& params) {
  codec::Writer w;
  w.String(kGenesisDomain);
  w.U32(params.network);
  for (bool t : params.transferable) w.Bool(t);
  w.U64(params.admission_window_us);
  w.Count(params.identities.size());
  for (const GenesisParams::Identity& id : params.identities) {
    w.FixedBytes(id.id.bytes);
    w.U16(id.algorithm);
    w.LengthPrefixedBytes(id.public_key);
    w.U32(id.roles);
  }
  return w.Take();
}

Result<GenesisParams> DecodeGenesis(ByteSpan bytes) {
  codec::Reader r(bytes);
  QFS_ASSIGN_OR_RETURN(std::string domain, r.String(64));
  if (domain != kGenesisDomain) return Status(StatusCode::kNonCanonical, "not a genesis record");
  GenesisParams p;
  QFS_ASSIGN_OR_RETURN(p.network, r.U32());
  for (bool& t : p.transferable) {
    QFS_ASSIGN_OR_RETURN(t, r.Bool());
  }
  QFS_ASSIGN_OR_RETURN(p.admission_window_us, r.U64());
  QFS_ASSIGN_OR_RETURN(std::size_t count, r.Count(20 + 2 + 4 + 4, kGenesisIdentitiesMax));
  p.identities.resize(count);
  std::set<IdentityId> seen;
  for (GenesisParams::Identity& id : p.identities) {
    QFS_ASSIGN_OR_RETURN(id.id.bytes, r.FixedArray<20>());
    QFS_ASSIGN_OR_RETURN(id.algorithm, r.U16());
    QFS_ASSIGN_OR_RETURN(id.public_key, r.LengthPrefixedBytes(kPublicKeyBytesMax));
    QFS_ASSIGN_OR_RETURN(id.roles, r.U32());
    if ((id.roles & ~kRolesAll) != 0) return Status(StatusCode::kNonCanonical, "unknown role bits");
    if (CheckKey(id.algorithm, id.public_key) != ResultCode::kOk) {
      return Status(StatusCode::kBadKey,
                    "genesis identity " + id.id.ToHex() + ": unknown algorithm or wrong key size");
    }
    if (!seen.insert(id.id).second) {
      return Status(StatusCode::kNonCanonical, "genesis identity " + id.id.ToHex() + " twice");
    }
  }
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return p;
}

State::State(GenesisParams params) : params_(std::move(params)) {
  for (const GenesisParams::Identity& id : params_.identities) {
    Account& a = accounts_[id.id];
    a.keys.push_back({id.algorithm, id.public_key, false});
    a.roles = id.roles;
  }
}

const Account* State::FindAccount(const IdentityId& id) const {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

const PendingTransfer* State::FindPending(const IdentityId& from, const OperationId& id) const {
  auto it = pending_.find({from, id});
  return it == pending_.end() ? nullptr : &it->second;
}

const OperationRecord* State::FindOperation(const IdentityId& signer, const OperationId& id) const {
  return operations_.Find({signer, id});
}

ResultCode State::CheckAdmissionState(const Packet& p, std::uint64_t now_us,
                                      SigningKey* key) const {
  if (p.version != kPacketVersion) return ResultCode::kVersionMismatch;
  if (p.network != params_.network) return ResultCode::kWrongNetwork;
  const std::uint64_t skew =
      p.client_time_us > now_us ? p.client_time_us - now_us : now_us - p.client_time_us;
  if (skew > params_.admission_window_us) return ResultCode::kInvalidTimestamp;
  if (const auto* reg = std::get_if<RegisterIdentity>(&p.operation)) {
    // A registration is authenticated by the key it registers, which is nobody's key yet: it
    // may name only an identity that does not exist (and, key-only, one derived from that
    // key). Refused here, it is never logged and changes nothing. The wallet proof, the
    // costly half, is checked with the signature (CheckRegistrationProof).
    if (p.key.value != 0 || p.sequence != 1) return ResultCode::kInvalidSequence;
    if (FindAccount(p.signer) != nullptr) return ResultCode::kIdentityExists;
    if (ResultCode c = CheckKey(reg->algorithm, reg->public_key); c != ResultCode::kOk) return c;
    if (reg->wallet_signature.empty() &&
        DeriveIdentity(reg->algorithm, reg->public_key) != p.signer) {
      return ResultCode::kInvalidIdentity;
    }
    *key = {reg->algorithm, reg->public_key};
    return ResultCode::kOk;
  }
  const Account* signer = FindAccount(p.signer);
  if (signer == nullptr) return ResultCode::kUnknownSigner;
  if (p.key.value >= signer->keys.size()) return ResultCode::kUnknownSigner;
  const KeyRecord& k = signer->keys[p.key.value];
  if (k.revoked) return ResultCode::kKeyRevoked;
  if (p.sequence != signer->sequence + 1) return ResultCode::kInvalidSequence;
  *key = {k.algorithm, k.public_key};
  return ResultCode::kOk;
}

ResultCode State::CheckAdmission(const Packet& p, std::uint64_t now_us,
                                 crypto::PreparedKeyCache* key_cache) const {
  SigningKey key;
  const ResultCode code = CheckAdmissionState(p, now_us, &key);
  if (code != ResultCode::kOk) return code;
  if (p.algorithm != key.algorithm) return ResultCode::kInvalidSignature;
  Result<const crypto::SignatureScheme*> scheme =
      crypto::SignatureRegistry::Default().Find(p.algorithm);
  if (!scheme.ok()) return ResultCode::kInvalidSignature;
  const Bytes message = SigningMessage(p);
  const Status verified =
      key_cache != nullptr
          ? key_cache->Verify(*scheme.value(), key.public_key, message, p.signature)
          : scheme.value()->Verify(key.public_key, message, p.signature);
  if (!verified.ok()) return ResultCode::kInvalidSignature;
  return CheckRegistrationProof(p, params_.network);
}

ResultCode CheckRegistrationProof(const Packet& p, std::uint32_t network) {
  const auto* reg = std::get_if<RegisterIdentity>(&p.operation);
  if (reg == nullptr || reg->wallet_signature.empty()) return ResultCode::kOk;
  const std::string message =
      RegistrationMessage(network, p.signer, reg->algorithm, reg->public_key);
  Result<crypto::Address> wallet = crypto::RecoverAddress(
      ByteSpan(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()),
      reg->wallet_signature);
  return wallet.ok() && wallet.value() == p.signer.bytes ? ResultCode::kOk
                                                         : ResultCode::kWalletProofInvalid;
}

ResultCode State::Apply(const Packet& p, const Digest32& packet_hash, std::uint64_t index,
                        std::uint64_t now_us) {
  const std::vector<IdentityId> touched = Touched(p, now_us);
  std::vector<const Account*> touched_accounts(touched.size(), nullptr);
  const std::array<u128, kTokenCount> held_before = Held(touched, touched_accounts);
  const std::array<u128, kTokenCount> minted_before = minted_, burned_before = burned_;
  Expire(now_us);
  const ResultCode result = ApplyOperation(p, now_us);
  const std::array<u128, kTokenCount> held_after = Held(touched, touched_accounts);
  last_entry_check_ = OkStatus();
  for (std::size_t t = 0; t < kTokenCount; ++t) {
    // Modulo 2^128 on both sides: exact, since every true difference fits.
    const u128 created = (minted_[t] - minted_before[t]) - (burned_[t] - burned_before[t]);
    if (held_after[t] - held_before[t] != created) {
      last_entry_check_ = Status(StatusCode::kInternal,
                                 "entry " + std::to_string(index) + " changed the supply of " +
                                     std::string(TokenSymbol(static_cast<Token>(t))));
    }
  }
  // Admission authenticated the packet by a key of the identity it names (a registration: by
  // the key it registers, for an identity that did not exist). A registration refused after
  // all never made the identity, so nothing about it is recorded.
  const bool authenticated =
      !std::holds_alternative<RegisterIdentity>(p.operation) || result == ResultCode::kOk;
  if (authenticated) {
    accounts_.at(p.signer).sequence = p.sequence;
    RecordOperation({p.signer, p.operation_id}, {packet_hash, index, result});
  }
  return result;
}

void State::AdvanceTime(std::uint64_t now_us) { Expire(now_us); }

// Records are only ever added (a retry never reaches Apply), so the root commits to them with a
// running hash in entry order: a checkpoint costs nothing per record ever made.
void State::RecordOperation(const OperationKey& key, const OperationRecord& record) {
  codec::Writer w;
  w.FixedBytes(operations_digest_);
  w.FixedBytes(key.first.bytes);
  w.FixedBytes(key.second.bytes);
  w.FixedBytes(record.packet_hash);
  w.U64(record.index);
  w.U16(static_cast<std::uint16_t>(record.result));
  operations_digest_ = crypto::Sha256(w.bytes());
  operations_.Add(key, record);
}

// Every account an entry can change: the signer, the operation's recipients, the recipient of a
// pending transfer it posts, and the owners of pending transfers that expire at this time.
std::vector<IdentityId> State::Touched(const Packet& p, std::uint64_t now_us) const {
  std::vector<IdentityId> ids = {p.signer};
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, Mint>) ids.push_back(op.to);
        if constexpr (std::is_same_v<T, Transfer> || std::is_same_v<T, Reserve>) {
          ids.push_back(op.leg.to);
        }
        if constexpr (std::is_same_v<T, Batch>) {
          for (const TransferLeg& leg : op.legs) ids.push_back(leg.to);
        }
        if constexpr (std::is_same_v<T, PostPending>) {
          if (const PendingTransfer* pt = FindPending(p.signer, op.pending))
            ids.push_back(pt->leg.to);
        }
      },
      p.operation);
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now_us; ++it) {
    ids.push_back(it->second.first);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::array<u128, kTokenCount> State::Held(const std::vector<IdentityId>& ids,
                                          std::vector<const Account*>& accounts) const {
  std::array<u128, kTokenCount> held{};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (accounts[i] == nullptr) accounts[i] = FindAccount(ids[i]);
    const Account* a = accounts[i];
    if (a == nullptr) continue;
    for (std::size_t t = 0; t < kTokenCount; ++t) held[t] += a->balance[t] + a->reserved[t];
  }
  return held;
}

ResultCode State::ApplyOperation(const Packet& p, std::uint64_t now_us) {
  const ResultCode result = Evaluate(p, now_us);
  if (result == ResultCode::kOk) {
    std::visit([&](const auto& op) { Perform(p, op, now_us); }, p.operation);
  }
  return result;
}

// Every refusal is decided here, before anything changes, so that the sequencer can ask what a
// packet would get without applying it. Apply calls it after expiring what is due at now_us;
// a caller before that sees the same answer, since the checks count what expires by now_us.
ResultCode State::Evaluate(const Packet& p, std::uint64_t now_us) const {
  if (const auto* op = std::get_if<RegisterIdentity>(&p.operation)) {
    if (accounts_.count(p.signer) != 0) return ResultCode::kIdentityExists;
    return CheckKey(op->algorithm, op->public_key);
  }
  auto it = accounts_.find(p.signer);
  QFS_CHECK_MSG(it != accounts_.end(), "Evaluate before admission");
  const Account& signer = it->second;
  return std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, RegisterIdentity>) {
          return ResultCode::kIdentityExists;  // handled above
        } else {
          return Check(p, signer, op, now_us);
        }
      },
      p.operation);
}

ResultCode State::CheckNewKey(const Account& signer, std::uint16_t algorithm,
                              const Bytes& public_key, const KeyId* revoke) {
  if (ResultCode c = CheckKey(algorithm, public_key); c != ResultCode::kOk) return c;
  if (signer.keys.size() >= kKeysPerIdentityMax) return ResultCode::kTooManyKeys;
  if (revoke != nullptr) {
    if (revoke->value >= signer.keys.size()) return ResultCode::kKeyNotFound;
    if (signer.keys[revoke->value].revoked) return ResultCode::kKeyAlreadyRevoked;
  }
  return ResultCode::kOk;
}

ResultCode State::Check(const Packet&, const Account& signer, const AddKey& op,
                        std::uint64_t) const {
  return CheckNewKey(signer, op.algorithm, op.public_key, nullptr);
}

ResultCode State::Check(const Packet&, const Account& signer, const RotateKey& op,
                        std::uint64_t) const {
  return CheckNewKey(signer, op.algorithm, op.public_key, &op.revoke);
}

ResultCode State::Check(const Packet&, const Account& signer, const RevokeKey& op,
                        std::uint64_t) const {
  if (op.key.value >= signer.keys.size()) return ResultCode::kKeyNotFound;
  if (signer.keys[op.key.value].revoked) return ResultCode::kKeyAlreadyRevoked;
  const auto active = std::count_if(signer.keys.begin(), signer.keys.end(),
                                    [](const KeyRecord& k) { return !k.revoked; });
  if (active == 1) return ResultCode::kLastActiveKey;
  return ResultCode::kOk;
}

ResultCode State::Check(const Packet&, const Account& signer, const SetRoles& op,
                        std::uint64_t) const {
  if ((signer.roles & kRoleAdmin) == 0) return ResultCode::kRoleRequired;
  if (accounts_.count(op.identity) == 0) return ResultCode::kUnknownAccount;
  return ResultCode::kOk;
}

ResultCode State::Check(const Packet&, const Account& signer, const Mint& op, std::uint64_t) const {
  if ((signer.roles & kRoleMinter) == 0) return ResultCode::kRoleRequired;
  if (op.amount.raw() == 0) return ResultCode::kZeroAmount;
  if (accounts_.count(op.to) == 0) return ResultCode::kUnknownAccount;
  const std::size_t t = I(op.token);
  // Supply fits in 128 bits, and every balance is part of it.
  if (minted_[t] - burned_[t] > math::kU128Max - op.amount.raw())
    return ResultCode::kAmountOverflow;
  if (minted_[t] > math::kU128Max - op.amount.raw()) return ResultCode::kAmountOverflow;
  return ResultCode::kOk;
}

ResultCode State::Check(const Packet& p, const Account& signer, const Burn& op,
                        std::uint64_t now_us) const {
  if ((signer.roles & kRoleBurner) == 0) return ResultCode::kRoleRequired;
  if (op.amount.raw() == 0) return ResultCode::kZeroAmount;
  if (AvailableAt(p.signer, signer, now_us)[I(op.token)] < op.amount.raw())
    return ResultCode::kInsufficientFunds;
  return ResultCode::kOk;
}

ResultCode State::Check(const Packet& p, const Account& signer, const Transfer& op,
                        std::uint64_t now_us) const {
  return CheckLegs(p.signer, signer, {&op.leg, 1}, now_us);
}

ResultCode State::Check(const Packet& p, const Account& signer, const Batch& op,
                        std::uint64_t now_us) const {
  if (op.legs.empty()) return ResultCode::kBatchSize;
  return CheckLegs(p.signer, signer, op.legs, now_us);
}

ResultCode State::Check(const Packet& p, const Account& signer, const Reserve& op,
                        std::uint64_t now_us) const {
  if (op.timeout_us == 0 || op.timeout_us > kPendingTimeoutMaxUs)
    return ResultCode::kInvalidTimeout;
  return CheckLegs(p.signer, signer, {&op.leg, 1}, now_us);
}

ResultCode State::Check(const Packet& p, const Account&, const PostPending& op,
                        std::uint64_t now_us) const {
  return CheckPending(p.signer, op.pending, now_us);
}

ResultCode State::Check(const Packet& p, const Account&, const VoidPending& op,
                        std::uint64_t now_us) const {
  return CheckPending(p.signer, op.pending, now_us);
}

ResultCode State::CheckLeg(const IdentityId& from, const TransferLeg& leg,
                           bool need_transferable) const {
  if (need_transferable && !params_.transferable[I(leg.token)]) return ResultCode::kNotTransferable;
  if (leg.amount.raw() == 0) return ResultCode::kZeroAmount;
  if (leg.to == from) return ResultCode::kSelfTransfer;
  if (accounts_.count(leg.to) == 0) return ResultCode::kUnknownAccount;
  return ResultCode::kOk;
}

// All legs or none: every leg against the running balance of what the signer has at now_us.
ResultCode State::CheckLegs(const IdentityId& from_id, const Account& from,
                            std::span<const TransferLeg> legs, std::uint64_t now_us) const {
  std::array<u128, kTokenCount> available = AvailableAt(from_id, from, now_us);
  for (const TransferLeg& leg : legs) {
    if (ResultCode c = CheckLeg(from_id, leg, true); c != ResultCode::kOk) return c;
    if (available[I(leg.token)] < leg.amount.raw()) return ResultCode::kInsufficientFunds;
    available[I(leg.token)] -= leg.amount.raw();
  }
  return ResultCode::kOk;
}

ResultCode State::CheckPending(const IdentityId& from, const OperationId& id,
                               std::uint64_t now_us) const {
  auto it = pending_.find({from, id});
  if (it == pending_.end()) return ResultCode::kPendingNotFound;
  const PendingTransfer& pt = it->second;
  const bool due = pt.status == PendingStatus::kPending && pt.deadline_us <= now_us;
  if (pt.status == PendingStatus::kExpired || due) return ResultCode::kPendingExpired;
  if (pt.status != PendingStatus::kPending) return ResultCode::kPendingFinal;
  return ResultCode::kOk;
}

// The signer's available balances at now_us: with the reservations that expire by then (after
// Expire(now_us) there are none, and this is the balance itself).
std::array<u128, kTokenCount> State::AvailableAt(const IdentityId& id, const Account& a,
                                                 std::uint64_t now_us) const {
  std::array<u128, kTokenCount> available = a.balance;
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now_us; ++it) {
    if (it->second.first != id) continue;
    const PendingTransfer& pt = pending_.at(it->second);
    available[I(pt.leg.token)] += pt.leg.amount.raw();
  }
  return available;
}

// The changes of an operation that Evaluate accepted.
void State::Perform(const Packet& p, const RegisterIdentity& op, std::uint64_t) {
  accounts_[p.signer].keys.push_back({op.algorithm, op.public_key, false});
}

void State::Perform(const Packet& p, const AddKey& op, std::uint64_t) {
  accounts_.at(p.signer).keys.push_back({op.algorithm, op.public_key, false});
}

void State::Perform(const Packet& p, const RotateKey& op, std::uint64_t) {
  Account& signer = accounts_.at(p.signer);
  signer.keys.push_back({op.algorithm, op.public_key, false});
  signer.keys[op.revoke.value].revoked = true;
}

void State::Perform(const Packet& p, const RevokeKey& op, std::uint64_t) {
  accounts_.at(p.signer).keys[op.key.value].revoked = true;
}

void State::Perform(const Packet&, const SetRoles& op, std::uint64_t) {
  accounts_.at(op.identity).roles = op.roles;
}

void State::Perform(const Packet&, const Mint& op, std::uint64_t) {
  minted_[I(op.token)] += op.amount.raw();
  accounts_.at(op.to).balance[I(op.token)] += op.amount.raw();
}

void State::Perform(const Packet& p, const Burn& op, std::uint64_t) {
  accounts_.at(p.signer).balance[I(op.token)] -= op.amount.raw();
  burned_[I(op.token)] += op.amount.raw();
}

void State::Perform(const Packet& p, const Transfer& op, std::uint64_t) {
  MoveLegs(p.signer, {&op.leg, 1});
}

void State::Perform(const Packet& p, const Batch& op, std::uint64_t) {
  MoveLegs(p.signer, op.legs);
}

// Conservation bounds every balance by the supply, so the credits cannot overflow.
void State::MoveLegs(const IdentityId& from_id, std::span<const TransferLeg> legs) {
  Account& from = accounts_.at(from_id);
  for (const TransferLeg& leg : legs) {
    from.balance[I(leg.token)] -= leg.amount.raw();
    accounts_.at(leg.to).balance[I(leg.token)] += leg.amount.raw();
  }
}

void State::Perform(const Packet& p, const Reserve& op, std::uint64_t now_us) {
  Account& from = accounts_.at(p.signer);
  const std::size_t t = I(op.leg.token);
  from.balance[t] -= op.leg.amount.raw();
  from.reserved[t] += op.leg.amount.raw();
  const OperationKey key{p.signer, p.operation_id};
  pending_[key] = {op.leg, now_us + op.timeout_us, PendingStatus::kPending};
  deadlines_.insert({now_us + op.timeout_us, key});
}

void State::Perform(const Packet& p, const PostPending& op, std::uint64_t) {
  FinishPending(p.signer, op.pending, true);
}

void State::Perform(const Packet& p, const VoidPending& op, std::uint64_t) {
  FinishPending(p.signer, op.pending, false);
}

void State::FinishPending(const IdentityId& from, const OperationId& id, bool post) {
  PendingTransfer& pt = pending_.at({from, id});
  const std::size_t t = I(pt.leg.token);
  accounts_.at(from).reserved[t] -= pt.leg.amount.raw();
  accounts_.at(post ? pt.leg.to : from).balance[t] += pt.leg.amount.raw();
  pt.status = post ? PendingStatus::kPosted : PendingStatus::kVoided;
  deadlines_.erase({pt.deadline_us, {from, id}});
}

void State::Expire(std::uint64_t now_us) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_us) {
    const OperationKey key = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    PendingTransfer& pt = pending_.at(key);
    const std::size_t t = I(pt.leg.token);
    Account& from = accounts_.at(key.first);
    from.reserved[t] -= pt.leg.amount.raw();
    from.balance[t] += pt.leg.amount.raw();
    pt.status = PendingStatus::kExpired;
  }
}

Status State::CheckInvariants() const {
  std::array<u128, kTokenCount> total{};
  std::map<IdentityId, std::array<u128, kTokenCount>> held;
  for (const auto& [key, pt] : pending_) {
    if (pt.status == PendingStatus::kPending)
      held[key.first][I(pt.leg.token)] += pt.leg.amount.raw();
  }
  for (const auto& [id, a] : accounts_) {
    for (std::size_t t = 0; t < kTokenCount; ++t) {
      total[t] += a.balance[t] + a.reserved[t];
      const u128 want = held.count(id) != 0 ? held.at(id)[t] : 0;
      if (a.reserved[t] != want) {
        return Status(StatusCode::kInternal,
                      "reserved " + std::string(TokenSymbol(static_cast<Token>(t))) + " of " +
                          id.ToHex() + " differs from its pending transfers");
      }
    }
  }
  for (std::size_t t = 0; t < kTokenCount; ++t) {
    if (burned_[t] > minted_[t] || total[t] != minted_[t] - burned_[t]) {
      return Status(
          StatusCode::kInternal,
          "supply of " + std::string(TokenSymbol(static_cast<Token>(t))) + " is not conserved");
    }
  }
  return OkStatus();
}

void State::PutBalancesAndPending(codec::Writer& w) const {
  for (std::size_t t = 0; t < kTokenCount; ++t) {
    w.U128(minted_[t]);
    w.U128(burned_[t]);
  }
  w.U64(accounts_.size());
  for (const auto& [id, a] : accounts_) {
    w.FixedBytes(id.bytes);
    PutAccount(w, a);
  }
  w.U64(pending_.size());
  for (const auto& [key, pt] : pending_) {
    w.FixedBytes(key.first.bytes);
    w.FixedBytes(key.second.bytes);
    PutLeg(w, pt.leg);
    w.U64(pt.deadline_us);
    w.U8(static_cast<std::uint8_t>(pt.status));
  }
}

Digest32 State::Root() const {
  codec::Writer w;
  w.String(kStateDomain);
  w.FixedBytes(crypto::Sha256(EncodeGenesis(params_)));
  PutBalancesAndPending(w);
  w.U64(operations_.size());
  w.FixedBytes(operations_digest_);
  return crypto::Sha256(w.bytes());
}

State::Frozen State::Freeze() const {
  Frozen f;
  codec::Writer w;
  w.String(kSnapshotDomain);
  w.LengthPrefixedBytes(EncodeGenesis(params_));
  PutBalancesAndPending(w);
  w.U64(operations_.size());
  w.FixedBytes(operations_digest_);
  f.head_ = w.Take();
  f.operations_ = operations_.Freeze();
  return f;
}

Bytes State::Frozen::EncodeRecords(std::size_t from) const {
  codec::Writer w;
  w.Reserve((records() - std::min(from, records())) * kRecordBytes);
  operations_.ForEach(
      [&w](const OperationIndex::Entry& e) {
        const auto& [key, op] = e;
        w.FixedBytes(key.first.bytes);
        w.FixedBytes(key.second.bytes);
        w.FixedBytes(op.packet_hash);
        w.U64(op.index);
        w.U16(static_cast<std::uint16_t>(op.result));
      },
      from);
  return w.Take();
}

Bytes State::Frozen::Encode() const {
  Bytes out = head_;
  const Bytes records = EncodeRecords(0);
  out.insert(out.end(), records.begin(), records.end());
  return out;
}

Result<std::unique_ptr<State>> State::Decode(ByteSpan bytes) {
  codec::Reader r(bytes);
  std::uint64_t records = 0;
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<State> state, DecodeHead(r, records));
  QFS_RETURN_IF_ERROR(state->DecodeRecords(bytes.subspan(r.position()), records));
  return state;
}

Result<std::unique_ptr<State>> State::Decode(ByteSpan head, ByteSpan records) {
  codec::Reader r(head);
  std::uint64_t count = 0;
  QFS_ASSIGN_OR_RETURN(std::unique_ptr<State> state, DecodeHead(r, count));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  QFS_RETURN_IF_ERROR(state->DecodeRecords(records, count));
  return state;
}

Result<std::unique_ptr<State>> State::DecodeHead(codec::Reader& r, std::uint64_t& records) {
  QFS_ASSIGN_OR_RETURN(std::string domain, r.String(64));
  if (domain != kSnapshotDomain) return Status(StatusCode::kNonCanonical, "not a state snapshot");
  QFS_ASSIGN_OR_RETURN(Bytes genesis, r.LengthPrefixedBytes(kLogPayloadBytesMax));
  QFS_ASSIGN_OR_RETURN(GenesisParams params, DecodeGenesis(genesis));
  auto state = std::make_unique<State>(std::move(params));
  state->accounts_.clear();
  for (std::size_t t = 0; t < kTokenCount; ++t) {
    QFS_ASSIGN_OR_RETURN(state->minted_[t], r.U128());
    QFS_ASSIGN_OR_RETURN(state->burned_[t], r.U128());
  }
  QFS_ASSIGN_OR_RETURN(std::uint64_t accounts, r.U64());
  for (std::uint64_t i = 0; i < accounts; ++i) {
    QFS_ASSIGN_OR_RETURN(IdentityId id, ReadIdentity(r));
    QFS_ASSIGN_OR_RETURN(Account a, GetAccount(r));
    if (!state->accounts_.empty() && !(state->accounts_.rbegin()->first < id)) return Unordered();
    state->accounts_.emplace_hint(state->accounts_.end(), id, std::move(a));
  }
  QFS_ASSIGN_OR_RETURN(std::uint64_t pendings, r.U64());
  for (std::uint64_t i = 0; i < pendings; ++i) {
    OperationKey key;
    PendingTransfer pt;
    QFS_ASSIGN_OR_RETURN(key.first, ReadIdentity(r));
    QFS_ASSIGN_OR_RETURN(key.second.bytes, r.FixedArray<16>());
    QFS_ASSIGN_OR_RETURN(pt.leg.to, ReadIdentity(r));
    QFS_ASSIGN_OR_RETURN(std::uint8_t token, r.U8());
    QFS_ASSIGN_OR_RETURN(u128 amount, r.U128());
    QFS_ASSIGN_OR_RETURN(pt.deadline_us, r.U64());
    QFS_ASSIGN_OR_RETURN(std::uint8_t status, r.U8());
    std::optional<Token> t = TokenFromWire(token);
    if (!t || status > static_cast<std::uint8_t>(PendingStatus::kExpired)) return Unordered();
    pt.leg.token = *t;
    pt.leg.amount = Amount::FromRaw(amount);
    pt.status = static_cast<PendingStatus>(status);
    if (!state->pending_.empty() && !(state->pending_.rbegin()->first < key)) return Unordered();
    if (pt.status == PendingStatus::kPending) state->deadlines_.insert({pt.deadline_us, key});
    state->pending_.emplace_hint(state->pending_.end(), key, pt);
  }
  QFS_ASSIGN_OR_RETURN(records, r.U64());
  QFS_ASSIGN_OR_RETURN(state->operations_digest_, r.FixedArray<32>());
  return state;
}

// REQUIRES: a state fresh from DecodeHead, which read `count`.
Status State::DecodeRecords(ByteSpan records, std::uint64_t count) {
  if (records.size() / kRecordBytes < count) {
    return Status(StatusCode::kTruncated, "the snapshot's operation records end early");
  }
  if (records.size() != count * kRecordBytes) {
    return Status(StatusCode::kTrailingBytes, "bytes after the snapshot's operation records");
  }
  codec::Reader r(records);
  for (std::uint64_t i = 0; i < count; ++i) {
    OperationKey key;
    OperationRecord op;
    QFS_ASSIGN_OR_RETURN(key.first, ReadIdentity(r));
    QFS_ASSIGN_OR_RETURN(key.second.bytes, r.FixedArray<16>());
    QFS_ASSIGN_OR_RETURN(op.packet_hash, r.FixedArray<32>());
    QFS_ASSIGN_OR_RETURN(op.index, r.U64());
    QFS_ASSIGN_OR_RETURN(std::uint16_t result, r.U16());
    op.result = static_cast<ResultCode>(result);
    // Entry order: indexes increase, and a key has one record.
    if (!operations_.empty() && !(operations_.back().second.index < op.index)) return Unordered();
    if (operations_.Find(key) != nullptr) return Unordered();
    operations_.Add(key, op);
  }
  return CheckInvariants();
}

}  // namespace qfs::ledger
