// Fuzz target: the ledger's decoders (packets, log entry bodies, genesis and checkpoint records,
// state snapshots)
// never crash on malformed input, and whatever they accept re-encodes to exactly the input bytes
// (one encoding per value). The first byte picks the decoder.
#include <cstdint>
#include <cstdlib>

#include "ledger/log.h"
#include "ledger/packet.h"
#include "ledger/replay.h"
#include "ledger/state.h"

namespace {

using qfs::Bytes;
using qfs::ByteSpan;

void RequireSame(const Bytes& encoded, ByteSpan input) {
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteSpan in(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto p = qfs::ledger::DecodePacket(in);
      if (p.ok()) RequireSame(qfs::ledger::EncodePacket(p.value()), in);
      break;
    }
    case 1: {
      auto e = qfs::ledger::DecodeEntry(in);
      if (e.ok()) RequireSame(qfs::ledger::EncodeEntry(e.value()), in);
      break;
    }
    case 2: {
      auto g = qfs::ledger::DecodeGenesis(in);
      if (g.ok()) RequireSame(qfs::ledger::EncodeGenesis(g.value()), in);
      break;
    }
    case 4: {
      auto s = qfs::ledger::State::Decode(in);
      if (s.ok()) RequireSame(s.value()->Encode(), in);
      break;
    }
    default: {
      auto c = qfs::ledger::DecodeCheckpoint(in);
      if (c.ok()) RequireSame(qfs::ledger::EncodeCheckpoint(c.value()), in);
      break;
    }
  }
  return 0;
}
