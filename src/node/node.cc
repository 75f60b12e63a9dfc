#include "node/node.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "base/strings.h"
#include "codec/json.h"
#include "ledger/json.h"
#include "net/static_files.h"
#include "node/ledger_api.h"
#include "node/openapi.h"

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

// The node key: the configured file, or DATA_DIR/node.key created on first start.
Result<keys::KeyFile> LoadNodeKey(const NodeOptions& options, bool* created) {
  *created = false;
  if (!options.node_key_file.empty()) return keys::ReadKeyFile(options.node_key_file);
  const std::string path = options.data_dir + "/node.key";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    QFS_ASSIGN_OR_RETURN(
        keys::KeyFile key,
        keys::GenerateKey(keys::KeyKind::kNode, crypto::SignatureAlgorithm::kEd25519MlDsa65));
    QFS_RETURN_IF_ERROR(keys::WriteKeyFile(path, key));
    *created = true;
  }
  return keys::ReadKeyFile(path);
}

Result<ledger::GenesisParams> ReadGenesisFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, "cannot read genesis file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  Result<codec::Json> json = codec::ParseJson(text.str());
  if (!json.ok()) return Status(json.code(), path + ": " + json.status().message());
  Result<ledger::GenesisParams> genesis = ledger::ParseGenesisJson(json.value());
  if (!genesis.ok()) return Status(genesis.code(), path + ": " + genesis.status().message());
  return genesis;
}

}  // namespace

ledger::GenesisParams DevelopmentGenesis(const keys::KeyFile& node_key) {
  ledger::GenesisParams genesis;
  const auto algorithm = static_cast<std::uint16_t>(node_key.algorithm);
  genesis.identities.push_back({ledger::DeriveIdentity(algorithm, node_key.public_key), algorithm,
                                node_key.public_key, ledger::kRolesAll});
  return genesis;
}

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

Status Node::OpenLedger() {
  bool created = false;
  QFS_ASSIGN_OR_RETURN(node_key_, LoadNodeKey(options_, &created));
  QFS_ASSIGN_OR_RETURN(node_scheme_, crypto::SignatureRegistry::Default().Find(
                                         static_cast<std::uint16_t>(node_key_.algorithm)));
  identity_ =
      ledger::DeriveIdentity(static_cast<std::uint16_t>(node_key_.algorithm), node_key_.public_key);
  ledger::LedgerOptions o;
  o.directory = options_.data_dir + "/ledger";
  if (!options_.genesis_file.empty()) {
    QFS_ASSIGN_OR_RETURN(o.genesis, ReadGenesisFile(options_.genesis_file));
  } else if (std::error_code ec; !std::filesystem::exists(o.directory + "/log", ec) ||
                                 std::filesystem::is_empty(o.directory + "/log", ec)) {
    o.genesis = DevelopmentGenesis(node_key_);
  }
  o.clock = &clock_;
  o.node_scheme = node_scheme_;
  o.node_secret_key = &node_key_.secret_key;
  o.node_public_key = node_key_.public_key;
  o.checkpoint_interval = options_.ledger_checkpoint_interval;
  o.commit_batch_max = options_.ledger_commit_batch_max;
  o.commit_window_us = options_.ledger_commit_window_us;
  o.commit_window_busy_us = options_.ledger_commit_window_busy_us;
  o.queue_max = options_.ledger_queue_max;
  o.segment_bytes_target = std::uint64_t{options_.ledger_segment_mib} << 20;
  o.snapshot_interval = options_.ledger_snapshot_interval;
  QFS_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::Open(std::move(o)));
  // A torn tail cut at this start is said once on stderr; /metrics keeps the numbers.
  const ledger::LogRecovery& recovery = ledger_->start().log;
  if (recovery.torn.has_value()) {
    std::cerr << "qfs node: ledger log: " << ledger::DescribeTornTail(*recovery.torn) << std::endl;
  }
  metrics_
      .AddGauge("qfs_ledger_torn_bytes_cut",
                "Bytes of an unfinished last log record (never acknowledged) cut at this start")
      .Set(static_cast<std::int64_t>(recovery.torn_bytes));
  metrics_
      .AddGauge("qfs_ledger_torn_tails_cut",
                "Torn log tails cut at this start and earlier ones (saved in the log directory)")
      .Set(static_cast<std::int64_t>(recovery.torn_tails_saved));
  return OkStatus();
}

