#include "net/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace qfs::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Url {
  std::string host;
  std::string port;
};

Result<Url> ParseBase(const std::string& base) {
  const std::string scheme = "http://";
  if (base.compare(0, scheme.size(), scheme) != 0) {
    return Status(StatusCode::kInvalidArgument, "node URL must start with http://: " + base);
  }
  std::string rest = base.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return Status(StatusCode::kInvalidArgument, "node URL must be http://HOST:PORT: " + base);
  }
  Url url;
  const std::size_t colon = rest.rfind(':');
  const std::size_t bracket = rest.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) {
    url.host = rest;
    url.port = "80";
  } else {
    url.host = rest.substr(0, colon);
    url.port = rest.substr(colon + 1);
  }
  if (url.host.size() > 2 && url.host.front() == '[' && url.host.back() == ']') {
    url.host = url.host.substr(1, url.host.size() - 2);
  }
  if (url.host.empty() || url.port.empty() || url.port.size() > 5 ||
      url.port.find_first_not_of("0123456789") != std::string::npos) {
    return Status(StatusCode::kInvalidArgument, "node URL must be http://HOST:PORT: " + base);
  }
  return url;
}

}  // namespace

Result<HttpResponse> HttpFetch(const std::string& base, const std::string& method,
                               const std::string& target, const std::string& body,
                               const HttpFetchOptions& options) {
  QFS_ASSIGN_OR_RETURN(Url url, ParseBase(base));
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec)
    return Status(StatusCode::kUnavailable, "cannot resolve " + url.host + ": " + ec.message());
  stream.expires_after(timeout);
  stream.connect(endpoints, ec);
  if (ec)
    return Status(StatusCode::kUnavailable, "cannot connect to " + base + ": " + ec.message());
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "qfs");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  stream.expires_after(timeout);
  http::write(stream, req, ec);
  if (ec) return Status(StatusCode::kUnavailable, "cannot send to " + base + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.response_bytes_max);
  stream.expires_after(timeout);
  // The limit is checked here too: Beast 1.74 does not apply body_limit to a Content-Length.
  http::read_header(stream, buffer, parser, ec);
  const auto length = parser.content_length();
  if (!ec && length && *length > options.response_bytes_max) ec = http::error::body_limit;
  if (!ec) http::read(stream, buffer, parser, ec);
  if (ec == http::error::body_limit || parser.get().body().size() > options.response_bytes_max) {
    return Status(StatusCode::kTooLarge, "response from " + base + " is too large");
  }
  if (ec) return Status(StatusCode::kUnavailable, "no answer from " + base + ": " + ec.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  HttpResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  const auto content_type = parser.get()[http::field::content_type];
  out.content_type.assign(content_type.data(), content_type.size());
  out.body = std::move(parser.get().body());
  return out;
}

}  // namespace qfs::net
