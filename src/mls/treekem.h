// TreeKEM (RFC 9420 sections 7.4-7.6): a member's private view of the ratchet tree, and the
// UpdatePath through which a committer gives every other member new keys for the nodes above it
// and a fresh commit secret.
//
//   // The committer:
//   QFS_ASSIGN_OR_RETURN(CreatedPath out, CreateUpdatePath(suite, tree, me, signature_key,
//                                                          context, added_leaves, random));
//   // out.path goes into the Commit; out.tree, out.private_key, out.commit_secret are the new
//   // epoch's once the Commit is accepted.
//   // Every other member:
//   QFS_ASSIGN_OR_RETURN(MergedPath in, ProcessUpdatePath(suite, tree, sender, path, context,
//                                                         added_leaves, my_private_key));
//
// Both functions leave their inputs alone and return the new tree and private state, so a
// caller commits to them only once the Delivery Service has accepted the Commit. `context` is
// the provisional GroupContext of the new epoch; its tree_hash is replaced by the new tree's
// root hash before the path secrets are encrypted under it. `added_leaves` are the leaves the
// same Commit adds: they get the path from the Welcome, not from the UpdatePath.
#ifndef QFS_MLS_TREEKEM_H_
#define QFS_MLS_TREEKEM_H_

#include <map>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"
#include "mls/cipher_suite.h"
#include "mls/key_schedule.h"
#include "mls/ratchet_tree.h"
#include "mls/tls_codec.h"

namespace qfs::mls {

struct UpdatePathNode {
  Bytes encryption_key;                               // the parent's new HPKE public key
  std::vector<HpkeCiphertext> encrypted_path_secret;  // one per node of the copath resolution
};

struct UpdatePath {
  LeafNode leaf_node;  // source commit
  std::vector<UpdatePathNode> nodes;
};

void EncodeUpdatePath(TlsWriter& w, const UpdatePath& path);
// Errors: the codec's, or INVALID_ARGUMENT for a leaf node whose source is not commit.
Result<UpdatePath> DecodeUpdatePath(TlsReader& r);

// The private keys one member holds: its leaf's HPKE private key and the path secrets of the
// parent nodes above it that it knows (each node's key pair derives from its path secret).
// Secrets wipe themselves; copies are explicit (Clone).
class TreePrivateKey {
 public:
  TreePrivateKey(LeafIndex leaf, SecretBytes leaf_private_key)
      : leaf_(leaf), leaf_key_(std::move(leaf_private_key)) {}

  LeafIndex leaf() const { return leaf_; }
  const SecretBytes& leaf_private_key() const { return leaf_key_; }
  void SetPathSecret(NodeIndex n, SecretBytes path_secret);
  // The path secret of parent node n, or nullptr if this member does not know it.
  const SecretBytes* path_secret(NodeIndex n) const;
  // The HPKE private key of node n (this member's leaf or a parent it knows), if any.
  std::optional<SecretBytes> PrivateKeyFor(const CipherSuite& suite, NodeIndex n) const;
  // Every key held belongs to the tree: the node is not blank and carries the matching public
  // key. INVALID_ARGUMENT names the first node that does not.
  Status CheckAgainst(const CipherSuite& suite, const RatchetTree& tree) const;
  // Forgets the path secrets of nodes that are blank in `tree` (after a Remove or an Update).
  void Prune(const RatchetTree& tree);
  TreePrivateKey Clone() const;
  const std::map<NodeIndex, SecretBytes>& path_secrets() const { return path_secrets_; }

 private:
  LeafIndex leaf_;
  SecretBytes leaf_key_;
  std::map<NodeIndex, SecretBytes> path_secrets_;
};

struct CreatedPath {
  UpdatePath path;
  RatchetTree tree;            // with the path merged
  TreePrivateKey private_key;  // the committer's new one
  SecretBytes commit_secret;
};

// The committer's side (sections 7.4-7.5): blanks its direct path, draws a leaf path secret
// from `random`, derives the path's secrets and keys, sets the parent hashes, signs its new
// leaf (source commit, with `signature_key`), and encrypts each path secret to the resolution
// of the copath child (leaving out `added_leaves`) under `context` with the new tree hash.
// Errors: INVALID_ARGUMENT if `sender` is not a non-blank leaf.
Result<CreatedPath> CreateUpdatePath(const CipherSuite& suite, const RatchetTree& tree,
                                     LeafIndex sender, const SecretBytes& signature_key,
                                     GroupContext context,
                                     const std::vector<LeafIndex>& added_leaves,
                                     crypto::RandomSource& random);

// The public half of processing (what any member, and a joiner checking a tree, can do without
// private keys): the checks of ProcessUpdatePath but decryption, and the merge.
Result<RatchetTree> MergeUpdatePath(const CipherSuite& suite, const RatchetTree& tree,
                                    LeafIndex sender, const UpdatePath& path, ByteSpan group_id);

struct MergedPath {
  RatchetTree tree;            // with the path merged
  TreePrivateKey private_key;  // the receiver's new one
  SecretBytes commit_secret;
  NodeIndex decrypted_at = 0;  // the common ancestor whose path secret was decrypted
};

// A receiver's side (sections 7.5 and 12.4.2): checks that the new leaf's encryption key is new
// and that no key of the path is already in the tree, that there is one path node per node of
// the filtered direct path, the new leaf's signature and that the path is parent-hash valid;
// merges it; decrypts the path secret at the lowest common ancestor with `me` and checks that
// every public key derived from it matches the path's.
// Errors: INVALID_ARGUMENT (which rule), BAD_SIGNATURE, AUTHENTICATION_FAILED (a path secret
// that does not decrypt); nothing is changed on an error.
Result<MergedPath> ProcessUpdatePath(const CipherSuite& suite, const RatchetTree& tree,
                                     LeafIndex sender, const UpdatePath& path, GroupContext context,
                                     const std::vector<LeafIndex>& added_leaves,
                                     const TreePrivateKey& me);

}  // namespace qfs::mls

#endif  // QFS_MLS_TREEKEM_H_
