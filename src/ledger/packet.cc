#include "ledger/packet.h"

#include <algorithm>
#include <type_traits>

#include "base/check.h"
#include "base/text_encoding.h"
#include "codec/encoding.h"

namespace qfs::ledger {
namespace {

constexpr char kPacketDomain[] = "qfs.packet.v1";
constexpr char kIdentityDomain[] = "qfs.identity.v1";

using codec::Reader;
using codec::Writer;

Status Malformed(const std::string& why) { return Status(StatusCode::kNonCanonical, why); }

void Put(Writer& w, const IdentityId& id) { w.FixedBytes(id.bytes); }
void Put(Writer& w, const OperationId& id) { w.FixedBytes(id.bytes); }
void Put(Writer& w, Token t) { w.U8(static_cast<std::uint8_t>(t)); }
void Put(Writer& w, Amount a) { w.U128(a.raw()); }
void Put(Writer& w, const TransferLeg& leg) {
  Put(w, leg.to);
  Put(w, leg.token);
  Put(w, leg.amount);
}
void PutKey(Writer& w, std::uint16_t algorithm, const Bytes& public_key) {
  w.U16(algorithm);
  w.LengthPrefixedBytes(public_key);
}

template <std::size_t N>
Status Get(Reader& r, std::array<std::uint8_t, N>& out) {
  QFS_ASSIGN_OR_RETURN(out, r.FixedArray<N>());
  return OkStatus();
}
Status Get(Reader& r, IdentityId& id) { return Get(r, id.bytes); }
Status Get(Reader& r, OperationId& id) { return Get(r, id.bytes); }
Status Get(Reader& r, Token& t) {
  QFS_ASSIGN_OR_RETURN(std::uint8_t v, r.U8());
  std::optional<Token> token = TokenFromWire(v);
  if (!token) return Malformed("unknown token " + std::to_string(v));
  t = *token;
  return OkStatus();
}
Status Get(Reader& r, Amount& a) {
  QFS_ASSIGN_OR_RETURN(math::u128 raw, r.U128());
  a = Amount::FromRaw(raw);
  return OkStatus();
}
Status Get(Reader& r, TransferLeg& leg) {
  QFS_RETURN_IF_ERROR(Get(r, leg.to));
  QFS_RETURN_IF_ERROR(Get(r, leg.token));
  return Get(r, leg.amount);
}
Status GetKey(Reader& r, std::uint16_t& algorithm, Bytes& public_key) {
  QFS_ASSIGN_OR_RETURN(algorithm, r.U16());
  QFS_ASSIGN_OR_RETURN(public_key, r.LengthPrefixedBytes(kPublicKeyBytesMax));
  return OkStatus();
}

void EncodeOperation(const Operation& operation, Writer& w) {
  std::visit(
      [&w](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, RegisterIdentity>) {
          PutKey(w, op.algorithm, op.public_key);
          w.LengthPrefixedBytes(op.wallet_signature);
        } else if constexpr (std::is_same_v<T, AddKey>) {
          PutKey(w, op.algorithm, op.public_key);
        } else if constexpr (std::is_same_v<T, RevokeKey>) {
          w.U32(op.key.value);
        } else if constexpr (std::is_same_v<T, RotateKey>) {
          PutKey(w, op.algorithm, op.public_key);
          w.U32(op.revoke.value);
        } else if constexpr (std::is_same_v<T, SetRoles>) {
          Put(w, op.identity);
          w.U32(op.roles);
        } else if constexpr (std::is_same_v<T, Mint>) {
          Put(w, TransferLeg{op.to, op.token, op.amount});
        } else if constexpr (std::is_same_v<T, Burn>) {
          Put(w, op.token);
          Put(w, op.amount);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          Put(w, op.leg);
        } else if constexpr (std::is_same_v<T, Batch>) {
          w.Count(op.legs.size());
          for (const TransferLeg& leg : op.legs) Put(w, leg);
        } else if constexpr (std::is_same_v<T, Reserve>) {
          Put(w, op.leg);
          w.U64(op.timeout_us);
        } else {
          static_assert(std::is_same_v<T, PostPending> || std::is_same_v<T, VoidPending>);
          Put(w, op.pending);
        }
      },
      operation);
}

Result<Operation> DecodeOperation(OperationKind kind, Reader& r) {
  switch (kind) {
    case OperationKind::kRegisterIdentity: {
      RegisterIdentity op;
      QFS_RETURN_IF_ERROR(GetKey(r, op.algorithm, op.public_key));
      QFS_ASSIGN_OR_RETURN(op.wallet_signature, r.LengthPrefixedBytes(65));
      return Operation(op);
    }
    case OperationKind::kAddKey: {
      AddKey op;
      QFS_RETURN_IF_ERROR(GetKey(r, op.algorithm, op.public_key));
      return Operation(op);
    }
    case OperationKind::kRevokeKey: {
      RevokeKey op;
      QFS_ASSIGN_OR_RETURN(op.key.value, r.U32());
      return Operation(op);
    }
    case OperationKind::kRotateKey: {
      RotateKey op;
      QFS_RETURN_IF_ERROR(GetKey(r, op.algorithm, op.public_key));
      QFS_ASSIGN_OR_RETURN(op.revoke.value, r.U32());
      return Operation(op);
    }
    case OperationKind::kSetRoles: {
      SetRoles op;
      QFS_RETURN_IF_ERROR(Get(r, op.identity));
      QFS_ASSIGN_OR_RETURN(op.roles, r.U32());
      if ((op.roles & ~kRolesAll) != 0) return Malformed("unknown role bits");
      return Operation(op);
    }
    case OperationKind::kMint: {
      TransferLeg leg;
      QFS_RETURN_IF_ERROR(Get(r, leg));
      return Operation(Mint{leg.to, leg.token, leg.amount});
    }
    case OperationKind::kBurn: {
      Burn op;
      QFS_RETURN_IF_ERROR(Get(r, op.token));
      QFS_RETURN_IF_ERROR(Get(r, op.amount));
      return Operation(op);
    }
    case OperationKind::kTransfer: {
      Transfer op;
      QFS_RETURN_IF_ERROR(Get(r, op.leg));
      return Operation(op);
    }
    case OperationKind::kBatch: {
      Batch op;
      QFS_ASSIGN_OR_RETURN(std::size_t count, r.Count(20 + 1 + 16, kBatchLegsMax));
      op.legs.resize(count);
      for (TransferLeg& leg : op.legs) QFS_RETURN_IF_ERROR(Get(r, leg));
      return Operation(op);
    }
    case OperationKind::kReserve: {
      Reserve op;
      QFS_RETURN_IF_ERROR(Get(r, op.leg));
      QFS_ASSIGN_OR_RETURN(op.timeout_us, r.U64());
      return Operation(op);
    }
    case OperationKind::kPostPending: {
      PostPending op;
      QFS_RETURN_IF_ERROR(Get(r, op.pending));
      return Operation(op);
    }
    case OperationKind::kVoidPending: {
      VoidPending op;
      QFS_RETURN_IF_ERROR(Get(r, op.pending));
      return Operation(op);
    }
  }
  return Malformed("unknown operation kind " + std::to_string(static_cast<int>(kind)));
}

// Every field before the signature.
void EncodeUnsigned(const Packet& p, Writer& w) {
  w.U16(p.version);
  w.U32(p.network);
  Put(w, p.signer);
  w.U32(p.key.value);
  w.U64(p.sequence);
  w.U64(p.client_time_us);
  Put(w, p.operation_id);
  w.U16(static_cast<std::uint16_t>(KindOf(p.operation)));
  EncodeOperation(p.operation, w);
}

}  // namespace

