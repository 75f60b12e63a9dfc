#include "keys/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace qfs::keys {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "." + std::to_string(::getpid())))
      .string();
}

TEST(KeyFile, WriteReadRoundTripWithMode0600) {
  std::string path = TempPath("qfs-key");
  std::remove(path.c_str());
  KeyFile key = GenerateKey(KeyKind::kDevice, crypto::SignatureAlgorithm::kEd25519MlDsa65).value();
  ASSERT_TRUE(WriteKeyFile(path, key).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  KeyFile back = ReadKeyFile(path).value();
  EXPECT_EQ(back.kind, KeyKind::kDevice);
  EXPECT_EQ(back.algorithm, key.algorithm);
  EXPECT_EQ(back.public_key, key.public_key);
  EXPECT_TRUE(back.secret_key == key.secret_key);
  // Refuses to overwrite, and leaves the file as it was.
  KeyFile other = GenerateKey(KeyKind::kNode, crypto::SignatureAlgorithm::kEd25519).value();
  EXPECT_EQ(WriteKeyFile(path, other).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadKeyFile(path).value().public_key, key.public_key);
  std::remove(path.c_str());
}

TEST(KeyFile, RejectsCorruptionAndMalformedFiles) {
  KeyFile key = GenerateKey(KeyKind::kNode, crypto::SignatureAlgorithm::kEd25519).value();
  Bytes encoded = EncodeKeyFile(key);
  ASSERT_TRUE(DecodeKeyFile(encoded).ok());
  Bytes flipped = encoded;
  flipped[12] ^= 1;
  EXPECT_EQ(DecodeKeyFile(flipped).code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeKeyFile(ByteSpan(encoded).first(10)).code(), StatusCode::kTruncated);
  EXPECT_EQ(ReadKeyFile("/nonexistent/qfs.key").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace qfs::keys
