#include "crypto/mac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/check.h"

namespace qfs::crypto {

Digest32 HmacSha256(ByteSpan key, ByteSpan message) {
  Digest32 out;
  unsigned int n = 0;
  static const std::uint8_t kEmpty = 0;
  QFS_CHECK(HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
                 message.data(), message.size(), out.data(), &n) != nullptr &&
            n == out.size());
  return out;
}

bool HmacSha256Verify(ByteSpan key, ByteSpan message, ByteSpan tag) {
  if (tag.size() < kHmacTagBytesMin || tag.size() > 32) return false;
  Digest32 expected = HmacSha256(key, message);
  bool equal = ConstantTimeEqual(ByteSpan(expected.data(), tag.size()), tag);
  SecureWipe(expected.data(), expected.size());
  return equal;
}

Digest32 HkdfExtract(ByteSpan salt, ByteSpan ikm) {
  // RFC 5869: an absent salt is HashLen zero bytes, which HMAC pads exactly like an empty key.
  return HmacSha256(salt, ikm);
}

Result<SecretBytes> HkdfExpand(ByteSpan prk, ByteSpan info, std::size_t out_bytes) {
  if (out_bytes > kHkdfOutputBytesMax) {
    return Status(StatusCode::kOutOfRange, "HKDF-SHA256 output is at most 8160 bytes");
  }
  SecretBytes out(out_bytes);
  Bytes block_input;
  Digest32 t{};
  std::size_t t_bytes = 0;
  for (std::size_t done = 0, counter = 1; done < out_bytes; ++counter) {
    block_input.assign(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(t_bytes));
    block_input.insert(block_input.end(), info.begin(), info.end());
    block_input.push_back(static_cast<std::uint8_t>(counter));
    t = HmacSha256(prk, block_input);
    t_bytes = t.size();
    std::size_t take = std::min(t.size(), out_bytes - done);
    std::copy(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(take), out.data() + done);
    done += take;
  }
  SecureWipe(t.data(), t.size());
  SecureWipe(block_input.data(), block_input.size());
  return out;
}

Result<SecretBytes> Hkdf(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::size_t out_bytes) {
  Digest32 prk = HkdfExtract(salt, ikm);
  Result<SecretBytes> out = HkdfExpand(prk, info, out_bytes);
  SecureWipe(prk.data(), prk.size());
  return out;
}

}  // namespace qfs::crypto
