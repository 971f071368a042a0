// The Driver and the guarantees of API.md, on the façade and TimerEntry.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DelayQueue, Driver, HORIZON, ShutdownError } from '../src/index';
import { WINDOW } from '../src/constants';

const paused = () => new Driver({ paused: true });
const root = resolve(import.meta.dirname, '..');

describe('1. never early', () => {
  it('in real time, every callback sees now() >= the time of the call + its delay', async () => {
    const d = new Driver();
    const early: number[] = [];
    await new Promise<void>((done) => {
      let left = 300;
      for (let i = 0; i < 300; i++) {
        const ms = (i % 20) + (i % 7) / 7;
        const at = d.now() + ms;
        d.setTimeout(() => {
          if (d.now() < at) early.push(at - d.now());
          if (--left === 0) done();
        }, ms);
      }
    });
    expect(early).toEqual([]);
    d.shutdown();
  });

  it('with a custom fractional clock, a deadline fires only once the clock reaches its tick', async () => {
    let t = 1000.25;
    const d = new Driver({ clock: { now: () => t } });
    const seen: number[] = [];
    const e = d.entry(3.5); // driver time = t - 1000.25
    e.pollElapsed(() => seen.push(d.now()));
    for (const step of [1, 1, 1, 0.4, 0.2, 0.2, 0.3, 0.5]) {
      t += step;
      await new Promise((r) => globalThis.setTimeout(r, 5));
    }
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeGreaterThanOrEqual(4);
    d.shutdown();
  });
});

describe('2. at most once; cancelled never fires', () => {
  it('an entry cancelled by an earlier callback of the same batch does not fire', async () => {
    const d = paused();
    const log: string[] = [];
    let e = d.entry(0);
    d.setTimeout(() => { log.push('a'); e.cancel(); }, 5);
    e = d.entry(5); // armed after the façade timer: same tick, later in order
    e.pollElapsed(() => log.push('entry'));
    await d.advance(5);
    expect(log).toEqual(['a']);
    expect(e.isElapsed).toBe(false);
  });
});

describe('ids of a slot whose generations are used up', () => {
  const SLOTS = 2 ** 26;
  const GEN_MAX = 2 ** 24 - 1;
  /** Gives free slot `slot` its last generation (the entry's word B, low 24 bits). */
  const lastGeneration = (d: Driver, slot: number) => {
    const core = (d as any)._core;
    const w = core._stateBase + slot;
    core._u32[w] = (core._u32[w] & ~GEN_MAX) | GEN_MAX;
  };

  it('a slot freed after its last generation (fired) retires: its ids never name a later timer', async () => {
    const d = paused();
    const slot = d.setTimeout(() => {}, 5) % SLOTS;
    await d.advance(5); // fired and freed: the slot is the next one handed out
    lastGeneration(d, slot);
    let ran = 0;
    const last = d.setTimeout(() => ran++, 5);
    expect([last % SLOTS, Math.floor(last / SLOTS)]).toEqual([slot, GEN_MAX]);
    await d.advance(5);
    expect(ran).toBe(1);
    for (let i = 0; i < 20; i++) {
      const id = d.setTimeout(() => ran++, 5);
      expect(id % SLOTS).not.toBe(slot); // wrapping would hand it out again with generation 1…
      d.clearTimeout(last); // …and, 2^24 - 1 reuses later, let this stale id clear it
      await d.advance(5);
    }
    expect(ran).toBe(21);
  });

  it('so does one swept after a cancel', async () => {
    const d = paused();
    const slot = d.setTimeout(() => {}, 5) % SLOTS;
    await d.advance(5);
    lastGeneration(d, slot);
    const ids = Array.from({ length: 3000 }, () => d.setTimeout(() => {}, 50));
    expect(ids[0] % SLOTS).toBe(slot);
    for (const id of ids) d.clearTimeout(id);
    await d.advance(1); // the checkpoint applies the cancels, and sweeps: dead outnumber live
    const again = Array.from({ length: 5000 }, () => d.setTimeout(() => {}, 5));
    expect(again.some((id) => id % SLOTS === slot)).toBe(false);
    let ran = 0;
    for (const id of again) d.clearTimeout(id);
    d.setTimeout(() => ran++, 5);
    await d.advance(5);
    expect(ran).toBe(1);
    expect(d.stats().pending).toBe(0);
  });
});

