// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected), the checksum of iSCSI, ext4 and the
// log records (docs/formats/log.md). It detects torn and corrupted records; it is not a MAC.
// Uses the SSE 4.2 instruction where the CPU has it, a table otherwise (same results).
//
//   std::uint32_t crc = Crc32c(record_bytes);
//   std::uint32_t again = Crc32cExtend(Crc32c(first_part), second_part);  // == Crc32c(both)
//
// Thread safety: pure functions.
#ifndef QFS_BASE_CRC32C_H_
#define QFS_BASE_CRC32C_H_

#include <cstdint>

#include "base/bytes.h"

namespace qfs {

// The CRC of `crc`'s data followed by `data`.
std::uint32_t Crc32cExtend(std::uint32_t crc, ByteSpan data);
inline std::uint32_t Crc32c(ByteSpan data) { return Crc32cExtend(0, data); }

// For tests: the table implementation, whatever the CPU has.
std::uint32_t Crc32cExtendPortable(std::uint32_t crc, ByteSpan data);

}  // namespace qfs

#endif  // QFS_BASE_CRC32C_H_
