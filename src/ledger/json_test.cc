#include "ledger/json.h"

#include <gtest/gtest.h>

#include "base/text_encoding.h"
#include "ledger/replay.h"

namespace qfs::ledger {
namespace {

using codec::Json;

Json Parse(const std::string& text) { return codec::ParseJson(text).value(); }

TEST(GenesisJson, ParsesAFileAndRoundTrips) {
  const std::string key(64, 'a');  // an Ed25519 (algorithm 1) public key
  Result<GenesisParams> g = ParseGenesisJson(
      Parse(R"({"network":7,"transferable":["ATR","CHR"],"admission_window_us":"60000000",)"
            R"("identities":[{"algorithm":1,"public_key":")" +
            key + R"(","roles":["admin","minter"]}]})"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g.value().network, 7u);
  EXPECT_EQ(g.value().admission_window_us, 60'000'000u);
  EXPECT_TRUE(g.value().transferable[static_cast<std::size_t>(Token::kAtr)]);
  EXPECT_TRUE(g.value().transferable[static_cast<std::size_t>(Token::kChr)]);
  EXPECT_FALSE(g.value().transferable[static_cast<std::size_t>(Token::kNod)]);
  ASSERT_EQ(g.value().identities.size(), 1u);
  const GenesisParams::Identity& id = g.value().identities[0];
  EXPECT_EQ(id.roles, kRoleAdmin | kRoleMinter);
  EXPECT_EQ(id.id, DeriveIdentity(1, HexDecode(key).value()));  // derived when left out
  // What GenesisJson writes reads back to the same parameters.
  EXPECT_EQ(ParseGenesisJson(GenesisJson(g.value())).value(), g.value());
  EXPECT_EQ(codec::CanonicalJson(GenesisJson(g.value())).value(),
            R"({"admission_window_us":"60000000","identities":[{"algorithm":1,"id":")" +
                id.id.ToHex() + R"(","public_key":")" + key +
                R"(","roles":["admin","minter"]}],"network":7,"transferable":["CHR","ATR"]})");
}

TEST(GenesisJson, DefaultsForMissingFields) {
  EXPECT_EQ(ParseGenesisJson(Parse("{}")).value(), GenesisParams{});
}

TEST(GenesisJson, RejectsEachMalformedFieldByName) {
  const std::string key(64, 'b');
  const std::string id = R"({"algorithm":1,"public_key":")" + key + R"("})";
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "must be a JSON object"},
      {R"({"nework":1})", "unknown field nework"},
      {R"({"network":-1})", "network"},
      {R"({"network":4294967296})", "network"},
      {R"({"transferable":["XYZ"]})", "unknown token"},
      {R"({"transferable":"ATR"})", "transferable"},
      {R"({"admission_window_us":"12a"})", "admission_window_us"},
      {R"({"admission_window_us":"99999999999999999999"})", "admission_window_us"},
      {R"({"identities":[{"public_key":"aa"}]})", "identities[0].algorithm"},
      {R"({"identities":[{"algorithm":1,"public_key":"zz"}]})", "identities[0].public_key"},
      {R"({"identities":[{"algorithm":1,"public_key":""}]})", "identities[0].public_key"},
      {R"({"identities":[{"algorithm":1,"public_key":"aa","id":"0x12"}]})", "identities[0].id"},
      {R"({"identities":[{"algorithm":1,"public_key":"aa","roles":["root"]}]})", "unknown role"},
      {R"({"identities":[{"algorithm":1,"public_key":"aa","extra":1}]})", "unknown field extra"},
      {R"({"identities":[)" + id + "," + id + "]}", "twice"},
      {R"({"identities":[{"algorithm":1,"public_key":"aabb"}]})", "wrong key size"},
      {R"({"identities":[{"algorithm":999,"public_key":")" + key + R"("}]})", "unknown algorithm"},
  };
  for (const auto& [text, why] : cases) {
    Result<GenesisParams> g = ParseGenesisJson(Parse(text));
    ASSERT_FALSE(g.ok()) << text;
    EXPECT_EQ(g.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(g.status().message().find(why), std::string::npos)
        << text << ": " << g.status().ToString();
  }
}

