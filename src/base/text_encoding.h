// Hex and base64 (RFC 4648, standard alphabet, padded). Decoders are strict: they accept exactly
// one spelling of each byte string except that hex accepts upper-case digits.
//   - hex: even length, [0-9a-fA-F] only, no prefix, no whitespace;
//   - base64: length a multiple of 4, correct '=' padding, unused bits in the last symbol zero.
// Every input is limited to kTextInputBytesMax (base/limits.h).
#ifndef QFS_BASE_TEXT_ENCODING_H_
#define QFS_BASE_TEXT_ENCODING_H_

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace qfs {

std::string HexEncode(ByteSpan data);  // lower case
Result<Bytes> HexDecode(std::string_view text);

std::string Base64Encode(ByteSpan data);
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace qfs

#endif  // QFS_BASE_TEXT_ENCODING_H_
