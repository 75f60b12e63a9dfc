// Two implementations of one member interface: CppMember drives `qfs mls client` over JSON lines
// (docs/protocol/mls-client.md); TsMember is a client on ts-mls. Every method is async; binary
// values are Uint8Array; a failed operation throws an Error whose message names the member.
//
//   keyPackage() -> MLSMessage bytes          createGroup(groupId)      join(welcome)
//   groupInfo() -> GroupInfo bytes (external_pub, tree)
//   joinExternal(groupInfo, rejoinLeaf?) -> {commit}  (pending; rejoin removes the old leaf)
//   add([kp]) / remove([leaf]) / update() / commit() -> {commit, welcome?}  (pending)
//   confirm() / discard()                     the Delivery Service's verdict on the pending one
//   proposeUpdate() / proposeRemove(leaf) / proposeAdd(kp) -> proposal bytes
//   process(message) -> {type: "application"|"proposal"|"commit", data?, removed?}
//   protect(data) -> message bytes            state() -> {epoch, authenticator, members}
//   exportSecret(label, context, length) -> hex   reload(): a restart on the saved state
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  acceptAll,
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  createProposal,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  joinGroupExternal,
  mlsExporter,
  processMessage,
} from "ts-mls";

export const hex = (b) => Buffer.from(b).toString("hex");
export const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));

const suiteNames = {
  1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
  3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
};

export class CppMember {
  // The client keeps its state sealed in a fresh directory, so that reload() can restart it.
  constructor(qfs, name, suite) {
    this.name = name;
    this.kind = "qfs";
    this.dir = mkdtempSync(join(tmpdir(), "qfs-mls-"));
    this.args = ["mls", "client", "--identity", name, "--suite", String(suite),
      "--state", join(this.dir, "state"), "--state-key-file", join(this.dir, "key")];
    this.qfs = qfs;
    this.nextId = 1;
    this.spawn();
  }

  spawn() {
    this.child = spawn(this.qfs, this.args, { stdio: ["pipe", "pipe", "inherit"] });
    this.waiting = [];
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const w = this.waiting.shift();
      if (w) w(JSON.parse(line));
    });
    this.exited = new Promise((resolve) => this.child.on("exit", resolve));
  }

  call(op, fields = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => {
        if (reply.id !== id) reject(new Error(`${this.name}: reply ${reply.id} for request ${id}`));
        else if (!reply.ok) reject(new Error(`${this.name} ${op}: ${reply.error.code}: ${reply.error.message}`));
        else resolve(reply);
      });
      this.child.stdin.write(JSON.stringify({ id, op, ...fields }) + "\n");
    });
  }

  async keyPackage() { return unhex((await this.call("key_package")).key_package); }
  async createGroup(groupId) { await this.call("create_group", { group_id: hex(groupId) }); }
  async join(welcome) { await this.call("join", { welcome: hex(welcome) }); }
  static commitOf(r) { return { commit: unhex(r.commit), welcome: r.welcome ? unhex(r.welcome) : undefined }; }
  async add(kps) { return CppMember.commitOf(await this.call("add", { key_packages: kps.map(hex) })); }
  async remove(leaves) { return CppMember.commitOf(await this.call("remove", { leaves })); }
  async update() { return CppMember.commitOf(await this.call("update")); }
  async commit() { return CppMember.commitOf(await this.call("commit")); }
  async groupInfo() { return unhex((await this.call("group_info")).group_info); }
  async joinExternal(info, rejoin) {
    const fields = { group_info: hex(info) };
    if (rejoin !== undefined) fields.rejoin = rejoin;
    return CppMember.commitOf(await this.call("join_external", fields));
  }
  async confirm() { await this.call("confirm"); }
  async discard() { await this.call("discard"); }
  async proposeUpdate() { return unhex((await this.call("propose_update")).proposal); }
  async proposeRemove(leaf) { return unhex((await this.call("propose_remove", { leaf })).proposal); }
  async proposeAdd(kp) { return unhex((await this.call("propose_add", { key_package: hex(kp) })).proposal); }
  async process(message) {
    const r = await this.call("process", { message: hex(message) });
    return { type: r.type, data: r.data !== undefined ? unhex(r.data) : undefined, removed: !!r.removed };
  }
  async protect(data) { return unhex((await this.call("protect", { data: hex(data) })).message); }
  async state() {
    const r = await this.call("state");
    return {
      epoch: r.epoch,
      authenticator: r.epoch_authenticator,
      members: r.members.map((m) => ({ leaf: m.leaf, identity: Buffer.from(m.identity, "hex").toString() })),
    };
  }
  async exportSecret(label, context, length) {
    return (await this.call("export", { label, context: hex(context), length })).secret;
  }
  // Ends the process and starts a new one on the saved state: a real restart.
  async reload() {
    this.child.stdin.end();
    await this.exited;
    this.spawn();
  }
  close() {
    this.child.stdin.end();
    this.exited.then(() => rmSync(this.dir, { recursive: true, force: true }));
  }
}

// The signature key pair of a ts-mls KeyPackage (what generateKeyPackageWithKey takes).
const signatureOf = (kp) => ({
  signKey: kp.privatePackage.signaturePrivateKey,
  publicKey: kp.publicPackage.leafNode.signaturePublicKey,
});

export class TsMember {
  static async create(name, suite) {
    const m = new TsMember();
    m.name = name;
    m.kind = "ts-mls";
    m.impl = await getCiphersuiteImpl(getCiphersuiteFromName(suiteNames[suite]));
    m.credential = { credentialType: "basic", identity: new TextEncoder().encode(name) };
    m.keyPackages = [];
    m.group = undefined;
    m.pending = undefined;
    return m;
  }

