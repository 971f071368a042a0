// Guarantee 8 for the Tokio-style API: bad input is thrown synchronously (no promise is
// made), names the argument, and leaves the driver (and the queue) unchanged.
import { describe, expect, it } from 'vitest';
import * as tw from '../src/index';
import { DelayQueue, Driver, HORIZON, type Key, type MissedTickBehavior } from '../src/index';

type Ctor = typeof TypeError | typeof RangeError;

const notNumbers: unknown[] = ['10', null, undefined, {}, [], 10n, Symbol('ms'), true, () => 1];
const badDelays: unknown[] = [NaN, -1, -0.5, -Infinity];
const badDeadlines: unknown[] = [NaN, -Infinity];
const badPeriods: unknown[] = [0, -0, -1, NaN, Infinity, -Infinity];
const badWorks: unknown[] = [42, null, undefined, {}, 'work', { then: 1 }];

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'Symbol';
  if (typeof v === 'function') return 'fn';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[]';
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return Object.is(v, -0) ? '-0' : String(v);
}

/** What each bad call runs against; all of it exists before the call. */
interface Ctx { d: Driver; q: DelayQueue<string>; k: Key; s: tw.Sleep; iv: tw.Interval }
interface Row { what: string; value: unknown; call: (c: Ctx) => unknown; err: Ctor; arg: string }
const rows: Row[] = [];
const add = (what: string, values: unknown[], err: Ctor, arg: string, call: (v: any, d: Driver, q: DelayQueue<string>, k: Key, c: Ctx) => unknown) => {
  for (const value of values) rows.push({ what, value, err, arg, call: (c) => call(value, c.d, c.q, c.k, c) });
};

const forever = new Promise<never>(() => {});

