#!/usr/bin/env node
// Threads: does one driver per worker_threads worker scale? Each worker owns a Driver (its
// own wasm instance and memory, nothing shared) and, per round, schedules N façade timers
// with delays of 1–8 ms and waits until every one has fired. The delays are shorter than
// the time it takes to schedule N timers, so the round is CPU-bound: the wall time is the
// cost of scheduling + firing, not the delays.
//
//   node bench/threads.mjs [N per worker = 200000] [rounds = 5]     (after npm run build)
//
// Prints timers/s (scheduled and fired) with 1 worker and with 2 side by side, and the
// ratio: 2.0 would be perfect scaling; on a 2-core machine the main thread, GC helpers and
// the OS share the same cores, so expect less, and nothing near 2 when other jobs hold a
// core (the load average is printed). The last column, timers per CPU-second of a worker's
// own thread, does not depend on idle cores: equal for 1 and 2 workers means the workers do
// not slow each other down. Rounds alternate 1, 2, 1, 2, … and the median round is reported.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * CPU seconds of the calling thread (Linux: /proc/thread-self/stat, 10 ms ticks), or NaN.
 * Wall-clock scaling needs idle cores; CPU time per timer shows whether the workers slow
 * each other down even on a machine that cannot give each its own core.
 */
function threadCpu() {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8');
    const after = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(after[11]) + Number(after[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

const DIST = new URL('../dist/index.js', import.meta.url);

if (!isMainThread) {
  const { Driver } = await import(DIST.href);
  const { n, seed } = workerData;
  const delays = new Uint8Array(n);
  let a = seed >>> 0; // mulberry32
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    delays[i] = 1 + ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 8 | 0);
  }
  /** One round: schedule n timers on a fresh driver, resolve when all have fired. */
  const round = () => new Promise((resolve) => {
    const d = new Driver({ initialCapacity: n });
    let left = n;
    const c0 = threadCpu();
    const cb = () => {
      if (--left === 0) {
        d.shutdown();
        resolve(threadCpu() - c0);
      }
    };
    for (let i = 0; i < n; i++) d.setTimeout(cb, delays[i]);
  });
  parentPort.on('message', async (msg) => {
    if (msg === 'exit') process.exit(0);
    parentPort.postMessage(await round());
  });
} else {
  const n = Number(process.argv[2] ?? 200_000);
  const rounds = Number(process.argv[3] ?? 5);
  const spawn = (seed) => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { n, seed } });
    w.once('online', () => resolve(w));
    w.once('error', reject);
  });
  const ask = (w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('go'); });
  const pool = [await spawn(1), await spawn(2)];

  // Warm-up: compile and JIT in both workers (not timed).
  await Promise.all(pool.map(ask));
  await Promise.all(pool.map(ask));

  const rates = { 1: [], 2: [] };
  const perCpu = { 1: [], 2: [] };
  for (let r = 0; r < rounds; r++) {
    for (const k of [1, 2]) {
      const t0 = performance.now();
      const cpu = await Promise.all(pool.slice(0, k).map(ask));
      const wall = performance.now() - t0;
      rates[k].push((k * n) / (wall / 1000));
      perCpu[k].push((k * n) / cpu.reduce((a, b) => a + b, 0));
    }
  }
  for (const w of pool) w.postMessage('exit');

  const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
  const fmt = (x) => `${(x / 1e6).toFixed(2)} M/s`;
  const one = median(rates[1]);
  const two = median(rates[2]);
  const cpu1 = median(perCpu[1]);
  const cpu2 = median(perCpu[2]);
  const load = (await import('node:os')).loadavg()[0];
  console.log(`tickwheel threads: ${n.toLocaleString('en')} timers per worker per round (schedule + fire), median of ${rounds} rounds`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `load average ${load.toFixed(2)} at the end; Node ${process.versions.node}; ${new Date().toISOString().slice(0, 10)}`);
  console.log('');
  console.log('| workers | timers/s, wall clock (all workers) | per worker | vs 1 worker | timers per CPU-second of a worker |');
  console.log('| ------: | ---------------------------------: | ---------: | ----------: | --------------------------------: |');
  console.log(`| 1 | ${fmt(one)} | ${fmt(one)} | 1.00× | ${fmt(cpu1)} |`);
  console.log(`| 2 | ${fmt(two)} | ${fmt(two / 2)} | ${(two / one).toFixed(2)}× | ${fmt(cpu2)} (${(cpu2 / cpu1).toFixed(2)}× of 1 worker's) |`);
}
