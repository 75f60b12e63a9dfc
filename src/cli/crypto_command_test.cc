#include "cli/crypto_command.h"

#include <gtest/gtest.h>

namespace qfs::cli {
namespace {

std::string Crypto(const std::string& op, const std::map<std::string, std::string>& o) {
  Result<codec::Json> r = RunCrypto(op, o);
  if (!r.ok()) return "error " + std::string(StatusCodeName(r.code()));
  return codec::CanonicalJson(r.value()).value();
}

TEST(CryptoCommand, Hashes) {
  EXPECT_EQ(
      Crypto("hash", {{"algorithm", "sha256"}, {"data", "616263"}}),
      R"({"algorithm":"sha256","digest":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"})");
  EXPECT_EQ(
      Crypto("hash", {{"algorithm", "keccak256"}, {"data", "0x"}}),
      R"({"algorithm":"keccak256","digest":"c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"})");
  EXPECT_EQ(Crypto("hash", {{"algorithm", "shake128"}, {"length", "4"}}),
            R"({"algorithm":"shake128","digest":"7f9c2ba4"})");
  EXPECT_EQ(Crypto("hash", {{"algorithm", "md5"}}), "error UNKNOWN_ALGORITHM");
  EXPECT_EQ(Crypto("hash", {{"algorithm", "sha256"}, {"data", "zz"}}), "error PARSE_ERROR");
  EXPECT_EQ(Crypto("hash", {}), "error INVALID_ARGUMENT");
}

TEST(CryptoCommand, AeadRoundTripAndVerifyResults) {
  std::map<std::string, std::string> o = {{"algorithm", "chacha20-poly1305"},
                                          {"key", std::string(64, '1')},
                                          {"nonce", std::string(24, '2')},
                                          {"data", "68656c6c6f"}};
  Result<codec::Json> sealed = RunCrypto("aead-seal", o);
  ASSERT_TRUE(sealed.ok());
  o["data"] = sealed.value()["sealed"];
  EXPECT_EQ(Crypto("aead-open", o), R"({"plaintext":"68656c6c6f"})");
  o["data"][0] = o["data"][0] == '0' ? '1' : '0';
  EXPECT_EQ(Crypto("aead-open", o), "error AUTHENTICATION_FAILED");
  std::string seed(64, 'a');
  Result<codec::Json> signed_ = RunCrypto("ed25519-sign", {{"seed", seed}, {"text", "hi"}});
  ASSERT_TRUE(signed_.ok());
  std::map<std::string, std::string> v = {{"public-key", signed_.value()["public_key"]},
                                          {"text", "hi"},
                                          {"signature", signed_.value()["signature"]}};
  EXPECT_EQ(Crypto("ed25519-verify", v), R"({"valid":true})");
  v["text"] = "ho";
  EXPECT_EQ(Crypto("ed25519-verify", v),
            R"({"reason":"BAD_SIGNATURE: Ed25519 signature does not verify","valid":false})");
}

TEST(CryptoCommand, WalletOperations) {
  EXPECT_EQ(
      Crypto("secp256k1-pubkey", {{"private", std::string(63, '0') + "1"}, {"compressed", "1"}}),
      R"({"address":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","public_key":"0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"})");
  EXPECT_EQ(Crypto("eip55", {{"address", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}}),
            R"({"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"})");
  EXPECT_EQ(Crypto("eip191-hash", {{"text", "Hello World"}}),
            R"({"hash":"a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"})");
}

TEST(CryptoCommand, PostQuantumRoundTrips) {
  Result<codec::Json> kp =
      RunCrypto("mldsa-keygen", {{"set", "ML-DSA-44"}, {"seed", std::string(64, '7')}});
  ASSERT_TRUE(kp.ok());
  Result<codec::Json> sig = RunCrypto("mldsa-sign", {{"set", "ML-DSA-44"},
                                                     {"secret-key", kp.value()["secret_key"]},
                                                     {"text", "hi"},
                                                     {"context", "0102"},
                                                     {"prehash", "SHA3-256"}});
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  std::map<std::string, std::string> v = {
      {"set", "ML-DSA-44"},    {"public-key", kp.value()["public_key"]},
      {"text", "hi"},          {"context", "0102"},
      {"prehash", "SHA3-256"}, {"signature", sig.value()["signature"]}};
  EXPECT_EQ(Crypto("mldsa-verify", v), R"({"valid":true})");
  v["context"] = "0103";
  EXPECT_NE(Crypto("mldsa-verify", v).find(R"("valid":false)"), std::string::npos);

  Result<codec::Json> kem =
      RunCrypto("mlkem-keygen",
                {{"set", "ML-KEM-768"}, {"d", std::string(64, '1')}, {"z", std::string(64, '2')}});
  ASSERT_TRUE(kem.ok());
  Result<codec::Json> enc =
      RunCrypto("mlkem-encaps", {{"set", "ML-KEM-768"},
                                 {"encapsulation-key", kem.value()["encapsulation_key"]},
                                 {"m", std::string(64, '3')}});
  ASSERT_TRUE(enc.ok());
  Result<codec::Json> dec =
      RunCrypto("mlkem-decaps", {{"set", "ML-KEM-768"},
                                 {"decapsulation-key", kem.value()["decapsulation_key"]},
                                 {"ciphertext", enc.value()["ciphertext"]}});
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec.value()["shared_key"], enc.value()["shared_key"]);
  EXPECT_EQ(Crypto("mlkem-check", {{"set", "ML-KEM-768"},
                                   {"encapsulation-key", kem.value()["encapsulation_key"]}}),
            R"({"valid":true})");
  EXPECT_EQ(Crypto("mlkem-keygen", {{"set", "ML-KEM-999"}, {"d", "00"}, {"z", "00"}}),
            "error UNKNOWN_ALGORITHM");

  Result<codec::Json> hk = RunCrypto("hybrid-keygen", {{"seed", std::string(128, 'a')}});
  ASSERT_TRUE(hk.ok());
  Result<codec::Json> hs =
      RunCrypto("hybrid-sign", {{"secret-key", hk.value()["secret_key"]}, {"text", "pay"}});
  ASSERT_TRUE(hs.ok());
  EXPECT_EQ(Crypto("hybrid-verify", {{"public-key", hk.value()["public_key"]},
                                     {"text", "pay"},
                                     {"signature", hs.value()["signature"]}}),
            R"({"valid":true})");
}

TEST(CryptoCommand, EveryOperationIsListed) {
  EXPECT_EQ(CryptoOperations().size(), 25u);
  EXPECT_EQ(Crypto("nonsense", {}), "error INVALID_ARGUMENT");
}

}  // namespace
}  // namespace qfs::cli
