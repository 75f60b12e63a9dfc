// The router: maps a method and a path pattern to a handler (http_server.h serves it).
#ifndef QFS_NET_ROUTER_H_
#define QFS_NET_ROUTER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/limits.h"
#include "base/status.h"
#include "net/http_message.h"
#include "net/websocket.h"

namespace qfs::net {

// Routes are method + path pattern; a pattern segment "{name}" matches any one non-empty
// segment, and a last segment "{name*}" matches the rest of the path, empty or of several
// segments (params[name] is that rest as received, not percent-decoded: its reader decides
// what a decoded '/' means). A literal segment wins over a parameter at the same position, and
// a pattern without a rest segment over one with. Each (method, pattern) has a body limit: its
// requests' bodies are read against it (and the server's request_bytes_max), and a larger one
// is answered 413 before it is read. HEAD is answered by the GET handler where a route has no
// HEAD handler of its own (the server sends the headers only).
class Router {
 public:
  struct WebSocketRoute {
    WebSocketOptions options;
    WebSocketAcceptor acceptor;
  };

  void Add(const std::string& method, const std::string& pattern, HttpHandler handler,
           std::size_t body_bytes_max = kHttpRouteBodyBytesDefault);
  void AddAsync(const std::string& method, const std::string& pattern, AsyncHttpHandler handler,
                std::size_t body_bytes_max = kHttpRouteBodyBytesDefault);
  // A WebSocket endpoint at `pattern` (websocket.h): a GET that asks to upgrade reaches
  // `acceptor`; a GET that does not is answered 426.
  void AddWebSocket(const std::string& pattern, WebSocketOptions options,
                    WebSocketAcceptor acceptor);
  // The WebSocket endpoint `path` reaches, or nullptr.
  const WebSocketRoute* WebSocketAt(const std::string& path) const;
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
    bool has_rest = false;                              // the last segment is "{name*}"
    std::map<std::string, AsyncHttpHandler> handlers;   // by method
    std::map<std::string, std::size_t> body_bytes_max;  // by method
    std::shared_ptr<const WebSocketRoute> websocket;
  };
  const Route* Match(const std::string& path, std::map<std::string, std::string>* params) const;
  std::map<std::string, Route> routes_;  // by pattern
};

}  // namespace qfs::net

#endif  // QFS_NET_ROUTER_H_
