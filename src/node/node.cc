#include "node/node.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

namespace qfs::node {
namespace {

// Seconds since the Unix epoch; for the process start-time metric only (never in the ledger).
std::int64_t WallClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int> LockDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status(StatusCode::kIoError, "cannot create data dir '" + dir + "': " + ec.message());
  std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status(StatusCode::kIoError, "cannot open " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(StatusCode::kAlreadyExists, "data dir '" + dir + "' is in use by another node");
  }
  return fd;
}

}  // namespace

Node::Node(NodeOptions options, int lock_fd) : options_(std::move(options)), lock_fd_(lock_fd) {
  metrics_.AddGauge("qfs_up", "1 while the node is serving").Set(1);
  metrics_.AddGauge("qfs_build_info", "Build information", {{"version", kVersion}}).Set(1);
  metrics_.AddGauge("qfs_process_start_time_seconds", "Start time, Unix seconds")
      .Set(WallClockSeconds());
}

Node::~Node() {
  Stop();
  ::close(lock_fd_);
}

net::Router Node::MakeRouter() {
  net::Router router;
  router.Add("GET", "/healthz", [](const net::HttpRequest&) {
    return net::JsonResponse(200,
                             std::string("{\"status\":\"ok\",\"version\":\"") + kVersion + "\"}");
  });
  router.Add("GET", "/metrics", [this](const net::HttpRequest&) {
    return net::HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render()};
  });
  return router;
}

Result<std::unique_ptr<Node>> Node::Start(const NodeOptions& options) {
  QFS_RETURN_IF_ERROR(Validate(options));
  QFS_ASSIGN_OR_RETURN(int fd, LockDataDir(options.data_dir));
  std::unique_ptr<Node> node(new Node(options, fd));
  net::HttpServer::Options http;
  http.address = options.listen_address;
  http.port = static_cast<std::uint16_t>(options.listen_port);
  http.threads = static_cast<int>(options.http_threads);
  http.connections_max = options.http_connections_max;
  http.request_bytes_max = options.http_request_bytes_max;
  http.idle_timeout_ms = options.http_idle_timeout_ms;
  http.requests_per_second_per_client = options.http_requests_per_second_per_client;
  QFS_ASSIGN_OR_RETURN(node->server_,
                       net::HttpServer::Start(http, node->MakeRouter(), &node->metrics_));
  return node;
}

void Node::Stop() {
  if (server_) server_->Stop();
}

void AddNodeCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("node", "Run a QFS node (HTTP API on the embedded default)");
  auto config = std::make_shared<std::string>();
  auto flags = std::make_shared<std::map<std::string, std::string>>();
  cmd->add_option("-c,--config", *config, "Config file (key = value lines)");
  for (const NodeOptionField& f : NodeOptionFields()) {
    std::string flag = "--" + f.key;
    for (char& c : flag) c = c == '_' ? '-' : c;
    cmd->add_option_function<std::string>(
        flag, [flags, key = f.key](const std::string& v) { (*flags)[key] = v; },
        f.help + " (env " + f.env + ", default " + f.get(NodeOptions()) + ")");
  }
  cmd->callback([config, flags, exit_code] {
    NodeOptions options;
    Status s = config->empty() ? OkStatus() : ApplyConfigFile(*config, &options);
    if (s.ok()) s = ApplyEnvironment([](const char* name) { return std::getenv(name); }, &options);
    for (const auto& [key, value] : *flags) {
      if (!s.ok()) break;
      s = ApplyConfigText(key + " = " + value, "command line", &options);
    }
    // Block the stop signals before any thread starts, then wait for one.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    Result<std::unique_ptr<Node>> node =
        s.ok() ? Node::Start(options) : Result<std::unique_ptr<Node>>(s);
    if (!node.ok()) {
      std::cerr << "qfs node: " << node.status().ToString() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "qfs node " << kVersion << ": listening on http://" << options.listen_address
              << ":" << node.value()->port() << " (data dir " << options.data_dir << ")"
              << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cout << "qfs node: stopping (signal " << signal_number << ")" << std::endl;
    node.value()->Stop();
    *exit_code = 0;
  });
}

}  // namespace qfs::node
