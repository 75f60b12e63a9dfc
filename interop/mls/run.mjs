// The MLS interop harness: groups mixing `qfs mls client` members and ts-mls members, ordered by
// one in-memory Delivery Service, in which every member decrypts every application message and
// all members agree on the epoch, its authenticator and an exported secret after every Commit.
//
//   node run.mjs --qfs build/release/src/node/qfs [--suite 1] [--scenario all] [--seed 1]
//                [--members 12] [--steps 60]
//
// Scenarios: mixed (each side creates, adds, removes, updates, proposes and commits), devices
// (two users with two devices each: add, remove, rejoin), external (joining and rejoining by
// external commit), concurrent (two Commits for one
// epoch: the loser rebases), reload (1,000 messages with state reloads on both sides), random
// (seeded; --members and --steps size it). Exit status 1 on
// any failure, printing the scenario and, for random runs, the seed that reproduces it.
import { parseArgs } from "node:util";
import { decodeMlsMessage } from "ts-mls";
import { CppMember, TsMember } from "./members.mjs";

const { values: args } = parseArgs({
  options: {
    qfs: { type: "string" },
    suite: { type: "string", default: "1" },
    scenario: { type: "string", default: "all" },
    seed: { type: "string", default: "1" },
    members: { type: "string", default: "12" },
    steps: { type: "string", default: "60" },
  },
});
if (!args.qfs) {
  console.error("usage: node run.mjs --qfs PATH [--suite 1|3] [--scenario all|mixed|devices|external|concurrent|reload|random]");
  process.exit(2);
}
const suite = Number(args.suite);
// ts-mls 1.6.4's error for a valid tree it cannot join (see DeliveryService.commit).
// ts-mls (1.6.4, also 2.0.0-rc.10) reads external_pub as the bare key, not the length-prefixed
// HPKEPublicKey RFC 9420 12.4.3.2 defines and we write; it cannot use our GroupInfos.
const TS_MLS_EXTERNAL_PUB_DEFECT = "Invalid public key for the ciphersuite";
const TS_MLS_UNMERGED_DEFECT = "non-blank intermediate node must list leaf node in its unmerged_leaves";
const text = (s) => new TextEncoder().encode(s);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function newMember(kind, name) {
  return kind === "qfs" ? new CppMember(args.qfs, name, suite) : TsMember.create(name, suite);
}

function epochOf(bytes) {
  const [m] = decodeMlsMessage(bytes, 0);
  return Number(m.wireformat === "mls_private_message" ? m.privateMessage.epoch : m.publicMessage.content.epoch);
}

// The Delivery Service: the group's members in order, and the epoch it has accepted Commits up to.
class DeliveryService {
  constructor() {
    this.members = [];
    this.epoch = 0;
    this.messages = 0;
    this.tsMlsDefects = 0;
    this.tsMlsExternalPubDefects = 0;
  }

  others(from) { return this.members.filter((m) => m !== from); }

  // Runs one Commit: `make` creates it at `committer`; the DS accepts it if it is for the current
  // epoch (the first one wins); then every other member processes it, removed ones leave and the
  // `joiners` join from the Welcome. Returns false (and discards it) if it lost.
  async commit(committer, make, joiners = []) {
    const r = await make();
    if (epochOf(r.commit) !== this.epoch) {
      await committer.discard();
      return false;
    }
    await committer.confirm();
    const stay = [committer];
    for (const m of this.others(committer)) {
      const p = await m.process(r.commit);
      check(p.type === "commit", `${m.name} saw a ${p.type}, not the Commit`);
      if (p.removed) m.close();
      else stay.push(m);
    }
    const refused = [];
    for (const j of joiners) {
      check(r.welcome !== undefined, "a Commit adding members came without a Welcome");
      try {
        await j.join(r.welcome);
        stay.push(j);
      } catch (e) {
        if (j.kind !== "ts-mls" || !String(e).includes(TS_MLS_UNMERGED_DEFECT)) throw e;
        refused.push(j);
      }
    }
    this.members = this.members.filter((m) => stay.includes(m)).concat(joiners.filter((j) => stay.includes(j)));
    this.epoch++;
    if (refused.length > 0) {
      // The tree is valid (RFC 9420 12.4.3.1); ts-mls 1.6.4 checks unmerged leaves on the whole
      // direct path instead of up to the listing node. Count it, and take the leaves out again.
      this.tsMlsDefects += refused.length;
      const leaves = [];
      for (const j of refused) leaves.push(await this.leafOf(committer, j));
      check(await this.commit(committer, () => committer.remove(leaves)), "removing refused joiners");
      return true;
    }
    await this.agree();
    return true;
  }