// delays (ms): TypeError for non-numbers, RangeError for NaN / negative / -Infinity
for (const [what, call] of [
  ['sleep', (v: any, d: Driver) => d.sleep(v)],
  ['timeout', (v: any, d: Driver) => d.timeout(v, forever)],
  ['Interval#resetAfter', (v: any, _d: Driver, _q: unknown, _k: unknown, c: Ctx) => c.iv.resetAfter(v)],
  ['DelayQueue#insert', (v: any, _d: Driver, q: DelayQueue<string>) => q.insert('x', v)],
  ['DelayQueue#reset', (v: any, _d: Driver, q: DelayQueue<string>, k: Key) => q.reset(k, v)],
] as const) {
  add(what, notNumbers, TypeError, 'ms', call);
  add(what, badDelays, RangeError, 'ms', call);
}
// deadlines: TypeError for non-numbers, RangeError for NaN / -Infinity (past instants are fine)
for (const [what, call] of [
  ['sleepUntil', (v: any, d: Driver) => d.sleepUntil(v)],
  ['timeoutAt', (v: any, d: Driver) => d.timeoutAt(v, forever)],
  ['Sleep#reset', (v: any, _d: Driver, _q: unknown, _k: unknown, c: Ctx) => c.s.reset(v)],
  ['Interval#resetAt', (v: any, _d: Driver, _q: unknown, _k: unknown, c: Ctx) => c.iv.resetAt(v)],
  ['DelayQueue#insertAt', (v: any, _d: Driver, q: DelayQueue<string>) => q.insertAt('x', v)],
  ['DelayQueue#resetAt', (v: any, _d: Driver, q: DelayQueue<string>, k: Key) => q.resetAt(k, v)],
] as const) {
  add(what, notNumbers, TypeError, 'deadline', call);
  add(what, badDeadlines, RangeError, 'deadline', call);
}
add('intervalAt start', notNumbers, TypeError, 'start', (v, d) => d.intervalAt(v, 10));
add('intervalAt start', badDeadlines, RangeError, 'start', (v, d) => d.intervalAt(v, 10));
// periods: TypeError for non-numbers, RangeError for zero, negative, NaN, ±Infinity
add('interval', notNumbers, TypeError, 'periodMs', (v, d) => d.interval(v));
add('interval', badPeriods, RangeError, 'periodMs', (v, d) => d.interval(v));
add('intervalAt period', notNumbers, TypeError, 'periodMs', (v, d) => d.intervalAt(0, v));
add('intervalAt period', badPeriods, RangeError, 'periodMs', (v, d) => d.intervalAt(0, v));
// work: a promise (thenable) or a function
add('timeout work', badWorks, TypeError, 'work', (v, d) => d.timeout(10, v));
add('timeoutAt work', badWorks, TypeError, 'work', (v, d) => d.timeoutAt(10, v));
// options
for (const [what, call] of [
  ['sleep', (o: any, d: Driver) => d.sleep(10, o)],
  ['sleepUntil', (o: any, d: Driver) => d.sleepUntil(10, o)],
  ['timeout', (o: any, d: Driver) => d.timeout(10, forever, o)],
  ['timeoutAt', (o: any, d: Driver) => d.timeoutAt(10, forever, o)],
  ['interval', (o: any, d: Driver) => d.interval(10, o)],
  ['intervalAt', (o: any, d: Driver) => d.intervalAt(0, 10, o)],
] as const) {
  add(`${what} opts`, [5, 'x', null], TypeError, 'opts', call);
  add(`${what} signal`, [{ signal: {} }, { signal: 'abort' }, { signal: null }], TypeError, 'signal', call);
}
add('sleep ref', [{ ref: 'no' }, { ref: 0 }], TypeError, 'ref', (o, d) => d.sleep(10, o));
add('interval missedTickBehavior', [{ missedTickBehavior: 3 }], TypeError, 'missedTickBehavior', (o, d) => d.interval(10, o));
add('interval missedTickBehavior', [{ missedTickBehavior: 'Burst' }, { missedTickBehavior: '' }], RangeError, 'missedTickBehavior', (o, d) => d.interval(10, o));
add('Interval#missedTickBehavior=', ['never'], RangeError, 'missedTickBehavior', (v, _d, _q, _k, c) => { c.iv.missedTickBehavior = v as MissedTickBehavior; });
// keys
add('DelayQueue#remove key', ['1', null, {}], TypeError, 'key', (v, _d, q) => q.remove(v));
add('DelayQueue#remove key', [0, -1, 1.5, NaN, 2 ** 60], RangeError, 'key', (v, _d, q) => q.remove(v));
add('DelayQueue#deadline key', [7], RangeError, 'key', (v, _d, q) => q.deadline(v));

/** A fingerprint of everything a bad call could have changed. */
function snapshot(c: Ctx) {
  return {
    stats: c.d.stats(), next: c.d.nextDeadline(), size: c.q.size, deadline: c.q.deadline(c.k), peek: c.q.peek(),
    sleep: [c.s.deadline, c.s.isElapsed], interval: [c.iv.period, c.iv.missedTickBehavior],
  };
}

