// `qfs mls client`: one MLS member driven by JSON lines (docs/protocol/mls-client.md), so that
// a test harness — and another implementation's — can put our library in a group.
//
//   MlsClient client(suite, "alice", crypto::SystemRandom());
//   std::string reply = client.Handle(R"({"id":1,"op":"create_group","group_id":"0a0b"})");
//
// Each request line gets exactly one reply line: {"id":..,"ok":true,...} or
// {"id":..,"ok":false,"error":{"code":"NAME","message":"..."}}. Binary fields are lower-case
// hex. A failed request changes nothing. The client holds one identity, the KeyPackages it has
// handed out (until a Welcome uses one), at most one group, and at most one Commit of its own
// waiting for the Delivery Service's verdict (`confirm` adopts it, `discard` drops it).
#ifndef QFS_CLI_MLS_CLIENT_H_
#define QFS_CLI_MLS_CLIENT_H_

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/limits.h"
#include "base/status.h"
#include "codec/json.h"
#include "crypto/random.h"
#include "mls/group.h"

namespace qfs::cli {

using qfs::kMlsClientIdentityBytesMax;  // base/limits.h
using qfs::kMlsClientKeyPackagesMax;    // outstanding KeyPackages

// Where a client keeps its state between runs: `path`, sealed under `key` (mls/state_file.h).
struct MlsClientStorage {
  std::string path;
  SecretBytes key;  // kStorageKeyBytes
};

class MlsClient {
 public:
  // REQUIRES: identity is 1 to kMlsClientIdentityBytesMax bytes (RunMlsClient checks).
  MlsClient(const mls::CipherSuite& suite, std::string_view identity, crypto::RandomSource& random);
  // With storage, the client saves its group, its pending Commit's next state and its
  // KeyPackages after every request that changes them, before it replies — so a reply that hands
  // out a message is only sent once the keys it used are durably spent, and a client restarted
  // after any reply carries on from it. Restore loads what a previous run saved (NOT_FOUND when
  // there is nothing yet).
  void SetStorage(MlsClientStorage storage) { storage_ = std::move(storage); }
  Status Restore();

  // One request line in, one reply line out (without the newline).
  std::string Handle(std::string_view line);
  // Handles lines from `in` until it ends, writing and flushing each reply.
  void Serve(std::istream& in, std::ostream& out);

 private:
  Result<codec::Json> Dispatch(const std::string& op, const codec::Json& request);
  Result<mls::Group*> Member();
  // Remembers `commit` as this member's pending one and describes it.
  codec::Json Pending(mls::Group::Commit commit);
  Result<codec::Json> KeyPackage(bool last_resort);
  Result<codec::Json> CreateGroup(const codec::Json& request);
  Result<codec::Json> Join(const codec::Json& request);
  Result<codec::Json> JoinExternal(const codec::Json& request);
  Result<codec::Json> Commit(const std::vector<mls::Proposal>& proposals);
  Result<codec::Json> Propose(const codec::Json& request, const std::string& op);
  Result<codec::Json> Process(const codec::Json& request);
  Result<codec::Json> State();
  // Saves the state to storage (if any).
  Status Persist();

  mls::CipherSuite suite_;
  Bytes identity_bytes_;
  crypto::RandomSource& random_;
  std::vector<mls::KeyPackageSecrets> key_packages_;
  std::optional<mls::Group> group_;
  std::unique_ptr<mls::Group> pending_;
  std::optional<MlsClientStorage> storage_;
};

// The `qfs mls client` subcommand's body: serves stdin/stdout. With a non-empty `state_path`,
// state is kept there, sealed under the key in `key_path` (64 hex digits; created, mode 0600,
// when missing). Returns the exit status.
int RunMlsClient(std::uint16_t suite, const std::string& identity, const std::string& state_path,
                 const std::string& key_path);

}  // namespace qfs::cli

#endif  // QFS_CLI_MLS_CLIENT_H_
