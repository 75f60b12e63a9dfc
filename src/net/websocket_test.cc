// WebSocket endpoints over real sockets: upgrade checks, limits, heartbeats, the send queue,
// shutdown, and many connections at once.
#include "net/websocket.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "net/http_server.h"

namespace qfs::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// What the server's handlers saw, for the tests to wait on.
struct Journal {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::uint16_t> closes;  // OnClose codes, in order
  int opens = 0;

  void Closed(std::uint16_t code) {
    std::lock_guard<std::mutex> lock(mu);
    closes.push_back(code);
    changed.notify_all();
  }
  // Waits up to 10 s for `n` closes; returns the codes seen.
  std::vector<std::uint16_t> WaitForCloses(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait_for(lock, 10s, [&] { return closes.size() >= n; });
    return closes;
  }
};

// Echoes every message; a few commands test the rest.
class TestHandler : public WebSocketHandler {
 public:
  explicit TestHandler(Journal* journal) : journal_(journal) {}
  void OnOpen(std::shared_ptr<WebSocketChannel> channel) override {
    channel_ = std::move(channel);
    std::lock_guard<std::mutex> lock(journal_->mu);
    ++journal_->opens;
  }
  void OnMessage(std::string_view message, WebSocketMessageKind kind) override {
    if (message == "throw") throw std::runtime_error("asked to");
    if (message == "close") return channel_->Close(4321, "bye");
    if (message == "whoami") {
      channel_->Send(channel_->client_address(), WebSocketMessageKind::kText);
      return;
    }
    if (message == "flood") {  // until the queue refuses: the peer is not reading
      const auto block = std::make_shared<const std::string>(64 * 1024, 'x');
      while (channel_->Send(block, WebSocketMessageKind::kBinary)) {
      }
      return;
    }
    channel_->Send(std::string(message), kind);
  }
  void OnClose(std::uint16_t code) override { journal_->Closed(code); }

 private:
  Journal* journal_;
  std::shared_ptr<WebSocketChannel> channel_;
};

class WebSocketTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Options options = {}, WebSocketOptions ws = {}) {
    options.port = 0;
    Router router;
    router.AddWebSocket("/ws", std::move(ws), [this](const HttpRequest& upgrade) {
      WebSocketAccept accept;
      if (upgrade.query == "deny") {
        accept.refusal = ErrorResponse(401, "UNAUTHENTICATED", "no token");
        accept.refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
        return accept;
      }
      if (upgrade.Header("Sec-WebSocket-Protocol") == "qfs.test") accept.subprotocol = "qfs.test";
      accept.handler = std::make_shared<TestHandler>(&journal_);
      return accept;
    });
    router.Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse(200, "{}"); });
    server_ = HttpServer::Start(options, std::move(router), &metrics_).value();
  }

  struct Client {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    websocket::response_type response;
  };
  // Connects and upgrades; the handshake's error (the response is in client->response).
  beast::error_code Connect(Client* client, const std::string& target = "/ws",
                            const std::optional<std::string>& origin = std::nullopt,
                            const std::string& host = "127.0.0.1",
                            const std::optional<std::string>& protocol = std::nullopt) {
    beast::error_code ec;
    beast::get_lowest_layer(client->ws)
        .connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
    if (ec) return ec;
    client->ws.set_option(
        websocket::stream_base::decorator([origin, protocol](websocket::request_type& r) {
          if (origin) r.set(http::field::origin, *origin);
          if (protocol) r.set(http::field::sec_websocket_protocol, *protocol);
        }));
    client->ws.handshake(client->response, host, target, ec);
    return ec;
  }
  // An upgrade request by hand, for the answers to refused ones (Beast's client handshake does
  // not hand back the response it declines).
  http::response<http::string_body> RawUpgrade(const std::string& target,
                                               std::optional<std::string> origin = std::nullopt,
                                               const std::string& host = "127.0.0.1") {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    http::request<http::string_body> req(http::verb::get, target, 11);
    req.set(http::field::host, host);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    if (origin) req.set(http::field::origin, *origin);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(stream, buffer, res, ec);
    return res;
  }
  std::string Echo(Client* client, const std::string& message) {
    client->ws.write(asio::buffer(message));
    beast::flat_buffer buffer;
    client->ws.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  std::string Metric(const std::string& name, const std::string& labels = "") {
    const std::string text = metrics_.Render();
    const std::string key = "\n" + name + labels + " ";
    const std::size_t at = text.find(key);
    if (at == std::string::npos) return "absent";
    const std::size_t start = at + key.size();
    return text.substr(start, text.find('\n', start) - start);
  }

  Metrics metrics_;
  Journal journal_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(WebSocketTest, EchoesTextAndBinaryAndReportsTheClosingCode) {
  Start();
  Client client;
  ASSERT_FALSE(Connect(&client, "/ws", std::nullopt, "127.0.0.1", std::string("qfs.test")));
  EXPECT_EQ(client.response[http::field::sec_websocket_protocol], "qfs.test");
  EXPECT_FALSE(client.response["X-Request-Id"].empty());
  EXPECT_EQ(Echo(&client, "hello"), "hello");
  EXPECT_TRUE(client.ws.got_text());
  client.ws.binary(true);
  const std::string bytes("\x00\xff\x01", 3);
  EXPECT_EQ(Echo(&client, bytes), bytes);
  EXPECT_TRUE(client.ws.got_binary());
  EXPECT_EQ(Echo(&client, "whoami"), "127.0.0.1");
  client.ws.close(websocket::close_code::normal);
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseNormal});
  EXPECT_EQ(Metric("qfs_ws_connections", ""), "0");
  EXPECT_EQ(Metric("qfs_ws_closed_total", "{reason=\"peer\"}"), "1");
}

