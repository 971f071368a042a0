// Reset (refresh) every one of N live timers once: the idle-timeout pattern of a server
// that pushes back a connection's deadline on every packet.
//
// Untimed: schedule N timers (random 61–120 s, see lib.mjs), await a macrotask so they are all in place.
// Timed:   t0 · reset every timer to its original delay, from now · await setImmediate · t1
// Untimed: cancel everything, await a macrotask.
//
// What each contender's "reset" is (see contenders.mjs): Node's Timeout#refresh; clearTimeout
// + setTimeout; retimer's reschedule (lazy: bookkeeping now, the move happens when the old
// timer fires); timeout-refresh (wraps Timeout#refresh); tickwheel's refreshTimeout (also
// lazy: the new tick is written into the entry, which moves when its old slot comes up) and
// Sleep.reset; the plain-JS wheel and heap (eager: unlink/sift now); timer-wheel's
// remove + schedule. The lazy ones pay their deferred move later, outside this region; see
// the wasm-core scenario for what that move costs in tickwheel's core.

import { nodeClearSet, timers, twSleepReset } from '../contenders.mjs';
import { LONG_MAX, LONG_MIN, cpuNow, release, identity, interleave, macrotask, now, permutation, randomDelays, settle, summarize } from '../lib.mjs';

export const id = 'reset';
export const title = 'reset / refresh of live timers';

export async function run({ quick, log }) {
  const sizes = quick ? [1e5] : [1e5, 1e6];
  const byName = Object.fromEntries(timers.map((c) => [c.name, c]));
  const contenders = [
    { ...byName['node setTimeout'], name: 'node Timeout#refresh' },
    nodeClearSet,
    byName.tickwheel,
    twSleepReset,
    byName['js wheel (6×64)'],
    byName['js binary heap'],
    byName.retimer,
    byName['timeout-refresh'],
    byName['timer-wheel (npm)'],
  ];
  const cb = () => { throw new Error('a reset timer fired during the benchmark'); };
  const variants = [];
  // Random order is the realistic one (connections go quiet at random) and is memory-bound
  // at these sizes; scheduling order shows the CPU cost with the caches on our side.
  const plan = [];
  for (const n of sizes) for (const o of quick ? ['random order'] : ['random order', 'scheduling order']) plan.push([n, o]);
  for (const [vi, [n, orderName]] of plan.entries()) {
    const rounds = quick ? 2 : n >= 1e6 ? 5 : 9;
    const d = randomDelays(n, LONG_MIN, LONG_MAX, 21);
    const order = orderName === 'random order' ? permutation(n, 22) : identity(n);
    log(`  ${n.toExponential(0)} live timers, reset each once in ${orderName} (${rounds} rounds)`);
    const handles = new Map(contenders.map((c) => [c.name, c.handles(n)]));
    const { samples, skipped } = await interleave(contenders, rounds, async (c) => {
      const h = handles.get(c.name);
      c.fresh?.(n);
      c.scheduleAll(d, cb, h);
      await macrotask();
      await settle(); // the set-up's garbage is collected before t0, not in the timed region
      const c0 = cpuNow();
      const t0 = now();
      c.refreshAll(h, d, order, cb);
      await macrotask();
      const t1 = now();
      const c1 = cpuNow();
      c.cancelAll(h, order);
      await macrotask();
      release(h);
      return { reset: ((t1 - t0) * 1e6) / n, cpuReset: ((c1 - c0) * 1e6) / n };
    }, { warmup: vi === 0 && !quick ? 1 : 0, log });
    const rows = {};
    for (const [name, s] of Object.entries(samples)) rows[name] = { reset: summarize(s.reset), cpuReset: summarize(s.cpuReset) };
    variants.push({ n, order: orderName, rounds, rows, skipped });
  }
  return {
    id, title, unit: 'ns per reset', variants,
    contenders: contenders.map(({ name, note }) => ({ name, note })),
  };
}
