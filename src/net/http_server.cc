#include "net/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "base/check.h"
#include "base/limits.h"
#include "base/strings.h"
#include "base/text_encoding.h"
#include "net/rate_limiter.h"

namespace qfs::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::uint64_t MonotonicMs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

struct HttpServer::Impl {
  Impl(const Options& o, Router r, Metrics* m)
      : options(o),
        router(std::move(r)),
        metrics(m),
        limiter(o.requests_per_second_per_client, 2 * o.requests_per_second_per_client,
                kHttpRateLimitClientsMax),
        open_connections(m->AddGauge("qfs_http_connections", "Open HTTP connections")),
        handler_exceptions(m->AddCounter("qfs_http_handler_exceptions_total",
                                         "Requests whose handler threw (answered 500)")),
        accept_errors(m->AddCounter("qfs_http_accept_errors_total",
                                    "accept() failures (backed off when out of descriptors)")),
        shed_responses(
            m->AddCounter("qfs_http_responses_shed_total",
                          "Responses replaced by 503: too many bytes waiting for peers")),
        buffered_bytes(m->AddGauge("qfs_http_response_bytes_buffered",
                                   "Bytes of large responses being written to peers")),
        acceptor(ioc),
        accept_backoff(ioc) {
    // Tells this process's ids from another's (restarts, other nodes); not a secret.
    const std::uint32_t boot = std::random_device{}();
    const std::array<std::uint8_t, 4> prefix = {
        static_cast<std::uint8_t>(boot >> 24), static_cast<std::uint8_t>(boot >> 16),
        static_cast<std::uint8_t>(boot >> 8), static_cast<std::uint8_t>(boot)};
    request_id_prefix = HexEncode(prefix);
  }

  void Accept();
  // A server thread: runs the I/O loop until it stops. An exception that escapes a completion
  // handler (a parser's, say, outside any request's Dispatch) unwinds that handler only — its
  // connection is dropped with its session — and is counted; the loop goes on.
  void Run() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        handler_exceptions.Increment();
        std::fprintf(stderr, "qfs http: a completion handler failed: %s\n",
                     SanitizeUtf8(TruncateUtf8(e.what(), 200)).c_str());
      } catch (...) {
        handler_exceptions.Increment();
        std::fprintf(stderr, "qfs http: a completion handler failed: a non-standard exception\n");
      }
    }
  }
  // The rate limiter's time (Options::clock).
  std::uint64_t NowMs() const {
    return options.clock != nullptr ? options.clock->NowMicros() / 1000 : MonotonicMs();
  }
  void OnAccepted(beast::error_code ec, tcp::socket socket);
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
  std::string NextRequestId() {
    char counter[17];
    std::snprintf(counter, sizeof(counter), "%016llx", static_cast<unsigned long long>(++requests));
    return request_id_prefix + counter;
  }
  // Takes a connection slot for `client`: false if the node or the client is at its cap.
  bool AdmitConnection(const std::string& client) {
    std::lock_guard<std::mutex> lock(clients_mutex);
    if (connections >= connections_max) return false;
    std::size_t& mine = per_client[client];
    if (mine >= options.connections_per_client_max) return false;
    ++mine;
    ++connections;
    open_connections.Set(static_cast<std::int64_t>(connections));
    return true;
  }
  void ReleaseConnection(const std::string& client) {
    std::lock_guard<std::mutex> lock(clients_mutex);
    auto it = per_client.find(client);
    QFS_CHECK(it != per_client.end() && it->second > 0 && connections > 0);
    if (--it->second == 0) per_client.erase(it);
    --connections;
    open_connections.Set(static_cast<std::int64_t>(connections));
  }
  // Reserves `bytes` of the response budget; false (nothing reserved) if they do not fit.
  // Small responses always fit.
  bool ReserveResponse(std::size_t bytes) {
    if (bytes < kHttpSmallResponseBytes) return true;
    std::size_t now = response_bytes.load();
    do {
      if (now + bytes > options.response_bytes_in_flight_max) return false;
    } while (!response_bytes.compare_exchange_weak(now, now + bytes));
    buffered_bytes.Add(static_cast<std::int64_t>(bytes));
    return true;
  }
  void ReleaseResponse(std::size_t bytes) {
    if (bytes < kHttpSmallResponseBytes) return;
    response_bytes.fetch_sub(bytes);
    buffered_bytes.Add(-static_cast<std::int64_t>(bytes));
  }

  const Options options;
  const Router router;
  Metrics* const metrics;
  RateLimiter limiter;
  Gauge& open_connections;
  Counter& handler_exceptions;
  Counter& accept_errors;
  Counter& shed_responses;
  Gauge& buffered_bytes;
  std::size_t connections_max = 0;  // set by Start
  std::string request_id_prefix;
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::size_t> response_bytes{0};  // reserved by responses being written
  std::mutex clients_mutex;
  std::size_t connections = 0;                    // under clients_mutex
  std::map<std::string, std::size_t> per_client;  // under clients_mutex
  asio::io_context ioc;  // after the counters above: it outlives the sessions' destructors
  tcp::acceptor acceptor;
  asio::steady_timer accept_backoff;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
};

