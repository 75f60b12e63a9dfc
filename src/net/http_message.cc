#include "net/http_message.h"

#include <string>
#include <string_view>

#include "base/strings.h"

namespace qfs::net {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool IsB64Token(std::string_view token) {
  std::size_t i = 0;
  for (; i < token.size(); ++i) {
    const char c = token[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  if (i == 0) return false;
  for (; i < token.size(); ++i) {
    if (token[i] != '=') return false;
  }
  return true;
}

}  // namespace

HttpResponse JsonResponse(int status, std::string body) {
  return HttpResponse{status, "application/json", std::move(body), {}};
}

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, "{\"error\":{\"code\":\"" + JsonStringContents(code) +
                                  "\",\"message\":\"" + JsonStringContents(message) + "\"}}");
}

std::string PercentDecode(const std::string& s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  std::optional<std::string_view> found;
  for (const auto& [field, value] : headers) {
    if (!EqualsIgnoringAsciiCase(field, name)) continue;
    if (found) return std::nullopt;  // repeated
    found = value;
  }
  return found;
}

std::size_t HttpRequest::HeaderCount(std::string_view name) const {
  std::size_t n = 0;
  for (const auto& header : headers) n += EqualsIgnoringAsciiCase(header.first, name) ? 1 : 0;
  return n;
}

Result<std::optional<std::string>> BearerToken(const HttpRequest& request) {
  const std::size_t count = request.HeaderCount("Authorization");
  if (count == 0) return std::optional<std::string>();
  if (count > 1) return Status(StatusCode::kInvalidArgument, "more than one Authorization header");
  const std::string_view value = *request.Header("Authorization");
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos ||
      !EqualsIgnoringAsciiCase(value.substr(0, space), "Bearer")) {
    return Status(StatusCode::kInvalidArgument, "the Authorization scheme must be Bearer");
  }
  const std::string_view token = TrimHttpWhitespace(value.substr(space + 1));
  if (!IsB64Token(token)) return Status(StatusCode::kInvalidArgument, "malformed bearer token");
  return std::optional<std::string>(std::string(token));
}

std::optional<std::string> CookieValue(const HttpRequest& request, std::string_view name) {
  for (const auto& [field, value] : request.headers) {
    if (!EqualsIgnoringAsciiCase(field, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t semicolon = rest.find(';');
      const std::string_view pair = TrimHttpWhitespace(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || TrimHttpWhitespace(pair.substr(0, eq)) != name) continue;
      std::string_view v = TrimHttpWhitespace(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
  }
  return std::nullopt;
}

std::optional<std::string> QueryParam(const std::string& query, const std::string& name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    std::size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq), true) == name) {
      return eq == std::string::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace qfs::net