TEST_F(WebSocketTest, TheHandlerClosesWithItsOwnCode) {
  Start();
  Client client;
  ASSERT_FALSE(Connect(&client));
  client.ws.write(asio::buffer(std::string("close")));
  beast::flat_buffer buffer;
  beast::error_code ec;
  client.ws.read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(client.ws.reason().code, 4321);
  EXPECT_EQ(client.ws.reason().reason, "bye");
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{4321});
}

TEST_F(WebSocketTest, AnUpgradeFromAnOriginNotAllowedIsRefused403) {
  WebSocketOptions ws;
  ws.allowed_origins = {"https://app.example"};
  Start({}, ws);
  {
    Client client;
    EXPECT_EQ(Connect(&client, "/ws", "https://evil.example"), websocket::error::upgrade_declined);
    const auto refused = RawUpgrade("/ws", "https://evil.example");
    EXPECT_EQ(refused.result_int(), 403);
    EXPECT_NE(refused.body().find("ORIGIN_NOT_ALLOWED"), std::string::npos);
  }
  for (const char* ok : {"https://app.example", "HTTPS://APP.EXAMPLE"}) {
    Client client;
    EXPECT_FALSE(Connect(&client, "/ws", ok)) << ok;
  }
  {  // the node's own pages: the Origin's host is the Host
    Client client;
    EXPECT_FALSE(Connect(&client, "/ws", "http://node.example:8080", "node.example:8080"));
  }
  {  // not a browser: no Origin
    Client client;
    EXPECT_FALSE(Connect(&client, "/ws"));
  }
  {  // a look-alike of the Host on another scheme, or "null", is not the node's page
    Client client;
    EXPECT_TRUE(Connect(&client, "/ws", "ftp://node.example:8080", "node.example:8080"));
    Client null_origin;
    EXPECT_TRUE(Connect(&null_origin, "/ws", "null", "node.example:8080"));
  }
  EXPECT_EQ(journal_.opens, 4);
}

TEST_F(WebSocketTest, TheAcceptorRefusesAndAPlainGetIsTold426) {
  Start();
  Client client;
  EXPECT_EQ(Connect(&client, "/ws?deny"), websocket::error::upgrade_declined);
  const auto refused = RawUpgrade("/ws?deny");
  EXPECT_EQ(refused.result_int(), 401);
  EXPECT_EQ(refused[http::field::www_authenticate], "Bearer");

  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  http::request<http::string_body> get(http::verb::get, "/ws", 11);
  get.set(http::field::host, "x");
  http::write(stream, get);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 426);
  EXPECT_EQ(res[http::field::upgrade], "websocket");
}

