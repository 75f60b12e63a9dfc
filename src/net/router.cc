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
  QFS_CHECK(route.handlers.emplace(method, std::move(handler)).second);
  route.body_bytes_max[method] = body_bytes_max;
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
  std::size_t best_literals = 0;
  for (const auto& [pattern, route] : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::size_t literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (IsParam(route.segments[i])) {
        match = !segments[i].empty();
      } else {
        match = route.segments[i] == segments[i];
        ++literals;
      }
    }
    if (match && (best == nullptr || literals > best_literals)) {
      best = &route;
      best_literals = literals;
    }
  }
  if (best != nullptr && params != nullptr) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& s = best->segments[i];
      if (IsParam(s)) (*params)[s.substr(1, s.size() - 2)] = PercentDecode(segments[i], false);
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
  if (handler == route->handlers.end()) {
    return respond(ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                 TruncateUtf8(request.method, 32) + " not allowed here"));
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
