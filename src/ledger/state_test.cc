#include "ledger/state.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>

#include "crypto/wallet.h"

namespace qfs::ledger {
namespace {

constexpr std::uint64_t kNow = 1'800'000'000'000'000;

Amount Tokens(std::uint64_t whole) { return Amount::FromInteger(whole).value(); }

struct User {
  crypto::SignatureKeyPair key;
  IdentityId id;
  std::uint64_t sequence = 0;
};

User MakeUser(std::uint8_t seed) {
  const crypto::SignatureScheme* ed =
      crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519).value();
  User u{ed->KeyPairFromSeed(Bytes(32, seed)).value(), {}};
  u.id = DeriveIdentity(1, u.key.public_key);
  return u;
}

class StateTest : public ::testing::Test {
 protected:
  StateTest() : admin_(MakeUser(1)), alice_(MakeUser(2)), bob_(MakeUser(3)), state_(Genesis()) {}

  GenesisParams Genesis() const {
    GenesisParams g;
    g.network = 9;
    for (const User* u : {&admin_, &alice_, &bob_}) {
      g.identities.push_back({u->id, 1, u->key.public_key, u == &admin_ ? kRolesAll : 0u});
    }
    return g;
  }

  Packet Make(User& u, Operation op, std::uint8_t op_id = 0) {
    Packet p;
    p.network = 9;
    p.signer = u.id;
    p.sequence = ++u.sequence;
    p.client_time_us = now_;
    p.operation_id.bytes.fill(op_id);
    p.operation_id.bytes[0] = static_cast<std::uint8_t>(p.sequence);
    p.operation_id.bytes[1] = static_cast<std::uint8_t>(p.sequence >> 8);
    p.operation_id.bytes[2] = static_cast<std::uint8_t>(++made_);  // unique per packet made
    p.operation_id.bytes[3] = static_cast<std::uint8_t>(made_ >> 8);
    p.operation = std::move(op);
    const crypto::SignatureScheme* ed =
        crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519).value();
    EXPECT_TRUE(SignPacket(p, *ed, u.key.secret_key).ok());
    return p;
  }

  // Admits and applies like the sequencer; returns the admission or business code.
  ResultCode Submit(const Packet& p) {
    now_ += 1000;
    const ResultCode admission = state_.CheckAdmission(p, now_);
    if (admission != ResultCode::kOk) return admission;
    if (const OperationRecord* r = state_.FindOperation(p.signer, p.operation_id)) {
      return r->packet_hash == PacketHash(p) ? r->result : ResultCode::kOperationConflict;
    }
    const ResultCode result = state_.Apply(p, PacketHash(p), index_++, now_);
    EXPECT_TRUE(state_.last_entry_check().ok()) << state_.last_entry_check().ToString();
    EXPECT_TRUE(state_.CheckInvariants().ok()) << state_.CheckInvariants().ToString();
    return result;
  }
  ResultCode Do(User& u, Operation op) { return Submit(Make(u, std::move(op))); }

  std::uint32_t made_ = 0;  // packets made, for unique operation ids

  u128 Balance(const User& u, Token t) const {
    return state_.FindAccount(u.id)->balance[static_cast<std::size_t>(t)];
  }

  User admin_, alice_, bob_;
  State state_;
  std::uint64_t now_ = kNow;
  std::uint64_t index_ = 1;
};

TEST_F(StateTest, MintTransferBurnAndTheirRejections) {
  EXPECT_EQ(Do(admin_, Mint{alice_.id, Token::kAtr, Tokens(100)}), ResultCode::kOk);
  EXPECT_EQ(Do(alice_, Mint{alice_.id, Token::kAtr, Tokens(1)}), ResultCode::kRoleRequired);
  EXPECT_EQ(Do(alice_, Transfer{{bob_.id, Token::kAtr, Tokens(30)}}), ResultCode::kOk);
  EXPECT_EQ(Balance(alice_, Token::kAtr), Tokens(70).raw());
  EXPECT_EQ(Balance(bob_, Token::kAtr), Tokens(30).raw());
  EXPECT_EQ(Do(alice_, Transfer{{bob_.id, Token::kAtr, Tokens(71)}}),
            ResultCode::kInsufficientFunds);
  EXPECT_EQ(Do(alice_, Transfer{{bob_.id, Token::kAtr, Amount()}}), ResultCode::kZeroAmount);
  EXPECT_EQ(Do(alice_, Transfer{{alice_.id, Token::kAtr, Tokens(1)}}), ResultCode::kSelfTransfer);
  EXPECT_EQ(Do(alice_, Transfer{{MakeUser(9).id, Token::kAtr, Tokens(1)}}),
            ResultCode::kUnknownAccount);
  EXPECT_EQ(Do(admin_, Mint{alice_.id, Token::kFlx, Tokens(5)}), ResultCode::kOk);
  EXPECT_EQ(Do(alice_, Transfer{{bob_.id, Token::kFlx, Tokens(1)}}), ResultCode::kNotTransferable);
  EXPECT_EQ(Do(admin_, Mint{admin_.id, Token::kNod, Tokens(10)}), ResultCode::kOk);
  EXPECT_EQ(Do(admin_, Burn{Token::kNod, Tokens(4)}), ResultCode::kOk);
  EXPECT_EQ(Do(alice_, Burn{Token::kAtr, Tokens(1)}), ResultCode::kRoleRequired);
  EXPECT_EQ(state_.minted(Token::kNod), Tokens(10).raw());
  EXPECT_EQ(state_.burned(Token::kNod), Tokens(4).raw());
  EXPECT_EQ(Do(admin_, Mint{alice_.id, Token::kAtr, Amount::Max()}), ResultCode::kAmountOverflow);
}