// Attack pass (issue 21): a frame sent with the upgrade request was silently dropped.
TEST_F(WebSocketTest, DataBeforeTheHandshakeCompletedIsRefused) {
  Start();
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  const std::string upgrade =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const std::string frame("\x81\x82\x00\x00\x00\x00hi", 8);  // a masked "hi", mask 0
  asio::write(socket, asio::buffer(upgrade + frame));
  std::string reply;
  std::array<char, 4096> chunk{};
  beast::error_code ec;
  while (!ec) reply.append(chunk.data(), socket.read_some(asio::buffer(chunk), ec));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_EQ(journal_.opens, 0);
}

// Attack pass (issue 21): pings were free of the rate limit, each answered with a pong.
TEST_F(WebSocketTest, PingsSpendTheClientsRateToo) {
  ManualClock clock(1'000'000'000);
  HttpServer::Options options;
  options.requests_per_second_per_client = 5;  // burst 10; the upgrade took one
  options.clock = &clock;
  Start(options);
  Client client;
  ASSERT_FALSE(Connect(&client));
  for (int i = 0; i < 20; ++i) client.ws.ping({});
  client.ws.write(asio::buffer(std::string("a")));
  client.ws.write(asio::buffer(std::string("b")));
  beast::flat_buffer buffer;
  client.ws.read(buffer);  // "a" was being read while the pings came; its echo goes out
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "a");
  std::atomic<bool> got_b{false};
  std::thread reader([&] {
    beast::flat_buffer b;
    beast::error_code ec;
    client.ws.read(b, ec);
    got_b = !ec && beast::buffers_to_string(b.data()) == "b";
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(got_b.load());  // the pings spent the rate: "b" waits for tokens
  clock.Advance(5'000'000);
  reader.join();
  EXPECT_TRUE(got_b.load());
}

TEST_F(WebSocketTest, AMessageOverTheLimitIsClosed1009) {
  WebSocketOptions ws;
  ws.message_bytes_max = 1000;
  Start({}, ws);
  Client client;
  ASSERT_FALSE(Connect(&client));
  EXPECT_EQ(Echo(&client, std::string(1000, 'a')), std::string(1000, 'a'));  // at the limit
  client.ws.write(asio::buffer(std::string(1001, 'a')));
  beast::flat_buffer buffer;
  beast::error_code ec;
  client.ws.read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(client.ws.reason().code, kWsCloseTooBig);
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseTooBig});
  EXPECT_EQ(Metric("qfs_ws_closed_total", "{reason=\"too_big\"}"), "1");
}

TEST_F(WebSocketTest, TextThatIsNotUtf8IsClosed1007) {
  Start();
  Client client;
  ASSERT_FALSE(Connect(&client));
  client.ws.text(true);
  client.ws.write(asio::buffer(std::string("\xff\xfe", 2)));
  beast::flat_buffer buffer;
  beast::error_code ec;
  client.ws.read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(client.ws.reason().code, kWsCloseInvalidPayload);
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseInvalidPayload});
  EXPECT_EQ(Metric("qfs_ws_closed_total", "{reason=\"invalid_payload\"}"), "1");
}

TEST_F(WebSocketTest, AHandlerThatThrowsClosesItsConnection1011AndTheServerGoesOn) {
  Start();
  Client client;
  ASSERT_FALSE(Connect(&client));
  client.ws.write(asio::buffer(std::string("throw")));
  beast::flat_buffer buffer;
  beast::error_code ec;
  client.ws.read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(client.ws.reason().code, kWsCloseInternalError);
  EXPECT_EQ(Metric("qfs_http_handler_exceptions_total"), "1");
  Client next;
  ASSERT_FALSE(Connect(&next));
  EXPECT_EQ(Echo(&next, "still here"), "still here");
}

