// Fuzz target: untrusted JSON never crashes the parser, and canonical rendering is a fixed point
// (rendering, parsing and rendering again gives the same text).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  qfs::Result<qfs::codec::Json> parsed = qfs::codec::ParseJson(text);
  if (!parsed.ok()) return 0;
  qfs::Result<std::string> canonical = qfs::codec::CanonicalJson(parsed.value());
  if (!canonical.ok()) return 0;
  qfs::Result<qfs::codec::Json> reparsed = qfs::codec::ParseJson(canonical.value());
  if (!reparsed.ok()) std::abort();
  if (qfs::codec::CanonicalJson(reparsed.value()).value() != canonical.value()) std::abort();
  return 0;
}