TEST_F(StateTest, BatchesAreAllOrNothing) {
  GenesisParams g = Genesis();  // transferability is per token: make CHR transferable too
  g.transferable[static_cast<std::size_t>(Token::kChr)] = true;
  state_ = State(g);
  ASSERT_EQ(Do(admin_, Mint{alice_.id, Token::kAtr, Tokens(10)}), ResultCode::kOk);
  ASSERT_EQ(Do(admin_, Mint{alice_.id, Token::kChr, Tokens(10)}), ResultCode::kOk);
  const Digest32 before = state_.Root();
  EXPECT_EQ(Do(alice_, Batch{{{bob_.id, Token::kAtr, Tokens(6)},
                              {bob_.id, Token::kChr, Tokens(3)},
                              {bob_.id, Token::kAtr, Tokens(5)}}}),
            ResultCode::kInsufficientFunds);
  EXPECT_EQ(Balance(alice_, Token::kAtr), Tokens(10).raw());
  EXPECT_EQ(Balance(bob_, Token::kChr), 0u);
  EXPECT_NE(state_.Root(), before);  // the sequence and the operation record moved on
  EXPECT_EQ(
      Do(alice_, Batch{{{bob_.id, Token::kAtr, Tokens(6)}, {bob_.id, Token::kChr, Tokens(3)}}}),
      ResultCode::kOk);
  EXPECT_EQ(Balance(bob_, Token::kAtr), Tokens(6).raw());
  EXPECT_EQ(Balance(bob_, Token::kChr), Tokens(3).raw());
  EXPECT_EQ(Do(alice_, Batch{}), ResultCode::kBatchSize);
}

