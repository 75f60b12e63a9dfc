#include "net/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace qfs::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Reply {
  int status;
  std::string body;
};

Reply Fetch(std::uint16_t port, http::verb verb, const std::string& target,
            const std::string& body = "") {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req(verb, target, 11);
  req.set(http::field::host, "localhost");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  return {static_cast<int>(res.result_int()), res.body()};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServer::Options options) {
    options.port = 0;
    Router router;
    router.Add("GET", "/hello", [](const HttpRequest& r) {
      return JsonResponse(200, "{\"query\":\"" + r.query + "\"}");
    });
    router.Add("POST", "/echo", [](const HttpRequest& r) { return JsonResponse(200, r.body); });
    server_ = HttpServer::Start(options, std::move(router), &metrics_).value();
  }
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesRequests) {
  StartServer({});
  Reply r = Fetch(server_->port(), http::verb::get, "/hello?x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"query\":\"x=1\"}");
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/echo", "abc").body, "abc");
}

TEST_F(HttpServerTest, UnknownRouteAndMethodGetJsonErrors) {
  StartServer({});
  Reply r = Fetch(server_->port(), http::verb::get, "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no route /nope\"}}");
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/hello").status, 405);
}

TEST_F(HttpServerTest, OversizedBodyIsRefused) {
  HttpServer::Options options;
  options.request_bytes_max = 16;
  StartServer(options);
  Reply r = Fetch(server_->port(), http::verb::post, "/echo", std::string(100, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("TOO_LARGE"), std::string::npos);
}

TEST_F(HttpServerTest, RateLimitAnswers429) {
  HttpServer::Options options;
  options.requests_per_second_per_client = 2;  // burst 4
  StartServer(options);
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    if (Fetch(server_->port(), http::verb::get, "/hello").status == 429) ++limited;
  }
  EXPECT_GE(limited, 5);
}

TEST_F(HttpServerTest, CountsRequestsInMetrics) {
  StartServer({});
  Fetch(server_->port(), http::verb::get, "/hello");
  Fetch(server_->port(), http::verb::get, "/nope");
  std::string text = metrics_.Render();
  EXPECT_NE(text.find("qfs_http_requests_total{route=\"/hello\",code=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("qfs_http_requests_total{route=\"unmatched\",code=\"404\"} 1"),
            std::string::npos);
}

TEST(HttpServer, BindFailureIsAnError) {
  Metrics metrics;
  HttpServer::Options options;
  options.address = "not-an-address";
  EXPECT_EQ(HttpServer::Start(options, Router(), &metrics).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qfs::net
