// An MLS group as one member sees it (RFC 9420 sections 8, 11, 12): its epoch's GroupContext,
// ratchet tree, private keys, key schedule, secret tree, transcript hashes and the proposals
// received this epoch; creating a group, proposals, Commits, processing what others send,
// joining from a Welcome, and application messages.
//
//   QFS_ASSIGN_OR_RETURN(Group alice, Group::Create(suite, group_id, alice_member, random));
//   QFS_ASSIGN_OR_RETURN(Group::Commit c, alice.CreateCommit({bob_key_package}, {}, random));
//   // ... the Delivery Service accepts c.message ...
//   alice = std::move(*c.next);                      // only now does Alice's state move
//   QFS_ASSIGN_OR_RETURN(Group bob, Group::Join(suite, *c.welcome, bob_joiner));
//   QFS_ASSIGN_OR_RETURN(Bytes wire, alice.Protect(text, random));
//   QFS_ASSIGN_OR_RETURN(Group::Processed got, bob.Process(wire));  // got.application_data
//
// A Commit (made or received) never changes the group: it yields the next epoch's state, which
// the caller adopts once the Delivery Service has ordered the Commit. What does change a group
// in place is what cannot fork it: consuming message keys (Protect, and Process of a
// PrivateMessage) and caching proposals (Propose, and Process of a proposal). Nothing changes
// on an error.
//
// This member sends handshake messages as PublicMessages (so that a Delivery Service can order
// and check them) and accepts them in either framing. Not supported: ReInit and branching (and
// so resumption PSKs other than "application" ones of this group), external senders (external
// proposals).
#ifndef QFS_MLS_GROUP_H_
#define QFS_MLS_GROUP_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
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
// Resumption PSKs (section 8.6) a member keeps: its group's last epochs, the current one included.
inline constexpr std::size_t kResumptionPsksKept = 16;
inline constexpr std::uint16_t kExtensionExternalPub = 4;
// draft-ietf-mls-extensions: a KeyPackage its owner lets be used more than once (the one left
// when every other is used up), so it keeps the private keys after a Welcome uses it.
inline constexpr std::uint16_t kExtensionLastResortKeyPackage = 0x000a;

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
struct KeyPackageOptions {
  bool last_resort = false;  // with the last_resort_key_package extension
};
// A signed KeyPackage for `identity` (basic credential), fresh init and leaf keys.
Result<KeyPackageSecrets> MakeKeyPackage(const CipherSuite& suite, ByteSpan identity,
                                         crypto::RandomSource& random,
                                         KeyPackageOptions options = {});
// Whether the KeyPackage carries the last_resort_key_package extension.
bool IsLastResort(const KeyPackage& kp);

// How a member's group behaves, for every epoch it enters.
struct GroupOptions {
  // Out-of-order application messages: the skipped keys kept per sender and how far ahead a
  // message may jump (section 9; SecretTreeOptions).
  SecretTreeOptions secret_tree;
  // The time the lifetimes of added members' KeyPackages are checked against (section 7.3);
  // nullptr means the system clock. It must outlive the group.
  Clock* clock = nullptr;
};

// A pre-shared key agreed outside the group (section 8.4), by id.
struct ExternalPsk {
  Bytes id;
  SecretBytes secret;
};

struct ExternalJoinOptions {
  GroupOptions group;
  // The tree, when the GroupInfo does not carry it in a ratchet_tree extension.
  std::optional<RatchetTree> ratchet_tree;
  // A device rejoining: its old leaf, removed by the same Commit (it must hold the same
  // credential as the new leaf).
  std::optional<LeafIndex> rejoin;
};

struct JoinOptions {
  GroupOptions group;
  // The tree, when the GroupInfo does not carry it in a ratchet_tree extension.
  std::optional<RatchetTree> ratchet_tree;
  // The external PSKs the Welcome may name; a named PSK missing here is an error.
  std::vector<ExternalPsk> external_psks;
};

