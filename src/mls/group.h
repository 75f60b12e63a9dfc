// An MLS group as one member sees it (RFC 9420 sections 8, 11, 12): its epoch's GroupContext,
// ratchet tree, private keys, key schedule, secret tree and transcript hashes; creating a group,
// Commits that add and remove members (always with a path), processing them, joining from a
// Welcome, and application messages.
//
//   QFS_ASSIGN_OR_RETURN(Group alice, Group::Create(suite, group_id, alice_member, random));
//   QFS_ASSIGN_OR_RETURN(Group::Commit c, alice.CreateCommit({bob_key_package}, {}, random));
//   // ... the Delivery Service accepts c.message ...
//   alice = std::move(c.next);                       // only now does Alice's state move
//   QFS_ASSIGN_OR_RETURN(Group bob, Group::Join(suite, *c.welcome, bob_joiner));
//   QFS_ASSIGN_OR_RETURN(Bytes wire, alice.Protect(text, random));
//   QFS_ASSIGN_OR_RETURN(Group::Received got, bob.Unprotect(wire));
//
// Every operation that can be refused (a Commit another beat to the epoch, a bad message) is a
// const function returning a new state, so nothing changes until the caller adopts it.
// Application messages consume keys from the secret tree, so Protect and Unprotect change the
// group in place (a failed Unprotect consumes nothing).
//
// Scope so far: member Commits by value with Add and Remove proposals (with a path, or without
// one for Adds only); joining with
// external PSKs; no PSK proposals, proposals by reference, external commits, Update or
// GroupContextExtensions proposals, or persistence yet.
#ifndef QFS_MLS_GROUP_H_
#define QFS_MLS_GROUP_H_

#include <memory>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/random.h"
#include "mls/cipher_suite.h"
#include "mls/framing.h"
#include "mls/key_schedule.h"
#include "mls/messages.h"
#include "mls/ratchet_tree.h"
#include "mls/secret_tree.h"
#include "mls/treekem.h"
#include "mls/welcome.h"

namespace qfs::mls {

inline constexpr std::uint16_t kExtensionRatchetTree = 2;

// What a member brings: its signature key pair and the leaf it will occupy. The leaf's
// encryption key must be `encryption_private_key`'s.
struct MemberKeys {
  SignatureKeyPair signature;
  SecretBytes encryption_private_key;
  LeafNode leaf;  // signed; source key_package
};

// A KeyPackage with its private keys, as its owner keeps it until a Welcome uses it.
struct KeyPackageSecrets {
  KeyPackage key_package;
  SecretBytes init_private_key;
  MemberKeys member;
};
// A signed KeyPackage for `identity` (basic credential), fresh init and leaf keys.
Result<KeyPackageSecrets> MakeKeyPackage(const CipherSuite& suite, ByteSpan identity,
                                         crypto::RandomSource& random);

// A pre-shared key agreed outside the group (section 8.4), by id.
struct ExternalPsk {
  Bytes id;
  SecretBytes secret;
};

struct JoinOptions {
  // The tree, when the GroupInfo does not carry it in a ratchet_tree extension.
  std::optional<RatchetTree> ratchet_tree;
  // The external PSKs the Welcome may name; a named PSK missing here is an error.
  std::vector<ExternalPsk> external_psks;
};

class Group {
 public:
  // A one-member group at epoch 0 (section 11).
  static Result<Group> Create(const CipherSuite& suite, ByteSpan group_id, MemberKeys me,
                              crypto::RandomSource& random);
  // Joins from a Welcome (section 12.4.3.1). Errors: those of OpenGroupSecrets and
  // DecryptGroupInfo, INVALID_ARGUMENT (no tree, a tree that does not match the GroupInfo or
  // whose hashes or signatures fail, the joiner's leaf missing, a PSK not given or a resumption
  // PSK, a bad confirmation tag), BAD_SIGNATURE (the GroupInfo).
  static Result<Group> Join(const CipherSuite& suite, const Welcome& welcome,
                            const KeyPackageSecrets& joiner, const JoinOptions& options = {});

