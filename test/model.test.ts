// Model test of the Node-compatible façade on the test clock (issue 2): random
// setTimeout / clearTimeout / refreshTimeout / advance sequences on a paused Driver, against
// the naive sorted list of test/helpers/model.ts. After every advance the fire order, the
// clock reading inside every callback, and stats() must be identical.
//
// Sized for CI: RUNS × OPS ≥ 100,000 operations (bursts add more). A failure prints the
// seed; replay it with
//   TICKWHEEL_SEED=<seed> [TICKWHEEL_PATH=<path>] npx vitest run test/model.test.ts

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Driver } from '../src/index';
import {
  HORIZON, MTimer, NaiveModel, advanceArb, coerceDelay, delayArb, failing, fcParams, limitStep, opsArray, tickAfter,
} from './helpers/model';

const RUNS = 20;
const OPS = 5_000;

type Op =
  | { k: 'set'; ms: number }
  | { k: 'burst'; ms: number; n: number } //  n timers with one delay: equal ticks, full output windows
  | { k: 'clear'; pick: number } //             any timer made so far: pending, fired or cleared
  | { k: 'refresh'; pick: number }
  | { k: 'clearMany'; n: number; step: number } // every step-th of the n newest: churn, dead entries
  | { k: 'refreshMany'; n: number; step: number }
  | { k: 'forged'; id: number; refresh: boolean } // an id no timer of this driver has
  | { k: 'adv'; ms: number }
  | { k: 'next'; off: number } //               advance to the next deadline - 1, exactly, or + 1
  | { k: 'peek' } //                            nextDeadline() and stats()
  | { k: 'noop' }; //                           what shrinking turns operations into