class Group {
 public:
  // A one-member group at epoch 0 (section 11).
  static Result<Group> Create(const CipherSuite& suite, ByteSpan group_id, MemberKeys me,
                              crypto::RandomSource& random, const GroupOptions& options = {});
  // Joins from a Welcome (section 12.4.3.1). Errors: those of OpenGroupSecrets and
  // DecryptGroupInfo, INVALID_ARGUMENT (no tree, a tree that does not match the GroupInfo or
  // whose hashes or signatures fail, the joiner's leaf missing, a PSK not given or a resumption
  // PSK, a bad confirmation tag), BAD_SIGNATURE (the GroupInfo).
  static Result<Group> Join(const CipherSuite& suite, const Welcome& welcome,
                            const KeyPackageSecrets& joiner, const JoinOptions& options = {});

  // --- proposals (section 12.1) ---
  // An MLSMessage(PublicMessage) carrying `proposal` (Add, Remove, PreSharedKey or
  // GroupContextExtensions; an Update is ProposeUpdate's), cached here as every receiver caches
  // it, so that the next Commit of any member can include it by reference. INVALID_ARGUMENT for
  // a proposal that could not be committed now (which rule).
  Result<Bytes> Propose(const Proposal& proposal);
  // An Update proposal: a fresh leaf encryption key, kept here until a Commit includes it.
  Result<Bytes> ProposeUpdate(crypto::RandomSource& random);
  // An external PSK this member knows (its proposals and Commits may name it). Replaces one
  // with the same id.
  void AddExternalPsk(ExternalPsk psk);

  // --- Commits (section 12.4) ---
  struct Commit {
    Bytes message;                   // MLSMessage(PublicMessage) to send
    std::optional<Welcome> welcome;  // for the added members
    std::unique_ptr<Group> next;     // this member's state once the Commit is accepted
  };
  struct CommitOptions {
    // A fresh path (new keys up the committer's direct path). Without one, a Commit may only
    // add members and name PSKs (section 12.4: any other proposal, or none, needs a path).
    bool path = true;
    // Puts the ratchet tree into the Welcome's GroupInfo (a joiner then needs nothing else).
    bool ratchet_tree_in_welcome = true;
  };
  // A Commit of every proposal cached this epoch (by reference) that can still be committed —
  // this member's own Updates and proposals made invalid by others are left out, as section
  // 12.2 allows — followed by `proposals` (by value). INVALID_ARGUMENT when one of `proposals`
  // is invalid (a KeyPackage of another suite or with a bad signature, a key already in the
  // group, removing oneself or a blank leaf, an unknown PSK, an Update by value, ...) or no
  // path where one is needed.
  Result<Commit> CommitProposals(const std::vector<Proposal>& proposals,
                                 crypto::RandomSource& random, CommitOptions options) const;
  // The common case: Removes of `removes`, then Adds of `adds`, by value (with the cached ones).
  Result<Commit> CreateCommit(const std::vector<KeyPackage>& adds,
                              const std::vector<LeafIndex>& removes, crypto::RandomSource& random,
                              CommitOptions options) const;
  Result<Commit> CreateCommit(const std::vector<KeyPackage>& adds,
                              const std::vector<LeafIndex>& removes,
                              crypto::RandomSource& random) const {
    return CreateCommit(adds, removes, random, CommitOptions{});
  }

  // --- external commits ---
  // Joins by external commit (section 12.4.3.2) from a GroupInfo MLSMessage with the
  // external_pub extension (ExternalGroupInfo's): a Commit from a new member with an
  // ExternalInit proposal (and a Remove of the old leaf when rejoining) and a path. Send
  // Commit::message; once the Delivery Service accepts it, Commit::next is this member's state.
  // Errors: as Join's for the GroupInfo and tree; INVALID_ARGUMENT for no external_pub, a
  // rejoin leaf that is blank or holds another credential.
  static Result<Commit> JoinExternal(const CipherSuite& suite, ByteSpan group_info, MemberKeys me,
                                     crypto::RandomSource& random,
                                     const ExternalJoinOptions& options = {});
  // A signed GroupInfo (MLSMessage) for this epoch that lets a new member join by external
  // commit: with the external_pub extension and, if `with_tree`, the ratchet tree.
  Result<Bytes> ExternalGroupInfo(bool with_tree = true) const;

