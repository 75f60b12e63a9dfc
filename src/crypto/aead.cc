#include "crypto/aead.h"

#include <openssl/evp.h>

#include <memory>

#include "base/check.h"
#include "base/limits.h"

namespace qfs::crypto {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

Result<const EVP_CIPHER*> Cipher(AeadAlgorithm algorithm, std::size_t key_bytes,
                                 std::size_t nonce_bytes) {
  if (algorithm == AeadAlgorithm::kChaCha20Poly1305) {
    if (key_bytes != 32) return Status(StatusCode::kBadKey, "ChaCha20-Poly1305 key is 32 bytes");
    if (nonce_bytes != 12) {
      return Status(StatusCode::kBadLength, "ChaCha20-Poly1305 nonce is 12 bytes");
    }
    return EVP_chacha20_poly1305();
  }
  if (nonce_bytes == 0 || nonce_bytes > kAesGcmNonceBytesMax) {
    return Status(StatusCode::kBadLength,
                  "AES-GCM nonce must be 1.." + std::to_string(kAesGcmNonceBytesMax) + " bytes");
  }
  switch (key_bytes) {
    case 16:
      return EVP_aes_128_gcm();
    case 24:
      return EVP_aes_192_gcm();
    case 32:
      return EVP_aes_256_gcm();
    default:
      return Status(StatusCode::kBadKey, "AES-GCM key is 16, 24 or 32 bytes");
  }
}

Result<Ctx> Init(AeadAlgorithm algorithm, ByteSpan key, ByteSpan nonce, bool encrypt) {
  QFS_ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, Cipher(algorithm, key.size(), nonce.size()));
  Ctx ctx(EVP_CIPHER_CTX_new());
  QFS_CHECK(ctx != nullptr);
  int enc = encrypt ? 1 : 0;
  bool ok = EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, enc) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                                nullptr) == 1 &&
            EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), enc) == 1;
  if (!ok) return Status(StatusCode::kCryptoFailure, "AEAD initialisation failed");
  return ctx;
}

// --- AES-GCM with nonces longer than OpenSSL accepts (SP 800-38D, general IV length) -----------
// OpenSSL 3.0 takes GCM nonces of at most 128 bytes. For longer ones we derive the pre-counter
// block J0 = GHASH_H(IV || 0* || [len(IV)]64) ourselves and run GCTR with AES-ECB over the
// counter blocks and GHASH in software. Slow, but only such nonces take this path.
constexpr std::size_t kOpenSslGcmNonceBytesMax = 128;

struct Block {
  std::uint64_t hi = 0, lo = 0;
};

Block Load(const std::uint8_t* p, std::size_t n) {  // n <= 16, zero padded
  std::uint8_t b[16] = {};
  std::copy(p, p + n, b);
  Block out;
  for (int i = 0; i < 8; ++i) out.hi = out.hi << 8 | b[i];
  for (int i = 8; i < 16; ++i) out.lo = out.lo << 8 | b[i];
  return out;
}

void Store(const Block& x, std::uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(x.hi >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) out[8 + i] = static_cast<std::uint8_t>(x.lo >> (56 - 8 * i));
}

// X * Y in GF(2^128) with the GCM bit order (SP 800-38D, Algorithm 1).
Block GfMul(const Block& x, Block v) {
  Block z;
  for (int i = 0; i < 128; ++i) {
    std::uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1 : (x.lo >> (127 - i)) & 1;
    std::uint64_t mask = 0 - bit;
    z.hi ^= v.hi & mask;
    z.lo ^= v.lo & mask;
    std::uint64_t carry = 0 - (v.lo & 1);
    v.lo = v.lo >> 1 | v.hi << 63;
    v.hi = (v.hi >> 1) ^ (0xE100000000000000ull & carry);
  }
  return z;
}

class Ghash {
 public:
  explicit Ghash(const Block& h) : h_(h) {}
  void Update(ByteSpan data) {  // zero-pads the last partial block
    for (std::size_t i = 0; i < data.size(); i += 16) {
      Block b = Load(data.data() + i, std::min<std::size_t>(16, data.size() - i));
      y_.hi ^= b.hi;
      y_.lo ^= b.lo;
      y_ = GfMul(y_, h_);
    }
  }
  void UpdateLengths(std::uint64_t a_bits, std::uint64_t c_bits) {
    y_.hi ^= a_bits;
    y_.lo ^= c_bits;
    y_ = GfMul(y_, h_);
  }
  Block value() const { return y_; }

 private:
  Block h_;
  Block y_;
};

bool AesEcb(ByteSpan key, ByteSpan in, std::uint8_t* out) {
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_ecb()
                             : key.size() == 24 ? EVP_aes_192_ecb()
                                                : EVP_aes_256_ecb();
  Ctx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  return ctx && EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
         EVP_EncryptUpdate(ctx.get(), out, &n, in.data(), static_cast<int>(in.size())) == 1;
}