TEST_F(StateTest, TwoPhaseTransfersPostVoidAndExpire) {
  ASSERT_EQ(Do(admin_, Mint{alice_.id, Token::kAtr, Tokens(100)}), ResultCode::kOk);
  const Packet r1 = Make(alice_, Reserve{{bob_.id, Token::kAtr, Tokens(10)}, 1'000'000});
  ASSERT_EQ(Submit(r1), ResultCode::kOk);
  EXPECT_EQ(Balance(alice_, Token::kAtr), Tokens(90).raw());
  EXPECT_EQ(state_.FindAccount(alice_.id)->reserved[3], Tokens(10).raw());
  EXPECT_EQ(Do(alice_, PostPending{r1.operation_id}), ResultCode::kOk);
  EXPECT_EQ(Balance(bob_, Token::kAtr), Tokens(10).raw());
  EXPECT_EQ(Do(alice_, PostPending{r1.operation_id}), ResultCode::kPendingFinal);
  EXPECT_EQ(Do(alice_, VoidPending{r1.operation_id}), ResultCode::kPendingFinal);

  const Packet r2 = Make(alice_, Reserve{{bob_.id, Token::kAtr, Tokens(20)}, 1'000'000});
  ASSERT_EQ(Submit(r2), ResultCode::kOk);
  EXPECT_EQ(Do(alice_, VoidPending{r2.operation_id}), ResultCode::kOk);
  EXPECT_EQ(Balance(alice_, Token::kAtr), Tokens(90).raw());

  const Packet r3 = Make(alice_, Reserve{{bob_.id, Token::kAtr, Tokens(30)}, 5000});
  ASSERT_EQ(Submit(r3), ResultCode::kOk);
  state_.AdvanceTime(now_ + 10'000);  // ledger time passes the deadline
  EXPECT_TRUE(state_.CheckInvariants().ok());
  EXPECT_EQ(Balance(alice_, Token::kAtr), Tokens(90).raw());
  now_ += 10'000;
  EXPECT_EQ(Do(alice_, PostPending{r3.operation_id}), ResultCode::kPendingExpired);
  OperationId unknown;
  unknown.bytes.fill(0xEE);
  EXPECT_EQ(Do(alice_, PostPending{unknown}), ResultCode::kPendingNotFound);
  EXPECT_EQ(Do(alice_, Reserve{{bob_.id, Token::kAtr, Tokens(1)}, 0}), ResultCode::kInvalidTimeout);
  EXPECT_EQ(Do(alice_, Reserve{{bob_.id, Token::kAtr, Tokens(1000)}, 10}),
            ResultCode::kInsufficientFunds);
}

TEST_F(StateTest, AdmissionRejectsWithoutChangingState) {
  const Digest32 before = state_.Root();
  Packet p = Make(alice_, Transfer{{bob_.id, Token::kAtr, Tokens(1)}});
  Packet wrong_network = p;
  wrong_network.network = 8;
  EXPECT_EQ(state_.CheckAdmission(wrong_network, now_), ResultCode::kWrongNetwork);
  Packet tampered = p;
  std::get<Transfer>(tampered.operation).leg.amount = Tokens(2);
  EXPECT_EQ(state_.CheckAdmission(tampered, now_), ResultCode::kInvalidSignature);
  EXPECT_EQ(state_.CheckAdmission(p, now_ + 301'000'000), ResultCode::kInvalidTimestamp);
  Packet old = Make(alice_, Transfer{{bob_.id, Token::kAtr, Tokens(1)}});  // sequence 2, not 1
  EXPECT_EQ(state_.CheckAdmission(old, now_), ResultCode::kInvalidSequence);
  User stranger = MakeUser(7);
  EXPECT_EQ(state_.CheckAdmission(Make(stranger, Burn{Token::kAtr, Tokens(1)}), now_),
            ResultCode::kUnknownSigner);
  Packet v2 = p;
  v2.version = 2;
  EXPECT_EQ(state_.CheckAdmission(v2, now_), ResultCode::kVersionMismatch);
  EXPECT_EQ(state_.Root(), before);
  EXPECT_EQ(state_.CheckAdmission(p, now_), ResultCode::kOk);
}

TEST_F(StateTest, KeysRotateAndRevoke) {
  const crypto::SignatureScheme* ed =
      crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519).value();
  crypto::SignatureKeyPair second = ed->KeyPairFromSeed(Bytes(32, 20)).value();
  EXPECT_EQ(Do(alice_, RevokeKey{KeyId{0}}), ResultCode::kLastActiveKey);
  EXPECT_EQ(Do(alice_, AddKey{1, second.public_key}), ResultCode::kOk);
  EXPECT_EQ(Do(alice_, AddKey{1, Bytes(31, 1)}), ResultCode::kBadPublicKey);
  EXPECT_EQ(Do(alice_, AddKey{77, Bytes(32, 1)}), ResultCode::kUnknownAlgorithm);
  EXPECT_EQ(Do(alice_, RevokeKey{KeyId{5}}), ResultCode::kKeyNotFound);
  EXPECT_EQ(Do(alice_, RevokeKey{KeyId{0}}), ResultCode::kOk);
  // Key 0 is revoked: packets signed with it no longer pass admission.
  EXPECT_EQ(Do(alice_, Burn{Token::kAtr, Tokens(1)}), ResultCode::kKeyRevoked);
  --alice_.sequence;
  alice_.key = std::move(second);
  Packet p = Make(alice_, RotateKey{1, MakeUser(30).key.public_key, KeyId{1}});
  p.key = KeyId{1};
  ASSERT_TRUE(SignPacket(p, *ed, alice_.key.secret_key).ok());
  EXPECT_EQ(Submit(p), ResultCode::kOk);
  EXPECT_TRUE(state_.FindAccount(alice_.id)->keys[1].revoked);
  EXPECT_EQ(state_.FindAccount(alice_.id)->keys.size(), 3u);
}

