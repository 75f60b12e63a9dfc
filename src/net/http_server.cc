#include "net/http_server.h"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
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
#include "net/client_address.h"
#include "net/http_server_impl.h"
#include "net/rate_limiter.h"
#include "net/websocket_session.h"

namespace qfs::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

HttpServer::Impl::Impl(const Options& o, Router r, Metrics* m)
    : options(o),
      router(std::move(r)),
      metrics(m),
      limiter(o.requests_per_second_per_client, 2 * o.requests_per_second_per_client,
              kHttpRateLimitClientsMax),
      open_connections(
          m->AddGauge("qfs_http_connections", "Open connections (HTTP and WebSocket)")),
      handler_exceptions(m->AddCounter("qfs_http_handler_exceptions_total",
                                       "Requests and WebSocket calls whose handler threw")),
      accept_errors(m->AddCounter("qfs_http_accept_errors_total",
                                  "accept() failures (backed off when out of descriptors)")),
      shed_responses(m->AddCounter("qfs_http_responses_shed_total",
                                   "Responses replaced by 503: too many bytes waiting for peers")),
      buffered_bytes(m->AddGauge("qfs_http_response_bytes_buffered",
                                 "Bytes of large responses being written to peers")),
      tls_handshake_failures(m->AddCounter("qfs_http_tls_handshake_failures_total",
                                           "TLS handshakes that failed or timed out")),
      ws_connections(m->AddGauge("qfs_ws_connections", "Open WebSocket connections")),
      ws_messages_received(m->AddCounter("qfs_ws_messages_total", "WebSocket messages",
                                         {{"direction", "received"}})),
      ws_messages_sent(
          m->AddCounter("qfs_ws_messages_total", "WebSocket messages", {{"direction", "sent"}})),
      ioc(o.threads),
      acceptor(ioc),
      accept_backoff(ioc) {
  // Tells this process's ids from another's (restarts, other nodes); not a secret.
  const std::uint32_t boot = std::random_device{}();
  const std::array<std::uint8_t, 4> prefix = {
      static_cast<std::uint8_t>(boot >> 24), static_cast<std::uint8_t>(boot >> 16),
      static_cast<std::uint8_t>(boot >> 8), static_cast<std::uint8_t>(boot)};
  request_id_prefix = HexEncode(prefix);
}

