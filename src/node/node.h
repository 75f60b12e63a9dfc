// The node: opens the data directory, serves the API, and runs until told to stop.
#ifndef QFS_NODE_NODE_H_
#define QFS_NODE_NODE_H_

#include <atomic>
#include <functional>
#include <memory>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/status.h"
#include "keys/key_file.h"
#include "ledger/ledger.h"
#include "net/http_server.h"
#include "node/node_options.h"
#include "node/render_queue.h"

namespace CLI {
class App;
}

namespace qfs::node {

inline constexpr const char* kVersion = "0.1.0";

class Node {
 public:
  // Creates the data directory if needed, locks it (one node per directory), loads (or on
  // first start creates) the node key, opens the ledger (DATA_DIR/ledger, replaying it), and
  // starts the HTTP server. A halted ledger still starts: reads are served, writes get 302.
  // Errors: ALREADY_EXISTS if another node holds the directory; NOT_FOUND / CORRUPTION for a
  // missing or damaged key or genesis file; INVALID_ARGUMENT for a malformed genesis;
  // FAILED_PRECONDITION if the ledger was started from another genesis; IO_ERROR; UNAVAILABLE
  // if the port cannot be bound; NOT_FOUND / INVALID_ARGUMENT for a web_root that is not a
  // directory or TLS files that do not load.
  static Result<std::unique_ptr<Node>> Start(const NodeOptions& options);
  ~Node();

  std::uint16_t port() const { return server_->port(); }
  const ledger::IdentityId& identity() const { return identity_; }
  const ledger::Ledger& ledger() const { return *ledger_; }
  // Whether the API speaks TLS (tls_certificate_file and tls_key_file set).
  bool tls() const { return server_->tls(); }
  // Every (method, path pattern) of the API (static files under web_root aside).
  std::vector<std::pair<std::string, std::string>> Routes() const { return routes_; }
  // Stops serving, then closes the ledger (answering what it still holds). Idempotent.
  void Stop();

 private:
  Node(NodeOptions options, int lock_fd);
  Status OpenLedger();
  // The API's routes, and web_root's files at "/" when it is set.
  Result<net::Router> MakeRouter();

  NodeOptions options_;
  int lock_fd_;
  Metrics metrics_;
  SystemClock clock_;
  keys::KeyFile node_key_;
  const crypto::SignatureScheme* node_scheme_ = nullptr;
  ledger::IdentityId identity_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::vector<std::pair<std::string, std::string>> routes_;
  RenderQueue renders_{RenderQueue::Options{}};  // stopped after the server, before the ledger
  std::unique_ptr<net::HttpServer> server_;      // stopped before the ledger closes
};

// Every route the node serves (health, metrics, OpenAPI, the ledger API), over `ledger`,
// `metrics` and `renders` (the ledger API's, node/ledger_api.h), which must outlive the router.
// Node::Start serves it; the router fuzzer drives it.
net::Router MakeNodeRouter(ledger::Ledger& ledger, Metrics& metrics, RenderQueue& renders);

// The development genesis: network 1, ATR transferable, `node_key`'s identity holding every
// role. What a fresh node starts from when no genesis file is configured.
ledger::GenesisParams DevelopmentGenesis(const keys::KeyFile& node_key);

// Adds the `node` subcommand; it runs until SIGINT or SIGTERM.
void AddNodeCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::node

#endif  // QFS_NODE_NODE_H_
