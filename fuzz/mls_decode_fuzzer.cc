// Fuzz target: the MLS decoders (MLSMessage, the ratchet_tree extension, UpdatePath, Commit,
// Proposal, KeyPackage, LeafNode, GroupContext, AuthenticatedContent, GroupSecrets, a saved
// group state; Welcome and GroupInfo through MLSMessage) never crash on malformed
// input, and whatever they accept re-encodes to exactly the input bytes (TLS encodings are
// canonical: shortest variable-length integers, presence bytes 0 or 1). The first byte picks the
// decoder.
#include <cstdint>
#include <cstdlib>

#include "mls/framing.h"
#include "mls/group.h"
#include "mls/key_schedule.h"
#include "mls/messages.h"
#include "mls/ratchet_tree.h"
#include "mls/treekem.h"
#include "mls/welcome.h"

namespace {

using qfs::Bytes;
using qfs::ByteSpan;
using qfs::mls::TlsReader;
using qfs::mls::TlsWriter;

void RequireSame(const Bytes& encoded, ByteSpan input) {
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
}

// Decodes the whole input with `decode`, and if it is accepted, re-encodes it with `encode`.
template <typename Decode, typename Encode>
void RoundTrip(ByteSpan in, Decode decode, Encode encode) {
  TlsReader r(in);
  auto v = decode(r);
  if (!v.ok() || !r.ExpectEnd().ok()) return;
  TlsWriter w;
  encode(w, v.value());
  RequireSame(w.bytes(), in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qfs::mls;  // NOLINT(google-build-using-namespace): a fuzz entry point
  if (size == 0) return 0;
  const ByteSpan in(data + 1, size - 1);
  switch (data[0] % 11) {
    case 0: {
      auto m = DecodeMlsMessage(in);
      if (m.ok()) RequireSame(EncodeMlsMessage(m.value()), in);
      break;
    }
    case 1: {
      auto t = RatchetTree::Decode(in);
      if (t.ok()) RequireSame(t.value().Encode(), in);
      break;
    }
    case 2:
      RoundTrip(in, DecodeUpdatePath, EncodeUpdatePath);
      break;
    case 3:
      RoundTrip(in, DecodeCommit, EncodeCommit);
      break;
    case 4:
      RoundTrip(in, DecodeProposal, EncodeProposal);
      break;
    case 5:
      RoundTrip(in, DecodeKeyPackage, EncodeKeyPackage);
      break;
    case 6:
      RoundTrip(in, DecodeLeafNode, EncodeLeafNode);
      break;
    case 7: {
      TlsReader r(in);
      auto ac = DecodeAuthenticatedContent(r);
      if (ac.ok() && r.ExpectEnd().ok()) RequireSame(EncodeAuthenticatedContent(ac.value()), in);
      break;
    }
    case 8:
      RoundTrip(in, DecodeGroupSecrets, EncodeGroupSecrets);
      break;
    case 9: {
      auto g = Group::Load(in);
      if (!g.ok()) break;
      const qfs::SecretBytes saved = g.value().Save();
      RequireSame(Bytes(saved.span().begin(), saved.span().end()), in);
      break;
    }
    default: {
      TlsReader r(in);
      auto c = DecodeGroupContext(r);
      if (c.ok() && r.ExpectEnd().ok()) RequireSame(EncodeGroupContext(c.value()), in);
      break;
    }
  }
  return 0;
}