void HttpServer::Impl::Run() {
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

std::uint64_t HttpServer::Impl::NowMs() const {
  return options.clock != nullptr ? options.clock->NowMicros() / 1000 : MonotonicMs();
}

void HttpServer::Impl::Count(const std::string& route, int status, std::uint64_t duration_us) {
  metrics
      ->AddCounter("qfs_http_requests_total", "HTTP requests answered",
                   {{"route", route}, {"code", std::to_string(status)}})
      .Increment();
  metrics
      ->AddHistogram("qfs_http_request_duration_seconds", "HTTP request handling time",
                     {{"route", route}})
      .Observe(duration_us);
}

std::string HttpServer::Impl::NextRequestId() {
  char counter[17];
  std::snprintf(counter, sizeof(counter), "%016llx", static_cast<unsigned long long>(++requests));
  return request_id_prefix + counter;
}

bool HttpServer::Impl::AdmitConnection(const std::string& peer, bool per_peer_cap) {
  std::lock_guard<std::mutex> lock(clients_mutex);
  if (connections >= connections_max) return false;
  std::size_t& mine = per_client[peer];
  if (per_peer_cap && mine >= options.connections_per_client_max) {
    if (mine == 0) per_client.erase(peer);
    return false;
  }
  ++mine;
  ++connections;
  open_connections.Set(static_cast<std::int64_t>(connections));
  return true;
}

void HttpServer::Impl::ReleaseConnection(const std::string& peer) {
  std::lock_guard<std::mutex> lock(clients_mutex);
  auto it = per_client.find(peer);
  QFS_CHECK(it != per_client.end() && it->second > 0 && connections > 0);
  if (--it->second == 0) per_client.erase(it);
  --connections;
  open_connections.Set(static_cast<std::int64_t>(connections));
}

bool HttpServer::Impl::ReserveResponse(const std::string& client, std::size_t bytes) {
  if (bytes < kHttpSmallResponseBytes) return true;
  std::lock_guard<std::mutex> lock(budget_mutex);
  std::size_t& mine = response_bytes_by_client[client];
  if (response_bytes + bytes > options.response_bytes_in_flight_max ||
      mine + bytes > kHttpResponseBytesInFlightPerClientMax) {
    if (mine == 0) response_bytes_by_client.erase(client);
    return false;
  }
  mine += bytes;
  response_bytes += bytes;
  buffered_bytes.Add(static_cast<std::int64_t>(bytes));
  return true;
}

void HttpServer::Impl::ReleaseResponse(const std::string& client, std::size_t bytes) {
  if (bytes < kHttpSmallResponseBytes) return;
  std::lock_guard<std::mutex> lock(budget_mutex);
  auto it = response_bytes_by_client.find(client);
  QFS_CHECK(it != response_bytes_by_client.end() && it->second >= bytes && response_bytes >= bytes);
  if ((it->second -= bytes) == 0) response_bytes_by_client.erase(it);
  response_bytes -= bytes;
  buffered_bytes.Add(-static_cast<std::int64_t>(bytes));
}

std::uint64_t HttpServer::Impl::RegisterWebSocket(std::weak_ptr<WebSocketSessionBase> session) {
  std::lock_guard<std::mutex> lock(ws_mutex);
  if (ws_stopping) return 0;
  const std::uint64_t id = ws_next_id++;
  ws_sessions.emplace(id, std::move(session));
  return id;
}

void HttpServer::Impl::UnregisterWebSocket(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(ws_mutex);
  ws_sessions.erase(id);
  if (ws_sessions.empty()) ws_closed.notify_all();
}

Counter& HttpServer::Impl::WsClosed(const char* reason) {
  return metrics->AddCounter("qfs_ws_closed_total", "WebSocket connections ended, by why",
                             {{"reason", reason}});
}

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// The peer went away or went quiet: there is nobody to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

// "chunked" alone (any case, surrounding spaces) is the only transfer coding we decode.
bool IsPlainChunked(beast::string_view value) {
  return EqualsIgnoringAsciiCase(TrimHttpWhitespace(std::string_view(value.data(), value.size())),
                                 "chunked");
}

HttpResponse Busy(const std::string& message) {
  HttpResponse r = ErrorResponse(503, "UNAVAILABLE", message);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// How one answer goes out.
struct Reply {
  bool keep_alive = false;
  bool head = false;  // headers only (a HEAD request)
  std::string route = "unmatched";
  std::string client;  // whose rate the response is charged to; empty: the peer's
  std::string request_id;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

  HttpSession(Stream stream, std::string peer, HttpServer::Impl* server, ConnectionSlot slot)
      : stream_(std::move(stream)),
        peer_(std::move(peer)),
        server_(server),
        slot_(std::move(slot)) {}
  ~HttpSession() { server_->ReleaseResponse(reserved_client_, reserved_bytes_); }

  void Start() {
    if constexpr (kIsTls) {
      // Over the cap, a TLS peer is dropped: a 503 would cost a handshake first.
      if (!slot_.held()) return Tcp().close();
      Tcp().expires_after(std::chrono::milliseconds{kTlsHandshakeTimeoutMs});
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  self->server_->tls_handshake_failures.Increment();
                                  return self->Tcp().close();
                                }
                                self->Read();
                              });
    } else {
      if (!slot_.held()) return Write(Busy("too many connections"), Reply{});
      Read();
    }
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options.request_bytes_max);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_bytes_max));
    Tcp().expires_after(std::chrono::milliseconds{server_->options.idle_timeout_ms});
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    if (auto te = header.find(http::field::transfer_encoding);
        te != header.end() && !IsPlainChunked(te->value())) {
      return Refuse(
          ErrorResponse(501, "NOT_IMPLEMENTED", "only the chunked transfer coding is supported"));
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
                     [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
                       self->OnRead(read_ec);
                     });
  }

  // A refusal before the request is whole (400, 413, 501) costs the peer a token like a
  // request; past its rate the connection is closed without an answer.
  void Refuse(HttpResponse response) {
    if (!server_->limiter.Allow(peer_, server_->NowMs())) return Close();
    Write(std::move(response), Reply{});
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
      return Refuse(ErrorResponse(413, "TOO_LARGE", "request exceeds the size limit"));
    }
    if (IsDisconnect(ec) || !IsHttpParseError(ec)) return Close();
    Refuse(ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message()));
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    HttpRequest request = ToRequest(req);
    Reply reply;
    reply.keep_alive = req.keep_alive();
    reply.head = req.method() == http::verb::head;
    reply.route = server_->router.RouteLabel(request);
    reply.client = request.remote_address;
    reply.request_id = request.request_id;
    if (!server_->limiter.Allow(request.remote_address, server_->NowMs())) {
      HttpResponse limited = ErrorResponse(429, "RATE_LIMITED", "too many requests; slow down");
      limited.headers.emplace_back("Retry-After", "1");
      return Write(std::move(limited), reply);
    }
    if (beast::websocket::is_upgrade(req)) {
      if (const Router::WebSocketRoute* ws = server_->router.WebSocketAt(request.path)) {
        // RFC 6455 §4.1: no frame before the 101. Bytes already here would be lost (or a frame
        // cut in two): refuse rather than drop them silently.
        if (buffer_.size() != 0) {
          reply.keep_alive = false;
          return Write(ErrorResponse(400, "BAD_REQUEST",
                                     "data arrived before the WebSocket handshake completed"),
                       reply);
        }
        return Upgrade(std::move(req), request, *ws, reply);
      }
    }
    Dispatch(request, reply);
  }

  // Runs `call` (a handler); true if it returned. An exception is answered 500 through
  // `respond` (unless the handler answered already) with the request id, counted and logged
  // without the request's contents.
  template <class F>
  bool Guarded(const HttpRequest& request, const Reply& reply, const HttpResponder& respond,
               F&& call) {
    std::string failure;
    try {
      call();
      return true;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    server_->handler_exceptions.Increment();
    std::fprintf(stderr, "qfs http: request %s (%s) failed: %s\n", request.request_id.c_str(),
                 reply.route.c_str(), SanitizeUtf8(TruncateUtf8(failure, 200)).c_str());
    respond(
        ErrorResponse(500, "INTERNAL", "internal error; quote request id " + request.request_id));
    return false;
  }

  // The responder for one request: the first answer comes back to this session's strand (an
  // async handler may answer from any thread), later ones are dropped; the session lives until
  // then.
  HttpResponder Answer(const Reply& reply) {
    auto answered = std::make_shared<std::atomic<bool>>(false);
    return [self = this->shared_from_this(), answered, reply](HttpResponse response) {
      if (answered->exchange(true)) return;
      asio::dispatch(self->stream_.get_executor(),
                     [self, reply, response = std::move(response)]() mutable {
                       self->Write(std::move(response), reply);
                     });
    };
  }

  // The request boundary: whatever the handler does, the peer gets one answer and the process
  // goes on.
  void Dispatch(HttpRequest& request, const Reply& reply) {
    HttpResponder respond = Answer(reply);
    Guarded(request, reply, respond, [&] { server_->router.Dispatch(request, respond); });
  }

  void Upgrade(http::request<http::string_body> req, const HttpRequest& request,
               const Router::WebSocketRoute& ws, const Reply& reply) {
    const std::optional<std::string_view> origin = request.Header("Origin");
    if (request.HeaderCount("Origin") > 1 ||
        (origin && !WebSocketOriginAllowed(ws.options, *origin, request.Header("Host")))) {
      return Write(ErrorResponse(403, "ORIGIN_NOT_ALLOWED",
                                 "this origin may not open this WebSocket endpoint"),
                   reply);
    }
    WebSocketAccept accept;
    if (!Guarded(request, reply, Answer(reply), [&] { accept = ws.acceptor(request); })) return;
    if (!accept.handler) return Write(std::move(accept.refusal), reply);
    server_->Count(reply.route, 101, MicrosSince(reply.start));
    auto session = std::make_shared<WebSocketSession<Stream>>(
        std::move(stream_), std::move(slot_), server_, ws.options, std::move(accept.handler),
        request.remote_address, request.request_id);
    session->Run(std::move(req), accept.subprotocol);
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
    r.remote_address = ClientAddress(peer_, r, server_->options.trusted_proxies);
    r.request_id = server_->NextRequestId();
    return r;
  }

  static std::uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
  }

  void Write(HttpResponse response, const Reply& reply) {
    if (response.body.size() > kHttpResponseBytesMax) {
      response = ErrorResponse(500, "INTERNAL", "the response would exceed the size limit");
    }
    const std::string& client = reply.client.empty() ? peer_ : reply.client;
    if (!server_->ReserveResponse(client, response.body.size())) {
      server_->shed_responses.Increment();
      response = Busy("the node has too many responses waiting for slow readers; retry");
    } else {
      reserved_bytes_ = response.body.size();
      reserved_client_ = client;
    }
    server_->Count(reply.route, response.status, MicrosSince(reply.start));
    // What the node rendered and sends costs the client's rate as well as the request did.
    if (const std::size_t extra = response.body.size() / kHttpResponseBytesPerToken; extra != 0) {
      server_->limiter.Charge(reply.client.empty() ? peer_ : reply.client, extra, server_->NowMs());
    }
    response_ = {};
    response_.result(static_cast<http::status>(response.status));
    response_.version(11);
    response_.set(http::field::server, "qfs");
    response_.set(http::field::content_type, response.content_type);
    response_.set("X-Request-Id",
                  reply.request_id.empty() ? server_->NextRequestId() : reply.request_id);
    for (const auto& [name, value] : response.headers) response_.set(name, value);
    response_.keep_alive(reply.keep_alive);
    if (reply.head) {
      response_.content_length(response.body.size());  // what a GET would send, not sent
    } else {
      response_.body() = std::move(response.body);
      response_.prepare_payload();
    }
    Tcp().expires_after(std::chrono::milliseconds{server_->options.write_timeout_ms});
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), keep_alive = reply.keep_alive](
                          beast::error_code ec, std::size_t) {
                        self->server_->ReleaseResponse(self->reserved_client_,
                                                       self->reserved_bytes_);
                        self->reserved_bytes_ = 0;
                        self->response_ = {};
                        if (ec || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    if constexpr (kIsTls) {
      // close_notify, briefly: a peer that does not answer is not waited for.
      Tcp().expires_after(std::chrono::milliseconds{1000});
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Tcp().close(); });
    } else {
      beast::error_code ec;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  const std::string peer_;  // the TCP peer's address
  HttpServer::Impl* const server_;
  ConnectionSlot slot_;  // empty: over the cap, answered and closed
  // Bytes read and not yet parsed. Bounded, so that what the parser must hold whole — the
  // header, a chunk's header line with its extensions, the trailer fields — cannot grow without
  // limit (past it: buffer_overflow, answered 413): Beast keeps trailer fields outside both the
  // header and the body limit, and throws on a field over 64 KiB.
  beast::flat_buffer buffer_{kHttpReadBufferBytes};
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::size_t reserved_bytes_ = 0;  // of the response being written
  std::string reserved_client_;     // whose share they count against
};

