#include "net/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "base/strings.h"
#include "base/text_encoding.h"

namespace qfs::net {

namespace {

// Splits on `separator` outside double quotes.
std::vector<std::string_view> SplitOutsideQuotes(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == separator && !quoted) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// The for= value of one Forwarded element ("for=1.2.3.4;proto=https"), unquoted; empty if the
// element has none.
std::string_view ForwardedFor(std::string_view element) {
  for (std::string_view pair : SplitOutsideQuotes(element, ';')) {
    pair = TrimHttpWhitespace(pair);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos ||
        !EqualsIgnoringAsciiCase(TrimHttpWhitespace(pair.substr(0, eq)), "for")) {
      continue;
    }
    std::string_view value = TrimHttpWhitespace(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

// The hops the trusted proxies report in `header`, oldest first.
std::vector<std::string_view> ReportedHops(const HttpRequest& request, ForwardedHeader header) {
  std::vector<std::string_view> hops;
  const bool forwarded = header == ForwardedHeader::kForwarded;
  for (const auto& [name, value] : request.headers) {
    if (forwarded && EqualsIgnoringAsciiCase(name, "Forwarded")) {
      for (std::string_view element : SplitOutsideQuotes(value, ',')) {
        hops.push_back(ForwardedFor(element));
      }
    } else if (!forwarded && EqualsIgnoringAsciiCase(name, "X-Forwarded-For")) {
      for (std::string_view item : SplitOutsideQuotes(value, ',')) {
        hops.push_back(TrimHttpWhitespace(item));
      }
    }
  }
  return hops;
}

// An address without brackets or port.
std::optional<IpBytes> ParseBareIp(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string host(text);
  IpBytes out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

}  // namespace

std::optional<IpBytes> ParseIpAddress(std::string_view text) {
  text = TrimHttpWhitespace(text);
  if (!text.empty() && text.front() == '[') {  // "[v6]" or "[v6]:port"
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return std::nullopt;
    return ParseBareIp(text.substr(1, close - 1));
  }
  if (std::count(text.begin(), text.end(), ':') == 1) {  // "v4:port"
    return ParseBareIp(text.substr(0, text.find(':')));
  }
  return ParseBareIp(text);
}

std::string FormatIpAddress(const IpBytes& address) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char text[INET6_ADDRSTRLEN] = {};
  if (std::memcmp(address.data(), kMapped, 12) == 0) {
    ::inet_ntop(AF_INET, address.data() + 12, text, sizeof(text));
  } else {
    ::inet_ntop(AF_INET6, address.data(), text, sizeof(text));
  }
  return text;
}

Result<ForwardedHeader> ParseForwardedHeader(std::string_view name) {
  if (EqualsIgnoringAsciiCase(name, "x-forwarded-for")) return ForwardedHeader::kXForwardedFor;
  if (EqualsIgnoringAsciiCase(name, "forwarded")) return ForwardedHeader::kForwarded;
  return Status(StatusCode::kInvalidArgument,
                "the forwarded header must be x-forwarded-for or forwarded");
}

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  if (TrimHttpWhitespace(list).empty()) return out;
  for (std::string_view item : SplitOutsideQuotes(list, ',')) {
    item = TrimHttpWhitespace(item);
    const auto bad = [&] {
      return Status(StatusCode::kInvalidArgument,
                    "trusted proxy '" + SanitizeUtf8(TruncateUtf8(std::string(item), 64)) +
                        "' is not an address or CIDR block");
    };
    if (out.networks_.size() == kTrustedProxiesMax) {
      return Status(StatusCode::kInvalidArgument,
                    "more than " + std::to_string(kTrustedProxiesMax) + " trusted proxies");
    }
    const std::size_t slash = item.find('/');
    const std::string_view host = item.substr(0, slash);
    const std::optional<IpBytes> address = ParseBareIp(host);
    if (!address) return bad();
    const bool v4 = host.find(':') == std::string_view::npos;
    int bits = 128;
    if (slash != std::string_view::npos) {
      const std::string_view digits = item.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad();
      }
      const int prefix = std::stoi(std::string(digits));
      if (prefix > (v4 ? 32 : 128)) return bad();
      bits = v4 ? 96 + prefix : prefix;
    }
    Network network{*address, bits};
    for (int i = bits; i < 128; ++i) {  // normalise: host bits cleared
      network.address[i / 8] &= static_cast<std::uint8_t>(~(0x80 >> (i % 8)));
    }
    out.networks_.push_back(network);
  }
  return out;
}

bool TrustedProxies::Contains(const IpBytes& address) const {
  for (const Network& network : networks_) {
    bool match = true;
    for (int i = 0; i < network.prefix_bits && match; ++i) {
      const int mask = 0x80 >> (i % 8);
      match = (address[i / 8] & mask) == (network.address[i / 8] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string ClientAddress(std::string_view peer, const HttpRequest& request,
                          const TrustedProxies& proxies) {
  const std::optional<IpBytes> peer_ip = ParseIpAddress(peer);
  if (!peer_ip) return std::string(peer);
  IpBytes current = *peer_ip;
  if (proxies.empty() || !proxies.Contains(current)) return FormatIpAddress(current);
  const std::vector<std::string_view> hops = ReportedHops(request, proxies.header());
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const std::optional<IpBytes> address = ParseIpAddress(*hop);
    // A hop a trusted proxy could not name ("unknown", obfuscated, garbage): that proxy is the
    // nearest address we know.
    if (!address) break;
    current = *address;
    if (!proxies.Contains(current)) break;
  }
  return FormatIpAddress(current);
}

}  // namespace qfs::net
