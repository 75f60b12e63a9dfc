// Which address a request comes from when the node sits behind proxies or a CDN.
//
// The TCP peer is the client unless it is a trusted proxy. A trusted proxy reports the hops
// before it in one header — `X-Forwarded-For` (the default) or `Forwarded` (RFC 7239, its for=
// parameters), whichever the proxies are configured to write; the other is ignored, since a
// proxy passes through what it does not write itself and the client could fill it in. Each
// proxy appends the address it received the request from, so the list is read from the right,
// skipping trusted proxies: the first address that is not one is the client. Anything to its
// left was written by the client itself and is never believed.
//
//   auto proxies = TrustedProxies::Parse("10.0.0.0/8, 2001:db8::1").value();
//   std::string client = ClientAddress("10.1.2.3", request, proxies);
//
// Addresses come out in one canonical text form (IPv4 dotted quad, also for IPv4-mapped IPv6;
// IPv6 compressed lower case), so that one client is one rate-limiter key however it was spelt.
#ifndef QFS_NET_CLIENT_ADDRESS_H_
#define QFS_NET_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/router.h"

namespace qfs::net {

// An IP address as 16 bytes (IPv4 as IPv4-mapped IPv6).
using IpBytes = std::array<std::uint8_t, 16>;

// Parses an IPv4 or IPv6 address, optionally bracketed ("[::1]") and with a port ("1.2.3.4:80",
// "[::1]:80"); nullopt if it is none of these (RFC 7239's "unknown" and obfuscated "_x" too).
std::optional<IpBytes> ParseIpAddress(std::string_view text);
// The canonical text of an address (see above).
std::string FormatIpAddress(const IpBytes& address);

// The header the trusted proxies write.
enum class ForwardedHeader { kXForwardedFor, kForwarded };
// "x-forwarded-for" or "forwarded" (ASCII case-insensitive); INVALID_ARGUMENT otherwise.
Result<ForwardedHeader> ParseForwardedHeader(std::string_view name);

class TrustedProxies {
 public:
  // A comma-separated list of addresses and CIDR blocks ("10.0.0.0/8, ::1, 192.168.1.7").
  // INVALID_ARGUMENT naming the first malformed item; at most kTrustedProxiesMax items. An
  // empty list trusts nobody (the default: the TCP peer is the client).
  static Result<TrustedProxies> Parse(std::string_view list);

  bool Contains(const IpBytes& address) const;
  bool empty() const { return networks_.empty(); }
  // Which header they write (kXForwardedFor unless set).
  ForwardedHeader header() const { return header_; }
  void set_header(ForwardedHeader header) { header_ = header; }

  static constexpr std::size_t kTrustedProxiesMax = 256;

 private:
  struct Network {
    IpBytes address;
    int prefix_bits;  // 0..128, over the 16-byte form
  };
  std::vector<Network> networks_;
  ForwardedHeader header_ = ForwardedHeader::kXForwardedFor;
};

// The client's address for a request that arrived from TCP peer `peer` (canonical text; the
// peer's text as given if it does not parse).
std::string ClientAddress(std::string_view peer, const HttpRequest& request,
                          const TrustedProxies& proxies);

}  // namespace qfs::net

#endif  // QFS_NET_CLIENT_ADDRESS_H_
