// Bad input, table-driven (issue 6), for what test/tokio_bad_input.test.ts does not cover:
// the Driver's options, the setTimeout façade (Driver methods and module level), ids
// (stale, forged, foreign: from another driver), TimerEntry, advance / runUntilIdle,
// DelayQueue keys of another queue, and the security checks (no eval, no property lookups
// on user objects on the hot path, ids that cannot be forged into another timer's slot).
// Every row: the typed error naming the argument (or the documented coercion / no-op), and
// the driver intact: stats() and nextDeadline() unchanged, and a set of canary timers of
// every kind still fire exactly when they should.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tw from '../src/index';
import { DelayQueue, Driver, HORIZON, ShutdownError } from '../src/index';

type Ctor = typeof TypeError | typeof RangeError | typeof Error;

const NOT_NUMBERS: unknown[] = [undefined, null, '10', '', true, {}, [], [5], 10n, Symbol('x'), () => 1];
const EDGE_NUMBERS: unknown[] = [NaN, Infinity, -Infinity, -1, -0, 0, 0.5, 1.5, 2 ** 31, 2 ** 53, 1e300, Number.MAX_VALUE, Number.MIN_VALUE];

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'Symbol()';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (v !== null && typeof v === 'object') return '{}';
  return Object.is(v, -0) ? '-0' : String(v);
}

/** A paused driver with one canary timer of each kind, and a check that they all fire on time. */
function withCanaries() {
  const d = new Driver({ paused: true });
  const log: string[] = [];
  const mark = (s: string) => () => log.push(`${s}@${d.now()}`);
  const t10 = d.setTimeout(mark('timeout'), 10);
  let n = 0;
  const iv = d.setInterval(() => { log.push(`interval@${d.now()}`); if (++n === 2) d.clearInterval(iv); }, 7);
  d.entry(12).pollElapsed(mark('entry'));
  void d.sleep(18).then(mark('sleep'));
  const q = new DelayQueue<string>({ driver: d });
  q.insert('item', 16);
  const gone = d.setTimeout(mark('never'), 5);
  d.clearTimeout(gone); //                                   a stale id to play with
  const snapshot = () => ({ stats: d.stats(), next: d.nextDeadline(), size: q.size });
  const verify = async () => {
    await d.advance(30);
    const item = q.pollExpired();
    expect(log).toEqual(['interval@7', 'timeout@10', 'entry@12', 'interval@14', 'sleep@18']);
    expect(item?.value).toBe('item');
  };
  return { d, q, t10, gone, snapshot, verify };
}

type Canaries = ReturnType<typeof withCanaries>;

interface Row { name: string; call: (c: Canaries) => unknown; err?: Ctor; arg?: string }
const rows: Row[] = [];

// ---- Driver options -------------------------------------------------------------------------

for (const v of [5, 'x', true, null, Symbol('o')]) rows.push({ name: `new Driver(${show(v)})`, call: () => new Driver(v as never), err: TypeError, arg: 'opts' });
for (const v of [null, 5, 'x', {}, { now: 5 }, () => 1]) rows.push({ name: `new Driver({ clock: ${show(v)} })`, call: () => new Driver({ clock: v as never }), err: TypeError, arg: 'clock' });
for (const v of [5, 'x', {}, null]) rows.push({ name: `new Driver({ onError: ${show(v)} })`, call: () => new Driver({ onError: v as never }), err: TypeError, arg: 'onError' });
for (const v of [NaN, -1, -Infinity, Infinity, 2 ** 26 + 1]) rows.push({ name: `new Driver({ initialCapacity: ${show(v)} })`, call: () => new Driver({ initialCapacity: v as never }), err: RangeError, arg: 'initialCapacity' });
// Not of type number: TypeError, as for delays (guarantee 8's rule, applied to every option).
for (const v of ['10', null, {}, true, 10n]) rows.push({ name: `new Driver({ initialCapacity: ${show(v)} })`, call: () => new Driver({ initialCapacity: v as never }), err: TypeError, arg: 'initialCapacity' });
for (const k of ['paused', 'autoAdvance'] as const) {
  for (const v of ['yes', 1, 0, null, {}]) rows.push({ name: `new Driver({ ${k}: ${show(v)} })`, call: () => new Driver({ paused: true, [k]: v as never }), err: TypeError, arg: k });
}
// A DelayQueue's capacity follows the same rule.
for (const v of [NaN, -1, Infinity, 2 ** 26 + 1]) rows.push({ name: `new DelayQueue({ capacity: ${show(v)} })`, call: () => new DelayQueue({ capacity: v as never }), err: RangeError, arg: 'capacity' });
for (const v of ['10', null, {}, true]) rows.push({ name: `new DelayQueue({ capacity: ${show(v)} })`, call: () => new DelayQueue({ capacity: v as never }), err: TypeError, arg: 'capacity' });

