// The server over TLS, with a certificate made here: HTTPS and WSS work, old protocol
// versions and suites without forward secrecy are refused, and bad key files stop the start.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "net/http_server.h"

namespace qfs::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Writes a self-signed P-256 certificate for "localhost" and its key as PEM files.
void WriteCertificate(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class Echo : public WebSocketHandler {
 public:
  void OnOpen(std::shared_ptr<WebSocketChannel> channel) override { channel_ = std::move(channel); }
  void OnMessage(std::string_view m, WebSocketMessageKind kind) override {
    channel_->Send(std::string(m), kind);
  }
  std::shared_ptr<WebSocketChannel> channel_;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("qfs-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    WriteCertificate(cert_, key_);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }
  Result<std::unique_ptr<HttpServer>> StartWith(const std::string& cert, const std::string& key) {
    HttpServer::Options options;
    options.port = 0;
    options.tls_certificate_file = cert;
    options.tls_key_file = key;
    Router router;
    router.Add("GET", "/hello",
               [](const HttpRequest&) { return JsonResponse(200, "{\"tls\":1}"); });
    router.AddWebSocket("/ws", {}, [](const HttpRequest&) {
      return WebSocketAccept{std::make_shared<Echo>(), {}, {}};
    });
    return HttpServer::Start(options, std::move(router), &metrics_);
  }
  void Start() {
    Result<std::unique_ptr<HttpServer>> started = StartWith(cert_, key_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
  }
  tcp::endpoint Endpoint() const {
    return tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port());
  }
  // A client context that trusts the test certificate, limited to [min, max] versions.
  ssl::context ClientContext(int min_version, int max_version) {
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(cert_);
    context.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(context.native_handle(), min_version);
    SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
    return context;
  }
  // A handshake with `context`; its error.
  beast::error_code Handshake(ssl::context& context) {
    asio::io_context ioc;
    beast::ssl_stream<beast::tcp_stream> stream(ioc, context);
    beast::get_lowest_layer(stream).connect(Endpoint());
    beast::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    return ec;
  }
  std::string Metric(const std::string& name) {
    const std::string text = metrics_.Render();
    const std::size_t at = text.find("\n" + name + " ");
    if (at == std::string::npos) return "absent";
    const std::size_t start = at + name.size() + 2;
    return text.substr(start, text.find('\n', start) - start);
  }

  std::filesystem::path dir_;
  std::string cert_;
  std::string key_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(TlsTest, HttpsAnswersOverTls12And13) {
  Start();
  EXPECT_TRUE(server_->tls());
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    ssl::context context = ClientContext(version, version);
    asio::io_context ioc;
    beast::ssl_stream<beast::tcp_stream> stream(ioc, context);
    beast::get_lowest_layer(stream).connect(Endpoint());
    stream.handshake(ssl::stream_base::client);
    EXPECT_EQ(SSL_version(stream.native_handle()), version);
    http::request<http::string_body> req(http::verb::get, "/hello", 11);
    req.set(http::field::host, "localhost");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "{\"tls\":1}");
  }
}

TEST_F(TlsTest, WebSocketsWorkOverTls) {
  Start();
  ssl::context context = ClientContext(TLS1_2_VERSION, TLS1_3_VERSION);
  asio::io_context ioc;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, context);
  beast::get_lowest_layer(ws).connect(Endpoint());
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake("localhost", "/ws");
  ws.write(asio::buffer(std::string("over tls")));
  beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "over tls");
  ws.close(websocket::close_code::normal);
}

TEST_F(TlsTest, OldVersionsAndSuitesWithoutForwardSecrecyAreRefused) {
  Start();
  {
    ssl::context context = ClientContext(TLS1_VERSION, TLS1_1_VERSION);
    SSL_CTX_set_security_level(context.native_handle(), 0);  // let the client offer them
    SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT:@SECLEVEL=0");
    EXPECT_TRUE(Handshake(context));
  }
  {
    ssl::context context = ClientContext(TLS1_2_VERSION, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(context.native_handle(), "AES128-GCM-SHA256:AES256-SHA");  // RSA kx
    EXPECT_TRUE(Handshake(context));
  }
  // The server counts a failure after its alert went out, maybe after the client read it.
  for (int i = 0; i < 500 && Metric("qfs_http_tls_handshake_failures_total") != "2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  EXPECT_EQ(Metric("qfs_http_tls_handshake_failures_total"), "2");
  ssl::context good = ClientContext(TLS1_2_VERSION, TLS1_2_VERSION);
  EXPECT_FALSE(Handshake(good));
}

TEST_F(TlsTest, PlainHttpToATlsPortGetsNoAnswer) {
  Start();
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(Endpoint());
  http::request<http::string_body> req(http::verb::get, "/hello", 11);
  req.set(http::field::host, "localhost");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  EXPECT_TRUE(ec);  // the server took the request for a bad ClientHello and hung up
}

TEST_F(TlsTest, KeyFilesThatDoNotLoadOrMatchStopTheStart) {
  EXPECT_EQ(StartWith(cert_, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StartWith("", key_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StartWith((dir_ / "missing.pem").string(), key_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StartWith(cert_, cert_).status().code(), StatusCode::kInvalidArgument);
  const std::string other_cert = (dir_ / "other-cert.pem").string();
  const std::string other_key = (dir_ / "other-key.pem").string();
  WriteCertificate(other_cert, other_key);
  const Result<std::unique_ptr<HttpServer>> mismatched = StartWith(cert_, other_key);
  ASSERT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mismatched.status().message().find("mismatch"), std::string::npos)
      << mismatched.status().message();
  // The messages name files, never their contents.
  EXPECT_EQ(mismatched.status().message().find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace qfs::net
