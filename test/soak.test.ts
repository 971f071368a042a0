// Churn soak (issue 6), sized for CI (about a minute on two cores):
//   A. 10^8 schedule / cancel / refresh / fire operations on a driver's wasm core, through
//      its ABI (the façade costs a macrotask per fire on the test clock, too slow for 10^8);
//      the core's sequence numbers run out on the way and the driver's renumbering is used.
//   B. 10^7 more through the façade of a paused driver (setTimeout / clearTimeout /
//      refreshTimeout / advance): every callback accounted for.
//   C. Growth from 0 to 10^6 live timers and back down, twice: the second time needs no
//      more memory; every view of wasm memory survives each growth (one happens inside a
//      callback in the middle of a batch).
// In A and B, memory (JS heap after GC + wasm memory) may grow at most 5% after warm-up, and
// every timer that was not cancelled fires exactly once.
// TICKWHEEL_SOAK_OPS overrides A's operation count (e.g. 1e9 for a long local soak).

import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { Driver, HORIZON } from '../src/index';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ABI_OPS = Number(process.env.TICKWHEEL_SOAK_OPS ?? 1e8);
const FACADE_OPS = 1e7;
const WINDOW = 1024;
const SLOT_SPAN = 2 ** 26;

/** The core as a Driver holds it (src/wasm.ts Core): per-timer operations in JS, the wheel in `_w`. */
interface Core {
  /** The wasm exports (one-letter names, see src/wasm.ts WasmCore): flush, process, windows. */
  _w: {
    memory: WebAssembly.Memory;
    f(now: number, count: number): void;
    k(id: number): number;
    e(id: number, enc: number): number;
    p(nowTick: number, begin: number): number;
    w(): number;
  };
  _schedule(enc: number, unref: number): number;
  _ctrl: Int32Array;
}
interface DriverInternals { _core: Core; _seqLimit: number; _renumber(): void }

function memory(core: Core): { heap: number; wasm: number } {
  gc();
  gc();
  return { heap: process.memoryUsage().heapUsed, wasm: core._w.memory.buffer.byteLength };
}

const figures: string[] = [];
afterAll(() => { for (const f of figures) console.log(`soak.test: ${f}`); });

