// Schedule N timers, then cancel them all: Node's benchmark/timers/timers-cancel-*.js shape.
//
// Timed region, identical for every contender:
//   t0 · schedule all · await setImmediate · t1 · cancel all · await setImmediate · t2
// The macrotask waits matter: tickwheel inserts registrations into the wheel and applies
// cancels at a microtask checkpoint (or when a burst fills its queue window), and a cancel
// leaves a dead entry that the core sweeps at a checkpoint once dead ones outnumber live
// ones; all of it happens inside the region. Delays are pre-generated
// and seeded.
//
// Variants: random delays 61–120 s (the brief's 1–60 s + 60 s of headroom, see lib.mjs;
// Node creates one list per distinct duration: its slow path) and 8 distinct delays (Node's fast path: append to an existing list); cancels in
// scheduling order and in random order; and one aged variant (random delays, in order, each
// round preceded by an untimed round cancelled in random order). Every other round starts
// fresh: contenders with a structure of their own get a new one sized for the round
// (`fresh(n)`), and every contender runs an untimed round (cancelled in reverse order)
// before the timed one.

import { timers } from '../contenders.mjs';
import { EIGHT, LONG_LABEL, LONG_MAX, LONG_MIN, cpuNow, distinctDelays, identity, interleave, macrotask, now, permutation, randomDelays, release, settle, summarize } from '../lib.mjs';

export const id = 'schedule-cancel';
export const title = 'schedule + cancel';

export async function run({ quick, log }) {
  const sizes = quick ? [1e5] : [1e5, 1e6];
  const cb = () => { throw new Error('a cancelled timer fired'); };
  const variants = [];
  let first = true;
  for (const n of sizes) {
    const rounds = quick ? 2 : n >= 1e6 ? 5 : 9;
    const all = [
      { delays: LONG_LABEL, cancel: 'in order', d: randomDelays(n, LONG_MIN, LONG_MAX, 11), order: identity(n) },
      { delays: LONG_LABEL, cancel: 'random order', d: randomDelays(n, LONG_MIN, LONG_MAX, 11), order: permutation(n, 12) },
      { delays: '8 distinct', cancel: 'in order', d: distinctDelays(n, EIGHT, 13), order: identity(n) },
      { delays: '8 distinct', cancel: 'random order', d: distinctDelays(n, EIGHT, 13), order: permutation(n, 14) },
      // Aged: before each timed round, an untimed one that cancels in random order, as a
      // long-running program does. Free lists that hand slots back last-freed first (the JS
      // references') then scatter the next round over memory; tickwheel's sweep rebuilds its
      // free list in index order.
      { delays: LONG_LABEL, cancel: 'in order, after a random-order round', d: randomDelays(n, LONG_MIN, LONG_MAX, 11), order: identity(n), churn: permutation(n, 15) },
    ];
    // --quick: the two extremes only (Node's slow path in order; its fast path, random order).
    const inputs = quick ? [all[0], all[3]] : all;
    const reverse = identity(n).reverse();
    for (const v of inputs) {
      log(`  ${n.toExponential(0)} timers, ${v.delays}, cancel ${v.cancel} (${rounds} rounds)`);
      const handles = new Map(timers.map((c) => [c.name, c.handles(n)]));
      const { samples, skipped } = await interleave(timers, rounds, async (c) => {
        const h = handles.get(c.name);
        c.fresh?.(n);
        // An untimed round first, so that no contender's timed round is the first to touch its
        // memory (a fresh structure's pages fault in on first use). It cancels in reverse
        // order, which leaves a last-freed-first free list handing out slots in index order
        // again; the aged variant's cancels in random order instead. Its garbage is collected
        // before t0.
        c.scheduleAll(v.d, cb, h);
        await macrotask();
        c.cancelAll(h, v.churn ?? reverse);
        await macrotask();
        release(h);
        await settle();
        const c0 = cpuNow();
        const t0 = now();
        c.scheduleAll(v.d, cb, h);
        await macrotask();
        const t1 = now();
        const c1 = cpuNow();
        c.cancelAll(h, v.order);
        await macrotask();
        const t2 = now();
        const c2 = cpuNow();
        release(h);
        return {
          schedule: ((t1 - t0) * 1e6) / n,
          cancel: ((t2 - t1) * 1e6) / n,
          total: ((t2 - t0) * 1e6) / n,
          cpuSchedule: ((c1 - c0) * 1e6) / n,
          cpuCancel: ((c2 - c1) * 1e6) / n,
          cpuTotal: ((c2 - c0) * 1e6) / n,
        };
      }, { warmup: first ? 1 : 0, log });
      first = false;
      const rows = {};
      for (const [name, s] of Object.entries(samples)) {
        rows[name] = Object.fromEntries(Object.entries(s).map(([k, xs]) => [k, summarize(xs)]));
      }
      variants.push({ n, delays: v.delays, cancel: v.cancel, rounds, rows, skipped });
    }
  }
  return { id, title, unit: 'ns per timer', variants, contenders: timers.map(({ name, note }) => ({ name, note })) };
}
