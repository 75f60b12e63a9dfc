#include "base/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include <filesystem>
#include <string>

namespace qfs {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "qfs-file-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

Bytes Filled(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

// Whether `fd` is an open descriptor of this process.
bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

TEST(UniqueFd, ClosesWhatItHoldsWhenResetOrDestroyed) {
  const int first = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int second = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  {
    UniqueFd fd(first);
    EXPECT_EQ(fd.get(), first);
    fd.reset(second);
    EXPECT_FALSE(IsOpen(first));
    EXPECT_TRUE(IsOpen(second));
  }
  EXPECT_FALSE(IsOpen(second));
  UniqueFd none;
  EXPECT_EQ(none.get(), -1);
}

TEST_F(FileTest, WriteFileAtomicallyReplacesTheWholeFile) {
  const std::string path = Path("whole");
  ASSERT_TRUE(WriteFileAtomically(path, Filled(3 * kFileWriteChunkBytes + 5, 1)).ok());
  ASSERT_TRUE(WriteFileAtomically(path, Filled(10, 2)).ok());
  EXPECT_EQ(ReadWholeFile(path, 1 << 30).value(), Filled(10, 2));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  EXPECT_EQ(ReadWholeFile(path, 9).code(), StatusCode::kTooLarge);
  EXPECT_EQ(ReadWholeFile(Path("none"), 9).code(), StatusCode::kNotFound);
}

TEST_F(FileTest, WriteFileFromKeepsThePrefixAndCutsAfterTheTail) {
  const std::string path = Path("tail");
  const Bytes first = Filled(kFileWriteChunkBytes + 100, 3);  // more than a chunk
  ASSERT_TRUE(WriteFileFrom(path, 0, first).ok());            // creates it
  EXPECT_EQ(ReadWholeFile(path, 1 << 30).value(), first);
  // Longer: the prefix stays, the tail replaces the rest.
  const Bytes tail = Filled(50, 9);
  ASSERT_TRUE(WriteFileFrom(path, 1000, tail).ok());
  Bytes expected(first.begin(), first.begin() + 1000);
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(ReadWholeFile(path, 1 << 30).value(), expected);
  // At the very end, and with nothing to add.
  ASSERT_TRUE(WriteFileFrom(path, expected.size(), Filled(4, 4)).ok());
  ASSERT_TRUE(WriteFileFrom(path, 20, {}).ok());
  EXPECT_EQ(ReadWholeFile(path, 1 << 30).value(), Bytes(first.begin(), first.begin() + 20));
  // Past the end: refused, the file unchanged.
  Status past = WriteFileFrom(path, 21, Filled(4, 5));
  EXPECT_EQ(past.code(), StatusCode::kInvalidArgument) << past.ToString();
  EXPECT_EQ(ReadWholeFile(path, 1 << 30).value(), Bytes(first.begin(), first.begin() + 20));
}

TEST_F(FileTest, ReadFilePrefixReadsExactlyOrSaysWhy) {
  const std::string path = Path("prefix");
  const Bytes all = Filled(100, 6);
  ASSERT_TRUE(WriteFileAtomically(path, all).ok());
  EXPECT_EQ(ReadFilePrefix(path, 40).value(), Bytes(all.begin(), all.begin() + 40));
  EXPECT_EQ(ReadFilePrefix(path, 100).value(), all);
  EXPECT_EQ(ReadFilePrefix(path, 0).value(), Bytes());
  EXPECT_EQ(ReadFilePrefix(path, 101).code(), StatusCode::kTruncated);
  EXPECT_EQ(ReadFilePrefix(path, 1ull << 50).code(), StatusCode::kTruncated);  // no huge buffer
  EXPECT_EQ(ReadFilePrefix(Path("none"), 1).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace qfs
