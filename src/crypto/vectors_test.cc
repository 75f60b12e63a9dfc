// Known-answer tests over ../shared/vectors (read in place, never copied): every Wycheproof file
// for the primitives here (every `valid` passes, every `invalid` fails, `acceptable` may go
// either way but a produced value must be right) and the Ethereum hash, account and EIP-55 sets.
#include <gtest/gtest.h>

#include <fstream>

#include "base/text_encoding.h"
#include "codec/json.h"
#include "crypto/aead.h"
#include "crypto/curve25519.h"
#include "crypto/ed25519_prepared.h"
#include "crypto/hash.h"
#include "crypto/mac.h"
#include "crypto/vectors_testing.h"
#include "crypto/wallet.h"

namespace qfs::crypto {
namespace {

using codec::Json;

using testing::HexField;
using testing::LoadVectors;

struct Tally {
  int valid = 0, invalid = 0, acceptable = 0;
  int total() const { return valid + invalid + acceptable; }
};

// Calls check(test, group) for every Wycheproof test; returns counts by expected result.
template <typename Check>
Tally ForEachWycheproof(const Json& file, Check check) {
  Tally t;
  for (const Json& group : file["testGroups"]) {
    for (const Json& test : group["tests"]) {
      std::string result = test["result"];
      (result == "valid" ? t.valid : result == "invalid" ? t.invalid : t.acceptable)++;
      check(test, group, result);
    }
  }
  EXPECT_EQ(t.total(), file["numberOfTests"].get<int>());
  return t;
}

void RunAead(const std::string& file, AeadAlgorithm alg) {
  Json f = LoadVectors("wycheproof/" + file);
  Tally t = ForEachWycheproof(f, [&](const Json& test, const Json&, const std::string& result) {
    Bytes key = HexField(test["key"]), iv = HexField(test["iv"]), aad = HexField(test["aad"]);
    Bytes msg = HexField(test["msg"]), sealed = HexField(test["ct"]), tag = HexField(test["tag"]);
    sealed.insert(sealed.end(), tag.begin(), tag.end());
    Result<SecretBytes> opened = AeadOpen(alg, key, iv, aad, sealed);
    int id = test["tcId"];
    if (result == "valid") {
      ASSERT_TRUE(opened.ok()) << file << " tcId " << id << ": " << opened.status().ToString();
      EXPECT_EQ(Bytes(opened.value().data(), opened.value().data() + opened.value().size()), msg)
          << id;
      EXPECT_EQ(AeadSeal(alg, key, iv, aad, msg).value(), sealed) << id;
    } else {
      EXPECT_FALSE(opened.ok()) << file << " tcId " << id << " (invalid) opened";
    }
  });
  std::printf("%s: %d valid, %d invalid\n", file.c_str(), t.valid, t.invalid);
}

TEST(Wycheproof, AesGcm) { RunAead("aes_gcm_test.json", AeadAlgorithm::kAesGcm); }
TEST(Wycheproof, ChaCha20Poly1305) {
  RunAead("chacha20_poly1305_test.json", AeadAlgorithm::kChaCha20Poly1305);
}

TEST(Wycheproof, HmacSha256) {
  Json f = LoadVectors("wycheproof/hmac_sha256_test.json");
  ForEachWycheproof(f, [&](const Json& test, const Json& group, const std::string& result) {
    Bytes key = HexField(test["key"]), msg = HexField(test["msg"]), tag = HexField(test["tag"]);
    ASSERT_EQ(tag.size() * 8, group["tagSize"].get<std::size_t>());
    bool ok = HmacSha256Verify(key, msg, tag);
    EXPECT_EQ(ok, result == "valid") << "tcId " << test["tcId"];
  });
}

TEST(Wycheproof, HkdfSha256) {
  Json f = LoadVectors("wycheproof/hkdf_sha256_test.json");
  ForEachWycheproof(f, [&](const Json& test, const Json&, const std::string& result) {
    Result<SecretBytes> okm = Hkdf(HexField(test["salt"]), HexField(test["ikm"]),
                                   HexField(test["info"]), test["size"].get<std::size_t>());
    if (result == "valid") {
      ASSERT_TRUE(okm.ok()) << test["tcId"];
      EXPECT_EQ(HexEncode(okm.value().span()), HexEncode(HexField(test["okm"]))) << test["tcId"];
    } else {
      EXPECT_FALSE(okm.ok()) << test["tcId"];
    }
  });
}

TEST(Wycheproof, Ed25519) {
  Json f = LoadVectors("wycheproof/ed25519_test.json");
  Tally t =
      ForEachWycheproof(f, [&](const Json& test, const Json& group, const std::string& result) {
        Bytes pk = HexField(group["publicKey"]["pk"]);
        Status s = Ed25519Verify(pk, HexField(test["msg"]), HexField(test["sig"]));
        EXPECT_EQ(s.ok(), result == "valid") << "tcId " << test["tcId"] << " " << test["comment"];
        // The prepared-key path gives the same verdict (a key it refuses verifies nothing).
        auto prepared = Ed25519PreparedKey::Prepare(pk);
        const bool prepared_ok =
            prepared.ok() &&
            prepared.value()->Verify(HexField(test["msg"]), HexField(test["sig"])).ok();
        EXPECT_EQ(prepared_ok, s.ok()) << "prepared, tcId " << test["tcId"];
      });
  std::printf("ed25519: %d valid, %d invalid\n", t.valid, t.invalid);
}

TEST(Wycheproof, X25519) {
  Json f = LoadVectors("wycheproof/x25519_test.json");
  int acceptable_rejected = 0;
  Tally t = ForEachWycheproof(f, [&](const Json& test, const Json&, const std::string& result) {
    Result<SecretBytes> shared = X25519(HexField(test["private"]), HexField(test["public"]));
    if (result == "valid") {
      ASSERT_TRUE(shared.ok()) << test["tcId"];
    } else if (!shared.ok()) {
      ++acceptable_rejected;  // e.g. a low-order point giving an all-zero secret
      return;
    }
    EXPECT_EQ(HexEncode(shared.value().span()), HexEncode(HexField(test["shared"])))
        << test["tcId"];
  });
  std::printf("x25519: %d valid, %d acceptable (%d of them rejected)\n", t.valid, t.acceptable,
              acceptable_rejected);
}

TEST(Ethereum, Hashes) {
  Json f = LoadVectors("ethereum/ethers_hashes.json");
  ASSERT_GT(f.size(), 0u);
  for (const Json& v : f) {
    Bytes data = HexField(v["data"]);
    EXPECT_EQ("0x" + HexEncode(Sha256(data)), v["sha256"].get<std::string>()) << v["name"];
    EXPECT_EQ("0x" + HexEncode(Sha512(data)), v["sha512"].get<std::string>()) << v["name"];
    EXPECT_EQ("0x" + HexEncode(Keccak256(data)), v["keccak256"].get<std::string>()) << v["name"];
  }
  std::printf("ethers_hashes: %zu inputs (sha256, sha512, keccak256)\n", f.size());
}

TEST(Ethereum, Keccak256Csv) {
  std::ifstream in(std::string(QFS_VECTORS_DIR) + "/ethereum/keccak256_subset_from_ethers.csv");
  ASSERT_TRUE(in.good());
  std::string line;
  std::getline(in, line);  // header
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::size_t a = line.find(','), b = line.rfind(',');
    Bytes data = HexDecode(line.substr(a + 3, b - a - 3)).value();
    EXPECT_EQ("0x" + HexEncode(Keccak256(data)), line.substr(b + 1)) << line.substr(0, a);
    ++rows;
  }
  EXPECT_GT(rows, 0);
  std::printf("keccak256 csv: %d rows\n", rows);
}

TEST(Ethereum, AccountsFromPrivateKeys) {
  Json f = LoadVectors("ethereum/ethers_accounts.json");
  for (const Json& v : f) {
    Bytes sk = HexField(v["privateKey"]);
    Bytes pk = Secp256k1PublicKey(sk, false).value();
    Address a = AddressFromPublicKey(pk).value();
    EXPECT_EQ(ChecksumAddress(a), v["address"].get<std::string>()) << v["name"];
    // And through a signature: sign an EIP-191 login message, recover the same address.
    std::string message = "Sign this message to login to ATLAS: " + v["name"].get<std::string>();
    Bytes sig = EcdsaSignRecoverable(sk, Eip191Hash(AsBytes(message))).value();
    EXPECT_EQ(RecoverAddress(AsBytes(message), sig).value(), a) << v["name"];
  }
  EXPECT_EQ(f.size(), 259u);
}

TEST(Ethereum, Eip55) {
  Json f = LoadVectors("ethereum/eip55_checksum_vectors.json");
  ASSERT_GT(f["vectors"].size(), 0u);
  for (const Json& v : f["vectors"]) {
    Address a = ParseAddress(v["lowercase"].get<std::string>()).value();
    EXPECT_EQ(ChecksumAddress(a), v["checksummed"].get<std::string>());
    EXPECT_TRUE(ParseAddress(v["checksummed"].get<std::string>()).ok());
  }
}

}  // namespace
}  // namespace qfs::crypto
