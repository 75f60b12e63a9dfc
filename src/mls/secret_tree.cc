#include "mls/secret_tree.h"

#include <string>

#include "base/check.h"
#include "crypto/hash.h"

namespace qfs::mls {

SecretTree::SecretTree(const CipherSuite& suite, const SecretBytes& encryption_secret,
                       std::uint32_t leaves, SecretTreeOptions options)
    : suite_(suite),
      options_(options),
      leaves_(leaves),
      node_secrets_(NodeCount(leaves)),
      leaf_ratchets_(leaves) {
  node_secrets_[Root(leaves)] = encryption_secret.Clone();
}

SecretTree::Leaf& SecretTree::LeafRatchets(LeafIndex leaf) {
  Leaf& out = leaf_ratchets_[leaf];
  if (out.ready) return out;
  // Walk down from the lowest ancestor that still holds its secret, splitting as we go.
  const NodeIndex target = LeafToNode(leaf);
  std::vector<NodeIndex> path = DirectPath(target, leaves_);
  path.insert(path.begin(), target);
  std::size_t i = 0;
  while (!node_secrets_[path[i]].has_value()) ++i;  // the root holds one until split
  for (; i > 0; --i) {
    const NodeIndex node = path[i];
    const SecretBytes& secret = *node_secrets_[node];
    node_secrets_[Left(node)] =
        suite_.ExpandWithLabel(secret.span(), "tree", crypto::AsBytes("left"), suite_.hash_bytes());
    node_secrets_[Right(node)] = suite_.ExpandWithLabel(
        secret.span(), "tree", crypto::AsBytes("right"), suite_.hash_bytes());
    node_secrets_[node].reset();
  }
  const SecretBytes& leaf_secret = *node_secrets_[target];
  out.handshake.secret =
      suite_.ExpandWithLabel(leaf_secret.span(), "handshake", {}, suite_.hash_bytes());
  out.application.secret =
      suite_.ExpandWithLabel(leaf_secret.span(), "application", {}, suite_.hash_bytes());
  node_secrets_[target].reset();
  out.ready = true;
  return out;
}

KeyAndNonce SecretTree::Advance(Ratchet& r) const {
  const std::uint32_t g = r.next_generation;
  KeyAndNonce out;
  out.generation = g;
  out.key = suite_.DeriveTreeSecret(r.secret.span(), "key", g, suite_.aead_key_bytes());
  out.nonce = suite_.DeriveTreeSecret(r.secret.span(), "nonce", g, suite_.aead_nonce_bytes());
  r.secret = suite_.DeriveTreeSecret(r.secret.span(), "secret", g, suite_.hash_bytes());
  ++r.next_generation;
  return out;
}

KeyAndNonce SecretTree::Next(LeafIndex leaf, RatchetKind kind) {
  QFS_CHECK(leaf < leaves_);
  Leaf& l = LeafRatchets(leaf);
  return Advance(kind == RatchetKind::kHandshake ? l.handshake : l.application);
}

Result<SecretTree::Ratchet*> SecretTree::RatchetFor(LeafIndex leaf, RatchetKind kind,
                                                    std::uint32_t generation) {
  if (leaf >= leaves_) {
    return Status(StatusCode::kOutOfRange,
                  "leaf " + std::to_string(leaf) + " outside a tree of " + std::to_string(leaves_));
  }
  Leaf& l = LeafRatchets(leaf);
  Ratchet& r = kind == RatchetKind::kHandshake ? l.handshake : l.application;
  if (generation < r.next_generation && r.skipped.count(generation) == 0) {
    return Status(StatusCode::kNotFound,
                  "generation " + std::to_string(generation) + " was used or is too old");
  }
  if (generation >= r.next_generation &&
      generation - r.next_generation > options_.forward_generations_max) {
    return Status(StatusCode::kTooLarge, "generation " + std::to_string(generation) +
                                             " is too far ahead of " +
                                             std::to_string(r.next_generation));
  }
  return &r;
}

Result<KeyAndNonce> SecretTree::Get(LeafIndex leaf, RatchetKind kind, std::uint32_t generation) {
  QFS_ASSIGN_OR_RETURN(Ratchet * r, RatchetFor(leaf, kind, generation));
  if (generation < r->next_generation) {
    auto kept = r->skipped.find(generation);
    KeyAndNonce out = std::move(kept->second);
    r->skipped.erase(kept);
    return out;
  }
  while (r->next_generation < generation) {
    KeyAndNonce skipped = Advance(*r);
    const std::uint32_t g = skipped.generation;
    r->skipped.emplace(g, std::move(skipped));
    if (r->skipped.size() > options_.out_of_order_keys) r->skipped.erase(r->skipped.begin());
  }
  return Advance(*r);
}

Result<KeyAndNonce> SecretTree::Peek(LeafIndex leaf, RatchetKind kind, std::uint32_t generation) {
  QFS_ASSIGN_OR_RETURN(Ratchet * r, RatchetFor(leaf, kind, generation));
  if (generation < r->next_generation) {
    const KeyAndNonce& kept = r->skipped.at(generation);
    return KeyAndNonce{kept.generation, kept.key.Clone(), kept.nonce.Clone()};
  }
  Ratchet ahead{r->secret.Clone(), r->next_generation, {}};
  while (ahead.next_generation < generation) {
    ahead.secret = suite_.DeriveTreeSecret(ahead.secret.span(), "secret", ahead.next_generation,
                                           suite_.hash_bytes());
    ++ahead.next_generation;
  }
  return Advance(ahead);
}

// --- saved state --------------------------------------------------------------------------------

void SecretTree::EncodeRatchet(TlsWriter& w, const Ratchet& r) {
  w.Opaque(r.secret.span());
  w.U32(r.next_generation);
  w.Vector([&](TlsWriter& list) {
    for (const auto& [generation, kn] : r.skipped) {
      list.U32(generation);
      list.Opaque(kn.key.span());
      list.Opaque(kn.nonce.span());
    }
  });
}

Result<SecretTree::Ratchet> SecretTree::DecodeRatchet(TlsReader& r,
                                                      const SecretTreeOptions& options) {
  Ratchet out;
  QFS_ASSIGN_OR_RETURN(out.secret, r.SecretOpaque(kMlsSecretBytesMax));
  QFS_ASSIGN_OR_RETURN(out.next_generation, r.U32());
  QFS_ASSIGN_OR_RETURN(TlsReader list, r.Vector());
  while (!list.empty()) {
    KeyAndNonce kn;
    QFS_ASSIGN_OR_RETURN(kn.generation, list.U32());
    QFS_ASSIGN_OR_RETURN(kn.key, list.SecretOpaque(kMlsSecretBytesMax));
    QFS_ASSIGN_OR_RETURN(kn.nonce, list.SecretOpaque(kMlsSecretBytesMax));
    if (kn.generation >= out.next_generation || out.skipped.size() >= options.out_of_order_keys ||
        (!out.skipped.empty() && out.skipped.rbegin()->first >= kn.generation)) {
      return Status(StatusCode::kInvalidArgument,
                    "a saved ratchet's skipped keys are inconsistent");
    }
    const std::uint32_t g = kn.generation;
    out.skipped.emplace(g, std::move(kn));
  }
  return out;
}

void SecretTree::Encode(TlsWriter& w) const {
  w.U32(leaves_);
  w.U32(options_.out_of_order_keys);
  w.U32(options_.forward_generations_max);
  w.Vector([&](TlsWriter& list) {
    for (const std::optional<SecretBytes>& secret : node_secrets_) {
      list.Optional(secret.has_value(), [&](TlsWriter& out) { out.Opaque(secret->span()); });
    }
  });
  w.Vector([&](TlsWriter& list) {
    for (const Leaf& leaf : leaf_ratchets_) {
      list.U8(leaf.ready ? 1 : 0);
      if (!leaf.ready) continue;
      EncodeRatchet(list, leaf.handshake);
      EncodeRatchet(list, leaf.application);
    }
  });
}

Result<std::unique_ptr<SecretTree>> SecretTree::Decode(const CipherSuite& suite, TlsReader& r) {
  const auto invalid = [](const char* why) {
    return Status(StatusCode::kInvalidArgument, std::string("a saved secret tree: ") + why);
  };
  QFS_ASSIGN_OR_RETURN(std::uint32_t leaves, r.U32());
  SecretTreeOptions options;
  QFS_ASSIGN_OR_RETURN(options.out_of_order_keys, r.U32());
  QFS_ASSIGN_OR_RETURN(options.forward_generations_max, r.U32());
  if (leaves == 0 || leaves > kMlsGroupLeavesMax || (leaves & (leaves - 1)) != 0) {
    return invalid("a leaf count that is not a power of two in range");
  }
  if (options.out_of_order_keys > kSecretTreeOutOfOrderKeysMax) {
    return invalid("too many out-of-order keys");
  }
  auto tree = std::unique_ptr<SecretTree>(new SecretTree(suite, options, leaves));
  QFS_ASSIGN_OR_RETURN(TlsReader nodes, r.Vector());
  while (!nodes.empty()) {
    if (tree->node_secrets_.size() >= NodeCount(leaves)) return invalid("too many nodes");
    QFS_ASSIGN_OR_RETURN(bool present, nodes.Presence());
    std::optional<SecretBytes> secret;
    if (present) {
      QFS_ASSIGN_OR_RETURN(secret, nodes.SecretOpaque(kMlsSecretBytesMax));
    }
    tree->node_secrets_.push_back(std::move(secret));
  }
  if (tree->node_secrets_.size() != NodeCount(leaves)) return invalid("a node count off");
  QFS_ASSIGN_OR_RETURN(TlsReader ratchets, r.Vector());
  while (!ratchets.empty()) {
    if (tree->leaf_ratchets_.size() >= leaves) return invalid("too many leaves");
    Leaf leaf;
    QFS_ASSIGN_OR_RETURN(std::uint8_t ready, ratchets.U8());
    if (ready > 1) return invalid("a bad flag");
    leaf.ready = ready == 1;
    if (leaf.ready) {
      QFS_ASSIGN_OR_RETURN(leaf.handshake, DecodeRatchet(ratchets, options));
      QFS_ASSIGN_OR_RETURN(leaf.application, DecodeRatchet(ratchets, options));
    }
    tree->leaf_ratchets_.push_back(std::move(leaf));
  }
  if (tree->leaf_ratchets_.size() != leaves) return invalid("a leaf count off");
  return tree;
}

namespace {

ByteSpan Sample(const CipherSuite& suite, ByteSpan ciphertext) {
  return ciphertext.first(std::min(ciphertext.size(), suite.hash_bytes()));
}

}  // namespace

SecretBytes SenderDataKey(const CipherSuite& suite, ByteSpan sender_data_secret,
                          ByteSpan ciphertext) {
  return suite.ExpandWithLabel(sender_data_secret, "key", Sample(suite, ciphertext),
                               suite.aead_key_bytes());
}

SecretBytes SenderDataNonce(const CipherSuite& suite, ByteSpan sender_data_secret,
                            ByteSpan ciphertext) {
  return suite.ExpandWithLabel(sender_data_secret, "nonce", Sample(suite, ciphertext),
                               suite.aead_nonce_bytes());
}

}  // namespace qfs::mls
