#include "node/node_options.h"

#include "base/strings.h"
#include "net/client_address.h"

#include <fstream>
#include <limits>
#include <sstream>

namespace qfs::node {
namespace {

Result<std::uint32_t> ParseUint32(const std::string& text) {
  const std::string shown = "'" + SanitizeUtf8(TruncateUtf8(text, 64)) + "'";
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status(StatusCode::kParseError, "expected a non-negative integer, got " + shown);
  }
  Result<std::uint64_t> v = ParseUint64(text, shown, std::numeric_limits<std::uint32_t>::max());
  if (!v.ok()) return Status(StatusCode::kOutOfRange, shown + " is too large");
  return static_cast<std::uint32_t>(v.value());
}

// data_dir -> QFS_DATA_DIR
std::string EnvironmentName(const std::string& key) {
  std::string env = "QFS_";
  for (char c : key) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

template <std::uint32_t NodeOptions::*Field>
NodeOptionField UintField(const std::string& key, const std::string& help) {
  return {key, EnvironmentName(key), help,
          [](NodeOptions& o, const std::string& v) -> Status {
            QFS_ASSIGN_OR_RETURN(o.*Field, ParseUint32(v));
            return OkStatus();
          },
          [](const NodeOptions& o) { return std::to_string(o.*Field); }};
}

template <std::string NodeOptions::*Field>
NodeOptionField StringField(const std::string& key, const std::string& help) {
  return {key, EnvironmentName(key), help,
          [](NodeOptions& o, const std::string& v) -> Status {
            o.*Field = v;
            return OkStatus();
          },
          [](const NodeOptions& o) { return o.*Field; }};
}

std::string Trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

Status SetField(NodeOptions* options, const std::string& key, const std::string& value,
                const std::string& where) {
  for (const NodeOptionField& f : NodeOptionFields()) {
    if (f.key != key) continue;
    Status s = f.set(*options, value);
    if (!s.ok()) return Status(s.code(), where + ": " + key + ": " + s.message());
    return OkStatus();
  }
  return Status(StatusCode::kInvalidArgument, where + ": unknown option '" + key + "'");
}

}  // namespace

const std::vector<NodeOptionField>& NodeOptionFields() {
  static const std::vector<NodeOptionField> fields = {
      StringField<&NodeOptions::data_dir>("data_dir", "data directory"),
      StringField<&NodeOptions::listen_address>("listen_address", "HTTP listen address"),
      UintField<&NodeOptions::listen_port>("listen_port", "HTTP port (0: any free port)"),
      UintField<&NodeOptions::http_threads>("http_threads", "HTTP server threads"),
      UintField<&NodeOptions::http_connections_max>("http_connections_max",
                                                    "concurrent connections"),
      UintField<&NodeOptions::http_request_bytes_max>("http_request_bytes_max",
                                                      "largest request body"),
      UintField<&NodeOptions::http_idle_timeout_ms>("http_idle_timeout_ms",
                                                    "idle connection timeout"),
      UintField<&NodeOptions::http_requests_per_second_per_client>(
          "http_requests_per_second_per_client", "rate limit per client address"),
      StringField<&NodeOptions::http_trusted_proxies>(
          "http_trusted_proxies", "proxies whose X-Forwarded-For is believed (addresses, CIDR)"),
      StringField<&NodeOptions::http_forwarded_header>(
          "http_forwarded_header",
          "the header trusted proxies write: x-forwarded-for or forwarded"),
      StringField<&NodeOptions::tls_certificate_file>("tls_certificate_file",
                                                      "TLS certificate chain (PEM)"),
      StringField<&NodeOptions::tls_key_file>("tls_key_file", "TLS private key (PEM)"),
      StringField<&NodeOptions::web_root>("web_root", "directory of files served at /"),
      StringField<&NodeOptions::log_level>("log_level", "error, warn, info or debug"),
      StringField<&NodeOptions::node_key_file>("node_key_file",
                                               "node key file (empty: DATA_DIR/node.key)"),
      StringField<&NodeOptions::genesis_file>("genesis_file",
                                              "genesis JSON (empty: development genesis)"),
      UintField<&NodeOptions::ledger_checkpoint_interval>("ledger_checkpoint_interval",
                                                          "entries between checkpoints"),
      UintField<&NodeOptions::ledger_commit_batch_max>("ledger_commit_batch_max",
                                                       "entries per group commit"),
      UintField<&NodeOptions::ledger_commit_window_us>("ledger_commit_window_us",
                                                       "group commit window, microseconds"),
      UintField<&NodeOptions::ledger_commit_window_busy_us>(
          "ledger_commit_window_busy_us", "group commit window with every core busy, microseconds"),
      UintField<&NodeOptions::ledger_queue_max>("ledger_queue_max", "packets waiting to commit"),
      UintField<&NodeOptions::ledger_segment_mib>("ledger_segment_mib", "log segment size, MiB"),
      UintField<&NodeOptions::ledger_snapshot_interval>("ledger_snapshot_interval",
                                                        "entries between state snapshots"),
  };
  return fields;
}

Status ApplyConfigText(const std::string& text, const std::string& origin, NodeOptions* options) {
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string where = origin + ":" + std::to_string(number);
    std::size_t hash = line.find('#');
    std::string content = Trim(line.substr(0, hash));
    if (content.empty()) continue;
    std::size_t eq = content.find('=');
    if (eq == std::string::npos) {
      return Status(StatusCode::kParseError, where + ": expected 'key = value'");
    }
    std::string key = Trim(content.substr(0, eq));
    std::string value = Trim(content.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    QFS_RETURN_IF_ERROR(SetField(options, key, value, where));
  }
  return OkStatus();
}

Status ApplyConfigFile(const std::string& path, NodeOptions* options) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::kNotFound, "cannot read config file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (buffer.str().size() > 1024 * 1024) {
    return Status(StatusCode::kTooLarge, "config file '" + path + "' is larger than 1 MiB");
  }
  return ApplyConfigText(buffer.str(), path, options);
}

Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv,
                        NodeOptions* options) {
  for (const NodeOptionField& f : NodeOptionFields()) {
    const char* v = getenv(f.env.c_str());
    if (v == nullptr) continue;
    QFS_RETURN_IF_ERROR(SetField(options, f.key, v, f.env));
  }
  return OkStatus();
}

