#include "codec/json.h"

#include <set>
#include <vector>

#include "base/strings.h"

namespace qfs::codec {
namespace {

// What nlohmann's dump() would throw on, and what canonical JSON forbids: numbers that are not
// safe integers, strings and keys that are not UTF-8, too deep a nesting.
Status CheckValues(const Json& v, std::size_t depth) {
  if (depth > kJsonDepthMax) return Status(StatusCode::kTooLarge, "JSON nested too deeply");
  if (v.is_string() && !IsValidUtf8(v.get_ref<const std::string&>())) {
    return Status(StatusCode::kInvalidArgument, "a string in canonical JSON is not UTF-8");
  }
  if (v.is_object()) {
    for (const auto& item : v.items()) {
      if (!IsValidUtf8(item.key())) {
        return Status(StatusCode::kInvalidArgument, "an object key in canonical JSON is not UTF-8");
      }
    }
  }
  if (v.is_number_float()) {
    return Status(StatusCode::kInvalidArgument, "floating-point number in canonical JSON");
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > kJsonSafeIntegerMax) {
    return Status(StatusCode::kInvalidArgument, "integer beyond 2^53-1; render it as a string");
  }
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    std::int64_t i = v.get<std::int64_t>();
    if (i > kJsonSafeIntegerMax || i < -kJsonSafeIntegerMax) {
      return Status(StatusCode::kInvalidArgument, "integer beyond 2^53-1; render it as a string");
    }
  }
  if (v.is_structured()) {
    for (const Json& child : v) QFS_RETURN_IF_ERROR(CheckValues(child, depth + 1));
  }
  return OkStatus();
}

}  // namespace

Result<std::string> CanonicalJson(const Json& value) {
  QFS_RETURN_IF_ERROR(CheckValues(value, 0));
  // nlohmann::json keeps object keys in a std::map (sorted by bytes) and dump() with no indent
  // writes no whitespace; strings are escaped as the rules above and UTF-8 is kept as is.
  // CheckValues refused everything dump() throws on; the catch is the request boundary's
  // second line, never the first.
  try {
    return value.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInvalidArgument, std::string("cannot render JSON: ") + e.what());
  }
}

Result<Json> ParseJson(std::string_view text) {
  if (text.size() > kJsonTextBytesMax) {
    return Status(StatusCode::kTooLarge,
                  "JSON text longer than " + std::to_string(kJsonTextBytesMax) + " bytes");
  }
  // Depth and duplicate keys are checked while parsing, before anything deep is built.
  std::vector<std::set<std::string>> keys_by_depth;
  Status problem;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (!problem.ok()) return false;
    if (static_cast<std::size_t>(depth) > kJsonDepthMax) {
      problem =
          Status(StatusCode::kTooLarge, "JSON nested deeper than " + std::to_string(kJsonDepthMax));
      return false;
    }
    if (event == Json::parse_event_t::object_start) {
      keys_by_depth.resize(static_cast<std::size_t>(depth) + 1);
      keys_by_depth[static_cast<std::size_t>(depth)].clear();
    } else if (event == Json::parse_event_t::key) {
      std::set<std::string>& seen = keys_by_depth[static_cast<std::size_t>(depth) - 1];
      if (!seen.insert(parsed.get<std::string>()).second) {
        problem = Status(StatusCode::kParseError,
                         "duplicate key '" + TruncateUtf8(parsed.get<std::string>(), 64) + "'");
        return false;
      }
    }
    return true;
  };
  Json result = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (!problem.ok()) return problem;
  if (result.is_discarded()) return Status(StatusCode::kParseError, "malformed JSON");
  return result;
}

}  // namespace qfs::codec
