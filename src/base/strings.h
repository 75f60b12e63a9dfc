// Safe handling of text that arrives from outside (requests, files, command lines): UTF-8
// validation, truncation that never splits a character, rendering of arbitrary bytes as valid
// UTF-8, a decimal integer parser that reports instead of throwing, and a bounded line reader.
//
//   Result<std::uint64_t> n = ParseUint64(argument);          // never throws
//   std::string shown = TruncateUtf8(reason, kHaltReasonBytesMax);
//   std::string safe = SanitizeUtf8(path_from_the_wire);      // U+FFFD for each bad byte
//
// Thread safety: pure functions.
#ifndef QFS_BASE_STRINGS_H_
#define QFS_BASE_STRINGS_H_

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qfs {

// True iff `s` is well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// The longest prefix of `s` of at most `bytes_max` bytes that ends on a character boundary.
// REQUIRES: nothing of `s` (invalid UTF-8 is cut at a byte boundary where no character starts).
std::string TruncateUtf8(std::string_view s, std::size_t bytes_max);

// `s` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD:
// always valid UTF-8, equal to `s` when `s` is.
std::string SanitizeUtf8(std::string_view s);

// A decimal number without sign, spaces or leading '+', at most `max`. Leading zeros are
// accepted ("007" is 7). INVALID_ARGUMENT names `what` and why: empty, not a number, too large.
Result<std::uint64_t> ParseUint64(std::string_view text, std::string_view what = "number",
                                  std::uint64_t max = UINT64_MAX);

// Reads one line (up to '\n', which is dropped, as is a '\r' before it) of at most `bytes_max`
// bytes into *line. Returns false at the end of input with nothing read. A longer line is
// consumed to its end, *line is cleared, and *too_long is set, so that the caller can refuse it
// without ever holding more than `bytes_max` bytes of it.
bool ReadBoundedLine(std::istream& in, std::size_t bytes_max, std::string* line, bool* too_long);

// The contents of a JSON string holding `text` (without the quotes): invalid UTF-8 becomes
// U+FFFD, and '"', '\\', control bytes and DEL are escaped, so that outside text can neither
// break the JSON nor a line.
std::string JsonStringContents(std::string_view text);

// ASCII case-insensitive equality (protocol tokens: header names, schemes); other bytes must
// be equal.
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b);
// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
std::string_view TrimHttpWhitespace(std::string_view s);

}  // namespace qfs

#endif  // QFS_BASE_STRINGS_H_
