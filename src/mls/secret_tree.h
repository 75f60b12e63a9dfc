// The secret tree (RFC 9420 section 9): from an epoch's encryption secret, a handshake and an
// application hash ratchet per leaf, each yielding a key and nonce per generation; and the
// sender-data key and nonce (section 6.3.2).
//
// Forward secrecy: a node's secret is erased once its children's are derived, a ratchet's secret
// once the next generation's is, and a generation's key once it is used. A receiver keeps the
// keys of skipped generations — at most `out_of_order_keys` per ratchet, and never jumps more
// than `forward_generations_max` ahead — so late messages still decrypt within that window.
#ifndef QFS_MLS_SECRET_TREE_H_
#define QFS_MLS_SECRET_TREE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/limits.h"
#include "base/status.h"
#include "mls/cipher_suite.h"
#include "mls/tls_codec.h"
#include "mls/tree_math.h"

namespace qfs::mls {

inline constexpr std::size_t kMlsSecretBytesMax = 64;  // the largest hash output of any suite
using qfs::kSecretTreeOutOfOrderKeysMax;               // base/limits.h

enum class RatchetKind { kHandshake, kApplication };

struct KeyAndNonce {
  std::uint32_t generation = 0;
  SecretBytes key;
  SecretBytes nonce;
};

struct SecretTreeOptions {
  std::uint32_t out_of_order_keys = 128;         // skipped generations kept per ratchet
  std::uint32_t forward_generations_max = 4096;  // largest jump ahead a message may ask for
};

class SecretTree {
 public:
  // `leaves` is the ratchet tree's leaf count (a power of two).
  SecretTree(const CipherSuite& suite, const SecretBytes& encryption_secret, std::uint32_t leaves,
             SecretTreeOptions options = {});

  // The sender's next key for its own ratchet; the key is consumed.
  KeyAndNonce Next(LeafIndex leaf, RatchetKind kind);
  // The key for `generation` of a sender's ratchet, consumed. OUT_OF_RANGE for a bad leaf;
  // NOT_FOUND for a generation already used or dropped from the window; TOO_LARGE for one
  // beyond forward_generations_max.
  Result<KeyAndNonce> Get(LeafIndex leaf, RatchetKind kind, std::uint32_t generation);
  // The key Get would return, with the same errors, but nothing consumed and no ratchet moved:
  // a receiver peeks, authenticates the message, and only then calls Get. A forged message
  // therefore neither burns a sender's key nor pushes its ratchet ahead.
  Result<KeyAndNonce> Peek(LeafIndex leaf, RatchetKind kind, std::uint32_t generation);

  std::uint32_t leaves() const { return leaves_; }

  // The whole state — every secret still held, each ratchet's generation and its skipped keys —
  // for a saved group; Decode restores it. Errors: the codec's, INVALID_ARGUMENT for a state no
  // secret tree could be in (sizes that do not match the leaf count, options out of range).
  void Encode(TlsWriter& w) const;
  static Result<std::unique_ptr<SecretTree>> Decode(const CipherSuite& suite, TlsReader& r);

 private:
  struct Ratchet {
    SecretBytes secret;
    std::uint32_t next_generation = 0;
    std::map<std::uint32_t, KeyAndNonce> skipped;
  };
  struct Leaf {
    bool ready = false;
    Ratchet handshake;
    Ratchet application;
  };

  SecretTree(const CipherSuite& suite, SecretTreeOptions options, std::uint32_t leaves)
      : suite_(suite), options_(options), leaves_(leaves) {}
  static void EncodeRatchet(TlsWriter& w, const Ratchet& r);
  static Result<Ratchet> DecodeRatchet(TlsReader& r, const SecretTreeOptions& options);
  Leaf& LeafRatchets(LeafIndex leaf);
  KeyAndNonce Advance(Ratchet& r) const;
  // OUT_OF_RANGE / TOO_LARGE as Get; the ratchet to take `generation` from otherwise.
  Result<Ratchet*> RatchetFor(LeafIndex leaf, RatchetKind kind, std::uint32_t generation);

  const CipherSuite suite_;
  SecretTreeOptions options_;
  std::uint32_t leaves_;
  std::vector<std::optional<SecretBytes>> node_secrets_;
  std::vector<Leaf> leaf_ratchets_;
};

// The key and nonce protecting a PrivateMessage's sender data (section 6.3.2): derived from the
// first Nh bytes of the content ciphertext (all of it when shorter).
SecretBytes SenderDataKey(const CipherSuite& suite, ByteSpan sender_data_secret,
                          ByteSpan ciphertext);
SecretBytes SenderDataNonce(const CipherSuite& suite, ByteSpan sender_data_secret,
                            ByteSpan ciphertext);

}  // namespace qfs::mls

#endif  // QFS_MLS_SECRET_TREE_H_
