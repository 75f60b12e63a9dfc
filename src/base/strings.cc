#include "base/strings.h"

#include <array>

namespace qfs {
namespace {

// The length of the well-formed UTF-8 sequence starting at s[i], or 0 if none starts there.
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n >= s.size()) return 0;  // continuation bytes missing
  for (std::size_t k = 1; k <= n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  static constexpr std::array<std::uint32_t, 4> kMinForLength = {0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n + 1;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string TruncateUtf8(std::string_view s, std::size_t bytes_max) {
  if (s.size() <= bytes_max) return std::string(s);
  std::size_t end = bytes_max;
  // Back off over continuation bytes to the start of the character that does not fit whole.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80 && bytes_max - end < 3) {
    --end;
  }
  return std::string(s.substr(0, end));
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

Result<std::uint64_t> ParseUint64(std::string_view text, std::string_view what, std::uint64_t max) {
  const std::string name(what);
  if (text.empty()) return Status(StatusCode::kInvalidArgument, name + " is empty");
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status(StatusCode::kInvalidArgument, name + " is not a decimal number");
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (digit > max || v > (max - digit) / 10) {
      return Status(StatusCode::kInvalidArgument, name + " is larger than " + std::to_string(max));
    }
    v = v * 10 + digit;
  }
  return v;
}

bool ReadBoundedLine(std::istream& in, std::size_t bytes_max, std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  bool any = false;
  for (int c = in.get(); c != std::char_traits<char>::eof(); c = in.get()) {
    any = true;
    if (c == '\n') break;
    if (*too_long) continue;
    if (line->size() >= bytes_max) {
      *too_long = true;
      line->clear();
      continue;
    }
    line->push_back(static_cast<char>(c));
  }
  if (!*too_long && !line->empty() && line->back() == '\r') line->pop_back();
  return any;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimHttpWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string JsonStringContents(std::string_view text) {
  const std::string s = SanitizeUtf8(text);
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace qfs
