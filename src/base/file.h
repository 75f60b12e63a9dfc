// Whole-file reads and durable, atomic whole-file writes.
//
//   QFS_RETURN_IF_ERROR(WriteFileAtomically(path, bytes));   // all of it or the old file
//   QFS_ASSIGN_OR_RETURN(Bytes b, ReadWholeFile(path, kLimit));
//
// WriteFileAtomically writes `path`.tmp (mode 0600) a chunk at a time — flushing each, so that a
// large file never queues more than one chunk of writeback ahead of other writers' fsyncs —
// fsyncs it, renames it over `path` and fsyncs the directory: after a crash `path` holds the
// old contents or the new ones, never a mix.
#ifndef QFS_BASE_FILE_H_
#define QFS_BASE_FILE_H_

#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace qfs {

inline constexpr std::size_t kFileWriteChunkBytes = 1 << 20;

// IO_ERROR (with the path and errno's text) on failure; `path` is then unchanged.
Status WriteFileAtomically(const std::string& path, ByteSpan bytes);
// NOT_FOUND if there is no file; TOO_LARGE beyond `max_bytes`; IO_ERROR otherwise.
Result<Bytes> ReadWholeFile(const std::string& path, std::uint64_t max_bytes);

}  // namespace qfs

#endif  // QFS_BASE_FILE_H_