// ---- the façade: callbacks ------------------------------------------------------------------

for (const v of [undefined, null, 5, 'alert(1)', {}, Symbol('cb'), 10n]) {
  rows.push({ name: `setTimeout(${show(v)}, 1)`, call: ({ d }) => d.setTimeout(v as never, 1), err: TypeError, arg: 'cb' });
  rows.push({ name: `setInterval(${show(v)}, 1)`, call: ({ d }) => d.setInterval(v as never, 1), err: TypeError, arg: 'cb' });
}
// A delay that cannot be converted to a number: TypeError, as Node's `after *= 1` throws.
rows.push({ name: 'setTimeout(cb, Symbol())', call: ({ d }) => d.setTimeout(() => {}, Symbol('ms') as never), err: TypeError });
rows.push({ name: 'setInterval(cb, Symbol())', call: ({ d }) => d.setInterval(() => {}, Symbol('ms') as never), err: TypeError });

// ---- ids: clear / refresh / unref / ref of anything that is not a pending id: a no-op -------

const idCases: Array<[string, (c: Canaries) => unknown]> = [
  ...[...NOT_NUMBERS, ...EDGE_NUMBERS].map((v) => [show(v), () => v] as [string, (c: Canaries) => unknown]),
  ['a stale id (cleared)', (c) => c.gone],
  ['a forged id (next generation)', (c) => c.t10 + 2 ** 26],
  ['a forged id (previous generation)', (c) => c.t10 - 2 ** 26],
  ['a forged id (next slot)', (c) => c.t10 + 1],
  ['a forged id (fraction)', (c) => c.t10 + 0.5],
  ['a forged id (negated)', (c) => -c.t10],
  ['an id of another driver', () => foreignId],
];
let foreignId = 0;
for (const fn of ['clearTimeout', 'clearInterval', 'refreshTimeout', 'unrefTimeout', 'refTimeout'] as const) {
  for (const [label, value] of idCases) {
    rows.push({ name: `${fn}(${label})`, call: (c) => { (c.d[fn] as (id: unknown) => void)(value(c)); } });
  }
}

// ---- TimerEntry -------------------------------------------------------------------------------

for (const v of NOT_NUMBERS) rows.push({ name: `entry(${show(v)})`, call: ({ d }) => d.entry(v as never), err: TypeError, arg: 'deadline' });
for (const v of [NaN, -Infinity]) rows.push({ name: `entry(${show(v)})`, call: ({ d }) => d.entry(v as never), err: RangeError, arg: 'deadline' });
for (const v of [undefined, null, 5, 'x', {}, Symbol('w')]) {
  rows.push({ name: `entry.pollElapsed(${show(v)})`, call: ({ d }) => entryOf(d).pollElapsed(v as never), err: TypeError, arg: 'waker' });
}
for (const v of NOT_NUMBERS) rows.push({ name: `entry.reset(${show(v)})`, call: ({ d }) => entryOf(d).reset(v as never), err: TypeError, arg: 'deadline' });
for (const v of [NaN, -Infinity]) rows.push({ name: `entry.reset(${show(v)})`, call: ({ d }) => entryOf(d).reset(v as never), err: RangeError, arg: 'deadline' });

/** The canary entry's driver holds one entry at 12; a second one, made before the snapshot, is what the bad call touches. */
const spare = new WeakMap<Driver, ReturnType<Driver['entry']>>();
function entryOf(d: Driver): ReturnType<Driver['entry']> {
  return spare.get(d)!;
}

// ---- advance and runUntilIdle ----------------------------------------------------------------

for (const v of NOT_NUMBERS) rows.push({ name: `advance(${show(v)})`, call: ({ d }) => d.advance(v as never), err: TypeError, arg: 'ms' });
for (const v of [NaN, -1, -0.5, -Infinity, Infinity, 2 ** 43]) rows.push({ name: `advance(${show(v)})`, call: ({ d }) => d.advance(v as never), err: RangeError, arg: 'ms' });

