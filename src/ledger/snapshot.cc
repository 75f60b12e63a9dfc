#include "ledger/snapshot.h"

#include <cstring>

#include "base/crc32c.h"
#include "base/file.h"
#include "codec/encoding.h"
#include "crypto/hash.h"

namespace qfs::ledger {
namespace {

constexpr char kMagic[8] = {'Q', 'F', 'S', 'S', 'N', 'A', 'P', 1};
constexpr std::uint32_t kVersion = 2;  // 2: the records in their own file

Status Damaged(const std::string& why) {
  return Status(StatusCode::kCorruption, "snapshot: " + why);
}

}  // namespace

Status WriteSnapshot(const std::string& path, const Snapshot& s, FileSystem& fs) {
  codec::Writer w;
  w.FixedBytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(kMagic), sizeof(kMagic)));
  w.U32(kVersion);
  w.U64(s.tree_size);
  w.FixedBytes(s.last_entry_hash);
  w.FixedBytes(s.state_root);
  w.U64(s.last_checkpoint_size);
  w.Bool(s.last_checkpoint.has_value());
  if (s.last_checkpoint) w.LengthPrefixedBytes(EncodeCheckpoint(*s.last_checkpoint));
  w.U64(s.records_bytes);
  w.U32(s.records_crc32c);
  Bytes out = w.Take();
  out.insert(out.end(), s.state.begin(), s.state.end());
  const crypto::Digest32 sum = crypto::Sha256(out);
  out.insert(out.end(), sum.begin(), sum.end());
  return WriteFileAtomically(path, out, fs);
}

Result<Snapshot> ReadSnapshot(const std::string& path, FileSystem& fs) {
  Result<Bytes> read = ReadWholeFile(path, kSnapshotBytesMax, fs);
  if (read.status().code() == StatusCode::kNotFound) {
    return Status(StatusCode::kNotFound, "no snapshot " + path);
  }
  QFS_RETURN_IF_ERROR(read.status());
  const Bytes bytes = std::move(read).value();
  if (bytes.size() < sizeof(kMagic) + 32 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Damaged("not a snapshot file");
  }
  const ByteSpan body = ByteSpan(bytes).first(bytes.size() - 32);
  const crypto::Digest32 sum = crypto::Sha256(body);
  if (std::memcmp(sum.data(), bytes.data() + body.size(), 32) != 0) {
    return Damaged("checksum mismatch");
  }
  codec::Reader r(body.subspan(sizeof(kMagic)));
  Snapshot s;
  QFS_ASSIGN_OR_RETURN(std::uint32_t version, r.U32());
  if (version != kVersion) return Damaged("unknown version " + std::to_string(version));
  QFS_ASSIGN_OR_RETURN(s.tree_size, r.U64());
  QFS_ASSIGN_OR_RETURN(s.last_entry_hash, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(s.state_root, r.FixedArray<32>());
  QFS_ASSIGN_OR_RETURN(s.last_checkpoint_size, r.U64());
  QFS_ASSIGN_OR_RETURN(bool has_checkpoint, r.Bool());
  if (has_checkpoint) {
    QFS_ASSIGN_OR_RETURN(Bytes c, r.LengthPrefixedBytes(kPacketBytesMax));
    QFS_ASSIGN_OR_RETURN(s.last_checkpoint, DecodeCheckpoint(c));
  }
  QFS_ASSIGN_OR_RETURN(s.records_bytes, r.U64());
  QFS_ASSIGN_OR_RETURN(s.records_crc32c, r.U32());
  const ByteSpan state = body.subspan(sizeof(kMagic) + r.position());
  s.state.assign(state.begin(), state.end());
  return s;
}

Result<Bytes> ReadRecordsFile(const std::string& path, const Snapshot& snapshot, FileSystem& fs) {
  if (snapshot.records_bytes > kSnapshotBytesMax) return Damaged("records beyond the size limit");
  Result<Bytes> read = ReadFilePrefix(path, snapshot.records_bytes, fs);
  if (read.code() == StatusCode::kTruncated)
    return Damaged("the records file is shorter than named");
  QFS_RETURN_IF_ERROR(read.status());
  if (Crc32c(read.value()) != snapshot.records_crc32c) return Damaged("records checksum mismatch");
  return read;
}

}  // namespace qfs::ledger
