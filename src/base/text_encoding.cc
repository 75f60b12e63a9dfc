#include "base/text_encoding.h"

#include <array>

#include "base/limits.h"

namespace qfs {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<int, 256> MakeBase64Table() {
  std::array<int, 256> table{};
  for (int& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
  return table;
}
constexpr std::array<int, 256> kBase64Table = MakeBase64Table();

Status TooLong(std::string_view what) {
  return Status(StatusCode::kTooLarge,
                std::string(what) + " input longer than " + std::to_string(kTextInputBytesMax));
}

}  // namespace

std::string HexEncode(ByteSpan data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 15]);
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() > kTextInputBytesMax) return TooLong("hex");
  if (text.size() % 2 != 0) {
    return Status(StatusCode::kParseError,
                  "hex input has odd length " + std::to_string(text.size()));
  }
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(text[2 * i]);
    int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status(StatusCode::kParseError,
                    "invalid hex digit at offset " + std::to_string(2 * i + (hi < 0 ? 0 : 1)));
    }
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(ByteSpan data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[(v >> shift) & 63]);
  }
  std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = data[i] << 16 | (rest == 2 ? data[i + 1] << 8 : 0);
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.size() > kTextInputBytesMax) return TooLong("base64");
  if (text.size() % 4 != 0) {
    return Status(StatusCode::kParseError, "base64 length is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      bool pad_slot = last && j >= 4 - padding;
      int d = pad_slot ? 0 : kBase64Table[static_cast<unsigned char>(text[i + j])];
      if (pad_slot && text[i + j] != '=') d = -1;
      if (d < 0) {
        return Status(StatusCode::kParseError,
                      "invalid base64 character at offset " + std::to_string(i + j));
      }
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    std::size_t produce = last ? 3 - padding : 3;
    std::uint32_t unused_mask = padding == 2 ? 0xFFFF : padding == 1 ? 0xFF : 0;
    if (last && (v & unused_mask) != 0) {
      return Status(StatusCode::kNonCanonical, "base64 padding bits are not zero");
    }
    for (std::size_t j = 0; j < produce; ++j)
      out.push_back(static_cast<std::uint8_t>(v >> (16 - 8 * j)));
  }
  return out;
}

}  // namespace qfs
