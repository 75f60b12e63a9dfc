// A small HTTP/1.1 server (Boost.Beast) for the node's API.
//
// Routes map an exact method and path to a handler. Requests are read with size limits
// (headers and body), an idle timeout, a cap on concurrent connections, and a per-client
// (remote address) rate limit; a request that breaks a limit is answered 413/429/503 and the
// handler never sees it. Every error body is {"error":{"code":"...","message":"..."}}.
// Every response is counted in the metrics (qfs_http_requests_total{route,code}) and timed
// (qfs_http_request_duration_seconds).
//
//   HttpServer::Options options;
//   options.port = 0;  // any free port; port() tells which
//   Router router;
//   router.Add("GET", "/healthz", [](const HttpRequest&) { return JsonResponse(200, "{}"); });
//   auto server = HttpServer::Start(options, std::move(router), &metrics).value();
//
// Thread safety: handlers run on the server's threads and may run concurrently.
#ifndef QFS_NET_HTTP_SERVER_H_
#define QFS_NET_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "base/limits.h"
#include "base/metrics.h"
#include "base/status.h"

namespace qfs::net {

struct HttpRequest {
  std::string method;
  std::string path;   // without the query string
  std::string query;  // after '?', may be empty
  std::string body;
  std::string remote_address;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

HttpResponse JsonResponse(int status, std::string body);
// {"error":{"code":code,"message":message}} with JSON escaping.
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  void Add(const std::string& method, const std::string& path, HttpHandler handler);
  // 404 for an unknown path, 405 for a known path with another method.
  HttpResponse Dispatch(const HttpRequest& request) const;
  // The route label for metrics: the path if routed, else "unmatched".
  std::string RouteLabel(const HttpRequest& request) const;

 private:
  std::map<std::string, std::map<std::string, HttpHandler>> routes_;  // path -> method -> handler
};

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: any free port
    std::size_t connections_max = kHttpConnectionsMax;
    std::size_t request_bytes_max = kHttpRequestBytesMax;
    std::size_t header_bytes_max = kHttpHeaderBytesMax;
    std::uint32_t idle_timeout_ms = kHttpIdleTimeoutMs;
    std::uint32_t requests_per_second_per_client = kHttpRequestsPerSecondPerClientMax;
    int threads = 2;
  };

  // Binds and starts serving on background threads. Errors: UNAVAILABLE if the address cannot
  // be bound, INVALID_ARGUMENT for a malformed address.
  static Result<std::unique_ptr<HttpServer>> Start(const Options& options, Router router,
                                                   Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qfs::net

#endif  // QFS_NET_HTTP_SERVER_H_