  async keyPackage() {
    const kp = await generateKeyPackage(this.credential, defaultCapabilities(), defaultLifetime, [], this.impl);
    this.keyPackages.push(kp);
    return encodeMlsMessage({ keyPackage: kp.publicPackage, wireformat: "mls_key_package", version: "mls10" });
  }

  async createGroup(groupId) {
    const kp = await generateKeyPackage(this.credential, defaultCapabilities(), defaultLifetime, [], this.impl);
    this.signature = signatureOf(kp);
    this.group = await createGroup(groupId, kp.publicPackage, kp.privatePackage, [], this.impl);
  }

  async join(welcomeBytes) {
    const [m] = decodeMlsMessage(welcomeBytes, 0);
    if (m.wireformat !== "mls_welcome") throw new Error(`${this.name}: not a Welcome`);
    let last;
    for (let i = 0; i < this.keyPackages.length; i++) {
      const kp = this.keyPackages[i];
      try {
        this.group = await joinGroup(m.welcome, kp.publicPackage, kp.privatePackage, emptyPskIndex, this.impl);
        this.signature = signatureOf(kp);
        this.keyPackages.splice(i, 1);
        return;
      } catch (e) {
        last = e;
      }
    }
    throw new Error(`${this.name} join: ${last}`);
  }

  async commitWith(proposals) {
    const r = await createCommit(
      { state: this.group, cipherSuite: this.impl },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
    this.pending = r.newState;
    const welcome = r.welcome
      ? encodeMlsMessage({ welcome: r.welcome, wireformat: "mls_welcome", version: "mls10" })
      : undefined;
    return { commit: encodeMlsMessage(r.commit), welcome };
  }

  async add(kps) {
    return this.commitWith(kps.map((b) => ({ proposalType: "add", add: { keyPackage: decodeMlsMessage(b, 0)[0].keyPackage } })));
  }
  async remove(leaves) {
    return this.commitWith(leaves.map((removed) => ({ proposalType: "remove", remove: { removed } })));
  }
  async update() { return this.commitWith([]); }
  async commit() { return this.commitWith([]); }
  async confirm() { this.group = this.pending; this.pending = undefined; }
  async groupInfo() {
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(this.group, [], this.impl);
    return encodeMlsMessage({ groupInfo, wireformat: "mls_group_info", version: "mls10" });
  }
  // ts-mls finds the old leaf to remove (resync) by its signature key: a rejoining device keeps
  // its identity key (`signature`, copied from the device it replaces) and loses the rest.
  async joinExternal(info, rejoin) {
    const [m] = decodeMlsMessage(info, 0);
    if (m.wireformat !== "mls_group_info") throw new Error(`${this.name}: not a GroupInfo`);
    if (rejoin !== undefined && !this.signature) throw new Error(`${this.name}: a rejoin needs the old signature key`);
    const kp = rejoin !== undefined
      ? await generateKeyPackageWithKey(this.credential, defaultCapabilities(), defaultLifetime, [], this.signature, this.impl)
      : await generateKeyPackage(this.credential, defaultCapabilities(), defaultLifetime, [], this.impl);
    this.signature = signatureOf(kp);
    const r = await joinGroupExternal(m.groupInfo, kp.publicPackage, kp.privatePackage, rejoin !== undefined, this.impl);
    this.pending = r.newState;
    return { commit: encodeMlsMessage({ publicMessage: r.publicMessage, wireformat: "mls_public_message", version: "mls10" }) };
  }
  async discard() { this.pending = undefined; }

  async propose(proposal) {
    const r = await createProposal(this.group, true, proposal, this.impl);
    this.group = r.newState;
    return encodeMlsMessage(r.message);
  }
  async proposeUpdate() { throw new Error("ts-mls has no helper to build an Update proposal's leaf"); }
  async proposeRemove(removed) { return this.propose({ proposalType: "remove", remove: { removed } }); }
  async proposeAdd(kp) {
    return this.propose({ proposalType: "add", add: { keyPackage: decodeMlsMessage(kp, 0)[0].keyPackage } });
  }

  async process(bytes) {
    const [m] = decodeMlsMessage(bytes, 0);
    const type =
      m.wireformat === "mls_private_message" ? m.privateMessage.contentType : m.publicMessage.content.contentType;
    const r = await processMessage(m, this.group, emptyPskIndex, acceptAll, this.impl);
    this.group = r.newState;
    if (r.kind === "applicationMessage") return { type: "application", data: r.message, removed: false };
    this.pending = undefined;
    const removed = this.group.groupActiveState.kind === "removedFromGroup";
    return { type: type === "commit" ? "commit" : "proposal", removed };
  }

  async protect(data) {
    const r = await createApplicationMessage(this.group, data, this.impl);
    this.group = r.newState;
    return encodeMlsMessage({ privateMessage: r.privateMessage, wireformat: "mls_private_message", version: "mls10" });
  }

  async state() {
    const members = [];
    this.group.ratchetTree.forEach((node, i) => {
      if (node && node.nodeType === "leaf" && i % 2 === 0) {
        members.push({ leaf: i / 2, identity: new TextDecoder().decode(node.leaf.credential.identity) });
      }
    });
    return { epoch: Number(this.group.groupContext.epoch), authenticator: hex(this.group.keySchedule.epochAuthenticator), members };
  }
  async exportSecret(label, context, length) {
    return hex(await mlsExporter(this.group.keySchedule.exporterSecret, label, context, length, this.impl));
  }
  // The state through its encoding and back (ts-mls keeps no file of its own).
  async reload() {
    const [decoded] = decodeGroupState(encodeGroupState(this.group), 0);
    this.group = { ...decoded, clientConfig: this.group.clientConfig };
  }
  close() {}
}