describe('bad input: thrown synchronously, named, driver unchanged', () => {
  for (const row of rows) {
    it(`${row.what}(${show(row.value)}) → ${row.err.name} naming "${row.arg}"`, async () => {
      const d = new Driver({ paused: true });
      const q = new DelayQueue<string>({ driver: d });
      const k = q.insert('keep', 50);
      const s = d.sleep(30);
      const iv = d.interval(10);
      await iv.tick();
      const p = iv.tick(); // a pending tick: its timer must stay where it is
      const c: Ctx = { d, q, k, s, iv };
      const before = snapshot(c);
      let thrown: unknown;
      let returned: unknown;
      try {
        returned = row.call(c);
      } catch (e) {
        thrown = e;
      }
      expect(returned).toBeUndefined(); // no promise (nor anything else) was made
      expect(thrown).toBeInstanceOf(row.err);
      expect((thrown as Error).message).toContain(`"${row.arg}"`);
      await Promise.resolve();
      expect(snapshot(c)).toEqual(before);
      await d.advance(10);
      expect(await p).toBe(10); // the interval's schedule was not touched
      d.shutdown();
    });
  }

  it('a Sleep or Interval keeps its deadline after a bad reset', async () => {
    const d = new Driver({ paused: true });
    const s = d.sleep(10);
    expect(() => s.reset(NaN)).toThrow(RangeError);
    expect(s.deadline).toBe(10);
    expect(d.stats().pending).toBe(1);
    const iv = d.interval(10);
    await iv.tick();
    expect(() => iv.resetAt(-Infinity)).toThrow(RangeError);
    expect(() => iv.resetAfter(-1)).toThrow(RangeError);
    d.shutdown();
  });

  it('a bad timeout does not call its work function', () => {
    const d = new Driver({ paused: true });
    let called = 0;
    const work = () => { called++; return forever; };
    expect(() => d.timeout(NaN, work)).toThrow(RangeError);
    expect(() => d.timeoutAt('1' as unknown as number, work)).toThrow(TypeError);
    expect(() => d.timeout(1, work, { signal: {} as AbortSignal })).toThrow(TypeError);
    expect(called).toBe(0);
    d.shutdown();
  });

  it('DelayQueue constructor options are checked', () => {
    expect(() => new DelayQueue(5 as never)).toThrow(TypeError);
    expect(() => new DelayQueue({ driver: {} as Driver })).toThrow(TypeError);
    expect(() => new DelayQueue({ capacity: -1 })).toThrow(RangeError);
  });
});

describe('the module-level functions check the same way, on the default driver', () => {
  const d = tw.defaultDriver();
  const calls: Array<[string, () => unknown, Ctor, string]> = [
    ['sleep("1")', () => tw.sleep('1' as never), TypeError, 'ms'],
    ['sleep(-1)', () => tw.sleep(-1), RangeError, 'ms'],
    ['sleepUntil(NaN)', () => tw.sleepUntil(NaN), RangeError, 'deadline'],
    ['timeout(NaN)', () => tw.timeout(NaN, forever), RangeError, 'ms'],
    ['timeout(1, 5)', () => tw.timeout(1, 5 as never), TypeError, 'work'],
    ['timeoutAt(-Infinity)', () => tw.timeoutAt(-Infinity, forever), RangeError, 'deadline'],
    ['interval(0)', () => tw.interval(0), RangeError, 'periodMs'],
    ['interval(Infinity)', () => tw.interval(Infinity), RangeError, 'periodMs'],
    ['intervalAt(null, 1)', () => tw.intervalAt(null as never, 1), TypeError, 'start'],
    ['intervalAt(0, "5")', () => tw.intervalAt(0, '5' as never), TypeError, 'periodMs'],
  ];
  for (const [name, call, err, arg] of calls) {
    it(`${name} → ${err.name} naming "${arg}"`, () => {
      const before = d.stats();
      expect(call).toThrow(err);
      expect(call).toThrow(`"${arg}"`);
      expect(d.stats()).toEqual(before);
    });
  }
});

describe('edge values that are not errors', () => {
  it('+Infinity delays and deadlines are clamped to the horizon; 0 and past instants are due at once', async () => {
    const d = new Driver({ paused: true });
    expect(d.sleep(Infinity).deadline).toBe(HORIZON);
    expect(d.sleepUntil(Infinity).deadline).toBe(HORIZON);
    expect(d.sleepUntil(-100).deadline).toBe(-100);
    const zero = d.sleep(0);
    const past = d.sleepUntil(-100);
    await d.advance(0);
    expect([zero.isElapsed, past.isElapsed]).toEqual([true, true]);
    const t = d.timeout(Infinity, forever);
    void t.catch(() => undefined);
    const q = new DelayQueue<number>({ driver: d });
    expect(q.deadline(q.insert(1, Infinity))).toBe(HORIZON);
    expect(q.deadline(q.insert(2, -0))).toBe(0);
    d.shutdown();
  });

  it('a fractional period is fine', async () => {
    const d = new Driver({ paused: true, autoAdvance: true });
    const iv = d.interval(0.5);
    expect([await iv.tick(), await iv.tick(), await iv.tick()]).toEqual([0, 0.5, 1]);
    d.shutdown();
  });
});