  // `joiner` joins by external commit from `source`'s GroupInfo; `old` (a member) is the device
  // it replaces, removed by the same Commit. Returns false, counting it, when a ts-mls joiner
  // refuses a valid GroupInfo for one of its two known defects (TS_MLS_*_DEFECT).
  async joinExternal(joiner, source, old) {
    if (process.env.MLS_TRACE) console.log(`external: ${joiner.name} (${joiner.kind}) from ${source.name} (${source.kind})${old ? " replacing " + old.name : ""}`);
    const info = await source.groupInfo();
    const rejoin = old ? await this.leafOf(source, old) : undefined;
    let r;
    try {
      r = await joiner.joinExternal(info, rejoin);
    } catch (e) {
      if (joiner.kind !== "ts-mls") throw e;
      if (String(e).includes(TS_MLS_UNMERGED_DEFECT)) {
        this.tsMlsDefects++;
        return false;
      }
      if (source.kind !== "qfs" || !String(e).includes(TS_MLS_EXTERNAL_PUB_DEFECT)) throw e;
      if (process.env.MLS_TRACE) console.log(`  ts-mls refused a qfs GroupInfo: ${e}`);
      this.tsMlsExternalPubDefects++;
      return false;
    }
    check(epochOf(r.commit) === this.epoch, "an external Commit for the current epoch");
    await joiner.confirm();
    if (old) old.close(); // the device that lost its state is gone
    const stay = [];
    for (const m of this.members) {
      if (m === old) continue;
      const p = await m.process(r.commit);
      check(p.type === "commit" && !p.removed, `${m.name} did not take the external Commit`);
      stay.push(m);
    }
    const names = (await joiner.state()).members.map((x) => x.identity);
    check(names.filter((n) => n === joiner.name).length === 1, `${joiner.name}'s old leaf is still there`);
    this.members = stay.concat([joiner]);
    this.epoch++;
    await this.agree();
    return true;
  }

  async propose(from, proposal) {
    for (const m of this.others(from)) {
      const p = await m.process(proposal);
      check(p.type === "proposal", `${m.name} saw a ${p.type}, not the proposal`);
    }
  }

  // Every other member decrypts `from`'s message to the same text.
  async say(from, words) {
    const data = text(words);
    const wire = await from.protect(data);
    for (const m of this.others(from)) {
      const p = await m.process(wire);
      check(p.type === "application" && same(p.data, data), `${m.name} did not read ${from.name}'s message`);
    }
    this.messages++;
  }

  async agree() {
    const states = await Promise.all(this.members.map((m) => m.state()));
    const secrets = await Promise.all(this.members.map((m) => m.exportSecret("interop", text("x"), 32)));
    const names = (s) => s.members.map((x) => `${x.leaf}:${x.identity}`).join(",");
    for (let i = 1; i < states.length; i++) {
      const who = `${this.members[i].name} (${this.members[i].kind}) vs ${this.members[0].name} (${this.members[0].kind})`;
      check(states[i].epoch === this.epoch && states[0].epoch === this.epoch, `${who}: epoch ${states[i].epoch} / ${states[0].epoch}, DS ${this.epoch}`);
      check(states[i].authenticator === states[0].authenticator, `${who}: epoch authenticators differ`);
      check(secrets[i] === secrets[0], `${who}: exported secrets differ`);
      check(names(states[i]) === names(states[0]), `${who}: member lists differ: ${names(states[i])} / ${names(states[0])}`);
    }
    check(states[0].members.length === this.members.length, `the tree has ${states[0].members.length} members, the DS ${this.members.length}`);
  }

  async leafOf(committer, member) {
    const s = await committer.state();
    const found = s.members.find((x) => x.identity === member.name);
    check(found !== undefined, `${member.name} is not in ${committer.name}'s tree`);
    return found.leaf;
  }

  async everyoneSays(round) {
    for (const m of this.members) await this.say(m, `${round}: hello from ${m.name}`);
  }

  close() { for (const m of this.members) m.close(); }
}

async function start(creatorKind, name) {
  const ds = new DeliveryService();
  const creator = await newMember(creatorKind, name);
  await creator.createGroup(text(`group-${name}`));
  ds.members.push(creator);
  return ds;
}

async function add(ds, committer, kinds) {
  const joiners = [];
  for (const [kind, name] of kinds) joiners.push(await newMember(kind, name));
  const kps = [];
  for (const j of joiners) kps.push(await j.keyPackage());
  check(await ds.commit(committer, () => committer.add(kps), joiners), "an Add lost");
  return joiners;
}

async function remove(ds, committer, members) {
  const leaves = [];
  for (const m of members) leaves.push(await ds.leafOf(committer, m));
  check(await ds.commit(committer, () => committer.remove(leaves)), "a Remove lost");
}

