// The rule of docs/ledger.md: a packet that is not authenticated by a key of the identity it
// names never changes that identity. An adversary holding no key of the victim submits random
// packets of all twelve operations naming the victim (any fields, any key id, any sequence, its
// own signature or random bytes) through the path the sequencer takes; nothing about the victim
// changes — sequence, keys, roles, balances, pending transfers, idempotency records — and in fact
// nothing at all is admitted, so the whole state root stays as it was.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <filesystem>

#include "ledger/ledger.h"
#include "ledger/state.h"

namespace qfs::ledger {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kNetwork = 7;
constexpr std::uint64_t kStart = 1'800'000'000'000'000;

const crypto::SignatureScheme& Ed25519() {
  return *crypto::SignatureRegistry::Default().Find(crypto::SignatureAlgorithm::kEd25519).value();
}

struct User {
  crypto::SignatureKeyPair key;
  IdentityId id;
  std::uint64_t sequence = 0;
};

User MakeUser(std::uint8_t seed) {
  User u{Ed25519().KeyPairFromSeed(Bytes(32, seed)).value(), {}};
  u.id = DeriveIdentity(1, u.key.public_key);
  return u;
}

Amount Tokens(std::uint64_t whole) { return Amount::FromInteger(whole).value(); }

// A world where the victim has history: balances, a second key, a pending transfer, records.
class World {
 public:
  World() : admin_(MakeUser(1)), victim_(MakeUser(2)), adversary_(MakeUser(3)), state_(Genesis()) {
    Ok(admin_, Mint{victim_.id, Token::kAtr, Tokens(100)});
    Ok(admin_, Mint{adversary_.id, Token::kAtr, Tokens(100)});
    Ok(victim_, AddKey{1, MakeUser(4).key.public_key});
    Ok(victim_, Reserve{{adversary_.id, Token::kAtr, Tokens(5)}, 3'600'000'000});
    Ok(victim_, Transfer{{adversary_.id, Token::kAtr, Tokens(1)}});
    admitted_ = 0;
  }
  GenesisParams Genesis() const {
    GenesisParams g;
    g.network = kNetwork;
    g.identities.push_back({admin_.id, 1, admin_.key.public_key, kRolesAll});
    g.identities.push_back({victim_.id, 1, victim_.key.public_key, kRoleMinter});
    g.identities.push_back({adversary_.id, 1, adversary_.key.public_key, 0});
    return g;
  }
  Packet Signed(User& u, Operation op) {
    Packet p;
    p.network = kNetwork;
    p.signer = u.id;
    p.sequence = ++u.sequence;
    p.client_time_us = now_;
    p.operation_id.bytes.fill(static_cast<std::uint8_t>(++made_));
    p.operation = std::move(op);
    EXPECT_TRUE(SignPacket(p, Ed25519(), u.key.secret_key).ok());
    return p;
  }
  void Ok(User& u, Operation op) { ASSERT_EQ(Submit(Signed(u, std::move(op))), ResultCode::kOk); }
  // What the sequencer does: admission, the operation-id record, then Apply.
  ResultCode Submit(const Packet& p) {
    now_ += 1000;
    const ResultCode admission = state_.CheckAdmission(p, now_);
    if (admission != ResultCode::kOk) return admission;
    if (const OperationRecord* r = state_.FindOperation(p.signer, p.operation_id)) {
      return r->packet_hash == PacketHash(p) ? r->result : ResultCode::kOperationConflict;
    }
    ++admitted_;
    return state_.Apply(p, PacketHash(p), index_++, now_);
  }

  User admin_, victim_, adversary_;
  State state_;
  std::uint64_t now_ = kStart;
  std::uint64_t index_ = 1;
  std::uint32_t made_ = 0;
  int admitted_ = 0;
};

rc::Gen<Amount> AnyAmount() {
  return rc::gen::map(rc::gen::inRange<std::uint64_t>(0, 300),
                      [](std::uint64_t whole) { return Amount::FromInteger(whole).value(); });
}

rc::Gen<Token> AnyToken() {
  return rc::gen::map(rc::gen::inRange<int>(0, static_cast<int>(kTokenCount)),
                      [](int t) { return static_cast<Token>(t); });
}

// Any operation, with identities drawn from the world's (the victim's among them) and keys
// from the adversary's (the victim's own public key among them).
Operation AnyOperation(const World& w) {
  const std::vector<IdentityId> ids = {w.victim_.id, w.admin_.id, w.adversary_.id, MakeUser(9).id};
  const std::vector<Bytes> keys = {w.adversary_.key.public_key, w.victim_.key.public_key,
                                   MakeUser(8).key.public_key, Bytes(3, 1)};
  auto id = [&] { return ids[*rc::gen::inRange<std::size_t>(0, ids.size())]; };
  auto key = [&] { return keys[*rc::gen::inRange<std::size_t>(0, keys.size())]; };
  auto leg = [&] { return TransferLeg{id(), *AnyToken(), *AnyAmount()}; };
  auto pending = [&] {
    OperationId o;
    o.bytes.fill(*rc::gen::inRange<std::uint8_t>(0, 8));
    return o;
  };
  switch (*rc::gen::inRange(0, 12)) {
    case 0: {
      Bytes wallet = *rc::gen::element(Bytes(), Bytes(65, 1), Bytes(65, 0x1b));
      return RegisterIdentity{1, key(), wallet};
    }
    case 1:
      return AddKey{1, key()};
    case 2:
      return RevokeKey{KeyId{*rc::gen::inRange<std::uint32_t>(0, 3)}};
    case 3:
      return RotateKey{1, key(), KeyId{*rc::gen::inRange<std::uint32_t>(0, 3)}};
    case 4:
      return SetRoles{id(), *rc::gen::inRange<std::uint32_t>(0, kRolesAll + 1)};
    case 5:
      return Mint{id(), *AnyToken(), *AnyAmount()};
    case 6:
      return Burn{*AnyToken(), *AnyAmount()};
    case 7:
      return Transfer{leg()};
    case 8:
      return Batch{{leg(), leg()}};
    case 9:
      return Reserve{leg(), *rc::gen::inRange<std::uint64_t>(0, 10'000'000)};
    case 10:
      return PostPending{pending()};
    default:
      return VoidPending{pending()};
  }
}

RC_GTEST_PROP(Adversary, PacketsNamingAnIdentityWithoutItsKeyChangeNothing, ()) {
  World w;
  const Digest32 root = w.state_.Root();
  const Account victim = *w.state_.FindAccount(w.victim_.id);
  std::vector<OperationId> ids;
  const int packets = *rc::gen::inRange(1, 12);
  for (int i = 0; i < packets; ++i) {
    // Half the packets are plausible: right network and sequence, a key id the victim has,
    // and a valid signature by the adversary (for a registration: under the key it registers,
    // the adversary's own). The rest are anything at all.
    const bool plausible = *rc::gen::arbitrary<bool>();
    Packet p;
    p.operation = AnyOperation(w);
    const bool registration = std::holds_alternative<RegisterIdentity>(p.operation);
    if (plausible && registration) {
      std::get<RegisterIdentity>(p.operation).public_key = w.adversary_.key.public_key;
    }
    p.network = plausible ? kNetwork : *rc::gen::element(kNetwork, kNetwork + 1);
    p.signer = w.victim_.id;
    p.key = KeyId{plausible && registration ? 0 : *rc::gen::inRange<std::uint32_t>(0, 3)};
    p.sequence = plausible ? (registration ? 1 : victim.sequence + 1)
                           : *rc::gen::element<std::uint64_t>(0, 1, victim.sequence,
                                                              victim.sequence + 2, UINT64_MAX);
    p.client_time_us = w.now_ + 1000;
    p.operation_id.bytes.fill(static_cast<std::uint8_t>(*rc::gen::inRange(0, 256)));
    ids.push_back(p.operation_id);
    if (plausible || *rc::gen::arbitrary<bool>()) {  // the adversary's own, valid signature
      RC_ASSERT(SignPacket(p, Ed25519(), w.adversary_.key.secret_key).ok());
    } else {  // or anything at all
      p.algorithm = 1;
      p.signature = *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, 80),
                                               rc::gen::arbitrary<std::uint8_t>());
    }
    w.Submit(p);
  }
  RC_ASSERT(w.admitted_ == 0);
  RC_ASSERT(w.state_.Root() == root);
  const Account& after = *w.state_.FindAccount(w.victim_.id);
  RC_ASSERT(after.sequence == victim.sequence);
  RC_ASSERT(after.roles == victim.roles);
  RC_ASSERT(after.keys.size() == victim.keys.size());
  for (std::size_t k = 0; k < after.keys.size(); ++k) {
    RC_ASSERT(after.keys[k].public_key == victim.keys[k].public_key);
    RC_ASSERT(after.keys[k].revoked == victim.keys[k].revoked);
  }
  RC_ASSERT(after.balance == victim.balance);
  RC_ASSERT(after.reserved == victim.reserved);
  for (const OperationId& id : ids) {
    const OperationRecord* r = w.state_.FindOperation(w.victim_.id, id);
    const bool own = r == nullptr || r->index < 6;  // only the records the victim made itself
    RC_ASSERT(own);
  }
}

// The sequencer refuses without logging by asking Evaluate, and logs what Apply returns: the two
// must agree on every packet that passes admission, whoever signs it, with pending transfers
// expiring between packets (docs/ledger.md, "What a refusal costs").
RC_GTEST_PROP(Adversary, EvaluateAnswersWhatApplyThenDoes, ()) {
  World w;
  User newcomer = MakeUser(*rc::gen::inRange<std::uint8_t>(10, 20));
  const int packets = *rc::gen::inRange(1, 40);
  for (int i = 0; i < packets; ++i) {
    User* signers[] = {&w.admin_, &w.victim_, &w.adversary_, &newcomer};
    User& u = *signers[*rc::gen::inRange(0, 4)];
    Operation op = AnyOperation(w);
    if (auto* r = std::get_if<RegisterIdentity>(&op); r != nullptr && &u == &newcomer) {
      r->public_key = newcomer.key.public_key;  // a registration that may succeed
    }
    w.now_ += *rc::gen::element<std::uint64_t>(1, 1000, 2'000'000, 20'000'000);
    Packet p = w.Signed(u, std::move(op));
    if (w.state_.CheckAdmission(p, w.now_) != ResultCode::kOk ||
        w.state_.FindOperation(p.signer, p.operation_id) != nullptr) {
      --u.sequence;  // not admitted: the signer's next packet reuses the number
      continue;
    }
    const Digest32 before = w.state_.Root();
    const ResultCode evaluated = w.state_.Evaluate(p, w.now_);
    RC_ASSERT(w.state_.Root() == before);
    const ResultCode applied = w.state_.Apply(p, PacketHash(p), w.index_++, w.now_);
    RC_ASSERT(evaluated == applied);
    RC_ASSERT(w.state_.last_entry_check().ok());
  }
}

// The finding itself, through the whole ledger: a registration naming the genesis admin,
// signed by a key nobody registered, was logged as IDENTITY_EXISTS and set the admin's sequence
// to 1, blocking its next packet for ever.
TEST(Adversary, ARegistrationNamingAnExistingIdentityIsRefusedAndChangesNothing) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("qfs_adversary_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ManualClock clock(kStart);
  const crypto::SignatureKeyPair node = Ed25519().KeyPairFromSeed(Bytes(32, 99)).value();
  User admin = MakeUser(1);
  User attacker = MakeUser(66);
  LedgerOptions o;
  o.directory = dir.string();
  o.genesis.emplace().network = kNetwork;
  o.genesis->identities.push_back({admin.id, 1, admin.key.public_key, kRolesAll});
  o.clock = &clock;
  o.node_scheme = &Ed25519();
  o.node_secret_key = &node.secret_key;
  o.node_public_key = node.public_key;
  auto ledger = Ledger::Open(std::move(o)).value();
  std::uint8_t made = 0;
  auto packet = [&](User& signer_key, const IdentityId& names, std::uint64_t sequence,
                    Operation op) {
    Packet p;
    p.network = kNetwork;
    p.signer = names;
    p.sequence = sequence;
    p.client_time_us = clock.NowMicros();
    p.operation_id.bytes.fill(++made);
    p.operation = std::move(op);
    EXPECT_TRUE(SignPacket(p, Ed25519(), signer_key.key.secret_key).ok());
    return EncodePacket(p);
  };
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(ledger
                  ->Submit(packet(admin, admin.id, ++admin.sequence,
                                  Mint{admin.id, Token::kAtr, Tokens(1)}))
                  .value()
                  .result,
              ResultCode::kOk);
  }
  const std::uint64_t size = ledger->Head().size;
  Result<SubmitResult> attack = ledger->Submit(
      packet(attacker, admin.id, 1, RegisterIdentity{1, attacker.key.public_key, {}}));
  ASSERT_TRUE(attack.ok());
  EXPECT_EQ(attack.value().result, ResultCode::kIdentityExists);
  EXPECT_FALSE(attack.value().logged);
  EXPECT_EQ(ledger->Head().size, size) << "the refused registration was logged";
  EXPECT_EQ(ledger->GetAccount(admin.id).value().account.sequence, 3u);
  // The admin's next packet goes through.
  EXPECT_EQ(ledger
                ->Submit(packet(admin, admin.id, ++admin.sequence,
                                Mint{admin.id, Token::kAtr, Tokens(1)}))
                .value()
                .result,
            ResultCode::kOk);
  ledger.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qfs::ledger
