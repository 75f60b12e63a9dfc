#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <mutex>

#include "base/limits.h"
#include "base/strings.h"

namespace qfs {

namespace {

std::atomic<int> log_level{static_cast<int>(LogLevel::kInfo)};
std::mutex sink_mutex;
std::function<void(std::string_view)> log_sink;  // under sink_mutex; empty: stderr

std::string Quoted(std::string_view text) {
  return "\"" + JsonStringContents(TruncateUtf8(text, kLogValueBytesMax)) + "\"";
}

void WriteToStderr(std::string_view line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to say it
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel level : {LogLevel::kError, LogLevel::kWarn, LogLevel::kInfo, LogLevel::kDebug}) {
    if (text == LogLevelName(level)) return level;
  }
  return Status(StatusCode::kInvalidArgument, "log level must be error, warn, info or debug");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

LogField::LogField(std::string_view key, std::string_view value)
    : key_(key), json_(Quoted(value)) {}
LogField::LogField(std::string_view key, std::int64_t value)
    : key_(key), json_(std::to_string(value)) {}
LogField::LogField(std::string_view key, std::uint64_t value)
    : key_(key), json_(std::to_string(value)) {}
LogField::LogField(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}

void SetLogLevel(LogLevel level) { log_level = static_cast<int>(level); }

LogLevel GetLogLevel() { return static_cast<LogLevel>(log_level.load()); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= log_level.load(); }

void SetLogSink(std::function<void(std::string_view)> sink) {
  std::lock_guard<std::mutex> lock(sink_mutex);
  log_sink = std::move(sink);
}

std::string FormatLogLine(std::uint64_t unix_micros, LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields) {
  const std::time_t seconds = static_cast<std::time_t>(unix_micros / 1'000'000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char ts[96];  // room for any int the compiler cannot rule out
  std::snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<unsigned>(unix_micros % 1'000'000));
  std::string line = "{\"ts\":\"";
  line += ts;
  line += "\",\"level\":\"";
  line += LogLevelName(level);
  line += "\",\"event\":" + Quoted(event);
  for (const LogField& field : fields) {
    line += "," + Quoted(field.key()) + ":" + field.json();
  }
  line += "}\n";
  return line;
}

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string line =
      FormatLogLine(static_cast<std::uint64_t>(
                        std::chrono::duration_cast<std::chrono::microseconds>(now).count()),
                    level, event, fields);
  std::lock_guard<std::mutex> lock(sink_mutex);
  if (log_sink) {
    log_sink(line);
  } else {
    WriteToStderr(line);
  }
}

}  // namespace qfs
