// The core alone, as the driver holds it (src/wasm.ts `Core`: the per-timer operations are
// JS stores on the wasm memory, everything that walks many entries is a wasm call), with no
// Driver and no façade. Subtracting these figures from the façade's shows what the JS side
// around the core costs.
//
//   empty call       `elapsedTick()` N times: the price of one boundary crossing
//   schedule+flush   N × schedule(delay, 0), slots copied to the IN window 1024 at a time,
//                    flush(now, k) per window (what the driver's checkpoint does)
//   cancel           N cancel records (-id) in scheduling order through the IN window and flush (which sweeps)
//   fire             N timers over 1000 ticks; process(t, 1) / process(t, 0) for every tick,
//                    reading each OUT window entry (the dispatch loop minus callbacks)
//   refresh          N × refresh(id, delay) + flush at a later instant; then "deferred":
//                    the extra cost of the later passes that move the lazily re-armed
//                    entries, vs. the same passes without refreshes
//
// The same core is reused across rounds (a warm driver: capacity already grown). The wasm
// exports have one-letter names (src/wasm.ts WasmCore): f = flush, p = process,
// t = elapsedTick; control word 2 is the pending count.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { LONG_MAX, LONG_MIN, interleave, now, randomDelays, summarize } from '../lib.mjs';

export const id = 'wasm-core';
export const title = 'the wasm core alone';

const WINDOW = 1024;
const C_LIVE = 2;

function wasmPath() {
  return process.env.TICKWHEEL_BENCH_WASM ?? fileURLToPath(new URL('../../build/tickwheel.wasm', import.meta.url));
}

export async function run({ quick, log }) {
  const n = quick ? 1e5 : 1e6;
  const rounds = quick ? 3 : 7;
  const corePath = process.env.TICKWHEEL_BENCH_CORE;
  if (!corePath) throw new Error('wasm-core: run through bench/run.mjs (it bundles the core)');
  const { createCore } = await import(pathToFileURL(corePath).href);
  const c = createCore(0x1234);
  const w = c._w;
  const ids = new Float64Array(n);
  const slots = new Uint32Array(n);
  const dLong = randomDelays(n, LONG_MIN, LONG_MAX, 71);
  const dFire = randomDelays(n, 1, 1000, 72);
  const dRef = randomDelays(n, 1000, 1999, 73);
  let clock = 0; // the core's time only moves forward: each round starts later

  function scheduleAll(d, at) {
    for (let i = 0; i < n; i++) {
      const id = c._schedule(d[i], 0);
      ids[i] = id;
      slots[i] = id % 2 ** 26;
    }
    flushAll(at);
  }
  function flushAll(at) {
    for (let off = 0; off < n; off += WINDOW) {
      const k = Math.min(WINDOW, n - off);
      c._in.set(slots.subarray(off, off + k));
      w.f(at, k, 1);
    }
  }
  function processTo(from, to) {
    let fired = 0, sum = 0;
    for (let t = from; t <= to; t++) {
      for (let k = w.p(t, 1); k > 0; k = w.p(t, 0)) {
        const out = c._out;
        for (let j = 0; j < k; j++) sum += out[j];
        fired += k;
      }
    }
    return fired + (sum & 0);
  }

  const cases = [
    { name: 'empty call (elapsedTick())', run() { const t0 = now(); let s = 0; for (let i = 0; i < n; i++) s += w.t(); return { ns: ((now() - t0) * 1e6) / n, s }; } },
    {
      name: 'schedule + flush, cancel',
      run() {
        const t0 = now();
        scheduleAll(dLong, clock);
        const t1 = now();
        // As the driver cancels outside callbacks: records (-id) that the flush applies.
        for (let off = 0; off < n; off += WINDOW) {
          const k = Math.min(WINDOW, n - off);
          const win = c._in;
          for (let j = 0; j < k; j++) win[j] = -ids[off + j];
          w.f(clock, k, off + k < n ? 1 : 0); // the last window may sweep, as the driver's checkpoint does
        }
        const t2 = now();
        if (c._ctrl[C_LIVE] !== 0) throw new Error('core: timers left after cancel');
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
        for (let i = 0; i < n; i++) w.e(ids[i], dRef[i]); // rearm
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