describe('cancelled callbacks are let go', () => {
  const held = (d: Driver) => (d as unknown as { _targets: unknown[] })._targets.filter((t) => t !== undefined).length;
  const turn = () => new Promise((r) => setImmediate(r));

  it('clearTimeout leaves the callback to the next sweep, which drops them all', async () => {
    const d = paused();
    const ids: number[] = [];
    for (let i = 0; i < 6000; i++) { const big = { i }; ids.push(d.setTimeout(() => big, 1000 + i)); }
    const keep = d.setTimeout(() => {}, 50);
    await turn();
    for (const id of ids) d.clearTimeout(id);
    expect(held(d)).toBeGreaterThan(1); // not dropped one by one
    await turn(); // the checkpoint: 6000 dead > 1 live + 4096 slack, so the core sweeps
    expect(held(d)).toBe(1);
    expect(d.stats()).toMatchObject({ pending: 1, cancelled: 6000 });
    await d.advance(50);
    expect(d.stats().fired).toBe(1);
    d.clearTimeout(keep);
  });

  it('so does a checkpoint that also fixes façade delays on the default clock', async () => {
    const d = new Driver();
    const ids: number[] = [];
    for (let i = 0; i < 6000; i++) ids.push(d.setTimeout(() => {}, 60_000 + i));
    await turn();
    for (const id of ids) d.clearTimeout(id);
    d.setTimeout(() => {}, 60_000); // a façade delay in the same batch: its flush is the full one
    await turn();
    expect(held(d)).toBe(1);
    expect(d.stats()).toMatchObject({ pending: 1, cancelled: 6000 });
    d.shutdown();
  });

  it('sweeps wait for cancels in proportion to the slab, not only to what is live', async () => {
    const d = paused();
    const sweeps = () => (d as unknown as { _core: { _ctrl: Int32Array } })._core._ctrl[6]; // C_SWEEPS
    const armAndClear = async (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => d.setTimeout(() => {}, 10_000 + i));
      await turn(); // in the wheel: a clear now leaves a dead entry
      for (const id of ids) d.clearTimeout(id);
      await turn();
    };
    await armAndClear(80_000); // a burst: the slab grows to ~80k entries, then all die
    const after = sweeps();
    expect(after).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) d.setTimeout(() => {}, 50_000);
    await armAndClear(5_000); // dead 5000 > live + 4096, but < 1/8 of the slab: no sweep of 80k entries
    expect(sweeps()).toBe(after);
    await armAndClear(6_000); // now beyond 1/8 of the slab
    expect(sweeps()).toBe(after + 1);
    expect(d.stats().pending).toBe(10);
  });

  it('a held callback never runs, and its slot\'s next timer replaces it', async () => {
    const d = paused();
    const ran: string[] = [];
    const a = d.setTimeout(() => ran.push('a'), 10);
    d.clearTimeout(a);
    const b = d.setTimeout(() => ran.push('b'), 10);
    d.clearTimeout(a); // stale: b goes on
    await d.advance(20);
    expect(ran).toEqual(['b']);
    expect(b).not.toBe(a);
  });
});

describe('4 + 9. zero delays', () => {
  it('a timer armed for "now" from a callback fires in the next pass, after the rest of the batch', async () => {
    const d = paused();
    const log: string[] = [];
    d.setTimeout(() => {
      log.push('a');
      const e = d.entry(d.now());
      e.pollElapsed(() => log.push(`late@${d.now()}`));
    }, 10);
    d.setTimeout(() => log.push('b'), 10);
    await d.advance(10);
    expect(log).toEqual(['a', 'b', 'late@10']);
  });

  it('in real time, re-arming for now from inside the pass does not starve other work', async () => {
    const d = new Driver();
    let n = 0;
    const e = d.entry(0);
    const again = () => { n++; if (n < 50) { e.reset(d.now()); e.pollElapsed(again); } };
    e.pollElapsed(again);
    let other = false;
    globalThis.setTimeout(() => { other = true; }, 0);
    for (let waited = 0; n < 50 && waited < 5000; waited += 10) await new Promise((r) => globalThis.setTimeout(r, 10));
    expect(n).toBe(50);
    expect(other).toBe(true);
    d.shutdown();
  });

  it('advance never reprocesses one instant without end', async () => {
    const d = paused();
    let n = 0;
    const e = d.entry(0);
    const again = () => { n++; e.reset(d.now()); e.pollElapsed(again); };
    e.pollElapsed(again);
    await d.advance(3);
    expect(n).toBeGreaterThan(3);
    expect(n).toBeLessThan(10_000);
    expect(d.now()).toBe(3);
    e.cancel();
  });
});

describe('9. timers that keep re-arming for one instant', () => {
  it('advance moves on after 1000 passes and still fires every other timer at its deadline', async () => {
    const d = paused();
    let done = false;
    let spins = 0;
    const loop = (async () => { while (!done) { spins++; await d.sleep(0); } })();
    const seen: number[] = [];
    d.setTimeout(() => { seen.push(d.now()); done = true; }, 50);
    d.setTimeout(() => seen.push(d.now()), 70);
    await d.advance(100);
    await loop;
    expect(seen).toEqual([50, 70]);
    expect(d.now()).toBe(100);
    expect(spins).toBeGreaterThan(1000);
    expect(d.stats().pending).toBe(0);
  });

  it('auto-advance moves on the same way', async () => {
    const d = new Driver({ paused: true, autoAdvance: true });
    let done = false;
    const loop = (async () => { while (!done) await d.sleep(0); })();
    d.setTimeout(() => { done = true; }, 50);
    for (let i = 0; i < 400 && !done; i++) await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(true);
    expect(d.now()).toBe(50);
    await loop;
    d.shutdown();
  });

  it('runUntilIdle moves on the same way, and rejects only when nothing else is left', async () => {
    const d = paused();
    let done = false;
    const loop = (async () => { while (!done) await d.sleep(0); })();
    d.setTimeout(() => { done = true; }, 50);
    await d.runUntilIdle();
    await loop;
    expect(d.now()).toBe(50);
    let stop = false;
    const endless = (async () => { while (!stop) await d.sleep(0); })();
    await expect(d.runUntilIdle()).rejects.toThrow(RangeError);
    stop = true;
    await d.advance(0);
    await endless;
  });
});

