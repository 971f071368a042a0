// DelayQueue: insert N items (random 61–120 s, see lib.mjs), then remove them all in random order.
// tickwheel's DelayQueue against a plain-JS indexed binary heap (bench/peers/heap-delay-queue.mjs,
// with the same batched registration: one clock reading per microtask checkpoint).
// Timed: t0 · insert all · await setImmediate · t1 · remove all · await setImmediate · t2.
// `remove` returns { value, deadline } in both, as tokio-util's does.

import { tw } from '../contenders.mjs';
import { HeapDelayQueue } from '../peers/heap-delay-queue.mjs';
import { LONG_MAX, LONG_MIN, cpuNow, interleave, isNotImplemented, macrotask, now, permutation, randomDelays, Skip, summarize } from '../lib.mjs';

export const id = 'delay-queue';
export const title = 'DelayQueue insert + remove';

export async function run({ quick, log }) {
  const n = quick ? 1e5 : 1e6;
  const rounds = quick ? 3 : 7;
  const d = randomDelays(n, LONG_MIN, LONG_MAX, 61);
  const order = permutation(n, 62);
  const keys = new Float64Array(n);
  const values = Array.from({ length: 1024 }, (_, i) => ({ i }));
  let twq;
  let heapq;
  const contenders = [
    {
      name: 'tickwheel DelayQueue', ours: true,
      make() {
        try { twq ??= new tw.DelayQueue(); } catch (e) { if (isNotImplemented(e)) throw new Skip('tickwheel DelayQueue is not implemented yet'); throw e; }
        return twq;
      },
    },
    { name: 'js binary heap DelayQueue', ref: true, make: () => (heapq ??= new HeapDelayQueue()) },
  ];
  log(`  ${n.toExponential(0)} items: insert all, remove all in random order (${rounds} rounds)`);
  const { samples, skipped } = await interleave(contenders, rounds, async (c) => {
    const q = c.make();
    let sink = 0;
    const c0 = cpuNow();
    const t0 = now();
    for (let i = 0; i < n; i++) keys[i] = q.insert(values[i & 1023], d[i]);
    await macrotask();
    const t1 = now();
    for (let k = 0; k < n; k++) sink += q.remove(keys[order[k]]).deadline;
    await macrotask();
    const t2 = now();
    const c2 = cpuNow();
    if (!(sink > 0) || q.size !== 0) throw new Error(`${c.name}: bad state after remove-all`);
    return { insert: ((t1 - t0) * 1e6) / n, remove: ((t2 - t1) * 1e6) / n, total: ((t2 - t0) * 1e6) / n, cpuTotal: ((c2 - c0) * 1e6) / n };
  }, { log });
  const rows = {};
  for (const [name, s] of Object.entries(samples)) {
    rows[name] = Object.fromEntries(Object.entries(s).map(([k, xs]) => [k, summarize(xs)]));
  }
  return { id, title, n, rounds, rows, skipped };
}
