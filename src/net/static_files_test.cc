// Static files over a real server and a real directory: types, ETag and 304, and every way
// out of the directory refused.
#include "net/static_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>

#include "net/http_server.h"

namespace qfs::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("qfs-static-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    root_ = base_ / "web";
    WriteFile(root_ / "index.html", "<!doctype html><title>app</title>");
    WriteFile(root_ / "assets" / "app-1a2b.js", "console.log(1)");
    WriteFile(root_ / "assets" / "style.css", "body{}");
    WriteFile(root_ / "docs" / "index.html", "docs");
    WriteFile(root_ / "logo.png", std::string("\x89PNG\r\n\x1a\n", 8));
    WriteFile(root_ / "data.bin", "bytes");
    WriteFile(root_ / "a file.txt", "spaced");
    WriteFile(root_ / ".env", "SECRET=1");
    WriteFile(base_ / "secret.txt", "outside");
    fs::create_symlink(base_ / "secret.txt", root_ / "link-out.txt");
    fs::create_symlink(base_, root_ / "dir-out");
    fs::create_symlink(root_ / "index.html", root_ / "link-in.html");
    ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0600), 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    fs::remove_all(base_);
  }
  void Start(StaticFilesOptions options = {}) {
    options.root = root_.string();
    options.headers = {{"Content-Security-Policy", "default-src 'self'"}};
    Router router;
    router.Add("GET", "/v1/head", [](const HttpRequest&) { return JsonResponse(200, "{}"); });
    StaticFiles::Mount(router, "/", StaticFiles::Open(options).value());
    HttpServer::Options http;
    http.port = 0;
    server_ = HttpServer::Start(http, std::move(router), &metrics_).value();
  }
  // Sends `target` exactly as given.
  http::response<http::string_body> Get(const std::string& target,
                                        const std::string& if_none_match = "") {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    http::request<http::string_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "localhost");
    if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res;
  }

  fs::path base_;
  fs::path root_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(StaticFilesTest, FilesComeWithTheirTypesAndHeaders) {
  Start();
  auto index = Get("/");
  EXPECT_EQ(index.result_int(), 200);
  EXPECT_EQ(index.body(), "<!doctype html><title>app</title>");
  EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(index[http::field::cache_control], "no-cache");
  EXPECT_EQ(index["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(index["Content-Security-Policy"], "default-src 'self'");
  auto js = Get("/assets/app-1a2b.js");
  EXPECT_EQ(js.body(), "console.log(1)");
  EXPECT_EQ(js[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(js[http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/assets/style.css")[http::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(Get("/logo.png")[http::field::content_type], "image/png");
  EXPECT_EQ(Get("/data.bin")[http::field::content_type], "application/octet-stream");
  EXPECT_EQ(Get("/docs/").body(), "docs");
  EXPECT_EQ(Get("/docs").body(), "docs");
  EXPECT_EQ(Get("/a%20file.txt").body(), "spaced");
  // The API's routes still win.
  EXPECT_EQ(Get("/v1/head").body(), "{}");
}

TEST_F(StaticFilesTest, AnUnchangedFileIsAnswered304AndAChangedOneAgain) {
  Start();
  const auto first = Get("/assets/style.css");
  const std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  const auto again = Get("/assets/style.css", etag);
  EXPECT_EQ(again.result_int(), 304);
  EXPECT_EQ(again.body(), "");
  EXPECT_EQ(again[http::field::etag], etag);
  EXPECT_EQ(Get("/assets/style.css", "\"other\", W/" + etag).result_int(), 304);
  EXPECT_EQ(Get("/assets/style.css", "*").result_int(), 304);
  EXPECT_EQ(Get("/assets/style.css", "\"other\"").result_int(), 200);
  WriteFile(root_ / "assets" / "style.css", "body{color:red}");
  const auto changed = Get("/assets/style.css", etag);
  EXPECT_EQ(changed.result_int(), 200);
  EXPECT_EQ(changed.body(), "body{color:red}");
  EXPECT_NE(changed[http::field::etag], etag);
}

TEST_F(StaticFilesTest, NothingOutsideTheDirectoryOrHiddenIsServed) {
  Start();
  for (const char* target : {"/../secret.txt",
                             "/assets/../../secret.txt",
                             "/%2e%2e/secret.txt",
                             "/%2E%2E/secret.txt",
                             "/assets/%2e%2e/%2e%2e/secret.txt",
                             "/..%2fsecret.txt",
                             "/..%2Fsecret.txt",
                             "/%2e%2e%2fsecret.txt",
                             "/assets%2f..%2f..%2fsecret.txt",
                             "/..%5csecret.txt",
                             "/index.html%00.png",
                             "/%00",
                             "/link-out.txt",
                             "/dir-out/secret.txt",
                             "/link-in.html",
                             "/.env",
                             "/%2eenv",
                             "/fifo",
                             "/assets//style.css",
                             "/./index.html",
                             "/%2e/index.html",
                             "/nope.html",
                             "/assets/nope.js"}) {
    const auto res = Get(target);
    EXPECT_EQ(res.result_int(), 404) << target;
    EXPECT_EQ(res.body().find("outside"), std::string::npos) << target;
    EXPECT_EQ(res.body().find("SECRET"), std::string::npos) << target;
  }
  // A path over the limit is refused as well, without a walk.
  EXPECT_EQ(Get("/" + std::string(2000, 'a')).result_int(), 404);
}

TEST_F(StaticFilesTest, AFallbackServesTheAppForItsOwnRoutesOnly) {
  StaticFilesOptions options;
  options.fallback = "index.html";
  Start(options);
  EXPECT_EQ(Get("/chat/room-7").body(), "<!doctype html><title>app</title>");
  EXPECT_EQ(Get("/chat/room-7")[http::field::cache_control], "no-cache");
  EXPECT_EQ(Get("/assets/missing.js").result_int(), 404);  // a file name: really missing
  EXPECT_EQ(Get("/%2e%2e/secret").result_int(), 404);      // refused before any fallback
}

TEST(StaticFiles, OpeningAMissingOrNonDirectoryRootFails) {
  StaticFilesOptions options;
  options.root = "/nonexistent/qfs-web";
  EXPECT_EQ(StaticFiles::Open(options).status().code(), StatusCode::kNotFound);
  options.root = "/etc/hostname";
  EXPECT_EQ(StaticFiles::Open(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qfs::net
