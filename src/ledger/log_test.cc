#include "ledger/log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace qfs::ledger {
namespace {

namespace fs = std::filesystem;

LogEntry MakeEntry(std::uint64_t index, const Digest32& previous, std::size_t payload_bytes = 40) {
  LogEntry e;
  e.index = index;
  e.previous_hash = previous;
  e.timestamp_us = 1'000'000 + 10 * index;
  e.payload.resize(payload_bytes);
  for (std::size_t i = 0; i < payload_bytes; ++i)
    e.payload[i] = static_cast<std::uint8_t>(index * 7 + i);
  e.result = static_cast<std::uint16_t>(index % 5);
  e.entry_hash = EntryHash(e);
  return e;
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("qfs_log_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LogOptions Options(std::uint64_t segment_bytes = 64ull << 20) const {
    return LogOptions{dir_.string(), segment_bytes, false};
  }
  // Appends entries until the log holds n, syncing at the end.
  std::vector<LogEntry> Fill(Log& log, std::uint64_t n, std::size_t payload_bytes = 40) {
    std::vector<LogEntry> added;
    while (log.size() < n) {
      added.push_back(MakeEntry(log.size(), log.last_hash(), payload_bytes));
      EXPECT_TRUE(log.Append(added.back()).ok());
    }
    EXPECT_TRUE(log.Sync().ok());
    return added;
  }
  std::vector<fs::path> Segments() const { return Files(".qlog"); }
  // The saved torn tails.
  std::vector<fs::path> TornFiles() const { return Files(".torn"); }
  std::vector<fs::path> Files(const std::string& extension) const {
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == extension) paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  }
  static void FlipByte(const fs::path& path, std::uint64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x20));
  }
  static void AppendBytes(const fs::path& path, const Bytes& bytes) {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  }

  fs::path dir_;
};

TEST_F(LogTest, EntriesSurviveReopenAndReadBack) {
  std::vector<LogEntry> added;
  Digest32 last{};
  {
    auto log = Log::Open(Options()).value();
    EXPECT_EQ(log->size(), 0u);
    added = Fill(*log, 100);
    last = log->last_hash();
  }
  auto log = Log::Open(Options()).value();
  ASSERT_EQ(log->size(), 100u);
  EXPECT_EQ(log->last_hash(), last);
  EXPECT_EQ(log->recovery().torn_bytes, 0u);
  for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(log->Read(i).value(), added[i]) << i;
  EXPECT_EQ(log->Read(100).status().code(), StatusCode::kOutOfRange);
  Fill(*log, 120);
  EXPECT_EQ(log->Read(119).value().index, 119u);
}

// Appends are buffered until Sync: unsynced entries read back from the buffer, are written by
// Sync, and a buffer past kLogWriteBufferBytes is written without waiting for Sync.
TEST_F(LogTest, BufferedEntriesReadBackAndSyncWritesThem) {
  auto log = Log::Open(Options()).value();
  Fill(*log, 2);
  const auto on_disk = [&] { return fs::file_size(Segments().front()); };
  const std::uintmax_t synced = on_disk();
  std::vector<LogEntry> pending;
  for (int i = 0; i < 3; ++i) {
    pending.push_back(MakeEntry(log->size(), log->last_hash()));
    ASSERT_TRUE(log->Append(pending.back()).ok());
  }
  EXPECT_EQ(on_disk(), synced);  // nothing written yet
  EXPECT_EQ(log->Read(1).value().index, 1u);
  for (const LogEntry& e : pending) EXPECT_EQ(log->Read(e.index).value(), e);
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_GT(on_disk(), synced);
  for (const LogEntry& e : pending) EXPECT_EQ(log->Read(e.index).value(), e);
  const std::uintmax_t before_big = on_disk();
  const std::size_t payload = 64 * 1024;
  while (on_disk() == before_big) {
    ASSERT_LT(log->size(), 5 + kLogWriteBufferBytes / payload + 2) << "never written";
    ASSERT_TRUE(log->Append(MakeEntry(log->size(), log->last_hash(), payload)).ok());
  }
  EXPECT_GE(on_disk() - before_big, kLogWriteBufferBytes);
}

