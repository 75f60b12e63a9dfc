#include "base/log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/strings.h"

namespace qfs {
namespace {

TEST(Log, ALineIsOneJsonObjectWithTimeLevelEventAndFields) {
  const std::string line = FormatLogLine(1'765'000'000'123'456, LogLevel::kWarn, "http_request",
                                         {{"method", "GET"},
                                          {"status", 200},
                                          {"bytes", std::uint64_t{18'446'744'073'709'551'615u}},
                                          {"delta", std::int64_t{-5}},
                                          {"tls", true}});
  EXPECT_EQ(line,
            "{\"ts\":\"2025-12-06T05:46:40.123456Z\",\"level\":\"warn\",\"event\":\"http_request\","
            "\"method\":\"GET\",\"status\":200,\"bytes\":18446744073709551615,\"delta\":-5,"
            "\"tls\":true}\n");
}

TEST(Log, OutsideTextCannotBreakOrLengthenALine) {
  const std::string hostile = std::string("a\"b\\c\nd\re\x01\x7f", 11) + "\xff\xfe" + "é";
  const std::string line = FormatLogLine(0, LogLevel::kInfo, "e", {{"v", hostile}});
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  EXPECT_TRUE(IsValidUtf8(line));
  EXPECT_NE(line.find(R"("v":"a\"b\\c\u000ad\u000de\u0001\u007f)"), std::string::npos) << line;
  const std::string long_line =
      FormatLogLine(0, LogLevel::kInfo, "e", {{"v", std::string(10'000, 'x')}});
  EXPECT_LT(long_line.size(), 400u);
}

TEST(Log, TheLevelFiltersAndTheSinkGetsWholeLines) {
  std::mutex mu;
  std::vector<std::string> lines;
  SetLogSink([&](std::string_view line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(line);
  });
  SetLogLevel(LogLevel::kWarn);
  Log(LogLevel::kInfo, "dropped");
  Log(LogLevel::kError, "kept", {{"n", 1}});
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"event\":\"kept\",\"n\":1}"), std::string::npos);
  // Lines from many threads arrive whole.
  SetLogLevel(LogLevel::kInfo);
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 100; ++i) Log(LogLevel::kInfo, "spin", {{"t", t}, {"i", i}});
    });
  }
  for (std::thread& t : threads) t.join();
  SetLogSink(nullptr);
  EXPECT_EQ(lines.size(), 401u);
  for (const std::string& line : lines) {
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.substr(line.size() - 2), "}\n");
  }
}

TEST(Log, LevelsParseByName) {
  EXPECT_EQ(ParseLogLevel("debug").value(), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("error").value(), LogLevel::kError);
  EXPECT_EQ(ParseLogLevel("loud").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LogLevelName(LogLevel::kWarn), "warn");
}

}  // namespace
}  // namespace qfs