OperationKind KindOf(const Operation& operation) {
  static constexpr OperationKind kKinds[] = {OperationKind::kRegisterIdentity,
                                             OperationKind::kAddKey,
                                             OperationKind::kRevokeKey,
                                             OperationKind::kRotateKey,
                                             OperationKind::kSetRoles,
                                             OperationKind::kMint,
                                             OperationKind::kBurn,
                                             OperationKind::kTransfer,
                                             OperationKind::kBatch,
                                             OperationKind::kReserve,
                                             OperationKind::kPostPending,
                                             OperationKind::kVoidPending};
  static_assert(std::size(kKinds) == std::variant_size_v<Operation>);
  return kKinds[operation.index()];
}

Bytes SigningMessage(const Packet& packet) {
  Writer w;
  w.String(kPacketDomain);
  EncodeUnsigned(packet, w);
  return w.Take();
}

Bytes EncodePacket(const Packet& packet) {
  Writer w;
  EncodeUnsigned(packet, w);
  w.U16(packet.algorithm);
  w.LengthPrefixedBytes(packet.signature);
  return w.Take();
}

Result<Packet> DecodePacket(ByteSpan wire) {
  if (wire.size() > kPacketBytesMax) {
    return Status(StatusCode::kTooLarge, "packet larger than " + std::to_string(kPacketBytesMax));
  }
  Reader r(wire);
  Packet p;
  QFS_ASSIGN_OR_RETURN(p.version, r.U16());
  QFS_ASSIGN_OR_RETURN(p.network, r.U32());
  QFS_RETURN_IF_ERROR(Get(r, p.signer));
  QFS_ASSIGN_OR_RETURN(p.key.value, r.U32());
  QFS_ASSIGN_OR_RETURN(p.sequence, r.U64());
  QFS_ASSIGN_OR_RETURN(p.client_time_us, r.U64());
  QFS_RETURN_IF_ERROR(Get(r, p.operation_id));
  QFS_ASSIGN_OR_RETURN(std::uint16_t kind, r.U16());
  QFS_ASSIGN_OR_RETURN(p.operation, DecodeOperation(static_cast<OperationKind>(kind), r));
  QFS_ASSIGN_OR_RETURN(p.algorithm, r.U16());
  QFS_ASSIGN_OR_RETURN(p.signature, r.LengthPrefixedBytes(kPacketBytesMax));
  QFS_RETURN_IF_ERROR(r.ExpectEnd());
  return p;
}

