#include "net/http_server.h"

#include "base/clock.h"
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

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
    router.Add(
        "POST", "/big-echo", [](const HttpRequest& r) { return JsonResponse(200, r.body); },
        64 * 1024);
    router.Add("GET", "/large", [](const HttpRequest&) {
      return JsonResponse(200, std::string(5 * kHttpResponseBytesPerToken, ' '));
    });
    router.Add("GET", "/items/{id}",
               [](const HttpRequest& r) { return JsonResponse(200, "item " + r.params.at("id")); });
    router.Add("GET", "/headers", [](const HttpRequest& r) {
      const Result<std::optional<std::string>> token = BearerToken(r);
      return JsonResponse(200, "host=" + std::string(r.Header("HOST").value_or("-")) +
                                   " custom=" + std::string(r.Header("x-custom").value_or("-")) +
                                   " token=" + (token.ok() ? token.value().value_or("-") : "!"));
    });
    router.Add("GET", "/whoami",
               [](const HttpRequest& r) { return JsonResponse(200, r.remote_address); });
    router.Add("GET", "/items/special",
               [](const HttpRequest&) { return JsonResponse(200, "special"); });
    // Answers from another thread, after the server thread has moved on.
    router.AddAsync("POST", "/later", [this](const HttpRequest& r, HttpResponder respond) {
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([body = r.body, respond = std::move(respond)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        respond(JsonResponse(202, "later " + body));
      });
    });
    server_ = HttpServer::Start(options, std::move(router), &metrics_).value();
  }
  void TearDown() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::thread& t : workers_) t.join();
  }
  Metrics metrics_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesRequests) {
  StartServer({});
  Reply r = Fetch(server_->port(), http::verb::get, "/hello?x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"query\":\"x=1\"}");
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/echo", "abc").body, "abc");
}

TEST_F(HttpServerTest, PathParametersMatchOneSegmentAndLiteralsWin) {
  StartServer({});
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/items/0xab%2F").body, "item 0xab/");
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/items/special").body, "special");
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/items/").status, 404);
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/items/a/b").status, 404);
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/items/7").status, 405);
  EXPECT_NE(metrics_.Render().find("route=\"/items/{id}\",code=\"200\""), std::string::npos);
}

TEST_F(HttpServerTest, AsyncHandlersAnswerFromAnotherThread) {
  StartServer({});
  std::vector<std::thread> clients;
  clients.reserve(8);
  std::atomic<int> answered{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      Reply r = Fetch(server_->port(), http::verb::post, "/later", std::to_string(i));
      if (r.status == 202 && r.body == "later " + std::to_string(i)) ++answered;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(answered.load(), 8);
}

// Which pattern `path` reaches and its parameters, as "pattern name=value ...".
std::string Matched(const Router& router, const std::string& path) {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  std::string out;
  router.Dispatch(request, [&](const HttpResponse& r) { out = r.body; });
  for (const auto& [name, value] : request.params) out += " " + name + "=" + value;
  return out;
}

TEST(Router, ARestSegmentTakesWhatNoFixedPatternDoes) {
  Router router;
  const auto named = [](const std::string& name) {
    return [name](const HttpRequest&) { return JsonResponse(200, name); };
  };
  router.Add("GET", "/{path*}", named("root"));
  router.Add("GET", "/assets/{path*}", named("assets"));
  router.Add("GET", "/v1/{id}", named("v1"));
  router.Add("GET", "/v1/head", named("head"));
  EXPECT_EQ(Matched(router, "/"), "root path=");
  EXPECT_EQ(Matched(router, "/index.html"), "root path=index.html");
  EXPECT_EQ(Matched(router, "/a/b/%2e%2e/c"), "root path=a/b/%2e%2e/c");  // as received
  EXPECT_EQ(Matched(router, "/assets/app.js"), "assets path=app.js");
  EXPECT_EQ(Matched(router, "/assets"), "assets path=");
  EXPECT_EQ(Matched(router, "/v1/head"), "head");
  EXPECT_EQ(Matched(router, "/v1/7"), "v1 id=7");
  EXPECT_EQ(Matched(router, "/v1/7/x"), "root path=v1/7/x");
  EXPECT_EQ(Matched(router, "/v1/"), "root path=v1/");  // "{id}" needs a non-empty segment
}

TEST(Router, ListsRoutesAndParsesQueries) {
  Router router;
  router.Add("GET", "/b/{x}", [](const HttpRequest&) { return JsonResponse(200, ""); });
  router.Add("POST", "/a", [](const HttpRequest&) { return JsonResponse(200, ""); });
  router.Add("GET", "/a", [](const HttpRequest&) { return JsonResponse(200, ""); });
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(router.Routes(), (std::vector<Pair>{{"GET", "/a"}, {"GET", "/b/{x}"}, {"POST", "/a"}}));
  EXPECT_EQ(QueryParam("from=10&limit=5", "limit"), "5");
  EXPECT_EQ(QueryParam("from=10&limit=5", "from"), "10");
  EXPECT_EQ(QueryParam("a=x%20y+z&flag", "a"), "x y z");
  EXPECT_EQ(QueryParam("a=1&flag", "flag"), "");
  EXPECT_EQ(QueryParam("a=1", "b"), std::nullopt);
  EXPECT_EQ(QueryParam("", "b"), std::nullopt);
  EXPECT_EQ(QueryParam("a=%zz", "a"), "%zz");
}

TEST(HttpRequest, HeadersAreFoundIgnoringCaseAndARepeatedOneIsAmbiguous) {
  HttpRequest r;
  r.headers = {{"Host", "a"}, {"X-Thing", "1"}, {"x-thing", "2"}, {"Accept", "*/*"}};
  EXPECT_EQ(r.Header("host"), "a");
  EXPECT_EQ(r.Header("ACCEPT"), "*/*");
  EXPECT_EQ(r.Header("X-Thing"), std::nullopt);  // repeated
  EXPECT_EQ(r.HeaderCount("X-THING"), 2u);
  EXPECT_EQ(r.Header("Missing"), std::nullopt);
  EXPECT_EQ(r.HeaderCount("Missing"), 0u);
}

TEST(HttpRequest, BearerTokensFollowRfc6750) {
  HttpRequest r;
  EXPECT_EQ(BearerToken(r).value(), std::nullopt);
  r.headers = {{"authorization", "bearer abc.DEF-_~+/123=="}};
  EXPECT_EQ(BearerToken(r).value(), "abc.DEF-_~+/123==");
  for (const char* bad : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Bearer a=b",
                          "Bearer \"quoted\"", "Bearera"}) {
    r.headers = {{"Authorization", bad}};
    EXPECT_EQ(BearerToken(r).code(), StatusCode::kInvalidArgument) << bad;
  }
  r.headers = {{"Authorization", "Bearer one"}, {"Authorization", "Bearer two"}};
  EXPECT_EQ(BearerToken(r).code(), StatusCode::kInvalidArgument);
}

