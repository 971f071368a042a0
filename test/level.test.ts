// Table tests of the wheel's bit math, at every level boundary ± 1 (test build of the core).
import { describe, expect, it } from 'vitest';
import { testingCore } from './helpers/testing_core';

const core = testingCore();
const HORIZON = 2 ** 36 - 1;

/** The naive definition: the lowest level whose current rotation (of `elapsed`) contains `when`. */
function naiveLevel(elapsed: number, when: number): number {
  for (let l = 0; l < 6; l++) {
    const span = 64 ** (l + 1);
    if (Math.floor(elapsed / span) === Math.floor(when / span)) return l;
  }
  return 5;
}

describe('levelFor', () => {
  it('matches the naive definition at every level boundary ± 1, from several starting points', () => {
    for (const elapsed of [0, 1, 63, 64, 4095, 4096, 123_456, 2 ** 30 - 1, 2 ** 30, 2 ** 35 + 17]) {
      for (let k = 1; k <= 6; k++) {
        for (const d of [-1, 0, 1]) {
          const delta = 64 ** k + d;
          const when = elapsed + delta;
          if (delta <= 0 || delta > HORIZON) continue;
          expect(core.levelFor(elapsed, when), `elapsed ${elapsed} when ${when}`).toBe(naiveLevel(elapsed, when));
        }
      }
    }
  });

  it('puts each first tick of a level in that level', () => {
    expect(core.levelFor(0, 1)).toBe(0);
    expect(core.levelFor(0, 63)).toBe(0);
    expect(core.levelFor(0, 64)).toBe(1);
    expect(core.levelFor(0, 4095)).toBe(1);
    expect(core.levelFor(0, 4096)).toBe(2);
    expect(core.levelFor(0, 64 ** 3)).toBe(3);
    expect(core.levelFor(0, 64 ** 4)).toBe(4);
    expect(core.levelFor(0, 64 ** 5)).toBe(5);
    expect(core.levelFor(0, HORIZON)).toBe(5);
  });

  it('folds deadlines beyond one top-level rotation into the top level', () => {
    expect(core.levelFor(0, 2 ** 36)).toBe(5);
    expect(core.levelFor(2 ** 36 - 1, 2 ** 36)).toBe(5);
    expect(core.levelFor(5, 2 ** 40)).toBe(5);
  });
});

describe('slotFor', () => {
  it('is the 6-bit digit of the deadline at that level', () => {
    for (let l = 0; l < 6; l++) {
      const span = 64 ** l;
      for (const slot of [0, 1, 31, 62, 63]) {
        for (const d of [0, span - 1]) {
          const when = slot * span + d + 64 ** (l + 1) * 3;
          expect(core.slotFor(when, l)).toBe(slot);
        }
      }
    }
  });
});

describe('nextOccupiedOffset', () => {
  const off = (bits: number[], nowSlot: number) => {
    let lo = 0, hi = 0;
    for (const b of bits) { if (b < 32) lo |= 1 << b; else hi |= 1 << (b - 32); }
    return core.nextOccupiedOffset(lo, hi, nowSlot);
  };
  it('is 0 for an empty level', () => expect(off([], 5)).toBe(0));
  it('counts slots after the current one, wrapping around', () => {
    expect(off([6], 5)).toBe(1);
    expect(off([63], 5)).toBe(58);
    expect(off([0], 63)).toBe(1);
    expect(off([4], 5)).toBe(63);
    expect(off([32], 31)).toBe(1);
    expect(off([31, 40], 31)).toBe(9);
  });
  it('treats the current slot as a whole rotation away', () => {
    expect(off([5], 5)).toBe(64);
    expect(off([5, 2], 5)).toBe(61);
    expect(off([0], 0)).toBe(64);
    expect(off([63], 63)).toBe(64);
  });
  it('agrees with a naive scan for every single bit and every current slot', () => {
    for (let now = 0; now < 64; now++) {
      for (let b = 0; b < 64; b++) {
        const want = ((b - now + 64) % 64) || 64;
        expect(off([b], now)).toBe(want);
      }
    }
  });
});

describe('slotDeadline', () => {
  it('is the first tick of the slot `offset` slots ahead', () => {
    expect(core.slotDeadline(100, 0, 1)).toBe(101);
    expect(core.slotDeadline(100, 1, 1)).toBe(128);
    expect(core.slotDeadline(127, 1, 1)).toBe(128);
    expect(core.slotDeadline(128, 1, 1)).toBe(192);
    expect(core.slotDeadline(4095, 2, 1)).toBe(4096);
    expect(core.slotDeadline(0, 5, 64)).toBe(2 ** 36);
    expect(core.slotDeadline(2 ** 30 + 5, 5, 64)).toBe(2 ** 30 + 2 ** 36);
  });
});