Status CheckPacketEncodable(const Packet& packet, std::size_t signature_bytes) {
  Writer w;
  EncodeUnsigned(packet, w);
  w.U16(packet.algorithm);
  w.LengthPrefixedBytes(Bytes(signature_bytes, 0));  // the length is what counts
  return DecodePacket(w.bytes()).status();
}

crypto::Digest32 PacketHash(const Packet& packet) { return crypto::Sha256(EncodePacket(packet)); }

Status SignPacket(Packet& packet, const crypto::SignatureScheme& scheme,
                  const SecretBytes& secret_key) {
  packet.algorithm = static_cast<std::uint16_t>(scheme.id());
  QFS_ASSIGN_OR_RETURN(packet.signature, scheme.Sign(secret_key, SigningMessage(packet)));
  return OkStatus();
}

IdentityId DeriveIdentity(std::uint16_t algorithm, ByteSpan public_key) {
  Writer w;
  w.String(kIdentityDomain);
  w.U16(algorithm);
  w.LengthPrefixedBytes(public_key);
  const crypto::Digest32 d = crypto::Sha256(w.bytes());
  IdentityId id;
  std::copy_n(d.begin(), id.bytes.size(), id.bytes.begin());
  return id;
}

std::string RegistrationMessage(std::uint32_t network, const IdentityId& wallet,
                                std::uint16_t algorithm, ByteSpan public_key) {
  Writer w;
  w.U16(algorithm);
  w.LengthPrefixedBytes(public_key);
  return "QFS: register key " + HexEncode(crypto::Sha256(w.bytes())) + " for " + wallet.ToHex() +
         " on network " + std::to_string(network);
}

}  // namespace qfs::ledger
