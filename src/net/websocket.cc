#include "net/websocket.h"

#include "base/strings.h"

namespace qfs::net {

bool WebSocketOriginAllowed(const WebSocketOptions& options, std::string_view origin,
                            std::optional<std::string_view> host) {
  for (const std::string& allowed : options.allowed_origins) {
    if (allowed == "*" || EqualsIgnoringAsciiCase(allowed, origin)) return true;
  }
  // The node's own pages: the origin's host[:port] is the Host the browser asked.
  const std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || !host || host->empty()) return false;
  const std::string_view scheme = origin.substr(0, scheme_end);
  if (!EqualsIgnoringAsciiCase(scheme, "http") && !EqualsIgnoringAsciiCase(scheme, "https")) {
    return false;
  }
  return EqualsIgnoringAsciiCase(origin.substr(scheme_end + 3), *host);
}

}  // namespace qfs::net