// Each side creates, adds, removes, updates, proposes and commits.
async function mixed() {
  const ds = await start("ts", "alice");
  const [alice] = ds.members;
  const [bob] = await add(ds, alice, [["qfs", "bob"]]);
  await ds.everyoneSays("two");
  const [carol, dave] = await add(ds, bob, [["ts", "carol"], ["qfs", "dave"]]);
  await ds.everyoneSays("four");
  check(await ds.commit(dave, () => dave.update()), "qfs update");
  check(await ds.commit(carol, () => carol.update()), "ts update");
  await ds.everyoneSays("updated");
  await ds.propose(bob, await bob.proposeUpdate()); // a qfs Update proposal ...
  check(await ds.commit(carol, () => carol.commit()), "ts commits a qfs Update by reference");
  await ds.propose(alice, await alice.proposeRemove(await ds.leafOf(alice, dave))); // a ts Remove proposal ...
  check(await ds.commit(bob, () => bob.commit()), "qfs commits a ts Remove by reference");
  const erin = await newMember("qfs", "erin");
  await ds.propose(carol, await carol.proposeAdd(await erin.keyPackage())); // a ts Add proposal ...
  check(await ds.commit(bob, () => bob.commit(), [erin]), "qfs commits a ts Add by reference");
  await ds.everyoneSays("erin is in");
  const finn = await newMember("ts", "finn");
  await ds.propose(erin, await erin.proposeAdd(await finn.keyPackage())); // a qfs Add proposal ...
  check(await ds.commit(carol, () => carol.commit(), [finn]), "ts commits a qfs Add by reference");
  await ds.propose(bob, await bob.proposeRemove(await ds.leafOf(bob, finn))); // a qfs Remove ...
  check(await ds.commit(alice, () => alice.commit()), "ts commits a qfs Remove by reference");
  await ds.everyoneSays("finn came and went");
  await remove(ds, erin, [alice]); // qfs removes the ts creator
  await remove(ds, carol, [erin]); // ts removes a qfs member
  await ds.everyoneSays("the end");
  ds.close();
}

// Two users, two devices each (one of each implementation): add, remove, rejoin by Welcome.
async function devices() {
  const ds = await start("qfs", "ann-laptop");
  const [annLaptop] = ds.members;
  const [annPhone, benPhone, benLaptop] = await add(ds, annLaptop, [["ts", "ann-phone"], ["qfs", "ben-phone"], ["ts", "ben-laptop"]]);
  await ds.everyoneSays("four devices");
  await remove(ds, benLaptop, [annPhone]); // Ann loses her phone
  await ds.everyoneSays("three devices");
  const [annPhone2] = await add(ds, benPhone, [["ts", "ann-phone-2"]]); // and rejoins with a new one
  await ds.everyoneSays("back to four");
  await remove(ds, annPhone2, [benPhone]);
  const [benPhone2] = await add(ds, annPhone2, [["qfs", "ben-phone-2"]]);
  await ds.everyoneSays("rejoined");
  check(ds.members.includes(benPhone2) && ds.members.includes(annLaptop), "devices missing");
  ds.close();
}

// New devices join by external commit from GroupInfos of either implementation, and devices
// that lost their state rejoin that way, removing their old leaf.
async function external() {
  const ds = await start("qfs", "ann");
  const [ann] = ds.members;
  const [ben, cat] = await add(ds, ann, [["ts", "ben"], ["qfs", "cat"]]);
  const joins = [
    ["qfs", "dan", ben], // a qfs device, from a ts-mls GroupInfo
    ["qfs", "eve", cat], // a qfs device, from a qfs GroupInfo
    ["ts", "fay", ben], // a ts-mls device, from a ts-mls GroupInfo (the qfs members process it)
    ["ts", "gus", ann], // a ts-mls device, from a qfs GroupInfo
  ];
  for (const [kind, name, source] of joins) {
    const device = await newMember(kind, name);
    if (await ds.joinExternal(device, source)) await ds.everyoneSays(`${name} joined`);
  }
  // Cat (qfs) and Ben (ts-mls) lose their state and rejoin with new keys.
  check(await ds.joinExternal(await newMember("qfs", "cat"), ann, cat), "cat rejoins");
  const benAgain = await newMember("ts", "ben");
  benAgain.signature = ben.signature; // ts-mls resyncs by signature key (see TsMember.joinExternal)
  check(await ds.joinExternal(benAgain, ds.members.find((m) => m.name === "fay"), ben), "ben rejoins");
  await ds.everyoneSays("rejoined");
  const detail = `${ds.members.length} members, ${ds.tsMlsExternalPubDefects} qfs GroupInfos ts-mls could not use`;
  ds.close();
  return detail;
}