TEST_F(LogTest, AppendRejectsEntriesThatDoNotContinueTheChain) {
  auto log = Log::Open(Options()).value();
  Fill(*log, 3);
  LogEntry good = MakeEntry(3, log->last_hash());
  LogEntry wrong_index = MakeEntry(4, log->last_hash());
  LogEntry wrong_previous = MakeEntry(3, Digest32{});
  LogEntry old_time = good;
  old_time.timestamp_us = 1'000'000;
  old_time.entry_hash = EntryHash(old_time);
  LogEntry bad_hash = good;
  bad_hash.result = 9;
  for (const LogEntry* e : {&wrong_index, &wrong_previous, &old_time, &bad_hash}) {
    EXPECT_EQ(log->Append(*e).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(log->size(), 3u);
  }
  EXPECT_TRUE(log->Append(good).ok());
}

TEST_F(LogTest, SegmentsRollAndReopenAcrossThem) {
  {
    auto log = Log::Open(Options(4096)).value();
    Fill(*log, 300, 100);
  }
  EXPECT_GT(Segments().size(), 5u);
  auto log = Log::Open(Options(4096)).value();
  EXPECT_EQ(log->size(), 300u);
  for (std::uint64_t i = 0; i < 300; i += 37) EXPECT_EQ(log->Read(i).value().index, i);
}

// More segments than Read keeps open: reads in order, backwards and from several threads at
// once all return what was written, while files are opened and closed under them.
TEST_F(LogTest, ReadsAcrossMoreSegmentsThanStayOpen) {
  std::vector<LogEntry> written;
  {
    auto log = Log::Open(Options(1024)).value();
    written = Fill(*log, 1000, 100);
  }
  ASSERT_GT(Segments().size(), Log::kReadFilesOpenMax + 10);
  auto log = Log::Open(Options(1024)).value();
  for (std::uint64_t i = 0; i < 1000; ++i) ASSERT_EQ(log->Read(i).value(), written[i]) << i;
  for (std::uint64_t i = 1000; i-- > 0;) ASSERT_EQ(log->Read(i).value(), written[i]) << i;
  std::vector<std::thread> readers;
  std::atomic<int> wrong{0};
  for (std::uint64_t t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (std::uint64_t k = 0; k < 3000; ++k) {
        const std::uint64_t i = (k * 7919 + t * 131) % 1000;  // jumps between segments
        Result<LogEntry> e = log->Read(i);
        if (!e.ok() || e.value() != written[i]) ++wrong;
      }
    });
  }
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(wrong.load(), 0);
  // Appending goes on, and the newest entries read back from the buffer and then the file.
  LogEntry next = MakeEntry(1000, log->last_hash(), 100);
  ASSERT_TRUE(log->Append(next).ok());
  EXPECT_EQ(log->Read(1000).value(), next);
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(log->Read(1000).value(), next);
}

TEST_F(LogTest, TornTailIsCutAndAppendingContinues) {
  {
    auto log = Log::Open(Options()).value();
    Fill(*log, 10);
  }
  const fs::path last = Segments().back();
  const auto full = fs::file_size(last);
  fs::resize_file(last, full - 7);  // the last record lost its end
  {
    auto log = Log::Open(Options()).value();
    EXPECT_EQ(log->size(), 9u);
    EXPECT_GT(log->recovery().torn_bytes, 0u);
    Fill(*log, 12);
  }
  AppendBytes(Segments().back(), Bytes(50, 0));  // a zero-filled tail
  auto log = Log::Open(Options()).value();
  EXPECT_EQ(log->size(), 12u);
  EXPECT_EQ(log->recovery().torn_bytes, 50u);
}

static Bytes ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

