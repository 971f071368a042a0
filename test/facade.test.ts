// The Node/HTML-compatible façade: ids, coercion, arguments, intervals, refresh, clearing.
import { describe, expect, it } from 'vitest';
import * as tw from '../src/index';
import { Driver } from '../src/index';

const paused = () => new Driver({ paused: true });

describe('setTimeout ids', () => {
  it('are positive integers, distinct while pending', () => {
    const d = paused();
    const ids = Array.from({ length: 1000 }, () => d.setTimeout(() => {}, 10));
    for (const id of ids) expect(Number.isInteger(id) && id > 0).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are stale-safe: clearing an old id never clears the timer that reused its slot', async () => {
    const d = paused();
    const fired: string[] = [];
    const old = d.setTimeout(() => fired.push('old'), 5);
    d.clearTimeout(old);
    d.setTimeout(() => fired.push('other'), 5);
    await d.advance(5); // old's dead entry is reaped at its tick, 'other' fires: both slots are freed
    const fresh = [d.setTimeout(() => fired.push('new'), 5), d.setTimeout(() => fired.push('new'), 5)];
    expect(fresh.map((id) => id & (2 ** 26 - 1))).toContain(old & (2 ** 26 - 1)); // same slot, new generation
    d.clearTimeout(old);
    d.clearTimeout(old + 0); // still the old generation
    await d.advance(10);
    expect(fired).toEqual(['other', 'new', 'new']);
  });

  it('ids of another driver, forged or malformed ids are ignored', async () => {
    const a = paused();
    const b = paused();
    let n = 0;
    const id = a.setTimeout(() => n++, 5);
    for (const bad of [id + 1, id - 1, id * 2, id + 0.5, -id, 0, NaN, Infinity, 2 ** 60]) a.clearTimeout(bad);
    b.clearTimeout(id); // foreign
    const bIds = Array.from({ length: 100 }, () => b.setTimeout(() => {}, 5));
    for (const x of bIds) a.clearTimeout(x);
    await a.advance(5);
    expect(n).toBe(1);
    expect(a.stats().cancelled).toBe(0);
  });
});

describe('setTimeout delays (coerced like Node)', () => {
  const cases: Array<[unknown, number]> = [
    [undefined, 1], [NaN, 1], [0, 1], [-5, 1], [0.5, 1], ['25', 25], [null, 1], [true, 1], [1.5, 2],
    [2 ** 31 - 1, 2 ** 31 - 1], [2 ** 31, 2 ** 31], [2 ** 36 - 1, 2 ** 36 - 1], [Infinity, 2 ** 36 - 1], [2 ** 40, 2 ** 36 - 1],
  ];
  for (const [ms, at] of cases) {
    it(`${String(ms)} ms fires at ${at}`, async () => {
      const d = paused();
      let when = -1;
      d.setTimeout(() => { when = d.now(); }, ms as number);
      await d.advance(at - 1);
      expect(when).toBe(-1);
      await d.advance(1);
      expect(when).toBe(at);
    });
  }

  it('rejects a callback that is not a function, naming it, and changes nothing', () => {
    const d = paused();
    for (const bad of [undefined, null, 5, 'x', {}, Symbol('s')]) {
      expect(() => d.setTimeout(bad as never, 5)).toThrow(TypeError);
      expect(() => d.setTimeout(bad as never, 5)).toThrow(/"cb"/);
      expect(() => d.setInterval(bad as never, 5)).toThrow(TypeError);
    }
    expect(d.stats().pending).toBe(0);
  });
});

