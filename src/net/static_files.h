// Files served read-only from one directory (the web app's build output).
//
//   StaticFilesOptions options;
//   options.root = "/srv/qfs/web";
//   auto files = StaticFiles::Open(options).value();
//   StaticFiles::Mount(router, "/", files);  // GET and HEAD "/{path*}"
//
// A request path is decoded segment by segment and refused (404, as if absent) if any segment
// decodes to "." or "..", holds '/', '\', NUL or another control byte, or starts with '.'
// (hidden files: .git, .env). The file is then opened one directory at a time below the root's
// descriptor with O_NOFOLLOW: no symbolic link is followed, inside the directory or out of it,
// so nothing outside the root is reachable however the path is spelt. Only regular files up to
// kStaticFileBytesMax are served; a directory is served by its index file.
//
// Responses carry the content type by extension, a strong ETag (size and modification time:
// it changes when the file is replaced), X-Content-Type-Options: nosniff, Cache-Control (files
// under `immutable_prefix`, whose names carry a content hash, are cached for a year; others are
// revalidated every time), and the configured extra headers (Content-Security-Policy). A
// request whose If-None-Match names the current ETag is answered 304 without the body.
#ifndef QFS_NET_STATIC_FILES_H_
#define QFS_NET_STATIC_FILES_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "net/http_message.h"
#include "net/router.h"

namespace qfs::net {

struct StaticFilesOptions {
  // The directory served.
  std::string root;
  // Served for a path naming a directory ("/" or "/docs/").
  std::string index = "index.html";
  // Paths under this prefix are content-hashed build outputs: cached as immutable.
  std::string immutable_prefix = "assets/";
  // Set: a path that names no file and has no extension in its last segment is served this
  // file instead (an app that routes in the browser); empty: 404.
  std::string fallback;
  // Added to every file response (Content-Security-Policy, Referrer-Policy, ...).
  std::vector<std::pair<std::string, std::string>> headers;
};

class StaticFiles {
 public:
  // Opens the root directory (kept open: renaming it later does not move what is served).
  // NOT_FOUND if it is missing, INVALID_ARGUMENT if it is not a directory.
  static Result<std::shared_ptr<const StaticFiles>> Open(StaticFilesOptions options);
  ~StaticFiles();
  StaticFiles(const StaticFiles&) = delete;
  StaticFiles& operator=(const StaticFiles&) = delete;

  // The answer to `request` for `path`, the part below the mount point as received (not
  // percent-decoded).
  HttpResponse Serve(const HttpRequest& request, std::string_view path) const;
  // Routes GET (and so HEAD) `prefix` + "{path*}" to `files`. `prefix` ends with '/'.
  static void Mount(Router& router, const std::string& prefix,
                    std::shared_ptr<const StaticFiles> files);

  // The Content-Type for a file name, by its extension.
  static std::string ContentType(std::string_view name);

 private:
  StaticFiles(StaticFilesOptions options, int root_fd);
  // Opens the regular file at `segments` below the root (nullopt-like -1 if there is none).
  int OpenBelowRoot(const std::vector<std::string>& segments, bool* is_directory) const;

  const StaticFilesOptions options_;
  const int root_fd_;
};

}  // namespace qfs::net

#endif  // QFS_NET_STATIC_FILES_H_
