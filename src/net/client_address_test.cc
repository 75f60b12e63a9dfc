#include "net/client_address.h"

#include <gtest/gtest.h>

namespace qfs::net {
namespace {

HttpRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.headers = std::move(headers);
  return request;
}

TEST(ClientAddress, AddressesParseInEveryFormAProxyWritesAndComeOutCanonical) {
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("192.0.2.43")), "192.0.2.43");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("192.0.2.43:4711")), "192.0.2.43");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("[2001:DB8:cafe:0::17]:4711")), "2001:db8:cafe::17");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("::ffff:10.0.0.1")), "10.0.0.1");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress(" ::1 ")), "::1");
  for (const char* bad : {"", "unknown", "_hidden", "1.2.3", "1.2.3.4.5", "[::1", "[::1]x",
                          "[::1]:", "example.com", "1.2.3.4/8", "::1%eth0"}) {
    EXPECT_FALSE(ParseIpAddress(bad).has_value()) << bad;
  }
}

TEST(ClientAddress, TrustedProxiesParseAddressesAndCidrBlocks) {
  const TrustedProxies proxies =
      TrustedProxies::Parse("10.0.0.0/8, 192.168.1.7 ,2001:db8::/32").value();
  EXPECT_TRUE(proxies.Contains(*ParseIpAddress("10.255.1.2")));
  EXPECT_TRUE(proxies.Contains(*ParseIpAddress("192.168.1.7")));
  EXPECT_FALSE(proxies.Contains(*ParseIpAddress("192.168.1.8")));
  EXPECT_FALSE(proxies.Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_TRUE(proxies.Contains(*ParseIpAddress("2001:db8:ffff::1")));
  EXPECT_FALSE(proxies.Contains(*ParseIpAddress("2001:db9::1")));
  // An IPv4 block never matches an IPv6 address that is not IPv4-mapped.
  EXPECT_FALSE(proxies.Contains(*ParseIpAddress("::a00:1")));
  EXPECT_TRUE(TrustedProxies::Parse("").value().empty());
  EXPECT_TRUE(TrustedProxies::Parse("0.0.0.0/0").value().Contains(*ParseIpAddress("8.8.8.8")));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.1:80", "[::1]", "10.0.0.0/", "10/8",
                          "1.2.3.4,", "x", "10.0.0.0/-1", "10.0.0.0/08x"}) {
    const Result<TrustedProxies> parsed = TrustedProxies::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
  std::string many;
  for (int i = 0; i <= 256; ++i)
    many += "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ",";
  many.pop_back();
  EXPECT_FALSE(TrustedProxies::Parse(many).ok());
}

TEST(ClientAddress, AnUntrustedPeerIsTheClientWhateverItClaims) {
  const TrustedProxies proxies = TrustedProxies::Parse("10.0.0.1").value();
  const HttpRequest request =
      WithHeaders({{"X-Forwarded-For", "1.1.1.1"}, {"Forwarded", "for=2.2.2.2"}});
  EXPECT_EQ(ClientAddress("203.0.113.9", request, proxies), "203.0.113.9");
  EXPECT_EQ(ClientAddress("203.0.113.9", request, TrustedProxies()), "203.0.113.9");
  EXPECT_EQ(ClientAddress("::ffff:203.0.113.9", request, proxies), "203.0.113.9");
}

TEST(ClientAddress, ATrustedProxysForwardedForIsReadFromTheRight) {
  const TrustedProxies proxies = TrustedProxies::Parse("10.0.0.0/8").value();
  // The client wrote the first item itself; the proxies appended the rest.
  EXPECT_EQ(
      ClientAddress("10.0.0.1",
                    WithHeaders({{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.2"}}), proxies),
      "198.51.100.7");
  // Several X-Forwarded-For fields are one list, in order.
  EXPECT_EQ(ClientAddress(
                "10.0.0.1",
                WithHeaders({{"x-forwarded-for", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.7"}}),
                proxies),
            "198.51.100.7");
  // Every hop trusted: the farthest one.
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({{"X-Forwarded-For", "10.9.9.9"}}), proxies),
            "10.9.9.9");
  // No header: the proxy itself.
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({}), proxies), "10.0.0.1");
  // A hop that is not an address stops the walk at the proxy that wrote it.
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({{"X-Forwarded-For", "198.51.100.7, garbage"}}),
                          proxies),
            "10.0.0.1");
  EXPECT_EQ(
      ClientAddress("10.0.0.1",
                    WithHeaders({{"X-Forwarded-For", "198.51.100.7, garbage, 10.0.0.5"}}), proxies),
      "10.0.0.5");
}

TEST(ClientAddress, OnlyTheConfiguredHeaderIsReadAndForwardedSyntaxIsParsed) {
  TrustedProxies proxies = TrustedProxies::Parse("10.0.0.0/8, 2001:db8::/32").value();
  // Proxies that write X-Forwarded-For pass a client's Forwarded through: it is not believed.
  EXPECT_EQ(ClientAddress(
                "10.0.0.1",
                WithHeaders({{"X-Forwarded-For", "198.51.100.7"}, {"Forwarded", "for=192.0.2.60"}}),
                proxies),
            "198.51.100.7");
  proxies.set_header(ForwardedHeader::kForwarded);
  EXPECT_EQ(ClientAddress("10.0.0.1",
                          WithHeaders({{"X-Forwarded-For", "6.6.6.6"},
                                       {"Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"}}),
                          proxies),
            "192.0.2.60");
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({{"X-Forwarded-For", "6.6.6.6"}}), proxies),
            "10.0.0.1");
  EXPECT_EQ(
      ClientAddress("10.0.0.1",
                    WithHeaders({{"Forwarded", "for=6.6.6.6, FOR=\"[2001:db9:cafe::17]:4711\""}}),
                    proxies),
      "2001:db9:cafe::17");
  EXPECT_EQ(ClientAddress("10.0.0.1",
                          WithHeaders({{"Forwarded", "for=198.51.100.1"},
                                       {"Forwarded", "for=\"10.0.0.3:80\""}}),
                          proxies),
            "198.51.100.1");
  // An element without for=, or for=unknown, is a hop nobody could name.
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({{"Forwarded", "for=198.51.100.1, proto=https"}}),
                          proxies),
            "10.0.0.1");
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({{"Forwarded", "for=unknown"}}), proxies),
            "10.0.0.1");
  // A quoted comma does not split an element.
  EXPECT_EQ(ClientAddress("10.0.0.1", WithHeaders({{"Forwarded", "for=198.51.100.1;x=\"a,b\""}}),
                          proxies),
            "198.51.100.1");
  EXPECT_EQ(ParseForwardedHeader("X-Forwarded-For").value(), ForwardedHeader::kXForwardedFor);
  EXPECT_EQ(ParseForwardedHeader("forwarded").value(), ForwardedHeader::kForwarded);
  EXPECT_FALSE(ParseForwardedHeader("x-real-ip").ok());
}

}  // namespace
}  // namespace qfs::net