Status Validate(const NodeOptions& o) {
  auto bad = [](const std::string& what) { return Status(StatusCode::kOutOfRange, what); };
  if (o.data_dir.empty()) return bad("data_dir must not be empty");
  if (o.listen_port > 65535) return bad("listen_port must be at most 65535");
  auto range = [](const char* name, std::uint64_t min, std::uint64_t max) {
    return std::string(name) + " must be " + std::to_string(min) + ".." + std::to_string(max);
  };
  if (o.http_threads < 1 || o.http_threads > kNodeHttpThreadsMax) {
    return bad(range("http_threads", 1, kNodeHttpThreadsMax));
  }
  if (o.http_connections_max < 1 || o.http_connections_max > kNodeHttpConnectionsMax) {
    return bad(range("http_connections_max", 1, kNodeHttpConnectionsMax));
  }
  // Below the minimum the largest packet could not be submitted.
  if (o.http_request_bytes_max < kNodeHttpRequestBytesMin ||
      o.http_request_bytes_max > kNodeHttpRequestBytesMax) {
    return bad(range("http_request_bytes_max", kNodeHttpRequestBytesMin, kNodeHttpRequestBytesMax) +
               " (a hex-encoded packet of 64 KiB must fit)");
  }
  if (o.http_idle_timeout_ms < 100) return bad("http_idle_timeout_ms must be at least 100");
  if (o.http_requests_per_second_per_client < 1) {
    return bad("http_requests_per_second_per_client must be at least 1");
  }
  if (const Result<net::TrustedProxies> proxies =
          net::TrustedProxies::Parse(o.http_trusted_proxies);
      !proxies.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  "http_trusted_proxies: " + proxies.status().message());
  }
  if (const Result<net::ForwardedHeader> header =
          net::ParseForwardedHeader(o.http_forwarded_header);
      !header.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  "http_forwarded_header: " + header.status().message());
  }
  if (o.tls_certificate_file.empty() != o.tls_key_file.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "tls_certificate_file and tls_key_file go together: set both or neither");
  }
  if (o.log_level != "error" && o.log_level != "warn" && o.log_level != "info" &&
      o.log_level != "debug") {
    return bad("log_level must be error, warn, info or debug");
  }
  if (o.ledger_checkpoint_interval < 1) return bad("ledger_checkpoint_interval must be >= 1");
  if (o.ledger_commit_batch_max < 1 || o.ledger_commit_batch_max > kNodeCommitBatchMax) {
    return bad(range("ledger_commit_batch_max", 1, kNodeCommitBatchMax));
  }
  if (o.ledger_commit_window_us > kNodeCommitWindowUsMax) {
    return bad(range("ledger_commit_window_us", 0, kNodeCommitWindowUsMax));
  }
  if (o.ledger_commit_window_busy_us > kNodeCommitWindowUsMax) {
    return bad(range("ledger_commit_window_busy_us", 0, kNodeCommitWindowUsMax));
  }
  if (o.ledger_queue_max < 1 || o.ledger_queue_max > kNodeQueueMax) {
    return bad(range("ledger_queue_max", 1, kNodeQueueMax));
  }
  if (o.ledger_segment_mib < 1 || o.ledger_segment_mib > kNodeSegmentMibMax) {
    return bad(range("ledger_segment_mib", 1, kNodeSegmentMibMax));
  }
  return OkStatus();
}

}  // namespace qfs::node