describe('callbacks', () => {
  it('get the extra arguments and `this` undefined', async () => {
    const d = paused();
    let got: unknown[] = [];
    let self: unknown = 'unset';
    d.setTimeout(function (this: unknown, ...a: unknown[]) { got = a; self = this; }, 1, 'a', 2, null);
    await d.advance(1);
    expect(got).toEqual(['a', 2, null]);
    expect(self).toBeUndefined();
  });

  it('run in deadline order, equal ticks in scheduling order', async () => {
    const d = paused();
    const log: string[] = [];
    d.setTimeout(() => log.push('c'), 20);
    d.setTimeout(() => log.push('a1'), 10);
    d.setTimeout(() => log.push('b'), 15);
    d.setTimeout(() => log.push('a2'), 10);
    d.setTimeout(() => log.push('a3'), 9.5); // rounds up to tick 10, scheduled last
    await d.advance(30);
    expect(log).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
  });

  it('equal ticks after a refresh fire in last-reset order', async () => {
    const d = paused();
    const log: string[] = [];
    const a = d.setTimeout(() => log.push('a'), 100);
    d.setTimeout(() => log.push('b'), 100);
    d.refreshTimeout(a); // same tick (the clock has not moved), but now after b
    await d.advance(100);
    expect(log).toEqual(['b', 'a']);
  });

  it('a refresh from a later instant keeps order among equal ticks', async () => {
    const d = paused();
    const log: string[] = [];
    const a = d.setTimeout(() => log.push('a'), 100); // tick 100
    await d.advance(50);
    d.setTimeout(() => log.push('b'), 100); // tick 150
    await d.advance(10);
    d.setTimeout(() => log.push('c'), 90); // tick 150
    d.refreshTimeout(a); // tick 160
    await d.advance(200);
    expect(log).toEqual(['b', 'c', 'a']);
  });
});

describe('a façade delay and a clock reading after it (default clock)', () => {
  const busy = (ms: number) => { const t = performance.now(); while (performance.now() - t < ms); };

  it('count from that reading, not from the end of the synchronous run: order with sleeps holds', async () => {
    const d = new Driver();
    const log: string[] = [];
    d.setTimeout(() => log.push('A'), 2);
    const s = d.sleep(20).then(() => log.push('s')); // reads the clock: A counts from here
    busy(30);
    await s;
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['A', 's']);
    // Inside a callback too.
    const log2: string[] = [];
    let done!: () => void;
    const both = new Promise<void>((r) => { done = r; });
    d.setTimeout(() => {
      d.setTimeout(() => { log2.push('B'); if (log2.length === 2) done(); }, 2);
      void d.sleep(20).then(() => { log2.push('s'); if (log2.length === 2) done(); });
      busy(30);
    }, 1);
    await both;
    expect(log2).toEqual(['B', 's']);
    d.shutdown();
  });

  it('now() fixes the queued delays at its reading; never early all the same', async () => {
    const d = new Driver();
    let firedAt = -1;
    const t0 = d.now();
    d.setTimeout(() => { firedAt = d.now(); }, 20);
    const t1 = d.now(); // fixes it: due at t1 + 20
    busy(15);
    expect(d.nextDeadline()).toBe(Math.ceil(t1 + 20)); // not counted from after the busy loop
    await new Promise((r) => setTimeout(r, 40));
    expect(firedAt).toBeGreaterThanOrEqual(t0 + 20);
    d.shutdown();
  });
});

describe('clearTimeout / clearInterval', () => {
  it('is a no-op for undefined, unknown, stale ids and twice', async () => {
    const d = paused();
    let n = 0;
    const id = d.setTimeout(() => n++, 5);
    d.clearTimeout(undefined);
    d.clearTimeout(12345);
    d.clearInterval('x' as never);
    d.clearTimeout(id);
    d.clearTimeout(id);
    await d.advance(10);
    expect(n).toBe(0);
    expect(d.stats().cancelled).toBe(1);
  });

  it('a timer cleared by an earlier callback of the same tick never runs', async () => {
    const d = paused();
    const log: string[] = [];
    let b = 0;
    d.setTimeout(() => { log.push('a'); d.clearTimeout(b); }, 5);
    b = d.setTimeout(() => log.push('b'), 5);
    await d.advance(5);
    expect(log).toEqual(['a']);
  });
});

