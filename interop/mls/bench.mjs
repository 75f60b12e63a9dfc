// ts-mls's side of the MLS comparison (bench/mls_compare.py runs it next to
// qfs_mls_benchmark): the same operations on the same group shapes. Prints one JSON line per
// (op, n) with the median nanoseconds per operation over `--repetitions` runs.
//
//   node bench.mjs [--suite 1] [--sizes 2,100,1000] [--repetitions 5] [--min-ms 300]
//
// (bench/mls_compare.py --smoke: --sizes 2 --repetitions 1 --min-ms 1, three calls each.)
//
// Groups of n are made as qfs_mls_benchmark makes them: the creator adds n - 1 KeyPackages in
// one Commit (every new member unmerged: the worst case for the next path), the last joiner
// joins from the Welcome. "message" is one 100-byte application message created by one member
// and processed (decrypted, verified) by another.
import { parseArgs } from "node:util";
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processMessage,
  acceptAll,
} from "ts-mls";

const { values: args } = parseArgs({
  options: {
    suite: { type: "string", default: "1" },
    sizes: { type: "string", default: "2,100,1000" },
    repetitions: { type: "string", default: "5" },
    "min-ms": { type: "string", default: "300" },
  },
});
const names = { 1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", 3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519" };
const impl = await getCiphersuiteImpl(getCiphersuiteFromName(names[Number(args.suite)]));
const reps = Number(args.repetitions);
const minNs = BigInt(Math.round(Number(args["min-ms"]) * 1e6));
if (!(reps >= 1) || minNs < 0n) throw new Error("--repetitions >= 1, --min-ms >= 0");
const text = (s) => new TextEncoder().encode(s);
const cred = (name) => ({ credentialType: "basic", identity: text(name) });

async function makeGroup(n) {
  const creatorKp = await generateKeyPackage(cred("c"), defaultCapabilities(), defaultLifetime, [], impl);
  let creator = await createGroup(text("bench"), creatorKp.publicPackage, creatorKp.privatePackage, [], impl);
  const kps = [];
  for (let i = 1; i < n; i++) kps.push(await generateKeyPackage(cred(`member ${i}`), defaultCapabilities(), defaultLifetime, [], impl));
  const r = await createCommit({ state: creator, cipherSuite: impl }, {
    extraProposals: kps.map((kp) => ({ proposalType: "add", add: { keyPackage: kp.publicPackage } })),
    ratchetTreeExtension: true,
  });
  creator = r.newState;
  const last = kps[kps.length - 1];
  const joiner = await joinGroup(r.welcome, last.publicPackage, last.privatePackage, emptyPskIndex, impl);
  return { creator, joiner };
}

// The median over `reps` runs of the mean time per call of `op`, each run at least --min-ms
// (0.3 s) and three calls.
async function measure(op) {
  const runs = [];
  for (let r = 0; r < reps; r++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let t = t0;
    while (t - t0 < minNs || calls < 3) {
      await op();
      calls++;
      t = process.hrtime.bigint();
    }
    runs.push(Number(t - t0) / calls);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

function report(op, n, ns) {
  console.log(JSON.stringify({ op, n, ns: Math.round(ns) }));
}

{
  const { creator, joiner } = await makeGroup(2);
  let sender = creator;
  let receiver = joiner;
  const data = new Uint8Array(100).fill(120);
  report("message", 100, await measure(async () => {
    const m = await createApplicationMessage(sender, data, impl);
    sender = m.newState;
    const wire = { wireformat: "mls_private_message", version: "mls10", privateMessage: m.privateMessage };
    const got = await processMessage(wire, receiver, emptyPskIndex, acceptAll, impl);
    receiver = got.newState;
  }));
}
for (const n of args.sizes.split(",").map(Number)) {
  const { creator, joiner } = await makeGroup(n);
  report("commit_create", n, await measure(() => createCommit({ state: creator, cipherSuite: impl }, { wireAsPublicMessage: true })));
  const c = await createCommit({ state: creator, cipherSuite: impl }, { wireAsPublicMessage: true });
  report("commit_process", n, await measure(() => processMessage(c.commit, joiner, emptyPskIndex, acceptAll, impl)));
}