TEST_F(WebSocketTest, APeerThatStopsAnsweringPingsIsDropped) {
  WebSocketOptions ws;
  ws.ping_interval_ms = 50;
  ws.dead_peer_timeout_ms = 300;
  Start({}, ws);
  // A live client answers pings while it reads; it stays.
  Client live;
  ASSERT_FALSE(Connect(&live));
  beast::flat_buffer live_buffer;
  beast::error_code live_ec;
  live.ws.async_read(live_buffer, [&](beast::error_code ec, std::size_t) { live_ec = ec; });
  std::thread live_thread([&] { live.ioc.run(); });
  // A dead one: upgraded by hand, then silent, reading nothing.
  asio::io_context ioc;
  tcp::socket dead(ioc);
  dead.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  const std::string upgrade =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  asio::write(dead, asio::buffer(upgrade));
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseAbnormal});
  EXPECT_EQ(Metric("qfs_ws_closed_total", "{reason=\"dead_peer\"}"), "1");
  // The dead peer's socket was closed under it: reading drains the 101 and pings, then ends.
  std::array<char, 4096> sink{};
  beast::error_code ec;
  while (!ec) dead.read_some(asio::buffer(sink), ec);
  EXPECT_EQ(ec, asio::error::eof);
  // The live one is still served: it answered the pings while it waited in read.
  const std::string alive = "alive";
  asio::post(live.ioc, [&] {
    live.ws.async_write(asio::buffer(alive), [](beast::error_code, std::size_t) {});
  });
  live_thread.join();
  EXPECT_FALSE(live_ec);
  EXPECT_EQ(beast::buffers_to_string(live_buffer.data()), "alive");
}

TEST_F(WebSocketTest, ASlowReaderIsClosedWhileOthersKeepTheirLatency) {
  WebSocketOptions ws;
  ws.send_queue_bytes_max = 1024 * 1024;
  ws.close_timeout_ms = 200;  // the slow reader will not read the close frame either
  Start({}, ws);
  Client slow;
  ASSERT_FALSE(Connect(&slow));
  Client other;
  ASSERT_FALSE(Connect(&other));
  // The slow client asks for more than its queue holds and reads none of it.
  slow.ws.write(asio::buffer(std::string("flood")));
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseSlowConsumer});
  EXPECT_EQ(Metric("qfs_ws_closed_total", "{reason=\"slow_consumer\"}"), "1");
  // Meanwhile and after, the other connection's round trips stay quick (a generous bound: this
  // checks that nothing waits on the slow one, not how fast the machine is).
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Echo(&other, "ping " + std::to_string(i)), "ping " + std::to_string(i));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  }
}

TEST_F(WebSocketTest, ShutdownSendsGoingAway) {
  Start();
  Client client;
  ASSERT_FALSE(Connect(&client));
  EXPECT_EQ(Echo(&client, "x"), "x");
  std::thread reader([&] {
    beast::flat_buffer buffer;
    beast::error_code ec;
    client.ws.read(buffer, ec);
    EXPECT_EQ(ec, websocket::error::closed);
    EXPECT_EQ(client.ws.reason().code, kWsCloseGoingAway);
  });
  server_->Stop();
  reader.join();
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseGoingAway});
}

TEST_F(WebSocketTest, AbandonedConnectionsStillGetOnCloseAtShutdown) {
  Start();
  Client client;  // upgrades, then never reads the server's close frame
  ASSERT_FALSE(Connect(&client));
  EXPECT_EQ(Echo(&client, "x"), "x");
  server_->Stop();
  EXPECT_EQ(journal_.WaitForCloses(1), std::vector<std::uint16_t>{kWsCloseGoingAway});
}

TEST_F(WebSocketTest, WebSocketsHoldConnectionSlotsSharedWithHttp) {
  HttpServer::Options options;
  options.connections_max = 2;
  Start(options);
  Client a;
  Client b;
  ASSERT_FALSE(Connect(&a));
  ASSERT_FALSE(Connect(&b));
  Client c;
  EXPECT_EQ(Connect(&c), websocket::error::upgrade_declined);
  EXPECT_EQ(RawUpgrade("/ws").result_int(), 503);
  a.ws.close(websocket::close_code::normal);
  journal_.WaitForCloses(1);
  for (int i = 0; i < 100 && Metric("qfs_http_connections") != "1"; ++i)
    std::this_thread::sleep_for(10ms);
  Client d;
  EXPECT_FALSE(Connect(&d));
}

