// Shared helpers for the scenarios: seeded randomness, GC, macrotask boundaries, statistics,
// the interleaved-rounds loop and table formatting. Nothing here is timed.

import { performance } from 'node:perf_hooks';

export const now = () => performance.now();

/** Process CPU time (user + system, every thread: GC and compiler threads included), in ms. */
export const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** mulberry32: a small seeded PRNG, so every run uses the same delays and orders. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The "long" delays of every scenario whose timers must not fire while it runs: the brief's
 * 1–60 s, shifted by 60 s. Under load the slowest contender (retimer) needs 5–10 s to
 * schedule 10^6 timers, and a timer due before the cancel phase would turn a schedule +
 * cancel measurement into a fire measurement (and the scenarios' callbacks throw if one fires).
 */
export const LONG_MIN = 61_000;
export const LONG_MAX = 120_000;
export const LONG_LABEL = 'random 61–120 s';
/** Node's fast path: few distinct durations (one list each). */
export const EIGHT = [60_000, 65_000, 70_000, 75_000, 80_000, 90_000, 100_000, 120_000];

/** Integer delays in [lo, hi] ms. */
export function randomDelays(n, lo, hi, seed = 1) {
  const r = rng(seed);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + Math.floor(r() * (hi - lo + 1));
  return d;
}

/** Delays drawn from a small set of distinct values (Node's per-duration list fast path). */
export function distinctDelays(n, values, seed = 2) {
  const r = rng(seed);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = values[Math.floor(r() * values.length)];
  return d;
}

/** A random permutation of 0..n-1. */
export function permutation(n, seed = 3) {
  const r = rng(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

export function identity(n) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** A full macrotask boundary: every pending microtask (tickwheel's checkpoint) has run. */
export const macrotask = () => new Promise((resolve) => setImmediate(resolve));

export function gc() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('run with --expose-gc (npm run bench does)');
  }
  globalThis.gc();
  globalThis.gc();
}

/**
 * GC, then give V8's concurrent sweeper a moment: without the pause, the sweeping left over
 * from a forced GC lands in the next timed region (and in process CPU time), billing one
 * contender for the garbage of another.
 */
export async function settle() {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 15));
  await macrotask();
}

/** Drops the references a handle array holds (so the next GC does not have to mark them). */
export function release(h) {
  if (Array.isArray(h)) h.fill(undefined);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Percentile (0..100) of a sorted typed array, nearest-rank. */
export function percentileSorted(sorted, p) {
  if (sorted.length === 0) return NaN;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k];
}

export function summarize(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs.length };
}

/** Thrown by a contender that cannot run yet (an API still a stub). */
export class Skip extends Error {}

/** True when `e` is the "not implemented yet" placeholder of a stubbed API. */
export function isNotImplemented(e) {
  return e instanceof Error && /not implemented/i.test(e.message);
}

/**
 * Runs `rounds` rounds of every contender, interleaved: round r starts at contender r (mod n),
 * so no contender always runs first or last; GC before each measurement. `measure(c)` returns
 * an object of numbers (one sample per key). A contender that throws Skip (or "not
 * implemented") is dropped with its reason. Returns { name: { key: number[] } , skipped }.
 */
export async function interleave(contenders, rounds, measure, { warmup = 1, log = () => {} } = {}) {
  const samples = new Map();
  const skipped = new Map();
  for (let r = -warmup; r < rounds; r++) {
    const live = contenders.filter((c) => !skipped.has(c.name));
    const n = live.length;
    for (let k = 0; k < n; k++) {
      const c = live[(k + Math.max(r, 0)) % n];
      await settle();
      let m;
      try {
        m = await measure(c);
      } catch (e) {
        if (e instanceof Skip || isNotImplemented(e)) {
          skipped.set(c.name, e.message);
          log(`  skip ${c.name}: ${e.message}`);
          continue;
        }
        throw e;
      }
      if (r < 0) continue; // warm-up
      let s = samples.get(c.name);
      if (!s) samples.set(c.name, (s = {}));
      for (const [key, v] of Object.entries(m)) (s[key] ??= []).push(v);
    }
  }
  const out = {};
  for (const c of contenders) if (samples.has(c.name)) out[c.name] = samples.get(c.name);
  return { samples: out, skipped: Object.fromEntries(skipped) };
}

// ---- formatting --------------------------------------------------------------------------

export function fmt(v, digits = 3) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(Math.max(1, digits - 1));
}

/** "×12.3": how many times `base` costs what `v` costs (higher = better for v). */
export function ratio(base, v) {
  if (!(base > 0) || !(v > 0)) return '–';
  const r = base / v;
  return r >= 10 ? `×${r.toFixed(0)}` : `×${r.toFixed(2)}`;
}

/** A Markdown table (also readable in a terminal). */
export function table(head, rows) {
  const all = [head, ...rows].map((r) => r.map((c) => String(c)));
  const w = head.map((_, j) => Math.max(...all.map((r) => r[j].length), 3));
  const line = (r) => `| ${r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join(' | ')} |`;
  const sep = `| ${w.map((n, j) => (j === 0 ? '-'.repeat(n) : '-'.repeat(n - 1) + ':')).join(' | ')} |`;
  return [line(all[0]), sep, ...all.slice(1).map(line)].join('\n');
}

/** "12.3 (11.9–14.0)" */
export function mm(s, scale = 1) {
  if (!s) return '–';
  return `${fmt(s.median * scale)} (${fmt(s.min * scale)}–${fmt(s.max * scale)})`;
}