describe('tick rounding', () => {
  it('rounds up to whole ticks and never goes below 0', () => {
    const table: Array<[number, number]> = [
      [0, 0], [-0, 0], [-5, 0], [0.0001, 1], [1, 1], [1.5, 2], [63.999, 64], [64, 64], [64.0001, 65],
      [4096, 4096], [2 ** 36 - 1, 2 ** 36 - 1], [2 ** 36 - 0.5, 2 ** 36],
      // The conversion saturates: NaN and below zero give 0; 2^64 and up the top of a u64,
      // which the test build reports as -1.
      [-0.5, 0], [NaN, 0], [-Infinity, 0], [2 ** 63, 2 ** 63], [2 ** 64, -1], [2 ** 70, -1], [Infinity, -1],
    ];
    for (const [ms, tick] of table) expect(core.ticksCeil(ms), `${ms}`).toBe(tick);
  });

  it('turns encoded delays into ticks against now, clamped to now + horizon', () => {
    expect(core.tickFor(10, 0)).toBe(10);
    expect(core.tickFor(10, 0.5)).toBe(11);
    expect(core.tickFor(0, 7)).toBe(7);
    expect(core.tickFor(0, 7.2)).toBe(8);
    expect(core.tickFor(HORIZON, 0)).toBe(HORIZON);
    expect(core.tickFor(HORIZON + 1, 0)).toBe(HORIZON);
    expect(core.tickFor(Infinity, 100)).toBe(HORIZON + 100);
    // absolute instants are encoded as -(x + 1)
    expect(core.tickFor(-(25.5 + 1), 3)).toBe(26);
    expect(core.tickFor(-(0 + 1), 3)).toBe(0);
    expect(core.tickFor(-Infinity, 10)).toBe(HORIZON + 10);
    expect(core.tickFor(-(2 ** 40 + 1), 10)).toBe(HORIZON + 10);
  });
});

describe('the wheel through its ABI', () => {
  /** Arms ticks at a paused instant, runs passes up to `until`, returns [tick, slot] per fire. */
  function run(delays: number[], until: number, start = 0) {
    const c = testingCore(7);
    if (start > 0) { c.process(start, 1); while (c.process(start, 0) > 0); }
    const inWin = () => new Float64Array(c.memory.buffer, c.windows(), 1024);
    const out = () => new Int32Array(c.memory.buffer, c.windows() + 8192, 1024);
    const slots: number[] = [];
    for (const d of delays) slots.push(c.schedule(d, 0) % 2 ** 26);
    inWin().set(slots);
    c.flush(start, slots.length);
    expect(c.check()).toBe(0);
    const fired: Array<[number, number]> = [];
    for (;;) {
      const next = c.nextExpiration();
      if (next < 0 || next > until) break;
      for (let n = c.process(next, 1); n > 0; n = c.process(next, 0)) {
        const o = out();
        for (let i = 0; i < n; i++) fired.push([next, slots.indexOf(o[i])]);
      }
      expect(c.check()).toBe(0);
    }
    return fired;
  }

  it('fires every deadline at its own tick across all levels', () => {
    const delays = [1, 63, 64, 65, 4095, 4096, 4097, 64 ** 3 - 1, 64 ** 3, 64 ** 3 + 1, 64 ** 4 + 5, 64 ** 5 + 9];
    const fired = run(delays, 2 ** 36);
    expect(fired.map(([t]) => t)).toEqual(delays.map((d) => d));
    expect(fired.map(([, i]) => i)).toEqual(delays.map((_, i) => i));
  });

  it('a timer clamped to the horizon never delays the others', () => {
    // Start just inside a top-level slot, so the clamped deadline wraps to the current slot.
    const start = 2 ** 30 * 3 + 12_345;
    const delays = [Infinity, 2 ** 31 + 7, 2 ** 33 + 1, 2 ** 35 - 3, 100, 2 ** 36 - 2];
    const fired = run(delays, start + 2 ** 36, start);
    const want = delays.map((d, i) => [start + Math.min(d, HORIZON), i]).sort((a, b) => a[0] - b[0]);
    expect(fired).toEqual(want);
  });

  it('a timer clamped to the horizon, armed at a top-level slot boundary, fires exactly there', () => {
    const start = 2 ** 30 * 5;
    const fired = run([Infinity, 2 ** 30 + 1], start + 2 ** 36, start);
    expect(fired).toEqual([[start + 2 ** 30 + 1, 1], [start + HORIZON, 0]]);
  });
});

describe('sweep', () => {
  it('keeps a timer that was re-armed but not flushed yet (a sweep between flush chunks)', () => {
    const c = testingCore(11);
    const inWin = () => new Float64Array(c.memory.buffer, c.windows(), 1024);
    const out = () => new Int32Array(c.memory.buffer, c.windows() + 8192, 1024);
    const ids = Array.from({ length: 10 }, () => c.schedule(100, 0));
    inWin().set(ids.map((id) => id % 2 ** 26));
    c.flush(0, ids.length);
    for (const id of ids.slice(1)) c.cancel(id);
    const slot = c.refresh(ids[0], 150); // re-armed: its tick is fixed by the next flush
    expect(c.sweep()).toBe(9);
    expect(c.check()).toBe(0);
    inWin()[0] = slot;
    c.flush(0, 1);
    expect(c.check()).toBe(0);
    const fired: number[] = [];
    for (const tick of [100, 149, 150]) {
      for (let n = c.process(tick, 1); n > 0; n = c.process(tick, 0)) for (let i = 0; i < n; i++) fired.push(out()[i], tick);
    }
    expect(fired).toEqual([slot, 150]);
    expect(c.pending()).toBe(0);
  });
});
