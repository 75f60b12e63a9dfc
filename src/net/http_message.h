// HTTP requests and responses as the server hands them to handlers: plain data and functions
// over it (headers, bearer tokens, cookies, query parameters, JSON errors), usable without a
// socket.
#ifndef QFS_NET_HTTP_MESSAGE_H_
#define QFS_NET_HTTP_MESSAGE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

}  // namespace qfs::net

#endif  // QFS_NET_HTTP_MESSAGE_H_
