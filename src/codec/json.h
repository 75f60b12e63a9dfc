// Canonical JSON: the text rendering of QFS values for exports (JSONL) and the API.
// It is a rendering of the canonical binary encoding, never what is signed.
//
// Rules (docs/formats/encoding.md, a subset of RFC 8785 JCS):
//   - object keys sorted by their UTF-8 bytes, no duplicate keys;
//   - no insignificant whitespace;
//   - strings: UTF-8, escaping only '"', '\\' and control characters (\b \f \n \r \t, else
//     \u00XX in lower-case hex);
//   - numbers: integers in [-(2^53 - 1), 2^53 - 1] only. Larger integers, 128-bit values and
//     fixed-point decimals are strings ("2.000000000000000000"); floating point never appears.
// ParseJson reads untrusted text with a size limit, a depth limit, and duplicate-key rejection.
#ifndef QFS_CODEC_JSON_H_
#define QFS_CODEC_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/limits.h"
#include "base/status.h"

namespace qfs::codec {

using Json = nlohmann::json;

inline constexpr std::int64_t kJsonSafeIntegerMax = (std::int64_t{1} << 53) - 1;
using qfs::kJsonDepthMax;  // base/limits.h

// The canonical text of `value`. INVALID_ARGUMENT if it holds a floating-point number or an
// integer outside the safe range (render those as strings).
Result<std::string> CanonicalJson(const Json& value);

// Parses untrusted JSON. Errors: TOO_LARGE (over kJsonTextBytesMax or nested deeper than
// kJsonDepthMax), PARSE_ERROR (malformed, duplicate key, invalid UTF-8).
Result<Json> ParseJson(std::string_view text);

}  // namespace qfs::codec

#endif  // QFS_CODEC_JSON_H_