TEST(HttpRequest, CookiesAreParsedFromEveryCookieHeader) {
  HttpRequest r;
  r.headers = {{"Cookie", "a=1; session=\"xyz\" ;b="}, {"cookie", "c=3; a=late"}};
  EXPECT_EQ(CookieValue(r, "a"), "1");
  EXPECT_EQ(CookieValue(r, "session"), "xyz");
  EXPECT_EQ(CookieValue(r, "b"), "");
  EXPECT_EQ(CookieValue(r, "c"), "3");
  EXPECT_EQ(CookieValue(r, "sess"), std::nullopt);
  EXPECT_EQ(CookieValue(r, "A"), std::nullopt);  // cookie names are case-sensitive
}

TEST_F(HttpServerTest, HandlersSeeTheRequestsHeaders) {
  StartServer({});
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server_->port()));
  http::request<http::string_body> req(http::verb::get, "/headers", 11);
  req.set(http::field::host, "localhost");
  req.set(http::field::authorization, "Bearer tok3n");
  req.insert("X-Custom", "  spaced value  ");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "host=localhost custom=spaced value token=tok3n");
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

TEST_F(HttpServerTest, ARouteReadsBodiesAgainstItsOwnLimit) {
  StartServer({});
  const std::string body(20 * 1024, 'x');  // over the default 16 KiB, under /big-echo's 64 KiB
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/echo", body).status, 413);
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/big-echo", body).status, 200);
  EXPECT_EQ(Fetch(server_->port(), http::verb::post, "/big-echo", std::string(70'000, 'x')).status,
            413);
  // A declared length over the limit is refused before any of the body is sent: the server holds
  // nothing for it.
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server_->port()));
  const std::string head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n";
  boost::asio::write(stream.socket(), boost::asio::buffer(head));
  stream.expires_after(std::chrono::seconds(5));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413u);
}