TEST_F(StateTest, RolesAndRegistration) {
  EXPECT_EQ(Do(alice_, SetRoles{bob_.id, kRoleMinter}), ResultCode::kRoleRequired);
  EXPECT_EQ(Do(admin_, SetRoles{bob_.id, kRoleMinter}), ResultCode::kOk);
  EXPECT_EQ(Do(bob_, Mint{alice_.id, Token::kChr, Tokens(1)}), ResultCode::kOk);

  User carol = MakeUser(40);
  EXPECT_EQ(Do(carol, RegisterIdentity{1, carol.key.public_key, {}}), ResultCode::kOk);
  EXPECT_EQ(Do(carol, Burn{Token::kAtr, Tokens(1)}), ResultCode::kRoleRequired);  // known now
  User dave = MakeUser(41);
  dave.id = carol.id;  // claims carol's identity with another key
  dave.sequence = 0;
  EXPECT_EQ(Do(dave, RegisterIdentity{1, dave.key.public_key, {}}), ResultCode::kIdentityExists);
  User eve = MakeUser(42);
  eve.id = bob_.id;
  eve.id.bytes[0] ^= 1;  // not derived from eve's key
  EXPECT_EQ(Do(eve, RegisterIdentity{1, eve.key.public_key, {}}), ResultCode::kInvalidIdentity);

  // A wallet binds a key to its address with an EIP-191 signature.
  const Bytes wallet_key(32, 0x77);
  const crypto::Address address =
      crypto::AddressFromPublicKey(crypto::Secp256k1PublicKey(wallet_key, false).value()).value();
  User frank = MakeUser(43);
  std::copy(address.begin(), address.end(), frank.id.bytes.begin());
  const std::string message = RegistrationMessage(9, frank.id, 1, frank.key.public_key);
  const Bytes proof =
      crypto::EcdsaSignRecoverable(
          wallet_key, crypto::Eip191Hash(ByteSpan(
                          reinterpret_cast<const std::uint8_t*>(message.data()), message.size())))
          .value();
  EXPECT_EQ(Do(frank, RegisterIdentity{1, MakeUser(44).key.public_key, proof}),
            ResultCode::kInvalidSignature);  // signed by frank's key, registering another
  frank.sequence = 0;
  EXPECT_EQ(Do(frank, RegisterIdentity{1, frank.key.public_key, Bytes(65, 1)}),
            ResultCode::kWalletProofInvalid);
  frank.sequence = 0;
  EXPECT_EQ(Do(frank, RegisterIdentity{1, frank.key.public_key, proof}), ResultCode::kOk);
}

TEST_F(StateTest, OperationRecordsRememberResults) {
  ASSERT_EQ(Do(admin_, Mint{alice_.id, Token::kAtr, Tokens(5)}), ResultCode::kOk);
  const Packet p = Make(alice_, Transfer{{bob_.id, Token::kAtr, Tokens(9)}});
  ASSERT_EQ(Submit(p), ResultCode::kInsufficientFunds);
  const OperationRecord* r = state_.FindOperation(alice_.id, p.operation_id);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->result, ResultCode::kInsufficientFunds);
  EXPECT_EQ(r->packet_hash, PacketHash(p));
  EXPECT_EQ(r->index, 2u);
}

