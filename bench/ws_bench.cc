// The WebSocket echo benchmark's two sides (bench/ws_compare.py drives them):
//
//   qfs_ws_bench serve [--port P] [--threads T]
//       QFS's HTTP server with one WebSocket echo endpoint, /echo; prints {"port":N} once
//       listening and serves until stdin closes or SIGTERM. Limits are raised so that one
//       loopback client may hold every connection at full rate (the benchmark measures the
//       server, not its per-client limiter).
//   qfs_ws_bench load --port P [--connections N] [--seconds S] [--warmup S] [--bytes B]
//       The load generator: N connections to ws://127.0.0.1:P/echo, each in a closed loop (send
//       a text message of B bytes, wait for its echo, again). Round trips that complete in the
//       measured window are counted and timed; prints one JSON line with round trips per second
//       and p50/p99 latency in microseconds. One thread, epoll and pre-masked raw frames: a round
//       trip costs it a send and a receive, so that it is not the bottleneck; the same program
//       loads either server.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "net/http_server.h"
#include "net/websocket.h"

namespace {

using Clock = std::chrono::steady_clock;

class EchoHandler : public qfs::net::WebSocketHandler {
 public:
  void OnOpen(std::shared_ptr<qfs::net::WebSocketChannel> channel) override {
    channel_ = std::move(channel);
  }
  void OnMessage(std::string_view message, qfs::net::WebSocketMessageKind kind) override {
    channel_->Send(std::string(message), kind);
  }

 private:
  std::shared_ptr<qfs::net::WebSocketChannel> channel_;
};

int Serve(int port, int threads) {
  qfs::Metrics metrics;
  qfs::net::HttpServer::Options options;
  options.port = static_cast<std::uint16_t>(port);
  options.threads = threads;
  options.connections_max = 65'536;
  options.connections_per_client_max = 65'536;
  options.requests_per_second_per_client = 1'000'000'000;
  qfs::net::Router router;
  router.AddWebSocket("/echo", {}, [](const qfs::net::HttpRequest&) {
    return qfs::net::WebSocketAccept{std::make_shared<EchoHandler>(), {}, {}};
  });
  auto server = qfs::net::HttpServer::Start(options, std::move(router), &metrics);
  if (!server.ok()) {
    std::cerr << "qfs_ws_bench serve: " << server.status().ToString() << "\n";
    return 1;
  }
  std::cout << "{\"port\":" << server.value()->port() << "}" << std::endl;
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server.value()->Stop();
  return 0;
}

// The floor under any server on this machine: answers the load generator with no WebSocket
// code at all — after a canned 101, one prebuilt echo frame for every `frame_bytes` received.
// One thread, epoll, a read and a write per round trip: what the kernel alone costs.
int RawEcho(int port, int message_bytes) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener, 4096) != 0) {
    std::cerr << "qfs_ws_bench raw-echo: cannot listen\n";
    return 1;
  }
  socklen_t length = sizeof(address);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::cout << "{\"port\":" << ntohs(address.sin_port) << "}" << std::endl;
  const std::string accept_response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  const std::size_t frame_bytes = 6 + static_cast<std::size_t>(message_bytes);  // masked, short
  std::string reply;
  reply += static_cast<char>(0x81);
  reply += static_cast<char>(message_bytes);
  reply += std::string(static_cast<std::size_t>(message_bytes), 'x');
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  std::vector<std::size_t> pending(65'536, 0);  // bytes of a partial frame, by descriptor
  std::vector<bool> upgraded(65'536, false);
  std::vector<epoll_event> events(1024);
  char buffer[65536];
  for (;;) {
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
    for (int e = 0; e < n; ++e) {
      const int fd = events[e].data.fd;
      if (fd == listener) {
        const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0 || client >= 65'536) continue;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        pending[client] = 0;
        upgraded[client] = false;
        epoll_event added{};
        added.events = EPOLLIN;
        added.data.fd = client;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, client, &added);
        continue;
      }
      const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
      if (got <= 0) {
        ::close(fd);
        continue;
      }
      if (!upgraded[fd]) {  // the request arrives whole on loopback
        upgraded[fd] = true;
        ::send(fd, accept_response.data(), accept_response.size(), MSG_NOSIGNAL);
        continue;
      }
      pending[fd] += static_cast<std::size_t>(got);
      for (; pending[fd] >= frame_bytes; pending[fd] -= frame_bytes) {
        ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
    }
  }
}

struct LoadOptions {
  int port = 0;
  int connections = 1;
  double seconds = 5;
  double warmup = 1;
  int bytes = 64;
};

// One client connection of the load generator: raw frames over a non-blocking socket, so that
// a round trip costs the generator one send and one receive and little else.
struct Connection {
  int fd = -1;
  std::string inbox;  // bytes received, not yet a whole frame
  Clock::time_point sent{};
};

// A masked client frame carrying `payload` (RFC 6455 §5.2; a fixed mask key, as a benchmark
// may use).
std::string ClientFrame(std::uint8_t opcode, const std::string& payload) {
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    frame += static_cast<char>(0x80 | payload.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xff);
  }
  const std::uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    frame += static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ mask[i % 4]);
  }
  return frame;
}