TEST_F(LogTest, ATornTailIsCutReportedWithItsSizeAndSaved) {
  {
    auto log = Log::Open(Options()).value();
    Fill(*log, 10);  // records of 12 + 126 bytes
  }
  const fs::path segment = Segments().back();
  const Bytes whole = ReadFile(segment);
  fs::resize_file(segment, whole.size() - 7);  // the last record lost its end
  const std::uint64_t offset = whole.size() - 138;
  const Bytes tail(whole.begin() + static_cast<std::ptrdiff_t>(offset), whole.end() - 7);
  {
    auto log = Log::Open(Options()).value();
    EXPECT_EQ(log->size(), 9u);
    const LogRecovery& r = log->recovery();
    ASSERT_TRUE(r.torn.has_value());
    EXPECT_EQ(r.torn->segment, segment.filename().string());
    EXPECT_EQ(r.torn->offset, offset);
    EXPECT_EQ(r.torn->bytes, 131u);
    EXPECT_EQ(r.torn->entry, 9u);
    EXPECT_EQ(r.torn_bytes, 131u);
    EXPECT_EQ(r.torn_tails_saved, 1u);
    EXPECT_EQ(r.torn_bytes_saved, 131u);
    ASSERT_EQ(TornFiles().size(), 1u);
    EXPECT_EQ(r.torn->saved_as, TornFiles()[0].filename().string());
    EXPECT_EQ(ReadFile(TornFiles()[0]), tail);  // the cut bytes, exactly
    EXPECT_EQ(fs::file_size(segment), offset);
    EXPECT_EQ(DescribeTornTail(*r.torn), "torn tail of 131 bytes at byte " +
                                             std::to_string(offset) + " of " + r.torn->segment +
                                             " (entry 9, never acknowledged) " + "cut, saved as " +
                                             r.torn->saved_as);
  }
  // The next open finds nothing torn, and still counts the tail cut before (so does an auditor).
  LogOptions read_only = Options();
  read_only.read_only = true;
  for (const LogOptions& options : {Options(), read_only}) {
    auto log = Log::Open(options).value();
    EXPECT_FALSE(log->recovery().torn.has_value());
    EXPECT_EQ(log->recovery().torn_tails_saved, 1u);
    EXPECT_EQ(log->recovery().torn_bytes_saved, 131u);
  }
  // The same tail again (as after a crash between its save and its cut) is not counted twice;
  // another tail at the same place is.
  AppendBytes(segment, tail);
  EXPECT_EQ(Log::Open(Options()).value()->recovery().torn_tails_saved, 1u);
  AppendBytes(segment, Bytes(40, 0));
  auto log = Log::Open(Options()).value();
  ASSERT_TRUE(log->recovery().torn.has_value());
  EXPECT_EQ(log->recovery().torn->offset, offset);
  EXPECT_EQ(log->recovery().torn_tails_saved, 2u);
  EXPECT_EQ(log->recovery().torn_bytes_saved, 171u);
  EXPECT_EQ(TornFiles().size(), 2u);
  Fill(*log, 12);
}

TEST_F(LogTest, ANewestSegmentShorterThanItsHeaderIsRemovedAndReported) {
  {
    auto log = Log::Open(Options(2048)).value();
    Fill(*log, 30);
  }
  const std::size_t segments = Segments().size();
  const fs::path next = dir_ / "00000000000000000030.qlog";
  ASSERT_FALSE(fs::exists(next));
  AppendBytes(next, Bytes{'Q', 'F', 'S'});
  auto log = Log::Open(Options(2048)).value();
  EXPECT_EQ(log->size(), 30u);
  ASSERT_TRUE(log->recovery().torn.has_value());
  EXPECT_EQ(log->recovery().torn->segment, next.filename().string());
  EXPECT_EQ(log->recovery().torn->offset, 0u);
  EXPECT_EQ(log->recovery().torn->bytes, 3u);
  EXPECT_EQ(log->recovery().torn->entry, 30u);
  EXPECT_EQ(Segments().size(), segments);
  EXPECT_EQ(TornFiles().size(), 1u);
}

// A frame whose length and complement are intact but which no record can have (over
// kLogRecordBytesMax, or under the smallest body) is damage: it is corruption even in the last
// position, where it would otherwise pass for a record whose end never reached the disk.
TEST_F(LogTest, AnImpossibleLengthInTheLastFrameIsCorruptionNotATornTail) {
  {
    auto log = Log::Open(Options()).value();
    Fill(*log, 5);
  }
  const fs::path segment = Segments().back();
  const auto good_size = fs::file_size(segment);
  auto frame = [](std::uint32_t length, std::size_t bytes) {
    Bytes f = {static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
               static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
    for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(~f[static_cast<size_t>(i)]));
    f.resize(bytes, 0x5a);  // the CRC and a start of body, or less
    return f;
  };
  const std::uint32_t too_large = static_cast<std::uint32_t>(kLogRecordBytesMax) + 1;
  for (const Bytes& tail : {frame(too_large, 12 + 100), frame(too_large, 8), frame(0xFFFFFFF0u, 12),
                            frame(10, 12 + 4)}) {
    AppendBytes(segment, tail);
    const auto size = fs::file_size(segment);
    auto failed = Log::Open(Options());
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), StatusCode::kCorruption);
    EXPECT_NE(failed.status().message().find("log entry 5 "), std::string::npos)
        << failed.status().message();
    EXPECT_NE(failed.status().message().find("record length"), std::string::npos)
        << failed.status().message();
    // The node's open: the good prefix, readable, never written; nothing cut or saved.
    LogOptions node = Options();
    node.keep_good_prefix = true;
    auto log = Log::Open(node).value();
    EXPECT_EQ(log->size(), 5u);
    EXPECT_FALSE(log->writable());
    EXPECT_EQ(log->recovery().corruption.code(), StatusCode::kCorruption);
    EXPECT_FALSE(log->recovery().torn.has_value());
    EXPECT_EQ(log->recovery().torn_bytes, 0u);
    EXPECT_EQ(fs::file_size(segment), size);
    EXPECT_TRUE(TornFiles().empty());
    fs::resize_file(segment, good_size);
  }
  EXPECT_EQ(Log::Open(Options()).value()->size(), 5u);
}