  struct Commit {
    Bytes message;                   // MLSMessage(PublicMessage) to send
    std::optional<Welcome> welcome;  // for the added members
    std::unique_ptr<Group> next;     // this member's state once the Commit is accepted
  };
  struct CommitOptions {
    // A fresh path (new keys up the committer's direct path). Without one, a Commit may only
    // add members (section 12.4: an empty Commit and one that removes need a path).
    bool path = true;
  };
  // A Commit adding `adds` and removing `removes` (leaf indexes). INVALID_ARGUMENT for a
  // KeyPackage of another suite or with a bad signature, removing oneself or a blank leaf, or no
  // path where one is needed.
  Result<Commit> CreateCommit(const std::vector<KeyPackage>& adds,
                              const std::vector<LeafIndex>& removes, crypto::RandomSource& random,
                              CommitOptions options) const;
  Result<Commit> CreateCommit(const std::vector<KeyPackage>& adds,
                              const std::vector<LeafIndex>& removes,
                              crypto::RandomSource& random) const {
    return CreateCommit(adds, removes, random, CommitOptions{});
  }
  // The state after another member's Commit (MLSMessage bytes). Errors: the framing's and the
  // path's; INVALID_ARGUMENT for a Commit from this member, for another epoch, or one that
  // removes this member (then the member has left the group); AUTHENTICATION_FAILED for a bad
  // confirmation tag.
  Result<Group> ProcessCommit(ByteSpan message) const;

  // Application messages: a PrivateMessage signed by this member.
  Result<Bytes> Protect(ByteSpan application_data, crypto::RandomSource& random);
  struct Received {
    LeafIndex sender = 0;
    Bytes data;
  };
  Result<Received> Unprotect(ByteSpan message);

  std::uint64_t epoch() const { return context_.epoch; }
  LeafIndex leaf() const { return private_key_.leaf(); }
  const RatchetTree& tree() const { return tree_; }
  const GroupContext& context() const { return context_; }
  const SecretBytes& epoch_authenticator() const { return secrets_.epoch_authenticator; }
  SecretBytes Export(std::string_view label, ByteSpan context, std::size_t length) const;

  Group(Group&&) noexcept = default;
  Group& operator=(Group&&) noexcept = default;
  ~Group() = default;

 private:
  Group(const CipherSuite& suite, SignatureKeyPair signature, TreePrivateKey private_key)
      : suite_(suite), signature_(std::move(signature)), private_key_(std::move(private_key)) {}
  // Enters the epoch of context_ (tree_ and context_ already the new epoch's): its secrets, a
  // secret tree over the new tree, the interim transcript hash from the confirmation tag.
  void EnterEpoch(EpochSecrets secrets, ByteSpan confirmation_tag);
  // The next epoch after `commit` (signed, its confirmation tag not needed): completes
  // `next_context` (the provisional one) with the new tree hash and confirmed transcript hash,
  // and derives its secrets from this epoch's init secret and `commit_secret` (no PSKs).
  Result<EpochSecrets> NextEpoch(const AuthenticatedContent& commit, const RatchetTree& tree,
                                 const SecretBytes& commit_secret,
                                 GroupContext& next_context) const;
  // The proposals of a Commit applied to a copy of the tree (removes, then adds in order).
  Result<RatchetTree> ApplyProposals(const mls::Commit& commit, LeafIndex committer,
                                     std::vector<LeafIndex>* added) const;

  CipherSuite suite_;
  SignatureKeyPair signature_;
  TreePrivateKey private_key_;
  RatchetTree tree_;
  GroupContext context_;
  EpochSecrets secrets_;
  std::unique_ptr<SecretTree> secret_tree_;
  Bytes interim_transcript_hash_;
};

}  // namespace qfs::mls

#endif  // QFS_MLS_GROUP_H_