// GCTR keystream XOR and the tag for a long nonce. `input` is plaintext (seal) or ciphertext
// (open); the tag is always computed over the ciphertext.
Result<Bytes> LongNonceGcm(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan input, bool encrypt,
                           std::uint8_t tag[16]) {
  std::uint8_t zero[16] = {}, h_bytes[16];
  if (!AesEcb(key, ByteSpan(zero, 16), h_bytes)) return Status(StatusCode::kBadKey, "AES key");
  Ghash j0_hash(Load(h_bytes, 16));
  j0_hash.Update(nonce);
  j0_hash.UpdateLengths(0, static_cast<std::uint64_t>(nonce.size()) * 8);
  Block j0 = j0_hash.value();
  std::size_t blocks = (input.size() + 15) / 16;
  Bytes counters((blocks + 1) * 16);
  for (std::size_t i = 0; i <= blocks; ++i) {  // block 0 is J0 itself, for the tag
    Block cb = j0;
    cb.lo = (cb.lo & 0xFFFFFFFF00000000ull) | static_cast<std::uint32_t>(cb.lo + i);  // inc32
    Store(cb, counters.data() + 16 * i);
  }
  Bytes stream(counters.size());
  QFS_CHECK(AesEcb(key, counters, stream.data()));
  Bytes output(input.begin(), input.end());
  for (std::size_t i = 0; i < output.size(); ++i) output[i] ^= stream[16 + i];
  Ghash tag_hash(Load(h_bytes, 16));
  tag_hash.Update(aad);
  tag_hash.Update(encrypt ? ByteSpan(output) : input);
  tag_hash.UpdateLengths(static_cast<std::uint64_t>(aad.size()) * 8,
                         static_cast<std::uint64_t>(input.size()) * 8);
  Store(tag_hash.value(), tag);
  for (int i = 0; i < 16; ++i) tag[i] ^= stream[i];
  SecureWipe(stream.data(), stream.size());
  SecureWipe(h_bytes, sizeof(h_bytes));
  return output;
}

bool AddAad(EVP_CIPHER_CTX* ctx, ByteSpan aad) {
  int n = 0;
  return aad.empty() ||
         EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1;
}

}  // namespace

Result<AeadAlgorithm> ParseAeadAlgorithm(std::string_view name) {
  if (name == "aes-gcm") return AeadAlgorithm::kAesGcm;
  if (name == "chacha20-poly1305") return AeadAlgorithm::kChaCha20Poly1305;
  return Status(StatusCode::kUnknownAlgorithm, "unknown AEAD '" + std::string(name.substr(0, 32)) +
                                                   "' (aes-gcm, chacha20-poly1305)");
}

Result<Bytes> AeadSeal(AeadAlgorithm algorithm, ByteSpan key, ByteSpan nonce, ByteSpan aad,
                       ByteSpan plaintext) {
  if (plaintext.size() > kAeadPlaintextBytesMax || aad.size() > kAeadPlaintextBytesMax) {
    return Status(StatusCode::kTooLarge, "AEAD input too large");
  }
  if (algorithm == AeadAlgorithm::kAesGcm && nonce.size() > kOpenSslGcmNonceBytesMax) {
    QFS_RETURN_IF_ERROR(Cipher(algorithm, key.size(), nonce.size()).status());
    std::uint8_t tag[16];
    QFS_ASSIGN_OR_RETURN(Bytes ct, LongNonceGcm(key, nonce, aad, plaintext, true, tag));
    ct.insert(ct.end(), tag, tag + 16);
    return ct;
  }
  QFS_ASSIGN_OR_RETURN(Ctx ctx, Init(algorithm, key, nonce, true));
  Bytes out(plaintext.size() + kAeadTagBytes);
  int n = 0;
  int final_n = 0;
  bool ok = AddAad(ctx.get(), aad) &&
            (plaintext.empty() || EVP_CipherUpdate(ctx.get(), out.data(), &n, plaintext.data(),
                                                   static_cast<int>(plaintext.size())) == 1) &&
            EVP_CipherFinal_ex(ctx.get(), out.data() + n, &final_n) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kAeadTagBytes,
                                out.data() + plaintext.size()) == 1;
  if (!ok) return Status(StatusCode::kCryptoFailure, "AEAD encryption failed");
  return out;
}

Result<SecretBytes> AeadOpen(AeadAlgorithm algorithm, ByteSpan key, ByteSpan nonce, ByteSpan aad,
                             ByteSpan sealed) {
  if (sealed.size() > kAeadPlaintextBytesMax + kAeadTagBytes ||
      aad.size() > kAeadPlaintextBytesMax) {
    return Status(StatusCode::kTooLarge, "AEAD input too large");
  }
  if (sealed.size() < kAeadTagBytes) {
    return Status(StatusCode::kAuthenticationFailed, "sealed input shorter than the tag");
  }
  std::size_t ct_bytes = sealed.size() - kAeadTagBytes;
  if (algorithm == AeadAlgorithm::kAesGcm && nonce.size() > kOpenSslGcmNonceBytesMax) {
    QFS_RETURN_IF_ERROR(Cipher(algorithm, key.size(), nonce.size()).status());
    std::uint8_t tag[16];
    QFS_ASSIGN_OR_RETURN(Bytes plain,
                         LongNonceGcm(key, nonce, aad, sealed.first(ct_bytes), false, tag));
    SecretBytes out(plain);
    SecureWipe(plain.data(), plain.size());
    if (!ConstantTimeEqual(ByteSpan(tag, 16), sealed.subspan(ct_bytes))) {
      return Status(StatusCode::kAuthenticationFailed, "AEAD tag does not verify");
    }
    return out;
  }
  QFS_ASSIGN_OR_RETURN(Ctx ctx, Init(algorithm, key, nonce, false));
  SecretBytes out(ct_bytes);
  Bytes tag(sealed.end() - kAeadTagBytes, sealed.end());
  int n = 0;
  int final_n = 0;
  bool ok = AddAad(ctx.get(), aad) &&
            (ct_bytes == 0 || EVP_CipherUpdate(ctx.get(), out.data(), &n, sealed.data(),
                                               static_cast<int>(ct_bytes)) == 1) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kAeadTagBytes, tag.data()) == 1 &&
            EVP_CipherFinal_ex(ctx.get(), out.data() + n, &final_n) == 1;
  if (!ok) {
    return Status(StatusCode::kAuthenticationFailed, "AEAD tag does not verify");  // out wiped
  }
  return out;
}

}  // namespace qfs::crypto
