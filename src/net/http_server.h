// A small HTTP/1.1 server (Boost.Beast) for the node's API.
//
// Routes map a method and a path pattern ("/v1/accounts/{id}") to a handler, which answers at
// once or later (AsyncHttpHandler). Every byte from the peer is hostile, so:
//   - requests are read with size limits (headers, and the body by its route's limit) and an
//     idle timeout; a request that
//     breaks a limit is answered 413, a malformed one (bad request line, conflicting lengths, a
//     bad chunk, a bad header) 400, a Transfer-Encoding other than plain "chunked" 501, each with
//     the JSON error, and the connection is then closed;
//   - connections are capped in all (the configured cap, lowered to what RLIMIT_NOFILE leaves
//     after kFileDescriptorsReserved) and per client address; over either cap the peer gets 503;
//     accept() failing for want of descriptors backs off instead of spinning;
//   - each client address has a request rate limit (429), charged one token per request and one
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

namespace qfs::net {

struct HttpRequest {
  std::string method;
  std::string path;   // without the query string
  std::string query;  // after '?', may be empty
  std::string body;
  std::string remote_address;
  std::string request_id;  // unique in this process; also in the response's X-Request-Id
  // The matched route's path parameters: "/v1/accounts/{id}" fills params["id"] (percent-
  // decoded; a '+' stays a '+'). Every parameter of the matched pattern is present.
  std::map<std::string, std::string> params;
  // Every header field as received, in order (names as the client spelled them; values
  // without surrounding whitespace). Bounded by the server's header limit.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of header `name` (ASCII case-insensitive), if it occurs exactly once; nullopt if
  // it is absent or repeated (a repeated singleton such as Authorization is ambiguous, and
  // refusing it is safer than guessing which one a proxy saw).
  std::optional<std::string_view> Header(std::string_view name) const;
  // How many times header `name` occurs (ASCII case-insensitive).
  std::size_t HeaderCount(std::string_view name) const;
};

// The token of an "Authorization: Bearer <token>" header (RFC 6750: the scheme is case-
// insensitive, the token is b64token characters). nullopt without an Authorization header;
// INVALID_ARGUMENT if it is repeated, names another scheme or carries a malformed token.
Result<std::optional<std::string>> BearerToken(const HttpRequest& request);
// The value of cookie `name` from the request's Cookie headers (RFC 6265 "a=b; c=d"; a value
// may be double-quoted); nullopt if absent. The first occurrence wins, as browsers send the
// most specific cookie first.
std::optional<std::string> CookieValue(const HttpRequest& request, std::string_view name);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

HttpResponse JsonResponse(int status, std::string body);
// {"error":{"code":code,"message":message}} with JSON escaping.
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);

// Query parameter `name` of a query string ("a=1&b=2"), percent-decoded with '+' as a space
// (form encoding, which applies to query strings only); nullopt if absent.
std::optional<std::string> QueryParam(const std::string& query, const std::string& name);
// `s` with %XX sequences decoded; '+' decodes to a space only if `plus_is_space`.
std::string PercentDecode(const std::string& s, bool plus_is_space);

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Answers later, from any thread, by calling `respond` exactly once; the server thread is free
// meanwhile (for handlers that wait, such as a durable commit).
using HttpResponder = std::function<void(HttpResponse)>;
using AsyncHttpHandler = std::function<void(const HttpRequest&, HttpResponder respond)>;

// Routes are method + path pattern; a pattern segment "{name}" matches any one non-empty
// segment. A literal segment wins over a parameter at the same position. Each (method, pattern)
// has a body limit: its requests' bodies are read against it (and the server's
// request_bytes_max), and a larger one is answered 413 before it is read.
class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, HttpHandler handler,
           std::size_t body_bytes_max = kHttpRouteBodyBytesDefault);
  void AddAsync(const std::string& method, const std::string& pattern, AsyncHttpHandler handler,
                std::size_t body_bytes_max = kHttpRouteBodyBytesDefault);
  // Calls `respond` (at most once): the handler's answer, 404 for an unknown path, 405 for a
  // known path with another method. Fills request.params with every parameter of the route.
  // Exceptions from the handler propagate to the caller (the server answers them 500); a
  // handler that threw may or may not have called `respond`.
  void Dispatch(HttpRequest& request, HttpResponder respond) const;
  // The route label for metrics: the matched pattern, else "unmatched".
  std::string RouteLabel(const HttpRequest& request) const;
  // The body limit of the route `method` `path` would reach (kHttpRouteBodyBytesDefault for
  // one that reaches none: it is answered 404 or 405 anyway). `path` without the query.
  std::size_t BodyBytesMax(const std::string& method, const std::string& path) const;
  // Every (method, pattern), sorted.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string pattern;
    std::vector<std::string> segments;
    bool has_params = false;
    std::map<std::string, AsyncHttpHandler> handlers;   // by method
    std::map<std::string, std::size_t> body_bytes_max;  // by method
  };
  const Route* Match(const std::string& path, std::map<std::string, std::string>* params) const;
  std::map<std::string, Route> routes_;  // by pattern
};

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
    // The time the rate limiter refills by (NowMicros() / 1000 as milliseconds); tests pass a
    // ManualClock so that a verdict does not depend on how fast requests go. It should not go
    // backwards: time lost that way only delays refills. Not owned; must outlive the server.
    // nullptr: the steady clock.
    Clock* clock = nullptr;
  };

  // Binds and starts serving on background threads. Errors: UNAVAILABLE if the address cannot
  // be bound, INVALID_ARGUMENT for a malformed address, RESOURCE_EXHAUSTED if the descriptor
  // limit leaves no room for connections.
  static Result<std::unique_ptr<HttpServer>> Start(const Options& options, Router router,
                                                   Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // The connection cap in force (Options::connections_max, lowered to what the descriptor
  // limit allows).
  std::size_t connections_max() const;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace qfs::net

#endif  // QFS_NET_HTTP_SERVER_H_