describe('churn soak', () => {
  it(`A: ${ABI_OPS.toExponential(0)} schedule/cancel/refresh/fire operations on a driver's core: flat memory, every timer fired exactly once`, () => {
    const t0 = performance.now();
    const d = new Driver({ paused: true });
    const internals = d as unknown as DriverInternals;
    const core = internals._core;
    const LIVE = 100_000; //                           timers kept pending in steady state
    const N = 1 << 20; //                             slots this run may use (checked)
    const idAt = new Float64Array(N);
    const delayAt = new Float64Array(N);
    const pos = new Int32Array(N).fill(-1); //        index in `live`, or -1: not pending
    const live = new Int32Array(N);
    let liveLen = 0;
    const queue = new Float64Array(WINDOW);
    let qLen = 0;
    let inWin = new Float64Array(core._w.memory.buffer, core._w.w(), WINDOW);
    let out = new Int32Array(core._w.memory.buffer, core._w.w() + WINDOW * 8, WINDOW);
    let now = 0;
    let x = 0x9e3779b9;
    const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
    let ops = 0;
    const count = { schedule: 0, cancel: 0, refresh: 0, fire: 0, renumber: 0, passes: 0 };

    const flush = () => {
      if (core._ctrl[5 /* C_SEQ */] + qLen >= internals._seqLimit) { internals._renumber(); count.renumber++; }
      if (inWin.length === 0) inWin = new Float64Array(core._w.memory.buffer, core._w.w(), WINDOW);
      inWin.set(queue.subarray(0, qLen));
      core._w.f(now, qLen);
      qLen = 0;
    };
    // Records as the driver writes them: slots, cancels (-id), refreshes (id, delay).
    const enqueue = (...records: number[]) => {
      if (qLen + records.length > WINDOW) flush();
      for (const r of records) queue[qLen++] = r;
    };
    const drop = (slot: number) => {
      const p = pos[slot];
      const last = live[--liveLen];
      live[p] = last;
      pos[last] = p;
      pos[slot] = -1;
    };
    const pass = () => {
      if (qLen !== 0) flush();
      const tick = Math.floor(now);
      count.passes++;
      for (let n = core._w.p(tick, 1); n > 0; n = core._w.p(tick, 0)) {
        if (out.length === 0) out = new Int32Array(core._w.memory.buffer, core._w.w() + WINDOW * 8, WINDOW);
        for (let j = 0; j < n; j++) {
          const slot = out[j];
          if (pos[slot] < 0) throw new Error(`slot ${slot} fired but is not pending (fired twice, or cancelled)`);
          drop(slot);
          count.fire++;
          ops++;
        }
      }
    };
    const delay = () => {
      const r = rnd();
      // Mostly 1 ms .. 16 s; one in 16 up to ~4.7 hours (levels 3 and 4).
      return (r & 15) === 0 ? 1 + (r >>> 8) % 16_777_216 : 1 + (r >>> 4) % 16_384;
    };

    let warm: { heap: number; wasm: number } | undefined;
    while (ops < ABI_OPS) {
      for (let k = 0; k < 64; k++) {
        const r = rnd() & 1023;
        if (liveLen < LIVE * 0.9 || (r < 400 && liveLen < LIVE)) {
          const ms = delay();
          const id = core._schedule(ms, 0);
          const slot = id % SLOT_SPAN;
          if (slot >= N) throw new Error(`slot ${slot} past this soak's arrays: the core keeps too many dead entries`);
          if (pos[slot] >= 0) throw new Error(`schedule() reused pending slot ${slot}`);
          idAt[slot] = id;
          delayAt[slot] = ms;
          pos[slot] = liveLen;
          live[liveLen++] = slot;
          enqueue(slot);
          count.schedule++;
        } else if (r < 700) {
          const slot = live[rnd() % liveLen];
          // Half at once (the core's cancel), half as a record the next flush applies.
          if (r < 550) {
            if (core._w.k(idAt[slot]) !== slot) throw new Error(`cancel of pending slot ${slot} failed`);
          } else {
            enqueue(-idAt[slot]);
          }
          drop(slot);
          count.cancel++;
        } else {
          const slot = live[rnd() % liveLen];
          // The original delay again, from a later clock: never earlier (the core's rule).
          if (r < 850) {
            if (core._w.e(idAt[slot], delayAt[slot]) !== slot) throw new Error(`refresh of pending slot ${slot} failed`);
            enqueue(slot);
          } else {
            enqueue(idAt[slot], delayAt[slot]);
          }
          count.refresh++;
        }
        ops++;
      }
      now += 1 + (rnd() % 16);
      pass();
      if (warm === undefined && ops >= ABI_OPS / 10) warm = memory(core);
      if ((count.passes & 4095) === 0 && core._ctrl[2 /* C_LIVE */] !== liveLen) throw new Error(`pending() ${core._ctrl[2 /* C_LIVE */]} != ${liveLen}`);
    }
    const end = memory(core);
    // Drain: everything still pending fires, once.
    const left = liveLen;
    now += HORIZON + 1;
    pass();
    expect(liveLen).toBe(0);
    expect(core._ctrl[2 /* C_LIVE */]).toBe(0);
    expect(count.schedule).toBe(count.fire + count.cancel);
    expect(count.fire).toBeGreaterThan(ABI_OPS / 10);
    if (count.schedule + count.refresh > internals._seqLimit) expect(count.renumber).toBeGreaterThan(0);
    const w = warm!;
    figures.push(`A: ${ops} operations (${count.schedule} schedules, ${count.cancel} cancels, ${count.refresh} refreshes, ${count.fire} fires incl. ${left} drained; ${count.renumber} renumberings) in ${((performance.now() - t0) / 1000).toFixed(1)} s; after warm-up: JS heap ${(w.heap / 2 ** 20).toFixed(1)} → ${(end.heap / 2 ** 20).toFixed(1)} MiB, wasm ${w.wasm / 2 ** 20} → ${end.wasm / 2 ** 20} MiB`);
    expect(end.wasm).toBeLessThanOrEqual(w.wasm * 1.05);
    expect(end.heap).toBeLessThanOrEqual(w.heap * 1.05);
    d.shutdown();
  }, 180_000);

  it(`B: ${FACADE_OPS.toExponential(0)} operations through the façade of a paused driver: flat memory, every callback exactly once`, async () => {
    const t0 = performance.now();
    const errors: unknown[] = [];
    const d = new Driver({ paused: true, onError: (e) => errors.push(e) });
    const core = (d as unknown as DriverInternals)._core;
    const LIVE = 10_000;
    const N = 1 << 23;
    const ids = new Float64Array(N);
    const state = new Uint8Array(N); //               1 pending, 2 fired, 3 cancelled
    const live: number[] = [];
    const pos = new Int32Array(N).fill(-1);
    let made = 0;
    let ops = 0;
    const count = { fire: 0, cancel: 0, refresh: 0 };
    let x = 0x1234567;
    const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
    const drop = (k: number) => {
      const p = pos[k];
      const last = live.pop()!;
      if (last !== k) { live[p] = last; pos[last] = p; }
      pos[k] = -1;
    };
    const fire = (k: number) => {
      if (state[k] !== 1) throw new Error(`timer ${k} called back in state ${state[k]}`);
      state[k] = 2;
      drop(k);
      count.fire++;
      ops++;
    };
    let warm: { heap: number; wasm: number } | undefined;
    while (ops < FACADE_OPS) {
      for (let j = 0; j < 256; j++) {
        const r = rnd() & 1023;
        if (live.length < LIVE * 0.9 || (r < 400 && live.length < LIVE)) {
          const k = made++;
          ids[k] = d.setTimeout(fire, 1 + (rnd() % 8_000), k);
          state[k] = 1;
          pos[k] = live.length;
          live.push(k);
        } else if (r < 700) {
          const k = live[rnd() % live.length];
          d.clearTimeout(ids[k]);
          state[k] = 3;
          drop(k);
          count.cancel++;
        } else {
          d.refreshTimeout(ids[live[rnd() % live.length]]);
          count.refresh++;
        }
        ops++;
      }
      await d.advance(1 + (rnd() % 64));
      // Warm: every delay (up to 8 s) has come round several times.
      if (warm === undefined && d.now() > 60_000) warm = memory(core);
    }
    const end = memory(core);
    await d.advance(HORIZON + 1);
    expect(errors).toEqual([]);
    expect(live.length).toBe(0);
    for (let k = 0; k < made; k++) if (state[k] === 1) throw new Error(`timer ${k} never fired`);
    expect(d.stats()).toMatchObject({ pending: 0, fired: count.fire, cancelled: count.cancel });
    const w = warm!;
    figures.push(`B: ${ops} façade operations (${made} setTimeout, ${count.cancel} clearTimeout, ${count.refresh} refreshTimeout, ${count.fire} callbacks) in ${((performance.now() - t0) / 1000).toFixed(1)} s; after warm-up: JS heap ${(w.heap / 2 ** 20).toFixed(1)} → ${(end.heap / 2 ** 20).toFixed(1)} MiB, wasm ${w.wasm / 2 ** 20} → ${end.wasm / 2 ** 20} MiB`);
    expect(end.wasm).toBeLessThanOrEqual(w.wasm * 1.05);
    expect(end.heap).toBeLessThanOrEqual(w.heap * 1.05);
    d.shutdown();
  }, 180_000);

  it('C: from 0 to 10^6 live timers and back down, twice; the second climb needs no more memory', async () => {
    const t0 = performance.now();
    const errors: unknown[] = [];
    const d = new Driver({ paused: true, onError: (e) => errors.push(e) });
    const core = (d as unknown as DriverInternals)._core;
    const M = 1_000_000;
    const fired = new Uint8Array(M);
    const ids = new Float64Array(M);
    let wrong = 0;
    const cb = (k: number) => { if (fired[k]++ !== 0) wrong++; };
    const sizes: number[] = [];
    for (let round = 0; round < 2; round++) {
      fired.fill(0);
      let grew = 0;
      let last = core._w.memory.buffer.byteLength;
      for (let k = 0; k < M; k++) {
        // Half of them in one batch at 60 s, so that the growth inside a callback below
        // happens with that batch's output window still held by the driver.
        ids[k] = d.setTimeout(cb, k & 1 ? 60_000 : 1 + (k % 59_999), k);
        if (core._w.memory.buffer.byteLength !== last) { grew++; last = core._w.memory.buffer.byteLength; }
      }
      expect(d.stats().pending).toBe(M);
      sizes.push(core._w.memory.buffer.byteLength);
      // Back down: a quarter cleared, the rest fired (one callback in the 60 s batch arms
      // 50 000 more, growing memory again in the middle of that batch on the first climb).
      for (let k = 0; k < M; k += 4) d.clearTimeout(ids[k]);
      let extra = 0;
      let grewInside = false;
      d.setTimeout(() => {
        const before = core._w.memory.buffer.byteLength;
        for (let j = 0; j < 50_000; j++) d.setTimeout(() => { extra++; }, 1 + (j % 1000));
        grewInside = core._w.memory.buffer.byteLength !== before;
      }, 60_000);
      await d.advance(62_000);
      expect(errors).toEqual([]);
      expect(wrong).toBe(0);
      expect(extra).toBe(50_000);
      for (let k = 0; k < M; k++) if (fired[k] !== (k % 4 === 0 ? 0 : 1)) throw new Error(`round ${round}: timer ${k} called back ${fired[k]} times`);
      expect(d.stats().pending).toBe(0);
      figures.push(`C: round ${round + 1}: 0 → 10^6 live → 0, wasm memory grew ${grew} times while climbing${grewInside ? ' and once inside a callback mid-batch' : ''}, to ${(core._w.memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB (${((performance.now() - t0) / 1000).toFixed(1)} s so far)`);
      if (round === 0) expect(grew).toBeGreaterThan(3);
      sizes.push(core._w.memory.buffer.byteLength);
    }
    // The second climb (and its way down) reused the memory of the first: no growth at all.
    expect(sizes[2]).toBe(sizes[1]);
    expect(sizes[3]).toBe(sizes[1]);
    d.shutdown();
  }, 180_000);
});