TEST_F(HttpServerTest, LargeResponsesCostTheirClientsRate) {
  ManualClock clock(1'000'000'000);
  HttpServer::Options options;
  options.requests_per_second_per_client = 2;  // burst 4
  options.clock = &clock;
  StartServer(options);
  // 5 tokens more for 5 x 64 KiB: the bucket goes from 4 to -2.
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/large").status, 200);
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/hello").status, 429);
  clock.Advance(1'000'000);  // back to 0
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/hello").status, 429);
  clock.Advance(500'000);  // one token
  EXPECT_EQ(Fetch(server_->port(), http::verb::get, "/hello").status, 200);
}

TEST_F(HttpServerTest, RateLimitAnswers429) {
  // The limiter's clock stands still unless told, so that the verdict does not depend on how
  // long the requests take.
  ManualClock clock(1'000'000'000);
  HttpServer::Options options;
  options.requests_per_second_per_client = 2;  // burst 4
  options.clock = &clock;
  StartServer(options);
  const auto limited = [&](int requests) {
    int n = 0;
    for (int i = 0; i < requests; ++i) {
      if (Fetch(server_->port(), http::verb::get, "/hello").status == 429) ++n;
    }
    return n;
  };
  EXPECT_EQ(limited(10), 6);  // the burst of 4 goes through
  clock.Advance(1'000'000);   // a second refills 2 tokens
  EXPECT_EQ(limited(3), 1);
}

// A GET /whoami with an X-Forwarded-For header: the status and the address the handler saw.
Reply WhoAmI(std::uint16_t port, const std::string& forwarded_for) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req(http::verb::get, "/whoami", 11);
  req.set(http::field::host, "localhost");
  req.set("X-Forwarded-For", forwarded_for);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

TEST_F(HttpServerTest, OnlyATrustedProxyIsBelievedAboutTheClient) {
  StartServer({});
  EXPECT_EQ(WhoAmI(server_->port(), "198.51.100.7").body, "127.0.0.1");
  server_->Stop();

  ManualClock clock(1'000'000'000);
  HttpServer::Options options;
  options.trusted_proxies = TrustedProxies::Parse("127.0.0.0/8").value();
  options.requests_per_second_per_client = 1;  // burst 2, per reported client
  options.clock = &clock;
  StartServer(options);
  EXPECT_EQ(WhoAmI(server_->port(), "6.6.6.6, 198.51.100.7").body, "198.51.100.7");
  EXPECT_EQ(WhoAmI(server_->port(), "198.51.100.7").status, 200);
  EXPECT_EQ(WhoAmI(server_->port(), "198.51.100.7").status, 429);
  // Another client behind the same proxy has a budget of its own.
  EXPECT_EQ(WhoAmI(server_->port(), "203.0.113.1").status, 200);
}

TEST_F(HttpServerTest, HeadIsAnsweredByGetWithoutABodyAnd405NamesTheMethodsAllowed) {
  StartServer({});
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server_->port()));
  http::request<http::string_body> head(http::verb::head, "/items/7", 11);
  head.set(http::field::host, "localhost");
  http::write(stream, head);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(true);  // a response to HEAD has no body, whatever its Content-Length says
  http::read(stream, buffer, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(parser.get()[http::field::content_length], "6");  // "item 7"
  EXPECT_EQ(parser.get().body(), "");

  http::request<http::string_body> post(http::verb::post, "/items/7", 11);
  post.set(http::field::host, "localhost");
  http::write(stream, post);
  http::response<http::string_body> refused;
  http::read(stream, buffer, refused);
  EXPECT_EQ(refused.result_int(), 405);
  EXPECT_EQ(refused[http::field::allow], "GET");
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

TEST_F(HttpServerTest, TheClientFetchesAndReportsErrors) {
  StartServer({});
  const std::string base = "http://127.0.0.1:" + std::to_string(server_->port());
  Result<HttpResponse> r = HttpFetch(base, "POST", "/echo", "{\"a\":1}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().content_type, "application/json");
  EXPECT_EQ(r.value().body, "{\"a\":1}");
  EXPECT_EQ(HttpFetch(base + "/", "GET", "/nope").value().status, 404);
  EXPECT_EQ(HttpFetch("ftp://x", "GET", "/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpFetch("http://127.0.0.1:x", "GET", "/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpFetch("http://127.0.0.1:1/path", "GET", "/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpFetch("http://127.0.0.1:1", "GET", "/").code(), StatusCode::kUnavailable);
  HttpFetchOptions small;
  small.response_bytes_max = 4;
  Result<HttpResponse> big = HttpFetch(base, "POST", "/echo", "0123456789", small);
  EXPECT_EQ(big.code(), StatusCode::kTooLarge) << (big.ok() ? big.value().body : "");
}

TEST(HttpServer, BindFailureIsAnError) {
  Metrics metrics;
  HttpServer::Options options;
  options.address = "not-an-address";
  EXPECT_EQ(HttpServer::Start(options, Router(), &metrics).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qfs::net
