#include "crypto/mac.h"

#include <array>

#include "base/check.h"

namespace qfs::crypto {

// RFC 2104 on SHA-256 (block 64 bytes): H((K ^ opad) || H((K ^ ipad) || m)), keys longer than a
// block hashed first. Built on the fetched, reused SHA-256 of hash.cc, which for short messages
// is several times faster than OpenSSL's one-shot HMAC().
Digest32 HmacSha256(ByteSpan key, ByteSpan message) {
  constexpr std::size_t kBlock = 64;
  std::array<std::uint8_t, kBlock> inner{};
  std::array<std::uint8_t, kBlock> outer{};
  Digest32 hashed_key{};
  if (key.size() > kBlock) {
    hashed_key = Sha256(key);
    key = hashed_key;
  }
  std::copy(key.begin(), key.end(), inner.begin());
  outer = inner;
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner[i] ^= 0x36;
    outer[i] ^= 0x5c;
  }
  Digest32 inner_hash = Sha256({ByteSpan(inner), message});
  Digest32 out = Sha256({ByteSpan(outer), ByteSpan(inner_hash)});
  SecureWipe(inner.data(), inner.size());
  SecureWipe(outer.data(), outer.size());
  SecureWipe(hashed_key.data(), hashed_key.size());
  SecureWipe(inner_hash.data(), inner_hash.size());
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
