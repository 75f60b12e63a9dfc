// Fuzz target: the node's real router (every route, over a real ledger in a temporary
// directory) with any method and request target. No exception may escape a handler, nothing
// may abort, every request gets exactly one answer, no answer is a 500, and every body the
// router renders as JSON is valid UTF-8 JSON.
//
// Input: METHOD ' ' TARGET ['\n' BODY].
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/strings.h"
#include "codec/json.h"
#include "keys/key_file.h"
#include "ledger/ledger.h"
#include "net/http_server.h"
#include "node/node.h"

namespace qfs {
namespace {

struct World {
  World() {
    char dir_template[] = "/tmp/qfs-router-fuzz-XXXXXX";
    directory = ::mkdtemp(dir_template);
    key = keys::GenerateKey(keys::KeyKind::kNode, crypto::SignatureAlgorithm::kEd25519).value();
    scheme = crypto::SignatureRegistry::Default()
                 .Find(static_cast<std::uint16_t>(key.algorithm))
                 .value();
    ledger::LedgerOptions o;
    o.directory = directory + "/ledger";
    o.genesis = node::DevelopmentGenesis(key);
    o.clock = &clock;
    o.node_scheme = scheme;
    o.node_secret_key = &key.secret_key;
    o.node_public_key = key.public_key;
    ledger = ledger::Ledger::Open(std::move(o)).value();
    router = std::make_unique<net::Router>(node::MakeNodeRouter(*ledger, metrics, renders));
  }
  std::string directory;
  SystemClock clock;
  keys::KeyFile key;
  const crypto::SignatureScheme* scheme = nullptr;
  Metrics metrics;
  std::unique_ptr<ledger::Ledger> ledger;
  node::RenderQueue renders{node::RenderQueue::Options{}};
  std::unique_ptr<net::Router> router;
};

World& TheWorld() {
  static World* world = new World();  // lives for the process: the fuzzer never returns
  return *world;
}

}  // namespace
}  // namespace qfs

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qfs;  // NOLINT(google-build-using-namespace): the entry point is global
  World& world = TheWorld();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t space = input.find(' ');
  if (space == std::string_view::npos) return 0;
  const std::size_t newline = input.find('\n', space);
  net::HttpRequest request;
  request.method = std::string(input.substr(0, space));
  const std::string target(input.substr(
      space + 1, newline == std::string_view::npos ? std::string_view::npos : newline - space - 1));
  if (newline != std::string_view::npos) request.body = std::string(input.substr(newline + 1));
  const std::size_t q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) request.query = target.substr(q + 1);
  request.remote_address = "127.0.0.1";
  request.request_id = "fuzz";

  auto answer = std::make_shared<std::promise<net::HttpResponse>>();
  auto answers = std::make_shared<std::atomic<int>>(0);
  world.router->Dispatch(request, [answer, answers](net::HttpResponse r) {
    if (answers->fetch_add(1) == 0) answer->set_value(std::move(r));
  });
  std::future<net::HttpResponse> done = answer->get_future();
  if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) std::abort();
  const net::HttpResponse response = done.get();
  if (response.status >= 500 && response.status != 503) std::abort();
  if (response.content_type == "application/json") {
    if (!IsValidUtf8(response.body) || !codec::ParseJson(response.body).ok()) std::abort();
  }
  if (answers->load() != 1) std::abort();
  return 0;
}