describe('5. isolation', () => {
  it('a throwing callback does not lose or delay others; onError sees each error', async () => {
    const errors: unknown[] = [];
    const d = new Driver({ paused: true, onError: (e) => errors.push(e) });
    const log: number[] = [];
    for (let i = 0; i < 6; i++) {
      d.setTimeout(() => { log.push(i); if (i % 2 === 0) throw new Error(`boom ${i}`); }, 5);
    }
    await d.advance(5);
    expect(log).toEqual([0, 1, 2, 3, 4, 5]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom 0', 'boom 2', 'boom 4']);
  });

  it('by default the error is rethrown asynchronously (uncaughtException) and the others still run', () => {
    const code = `
      import { setTimeout as st } from ${JSON.stringify(resolve(root, 'dist/index.js'))};
      process.on('uncaughtException', (e) => console.log('uncaught', e.message));
      st(() => { throw new Error('boom'); }, 1);
      st(() => console.log('second ran'), 1);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout).toContain('uncaught boom');
    expect(r.stdout).toContain('second ran');
  });
});

describe('6. range', () => {
  it('deadlines beyond the horizon are clamped, and the getter reports the clamped instant', async () => {
    const d = paused();
    await d.advance(100);
    const e = d.entry(Infinity);
    expect(e.deadline).toBe(100 + HORIZON);
    const f = d.entry(1e15);
    expect(f.deadline).toBe(100 + HORIZON);
    const g = d.entry(5e9);
    expect(g.deadline).toBe(5e9);
    expect(d.nextDeadline()).toBe(5e9);
  });
});

describe('7. monotonic clock', () => {
  it('a custom clock that goes backwards reads as standing still', () => {
    let t = 500;
    const d = new Driver({ clock: { now: () => t } });
    expect(d.now()).toBe(0);
    t = 510;
    expect(d.now()).toBe(10);
    t = 490;
    expect(d.now()).toBe(10);
    t = 515;
    expect(d.now()).toBe(15);
    d.shutdown();
  });

  it('a clock that returns NaN is a clear error and the driver stays intact', () => {
    let t: number = 0;
    const d = new Driver({ clock: { now: () => t } });
    t = NaN;
    expect(() => d.now()).toThrow(/clock\.now\(\) returned NaN/);
    t = 20;
    expect(d.now()).toBe(20);
    d.shutdown();
  });
});

describe('8. bad input', () => {
  it('Driver options are checked', () => {
    expect(() => new Driver({ clock: {} as never })).toThrow(TypeError);
    expect(() => new Driver({ onError: 5 as never })).toThrow(/"onError"/);
    expect(() => new Driver({ initialCapacity: -1 })).toThrow(RangeError);
    expect(() => new Driver(5 as never)).toThrow(TypeError);
  });

  it('entry(), advance() and pollElapsed() name their argument and change nothing', () => {
    const d = paused();
    for (const bad of ['1', null, undefined, {}, 1n]) expect(() => d.entry(bad as never)).toThrow(TypeError);
    for (const bad of [NaN, -Infinity]) expect(() => d.entry(bad)).toThrow(RangeError);
    expect(() => d.entry(NaN)).toThrow(/"deadline"/);
    for (const bad of [NaN, -1, Infinity]) expect(() => d.advance(bad)).toThrow(RangeError);
    expect(() => d.advance('5' as never)).toThrow(/"ms"/);
    const e = d.entry(5);
    expect(() => e.pollElapsed(5 as never)).toThrow(/"waker"/);
    expect(() => e.reset(NaN)).toThrow(RangeError);
    expect(d.stats().pending).toBe(1);
    expect(() => new Driver().advance(1)).toThrow(/paused/);
  });
});

describe('the test clock', () => {
  it('a call queued behind others rejects if the driver was resumed before it ran', async () => {
    const d = paused();
    let ran = false;
    d.setTimeout(() => { ran = true; }, 50);
    const first = d.advance(10); // calls run in order, each from a later microtask
    const second = d.advance(100);
    const idle = d.runUntilIdle();
    d.resume();
    await expect(first).rejects.toThrow(/paused driver/);
    await expect(second).rejects.toThrow(/paused driver/);
    await expect(idle).rejects.toThrow(/paused driver/);
    expect(ran).toBe(false);
    d.shutdown();
  });

  it('pause() with autoAdvance starts auto-advancing the timers already pending', async () => {
    const d = new Driver({ paused: true, autoAdvance: true });
    d.resume();
    const s = d.sleep(1000);
    await new Promise((r) => setTimeout(r, 5));
    d.pause();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.isElapsed).toBe(true);
    expect(d.now()).toBe(Math.ceil(s.deadline)); // the jump goes to the timer's tick
    d.shutdown();
  });

  it('without autoAdvance, timers already due at the frozen instant run by themselves; the clock stays', async () => {
    const errors: unknown[] = [];
    const d = new Driver({ paused: true, onError: (e) => errors.push(e) });
    const log: string[] = [];
    const never = new Promise<void>(() => {});
    const q = new DelayQueue<string>({ driver: d });
    q.insert('item', 0);
    const e = d.entry(-5);
    e.pollElapsed(() => log.push('entry'));
    const waits = [
      d.sleep(0).then(() => log.push('sleep(0)')),
      d.sleepUntil(-100).then(() => log.push('sleepUntil(past)')),
      d.timeout(0, never).catch((err: Error) => log.push(err.name)),
      q.next().then((it) => log.push(`next: ${it?.value}`)),
    ];
    let facade = false;
    d.setTimeout(() => { facade = true; }, 1); // 1 ms: not due until the clock moves
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 1000))]);
    expect(log.sort()).toEqual(['TimeoutError', 'entry', 'next: item', 'sleep(0)', 'sleepUntil(past)']);
    expect(d.now()).toBe(0);
    await new Promise((r) => setTimeout(r, 10));
    expect(facade).toBe(false);
    await d.advance(1);
    expect(facade).toBe(true);
    expect(errors).toEqual([]);
    d.shutdown();
  });

  it('those passes come a macrotask apart: a timer that keeps re-arming for now does not starve the event loop', async () => {
    const d = paused();
    let stop = false;
    let spins = 0;
    const loop = (async () => { while (!stop) { spins++; await d.sleep(0); } })();
    await new Promise((r) => setTimeout(r, 20)); // a host timer still gets its turn
    expect(spins).toBeGreaterThan(1);
    expect(d.now()).toBe(0);
    stop = true;
    await loop;
    d.shutdown();
  });

  it('a shutdown while such a pass waits or runs reports nothing', async () => {
    const errors: unknown[] = [];
    const d = new Driver({ paused: true, onError: (e) => errors.push(e) });
    const a = d.sleep(0);
    const b = d.sleep(0);
    a.then(() => d.shutdown()); // in the middle of the pass: b is still to come
    await a;
    await expect(b).rejects.toThrow(ShutdownError);
    const d2 = new Driver({ paused: true, onError: (e) => errors.push(e) });
    const c = d2.sleep(0);
    await Promise.resolve(); // the pass is queued, not run yet
    d2.shutdown();
    await expect(c).rejects.toThrow(ShutdownError);
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([]);
  });

  it('advance: a timer armed while it runs, at the clock it reads, is never passed over', async () => {
    for (let awaits = 0; awaits < 8; awaits++) {
      const d = paused();
      let s: ReturnType<Driver['sleep']> | undefined;
      let firedAt = -1;
      void (async () => {
        for (let k = 0; k < awaits; k++) await null;
        s = d.sleep(5); // at 0 (deadline 5) or after the clock moved (deadline 65)
        await s;
        firedAt = d.now();
      })().catch(() => {}); // the shutdown below rejects a sleep still pending
      await d.advance(60);
      await Promise.resolve();
      if (s!.deadline === 5) expect([awaits, firedAt]).toEqual([awaits, 5]);
      else expect([awaits, s!.deadline, s!.isElapsed]).toEqual([awaits, 65, false]);
      d.shutdown();
    }
  });

  it('pause() freezes the clock at a whole ms, so what is due then runs', async () => {
    const clock = { t: 1000.25, now() { return this.t; } };
    const d = new Driver({ clock });
    clock.t += 3.5; // the driver reads 3.5
    d.pause();
    expect(d.now()).toBe(4);
    const s = d.sleep(0);
    await Promise.race([s, new Promise((r) => setTimeout(r, 1000))]);
    expect(s.isElapsed).toBe(true);
    expect(d.now()).toBe(4);
    d.shutdown();
  });

  it('a clock left at a fractional instant by advance: due by tick only once it reaches the tick, and no busy passes', async () => {
    const d = paused();
    const late = d.sleep(100); // its level-1 slot starts at 64
    await d.advance(64.5);
    const s = d.sleep(0); // deadline 64.5, tick 65
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(s.isElapsed).toBe(false);
    expect((d as unknown as { _auto: unknown })._auto).toBeUndefined(); // nothing queued over and over
    await d.advance(0.5);
    expect(s.isElapsed).toBe(true);
    expect(late.isElapsed).toBe(false);
    d.shutdown();
  });

  it('the clock stops only at deadlines: auto-advance and advance never stop at a slot boundary', async () => {
    const d = new Driver({ paused: true, autoAdvance: true });
    const seen = new Set<number>([d.now()]);
    const s = d.sleep(3_600_000);
    for (let i = 0; i < 20 && !s.isElapsed; i++) {
      await new Promise((r) => setImmediate(r));
      seen.add(d.now());
    }
    expect(s.isElapsed).toBe(true);
    expect([...seen]).toEqual([0, 3_600_000]);
    const p = paused();
    p.sleep(1000);
    const readings = new Set<number>();
    const watch = (async () => { for (let k = 0; k < 200; k++) { readings.add(p.now()); await null; } })();
    await p.advance(1000);
    await watch;
    expect([...readings].filter((t) => t !== 0 && t !== 1000)).toEqual([]);
    d.shutdown();
    p.shutdown();
  });

  it('resume() from a callback while advance runs: the rest of the instant still fires once, then real time takes over', async () => {
    for (const n of [3, 2000]) { // 2000: beyond one batch of handed-out timers
      const d = paused();
      const log: number[] = [];
      d.setTimeout(() => { log.push(-1); d.resume(); }, 10);
      for (let i = 0; i < n; i++) d.setTimeout(() => log.push(i), 10);
      for (let i = 0; i < 5; i++) d.setTimeout(() => log.push(100_000 + i), 11 + i); // in real time now
      await d.advance(10);
      expect(log.length).toBe(n + 1);
      for (let k = 0; k < 40 && log.length < n + 6; k++) await new Promise((r) => setTimeout(r, 5));
      expect([n, log.length, new Set(log).size]).toEqual([n, n + 6, n + 6]);
      d.shutdown();
    }
  });

  it('nextDeadline() of a timer armed for a past instant reads now()', async () => {
    const d = paused();
    await d.advance(100);
    d.sleepUntil(5);
    expect(d.nextDeadline()).toBe(100);
    await d.advance(d.nextDeadline()! - d.now());
    expect(d.nextDeadline()).toBeUndefined();
    await d.advance(0.5);
    d.entry(3);
    expect(d.nextDeadline()).toBe(100.5);
  });

  it('starts at exactly 0, and advance fires each timer at its own instant', async () => {
    const d = paused();
    expect(d.now()).toBe(0);
    const at: number[] = [];
    for (const ms of [30, 10, 20, 20.5]) d.setTimeout(() => at.push(d.now()), ms);
    await d.advance(25);
    expect(at).toEqual([10, 20, 21]);
    expect(d.now()).toBe(25);
    await d.advance(2.5);
    expect(d.now()).toBe(27.5);
  });

  it('lets microtasks run between timers, so awaited chains inside the window complete', async () => {
    const d = paused();
    const log: string[] = [];
    const wait = (ms: number) => new Promise<void>((r) => d.setTimeout(r, ms));
    (async () => { await wait(5); log.push(`a@${d.now()}`); await wait(3); log.push(`b@${d.now()}`); })();
    let second = 0;
    d.setTimeout(() => log.push('x'), 5);
    (async () => { await wait(5); second = 1; })();
    await d.advance(10);
    expect(log).toEqual([`a@5`, 'x', 'b@8']);
    expect(second).toBe(1);
  });

  it('a continuation of one timer can cancel another of the same instant', async () => {
    const d = paused();
    const log: string[] = [];
    let id = 0;
    new Promise<void>((r) => d.setTimeout(r, 5)).then(() => { log.push('first'); d.clearTimeout(id); });
    id = d.setTimeout(() => log.push('second'), 5);
    await d.advance(5);
    expect(log).toEqual(['first']);
  });

  it('runUntilIdle runs every timer, and timers they arm', async () => {
    const d = paused();
    const at: number[] = [];
    d.setTimeout(() => { at.push(d.now()); d.setTimeout(() => at.push(d.now()), 1000); }, 50);
    d.setTimeout(() => at.push(d.now()), 3_600_000);
    await d.runUntilIdle();
    expect(at).toEqual([50, 1050, 3_600_000]);
    expect(d.stats().pending).toBe(0);
  });

  it('autoAdvance jumps to the next deadline when a macrotask turn passes idle', async () => {
    const d = new Driver({ paused: true, autoAdvance: true });
    await new Promise<void>((r) => d.setTimeout(r, 3_600_000));
    expect(d.now()).toBe(3_600_000);
    await new Promise<void>((r) => d.setTimeout(r, 5));
    expect(d.now()).toBe(3_600_005);
  });

  it('pause and resume keep the clock continuous', async () => {
    const d = new Driver();
    d.pause();
    const t = d.now();
    await new Promise((r) => globalThis.setTimeout(r, 20));
    expect(d.now()).toBe(t);
    let fired = -1;
    d.setTimeout(() => { fired = d.now(); }, 5);
    await d.advance(6);
    expect(fired).toBe(Math.ceil(t + 5));
    d.resume();
    expect(d.now()).toBeGreaterThanOrEqual(t + 6);
    expect(d.now()).toBeLessThan(t + 16);
    d.shutdown();
  });

  it('nextDeadline reports the tick the next timer fires at', async () => {
    const d = paused();
    expect(d.nextDeadline()).toBeUndefined();
    const a = d.setTimeout(() => {}, 70_000);
    d.setTimeout(() => {}, 4097.5);
    expect(d.nextDeadline()).toBe(4098);
    await d.advance(5000);
    expect(d.nextDeadline()).toBe(70_000);
    d.clearTimeout(a);
    expect(d.nextDeadline()).toBeUndefined();
  });
});

describe('stats', () => {
  it('counts pending, fired and cancelled; resets and no-op clears count as neither', async () => {
    const d = paused();
    const a = d.setTimeout(() => {}, 10);
    d.setTimeout(() => {}, 100_000);
    const c = d.setTimeout(() => {}, 10);
    d.refreshTimeout(a);
    d.clearTimeout(c);
    d.clearTimeout(c);
    d.clearTimeout(424242);
    const e = d.entry(20);
    e.reset(30);
    expect(d.stats()).toMatchObject({ pending: 3, fired: 0, cancelled: 1 });
    const s = d.stats();
    expect(s.levels).toHaveLength(6);
    expect(s.levels[0] + s.levels[1] + s.levels[2]).toBeGreaterThan(0);
    await d.advance(50);
    expect(d.stats()).toMatchObject({ pending: 1, fired: 2, cancelled: 1 });
  });

  it('levels: the slots the pending timers belong to, whether or not the wheel has placed them yet', async () => {
    const d = paused();
    // One batch: the core hangs it in the slot of its earliest deadline and spreads it later.
    const ids = [10, 110, 210, 310, 410, 510, 610, 710, 810, 910].map((ms) => d.setTimeout(() => {}, ms));
    // 10 is in level 0; 110..910 in level 1 (64 ms slots): slots 1, 3, 4, 6, 7, 9, 11, 12, 14.
    expect(d.stats().levels).toEqual([1, 9, 0, 0, 0, 0]);
    // Level L holds what lies in the current rotation of level L + 1 (64^(L+1) ms).
    d.setTimeout(() => {}, 5_000); // level 2
    d.entry(300_000); // level 3 (past the first 262,144 ms)
    d.entry(20_000_000); // level 4 (past the first 16,777,216 ms)
    d.sleep(2 ** 36); // the horizon: level 5
    expect(d.stats().levels).toEqual([1, 9, 1, 1, 1, 1]);
    // Cancelled timers leave the wheel's lists lazily; they are not counted.
    for (const id of ids) d.clearTimeout(id);
    expect(d.stats().levels).toEqual([0, 0, 1, 1, 1, 1]);
    await d.advance(6_000);
    expect(d.stats()).toMatchObject({ pending: 3, levels: [0, 0, 0, 1, 1, 1] });
  });

  it('levels after a shutdown: all zero', () => {
    const d = paused();
    d.setTimeout(() => {}, 10);
    d.shutdown();
    expect(d.stats()).toMatchObject({ pending: 0, levels: [0, 0, 0, 0, 0, 0] });
  });
});

describe('shutdown', () => {
  it('façade callbacks never run; scheduling throws; queries and clears stay usable', async () => {
    const d = paused();
    let n = 0;
    const id = d.setTimeout(() => n++, 5);
    const e = d.entry(5);
    let woke = 0;
    e.pollElapsed(() => woke++);
    d.shutdown();
    expect(woke).toBe(1);
    expect(() => e.pollElapsed(() => {})).toThrow(ShutdownError);
    expect(() => d.setTimeout(() => {}, 1)).toThrow(ShutdownError);
    expect(() => d.setInterval(() => {}, 1)).toThrow(ShutdownError);
    expect(() => d.entry(1)).toThrow(ShutdownError);
    expect(() => d.advance(1)).toThrow(ShutdownError);
    expect(() => d.runUntilIdle()).toThrow(ShutdownError);
    d.clearTimeout(id);
    d.clearInterval(id);
    expect(d.now()).toBe(0);
    expect(d.nextDeadline()).toBeUndefined();
    expect(d.stats().pending).toBe(0);
    expect(n).toBe(0);
    const err = new ShutdownError();
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ShutdownError');
  });

  it('shutdown during advance stops it with ShutdownError', async () => {
    const d = paused();
    const log: number[] = [];
    d.setTimeout(() => { log.push(1); d.shutdown(); }, 5);
    d.setTimeout(() => log.push(2), 6);
    await expect(d.advance(10)).rejects.toBeInstanceOf(ShutdownError);
    expect(log).toEqual([1]);
  });
});

describe('TimerEntry', () => {
  it('pollElapsed, reset (also after elapsing), cancel', async () => {
    const d = paused();
    const e = d.entry(10);
    let woke = 0;
    expect(e.pollElapsed(() => woke++)).toBe(false);
    expect(e.pollElapsed(() => (woke += 100))).toBe(false); // replaces the waker
    await d.advance(10);
    expect(woke).toBe(100);
    expect(e.isElapsed).toBe(true);
    expect(e.pollElapsed(() => woke++)).toBe(true);
    e.reset(15);
    expect(e.isElapsed).toBe(false);
    expect(e.deadline).toBe(15);
    expect(e.pollElapsed(() => woke++)).toBe(false);
    e.reset(12);
    await d.advance(2);
    expect(woke).toBe(101);
    e.reset(20);
    e.cancel();
    e.cancel();
    await d.advance(20);
    expect(woke).toBe(101);
    expect(d.stats().pending).toBe(0);
  });
});

describe('memory growth inside a batch', () => {
  it('views stay valid when a callback grows wasm memory in the middle of a batch', async () => {
    const d = paused();
    const log: number[] = [];
    for (let i = 0; i < 5; i++) {
      d.setTimeout(() => {
        log.push(i);
        if (i === 1) for (let k = 0; k < 200_000; k++) d.setTimeout(() => {}, 1000);
      }, 5);
    }
    await d.advance(5);
    expect(log).toEqual([0, 1, 2, 3, 4]);
    expect(d.stats().pending).toBe(200_000);
    await d.advance(1000);
    expect(d.stats().pending).toBe(0);
    expect(d.stats().fired).toBe(200_005);
  });
});

describe('ref / unref (Node)', () => {
  const run = (body: string) => spawnSync(process.execPath, ['--input-type=module', '-e',
    `import * as tw from ${JSON.stringify(resolve(root, 'dist/index.js'))};\nconst t0 = Date.now();\n${body}\nprocess.on('exit', () => console.log('exit after', Date.now() - t0));`],
  { encoding: 'utf8', timeout: 20_000 });
  const exitAfter = (r: ReturnType<typeof run>) => Number(/exit after (\d+)/.exec(r.stdout)?.[1]);

  it('an unref\'d timer alone lets the process exit; a ref\'d one keeps it alive', () => {
    expect(exitAfter(run(`const id = tw.setTimeout(() => console.log('fired'), 3000); tw.unrefTimeout(id);`))).toBeLessThan(1500);
    const kept = run(`tw.setTimeout(() => console.log('fired'), 300);`);
    expect(kept.stdout).toContain('fired');
    expect(exitAfter(kept)).toBeGreaterThanOrEqual(300);
    const reref = run(`const id = tw.setTimeout(() => console.log('fired'), 300); tw.unrefTimeout(id); tw.refTimeout(id);`);
    expect(reref.stdout).toContain('fired');
  });

  it('unref / ref from inside the pass that runs the timer hold when it re-arms', () => {
    // An interval that unrefs itself in its callback (Node's unrefed-in-callback): one run, then exit.
    const self = run(`let n = 0; const iv = tw.setInterval(() => { n++; tw.unrefTimeout(iv); }, 5); process.on('exit', () => console.log('runs', n));`);
    expect(self.stdout).toContain('runs 1');
    expect(exitAfter(self)).toBeLessThan(1500);
    // A timeout unref'd and then refreshed in its own callback stays unref'd.
    expect(exitAfter(run(`const t = tw.setTimeout(() => { tw.unrefTimeout(t); tw.refreshTimeout(t); }, 5);`))).toBeLessThan(1500);
    // Another callback of the same batch unrefs it before it runs.
    expect(exitAfter(run(`let a; tw.setTimeout(() => tw.unrefTimeout(a), 10); a = tw.setInterval(() => {}, 10);`))).toBeLessThan(1500);
    // An unref'd interval that refs itself keeps the process alive until it clears itself.
    const kept = run(`let c = 0; const iv = tw.setInterval(() => { c++; if (c === 1) tw.refTimeout(iv); if (c === 5) { tw.clearInterval(iv); console.log('runs', c); } }, 5); tw.unrefTimeout(iv); setTimeout(() => {}, 8);`);
    expect(kept.stdout).toContain('runs 5');
  });

  it('on a paused driver, an unref\'d timer alone lets the process exit, also with autoAdvance', () => {
    const auto = run(`const d = new tw.Driver({ paused: true, autoAdvance: true }); d.unrefTimeout(d.setInterval(() => {}, 1000)); d.sleep(60_000, { ref: false });`);
    expect(exitAfter(auto)).toBeLessThan(1500);
    const due = run(`const d = new tw.Driver({ paused: true }); let n = 0; const loop = async () => { for (;;) { n++; await d.sleep(0, { ref: false }); } }; loop(); process.on('exit', () => console.log('spins', n));`);
    expect(exitAfter(due)).toBeLessThan(1500);
    // A ref'd one keeps auto-advancing until it is done.
    const kept = run(`const d = new tw.Driver({ paused: true, autoAdvance: true }); let n = 0; const iv = d.setInterval(() => { if (++n === 50) { d.clearInterval(iv); console.log('ticks', n, d.now()); } }, 1000);`);
    expect(kept.stdout).toContain('ticks 50 50000');
  });

  it('clearing the last ref\'d timer lets the process exit at once', () => {
    expect(exitAfter(run(`const id = tw.setTimeout(() => {}, 5000); tw.setTimeout(() => tw.clearTimeout(id), 10);`))).toBeLessThan(1500);
  });
});

describe('idle means nothing pending', () => {
  it('runUntilIdle does not move the clock for cancelled timers', async () => {
    const d = paused();
    const id = d.setTimeout(() => {}, 5000);
    await new Promise((r) => setImmediate(r)); // checkpoint: the entry is in the wheel
    d.clearTimeout(id);
    expect(d.stats().pending).toBe(0);
    await d.runUntilIdle();
    expect(d.now()).toBe(0);
  });
});

describe('sequence numbers and the clock limit', () => {
  it('renumbering keeps the order of equal ticks', async () => {
    const d = paused();
    (d as any)._seqLimit = 50; // renumber every few dozen arming operations
    const log: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) ids.push(d.setTimeout(() => log.push(i), 1000));
    await d.advance(1);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 200; i += 3) d.refreshTimeout(ids[i]); // same tick again, now after the others
      await d.advance(0);
    }
    await d.advance(1000);
    const moved = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 === 0);
    const stayed = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect(log).toEqual([...stayed, ...moved]);
  });

  it('a renumbering near the limit waits for the pass to end: a timer re-armed while it waited to fire is not handed out early', async () => {
    for (const real of [false, true]) {
      const clock = { t: 0, now() { return this.t; } };
      const d = real ? new Driver({ clock }) : paused();
      const internals = d as unknown as { _seqLimit: number; _core: { _ctrl: Int32Array } };
      const turn = () => new Promise((r) => setImmediate(r));
      // Sequence numbers used up by timers long gone, so that renumbering frees most of them.
      const gone = Array.from({ length: 5000 }, () => d.setTimeout(() => {}, 5000));
      await turn();
      for (const id of gone) d.clearTimeout(id);
      await turn();
      const log: string[] = [];
      let b = 0;
      // A's callback refreshes B, which waits in the same tick beyond the first batch of 1024.
      d.setTimeout(() => { log.push(`A@${d.now()}`); d.refreshTimeout(b); void d.sleep(0); }, 10);
      for (let i = 0; i < 1100; i++) d.setTimeout(() => {}, 10);
      b = d.setTimeout(() => log.push(`B@${d.now()}`), 10);
      await turn();
      internals._seqLimit = internals._core._ctrl[5] + 1; // C_SEQ: the pass's next flush reaches the limit
      if (real) {
        clock.t = 10;
        for (let i = 0; i < 20 && log.length < 1; i++) await new Promise((r) => setTimeout(r, 5));
        clock.t = 20;
        for (let i = 0; i < 20 && log.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      } else {
        await d.advance(200);
      }
      expect([real, ...log]).toEqual([real, 'A@10', 'B@20']);
      d.shutdown();
    }
  });

  it('passes renumber only when that frees half the range, however many timers are live', async () => {
    const d = paused();
    const internals = d as unknown as { _seqLimit: number; _renumber: () => void };
    internals._seqLimit = 1000;
    let renumbered = 0;
    const renumber = internals._renumber.bind(d);
    internals._renumber = () => { renumbered++; renumber(); };
    for (let i = 0; i < 700; i++) d.setTimeout(() => {}, 60_000 + i); // live: more than half the range
    let fired = 0;
    for (let i = 0; i < 40; i++) {
      d.setTimeout(() => fired++, 1);
      await d.advance(1);
    }
    expect(fired).toBe(40);
    expect(renumbered).toBeLessThanOrEqual(1); // not one per pass
    await d.advance(61_000);
    expect(d.stats().pending).toBe(0);
  });

  it('years of advances keep every deadline exact, up to the clock limit', async () => {
    const d = paused();
    const at: number[] = [];
    const year = 365.25 * 24 * 3600 * 1000;
    for (let y = 0; y < 120; y++) {
      d.setTimeout(() => at.push(d.now()), 2 ** 36 - 1);
      await d.advance(2 ** 36 - 1);
    }
    expect(at.length).toBe(120);
    at.forEach((t, i) => expect(t).toBe((i + 1) * (2 ** 36 - 1)));
    expect(d.now() / year).toBeGreaterThan(260);
    expect(() => d.advance(2 ** 40)).toThrow(RangeError);
  });

  it('an advance queued behind another, or runUntilIdle, cannot take the clock past its end', async () => {
    const END = 2 ** 43 - 2 ** 37;
    const d = paused();
    const first = d.advance(END - 10);
    const second = d.advance(END - 10); // fine when called, not once the first has run
    await first;
    await expect(second).rejects.toThrow(RangeError);
    expect(d.now()).toBe(END - 10);
    const s = d.sleep(Infinity); // due at END - 10 + HORIZON, past the end
    s.catch(() => {});
    await expect(d.runUntilIdle()).rejects.toThrow(RangeError);
    expect(d.now()).toBe(END - 10);
    d.sleep(1000).catch(() => {}); // a wheel slot before the end, its deadline after it
    await expect(d.runUntilIdle()).rejects.toThrow(RangeError);
    expect(d.now()).toBe(END - 10); // refused before the clock moved
    await d.advance(10);
    expect(d.now()).toBe(END);
    s.cancel();
  });
});

describe('registration batches', () => {
  it('with a custom clock, each façade delay counts from its call', async () => {
    let t = 0;
    const d = new Driver({ clock: { now: () => t } });
    const at: number[] = [];
    d.setTimeout(() => at.push(t), 10);
    t = 5; // in the same synchronous run
    d.setTimeout(() => at.push(t), 10);
    const iv = d.setInterval(() => { at.push(t); d.clearInterval(iv); }, 12);
    expect(d.nextDeadline()).toBe(10);
    t = 10;
    await new Promise((r) => setTimeout(r, 5));
    t = 15;
    await new Promise((r) => setTimeout(r, 5));
    t = 17;
    await new Promise((r) => setTimeout(r, 5));
    expect(at).toEqual([10, 15, 17]);
    d.shutdown();
  });

  it('timers armed in one turn are fixed at a reading taken after them: at the checkpoint, or when the queue window fills', async () => {
    let t = 0;
    const d = new Driver({ clock: { now: () => t } });
    // The default clock's batch reading, on a clock the test moves: the prototype's setTimeout
    // (a custom clock's driver flushes after each call instead, as the test above shows).
    d.setTimeout = Driver.prototype.setTimeout.bind(d);
    const order: number[] = [];
    const deadlines: number[] = [];
    const armed: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i % 100 === 0) t += 1; // the loop "takes" 50 ms of the driver's clock
      const ms = 1 + ((i * 7919) % 23);
      armed.push(t + ms);
      d.setTimeout(() => order.push(i), ms);
      deadlines.push(ms);
    }
    // Records are written into the core's IN window (WINDOW f64); when only one is free, the
    // driver flushes the window with a fresh reading: the first WINDOW - 1 timers are fixed
    // when timer WINDOW - 1 is armed, and so on; the rest at the checkpoint (the clock reads 50).
    const per = WINDOW - 1;
    const fixAt = (i: number) => {
      const flushedBy = (Math.floor(i / per) + 1) * per; // the arming call that flushed i's window
      return flushedBy < 5000 ? 1 + Math.floor(flushedBy / 100) : 50;
    };
    for (let i = 0; i < 5000; i++) {
      deadlines[i] += fixAt(i);
      expect(deadlines[i]).toBeGreaterThanOrEqual(armed[i]); // never early
    }
    expect(d.nextDeadline()).toBe(Math.max(Math.min(...deadlines), t)); // already due: reads now()
    const want = deadlines.map((at, i) => [at, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    t = 100;
    for (let waited = 0; order.length < 5000 && waited < 5000; waited += 5) await new Promise((r) => globalThis.setTimeout(r, 5));
    expect(order).toEqual(want);
    d.shutdown();
  });
  it('a batch spanning every level fires each timer at its own instant, in order, skipping the cancelled', async () => {
    // The flush links a turn's registrations into one list in the slot of their earliest
    // deadline; the rest move on when that slot comes up. Nothing may fire early or late
    // for it, ties keep arming order, and nextDeadline stays exact all along.
    const d = paused();
    const delays = [2_000_000_000, 3, 20_000_000, 70, 300_000, 5_000, 70, 3, 64, 4096, 262_144, 16_777_216];
    const fired: [number, number][] = [];
    const ids = delays.map((ms, i) => d.setTimeout(() => fired.push([i, d.now()]), ms));
    d.clearTimeout(ids[5]); // 5000 ms
    d.clearTimeout(ids[11]);
    const want = delays
      .map((ms, i) => [i, ms] as [number, number])
      .filter(([i]) => i !== 5 && i !== 11)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const ms of new Set(want.map(([, ms]) => ms))) {
      expect(d.nextDeadline()).toBe(ms);
      await d.advance(ms - d.now());
      expect(fired.at(-1)).toEqual([expect.any(Number), ms]);
    }
    expect(fired).toEqual(want);
    expect(d.nextDeadline()).toBeUndefined();
    expect(d.stats().pending).toBe(0);
  });
});