// Two members commit for one epoch; the DS takes the first, the other processes it and rebases
// (makes its Commit again on the new epoch).
async function concurrent() {
  for (const [first, second] of [["qfs", "ts"], ["ts", "qfs"]]) {
    const ds = await start(first, "x");
    const [x] = ds.members;
    const [y] = await add(ds, x, [[second, "y"]]);
    const [z] = await add(ds, y, [["qfs", "z"]]);
    const fromX = await x.update();
    const fromY = await y.update();
    check(epochOf(fromX.commit) === ds.epoch && epochOf(fromY.commit) === ds.epoch, "both for one epoch");
    check(await ds.commit(y, async () => fromY), "the first Commit is accepted");
    check(!(await ds.commit(x, async () => fromX)), "the second Commit for that epoch is refused");
    check(await ds.commit(x, () => x.update()), "the loser's rebased Commit");
    await ds.everyoneSays(`after the race (${first} lost)`);
    check(ds.members.length === 3 && ds.members.includes(z), "three members");
    ds.close();
  }
}

// A qfs member and a ts-mls member exchange 1,000 messages, each reloading its state every few
// messages (the qfs client is restarted on its sealed state file; ts-mls goes through
// encodeGroupState / decodeGroupState), with a Commit from either side every hundred.
async function reload() {
  const ds = await start("qfs", "q");
  const [q] = ds.members;
  const [t] = await add(ds, q, [["ts", "t"]]);
  for (let i = 0; i < 1000; i++) {
    const from = i % 2 === 0 ? q : t;
    await ds.say(from, `message ${i}`);
    if (i % 3 === 0) await from.reload();
    if (i % 5 === 1) await ds.others(from)[0].reload();
    if (i % 100 === 99) check(await ds.commit(from, () => from.update()), "update");
  }
  check(ds.messages === 1000, "1,000 messages");
  ds.close();
  return `${ds.messages} messages, ${ds.epoch} epochs`;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Random adds, removes, updates, proposals, Commits and messages across both implementations.
async function random(seed, maxMembers, steps) {
  const rand = mulberry32(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const kind = () => (rand() < 0.5 ? "qfs" : "ts");
  let born = 0;
  const ds = await start(kind(), `m${born++}`);
  for (let step = 0; step < steps; step++) {
    const n = ds.members.length;
    const r = rand();
    const who = pick(ds.members);
    if (process.env.MLS_TRACE) console.log(`step ${step}: r=${r.toFixed(2)} who=${who.name}(${who.kind}) n=${n} epoch=${ds.epoch}`);
    if (n < 2 || (r < 0.25 && n < maxMembers)) {
      const count = Math.min(1 + Math.floor(rand() * 4), maxMembers - n);
      const kinds = [];
      for (let i = 0; i < Math.max(1, count); i++) kinds.push([kind(), `m${born++}`]);
      await add(ds, who, kinds);
    } else if (r < 0.4 && n > 2) {
      const out = pick(ds.others(who));
      await remove(ds, who, [out]);
    } else if (r < 0.5) {
      check(await ds.commit(who, () => who.update()), "update");
    } else if (r < 0.55 && n < maxMembers) {
      const joiner = await newMember(kind(), `m${born++}`);
      if (!(await ds.joinExternal(joiner, who))) joiner.close();
    } else if (r < 0.62) {
      const proposer = pick(ds.members.filter((m) => m.kind === "qfs").concat([who]));
      if (proposer.kind === "qfs") await ds.propose(proposer, await proposer.proposeUpdate());
      else await ds.propose(proposer, await proposer.proposeRemove(await ds.leafOf(proposer, pick(ds.others(proposer)))));
      const committer = pick(ds.others(proposer));
      check(await ds.commit(committer, () => committer.commit()), "commit of a proposal");
    } else {
      await ds.say(who, `step ${step}`);
    }
  }
  await ds.everyoneSays("final");
  const summary =
    `${ds.epoch} epochs, ${ds.messages} messages, ${ds.members.length} members at the end, ` +
    `${ds.tsMlsDefects} valid trees ts-mls refused to join, ` +
    `${ds.tsMlsExternalPubDefects} qfs GroupInfos ts-mls could not use`;
  ds.close();
  return summary;
}

const scenarios = {
  mixed,
  devices,
  concurrent,
  external,
  reload,
  random: () => random(Number(args.seed), Number(args.members), Number(args.steps)),
};
const chosen = args.scenario === "all" ? Object.keys(scenarios) : args.scenario.split(",");
let failed = 0;
for (const name of chosen) {
  const t0 = Date.now();
  try {
    const detail = await scenarios[name]();
    console.log(`ok   ${name} (suite ${suite}, ${Date.now() - t0} ms)${detail ? ": " + detail : ""}`);
  } catch (e) {
    failed++;
    const seed = name === "random" ? ` --seed ${args.seed} --members ${args.members} --steps ${args.steps}` : "";
    console.log(`FAIL ${name} (suite ${suite})${seed}: ${e.stack || e}`);
  }
}
process.exit(failed ? 1 : 0);