describe('bad input: the typed error naming the argument (or a no-op), and the driver intact', () => {
  const other = new Driver({ paused: true });
  foreignId = other.setTimeout(() => {}, 10);

  for (const row of rows) {
    it(`${row.name} → ${row.err ? `${row.err.name}${row.arg ? ` naming "${row.arg}"` : ''}` : 'no-op'}`, async () => {
      const c = withCanaries();
      const spareEntry = c.d.entry(25);
      let spareFired = -1;
      spareEntry.pollElapsed(() => { spareFired = c.d.now(); });
      spare.set(c.d, spareEntry);
      await c.d.advance(0); //                          every deadline fixed
      const before = c.snapshot();
      let thrown: unknown;
      let returned: unknown;
      try {
        returned = row.call(c);
      } catch (e) {
        thrown = e;
      }
      if (row.err) {
        expect(thrown).toBeInstanceOf(row.err);
        if (row.arg) expect((thrown as Error).message).toContain(`"${row.arg}"`);
        expect(returned).toBeUndefined(); //             thrown synchronously: no promise was made
      } else {
        expect(thrown).toBeUndefined();
      }
      expect(c.snapshot()).toEqual(before);
      await c.verify();
      expect(spareFired).toBe(25); //                    the entry a bad reset or poll touched kept its deadline and waker
      c.d.shutdown();
    });
  }

  it('the Driver constructor accepts the documented edges', () => {
    for (const cap of [0, -0, 1.5, 2 ** 16]) new Driver({ paused: true, initialCapacity: cap }).shutdown();
    new Driver({ clock: { now: () => 5 } }).shutdown();
    new Driver(undefined).shutdown();
  });
});

describe('the façade coerces delays as Node does (but honours delays past 2^31 - 1 up to the horizon)', () => {
  const cases: Array<[unknown, number]> = [
    [undefined, 1], [null, 1], [NaN, 1], [-5, 1], [-0, 1], [0, 1], [0.5, 1], [1, 1], [1.5, 2], ['10', 10], ['', 1], ['x', 1],
    [true, 1], [false, 1], [[], 1], [[7], 7], [{}, 1], [{ valueOf: () => 9 }, 9], [10n, 10], [-Infinity, 1],
    [2 ** 31, 2 ** 31], [HORIZON, HORIZON], [HORIZON + 5, HORIZON], [Infinity, HORIZON], [1e300, HORIZON], [Number.MAX_VALUE, HORIZON],
  ];
  for (const [ms, tick] of cases) {
    it(`setTimeout(cb, ${show(ms)}) fires at ${tick}; setInterval(cb, ${show(ms)}) every ${tick}`, async () => {
      const d = new Driver({ paused: true });
      const fired: number[] = [];
      d.setTimeout(() => fired.push(d.now()), ms as never);
      let n = 0;
      const iv = d.setInterval(() => { fired.push(-d.now()); if (++n === 2) d.clearInterval(iv); }, ms as never);
      await d.advance(tick - 1);
      expect(fired).toEqual([]);
      await d.advance(1);
      expect(fired.sort((a, b) => Math.abs(a) - Math.abs(b) || b - a)).toEqual([tick, -tick]);
      if (2 * tick <= 2 ** 43 - 2 ** 37) {
        await d.advance(tick);
        expect(fired).toContain(-2 * tick);
      }
      d.shutdown();
    });
  }

  it('extra arguments are passed; `this` is undefined', async () => {
    const d = new Driver({ paused: true });
    const seen: unknown[] = [];
    d.setTimeout(function (this: unknown, ...a: unknown[]) { seen.push(this, ...a); }, 1, 'a', 2, undefined);
    await d.advance(1);
    expect(seen).toEqual([undefined, 'a', 2, undefined]);
    d.shutdown();
  });
});

describe('module-level façade (the default driver)', () => {
  it('checks the callback, ignores every id that is not pending, and clears what it scheduled', () => {
    const d = tw.defaultDriver();
    for (const v of [undefined, 5, 'x', {}]) {
      const before = d.stats();
      expect(() => tw.setTimeout(v as never, 1)).toThrow(TypeError);
      expect(() => tw.setInterval(v as never, 1)).toThrow(/"cb"/);
      expect(d.stats()).toEqual(before);
    }
    const id = tw.setTimeout(() => {}, 60_000);
    const iv = tw.setInterval(() => {}, 60_000);
    const before = d.stats();
    for (const v of [undefined, null, NaN, -1, 0, 1.5, '1', {}, id + 2 ** 26, id + 1, foreignId]) {
      tw.clearTimeout(v as never);
      tw.clearInterval(v as never);
      tw.refreshTimeout(v as never);
      tw.unrefTimeout(v as never);
      tw.refTimeout(v as never);
    }
    expect(d.stats()).toEqual(before);
    tw.clearTimeout(id);
    tw.clearInterval(iv);
    expect(d.stats().pending).toBe(before.pending - 2);
  });
});