const pick = fc.nat();
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant({ k: 'noop' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('set' as const), ms: delayArb({ weird: true }) }), weight: 30 },
  { arbitrary: fc.record({ k: fc.constant('burst' as const), ms: delayArb(), n: fc.integer({ min: 2, max: 1100 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('clear' as const), pick }), weight: 10 },
  { arbitrary: fc.record({ k: fc.constant('refresh' as const), pick }), weight: 10 },
  { arbitrary: fc.record({ k: fc.constant('clearMany' as const), n: fc.integer({ min: 1, max: 2000 }), step: fc.integer({ min: 1, max: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('refreshMany' as const), n: fc.integer({ min: 1, max: 2000 }), step: fc.integer({ min: 1, max: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('forged' as const), id: fc.oneof(fc.double(), fc.integer({ min: 1, max: 2 ** 50 })), refresh: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('adv' as const), ms: advanceArb() }), weight: 25 },
  { arbitrary: fc.record({ k: fc.constant('next' as const), off: fc.integer({ min: -1, max: 1 }) }), weight: 5 },
  { arbitrary: fc.constant({ k: 'peek' as const }), weight: 2 },
);

/** Half the picks go to the 32 newest timers (most likely still pending), half to any. */
function choose(p: number, n: number): number {
  return p & 1 ? n - 1 - ((p >>> 1) % Math.min(n, 32)) : (p >>> 1) % n;
}

const totals = { runs: 0, ops: 0, timers: 0, fires: 0, advances: 0, ms: 0 };

async function runOps(ops: Op[]): Promise<void> {
  const t0 = performance.now();
  const errors: unknown[] = [];
  const d = new Driver({ paused: true, onError: (e) => errors.push(e) });
  const m = new NaiveModel();
  const ids: number[] = []; //          key → driver id
  const timers: MTimer[] = []; //       key → model timer
  const again: number[] = []; //        key → the delay refreshTimeout re-arms with
  const real: number[] = []; //         [key, d.now()] per callback, in firing order
  const want: number[] = []; //         the same, from the model
  const touched: number[][] = []; //    key → indices of the operations that touched it
  let compared = 0;
  let i = 0;

  const fire = (t: MTimer) => { m.fired++; want.push(t.key, m.now); };
  const schedule = (ms: number) => {
    const key = ids.length;
    ids.push(d.setTimeout(() => { real.push(key, d.now()); }, ms));
    const t = new MTimer(key, fire);
    timers.push(t);
    const delay = coerceDelay(ms);
    again.push(delay);
    touched.push([i]);
    m.arm(t, tickAfter(m.now, delay));
  };

  const clear = (key: number) => {
    touched[key].push(i);
    d.clearTimeout(ids[key]);
    if (m.disarm(timers[key])) m.cancelled++;
  };
  const refresh = (key: number) => {
    touched[key].push(i);
    d.refreshTimeout(ids[key]);
    if (timers[key].pending) m.arm(timers[key], tickAfter(m.now, again[key]));
  };

  const fail = (what: string): never => {
    const at = Math.min(compared, real.length, want.length);
    let k = at;
    while (k < Math.max(real.length, want.length) && real[k] === want[k]) k++;
    k -= k % 2;
    const key = want[k] ?? real[k];
    const history = key === undefined ? [] : (touched[key] ?? []).map((j) => `#${j} ${JSON.stringify(ops[j])}`);
    throw new Error([
      `${what} ${i < ops.length ? `after operation #${i} ${JSON.stringify(ops[i])}` : 'in the final drain'}; model clock ${m.now}, driver clock ${d.now()}`,
      `  first difference at fire ${k / 2}: model [key, clock] ${JSON.stringify(want.slice(k, k + 6))}, driver ${JSON.stringify(real.slice(k, k + 6))}`,
      `  operations on key ${key}: ${history.slice(-8).join('; ')}`,
    ].join('\n'));
  };
  const compare = () => {
    if (real.length !== want.length) fail('fire count differs');
    for (let j = compared; j < want.length; j++) if (real[j] !== want[j]) fail('fire order or clock differs');
    compared = want.length;
    const s = d.stats();
    if (s.pending !== m.pending || s.fired !== m.fired || s.cancelled !== m.cancelled) {
      fail(`stats differ: driver ${JSON.stringify(s)}, model pending ${m.pending} fired ${m.fired} cancelled ${m.cancelled}`);
    }
    if (errors.length) fail(`a callback threw: ${String(errors[0])}`);
  };

  for (i = 0; i < ops.length; i++) {
    const op = ops[i];
    switch (op.k) {
      case 'set':
        schedule(op.ms);
        break;
      case 'burst':
        for (let j = 0; j < op.n; j++) schedule(op.ms);
        totals.ops += op.n - 1;
        break;
      case 'clear':
        if (ids.length !== 0) clear(choose(op.pick, ids.length));
        break;
      case 'refresh':
        if (ids.length !== 0) refresh(choose(op.pick, ids.length));
        break;
      case 'clearMany':
      case 'refreshMany': {
        let n = 0;
        for (let key = ids.length - 1; key >= 0 && key >= ids.length - op.n; key -= op.step, n++) {
          if (op.k === 'clearMany') clear(key); else refresh(key);
        }
        totals.ops += n - 1;
        break;
      }
      case 'forged':
        // Random doubles and integers below 2^50: a match with a live id is a 2^-24 event
        // per slot, so the model treats every one as a no-op.
        if (!ids.includes(op.id)) {
          if (op.refresh) d.refreshTimeout(op.id); else d.clearTimeout(op.id);
        }
        break;
      case 'adv':
      case 'next': {
        let ms: number;
        if (op.k === 'adv') {
          ms = op.ms;
        } else {
          const next = m.nextDeadline();
          if (next === undefined) break;
          ms = Math.max(0, next - m.now + op.off);
        }
        ms = limitStep(m.now, ms);
        await d.advance(ms);
        m.advance(ms);
        totals.advances++;
        compare();
        if (d.now() !== m.now) fail('clock after advance differs');
        break;
      }
      case 'peek': {
        const got = d.nextDeadline();
        const exp = m.nextDeadline();
        if (got !== exp) fail(`nextDeadline(): driver ${got}, model ${exp}`);
        compare();
        break;
      }
      case 'noop':
        break;
    }
  }
  // Drain: every timer still pending fires, in order, at its own instant.
  // (every tick is at most ceil(now + HORIZON) <= now + HORIZON + 1)
  await d.advance(HORIZON + 1);
  m.advance(HORIZON + 1);
  compare();
  if (m.pending !== 0) fail('the model kept a timer past the horizon');
  d.shutdown();
  totals.runs++;
  totals.ops += ops.length;
  totals.timers += ids.length;
  totals.fires += want.length / 2;
  totals.ms += performance.now() - t0;
}

describe('model: the setTimeout façade on a paused driver vs a sorted list', () => {
  afterAll(() => {
    console.log(`model.test: ${totals.runs} runs, ${totals.ops} operations (${totals.timers} timers, ${totals.fires} fires, ${totals.advances} advances) in ${(totals.ms / 1000).toFixed(1)} s`);
  });

  it(`${RUNS} runs × ${OPS} random operations: same fire order, same clock at every fire, same stats`, async () => {
    await fc.assert(fc.asyncProperty(opsArray(opArb, OPS), failing(runOps)), fcParams('model.test', RUNS));
    if (!process.env.TICKWHEEL_PATH) expect(totals.ops).toBeGreaterThanOrEqual(100_000);
  }, 180_000);

  it('the same seed gives the same trace twice', async () => {
    const traces: number[][] = [];
    for (let r = 0; r < 2; r++) {
      const d = new Driver({ paused: true });
      const log: number[] = [];
      const sample = fc.sample(fc.array(fc.tuple(delayArb({ weird: true }), advanceArb()), { minLength: 500, maxLength: 500 }), { seed: 424242, numRuns: 1 })[0];
      for (let k = 0; k < sample.length; k++) {
        const [ms, step] = sample[k];
        d.setTimeout(() => log.push(k, d.now()), ms);
        await d.advance(limitStep(d.now(), step));
      }
      await d.advance(HORIZON + 1);
      traces.push(log);
      d.shutdown();
    }
    expect(traces[1]).toEqual(traces[0]);
    expect(traces[0].length).toBe(1000);
  });
});
