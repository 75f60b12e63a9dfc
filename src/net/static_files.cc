#include "net/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/limits.h"
#include "base/strings.h"

namespace qfs::net {

namespace {

// Closes a descriptor when it goes.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(-1); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void Reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

HttpResponse NotFound() { return ErrorResponse(404, "NOT_FOUND", "no such file"); }

// A decoded path segment that may name a file below the root.
bool IsServableSegment(const std::string& segment) {
  if (segment.empty() || segment.front() == '.') return false;  // ".", "..", hidden files
  for (unsigned char c : segment) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

std::string Hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%llx", static_cast<unsigned long long>(value));
  return text;
}

// If-None-Match holds `etag` (weak comparison, RFC 9110 §13.1.2) or "*".
bool Matches(const HttpRequest& request, const std::string& etag) {
  for (const auto& [name, value] : request.headers) {
    if (!EqualsIgnoringAsciiCase(name, "If-None-Match")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view tag = TrimHttpWhitespace(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
      if (tag == "*" || tag == etag) return true;
    }
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Open(StaticFilesOptions options) {
  const int fd = ::open(options.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return Status(
        error == ENOENT ? StatusCode::kNotFound : StatusCode::kInvalidArgument,
        "cannot serve files from '" + SanitizeUtf8(options.root) + "': " + std::strerror(error));
  }
  return std::shared_ptr<const StaticFiles>(new StaticFiles(std::move(options), fd));
}

StaticFiles::StaticFiles(StaticFilesOptions options, int root_fd)
    : options_(std::move(options)), root_fd_(root_fd) {}

StaticFiles::~StaticFiles() { ::close(root_fd_); }

void StaticFiles::Mount(Router& router, const std::string& prefix,
                        std::shared_ptr<const StaticFiles> files) {
  router.Add("GET", prefix + "{path*}", [files = std::move(files)](const HttpRequest& request) {
    return files->Serve(request, request.params.at("path"));
  });
}

std::string StaticFiles::ContentType(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kTypes = {{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"webp", "image/webp"},
      {"gif", "image/gif"},
      {"ico", "image/x-icon"},
      {"avif", "image/avif"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"wasm", "application/wasm"},
      {"xml", "application/xml"},
  }};
  const std::size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    const std::string_view extension = name.substr(dot + 1);
    for (const auto& [known, type] : kTypes) {
      if (EqualsIgnoringAsciiCase(extension, known)) return std::string(type);
    }
  }
  return "application/octet-stream";
}

int StaticFiles::OpenBelowRoot(const std::vector<std::string>& segments, bool* is_directory) const {
  Fd directory(::dup(root_fd_));
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    directory = Fd(::openat(directory.get(), segments[i].c_str(),
                            O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (directory.get() < 0) return -1;
  }
  // The last one: a file, or a directory (then its index). O_NONBLOCK: opening a FIFO must
  // not wait for a writer.
  const char* last = segments.empty() ? "." : segments.back().c_str();
  Fd file(::openat(directory.get(), last, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (file.get() < 0) return -1;
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return -1;
  *is_directory = S_ISDIR(st.st_mode);
  if (*is_directory) {
    file = Fd(::openat(file.get(), options_.index.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (file.get() < 0 || ::fstat(file.get(), &st) != 0) return -1;
  }
  if (!S_ISREG(st.st_mode)) return -1;
  return file.release();
}

HttpResponse StaticFiles::Serve(const HttpRequest& request, std::string_view path) const {
  if (path.size() > kStaticPathBytesMax) return NotFound();
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string segment = PercentDecode(std::string(path.substr(start, end - start)), false);
    if (!IsServableSegment(segment)) return NotFound();
    segments.push_back(std::move(segment));
    start = end + 1;
  }
  bool is_directory = false;
  Fd file(OpenBelowRoot(segments, &is_directory));
  std::string name = is_directory || segments.empty() ? options_.index : segments.back();
  if (file.get() < 0 && !options_.fallback.empty() &&
      (segments.empty() || segments.back().find('.') == std::string::npos)) {
    file = Fd(OpenBelowRoot({options_.fallback}, &is_directory));
    name = options_.fallback;
    segments = {options_.fallback};
  }
  if (file.get() < 0) return NotFound();
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return NotFound();
  if (static_cast<std::uint64_t>(st.st_size) > kStaticFileBytesMax) {
    return ErrorResponse(500, "FILE_TOO_LARGE", "the file is over the node's static file limit");
  }
  const std::uint64_t mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                                 static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  const std::string etag =
      "\"" + Hex(static_cast<std::uint64_t>(st.st_size)) + "-" + Hex(mtime_ns) + "\"";
  const bool immutable =
      !options_.immutable_prefix.empty() && !segments.empty() &&
      path.substr(0, options_.immutable_prefix.size()) == options_.immutable_prefix;
  HttpResponse response;
  response.content_type = ContentType(name);
  response.headers = {
      {"ETag", etag},
      {"Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache"},
      {"X-Content-Type-Options", "nosniff"}};
  response.headers.insert(response.headers.end(), options_.headers.begin(), options_.headers.end());
  if (Matches(request, etag)) {
    response.status = 304;
    return response;
  }
  response.body.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < response.body.size()) {
    const ssize_t n = ::pread(file.get(), response.body.data() + done, response.body.size() - done,
                              static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // shrunk meanwhile: what is there
    done += static_cast<std::size_t>(n);
  }
  response.body.resize(done);
  return response;
}

}  // namespace qfs::net