// kGenesisIdentitiesMax identities fit in a log entry only with small keys: with ML-DSA-87 keys
// (2,592 bytes) 399 do, and 400 are refused by name instead of failing the ledger's first append.
TEST(GenesisJson, RefusesAGenesisThatDoesNotFitInALogEntry) {
  auto genesis = [](std::size_t identities) {
    Json list = Json::array();
    for (std::size_t i = 0; i < identities; ++i) {
      Bytes key(2592, static_cast<std::uint8_t>(i));
      key[0] = static_cast<std::uint8_t>(i >> 8);
      list.push_back({{"algorithm", 4u}, {"public_key", HexEncode(key)}});
    }
    return ParseGenesisJson(Json{{"identities", list}});
  };
  EXPECT_TRUE(genesis(399).ok()) << genesis(399).status().ToString();
  Result<GenesisParams> too_large = genesis(400);
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_large.status().message().find("more than a log entry holds"), std::string::npos)
      << too_large.status().ToString();
}

TEST(AccountJson, ShowsKeysRolesAndEveryBalance) {
  AccountView v;
  v.id.bytes.fill(0x11);
  v.as_of_index = 12;
  v.account.keys.push_back({1, Bytes{1, 2}, true});
  v.account.roles = kRoleBurner;
  v.account.sequence = 3;
  v.account.balance[static_cast<std::size_t>(Token::kAtr)] = Amount::FromInteger(5).value().raw();
  v.account.reserved[static_cast<std::size_t>(Token::kAtr)] = 1;
  Json j = AccountJson(v);
  EXPECT_EQ(j["id"], "0x" + std::string(40, '1'));
  EXPECT_EQ(j["as_of_index"], "12");
  EXPECT_EQ(j["sequence"], "3");
  EXPECT_EQ(j["roles"], Json::array({"burner"}));
  EXPECT_EQ(j["keys"][0]["public_key"], "0102");
  EXPECT_EQ(j["keys"][0]["revoked"], true);
  EXPECT_EQ(j["balances"]["ATR"]["available"], "5.000000000000000000");
  EXPECT_EQ(j["balances"]["ATR"]["reserved"], "0.000000000000000001");
  EXPECT_EQ(j["balances"]["CHR"]["available"], "0.000000000000000000");
  EXPECT_EQ(j["balances"].size(), 6u);
}

}  // namespace
}  // namespace qfs::ledger

namespace qfs::ledger {
namespace {

LogEntry EntryOf(RecordType type, const Bytes& body) {
  LogEntry e;
  e.payload = Bytes(1 + body.size(), static_cast<std::uint8_t>(type));
  std::copy(body.begin(), body.end(), e.payload.begin() + 1);
  return e;
}

// Finding 12: halts and resumes were exported as raw hex, roles as an integer in SetRoles, and
// a packet's signed version and network not at all.
TEST(RecordJson, ExportsEverySignedFieldDecoded) {
  HaltRecord h{"disk full", {}, 1, Bytes(64, 7)};
  h.state_root.fill(0xab);
  const codec::Json halt = EntryJson(EntryOf(RecordType::kHalt, EncodeHalt(h)))["record"];
  EXPECT_EQ(halt["type"], "halt");
  EXPECT_EQ(halt["reason"], "disk full");
  EXPECT_EQ(halt["state_root"], HexEncode(h.state_root));
  EXPECT_EQ(halt["algorithm"], 1);
  EXPECT_EQ(halt["signature"], HexEncode(h.signature));
  const codec::Json resume =
      EntryJson(EntryOf(RecordType::kResume, EncodeResume({"fixed", 1, Bytes(64, 9)})))["record"];
  EXPECT_EQ(resume["type"], "resume");
  EXPECT_EQ(resume["reason"], "fixed");
  EXPECT_EQ(resume["signature"], HexEncode(Bytes(64, 9)));

  Packet p;
  p.network = 42;
  p.operation = SetRoles{IdentityId{}, kRoleAdmin | kRoleBurner};
  p.algorithm = 1;
  p.signature = Bytes(64, 1);
  const codec::Json packet = EntryJson(EntryOf(RecordType::kPacket, EncodePacket(p)))["record"];
  EXPECT_EQ(packet["version"], kPacketVersion);
  EXPECT_EQ(packet["network"], 42);
  EXPECT_EQ(packet["operation"]["roles"], codec::Json::array({"admin", "burner"}));
}

}  // namespace
}  // namespace qfs::ledger