// The connection cap that RLIMIT_NOFILE leaves room for.
std::size_t DescriptorBoundConnections(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  return soft > kFileDescriptorsReserved ? std::min(wanted, soft - kFileDescriptorsReserved) : 0;
}

// TLS 1.2 suites with forward secrecy and AEAD only (Mozilla's "intermediate" list); TLS 1.3's
// are all of that kind and stay OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Result<ssl::context> MakeTlsContext(const HttpServer::Options& options) {
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // No session tickets: their key would live as long as the process and undo forward secrecy
  // for every session it sealed; resumption by session id stays.
  SSL_CTX_set_options(native,
                      SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status(StatusCode::kInternal, "OpenSSL refused the TLS 1.2 cipher list");
  }
  const auto failed = [](const std::string& what, const std::string& file,
                         const boost::system::error_code& ec) {
    return Status(StatusCode::kInvalidArgument, "cannot load the TLS " + what + " from '" +
                                                    SanitizeUtf8(file) + "': " + ec.message());
  };
  boost::system::error_code ec;
  context.use_certificate_chain_file(options.tls_certificate_file, ec);
  if (ec) return failed("certificate", options.tls_certificate_file, ec);
  context.use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
  if (ec) return failed("key", options.tls_key_file, ec);
  if (SSL_CTX_check_private_key(native) != 1) {
    return Status(StatusCode::kInvalidArgument, "the TLS key in '" +
                                                    SanitizeUtf8(options.tls_key_file) +
                                                    "' does not match the certificate");
  }
  return context;
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
      accept_backoff.expires_after(std::chrono::milliseconds{50});
      accept_backoff.async_wait([this](beast::error_code) {
        if (!stopped) Accept();
      });
      return;
    }
    return Accept();
  }
  beast::error_code remote_ec;
  // Answers and pushed messages are small and wanted now: no Nagle delay behind an unacked one.
  socket.set_option(tcp::no_delay(true), remote_ec);
  const tcp::endpoint remote = socket.remote_endpoint(remote_ec);
  std::string peer = "unknown";
  bool trusted = false;
  if (!remote_ec) {
    const std::optional<IpBytes> ip = ParseIpAddress(remote.address().to_string());
    peer = ip ? FormatIpAddress(*ip) : remote.address().to_string();
    trusted = ip && options.trusted_proxies.Contains(*ip);
  }
  ConnectionSlot slot;
  if (AdmitConnection(peer, !trusted)) slot = ConnectionSlot(this, peer);
  if (tls) {
    std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *tls), std::move(peer),
                                             this, std::move(slot))
        ->Start();
  } else {
    std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), std::move(peer),
                                               this, std::move(slot))
        ->Start();
  }
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
  if (options.tls_certificate_file.empty() != options.tls_key_file.empty()) {
    return Status(StatusCode::kInvalidArgument, "TLS needs both a certificate file and a key file");
  }
  auto impl = std::make_unique<Impl>(options, std::move(router), metrics);
  if (!options.tls_certificate_file.empty()) {
    QFS_ASSIGN_OR_RETURN(ssl::context context, MakeTlsContext(options));
    impl->tls.emplace(std::move(context));
  }
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

bool HttpServer::tls() const { return impl_->tls.has_value(); }

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_backoff.cancel();
  });
  // WebSocket peers get 1001 and a moment to answer it; HTTP requests in flight are dropped.
  std::vector<std::shared_ptr<WebSocketSessionBase>> open;
  {
    std::unique_lock<std::mutex> lock(impl_->ws_mutex);
    impl_->ws_stopping = true;
    for (const auto& [id, session] : impl_->ws_sessions) {
      if (auto s = session.lock()) open.push_back(std::move(s));
    }
  }
  for (const auto& session : open) session->CloseForShutdown();
  open.clear();
  {
    std::unique_lock<std::mutex> lock(impl_->ws_mutex);
    impl_->ws_closed.wait_for(lock, std::chrono::milliseconds{kWsStopGraceMs},
                              [this] { return impl_->ws_sessions.empty(); });
  }
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  // Whatever did not close in time ends here, with no server thread running.
  {
    std::lock_guard<std::mutex> lock(impl_->ws_mutex);
    for (const auto& [id, session] : impl_->ws_sessions) {
      if (auto s = session.lock()) open.push_back(std::move(s));
    }
  }
  for (const auto& session : open) session->Abandon();
}

}  // namespace qfs::net