TEST_F(WebSocketTest, MessagesSpendTheClientsRateAndWaitForIt) {
  ManualClock clock(1'000'000'000);
  HttpServer::Options options;
  options.requests_per_second_per_client = 5;  // burst 10; the upgrade took one
  options.clock = &clock;
  Start(options);
  Client client;
  ASSERT_FALSE(Connect(&client));
  for (int i = 0; i < 12; ++i) client.ws.write(asio::buffer(std::to_string(i)));
  // Nine messages are read at once: the tenth waits for a token, which the stopped clock never
  // gives. Nothing is dropped or refused; the rest waits in the socket.
  beast::flat_buffer buffer;
  for (int i = 0; i < 9; ++i) {
    buffer.clear();
    client.ws.read(buffer);
    EXPECT_EQ(beast::buffers_to_string(buffer.data()), std::to_string(i));
  }
  std::atomic<int> more{0};
  std::thread reader([&] {
    for (int i = 9; i < 12; ++i) {
      beast::flat_buffer b;
      beast::error_code ec;
      client.ws.read(b, ec);
      if (ec) return;
      EXPECT_EQ(beast::buffers_to_string(b.data()), std::to_string(i));
      ++more;
    }
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(more.load(), 0);
  clock.Advance(1'000'000);  // five tokens
  reader.join();
  EXPECT_EQ(more.load(), 3);
}

TEST_F(WebSocketTest, AThousandConnectionsOpenEchoAndCloseCleanly) {
  HttpServer::Options options;
  options.connections_max = 2000;
  options.connections_per_client_max = 2000;
  options.requests_per_second_per_client = 100'000;
  Start(options);
  constexpr int kConnections = 1000;
  asio::io_context ioc;
  std::vector<std::unique_ptr<websocket::stream<beast::tcp_stream>>> clients;
  std::atomic<int> echoed{0};
  std::atomic<int> failed{0};
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server_->port());
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<websocket::stream<beast::tcp_stream>>(ioc));
    auto* ws = clients.back().get();
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto text = std::make_shared<std::string>("connection " + std::to_string(i));
    beast::get_lowest_layer(*ws).async_connect(
        endpoint, [&, ws, buffer, text](beast::error_code ec) {
          if (ec) return void(++failed);
          ws->async_handshake("127.0.0.1", "/ws", [&, ws, buffer, text](beast::error_code ec2) {
            if (ec2) return void(++failed);
            ws->async_write(
                asio::buffer(*text), [&, ws, buffer, text](beast::error_code ec3, std::size_t) {
                  if (ec3) return void(++failed);
                  ws->async_read(*buffer, [&, buffer, text](beast::error_code ec4, std::size_t) {
                    if (ec4 || beast::buffers_to_string(buffer->data()) != *text)
                      return void(++failed);
                    ++echoed;
                  });
                });
          });
        });
  }
  ioc.run();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(echoed.load(), kConnections);
  EXPECT_EQ(Metric("qfs_ws_connections"), std::to_string(kConnections));
  ioc.restart();
  for (auto& ws : clients) {
    ws->async_close(websocket::close_code::normal, [&](beast::error_code ec) {
      if (ec) ++failed;
    });
  }
  ioc.run();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(journal_.WaitForCloses(kConnections).size(), static_cast<std::size_t>(kConnections));
  for (int i = 0; i < 200 && Metric("qfs_http_connections") != "0"; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(Metric("qfs_http_connections"), "0");
  EXPECT_EQ(Metric("qfs_ws_connections"), "0");
}

TEST(WebSocketOrigin, TheRuleAsWritten) {
  WebSocketOptions options;
  EXPECT_TRUE(WebSocketOriginAllowed(options, "https://node.example", "node.example"));
  EXPECT_TRUE(WebSocketOriginAllowed(options, "http://NODE.example:80", "node.example:80"));
  EXPECT_FALSE(WebSocketOriginAllowed(options, "https://node.example", "node.example:443"));
  EXPECT_FALSE(WebSocketOriginAllowed(options, "https://node.example", std::nullopt));
  EXPECT_FALSE(WebSocketOriginAllowed(options, "https://evil.example", "node.example"));
  EXPECT_FALSE(WebSocketOriginAllowed(options, "null", "node.example"));
  EXPECT_FALSE(WebSocketOriginAllowed(options, "chrome-extension://node.example", "node.example"));
  options.allowed_origins = {"*"};
  EXPECT_TRUE(WebSocketOriginAllowed(options, "https://evil.example", "node.example"));
}

}  // namespace
}  // namespace qfs::net
