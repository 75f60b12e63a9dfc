// Internal to src/net: the state the HTTP server's sessions share (HttpServer::Impl), the
// connection slot a session holds, and the base of WebSocket sessions. Not a public header.
#ifndef QFS_NET_HTTP_SERVER_IMPL_H_
#define QFS_NET_HTTP_SERVER_IMPL_H_

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/metrics.h"
#include "net/http_server.h"
#include "net/rate_limiter.h"

namespace qfs::net {

// A WebSocket connection as the server tracks it, for shutdown.
class WebSocketSessionBase {
 public:
  virtual ~WebSocketSessionBase() = default;
  // Sends 1001 and closes; any thread.
  virtual void CloseForShutdown() = 0;
  // Ends the connection's handler (OnClose) where the close did not finish in time. Called
  // once the server's threads have stopped, so nothing runs concurrently.
  virtual void Abandon() = 0;
};

struct HttpServer::Impl {
  Impl(const Options& o, Router r, Metrics* m);

  void Accept();
  void OnAccepted(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // A server thread: runs the I/O loop until it stops. An exception that escapes a completion
  // handler (a parser's, say, outside any request's Dispatch) unwinds that handler only — its
  // connection is dropped with its session — and is counted; the loop goes on.
  void Run();

  // The rate limiter's time (Options::clock).
  std::uint64_t NowMs() const;
  void Count(const std::string& route, int status, std::uint64_t duration_us);
  std::string NextRequestId();

  // Takes a connection slot for `peer`: false if the node or the peer is at its cap. Trusted
  // proxies carry many clients and are held to the node's cap only.
  bool AdmitConnection(const std::string& peer, bool per_peer_cap);
  void ReleaseConnection(const std::string& peer);
  // Reserves `bytes` of the response budget for `client`; false (nothing reserved) if they do
  // not fit in the node's budget or in the client's share of it. Small responses always fit.
  bool ReserveResponse(const std::string& client, std::size_t bytes);
  void ReleaseResponse(const std::string& client, std::size_t bytes);

  // WebSocket sessions, for shutdown. Register returns 0 once the server is stopping.
  std::uint64_t RegisterWebSocket(std::weak_ptr<WebSocketSessionBase> session);
  void UnregisterWebSocket(std::uint64_t id);
  Counter& WsClosed(const char* reason);

  const Options options;
  const Router router;
  Metrics* const metrics;
  RateLimiter limiter;
  Gauge& open_connections;
  Counter& handler_exceptions;
  Counter& accept_errors;
  Counter& shed_responses;
  Gauge& buffered_bytes;
  Counter& tls_handshake_failures;
  Gauge& ws_connections;
  Counter& ws_messages_received;
  Counter& ws_messages_sent;
  std::size_t connections_max = 0;  // set by Start
  std::string request_id_prefix;
  std::atomic<std::uint64_t> requests{0};
  std::mutex budget_mutex;
  std::size_t response_bytes = 0;                               // under budget_mutex
  std::map<std::string, std::size_t> response_bytes_by_client;  // under budget_mutex
  std::mutex clients_mutex;
  std::size_t connections = 0;                    // under clients_mutex
  std::map<std::string, std::size_t> per_client;  // under clients_mutex
  std::mutex ws_mutex;
  std::condition_variable ws_closed;
  bool ws_stopping = false;                                                  // under ws_mutex
  std::uint64_t ws_next_id = 1;                                              // under ws_mutex
  std::map<std::uint64_t, std::weak_ptr<WebSocketSessionBase>> ws_sessions;  // under ws_mutex
  std::optional<boost::asio::ssl::context> tls;  // set when the server speaks TLS
  // After everything sessions use: the sessions it still holds die with it.
  boost::asio::io_context ioc;  // told how many threads run it (Options::threads)
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::steady_timer accept_backoff;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
};

// One of the server's connection slots, released when the holder goes (movable: an HTTP
// session hands its slot to the WebSocket session it becomes).
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(HttpServer::Impl* server, std::string peer)
      : server_(server), peer_(std::move(peer)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : server_(std::exchange(other.server_, nullptr)), peer_(std::move(other.peer_)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    Release();
    server_ = std::exchange(other.server_, nullptr);
    peer_ = std::move(other.peer_);
    return *this;
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { Release(); }

  bool held() const { return server_ != nullptr; }
  void Release() {
    if (server_ != nullptr) std::exchange(server_, nullptr)->ReleaseConnection(peer_);
  }

 private:
  HttpServer::Impl* server_ = nullptr;
  std::string peer_;
};

inline std::uint64_t MonotonicMs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace qfs::net

#endif  // QFS_NET_HTTP_SERVER_IMPL_H_
