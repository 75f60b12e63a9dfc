// Structured logs: one JSON object per line on stderr, written whole by one write(2), so that
// lines from several threads never interleave.
//
//   Log(LogLevel::kInfo, "node_started", {{"port", 8080}, {"data_dir", dir}});
//   -> {"ts":"2026-12-06T04:17:34.123456Z","level":"info","event":"node_started","port":8080,
//       "data_dir":"./qfs-data"}
//
// Every line has "ts" (UTC, microseconds), "level" and "event" (a fixed snake_case name), then
// the fields in the order given. String values are JSON-escaped and made valid UTF-8, and cut
// at kLogValueBytesMax, so that no outside text can break a line or make one unbounded.
//
// What never goes into a log: secrets, keys, signatures, tokens, cookies, message contents,
// request bodies, raw paths or query strings (they may carry tokens; the route template goes
// in instead). Callers choose fields; tests grep the lines of a node run for known secrets.
//
// Thread safety: everything here may be called from any thread.
#ifndef QFS_BASE_LOG_H_
#define QFS_BASE_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qfs {

enum class LogLevel : int { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// "error", "warn", "info" or "debug"; INVALID_ARGUMENT otherwise.
Result<LogLevel> ParseLogLevel(std::string_view text);
std::string_view LogLevelName(LogLevel level);

// One field of a line: a string (quoted) or a number or boolean (bare).
class LogField {
 public:
  LogField(std::string_view key, std::string_view value);
  LogField(std::string_view key, const char* value) : LogField(key, std::string_view{value}) {}
  LogField(std::string_view key, const std::string& value)
      : LogField(key, std::string_view{value}) {}
  LogField(std::string_view key, std::int64_t value);
  LogField(std::string_view key, std::uint64_t value);
  LogField(std::string_view key, int value) : LogField(key, static_cast<std::int64_t>(value)) {}
  LogField(std::string_view key, unsigned value)
      : LogField(key, static_cast<std::uint64_t>(value)) {}
  LogField(std::string_view key, bool value);

  std::string_view key() const { return key_; }
  // The value as it appears in the line (quoted and escaped for strings).
  const std::string& json() const { return json_; }

 private:
  std::string_view key_;
  std::string json_;
};

// Lines below `level` are dropped (the default: kInfo).
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);

// Where lines go: each call receives one whole line ending in '\n'. nullptr: stderr (the
// default). For tests.
void SetLogSink(std::function<void(std::string_view line)> sink);

// Writes one line if `level` is enabled.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

// The line Log would write (without the level check), for tests.
std::string FormatLogLine(std::uint64_t unix_micros, LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields);

}  // namespace qfs

#endif  // QFS_BASE_LOG_H_
