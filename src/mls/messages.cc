#include "mls/messages.h"

#include <string>

namespace qfs::mls {
namespace {

Status Invalid(const std::string& why) { return Status(StatusCode::kInvalidArgument, why); }

void PutKeyPackageContent(TlsWriter& w, const KeyPackage& kp) {
  w.U16(kp.version);
  w.U16(kp.cipher_suite);
  w.Opaque(kp.init_key);
  EncodeLeafNode(w, kp.leaf_node);
  EncodeExtensions(w, kp.extensions);
}

}  // namespace

void EncodeKeyPackage(TlsWriter& w, const KeyPackage& kp) {
  PutKeyPackageContent(w, kp);
  w.Opaque(kp.signature);
}

Bytes KeyPackageTbs(const KeyPackage& kp) {
  TlsWriter w;
  PutKeyPackageContent(w, kp);
  return w.Take();
}

Result<KeyPackage> DecodeKeyPackage(TlsReader& r) {
  KeyPackage kp;
  QFS_ASSIGN_OR_RETURN(kp.version, r.U16());
  QFS_ASSIGN_OR_RETURN(kp.cipher_suite, r.U16());
  QFS_ASSIGN_OR_RETURN(kp.init_key, r.Opaque());
  QFS_ASSIGN_OR_RETURN(kp.leaf_node, DecodeLeafNode(r));
  QFS_ASSIGN_OR_RETURN(kp.extensions, DecodeExtensions(r));
  QFS_ASSIGN_OR_RETURN(kp.signature, r.Opaque());
  return kp;
}

ProposalType TypeOf(const Proposal& p) { return static_cast<ProposalType>(p.index() + 1); }

void EncodeProposal(TlsWriter& w, const Proposal& p) {
  w.U16(static_cast<std::uint16_t>(TypeOf(p)));
  if (const auto* add = std::get_if<AddProposal>(&p)) {
    EncodeKeyPackage(w, add->key_package);
  } else if (const auto* update = std::get_if<UpdateProposal>(&p)) {
    EncodeLeafNode(w, update->leaf_node);
  } else if (const auto* remove = std::get_if<RemoveProposal>(&p)) {
    w.U32(remove->removed);
  } else if (const auto* psk = std::get_if<PreSharedKeyProposal>(&p)) {
    EncodePreSharedKeyId(w, psk->psk);
  } else if (const auto* reinit = std::get_if<ReInitProposal>(&p)) {
    w.Opaque(reinit->group_id);
    w.U16(reinit->version);
    w.U16(reinit->cipher_suite);
    EncodeExtensions(w, reinit->extensions);
  } else if (const auto* init = std::get_if<ExternalInitProposal>(&p)) {
    w.Opaque(init->kem_output);
  } else {
    EncodeExtensions(w, std::get<GroupContextExtensionsProposal>(p).extensions);
  }
}

Result<Proposal> DecodeProposal(TlsReader& r) {
  QFS_ASSIGN_OR_RETURN(std::uint16_t type, r.U16());
  switch (static_cast<ProposalType>(type)) {
    case ProposalType::kAdd: {
      QFS_ASSIGN_OR_RETURN(KeyPackage kp, DecodeKeyPackage(r));
      return Proposal(AddProposal{std::move(kp)});
    }
    case ProposalType::kUpdate: {
      QFS_ASSIGN_OR_RETURN(LeafNode leaf, DecodeLeafNode(r));
      return Proposal(UpdateProposal{std::move(leaf)});
    }
    case ProposalType::kRemove: {
      QFS_ASSIGN_OR_RETURN(std::uint32_t removed, r.U32());
      return Proposal(RemoveProposal{removed});
    }
    case ProposalType::kPreSharedKey: {
      QFS_ASSIGN_OR_RETURN(PreSharedKeyId psk, DecodePreSharedKeyId(r));
      return Proposal(PreSharedKeyProposal{std::move(psk)});
    }
    case ProposalType::kReInit: {
      ReInitProposal p;
      QFS_ASSIGN_OR_RETURN(p.group_id, r.Opaque());
      QFS_ASSIGN_OR_RETURN(p.version, r.U16());
      QFS_ASSIGN_OR_RETURN(p.cipher_suite, r.U16());
      QFS_ASSIGN_OR_RETURN(p.extensions, DecodeExtensions(r));
      return Proposal(std::move(p));
    }
    case ProposalType::kExternalInit: {
      QFS_ASSIGN_OR_RETURN(Bytes kem_output, r.Opaque());
      return Proposal(ExternalInitProposal{std::move(kem_output)});
    }
    case ProposalType::kGroupContextExtensions: {
      QFS_ASSIGN_OR_RETURN(std::vector<Extension> extensions, DecodeExtensions(r));
      return Proposal(GroupContextExtensionsProposal{std::move(extensions)});
    }
  }
  return Invalid("proposal type " + std::to_string(type) + " is not supported");
}

void EncodeCommit(TlsWriter& w, const Commit& c) {
  w.Vector([&](TlsWriter& list) {
    for (const ProposalOrRef& p : c.proposals) {
      if (const auto* value = std::get_if<Proposal>(&p)) {
        list.U8(1);
        EncodeProposal(list, *value);
      } else {
        list.U8(2);
        list.Opaque(std::get<Bytes>(p));
      }
    }
  });
  w.Optional(c.path.has_value(), [&](TlsWriter& out) { EncodeUpdatePath(out, *c.path); });
}

Result<Commit> DecodeCommit(TlsReader& r) {
  Commit c;
  QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
  while (!list.empty()) {
    if (c.proposals.size() >= kMlsProposalsMax) {
      return Invalid("a Commit has more than " + std::to_string(kMlsProposalsMax) + " proposals");
    }
    QFS_ASSIGN_OR_RETURN(std::uint8_t kind, list.U8());
    if (kind == 1) {
      QFS_ASSIGN_OR_RETURN(Proposal p, DecodeProposal(list));
      c.proposals.emplace_back(std::move(p));
    } else if (kind == 2) {
      QFS_ASSIGN_OR_RETURN(Bytes ref, list.Opaque(64));
      c.proposals.emplace_back(std::move(ref));
    } else {
      return Invalid("ProposalOrRef type " + std::to_string(kind) + " is not 1 or 2");
    }
  }
  QFS_ASSIGN_OR_RETURN(bool has_path, r.Presence());
  if (has_path) {
    QFS_ASSIGN_OR_RETURN(UpdatePath path, DecodeUpdatePath(r));
    c.path = std::move(path);
  }
  return c;
}

}  // namespace qfs::mls