// Random operation sequences: every invariant holds after every entry, and replaying the
// accepted packets into a fresh state gives the same root.
TEST_F(StateTest, RandomSequencesKeepInvariantsAndReplayToTheSameRoot) {
  std::mt19937_64 rng(20261122);
  std::vector<User*> users = {&admin_, &alice_, &bob_};
  std::vector<std::pair<Packet, std::uint64_t>> applied;    // with their node times
  std::map<IdentityId, std::vector<OperationId>> reserves;  // by signer
  std::map<ResultCode, int> results;
  std::optional<State::Frozen> frozen;  // at step 1500, across a partial block of records
  Bytes encoded_at_freeze;
  for (int step = 0; step < 3000; ++step) {
    if (step == 1500) {
      frozen = state_.Freeze();
      encoded_at_freeze = state_.Encode();
    }
    User& u = *users[rng() % users.size()];
    const IdentityId to = users[rng() % users.size()]->id;
    const auto token = static_cast<Token>(rng() % kTokenCount);
    const Amount amount =
        Amount::FromRaw(rng() % 4 == 0 ? 0 : (rng() % 1000) * 1'000'000'000'000'000ull);
    std::vector<OperationId>& mine = reserves[u.id];
    const OperationId some_reserve = mine.empty() ? OperationId{} : mine[rng() % mine.size()];
    Operation op;
    switch (rng() % 7) {
      case 0:
        op = Mint{to, token, amount};
        break;
      case 1:
        op = Burn{token, amount};
        break;
      case 2:
        op = Batch{{{to, Token::kAtr, amount}, {to, token, amount}}};
        break;
      case 3:
        op = Reserve{{to, Token::kAtr, amount}, (rng() % 5) * 2000};
        break;
      case 4:
        op = PostPending{some_reserve};
        break;
      case 5:
        op = VoidPending{some_reserve};
        break;
      default:
        op = Transfer{{to, Token::kAtr, amount}};
        break;
    }
    Packet p = Make(u, std::move(op));
    if (std::holds_alternative<Reserve>(p.operation)) mine.push_back(p.operation_id);
    const ResultCode result = Submit(p);
    ASSERT_FALSE(IsAdmissionCode(result)) << ResultCodeName(result);
    ++results[result];
    applied.emplace_back(p, now_);
  }
  State replay(Genesis());
  std::uint64_t index = 1;
  for (const auto& [p, time] : applied) {
    ASSERT_EQ(replay.CheckAdmission(p, time), ResultCode::kOk);
    replay.Apply(p, PacketHash(p), index++, time);
  }
  EXPECT_EQ(replay.Root(), state_.Root());
  // A snapshot of the state decodes to the same state, and goes on the same way.
  const Bytes snapshot = state_.Encode();
  std::unique_ptr<State> restored = State::Decode(snapshot).value();
  EXPECT_EQ(restored->Root(), state_.Root());
  EXPECT_EQ(restored->Encode(), snapshot);
  // A frozen state encodes as the state did when it was frozen, whatever happened since.
  ASSERT_TRUE(frozen.has_value());
  EXPECT_EQ(frozen->Encode(), encoded_at_freeze);
  EXPECT_NE(encoded_at_freeze, snapshot);
  restored->AdvanceTime(now_ + kPendingTimeoutMaxUs);
  state_.AdvanceTime(now_ + kPendingTimeoutMaxUs);
  EXPECT_EQ(restored->Root(), state_.Root());  // the same pending transfers expired
  // Every truncation and a flipped byte in each region are refused, never a crash.
  for (std::size_t cut = 0; cut < snapshot.size(); cut += 97) {
    EXPECT_FALSE(State::Decode(ByteSpan(snapshot).first(cut)).ok()) << cut;
  }
  Bytes extra = snapshot;
  extra.push_back(0);
  EXPECT_EQ(State::Decode(extra).code(), StatusCode::kTrailingBytes);
  // Apart, as snapshots keep them: the records frozen at step 1500 and those added since make
  // up the records of now, and the head must come with exactly its count of them.
  const State::Frozen now = state_.Freeze();
  const Bytes records = now.EncodeRecords(0);
  const Bytes pieced = now.EncodeRecords(frozen->records());
  Bytes before = frozen->EncodeRecords(0);
  before.insert(before.end(), pieced.begin(), pieced.end());
  EXPECT_EQ(before, records);
  EXPECT_EQ(records.size(), now.records() * State::kRecordBytes);
  EXPECT_EQ(State::Decode(now.head(), records).value()->Root(), state_.Root());
  EXPECT_EQ(State::Decode(now.head(), ByteSpan(records).first(records.size() - 1)).code(),
            StatusCode::kTruncated);
  EXPECT_EQ(State::Decode(frozen->head(), records).code(), StatusCode::kTrailingBytes);
  Bytes long_head = now.head();
  long_head.push_back(0);
  EXPECT_EQ(State::Decode(long_head, records).code(), StatusCode::kTrailingBytes);
  // The sequence exercised both outcomes of every kind of operation.
  EXPECT_GT(results[ResultCode::kOk], 300);
  for (ResultCode c :
       {ResultCode::kInsufficientFunds, ResultCode::kRoleRequired, ResultCode::kZeroAmount,
        ResultCode::kPendingFinal, ResultCode::kNotTransferable, ResultCode::kSelfTransfer}) {
    EXPECT_GT(results[c], 0) << ResultCodeName(c);
  }
}

TEST_F(StateTest, TheInvariantChecksCatchABalanceChangedBehindTheLogsBack) {
  ASSERT_EQ(Do(admin_, Mint{alice_.id, Token::kAtr, Tokens(10)}), ResultCode::kOk);
  state_.AdjustBalanceForTesting(alice_.id, Token::kAtr, 1);
  const Status s = state_.CheckInvariants();
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("ATR"), std::string::npos);
}

TEST(Genesis, EncodingRoundTripsAndIsStrict) {
  GenesisParams g;
  g.network = 3;
  g.identities.push_back({DeriveIdentity(1, Bytes(32, 1)), 1, Bytes(32, 1), kRoleAdmin});
  const Bytes encoded = EncodeGenesis(g);
  EXPECT_EQ(DecodeGenesis(encoded).value(), g);
  Bytes bad = encoded;
  bad.back() = 0xFF;  // unknown role bits
  EXPECT_FALSE(DecodeGenesis(bad).ok());
  bad = encoded;
  bad.push_back(0);
  EXPECT_EQ(DecodeGenesis(bad).status().code(), StatusCode::kTrailingBytes);
}

}  // namespace
}  // namespace qfs::ledger