// The length of the whole server frame at the front of `inbox` (unmasked, short lengths), or
// 0 if it is not all there yet.
std::size_t FrameLength(const std::string& inbox) {
  if (inbox.size() < 2) return 0;
  std::size_t length = static_cast<std::uint8_t>(inbox[1]) & 0x7f;
  std::size_t header = 2;
  if (length == 126) {
    if (inbox.size() < 4) return 0;
    length = (static_cast<std::size_t>(static_cast<std::uint8_t>(inbox[2])) << 8) |
             static_cast<std::uint8_t>(inbox[3]);
    header = 4;
  }
  return inbox.size() >= header + length ? header + length : 0;
}

// Connects and upgrades; the socket, or -1.
int OpenWebSocket(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  const std::string upgrade =
      "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  if (::send(fd, upgrade.data(), upgrade.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(upgrade.size())) {
    ::close(fd);
    return -1;
  }
  std::string response;
  char buffer[1024];
  while (response.find("\r\n\r\n") == std::string::npos && response.size() < 8192) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  if (response.rfind("HTTP/1.1 101", 0) != 0 || response.size() != response.find("\r\n\r\n") + 4) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

int Load(const LoadOptions& o) {
  const std::string frame = ClientFrame(0x1, std::string(static_cast<std::size_t>(o.bytes), 'x'));
  std::vector<Connection> connections(static_cast<std::size_t>(o.connections));
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < connections.size(); ++i) {
    connections[i].fd = OpenWebSocket(o.port);
    if (connections[i].fd < 0) {
      std::cerr << "qfs_ws_bench load: connection " << i << " failed\n";
      return 1;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, connections[i].fd, &event);
  }
  std::vector<std::uint32_t> latencies;
  latencies.reserve(8'000'000);
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_from =
      start + std::chrono::microseconds(static_cast<std::int64_t>(o.warmup * 1e6));
  const Clock::time_point measure_to =
      measure_from + std::chrono::microseconds(static_cast<std::int64_t>(o.seconds * 1e6));
  const auto send_all = [](int fd, const std::string& bytes) {
    return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  };
  for (Connection& c : connections) {
    c.sent = Clock::now();
    if (!send_all(c.fd, frame)) return 1;
  }
  std::vector<epoll_event> events(1024);
  char buffer[65536];
  int failures = 0;
  for (Clock::time_point now = Clock::now(); now < measure_to && failures == 0;) {
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 50);
    now = Clock::now();
    for (int e = 0; e < n; ++e) {
      Connection& c = connections[events[e].data.u64];
      const ssize_t got = ::recv(c.fd, buffer, sizeof(buffer), 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        ++failures;
        continue;
      }
      c.inbox.append(buffer, static_cast<std::size_t>(got));
      while (const std::size_t length = FrameLength(c.inbox)) {
        const std::uint8_t opcode = static_cast<std::uint8_t>(c.inbox[0]) & 0x0f;
        if (opcode == 0x9) {  // a ping: answer it, it is no round trip
          send_all(c.fd, ClientFrame(0xA, c.inbox.substr(2, length - 2)));
        } else if (opcode == 0x1 || opcode == 0x2) {
          if (c.sent >= measure_from && now < measure_to) {
            latencies.push_back(static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(now - c.sent).count()));
          }
          c.sent = now;
          if (!send_all(c.fd, frame)) ++failures;
        } else {
          ++failures;  // a close or anything else: the server gave up on us
        }
        c.inbox.erase(0, length);
      }
    }
  }
  for (Connection& c : connections) ::close(c.fd);
  ::close(epoll);
  if (failures != 0 || latencies.empty()) {
    std::cerr << "qfs_ws_bench load: " << failures << " failures, " << latencies.size()
              << " round trips\n";
    return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
  };
  std::printf(
      "{\"connections\":%d,\"round_trips\":%zu,\"per_second\":%.0f,\"p50_us\":%u,"
      "\"p99_us\":%u}\n",
      o.connections, latencies.size(), static_cast<double>(latencies.size()) / o.seconds, at(0.50),
      at(0.99));
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app("QFS WebSocket echo benchmark: server and load generator");
  app.require_subcommand(1);
  int port = 0;
  int threads = 2;
  CLI::App* serve = app.add_subcommand("serve", "QFS's echo server");
  serve->add_option("--port", port, "port (0: any free one)");
  serve->add_option("--threads", threads, "server threads")->check(CLI::Range(1, 64));
  int raw_bytes = 64;
  CLI::App* raw =
      app.add_subcommand("raw-echo", "the kernel's floor: canned frames, no WebSocket code");
  raw->add_option("--port", port, "port (0: any free one)");
  raw->add_option("--bytes", raw_bytes, "the load's message size")->check(CLI::Range(1, 125));
  LoadOptions load;
  CLI::App* load_cmd = app.add_subcommand("load", "the load generator");
  load_cmd->add_option("--port", load.port)->required();
  load_cmd->add_option("--connections", load.connections)->check(CLI::Range(1, 20'000));
  load_cmd->add_option("--seconds", load.seconds)->check(CLI::Range(0.05, 600.0));
  load_cmd->add_option("--warmup", load.warmup)->check(CLI::Range(0.0, 60.0));
  load_cmd->add_option("--bytes", load.bytes)->check(CLI::Range(1, 60'000));
  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return Serve(port, threads);
  if (raw->parsed()) return RawEcho(port, raw_bytes);
  return Load(load);
}

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "qfs_ws_bench: " << e.what() << "\n";
    return 1;
  }
}