namespace {

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// The peer went away or went quiet: there is nobody to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe;
}

// "chunked" alone (any case, surrounding spaces) is the only transfer coding we decode.
bool IsPlainChunked(beast::string_view value) {
  std::string v(value);
  const std::size_t first = v.find_first_not_of(" \t");
  const std::size_t last = v.find_last_not_of(" \t");
  if (first == std::string::npos) return false;
  v = v.substr(first, last - first + 1);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "chunked";
}

HttpResponse Busy(const std::string& message) {
  HttpResponse r = ErrorResponse(503, "UNAVAILABLE", message);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string client, HttpServer::Impl* server, bool admitted)
      : stream_(std::move(socket)),
        client_(std::move(client)),
        server_(server),
        admitted_(admitted) {}
  ~Session() {
    server_->ReleaseResponse(reserved_bytes_);
    if (admitted_) server_->ReleaseConnection(client_);
  }

  void Start() {
    if (!admitted_) {
      Write(Busy("too many connections"), false, "unmatched", 0);
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
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    if (auto te = header.find(http::field::transfer_encoding);
        te != header.end() && !IsPlainChunked(te->value())) {
      return Write(
          ErrorResponse(501, "NOT_IMPLEMENTED", "only the chunked transfer coding is supported"),
          false, "unmatched", 0);
    }
    // The body is read against its route's limit, known now that the target is; a declared
    // length over it is refused before a byte of the body is read.
    const beast::string_view method = header.method_string();
    const beast::string_view target = header.target();
    const beast::string_view path = target.substr(0, target.find('?'));
    const std::uint64_t limit = std::min<std::uint64_t>(
        server_->options.request_bytes_max,
        server_->router.BodyBytesMax(std::string(method.data(), method.size()),
                                     std::string(path.data(), path.size())));
    if (const auto length = parser_->content_length(); length.has_value() && *length > limit) {
      return OnReadError(http::error::body_limit);
    }
    parser_->body_limit(limit);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
      return Write(ErrorResponse(413, "TOO_LARGE", "request exceeds the size limit"), false,
                   "unmatched", 0);
    }
    if (IsDisconnect(ec) || !IsHttpParseError(ec)) return Close();
    Write(ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message()), false,
          "unmatched", 0);
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    const auto start = std::chrono::steady_clock::now();
    http::request<http::string_body> req = parser_->release();
    HttpRequest request = ToRequest(req);
    const bool keep_alive = req.keep_alive();
    std::string route = server_->router.RouteLabel(request);
    if (!server_->limiter.Allow(client_, server_->NowMs())) {
      HttpResponse limited = ErrorResponse(429, "RATE_LIMITED", "too many requests; slow down");
      limited.headers.emplace_back("Retry-After", "1");
      return Write(std::move(limited), keep_alive, route, 0, request.request_id);
    }
    Dispatch(request, keep_alive, route, start);
  }

  // The request boundary: whatever the handler does, the peer gets one answer and the process
  // goes on. The answer comes back to this session's strand (an async handler may answer from
  // any thread), and the session lives until then.
  void Dispatch(HttpRequest& request, bool keep_alive, const std::string& route,
                std::chrono::steady_clock::time_point start) {
    auto answered = std::make_shared<std::atomic<bool>>(false);
    HttpResponder respond = [self = shared_from_this(), answered, keep_alive, route, start,
                             id = request.request_id](HttpResponse response) {
      if (answered->exchange(true)) return;
      asio::dispatch(self->stream_.get_executor(), [self, keep_alive, route, start, id,
                                                    response = std::move(response)]() mutable {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        self->Write(std::move(response), keep_alive, route, static_cast<std::uint64_t>(us), id);
      });
    };
    std::string failure;
    try {
      server_->router.Dispatch(request, respond);
      return;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    server_->handler_exceptions.Increment();
    // The request id ties the answer to this line; the request's contents stay out of it.
    std::fprintf(stderr, "qfs http: request %s (%s) failed: %s\n", request.request_id.c_str(),
                 route.c_str(), SanitizeUtf8(TruncateUtf8(failure, 200)).c_str());
    respond(
        ErrorResponse(500, "INTERNAL", "internal error; quote request id " + request.request_id));
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
    for (const auto& field : req) {  // the parser has already stripped the values' whitespace
      const beast::string_view name = field.name_string();
      const beast::string_view value = field.value();
      r.headers.emplace_back(std::string(name.data(), name.size()),
                             std::string(value.data(), value.size()));
    }
    r.remote_address = client_;
    r.request_id = server_->NextRequestId();
    return r;
  }

  void Write(HttpResponse response, bool keep_alive, const std::string& route,
             std::uint64_t duration_us, const std::string& request_id = "") {
    if (response.body.size() > kHttpResponseBytesMax) {
      response = ErrorResponse(500, "INTERNAL", "the response would exceed the size limit");
    }
    if (!server_->ReserveResponse(response.body.size())) {
      server_->shed_responses.Increment();
      response = Busy("the node has too many responses waiting for slow readers; retry");
    } else {
      reserved_bytes_ = response.body.size();
    }
    server_->Count(route, response.status, duration_us);
    // What the node rendered and sends costs the client's rate as well as the request did.
    if (const std::size_t extra = response.body.size() / kHttpResponseBytesPerToken; extra != 0) {
      server_->limiter.Charge(client_, extra, server_->NowMs());
    }
    response_ = {};
    response_.result(static_cast<http::status>(response.status));
    response_.version(11);
    response_.set(http::field::server, "qfs");
    response_.set(http::field::content_type, response.content_type);
    response_.set("X-Request-Id", request_id.empty() ? server_->NextRequestId() : request_id);
    for (const auto& [name, value] : response.headers) response_.set(name, value);
    response_.keep_alive(keep_alive);
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(server_->options.write_timeout_ms));
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        self->server_->ReleaseResponse(self->reserved_bytes_);
                        self->reserved_bytes_ = 0;
                        self->response_ = {};
                        if (ec || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  const std::string client_;
  // Bytes read and not yet parsed. Bounded, so that what the parser must hold whole — the
  // header, a chunk's header line with its extensions, the trailer fields — cannot grow without
  // limit (past it: buffer_overflow, answered 413): Beast keeps trailer fields outside both the
  // header and the body limit, and throws on a field over 64 KiB.
  beast::flat_buffer buffer_{kHttpReadBufferBytes};
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  HttpServer::Impl* server_;
  const bool admitted_;
  std::size_t reserved_bytes_ = 0;  // of the response being written
};

// The connection cap that RLIMIT_NOFILE leaves room for.
std::size_t DescriptorBoundConnections(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  return soft > kFileDescriptorsReserved ? std::min(wanted, soft - kFileDescriptorsReserved) : 0;
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccepted(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccepted(beast::error_code ec, tcp::socket socket) {
  if (stopped) return;
  if (ec) {
    accept_errors.Increment();
    // Out of descriptors (or kernel memory): retrying at once would spin a core while nothing
    // changes. Wait for connections to close; the listen backlog holds new ones meanwhile.
    const int e = ec.value();
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
      accept_backoff.expires_after(std::chrono::milliseconds(50));
      accept_backoff.async_wait([this](beast::error_code) {
        if (!stopped) Accept();
      });
      return;
    }
    return Accept();
  }
  beast::error_code remote_ec;
  const tcp::endpoint remote = socket.remote_endpoint(remote_ec);
  std::string client = remote_ec ? "unknown" : remote.address().to_string();
  const bool admitted = AdmitConnection(client);
  std::make_shared<Session>(std::move(socket), std::move(client), this, admitted)->Start();
  Accept();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options, Router router,
                                                      Metrics* metrics) {
  QFS_CHECK(metrics != nullptr && options.threads > 0);
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  "bad listen address '" + SanitizeUtf8(options.address) + "'");
  }
  auto impl = std::make_unique<Impl>(options, std::move(router), metrics);
  impl->connections_max = DescriptorBoundConnections(options.connections_max);
  if (impl->connections_max == 0) {
    return Status(StatusCode::kResourceExhausted,
                  "the open-file limit (ulimit -n) leaves no descriptors for connections; raise "
                  "it above " +
                      std::to_string(kFileDescriptorsReserved));
  }
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
    impl->threads.emplace_back([impl = impl.get()] { impl->Run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::size_t HttpServer::connections_max() const { return impl_->connections_max; }

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_backoff.cancel();
  });
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
}

}  // namespace qfs::net
