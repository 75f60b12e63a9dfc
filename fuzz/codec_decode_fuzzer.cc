// Fuzz target: the canonical decoder never crashes, and whatever it accepts re-encodes to the
// same bytes (exactly one encoding per value).
#include <cstdint>
#include <cstdlib>

#include "fuzz/sample_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  qfs::codec::Reader reader(qfs::ByteSpan(data, size));
  qfs::Result<qfs::fuzz::Sample> sample = qfs::fuzz::Decode(reader);
  if (!sample.ok()) return 0;
  qfs::codec::Writer writer;
  qfs::fuzz::Encode(writer, sample.value());
  const qfs::Bytes& again = writer.bytes();
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}
