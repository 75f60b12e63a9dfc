// A small blocking HTTP/1.1 client (Boost.Beast) for the CLI and tests: one request per
// connection, a deadline on the whole exchange, a cap on the response size.
//
//   Result<HttpResponse> r = HttpFetch("http://127.0.0.1:8080", "GET", "/v1/ledger/head");
//
// Thread safety: a pure function; each call has its own connection.
#ifndef QFS_NET_HTTP_CLIENT_H_
#define QFS_NET_HTTP_CLIENT_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "net/http_server.h"

namespace qfs::net {

struct HttpFetchOptions {
  std::uint32_t timeout_ms = 30'000;
  std::size_t response_bytes_max = 64ull << 20;
};

// `base` is "http://HOST:PORT" (an IPv4/IPv6 literal or a name; https is not spoken here).
// Any HTTP status is a successful fetch; errors are INVALID_ARGUMENT for a bad URL,
// UNAVAILABLE if the server cannot be reached or times out, TOO_LARGE for a huge response.
Result<HttpResponse> HttpFetch(const std::string& base, const std::string& method,
                               const std::string& target, const std::string& body = "",
                               const HttpFetchOptions& options = {});

}  // namespace qfs::net

#endif  // QFS_NET_HTTP_CLIENT_H_