describe('clearTimeout of a numeric string', () => {
  it('clears the id it spells, as Node and browsers do; other strings are no-ops', async () => {
    const d = paused();
    const log: string[] = [];
    const a = d.setTimeout(() => log.push('a'), 5);
    d.setTimeout(() => log.push('b'), 5);
    const c = d.setInterval(() => log.push('c'), 5);
    d.clearTimeout(String(a) as unknown as number);
    d.clearInterval(String(c) as unknown as number);
    for (const junk of ['', ' ', 'x', 'NaN', '1e400']) d.clearTimeout(junk as unknown as number);
    await d.advance(5);
    expect(log).toEqual(['b']);
  });
});

describe('setInterval', () => {
  it('repeats every period until cleared, also from inside its callback', async () => {
    const d = paused();
    const at: number[] = [];
    const id = d.setInterval(() => { at.push(d.now()); if (at.length === 4) d.clearInterval(id); }, 25);
    await d.advance(500);
    expect(at).toEqual([25, 50, 75, 100]);
    expect(d.stats().pending).toBe(0);
  });

  it('counts each period from the start of the pass that ran it, as Node does', async () => {
    // A clock that runs in real time, plus 40 ms each time the callback "works" (no CPU burnt).
    const t0 = performance.now();
    let busy = 0;
    const d = new Driver({ clock: { now: () => performance.now() - t0 + busy } });
    const at: number[] = [];
    await new Promise<void>((done) => {
      const id = d.setInterval(() => {
        at.push(d.now());
        busy += 40;
        if (at.length === 3) { d.clearInterval(id); done(); }
      }, 50);
    });
    d.shutdown();
    for (let k = 1; k < 3; k++) {
      // One period after the previous start: a slow callback does not push the next run back
      // (counted from its end, the gap would be at least 90 ms).
      expect(at[k] - at[k - 1]).toBeGreaterThanOrEqual(49);
      expect(at[k] - at[k - 1]).toBeLessThan(85);
    }
  });

  it('a punctual interval keeps its period exactly: the pass\'s fraction of a ms is not added', async () => {
    let t = 0;
    const d = new Driver({ clock: { now: () => t } });
    const at: number[] = [];
    const id = d.setInterval(() => at.push(t), 10);
    t = 10.6; // the pass runs a little after the tick, as host timers do
    for (let i = 0; i < 100 && at.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(at).toEqual([10.6]);
    expect(d.nextDeadline()).toBe(20); // not 21: counted from the whole ms the pass ran at
    d.clearInterval(id);
    d.shutdown();
  });

  it('passes arguments on every run', async () => {
    const d = paused();
    const got: unknown[] = [];
    const id = d.setInterval((x: number) => got.push(x), 10, 7);
    await d.advance(30);
    d.clearInterval(id);
    expect(got).toEqual([7, 7, 7]);
  });
});

describe('refreshTimeout', () => {
  it('re-arms a pending timeout with its original delay, from now', async () => {
    const d = paused();
    let when = -1;
    const id = d.setTimeout(() => { when = d.now(); }, 100);
    await d.advance(60);
    d.refreshTimeout(id);
    await d.advance(99);
    expect(when).toBe(-1);
    await d.advance(1);
    expect(when).toBe(160);
  });

  it('delays over 2^32 - 2 ms, too big for the core\'s delay array, refresh exactly; so do the others while one exists', async () => {
    const d = paused();
    const at: Record<string, number> = {};
    const small = d.setTimeout(() => { at.small = d.now(); }, 100);
    await d.advance(10);
    d.refreshTimeout(small); // the flush reads the delay from the core: due 110
    expect(d.nextDeadline()).toBe(110);
    const big = d.setTimeout(() => { at.big = d.now(); }, 2 ** 33 + 0.5);
    await d.advance(10);
    d.refreshTimeout(small); // now the driver reads it: due 120
    d.refreshTimeout(big); // 20 + 2^33 + 0.5, so tick 20 + 2^33 + 1, not 20 + 2^32 - 1
    await d.advance(2 ** 34);
    expect(at).toEqual({ small: 120, big: 20 + 2 ** 33 + 1 });
  });

  it('a fractional delay is refreshed with its fraction, counted from the refresh', async () => {
    const d = paused();
    const at: number[] = [];
    const id = d.setTimeout(() => at.push(d.now()), 10.2);
    await d.advance(0.5);
    d.refreshTimeout(id); // 0.5 + 10.2 = 10.7: tick 11 (a delay rounded to 11 ms would give 12)
    expect(d.nextDeadline()).toBe(11);
    await d.advance(10.4);
    expect(at).toEqual([]);
    await d.advance(0.1);
    expect(at).toEqual([11]);
    // Armed at 11: 21.2, tick 22; refreshed from inside its callback at 22: 32.2, tick 33.
    const again = d.setTimeout(() => { at.push(d.now()); if (at.length === 2) d.refreshTimeout(again); }, 10.2);
    await d.advance(30);
    expect(at).toEqual([11, 22, 33]);
  });

  it('ignores cleared, fired and unknown ids', async () => {
    const d = paused();
    let n = 0;
    const id = d.setTimeout(() => n++, 10);
    await d.advance(10);
    d.refreshTimeout(id);
    d.refreshTimeout(999);
    await d.advance(100);
    expect(n).toBe(1);
    expect(d.stats().pending).toBe(0);
  });

  it('a refresh from inside its own callback re-arms it (as Node allows)', async () => {
    const d = paused();
    const at: number[] = [];
    const id = d.setTimeout(() => { at.push(d.now()); if (at.length < 3) d.refreshTimeout(id); }, 10);
    await d.advance(100);
    expect(at).toEqual([10, 20, 30]);
  });

  it('a refreshed timer of the running tick waits for its new deadline', async () => {
    const d = paused();
    const log: string[] = [];
    let b = 0;
    d.setTimeout(() => { log.push(`a@${d.now()}`); d.refreshTimeout(b); }, 10);
    b = d.setTimeout(() => log.push(`b@${d.now()}`), 10);
    await d.advance(50);
    expect(log).toEqual(['a@10', 'b@20']);
  });
});

describe('module-level façade', () => {
  it('runs on the default driver and in real time', async () => {
    expect(tw.defaultDriver()).toBe(tw.defaultDriver());
    const t0 = tw.now();
    const args = await new Promise<unknown[]>((resolve) => tw.setTimeout((...a: unknown[]) => resolve(a), 5, 1, 2));
    expect(args).toEqual([1, 2]);
    expect(tw.now() - t0).toBeGreaterThanOrEqual(5);
    let n = 0;
    const id = tw.setTimeout(() => n++, 1);
    tw.clearTimeout(id);
    const iv = tw.setInterval(() => { n += 10; if (n >= 20) tw.clearInterval(iv); }, 1);
    await new Promise((r) => globalThis.setTimeout(r, 40));
    expect(n).toBe(20);
  });

  it('Driver methods are bound to their driver', async () => {
    const d = paused();
    const { setTimeout, clearTimeout, advance, now } = d;
    let n = 0;
    const id = setTimeout(() => n++, 5);
    setTimeout(() => n += 10, 5);
    clearTimeout(id);
    await advance(5);
    expect(n).toBe(10);
    expect(now()).toBe(5);
  });
});

describe('a timer whose callback already ran in this batch', () => {
  it('is no longer pending: clearing it counts nothing, refreshing it does nothing', async () => {
    const d = paused();
    const log: string[] = [];
    let a = 0;
    a = d.setTimeout(() => log.push('a'), 5);
    d.setTimeout(() => { d.clearTimeout(a); d.refreshTimeout(a); log.push('b'); }, 5);
    await d.advance(100);
    expect(log).toEqual(['a', 'b']);
    expect(d.stats()).toMatchObject({ pending: 0, fired: 2, cancelled: 0 });
  });
});

// Outside callbacks, clearTimeout and refreshTimeout are records in the queue that the next
// checkpoint flushes (the core checks and applies them in wasm). Everything that reads a
// timer's state must see them applied first, and they keep their place among registrations.
describe('cancels and refreshes queued for the checkpoint', () => {
  it('keep their order among registrations of the same batch', async () => {
    const d = paused();
    const log: string[] = [];
    const a = d.setTimeout(() => log.push('a'), 5);
    const b = d.setTimeout(() => log.push('b'), 5);
    await d.advance(1); // a and b are in the wheel, due at 5
    d.setTimeout(() => log.push('c'), 5); //  due at 6
    d.refreshTimeout(a); //                  due at 6, after c
    d.setTimeout(() => log.push('d'), 5); // due at 6, after a
    d.refreshTimeout(b); //                  due at 6, last
    await d.advance(10);
    expect(log).toEqual(['c', 'a', 'd', 'b']);
  });

  it('a cancel made between two timers of one batch (test clock) stops the second', async () => {
    const d = paused();
    const log: string[] = [];
    let second = 0;
    d.setTimeout(() => { log.push('first'); queueMicrotask(() => d.clearTimeout(second)); }, 5);
    second = d.setTimeout(() => log.push('second'), 5);
    await d.advance(5);
    expect(log).toEqual(['first']);
    expect(d.stats()).toMatchObject({ pending: 0, fired: 1, cancelled: 1 });
  });

  it('a refresh made between two timers of one batch moves the second to its new deadline', async () => {
    const d = paused();
    const log: number[] = [];
    let second = 0;
    d.setTimeout(() => queueMicrotask(() => d.refreshTimeout(second)), 5);
    second = d.setTimeout(() => log.push(d.now()), 5);
    await d.advance(5);
    expect(log).toEqual([]);
    await d.advance(10);
    expect(log).toEqual([10]);
  });

  it('count in stats() at once, also when the driver shuts down before the checkpoint', () => {
    const d = paused();
    const ids = Array.from({ length: 3 }, () => d.setTimeout(() => {}, 5));
    d.clearTimeout(ids[0]);
    expect(d.stats()).toMatchObject({ pending: 2, cancelled: 1 });
    d.clearTimeout(ids[1]);
    d.clearTimeout(ids[1]); // twice: counted once
    d.shutdown();
    expect(d.stats().cancelled).toBe(2);
  });

  it('unrefTimeout after a queued clearTimeout of the same id changes nothing', async () => {
    const d = paused();
    const refs = () => (d as unknown as { _core: { _ctrl: Int32Array } })._core._ctrl[3]; // C_REFS
    const id = d.setTimeout(() => {}, 5);
    await d.advance(1);
    expect(refs()).toBe(1);
    d.clearTimeout(id);
    d.unrefTimeout(id);
    d.refTimeout(id);
    expect(refs()).toBe(0);
    expect(d.stats().pending).toBe(0);
  });

  it('a refresh whose record and delay fall in two windows of one flush is applied whole', async () => {
    const d = paused();
    const log: string[] = [];
    const ids = Array.from({ length: 2000 }, () => d.setTimeout(() => log.push('x'), 50));
    const late = d.setTimeout(() => log.push('late'), 10);
    await d.advance(1);
    // 1023 cancel records, then the refresh's id at index 1023 and its delay at 1024.
    for (let i = 0; i < 1023; i++) d.clearTimeout(ids[i]);
    d.refreshTimeout(late); // due at 11 again, not at 10
    for (let i = 1023; i < 2000; i++) d.clearTimeout(ids[i]);
    await d.advance(9); // now 10
    expect(log).toEqual([]);
    await d.advance(1);
    expect(log).toEqual(['late']);
    expect(d.stats()).toMatchObject({ pending: 0, cancelled: 2000 });
  });
});

describe('an id forged to name the next timer of a slot', () => {
  it('queued before that timer exists, neither clears nor refreshes it', async () => {
    const d = paused();
    const log: string[] = [];
    const a = d.setTimeout(() => log.push('a'), 5);
    await d.advance(5); // a fires; its slot is free again, one generation on
    const next = a + 2 ** 26; // what the slot's next timer will be called
    d.clearTimeout(next); //    queued now, applied at the checkpoint
    d.refreshTimeout(next);
    const b = d.setTimeout(() => log.push(`b at ${d.now()}`), 3);
    expect(b).toBe(next);
    await d.advance(10);
    expect(log).toEqual(['a', 'b at 8']);
    expect(d.stats().cancelled).toBe(0);
  });
});