  // --- receiving ---
  struct Processed {
    ContentType type = ContentType::kApplication;
    LeafIndex sender = 0;
    Bytes application_data;       // an application message's
    std::unique_ptr<Group> next;  // a Commit's next epoch (nullptr if it removed this member)
    bool removed = false;         // a Commit removed this member: it has left the group
  };
  // Any MLSMessage a member receives for the group: an application message (decrypted and
  // verified, its key consumed), a proposal (verified and cached), or a Commit (verified and
  // applied to a copy: `next`). Errors: the codec's and the framing's; INVALID_ARGUMENT for a
  // message of another group or epoch, a sender that is not a member, this member's own
  // Commit (adopt Commit::next instead), an invalid proposal or Commit (which rule of section
  // 12.2 or 12.4.2), a reference to a proposal not received; AUTHENTICATION_FAILED (a tag),
  // BAD_SIGNATURE.
  Result<Processed> Process(ByteSpan message);
  // Process for a Commit only, leaving this group untouched (a PublicMessage Commit, which
  // consumes no key). INVALID_ARGUMENT also for one that removes this member.
  Result<Group> ProcessCommit(ByteSpan message) const;

  // Application messages: a PrivateMessage signed by this member.
  Result<Bytes> Protect(ByteSpan application_data, crypto::RandomSource& random);
  struct Received {
    LeafIndex sender = 0;
    Bytes data;
  };
  // Process for application messages only.
  Result<Received> Unprotect(ByteSpan message);

  std::uint64_t epoch() const { return context_.epoch; }
  LeafIndex leaf() const { return private_key_.leaf(); }
  const RatchetTree& tree() const { return tree_; }
  const GroupContext& context() const { return context_; }
  const SecretBytes& epoch_authenticator() const { return secrets_.epoch_authenticator; }
  SecretBytes Export(std::string_view label, ByteSpan context, std::size_t length) const;
  // The proposals cached this epoch, in the order received.
  std::size_t pending_proposals() const { return proposals_.size(); }

  // --- persistence ---
  // The whole state (keys, tree, secrets, secret-tree ratchets, cached proposals, PSKs) in
  // QFS's own versioned encoding (docs/formats/mls-state.md). It holds every secret of the
  // member: encrypt it at rest (SaveGroupFile). Load restores exactly this state. Errors of Load:
  // the codec's, INVALID_ARGUMENT (an unknown version or suite, or a state that is not
  // self-consistent: keys that do not match the tree, sizes that do not match its leaves).
  SecretBytes Save() const;
  // The saved epoch keeps the secret-tree options it was saved with; later ones use `options`.
  static Result<Group> Load(ByteSpan saved, const GroupOptions& options = {});

  Group(Group&&) noexcept = default;
  Group& operator=(Group&&) noexcept = default;
  ~Group() = default;

 private:
  // A proposal received (or sent) this epoch, by its ProposalRef.
  struct CachedProposal {
    Bytes ref;
    Proposal proposal;
    LeafIndex sender = 0;
    std::optional<SecretBytes> update_key;  // this member's own Update: the new leaf's key
  };
  class ProposalList;  // a Commit's proposals, checked and applied (group.cc)
  struct Applied;

