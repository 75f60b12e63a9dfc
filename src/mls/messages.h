// The handshake structures of RFC 9420 and their wire encodings: KeyPackage (section 10),
// the proposals (12.1), ProposalOrRef and Commit (12.4).
//
//   TlsReader r(bytes);
//   QFS_ASSIGN_OR_RETURN(Commit commit, DecodeCommit(r));
//   QFS_RETURN_IF_ERROR(r.ExpectEnd());
//
// Decoders check the encoding only (lengths, known types, canonical integers); what a proposal
// or a KeyPackage means for a group is checked where it is applied. Every list is bounded: at
// most kMlsProposalsMax proposals per Commit.
#ifndef QFS_MLS_MESSAGES_H_
#define QFS_MLS_MESSAGES_H_

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "mls/key_schedule.h"
#include "mls/ratchet_tree.h"
#include "mls/tls_codec.h"
#include "mls/treekem.h"

namespace qfs::mls {

using qfs::kMlsProposalsMax;  // base/limits.h

struct KeyPackage {
  std::uint16_t version = kProtocolVersionMls10;
  std::uint16_t cipher_suite = 0;
  Bytes init_key;
  LeafNode leaf_node;  // source key_package
  std::vector<Extension> extensions;
  Bytes signature;
  bool operator==(const KeyPackage&) const = default;
};
void EncodeKeyPackage(TlsWriter& w, const KeyPackage& kp);
Result<KeyPackage> DecodeKeyPackage(TlsReader& r);
// KeyPackageTBS: what the KeyPackage's signature covers (everything but the signature).
Bytes KeyPackageTbs(const KeyPackage& kp);

enum class ProposalType : std::uint16_t {
  kAdd = 1,
  kUpdate = 2,
  kRemove = 3,
  kPreSharedKey = 4,
  kReInit = 5,
  kExternalInit = 6,
  kGroupContextExtensions = 7,
};

struct AddProposal {
  KeyPackage key_package;
  bool operator==(const AddProposal&) const = default;
};
struct UpdateProposal {
  LeafNode leaf_node;
  bool operator==(const UpdateProposal&) const = default;
};
struct RemoveProposal {
  LeafIndex removed = 0;
  bool operator==(const RemoveProposal&) const = default;
};
struct PreSharedKeyProposal {
  PreSharedKeyId psk;
  bool operator==(const PreSharedKeyProposal&) const = default;
};
struct ReInitProposal {
  Bytes group_id;
  std::uint16_t version = kProtocolVersionMls10;
  std::uint16_t cipher_suite = 0;
  std::vector<Extension> extensions;
  bool operator==(const ReInitProposal&) const = default;
};
struct ExternalInitProposal {
  Bytes kem_output;
  bool operator==(const ExternalInitProposal&) const = default;
};
struct GroupContextExtensionsProposal {
  std::vector<Extension> extensions;
  bool operator==(const GroupContextExtensionsProposal&) const = default;
};

using Proposal = std::variant<AddProposal, UpdateProposal, RemoveProposal, PreSharedKeyProposal,
                              ReInitProposal, ExternalInitProposal, GroupContextExtensionsProposal>;
ProposalType TypeOf(const Proposal& p);
void EncodeProposal(TlsWriter& w, const Proposal& p);
// Errors: the codec's, or INVALID_ARGUMENT for an unknown proposal type.
Result<Proposal> DecodeProposal(TlsReader& r);

// A proposal in a Commit: by value, or by its ProposalRef (RefHash "MLS 1.0 Proposal
// Reference" of the AuthenticatedContent that carried it).
using ProposalOrRef = std::variant<Proposal, Bytes>;

struct Commit {
  std::vector<ProposalOrRef> proposals;
  std::optional<UpdatePath> path;
};
void EncodeCommit(TlsWriter& w, const Commit& c);
Result<Commit> DecodeCommit(TlsReader& r);

}  // namespace qfs::mls

#endif  // QFS_MLS_MESSAGES_H_
