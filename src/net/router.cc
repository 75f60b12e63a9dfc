#include "net/router.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/check.h"
#include "base/strings.h"
#include "base/text_encoding.h"

namespace qfs::net {

namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool IsRest(const std::string& segment) {
  return IsParam(segment) && segment[segment.size() - 2] == '*';
}

// The parameter's name: "{id}" -> "id", "{path*}" -> "path".
std::string ParamName(const std::string& segment) {
  return segment.substr(1, segment.size() - (IsRest(segment) ? 3 : 2));
}

}  // namespace

void Router::Add(const std::string& method, const std::string& pattern, HttpHandler handler,
                 std::size_t body_bytes_max) {
  AddAsync(
      method, pattern,
      [handler = std::move(handler)](const HttpRequest& request, const HttpResponder& respond) {
        respond(handler(request));
      },
      body_bytes_max);
}

void Router::AddAsync(const std::string& method, const std::string& pattern,
                      AsyncHttpHandler handler, std::size_t body_bytes_max) {
  QFS_CHECK(!pattern.empty() && pattern.front() == '/');
  Route& route = routes_[pattern];
  route.pattern = pattern;
  route.segments = Segments(pattern);
  route.has_params = std::any_of(route.segments.begin(), route.segments.end(), IsParam);
  route.has_rest = IsRest(route.segments.back());
  QFS_CHECK(std::none_of(route.segments.begin(), route.segments.end() - 1, IsRest));
  QFS_CHECK(route.handlers.emplace(method, std::move(handler)).second);
  route.body_bytes_max[method] = body_bytes_max;
}

void Router::AddWebSocket(const std::string& pattern, WebSocketOptions options,
                          WebSocketAcceptor acceptor) {
  Add("GET", pattern, [](const HttpRequest&) {
    HttpResponse r = ErrorResponse(426, "UPGRADE_REQUIRED", "this is a WebSocket endpoint");
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
  });
  routes_[pattern].websocket = std::make_shared<const WebSocketRoute>(
      WebSocketRoute{std::move(options), std::move(acceptor)});
}

const Router::WebSocketRoute* Router::WebSocketAt(const std::string& path) const {
  const Route* route = Match(path, nullptr);
  return route == nullptr ? nullptr : route->websocket.get();
}

std::size_t Router::BodyBytesMax(const std::string& method, const std::string& path) const {
  const Route* route = Match(path, nullptr);
  if (route == nullptr) return kHttpRouteBodyBytesDefault;
  auto it = route->body_bytes_max.find(method);
  return it == route->body_bytes_max.end() ? kHttpRouteBodyBytesDefault : it->second;
}

const Router::Route* Router::Match(const std::string& path,
                                   std::map<std::string, std::string>* params) const {
  if (path.empty() || path.front() != '/') return nullptr;
  // A literal route equal to the path wins outright. A pattern with parameters is never taken
  // this way: a path spelled like the pattern ("/v1/accounts/{id}") matches it as a parameter
  // value, below, so that its parameters are filled like any other.
  if (auto exact = routes_.find(path); exact != routes_.end() && !exact->second.has_params) {
    return &exact->second;
  }
  const std::vector<std::string> segments = Segments(path);
  const Route* best = nullptr;
  std::size_t best_rank = 0;
  for (const auto& [pattern, route] : routes_) {
    // A rest segment matches the rest, however many segments (the empty rest of "/a/" or "/a"
    // included).
    const std::size_t fixed = route.segments.size() - (route.has_rest ? 1 : 0);
    if (route.has_rest ? segments.size() < fixed : route.segments.size() != segments.size()) {
      continue;
    }
    std::size_t literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < fixed && match; ++i) {
      if (IsParam(route.segments[i])) {
        match = !segments[i].empty();
      } else {
        match = route.segments[i] == segments[i];
        ++literals;
      }
    }
    // Fixed-length patterns first, then the most literal segments.
    const std::size_t rank = (route.has_rest ? 0 : 1000) + literals + 1;
    if (match && rank > best_rank) {
      best = &route;
      best_rank = rank;
    }
  }
  if (best != nullptr && params != nullptr) {
    const std::size_t fixed = best->segments.size() - (best->has_rest ? 1 : 0);
    for (std::size_t i = 0; i < fixed; ++i) {
      const std::string& s = best->segments[i];
      if (IsParam(s)) (*params)[ParamName(s)] = PercentDecode(segments[i], false);
    }
    if (best->has_rest) {
      std::string rest;
      for (std::size_t i = fixed; i < segments.size(); ++i) {
        rest += (i == fixed ? "" : "/") + segments[i];
      }
      (*params)[ParamName(best->segments.back())] = rest;
    }
  }
  return best;
}

void Router::Dispatch(HttpRequest& request, HttpResponder respond) const {
  const Route* route = Match(request.path, &request.params);
  if (route == nullptr) {
    return respond(ErrorResponse(404, "NOT_FOUND", "no route " + TruncateUtf8(request.path, 256)));
  }
  auto handler = route->handlers.find(request.method);
  if (handler == route->handlers.end() && request.method == "HEAD") {
    handler = route->handlers.find("GET");
  }
  if (handler == route->handlers.end()) {
    HttpResponse refused = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                         TruncateUtf8(request.method, 32) + " not allowed here");
    std::string allow;
    for (const auto& [method, unused] : route->handlers)
      allow += (allow.empty() ? "" : ", ") + method;
    refused.headers.emplace_back("Allow", allow);
    return respond(std::move(refused));
  }
  handler->second(request, std::move(respond));
}

std::string Router::RouteLabel(const HttpRequest& request) const {
  const Route* route = Match(request.path, nullptr);
  if (route == nullptr) return "unmatched";
  return route->pattern;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [pattern, route] : routes_) {
    for (const auto& [method, handler] : route.handlers) out.emplace_back(method, pattern);
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace qfs::net