describe('after shutdown', () => {
  it('scheduling throws ShutdownError; now, stats, nextDeadline and the clear functions stay usable', async () => {
    const d = new Driver({ paused: true });
    const id = d.setTimeout(() => {}, 10);
    const e = d.entry(20);
    d.shutdown();
    for (const call of [
      () => d.setTimeout(() => {}, 1), () => d.setInterval(() => {}, 1), () => d.entry(1), () => d.sleep(1),
      () => d.sleepUntil(1), () => d.timeout(1, Promise.resolve()), () => d.interval(1), () => d.advance(1),
      () => d.runUntilIdle(), () => d.refreshTimeout(id), () => e.reset(5), () => new DelayQueue({ driver: d }),
    ]) {
      expect(call).toThrow(ShutdownError);
    }
    expect(() => { d.now(); d.stats(); d.nextDeadline(); d.clearTimeout(id); d.clearInterval(id); d.unrefTimeout(id); d.refTimeout(id); e.cancel(); }).not.toThrow();
    expect(d.stats().pending).toBe(0);
  });

  it('advance and runUntilIdle need a paused driver: a plain Error, nothing changed', () => {
    const d = new Driver();
    d.setTimeout(() => {}, 60_000);
    const before = d.stats();
    expect(() => d.advance(1)).toThrow(/paused/);
    expect(() => d.runUntilIdle()).toThrow(/paused/);
    expect(d.stats()).toEqual(before);
    d.shutdown();
  });
});

describe('security', () => {
  it('the built bundles contain no eval, new Function or Function( (run `npm run build` first)', () => {
    const root = resolve(import.meta.dirname, '..');
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      const path = resolve(root, file);
      expect(existsSync(path), `${file} is missing: npm run build`).toBe(true);
      const src = readFileSync(path, 'utf8');
      expect(src).not.toMatch(/\beval\s*\(/);
      expect(src).not.toMatch(/new\s+Function\b/);
      expect(src).not.toMatch(/(?<![\w$.])Function\s*\(/);
    }
  });

  it('the hot path looks up no property of a user-supplied callback or argument', async () => {
    const d = new Driver({ paused: true });
    let lookups = 0;
    const trap = {
      get() { lookups++; return undefined; }, has() { lookups++; return false; },
      getOwnPropertyDescriptor() { lookups++; return undefined; }, ownKeys() { lookups++; return []; },
      getPrototypeOf() { lookups++; return null; },
    };
    let calls = 0;
    const cb = new Proxy(function (..._a: unknown[]) { calls++; }, trap);
    const arg = new Proxy({}, trap);
    for (let i = 0; i < 100; i++) d.setTimeout(cb, 1 + (i % 5));
    d.setTimeout(cb, 3, arg, arg);
    const iv = d.setInterval(cb, 2);
    await d.advance(10);
    d.clearInterval(iv);
    expect(calls).toBe(101 + 5);
    expect(lookups).toBe(0);
    d.shutdown();
  });

  it('forged ids never reach another timer: 2 × 10^4 random numbers and near-misses against 4096 live timers', async () => {
    const d = new Driver({ paused: true });
    const ids: number[] = [];
    let fired = 0;
    for (let i = 0; i < 4096; i++) ids.push(d.setTimeout(() => { fired++; }, 100 + i));
    await d.advance(0);
    const valid = new Set(ids);
    const forged = fc.sample(fc.oneof(fc.double(), fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 2 ** 26, max: 2 ** 31 })), { seed: 7, numRuns: 10_000 });
    for (const id of ids) forged.push(id + 2 ** 26, id - 2 ** 26, id + 1, id + 0.5, -id);
    let hits = 0;
    for (const id of forged) {
      if (valid.has(id)) { hits++; continue; }
      d.clearTimeout(id);
      d.refreshTimeout(id);
      d.unrefTimeout(id);
    }
    expect(hits).toBeLessThan(3);
    expect(d.stats()).toMatchObject({ pending: 4096, cancelled: 0 });
    await d.advance(5000);
    expect(fired).toBe(4096);
    d.shutdown();
  });
});

describe('core bugs found by these tests (regressions; fixed in 4f9b239)', () => {
  it('core bug 9: a DelayQueue key of another queue (same driver or another) names nothing there', () => {
    // Keys are gen * 2^26 + idx, and every queue's generations used to start at 1, so the
    // first key of every queue was 67108864: B.remove(a key of A) took B's item.
    const d = new Driver({ paused: true });
    const a = new DelayQueue<string>({ driver: d });
    const b = new DelayQueue<string>({ driver: d });
    const ka = a.insert('a', 10);
    b.insert('b', 10);
    const d2 = new Driver({ paused: true });
    const c = new DelayQueue<string>({ driver: d2 });
    c.insert('c', 10);
    const wrong: string[] = [];
    try { wrong.push(`b.remove(a's key) took ${JSON.stringify(b.remove(ka).value)}`); } catch (e) { expect(e).toBeInstanceOf(RangeError); }
    const t = c.tryRemove(ka);
    if (t !== undefined) wrong.push(`c.tryRemove(a's key) took ${JSON.stringify(t.value)}`);
    expect(wrong).toEqual([]);
    expect([a.size, b.size, c.size]).toEqual([1, 1, 1]);
    d.shutdown();
    d2.shutdown();
  });
});
