// Memory per pending timer: N timers (random 61–120 s, one shared callback) in a fresh child
// process per contender, so no contender sees another's garbage or grown arenas.
//
// In the child: pre-generate the delays, GC, read heapUsed + external (external includes
// wasm linear memory and typed-array backing stores), schedule N timers, let the checkpoint
// run (two macrotasks), GC, read again. Handles are not kept: what is measured is what the
// timer system itself holds (Node's lists hold the Timeout objects; tickwheel's slab and JS
// arrays hold its entries). Capacity grown but unused (wasm pages, array slack) counts.
//
//   node --expose-gc bench/scenarios/memory.mjs --child <contender name> <N>

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from '../lib.mjs';

export const id = 'memory';
export const title = 'memory per pending timer';

const self = fileURLToPath(import.meta.url);
const NAMES = ['node setTimeout', 'tickwheel', 'js wheel (6×64)', 'js binary heap', 'retimer', 'timeout-refresh', 'timer-wheel (npm)'];

async function child(name, n) {
  const { timers } = await import('../contenders.mjs');
  const { LONG_MAX, LONG_MIN, randomDelays, macrotask } = await import('../lib.mjs');
  const c = timers.find((t) => t.name === name);
  if (!c) throw new Error(`unknown contender ${name}`);
  const d = randomDelays(n, LONG_MIN, LONG_MAX, 41);
  globalThis.__keep = d; // else V8 frees it after its last use, and 8 MB vanish from the "after" reading
  const cb = () => {};
  // Warm the implementation's code and one-time state with a few timers, then drop them.
  const warm = c.handles(1000);
  c.scheduleAll(d.subarray(0, 1000), cb, warm);
  await macrotask();
  c.cancelAll(warm, Int32Array.from({ length: 1000 }, (_, i) => i));
  await macrotask();
  const use = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m; };
  const m0 = use();
  for (let i = 0; i < n; i++) c.schedule(cb, d[i]);
  await macrotask();
  await macrotask();
  const m1 = use();
  const heap = m1.heapUsed - m0.heapUsed;
  const ext = m1.external - m0.external;
  process.stdout.write(JSON.stringify({ name, n, heap, external: ext, arrayBuffers: m1.arrayBuffers - m0.arrayBuffers, bytesPerTimer: (heap + ext) / n, rss: m1.rss - m0.rss }) + "\n");
  process.exit(0);
}

export async function run({ quick, log }) {
  const n = quick ? 2e5 : 1e6; // --quick: a smoke check; the budget is judged at 10^6
  const rounds = quick ? 1 : 3;
  const rows = {};
  const per = Object.fromEntries(NAMES.map((k) => [k, []]));
  log(`  ${n.toExponential(0)} pending timers, one child process each (${rounds} round${rounds > 1 ? 's' : ''})`);
  for (let r = 0; r < rounds; r++) {
    for (const name of NAMES) {
      const p = spawnSync(process.execPath, ['--expose-gc', self, '--child', name, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (p.status !== 0) throw new Error(`memory child ${name} failed:\n${p.stderr}`);
      per[name].push(JSON.parse(p.stdout.trim().split('\n').pop()));
    }
  }
  for (const name of NAMES) {
    const xs = per[name];
    const b = xs.map((x) => x.bytesPerTimer);
    rows[name] = {
      bytesPerTimer: { median: median(b), min: Math.min(...b), max: Math.max(...b), samples: b.length },
      heapPerTimer: median(xs.map((x) => x.heap / n)),
      externalPerTimer: median(xs.map((x) => x.external / n)),
    };
  }
  return { id, title, n, rounds, rows };
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
