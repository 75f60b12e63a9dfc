// Test helpers for the known-answer files in ../shared/vectors (read in place). Tests only.
#ifndef QFS_CRYPTO_VECTORS_TESTING_H_
#define QFS_CRYPTO_VECTORS_TESTING_H_

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "base/text_encoding.h"
#include "codec/json.h"

namespace qfs::crypto::testing {

inline codec::Json LoadVectors(const std::string& relative) {
  std::string path = std::string(QFS_VECTORS_DIR) + "/" + relative;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing vector file " << path;
  std::stringstream text;
  text << in.rdbuf();
  return codec::Json::parse(text.str());
}

// A hex field, with or without a 0x prefix.
inline Bytes HexField(const codec::Json& v) {
  std::string s = v.get<std::string>();
  if (s.rfind("0x", 0) == 0) s = s.substr(2);
  return HexDecode(s).value();
}

// ACVP: the expected result of every test case by tcId (expectedResults.json).
inline std::map<int, codec::Json> AcvpExpected(const std::string& dir) {
  std::map<int, codec::Json> out;
  const codec::Json file = LoadVectors(dir + "/expectedResults.json");  // must outlive the loop
  for (const codec::Json& g : file["testGroups"]) {
    for (const codec::Json& t : g["tests"]) out[t["tcId"].get<int>()] = t;
  }
  return out;
}

}  // namespace qfs::crypto::testing

#endif  // QFS_CRYPTO_VECTORS_TESTING_H_