net::Router MakeNodeRouter(ledger::Ledger& ledger, Metrics& metrics, RenderQueue& renders) {
  net::Router router;
  router.Add("GET", "/healthz", [&ledger](const net::HttpRequest&) {
    const ledger::LedgerHead head = ledger.Head();
    codec::Json body = {{"status", head.halted ? "halted" : "ok"}, {"version", kVersion}};
    if (head.halted) {
      body["code"] = static_cast<int>(ledger::ResultCode::kHalted);
      body["reason"] = SanitizeUtf8(head.halt_reason);  // valid already; never trust a path
    }
    Result<std::string> text = codec::CanonicalJson(body);
    if (!text.ok()) return net::ErrorResponse(500, "INTERNAL", text.status().message());
    net::HttpResponse response = net::JsonResponse(head.halted ? 503 : 200, text.value());
    if (head.halted) response.headers.emplace_back("Retry-After", "60");
    return response;
  });
  router.Add("GET", "/metrics", [&ledger, &metrics](const net::HttpRequest&) {
    UpdateLedgerGauges(ledger, metrics);
    return net::HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics.Render(), {}};
  });
  router.Add("GET", "/v1/openapi.json", [](const net::HttpRequest&) {
    return net::JsonResponse(200, std::string(OpenApiDocument()));
  });
  AddLedgerRoutes(router, ledger, metrics, renders);
  return router;
}

// What every file of the web app is served with: its scripts, styles and connections stay on
// the node's origin, nothing inline, no plugins, no framing by other sites.
constexpr const char* kWebContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

Result<net::Router> Node::MakeRouter() {
  net::Router router = MakeNodeRouter(*ledger_, metrics_, renders_);
  routes_ = router.Routes();
  if (!options_.web_root.empty()) {
    net::StaticFilesOptions files;
    files.root = options_.web_root;
    files.headers = {{"Content-Security-Policy", kWebContentSecurityPolicy},
                     {"Referrer-Policy", "no-referrer"},
                     {"X-Frame-Options", "DENY"}};
    QFS_ASSIGN_OR_RETURN(std::shared_ptr<const net::StaticFiles> static_files,
                         net::StaticFiles::Open(std::move(files)));
    net::StaticFiles::Mount(router, "/", std::move(static_files));
  }
  return router;
}

// The soft open-file limit up to the hard one: Debian's default soft limit (1,024) would cap
// connections below the configured default once the ledger's reserve is taken
// (net::HttpServer derives its cap from what is left). Best effort.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

Result<std::unique_ptr<Node>> Node::Start(const NodeOptions& options) {
  QFS_RETURN_IF_ERROR(Validate(options));
  RaiseDescriptorLimit();
  QFS_ASSIGN_OR_RETURN(int fd, LockDataDir(options.data_dir));
  std::unique_ptr<Node> node(new Node(options, fd));
  QFS_RETURN_IF_ERROR(node->OpenLedger());
  net::HttpServer::Options http;
  http.address = options.listen_address;
  http.port = static_cast<std::uint16_t>(options.listen_port);
  http.threads = static_cast<int>(options.http_threads);
  http.connections_max = options.http_connections_max;
  http.request_bytes_max = options.http_request_bytes_max;
  http.idle_timeout_ms = options.http_idle_timeout_ms;
  http.requests_per_second_per_client = options.http_requests_per_second_per_client;
  QFS_ASSIGN_OR_RETURN(http.trusted_proxies,
                       net::TrustedProxies::Parse(options.http_trusted_proxies));
  QFS_ASSIGN_OR_RETURN(const net::ForwardedHeader forwarded_header,
                       net::ParseForwardedHeader(options.http_forwarded_header));
  http.trusted_proxies.set_header(forwarded_header);
  http.tls_certificate_file = options.tls_certificate_file;
  http.tls_key_file = options.tls_key_file;
  QFS_ASSIGN_OR_RETURN(net::Router router, node->MakeRouter());
  QFS_ASSIGN_OR_RETURN(node->server_,
                       net::HttpServer::Start(http, std::move(router), &node->metrics_));
  return node;
}

void Node::Stop() {
  if (server_) server_->Stop();
  renders_.Stop();  // drops reads still waiting (their connections are closed); none renders
                    // from a closed ledger
  ledger_.reset();  // answers still-queued packets; their connections are already closed
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
    const ledger::LedgerStart& start = node.value()->ledger().start();
    std::cout << "qfs node " << kVersion << ": listening on "
              << (node.value()->tls() ? "https://" : "http://") << options.listen_address << ":"
              << node.value()->port() << " (data dir " << options.data_dir << ", identity "
              << node.value()->identity().ToHex() << ", ledger "
              << node.value()->ledger().Head().size << " entries: " << start.snapshot_entries
              << " from the snapshot, " << start.replayed_entries << " replayed)" << std::endl;
    if (!start.snapshot_note.empty()) {
      std::cerr << "qfs node: snapshot not used: " << start.snapshot_note << "\n";
    }
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cout << "qfs node: stopping (signal " << signal_number << ")" << std::endl;
    node.value()->Stop();
    *exit_code = 0;
  });
}

}  // namespace qfs::node
