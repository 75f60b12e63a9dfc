// The node: opens the data directory, serves the API, and runs until told to stop.
#ifndef QFS_NODE_NODE_H_
#define QFS_NODE_NODE_H_

#include <atomic>
#include <functional>
#include <memory>

#include "base/metrics.h"
#include "base/status.h"
#include "net/http_server.h"
#include "node/node_options.h"

namespace CLI {
class App;
}

namespace qfs::node {

inline constexpr const char* kVersion = "0.1.0";

class Node {
 public:
  // Creates the data directory if needed, locks it (one node per directory), and starts the
  // HTTP server. Errors: ALREADY_EXISTS if another node holds the directory, IO_ERROR,
  // UNAVAILABLE if the port cannot be bound.
  static Result<std::unique_ptr<Node>> Start(const NodeOptions& options);
  ~Node();

  std::uint16_t port() const { return server_->port(); }
  void Stop();

 private:
  Node(NodeOptions options, int lock_fd);
  net::Router MakeRouter();

  NodeOptions options_;
  int lock_fd_;
  Metrics metrics_;
  std::unique_ptr<net::HttpServer> server_;
};

// Adds the `node` subcommand; it runs until SIGINT or SIGTERM.
void AddNodeCommand(CLI::App& app, int* exit_code);

}  // namespace qfs::node

#endif  // QFS_NODE_NODE_H_
