#include "net/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "base/check.h"
#include "net/rate_limiter.h"

namespace qfs::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::uint64_t MonotonicMs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

constexpr std::size_t kRateLimitClientsMax = 65536;

}  // namespace

HttpResponse JsonResponse(int status, std::string body) {
  return HttpResponse{status, "application/json", std::move(body)};
}

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, "{\"error\":{\"code\":\"" + JsonEscape(code) + "\",\"message\":\"" +
                                  JsonEscape(message) + "\"}}");
}

namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> QueryParam(const std::string& query, const std::string& name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    std::size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return std::nullopt;
}

void Router::Add(const std::string& method, const std::string& pattern, HttpHandler handler) {
  AddAsync(
      method, pattern,
      [handler = std::move(handler)](const HttpRequest& request, const HttpResponder& respond) {
        respond(handler(request));
      });
}

void Router::AddAsync(const std::string& method, const std::string& pattern,
                      AsyncHttpHandler handler) {
  QFS_CHECK(!pattern.empty() && pattern.front() == '/');
  Route& route = routes_[pattern];
  route.pattern = pattern;
  route.segments = Segments(pattern);
  QFS_CHECK(route.handlers.emplace(method, std::move(handler)).second);
}

const Router::Route* Router::Match(const std::string& path,
                                   std::map<std::string, std::string>* params) const {
  if (path.empty() || path.front() != '/') return nullptr;
  if (auto exact = routes_.find(path); exact != routes_.end()) return &exact->second;
  const std::vector<std::string> segments = Segments(path);
  const Route* best = nullptr;
  std::size_t best_literals = 0;
  for (const auto& [pattern, route] : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::size_t literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (IsParam(route.segments[i])) {
        match = !segments[i].empty();
      } else {
        match = route.segments[i] == segments[i];
        ++literals;
      }
    }
    if (match && (best == nullptr || literals > best_literals)) {
      best = &route;
      best_literals = literals;
    }
  }
  if (best != nullptr && params != nullptr) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& s = best->segments[i];
      if (IsParam(s)) (*params)[s.substr(1, s.size() - 2)] = PercentDecode(segments[i]);
    }
  }
  return best;
}

void Router::Dispatch(HttpRequest& request, HttpResponder respond) const {
  const Route* route = Match(request.path, &request.params);
  if (route == nullptr) return respond(ErrorResponse(404, "NOT_FOUND", "no route " + request.path));
  auto handler = route->handlers.find(request.method);
  if (handler == route->handlers.end()) {
    return respond(ErrorResponse(405, "METHOD_NOT_ALLOWED", request.method + " not allowed here"));
  }
  handler->second(request, std::move(respond));
}

std::string Router::RouteLabel(const HttpRequest& request) const {
  const Route* route = Match(request.path, nullptr);
  if (route == nullptr) return "unmatched";
  return route->pattern;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [pattern, route] : routes_) {
    for (const auto& [method, handler] : route.handlers) out.emplace_back(method, pattern);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct HttpServer::Impl {
  Impl(const Options& o, Router r, Metrics* m)
      : options(o),
        router(std::move(r)),
        metrics(m),
        limiter(o.requests_per_second_per_client, 2 * o.requests_per_second_per_client,
                kRateLimitClientsMax),
        acceptor(ioc) {}

  void Accept();
  void Count(const std::string& route, int status, std::uint64_t duration_us) {
    metrics
        ->AddCounter("qfs_http_requests_total", "HTTP requests answered",
                     {{"route", route}, {"code", std::to_string(status)}})
        .Increment();
    metrics
        ->AddHistogram("qfs_http_request_duration_seconds", "HTTP request handling time",
                       {{"route", route}})
        .Observe(duration_us);
  }

  const Options options;
  const Router router;
  Metrics* const metrics;
  RateLimiter limiter;
  std::atomic<std::size_t> connections{0};  // declared before ioc: outlives the sessions
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    ++server_->connections;
  }
  ~Session() { --server_->connections; }

  void Start(bool over_capacity) {
    if (over_capacity) {
      Write(ErrorResponse(503, "UNAVAILABLE", "too many connections"), false, "unmatched", 0);
      return;
    }
    Read();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options.request_bytes_max);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_bytes_max));
    stream_.expires_after(std::chrono::milliseconds(server_->options.idle_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      Write(ErrorResponse(413, "TOO_LARGE", "request exceeds the size limit"), false, "unmatched",
            0);
      return;
    }
    if (ec) return Close();
    const auto start = std::chrono::steady_clock::now();
    http::request<http::string_body> req = parser_->release();
    HttpRequest request = ToRequest(req);
    const bool keep_alive = req.keep_alive();
    std::string route = server_->router.RouteLabel(request);
    if (!server_->limiter.Allow(request.remote_address, MonotonicMs())) {
      Write(ErrorResponse(429, "RATE_LIMITED", "too many requests; slow down"), keep_alive, route,
            0);
      return;
    }
    // The handler may answer later from another thread: the answer comes back to this
    // session's strand, and the session lives until then.
    server_->router.Dispatch(
        request, [self = shared_from_this(), keep_alive, route, start](HttpResponse response) {
          asio::dispatch(self->stream_.get_executor(), [self, keep_alive, route, start,
                                                        response = std::move(response)]() mutable {
            auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
            self->Write(std::move(response), keep_alive, route, static_cast<std::uint64_t>(us));
          });
        });
  }

  HttpRequest ToRequest(const http::request<http::string_body>& req) {
    HttpRequest r;
    beast::string_view method = req.method_string();
    r.method.assign(method.data(), method.size());
    std::string target(req.target());
    std::size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = req.body();
    beast::error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    r.remote_address = ec ? "unknown" : remote.address().to_string();
    return r;
  }

  void Write(HttpResponse response, bool keep_alive, const std::string& route,
             std::uint64_t duration_us) {
    server_->Count(route, response.status, duration_us);
    response_ = {};
    response_.result(static_cast<http::status>(response.status));
    response_.version(11);
    response_.set(http::field::server, "qfs");
    response_.set(http::field::content_type, response.content_type);
    response_.keep_alive(keep_alive);
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  HttpServer::Impl* server_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopped) Accept();
      return;
    }
    bool over = connections.load() >= options.connections_max;
    std::make_shared<Session>(std::move(socket), this)->Start(over);
    Accept();
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options, Router router,
                                                      Metrics* metrics) {
  QFS_CHECK(metrics != nullptr && options.threads > 0);
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument, "bad listen address '" + options.address + "'");
  }
  auto impl = std::make_unique<Impl>(options, std::move(router), metrics);
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + options.address + ":" +
                                                std::to_string(options.port) + ": " + ec.message());
  }
  impl->Accept();
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([io = &impl->ioc] { io->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
}

}  // namespace qfs::net
