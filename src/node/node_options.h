// NodeOptions: everything `qfs node` can be told, with defaults. Sources, later ones winning:
// the defaults below, a config file (`--config FILE`, lines `key = value`), environment
// variables (QFS_<KEY in upper case>), and command-line flags (--key-with-dashes).
// docs/configuration.md lists every field; node_options_test.cc sets every field each way.
#ifndef QFS_NODE_NODE_OPTIONS_H_
#define QFS_NODE_NODE_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/limits.h"
#include "base/status.h"

namespace qfs::node {

struct NodeOptions {
  // Directory for the node's data (ledger segments, checkpoints, SQLite). Created if missing;
  // one node at a time (a lock file guards it).
  std::string data_dir = "./qfs-data";
  // Address and port of the HTTP API. Port 0 picks a free port (printed at start).
  std::string listen_address = "127.0.0.1";
  std::uint32_t listen_port = 8080;
  // HTTP server threads.
  std::uint32_t http_threads = 2;
  // Concurrent connections; more are answered 503.
  std::uint32_t http_connections_max = kHttpConnectionsMax;
  // Largest request body; larger requests are answered 413.
  std::uint32_t http_request_bytes_max = kHttpRequestBytesMax;
  // A connection idle this long is closed.
  std::uint32_t http_idle_timeout_ms = kHttpIdleTimeoutMs;
  // Requests per second per client address (bursts of twice that); more are answered 429.
  std::uint32_t http_requests_per_second_per_client = kHttpRequestsPerSecondPerClientMax;
  // Proxies and CDNs in front of the node whose X-Forwarded-For / Forwarded is believed:
  // comma-separated addresses and CIDR blocks ("10.0.0.0/8, 2001:db8::1"). Empty: nobody's;
  // the TCP peer is the client.
  std::string http_trusted_proxies;
  // The header those proxies write: x-forwarded-for or forwarded (RFC 7239). Only it is read;
  // the other, passed through from the client, is ignored.
  std::string http_forwarded_header = "x-forwarded-for";
  // TLS: a PEM certificate (chain) file and its PEM key file; both set, the port speaks HTTPS
  // (and WSS) only. Empty: plain HTTP (the embedded default, on loopback).
  std::string tls_certificate_file;
  std::string tls_key_file;
  // A directory whose files the node serves at "/" (the web app's build); API routes win over
  // file names. Empty: no files are served.
  std::string web_root;
  // error, warn, info or debug.
  std::string log_level = "info";

  // The node key (a `qfs keygen` file): signs checkpoints and halt records. Empty: DATA_DIR/
  // node.key, generated (hybrid Ed25519+ML-DSA-65) on first start if missing.
  std::string node_key_file;
  // The network's genesis parameters (JSON, docs/ledger.md). Empty: a new ledger starts from the
  // development genesis (network 1, ATR transferable, the node key's identity holding every
  // role); an existing ledger keeps the genesis it was started from. Set, it must match the
  // ledger's entry 0.
  std::string genesis_file;
  // Entries between signed checkpoints (tree head + state root).
  std::uint32_t ledger_checkpoint_interval = 10'000;
  // Entries per group commit (one fdatasync).
  std::uint32_t ledger_commit_batch_max = 4096;
  // Group commit window, microseconds: a sync starts no sooner than this after the last one.
  std::uint32_t ledger_commit_window_us = 1000;
  // The window while the node keeps every core busy (ledger/commit_window.h).
  std::uint32_t ledger_commit_window_busy_us = 4000;
  // Packets waiting for the sequencer; more are answered 503.
  std::uint32_t ledger_queue_max = 65'536;
  // Size at which the log starts a new segment file, MiB.
  std::uint32_t ledger_segment_mib = 64;
  // Entries between state snapshots (also written at a clean stop); a start replays only what
  // follows the last one. 0: only at a clean stop.
  std::uint32_t ledger_snapshot_interval = 100'000;
};

// One settable field: its key (config file), environment variable, help text, and setter.
struct NodeOptionField {
  std::string key;
  std::string env;
  std::string help;
  std::function<Status(NodeOptions&, const std::string&)> set;
  std::function<std::string(const NodeOptions&)> get;
};
const std::vector<NodeOptionField>& NodeOptionFields();

// Reads `key = value` lines ('#' starts a comment; values may be double-quoted). Unknown keys
// and malformed values are errors naming the line.
Status ApplyConfigText(const std::string& text, const std::string& origin, NodeOptions* options);
Status ApplyConfigFile(const std::string& path, NodeOptions* options);
// Applies every QFS_* variable that `getenv` returns.
Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv,
                        NodeOptions* options);
// Checks ranges and relations between fields.
Status Validate(const NodeOptions& options);

}  // namespace qfs::node

#endif  // QFS_NODE_NODE_OPTIONS_H_
