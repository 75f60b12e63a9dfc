// Internal to src/net: one WebSocket connection (websocket.h says what it guarantees), over a
// plain or a TLS stream. Everything below runs on the connection's strand except Send, Close
// and CloseForShutdown, which post to it, and Abandon (after the server's threads stopped).
#ifndef QFS_NET_WEBSOCKET_SESSION_H_
#define QFS_NET_WEBSOCKET_SESSION_H_

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "base/strings.h"
#include "net/http_server_impl.h"
#include "net/websocket.h"

namespace qfs::net {

// What the application holds: the session, weakly, so that a handler keeping its channel does
// not keep the connection alive.
class WebSocketChannelRef : public WebSocketChannel {
 public:
  struct Target {
    virtual ~Target() = default;
    virtual bool Send(std::shared_ptr<const std::string> message, WebSocketMessageKind kind) = 0;
    virtual void Close(std::uint16_t code, std::string reason) = 0;
  };
  WebSocketChannelRef(std::weak_ptr<Target> target, std::string client, std::string request_id)
      : target_(std::move(target)),
        client_(std::move(client)),
        request_id_(std::move(request_id)) {}
  bool Send(std::shared_ptr<const std::string> message, WebSocketMessageKind kind) override {
    const std::shared_ptr<Target> target = target_.lock();
    return target != nullptr && target->Send(std::move(message), kind);
  }
  void Close(std::uint16_t code, std::string reason) override {
    if (const std::shared_ptr<Target> target = target_.lock())
      target->Close(code, std::move(reason));
  }
  const std::string& client_address() const override { return client_; }
  const std::string& request_id() const override { return request_id_; }

 private:
  std::weak_ptr<Target> target_;
  const std::string client_;
  const std::string request_id_;
};

// The session whose handler this thread is running, if any (so that its Send need not post).
inline thread_local const void* current_session = nullptr;

template <class Stream>
class WebSocketSession : public WebSocketSessionBase,
                         public WebSocketChannelRef::Target,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  using Clock = std::chrono::steady_clock;

  WebSocketSession(Stream stream, ConnectionSlot slot, HttpServer::Impl* server,
                   const WebSocketOptions& options, std::shared_ptr<WebSocketHandler> handler,
                   std::string client, std::string request_id)
      : ws_(std::move(stream)),
        server_(server),
        slot_(std::move(slot)),
        options_(options),
        handler_(std::move(handler)),
        client_(std::move(client)),
        request_id_(std::move(request_id)),
        heartbeat_(ws_.get_executor()),
        pace_(ws_.get_executor()) {}

  ~WebSocketSession() override {
    if (id_ != 0) server_->UnregisterWebSocket(id_);
  }

