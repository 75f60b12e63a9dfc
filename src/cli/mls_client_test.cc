#include "cli/mls_client.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "base/limits.h"
#include "base/text_encoding.h"
#include "mls/state_file.h"

namespace qfs::cli {
namespace {

using codec::Json;

const mls::CipherSuite& Suite() {
  static const mls::CipherSuite suite = mls::CipherSuite::Find(1).value();
  return suite;
}

// Sends one request and returns the parsed reply.
Json Call(MlsClient& c, const Json& request) {
  return codec::ParseJson(c.Handle(request.dump())).value();
}

// The reply of a request that must succeed.
Json Ok(MlsClient& c, const Json& request) {
  Json reply = Call(c, request);
  EXPECT_TRUE(reply["ok"].get<bool>()) << request.dump() << " -> " << reply.dump();
  return reply;
}

std::string Hex(const std::string& text) { return HexEncode(Bytes(text.begin(), text.end())); }

TEST(MlsClientTest, TwoMembersMeetTalkAndUpdate) {
  MlsClient alice(Suite(), "alice", crypto::SystemRandom());
  MlsClient bob(Suite(), "bob", crypto::SystemRandom());
  Ok(alice, {{"id", 1}, {"op", "create_group"}, {"group_id", Hex("room")}});
  const Json kp = Ok(bob, {{"id", 2}, {"op", "key_package"}});
  const Json add = Ok(alice, {{"op", "add"}, {"key_packages", Json::array({kp["key_package"]})}});
  EXPECT_EQ(Ok(alice, {{"op", "state"}})["epoch"], 0);  // pending until confirmed
  Ok(alice, {{"op", "confirm"}});
  EXPECT_EQ(Ok(bob, {{"op", "join"}, {"welcome", add["welcome"]}})["epoch"], 1);

  const Json sent = Ok(alice, {{"op", "protect"}, {"data", Hex("hello")}});
  const Json got = Ok(bob, {{"op", "process"}, {"message", sent["message"]}});
  EXPECT_EQ(got["type"], "application");
  EXPECT_EQ(got["data"], Hex("hello"));
  EXPECT_EQ(got["sender"], 0);

  const Json update = Ok(bob, {{"op", "propose_update"}});
  EXPECT_EQ(Ok(alice, {{"op", "process"}, {"message", update["proposal"]}})["type"], "proposal");
  const Json commit = Ok(alice, {{"op", "commit"}});
  Ok(alice, {{"op", "confirm"}});
  EXPECT_EQ(Ok(bob, {{"op", "process"}, {"message", commit["commit"]}})["epoch"], 2);
  const Json a = Ok(alice, {{"op", "state"}});
  const Json b = Ok(bob, {{"op", "state"}});
  EXPECT_EQ(a["epoch_authenticator"], b["epoch_authenticator"]);
  EXPECT_EQ(a["members"], b["members"]);
  const Json export_request = {{"op", "export"}, {"label", "x"}, {"context", ""}, {"length", 16}};
  EXPECT_EQ(Ok(alice, export_request)["secret"], Ok(bob, export_request)["secret"]);

  // Alice removes Bob: he learns it and is out of the group.
  const Json remove = Ok(alice, {{"op", "remove"}, {"leaves", Json::array({1})}});
  Ok(alice, {{"op", "confirm"}});
  EXPECT_TRUE(Ok(bob, {{"op", "process"}, {"message", remove["commit"]}})["removed"].get<bool>());
  EXPECT_EQ(Call(bob, {{"op", "state"}})["error"]["code"], "FAILED_PRECONDITION");
}

TEST(MlsClientTest, BadRequestsGetCodedErrorsAndChangeNothing) {
  MlsClient alice(Suite(), "alice", crypto::SystemRandom());
  EXPECT_EQ(codec::ParseJson(alice.Handle("not json")).value()["error"]["code"], "PARSE_ERROR");
  EXPECT_EQ(Call(alice, {{"id", 7}, {"op", "fly"}})["id"], 7);
  EXPECT_EQ(Call(alice, {{"op", "fly"}})["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(Call(alice, {{"op", "protect"}, {"data", ""}})["error"]["code"], "FAILED_PRECONDITION");
  Ok(alice, {{"op", "create_group"}, {"group_id", Hex("g")}});
  EXPECT_EQ(Call(alice, {{"op", "process"}, {"message", "zz"}})["error"]["code"], "PARSE_ERROR");
  EXPECT_FALSE(Call(alice, {{"op", "process"}, {"message", "00010002"}})["ok"].get<bool>());
  EXPECT_EQ(Call(alice, {{"op", "confirm"}})["error"]["code"], "FAILED_PRECONDITION");
  EXPECT_EQ(Call(alice, {{"op", "join"}, {"welcome", "0001"}})["error"]["code"],
            "FAILED_PRECONDITION");
  EXPECT_EQ(Ok(alice, {{"op", "state"}})["epoch"], 0);
}

// An endless line is refused once it passes the bound, without holding it; the next line is
// served as usual.
TEST(MlsClientTest, AnOverlongLineIsRefusedAndTheNextOneServed) {
  MlsClient alice(Suite(), "alice", crypto::SystemRandom());
  std::istringstream in(std::string(kJsonTextBytesMax + 1, 'x') +
                        "\n{\"op\":\"create_group\",\"group_id\":\"67\"}\n");
  std::ostringstream out;
  alice.Serve(in, out);
  std::istringstream replies(out.str());
  std::string first, second;
  ASSERT_TRUE(std::getline(replies, first));
  ASSERT_TRUE(std::getline(replies, second));
  EXPECT_EQ(codec::ParseJson(first).value()["error"]["code"], "TOO_LARGE") << first;
  EXPECT_TRUE(codec::ParseJson(second).value()["ok"].get<bool>()) << second;
}

// A client with storage saves before it replies; a new client on the same file carries on.
TEST(MlsClientTest, AClientRestartedOnItsStateCarriesOn) {
  char dir[] = "/tmp/qfs_mls_client_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/alice.state";
  SecretBytes key(mls::kStorageKeyBytes);
  crypto::SystemRandom().Fill(key.mutable_span());
  MlsClient bob(Suite(), "bob", crypto::SystemRandom());
  Json add;
  {
    MlsClient alice(Suite(), "alice", crypto::SystemRandom());
    alice.SetStorage({path, key.Clone()});
    EXPECT_EQ(alice.Restore().code(), StatusCode::kNotFound);
    Ok(alice, {{"op", "create_group"}, {"group_id", Hex("room")}});
    const Json kp = Ok(bob, {{"op", "key_package"}});
    add = Ok(alice, {{"op", "add"}, {"key_packages", Json::array({kp["key_package"]})}});
  }
  {  // restarted between sending the Commit and the verdict: the pending state survived
    MlsClient alice(Suite(), "alice", crypto::SystemRandom());
    alice.SetStorage({path, key.Clone()});
    ASSERT_TRUE(alice.Restore().ok());
    EXPECT_EQ(Ok(alice, {{"op", "confirm"}})["epoch"], 1);
  }
  Ok(bob, {{"op", "join"}, {"welcome", add["welcome"]}});
  MlsClient alice(Suite(), "alice", crypto::SystemRandom());
  alice.SetStorage({path, key.Clone()});
  ASSERT_TRUE(alice.Restore().ok());
  EXPECT_EQ(Ok(alice, {{"op", "state"}})["epoch_authenticator"],
            Ok(bob, {{"op", "state"}})["epoch_authenticator"]);
  const Json sent = Ok(alice, {{"op", "protect"}, {"data", Hex("after a restart")}});
  EXPECT_EQ(Ok(bob, {{"op", "process"}, {"message", sent["message"]}})["data"],
            Hex("after a restart"));
  MlsClient wrong(Suite(), "alice", crypto::SystemRandom());
  wrong.SetStorage({path, SecretBytes(mls::kStorageKeyBytes)});
  EXPECT_EQ(wrong.Restore().code(), StatusCode::kCorruption);
  (void)std::system((std::string("rm -rf ") + dir).c_str());
}

}  // namespace
}  // namespace qfs::cli
