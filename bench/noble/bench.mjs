// The ML-DSA and ML-KEM operations of bench/crypto_benchmark.cc, in @noble/post-quantum (what a
// JavaScript client would use), measured the same way: median of 5 repetitions, each at least
// 0.5 s. Prints one JSON object per line: {"op","set","ns"}.
// usage: node bench/noble/bench.mjs [--repetitions 5] [--min-ms 500]
// (bench/pq_compare.py --smoke runs one repetition of 1 ms: at least one call per operation.)
import { parseArgs } from 'node:util';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';

const { values: args } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '5' },
    'min-ms': { type: 'string', default: '500' },
  },
});
const REPETITIONS = Number(args.repetitions);
const MIN_MS = Number(args['min-ms']);
if (!(REPETITIONS >= 1) || !(MIN_MS >= 0)) throw new Error('--repetitions >= 1, --min-ms >= 0');

function measure(fn) {
  const samples = [];
  for (let r = 0; r < REPETITIONS; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (n === 0 || elapsed < BigInt(MIN_MS) * 1000000n) {
      fn(n++);
      elapsed = process.hrtime.bigint() - start;
    }
    samples.push(Number(elapsed) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(REPETITIONS / 2)];
}

const fill = (n, v) => new Uint8Array(n).fill(v);
const emit = (op, set, ns) => console.log(JSON.stringify({ op, set, ns: Math.round(ns) }));

for (const [set, dsa] of [['ML-DSA-44', ml_dsa44], ['ML-DSA-65', ml_dsa65], ['ML-DSA-87', ml_dsa87]]) {
  const seed = fill(32, 1);
  emit('keygen', set, measure(() => dsa.keygen(seed)));
  const { publicKey, secretKey } = dsa.keygen(seed);
  const msg = fill(100, 2);
  emit('sign', set, measure((i) => { msg[0] = i & 255; dsa.sign(msg, secretKey, { extraEntropy: false }); }));
  msg[0] = 2;
  const sig = dsa.sign(msg, secretKey, { extraEntropy: false });
  emit('verify', set, measure(() => dsa.verify(sig, msg, publicKey)));
}
for (const [set, kem] of [['ML-KEM-512', ml_kem512], ['ML-KEM-768', ml_kem768], ['ML-KEM-1024', ml_kem1024]]) {
  const seed = new Uint8Array(64);
  seed.set(fill(32, 1), 0);
  seed.set(fill(32, 2), 32);
  emit('keygen', set, measure(() => kem.keygen(seed)));
  const { publicKey, secretKey } = kem.keygen(seed);
  const m = fill(32, 3);
  emit('encaps', set, measure(() => kem.encapsulate(publicKey, m)));
  const { cipherText } = kem.encapsulate(publicKey, m);
  emit('decaps', set, measure(() => kem.decapsulate(cipherText, secretKey)));
}