  // Answers the upgrade request (101) and starts the connection.
  template <class Body>
  void Run(boost::beast::http::request<Body> request, const std::string& subprotocol) {
    namespace websocket = boost::beast::websocket;
    id_ = server_->RegisterWebSocket(this->weak_from_this());
    if (id_ == 0) return HardClose();  // the server is stopping
    boost::beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = std::chrono::milliseconds{options_.write_timeout_ms};
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [subprotocol, id = request_id_](websocket::response_type& response) {
          response.set(boost::beast::http::field::server, "qfs");
          response.set("X-Request-Id", id);
          if (!subprotocol.empty()) {
            response.set(boost::beast::http::field::sec_websocket_protocol, subprotocol);
          }
        }));
    ws_.read_message_max(options_.message_bytes_max);
    // Pings, pongs and close frames from the peer are signs of life. Called from within this
    // session's own reads, which hold it alive.
    // A ping costs a rate token as a message does (each one makes us write a pong).
    ws_.control_callback([this](websocket::frame_type kind, boost::beast::string_view) {
      last_received_ = Clock::now();
      if (kind == websocket::frame_type::ping) {
        server_->limiter.Charge(client_, 1, server_->NowMs());
      }
    });
    ws_.async_accept(request, [self = this->shared_from_this()](boost::beast::error_code ec) {
      self->OnAccept(ec);
    });
  }

  bool Send(std::shared_ptr<const std::string> message, WebSocketMessageKind kind) override {
    if (closing_.load()) return false;
    const std::size_t bytes = message->size();
    const std::size_t queued_bytes = queued_bytes_.fetch_add(bytes) + bytes;
    const std::size_t queued_messages = queued_messages_.fetch_add(1) + 1;
    if (queued_bytes > options_.send_queue_bytes_max ||
        queued_messages > options_.send_queue_messages_max) {
      Unqueue(bytes);
      boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
        self->StartClose(kWsCloseSlowConsumer, "send queue full", false, "slow_consumer");
      });
      return false;
    }
    // From the connection's own handler (the common case: an answer) the message is queued at
    // once; from elsewhere it goes through the connection's strand.
    if (current_session == this) {
      Enqueue(message, kind);
    } else {
      boost::asio::post(ws_.get_executor(),
                        [self = this->shared_from_this(), message = std::move(message), kind] {
                          self->Enqueue(message, kind);
                        });
    }
    return true;
  }

  void Close(std::uint16_t code, std::string reason) override {
    boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(), code,
                                           reason = std::move(reason)]() mutable {
      self->StartClose(code, TruncateUtf8(reason, 123), true, "handler");
    });
  }

  void CloseForShutdown() override {
    boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->StartClose(kWsCloseGoingAway, "server stopping", false, "shutdown");
    });
  }

  void Abandon() override {
    if (finished_) return;
    close_code_ = kWsCloseGoingAway;
    Finish(close_reason_ != nullptr ? close_reason_ : "shutdown");
  }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> data;
    WebSocketMessageKind kind;
  };

  void OnAccept(boost::beast::error_code ec) {
    if (ec) return Finish(nullptr);  // Beast answered a malformed handshake itself
    opened_ = true;
    server_->ws_connections.Add(1);
    last_received_ = Clock::now();
    next_ping_ = last_received_ + std::chrono::milliseconds{options_.ping_interval_ms};
    auto channel = std::make_shared<WebSocketChannelRef>(
        std::weak_ptr<WebSocketChannelRef::Target>(this->shared_from_this()), client_, request_id_);
    if (!CallHandler([&] { handler_->OnOpen(std::move(channel)); })) return;
    Pace();  // the first message costs a token too
    ScheduleHeartbeat();
  }

  // Runs a handler call; an exception closes the connection with 1011 and is counted.
  template <class F>
  bool CallHandler(F&& call) {
    const char* failure = nullptr;
    std::string what;
    struct Current {  // marks this thread as running this session's handler
      explicit Current(const void* session) : previous(current_session) {
        current_session = session;
      }
      ~Current() { current_session = previous; }
      const void* previous;
    };
    try {
      const Current current(this);
      call();
      return true;
    } catch (const std::exception& e) {
      failure = "exception";
      what = e.what();
    } catch (...) {
      failure = "non-standard exception";
    }
    server_->handler_exceptions.Increment();
    std::fprintf(stderr, "qfs ws: connection %s: the handler threw (%s): %s\n", request_id_.c_str(),
                 failure, SanitizeUtf8(TruncateUtf8(what, 200)).c_str());
    StartClose(kWsCloseInternalError, "internal error", false, "handler_error");
    return false;
  }

  void Read() {
    if (finished_) return;
    ws_.async_read(read_buffer_,
                   [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                     self->OnRead(ec);
                   });
  }

  void OnRead(boost::beast::error_code ec) {
    namespace websocket = boost::beast::websocket;
    if (ec) {
      if (close_reason_ != nullptr) return Finish(close_reason_);  // we ended it
      if (ec == websocket::error::closed) {
        close_code_ = ws_.reason().code;
        return Finish("peer");
      }
      if (ec == websocket::error::message_too_big) {
        close_code_ = kWsCloseTooBig;  // Beast sent the close frame
        return Finish("too_big");
      }
      if (ec == websocket::error::bad_frame_payload) {
        close_code_ = kWsCloseInvalidPayload;  // text that is not UTF-8; Beast sent 1007
        return Finish("invalid_payload");
      }
      if (ec.category() == websocket::make_error_code(websocket::error::closed).category()) {
        close_code_ = kWsCloseProtocolError;  // Beast failed the connection
        return Finish("protocol_error");
      }
      return Finish("disconnected");
    }
    last_received_ = Clock::now();
    server_->ws_messages_received.Increment();
    if (!closing_) {
      const auto data = read_buffer_.cdata();
      const std::string_view message(static_cast<const char*>(data.data()), data.size());
      const WebSocketMessageKind kind =
          ws_.got_binary() ? WebSocketMessageKind::kBinary : WebSocketMessageKind::kText;
      CallHandler([&] { handler_->OnMessage(message, kind); });
    }
    const std::size_t size = read_buffer_.size();
    read_buffer_.consume(size);
    if (read_buffer_.capacity() > kHttpReadBufferBytes) read_buffer_.shrink_to_fit();
    // A message costs its client a token, and a large one more, as a request does.
    if (const std::size_t extra = size / kHttpResponseBytesPerToken; extra != 0) {
      server_->limiter.Charge(client_, extra, server_->NowMs());
    }
    Pace();
  }

  // Reads the next message when the client's rate allows; until then the peer's bytes wait in
  // its socket.
  void Pace() {
    if (finished_) return;
    if (closing_ || server_->limiter.Allow(client_, server_->NowMs())) return Read();
    const std::uint32_t rate =
        std::max<std::uint32_t>(1, server_->options.requests_per_second_per_client);
    pace_.expires_after(std::chrono::milliseconds{1000 / rate + 1});
    pace_.async_wait([self = this->shared_from_this()](boost::beast::error_code ec) {
      if (!ec) self->Pace();
    });
  }

  void Enqueue(const std::shared_ptr<const std::string>& message, WebSocketMessageKind kind) {
    if (closing_ || finished_) return Unqueue(message->size());
    queue_.push_back({message, kind});
    WriteNext();
  }

  void Unqueue(std::size_t bytes) {
    queued_bytes_.fetch_sub(bytes);
    queued_messages_.fetch_sub(1);
  }

  void WriteNext() {
    if (writing_ || finished_) return;
    if (queue_.empty()) return MaybeSendClose();
    writing_ = true;
    write_started_ = Clock::now();
    const Outgoing& next = queue_.front();
    ws_.binary(next.kind == WebSocketMessageKind::kBinary);
    ws_.async_write(boost::asio::buffer(*next.data),
                    [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                      self->OnWrite(ec);
                    });
    const Clock::time_point deadline =
        write_started_ + std::chrono::milliseconds{options_.write_timeout_ms};
    if (heartbeat_.expiry() > deadline) ScheduleHeartbeat();  // sooner than it would wake
  }

  void OnWrite(boost::beast::error_code ec) {
    writing_ = false;
    Unqueue(queue_.front().data->size());
    queue_.pop_front();
    if (ec) {
      if (close_reason_ == nullptr) close_reason_ = "disconnected";
      return HardClose();
    }
    server_->ws_messages_sent.Increment();
    WriteNext();
  }

  // Starts the close handshake: after the queue if `flush`, else at once, dropping what waits.
  void StartClose(std::uint16_t code, const std::string& reason, bool flush, const char* why) {
    if (finished_ || closing_.exchange(true)) return;
    close_deadline_ = Clock::now() + std::chrono::milliseconds{options_.close_timeout_ms};
    pending_close_ = boost::beast::websocket::close_reason(code);
    pending_close_->reason = reason;
    close_reason_ = why;
    flush_ = flush;
    if (!flush) {
      while (queue_.size() > (writing_ ? 1 : 0)) {
        Unqueue(queue_.back().data->size());
        queue_.pop_back();
      }
    }
    MaybeSendClose();
    ScheduleHeartbeat();
  }

  void MaybeSendClose() {
    if (!pending_close_ || control_busy_ || finished_) return;
    if (flush_ && (writing_ || !queue_.empty())) return;
    close_sent_ = true;
    control_busy_ = true;
    close_code_ = pending_close_->code;
    ws_.async_close(*pending_close_,
                    [self = this->shared_from_this()](boost::beast::error_code ec) {
                      self->control_busy_ = false;
                      if (ec) self->HardClose();
                    });
    pending_close_.reset();
  }

  void ScheduleHeartbeat() {
    if (finished_) return;
    Clock::time_point deadline =
        last_received_ + std::chrono::milliseconds{options_.dead_peer_timeout_ms};
    if (!closing_) deadline = std::min(deadline, next_ping_);
    if (closing_) deadline = std::min(deadline, close_deadline_);
    if (writing_) {
      deadline =
          std::min(deadline, write_started_ + std::chrono::milliseconds{options_.write_timeout_ms});
    }
    heartbeat_.expires_at(deadline);
    heartbeat_.async_wait([self = this->shared_from_this()](boost::beast::error_code ec) {
      if (!ec) self->Heartbeat();
    });
  }

  void Heartbeat() {
    if (finished_) return;
    const Clock::time_point now = Clock::now();
    if (closing_ && now >= close_deadline_) return HardClose();  // the peer never answered
    if (writing_ && now - write_started_ >= std::chrono::milliseconds{options_.write_timeout_ms}) {
      close_reason_ = "write_timeout";
      return HardClose();
    }
    if (now - last_received_ >= std::chrono::milliseconds{options_.dead_peer_timeout_ms}) {
      close_reason_ = "dead_peer";
      close_code_ = kWsCloseAbnormal;
      return HardClose();
    }
    if (!closing_ && now >= next_ping_) {
      next_ping_ = now + std::chrono::milliseconds{options_.ping_interval_ms};
      if (!control_busy_) {
        control_busy_ = true;
        ws_.async_ping({}, [self = this->shared_from_this()](boost::beast::error_code ec) {
          self->control_busy_ = false;
          if (!ec) self->MaybeSendClose();
        });
      }
    }
    ScheduleHeartbeat();
  }

  // Drops the connection without a close handshake; the pending read then ends the session.
  void HardClose() {
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).socket().close(ec);
  }

  // The end, once: `reason` labels qfs_ws_closed_total (nullptr: the handshake failed).
  void Finish(const char* reason) {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    heartbeat_.cancel();
    pace_.cancel();
    HardClose();
    slot_.Release();
    if (reason != nullptr) server_->WsClosed(reason).Increment();
    if (opened_) {
      server_->ws_connections.Add(-1);
      std::shared_ptr<WebSocketHandler> handler = std::move(handler_);
      try {
        handler->OnClose(close_code_);
      } catch (...) {
        server_->handler_exceptions.Increment();
      }
    }
    handler_.reset();
  }

  boost::beast::websocket::stream<Stream> ws_;
  HttpServer::Impl* const server_;
  ConnectionSlot slot_;
  const WebSocketOptions options_;
  std::shared_ptr<WebSocketHandler> handler_;
  const std::string client_;
  const std::string request_id_;
  std::uint64_t id_ = 0;  // in the server's registry
  boost::beast::flat_buffer read_buffer_;
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer pace_;
  std::deque<Outgoing> queue_;
  // Bytes and messages sent and not yet written: reserved by Send on any thread.
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> queued_messages_{0};
  std::atomic<bool> closing_{false};
  bool opened_ = false;
  bool finished_ = false;
  bool writing_ = false;
  bool control_busy_ = false;  // a ping or the close frame is being written
  bool close_sent_ = false;
  bool flush_ = false;
  std::optional<boost::beast::websocket::close_reason> pending_close_;
  // Why the server ended the connection (a qfs_ws_closed_total label); nullptr until it does.
  const char* close_reason_ = nullptr;
  std::uint16_t close_code_ = kWsCloseAbnormal;
  Clock::time_point last_received_{};
  Clock::time_point next_ping_{};
  Clock::time_point write_started_{};
  Clock::time_point close_deadline_{};
};

}  // namespace qfs::net

#endif  // QFS_NET_WEBSOCKET_SESSION_H_
