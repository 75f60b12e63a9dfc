// WebSocket endpoints (RFC 6455) on the HTTP server, with Boost.Beast kept out of sight: the
// application sees a handler per connection and a channel to send and close with.
//
//   class Echo : public WebSocketHandler {
//     void OnOpen(std::shared_ptr<WebSocketChannel> channel) override { channel_ = channel; }
//     void OnMessage(std::string_view m, WebSocketMessageKind kind) override {
//       channel_->Send(std::string(m), kind);
//     }
//     std::shared_ptr<WebSocketChannel> channel_;
//   };
//   router.AddWebSocket("/v1/ws", options, [](const HttpRequest& upgrade) {
//     return WebSocketAccept{std::make_shared<Echo>()};  // or a refusal (401, ...)
//   });
//
// What the server does for every WebSocket route (docs/protocol/websocket.md):
//   - the upgrade is a request like any other: rate-limited, counted, and refused 403 when its
//     Origin is not allowed (see WebSocketOptions::allowed_origins);
//   - a message over message_bytes_max closes the connection with 1009; permessage-deflate is
//     never negotiated (no decompression bombs);
//   - each message costs the client a token of its HTTP rate limit; past the limit the server
//     stops reading that connection until a token is due (TCP pushes back on the peer);
//   - a ping goes out every ping_interval_ms; a peer silent for dead_peer_timeout_ms is dropped;
//   - sends queue per connection up to send_queue_bytes_max / send_queue_messages_max; past
//     either, or when a frame is not taken within write_timeout_ms, the connection is closed with
//     kWsCloseSlowConsumer;
//   - the connection holds one of the server's connection slots (the cap is shared with HTTP);
//   - at shutdown every connection is sent 1001 and given a moment to close.
#ifndef QFS_NET_WEBSOCKET_H_
#define QFS_NET_WEBSOCKET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/limits.h"
#include "net/http_message.h"

namespace qfs::net {

enum class WebSocketMessageKind { kText, kBinary };

// Close codes the server sends. A dead peer is dropped without one (it would not read it).
inline constexpr std::uint16_t kWsCloseNormal = 1000;
inline constexpr std::uint16_t kWsCloseGoingAway = 1001;       // the server is stopping
inline constexpr std::uint16_t kWsCloseProtocolError = 1002;   // a malformed frame
inline constexpr std::uint16_t kWsCloseInvalidPayload = 1007;  // text that is not UTF-8
inline constexpr std::uint16_t kWsCloseTooBig = 1009;          // over message_bytes_max
inline constexpr std::uint16_t kWsCloseInternalError = 1011;   // the handler threw
inline constexpr std::uint16_t kWsCloseSlowConsumer = 4000;    // the send queue overflowed
// Reported to OnClose when the connection ended without a close frame either way.
inline constexpr std::uint16_t kWsCloseAbnormal = 1006;

struct WebSocketOptions {
  // Largest message (all its frames together) the peer may send.
  std::size_t message_bytes_max = kWsMessageBytesMax;
  std::uint32_t ping_interval_ms = kWsPingIntervalMs;
  // A peer from which nothing (message, pong, ping) arrived for this long is dropped.
  std::uint32_t dead_peer_timeout_ms = kWsDeadPeerTimeoutMs;
  // The send queue's bounds (queued messages not yet written to the socket).
  std::size_t send_queue_bytes_max = kWsSendQueueBytesMax;
  std::size_t send_queue_messages_max = kWsSendQueueMessagesMax;
  // A frame the peer has not taken within this closes the connection (slow consumer).
  std::uint32_t write_timeout_ms = kHttpWriteTimeoutMs;
  // A close handshake the peer has not finished within this ends the connection anyway.
  std::uint32_t close_timeout_ms = kWsCloseTimeoutMs;
  // Origins ("https://app.example", scheme://host[:port], compared ASCII case-insensitively)
  // whose pages may open this endpoint, besides the node's own origin (an Origin whose host
  // equals the request's Host). "*" allows every origin. A request without Origin is not from a
  // browser page and is allowed: the check protects browser users from other sites
  // (cross-site WebSocket hijacking), not the server from clients, which authenticate.
  std::vector<std::string> allowed_origins;
};

// The server's side of one connection. Thread-safe; stays valid after the connection ends
// (then Send returns false and Close does nothing).
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // Queues a message; false if the connection is closing or closed, or if it would pass the
  // send queue's bounds (the connection is then closed with kWsCloseSlowConsumer). A text
  // message must be valid UTF-8 (the peer would fail the connection otherwise).
  virtual bool Send(std::shared_ptr<const std::string> message, WebSocketMessageKind kind) = 0;
  bool Send(std::string message, WebSocketMessageKind kind) {
    return Send(std::make_shared<const std::string>(std::move(message)), kind);
  }
  // Sends a close frame with `code` (1000, or 3000-4999) and `reason` (at most 123 bytes)
  // after the messages already queued.
  virtual void Close(std::uint16_t code, std::string reason) = 0;
  // The client's address (behind trusted proxies, the one they reported) and the upgrade
  // request's id.
  virtual const std::string& client_address() const = 0;
  virtual const std::string& request_id() const = 0;
};

// The application's side of one connection. The server calls it on its own threads, one call
// at a time per connection, never concurrently: OnOpen first, then OnMessage for each message
// in order, then OnClose once, last. Calls must not block. An exception from a call closes the
// connection with kWsCloseInternalError (and is counted); it never crosses into the server.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketChannel> channel) = 0;
  virtual void OnMessage(std::string_view message, WebSocketMessageKind kind) = 0;
  // `code`: the close code sent or received, kWsCloseAbnormal if neither.
  virtual void OnClose(std::uint16_t code) { (void)code; }
};

// What a WebSocket route answers an upgrade request with.
struct WebSocketAccept {
  // The connection's handler; null refuses the upgrade with `refusal` (401, 403, ...).
  std::shared_ptr<WebSocketHandler> handler;
  HttpResponse refusal;
  // A subprotocol the client offered in Sec-WebSocket-Protocol to confirm, or empty.
  std::string subprotocol;
};
// Called on a server thread for each upgrade request that passed the server's checks; must
// not block. An exception is answered 500, as a handler's.
using WebSocketAcceptor = std::function<WebSocketAccept(const HttpRequest&)>;

// True if `origin` may open an endpoint with `options` on a server reached as `host` (the
// request's Host header, which may be absent).
bool WebSocketOriginAllowed(const WebSocketOptions& options, std::string_view origin,
                            std::optional<std::string_view> host);

}  // namespace qfs::net

#endif  // QFS_NET_WEBSOCKET_H_