TEST_F(LogTest, ReadOnlyOpenLeavesATornTailInPlace) {
  {
    auto log = Log::Open(Options()).value();
    Fill(*log, 5);
  }
  AppendBytes(Segments().back(), Bytes{0, 0, 1, 0, 1, 2});  // a frame promising 256 bytes
  const auto size = fs::file_size(Segments().back());
  LogOptions ro = Options();
  ro.read_only = true;
  auto log = Log::Open(ro).value();
  EXPECT_EQ(log->size(), 5u);
  EXPECT_EQ(log->recovery().torn_bytes, 6u);
  ASSERT_TRUE(log->recovery().torn.has_value());
  EXPECT_EQ(log->recovery().torn->saved_as, "");
  EXPECT_EQ(fs::file_size(Segments().back()), size);
  EXPECT_TRUE(TornFiles().empty());
}

TEST_F(LogTest, AFlippedByteAnywhereIsCorruptionNamingTheEntry) {
  {
    auto log = Log::Open(Options(2048)).value();
    Fill(*log, 60, 100);
  }
  const std::vector<fs::path> segments = Segments();
  ASSERT_GE(segments.size(), 3u);
  // Record sizes are fixed here: header 24 bytes, frame 12, body 8+32+8+4+100+2+32 = 186.
  const std::uint64_t record = 12 + 186;
  const auto per_segment = (fs::file_size(segments[0]) - 24) / record;
  // Every byte of the newest segment (where a damaged tail could pass for a torn write) and
  // every 5th byte of the others: each flip is CORRUPTION naming the entry it hit.
  int probes = 0;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const std::uint64_t first = s * per_segment;
    const bool newest = s + 1 == segments.size();
    for (std::uint64_t offset = 0; offset < fs::file_size(segments[s]); offset += newest ? 1 : 5) {
      FlipByte(segments[s], offset);
      auto log = Log::Open(Options(2048));
      ++probes;
      ASSERT_FALSE(log.ok()) << segments[s] << " " << offset;
      EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
      const std::uint64_t index = first + (offset < 24 ? 0 : (offset - 24) / record);
      EXPECT_NE(log.status().message().find("log entry " + std::to_string(index) + " "),
                std::string::npos)
          << offset << ": " << log.status().message();
      FlipByte(segments[s], offset);  // repair
    }
  }
  EXPECT_GT(probes, 3000);
  ASSERT_TRUE(Log::Open(Options(2048)).ok());
}

TEST_F(LogTest, AMissingSegmentIsCorruption) {
  {
    auto log = Log::Open(Options(2048)).value();
    Fill(*log, 60, 100);
  }
  fs::remove(Segments()[1]);
  auto log = Log::Open(Options(2048));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
}

TEST(LogEntry, EncodingRoundTripsAndIsStrict) {
  LogEntry e = MakeEntry(5, Digest32{1, 2, 3});
  Bytes body = EncodeEntry(e);
  EXPECT_EQ(DecodeEntry(body).value(), e);
  body.push_back(0);
  EXPECT_EQ(DecodeEntry(body).status().code(), StatusCode::kTrailingBytes);
  body.resize(body.size() - 10);
  EXPECT_FALSE(DecodeEntry(body).ok());
}

}  // namespace
}  // namespace qfs::ledger
