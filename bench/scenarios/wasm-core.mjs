// The wasm core alone, instantiated straight from build/tickwheel.wasm: no Driver, no
// façade. Subtracting these figures from the façade's shows what the JS side and the
// JS↔wasm boundary cost.
//
//   empty call       `pending()` N times: the price of one boundary crossing
//   schedule+flush   N × schedule(delay, 0), slots copied to the IN window 1024 at a time,
//                    flush(now, k) per window (what the driver's checkpoint does)
//   cancel           N × cancel(id) in scheduling order, then flush(0, 0) (which sweeps)
//   fire             N timers over 1000 ticks; process(t, 1) / process(t, 0) for every tick,
//                    reading each OUT window entry (the dispatch loop minus callbacks)
//   refresh          N × refresh(id, delay) + flush at a later instant; then "deferred":
//                    the extra cost of the later passes that move the lazily re-armed
//                    entries, vs. the same passes without refreshes
//
// The same instance is reused across rounds (a warm driver: capacity already grown).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LONG_MAX, LONG_MIN, interleave, now, randomDelays, summarize } from '../lib.mjs';

export const id = 'wasm-core';
export const title = 'the wasm core alone';

const SLOT_MASK = 2 ** 26 - 1;

function wasmPath() {
  return process.env.TICKWHEEL_BENCH_WASM ?? fileURLToPath(new URL('../../build/tickwheel.wasm', import.meta.url));
}

function instantiate(module) {
  const c = new WebAssembly.Instance(module, {}).exports;
  c.init(0x1234);
  const win = typeof c.windowSize === 'function' ? c.windowSize() : 1024;
  const inAt = typeof c.inWindow === 'function' ? c.inWindow() : c.windows();
  const outAt = typeof c.outWindow === 'function' ? c.outWindow() : inAt + win * 4;
  let buf = null, inWin, out;
  const views = () => {
    if (buf !== c.memory.buffer) {
      buf = c.memory.buffer;
      inWin = new Uint32Array(buf, inAt, win);
      out = new Int32Array(buf, outAt, win);
    }
  };
  return { c, win, views: () => { views(); return { inWin, out }; } };
}

export async function run({ quick, log }) {
  const n = quick ? 1e5 : 1e6;
  const rounds = quick ? 3 : 7;
  const module = new WebAssembly.Module(readFileSync(wasmPath()));
  const core = instantiate(module);
  const { c, win } = core;
  const ids = new Float64Array(n);
  const slots = new Uint32Array(n);
  const dLong = randomDelays(n, LONG_MIN, LONG_MAX, 71);
  const dFire = randomDelays(n, 1, 1000, 72);
  const dRef = randomDelays(n, 1000, 1999, 73);
  let clock = 0; // the core's time only moves forward: each round starts later

  function scheduleAll(d, at) {
    for (let i = 0; i < n; i++) {
      const id = c.schedule(d[i], 0);
      ids[i] = id;
      slots[i] = id % 2 ** 26;
    }
    flushAll(at);
  }
  function flushAll(at) {
    for (let off = 0; off < n; off += win) {
      const k = Math.min(win, n - off);
      core.views().inWin.set(slots.subarray(off, off + k));
      c.flush(at, k);
    }
  }
  function processTo(from, to) {
    let fired = 0, sum = 0;
    for (let t = from; t <= to; t++) {
      for (let k = c.process(t, 1); k > 0; k = c.process(t, 0)) {
        const { out } = core.views();
        for (let j = 0; j < k; j++) sum += out[j];
        fired += k;
      }
    }
    return fired + (sum & 0);
  }

  const cases = [
    { name: 'empty call (pending())', run() { const t0 = now(); let s = 0; for (let i = 0; i < n; i++) s += c.pending(); return { ns: ((now() - t0) * 1e6) / n, s }; } },
    {
      name: 'schedule + flush, cancel',
      run() {
        const t0 = now();
        scheduleAll(dLong, clock);
        const t1 = now();
        for (let i = 0; i < n; i++) c.cancel(ids[i]);
        c.flush(clock, 0);
        const t2 = now();
        if (c.pending() !== 0) throw new Error('core: timers left after cancel');
        return { schedule: ((t1 - t0) * 1e6) / n, cancel: ((t2 - t1) * 1e6) / n, total: ((t2 - t0) * 1e6) / n };
      },
    },
    {
      name: 'fire (process)',
      run() {
        const base = Math.ceil(clock) + 1;
        scheduleAll(dFire, base);
        const t0 = now();
        const fired = processTo(base, base + 1001);
        const t1 = now();
        clock = base + 1002;
        if (fired !== n) throw new Error(`core: fired ${fired} of ${n}`);
        return { fire: ((t1 - t0) * 1e6) / n };
      },
    },
    {
      name: 'refresh (lazy) and its deferred cost',
      run() {
        // Baseline: the passes over [base, base + 2600] with no refresh.
        let base = Math.ceil(clock) + 1;
        scheduleAll(dRef, base);
        let t0 = now();
        processTo(base, base + 2600);
        const plain = now() - t0;
        // Same timers, each refreshed once at base + 500 (same delay, so + 500 ms).
        base += 2601;
        scheduleAll(dRef, base);
        t0 = now();
        for (let i = 0; i < n; i++) c.refresh(ids[i], dRef[i]);
        flushAll(base + 500);
        const t1 = now();
        const fired = processTo(base, base + 2600);
        const t2 = now();
        clock = base + 2601;
        if (fired !== n) throw new Error(`core: fired ${fired} of ${n} after refresh`);
        return { refresh: ((t1 - t0) * 1e6) / n, deferred: ((t2 - t1 - plain) * 1e6) / n, passesPlain: (plain * 1e6) / n };
      },
    },
  ];

  log(`  ${n.toExponential(0)} timers, wasm core only (${rounds} rounds)`);
  const rows = {};
  for (const k of cases) {
    const { samples } = await interleave([k], rounds, async (x) => x.run(), { log });
    const s = samples[k.name];
    rows[k.name] = Object.fromEntries(Object.entries(s).filter(([key]) => key !== 's').map(([key, xs]) => [key, summarize(xs)]));
  }
  return { id, title, n, rounds, rows, wasmBytes: readFileSync(wasmPath()).length };
}
