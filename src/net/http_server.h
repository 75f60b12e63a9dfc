// A small HTTP/1.1 server (Boost.Beast) for the node's API, its WebSocket endpoints
// (websocket.h) and its static files (static_files.h), in plain HTTP or TLS.
//
// Routes map a method and a path pattern ("/v1/accounts/{id}") to a handler, which answers at
// once or later (AsyncHttpHandler). Every byte from the peer is hostile, so:
//   - requests are read with size limits (headers, and the body by its route's limit) and an
//     idle timeout; a request that breaks a limit is answered 413, a malformed one (bad request
//     line, conflicting lengths, a bad chunk, a bad header) 400, a Transfer-Encoding other than
//     plain "chunked" 501, each with the JSON error, and the connection is then closed;
//   - connections are capped in all (the configured cap, lowered to what RLIMIT_NOFILE leaves
//     after kFileDescriptorsReserved) and per client address; over either cap the peer gets 503;
//     accept() failing for want of descriptors backs off instead of spinning;
//   - each client address (behind trusted proxies, the one they report) has a request rate
//     limit (429), charged one token per request and one
//     more per kHttpResponseBytesPerToken of response body;
//   - response bytes waiting for slow peers are bounded per node (503 past the budget; small
//     responses such as /healthz always go out), and a response not taken within the write
//     timeout is dropped with its connection;
//   - no exception crosses a request: one thrown by a handler is answered 500 with the request
//     id and counted (qfs_http_handler_exceptions_total).
// Every response carries X-Request-Id; every 429 and 503 carries Retry-After. Every error body is
// {"error":{"code":"...","message":"..."}} (valid UTF-8 whatever the request held). Responses
// are counted (qfs_http_requests_total{route,code}) and timed (qfs_http_request_duration_seconds).
//
//   HttpServer::Options options;
//   options.port = 0;  // any free port; port() tells which
//   Router router;
//   router.Add("GET", "/healthz", [](const HttpRequest&) { return JsonResponse(200, "{}"); });
//   auto server = HttpServer::Start(options, std::move(router), &metrics).value();
//
// Thread safety: handlers run on the server's threads and may run concurrently; an async
// handler's `respond` may be called from any thread. Stop() before destroying what handlers use;
// answers that arrive after Stop() are dropped with their connections.
#ifndef QFS_NET_HTTP_SERVER_H_
#define QFS_NET_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/limits.h"
#include "base/metrics.h"
#include "base/status.h"
#include "net/client_address.h"
#include "net/router.h"

namespace qfs::net {

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port
    // Lowered at start to RLIMIT_NOFILE's soft limit less kFileDescriptorsReserved.
    std::size_t connections_max = kHttpConnectionsMax;
    std::size_t connections_per_client_max = kHttpConnectionsPerClientMax;
    std::size_t request_bytes_max = kHttpRequestBytesMax;
    std::size_t header_bytes_max = kHttpHeaderBytesMax;
    std::uint32_t idle_timeout_ms = kHttpIdleTimeoutMs;
    std::uint32_t write_timeout_ms = kHttpWriteTimeoutMs;
    std::uint32_t requests_per_second_per_client = kHttpRequestsPerSecondPerClientMax;
    std::size_t response_bytes_in_flight_max = kHttpResponseBytesInFlightMax;
    int threads = 2;
    // Peers whose X-Forwarded-For / Forwarded is believed (client_address.h): the rate limiter,
    // WebSocket channels and handlers (HttpRequest::remote_address) see the client they report.
    // They are held to the node-wide connection cap only, not the per-client one. Connections
    // are capped by TCP peer, which is known before a header is read.
    TrustedProxies trusted_proxies;
    // PEM files; both set: the server speaks TLS only (1.2 and 1.3; TLS 1.2 with ECDHE and AEAD
    // suites only; no renegotiation). The certificate file may hold the chain after the leaf.
    std::string tls_certificate_file;
    std::string tls_key_file;
    // The time the rate limiter refills by (NowMicros() / 1000 as milliseconds); tests pass a
    // ManualClock so that a verdict does not depend on how fast requests go. It should not go
    // backwards: time lost that way only delays refills. Not owned; must outlive the server.
    // nullptr: the steady clock.
    Clock* clock = nullptr;
  };

  // Binds and starts serving on background threads. Errors: UNAVAILABLE if the address cannot
  // be bound, INVALID_ARGUMENT for a malformed address or TLS files that do not load or match,
  // RESOURCE_EXHAUSTED if the descriptor limit leaves no room for connections.
  static Result<std::unique_ptr<HttpServer>> Start(const Options& options, Router router,
                                                   Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // The connection cap in force (Options::connections_max, lowered to what the descriptor
  // limit allows).
  std::size_t connections_max() const;
  // Whether it speaks TLS.
  bool tls() const;
  // Stops accepting; sends every WebSocket connection 1001 and waits up to kWsStopGraceMs for
  // them to close (their handlers' OnClose runs in any case); drops the HTTP connections, and
  // joins the threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qfs::net

#endif  // QFS_NET_HTTP_SERVER_H_