  Group(const CipherSuite& suite, SignatureKeyPair signature, TreePrivateKey private_key,
        const GroupOptions& options)
      : suite_(suite),
        options_(options),
        signature_(std::move(signature)),
        private_key_(std::move(private_key)) {}
  // Seconds since the Unix epoch, from options_.clock.
  std::uint64_t NowSeconds() const;
  // The next epoch's group: this one's keys and PSKs, the given tree, context and secrets.
  std::unique_ptr<Group> Successor(TreePrivateKey key, RatchetTree tree, GroupContext context,
                                   EpochSecrets secrets, ByteSpan confirmation_tag) const;
  // Enters the epoch of context_ (tree_ and context_ already the new epoch's): its secrets, a
  // secret tree over the new tree, the interim transcript hash from the confirmation tag.
  void EnterEpoch(EpochSecrets secrets, ByteSpan confirmation_tag);
  // Completes `next_context` (the provisional one) with the new tree hash and confirmed
  // transcript hash after `commit`, and derives its secrets from this epoch's init secret,
  // `commit_secret` and `psk_secret`.
  Result<EpochSecrets> NextEpoch(const AuthenticatedContent& commit, const RatchetTree& tree,
                                 const SecretBytes& commit_secret, const SecretBytes& psk_secret,
                                 GroupContext& next_context) const {
    return NextEpoch(commit, tree, secrets_.init_secret, commit_secret, psk_secret, next_context);
  }
  // The same from another init secret (an external Commit's).
  Result<EpochSecrets> NextEpoch(const AuthenticatedContent& commit, const RatchetTree& tree,
                                 const SecretBytes& init_secret, const SecretBytes& commit_secret,
                                 const SecretBytes& psk_secret, GroupContext& next_context) const;
  const ExternalPsk* FindExternalPsk(ByteSpan id) const;
  // The secret of an external PSK or of a resumption PSK of this group's kept epochs.
  const SecretBytes* FindPsk(const PreSharedKeyId& id) const;
  // The PSK secret of a Commit's PreSharedKey proposals (INVALID_ARGUMENT for one not known).
  Result<SecretBytes> CommitPskSecret(const std::vector<PreSharedKeyId>& ids) const;
  // This member's content for this epoch, framed and signed for `wire_format`.
  Result<AuthenticatedContent> SignOwn(WireFormat wire_format, Content content) const;
  // Frames, signs and MACs a proposal as a PublicMessage, and caches it.
  Result<Bytes> SendProposal(Proposal proposal, std::optional<SecretBytes> update_key);
  // Checks and caches a proposal received from another member.
  Status CacheProposal(const AuthenticatedContent& ac);
  // A verified Commit from another member applied to a copy of this group.
  Result<Processed> ApplyCommit(const AuthenticatedContent& ac) const;
  // A new member's external Commit, checked and applied to a copy of this group.
  Result<Processed> ApplyExternalCommit(const PublicMessage& message) const;
  // The signature of a member's content (INVALID_ARGUMENT for a blank or foreign leaf).
  Status VerifyMember(const AuthenticatedContent& ac) const;
  // Unframes a PublicMessage or decrypts a PrivateMessage, verifying the signature; `then`
  // runs on the authenticated content before a PrivateMessage's key is consumed.
  Result<AuthenticatedContent> Open(const MlsMessage& message,
                                    const std::function<Status(const AuthenticatedContent&)>& then);

  CipherSuite suite_;
  GroupOptions options_;
  SignatureKeyPair signature_;
  TreePrivateKey private_key_;
  RatchetTree tree_;
  GroupContext context_;
  EpochSecrets secrets_;
  std::unique_ptr<SecretTree> secret_tree_;
  Bytes interim_transcript_hash_;
  Bytes confirmation_tag_;  // the Commit's that began this epoch (for GroupInfos)
  std::vector<CachedProposal> proposals_;
  std::vector<ExternalPsk> external_psks_;
  std::map<std::uint64_t, SecretBytes> resumption_psks_;  // by epoch, the last kResumptionPsksKept
};

}  // namespace qfs::mls

#endif  // QFS_MLS_GROUP_H_
