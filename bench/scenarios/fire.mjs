// Fire throughput and lateness: N timers with delays spread over 1 s of real time.
//
// Two ways of scheduling them:
//   burst    all N in one synchronous loop (one task), like a server restoring state;
//   trickle  100 per macrotask (setImmediate between chunks), like timers armed per request.
// The difference matters for tickwheel: it fixes deadlines at the microtask checkpoint that
// ends the task, with one clock reading, so a timer armed early in a long task is late by
// the rest of that task (never early). Node reads its (ms-truncated) loop clock per call.
//
// Each timer gets its own callback (closures made before the clock starts), which records
// `clock() - deadline`, where deadline = clock() read just before the schedule call + delay
// (a lower bound of the true deadline, so a negative lateness is a certain early fire):
//   - tickwheel: its driver's clock, `now()` (the clock its guarantee is stated in);
//   - Node and the npm peers: performance.now();
//   - the plain-JS references: their own clock (performance.now() minus an origin).
// CPU is process.cpuUsage() (user + system, all threads: GC helpers included) from before
// the first schedule call to the last callback; schedule CPU is up to the end of the
// scheduling loop plus one macrotask.
//
// Not here: retimer and timeout-refresh (both fire through Node's own setTimeout), and
// timer-wheel (npm), whose README states a minimum delay of 1000 ms: driven by a 1 ms
// setInterval, ~0.5% of these sub-second timers had not fired 5 s later (its first level
// has 1024 ms slots, and an entry re-bucketed behind the cursor waits a whole rotation).
// A watchdog fails any contender that has not fired everything 15 s after scheduling.

import { timers } from '../contenders.mjs';
import { interleave, macrotask, now, percentileSorted, randomDelays, summarize } from '../lib.mjs';

export const id = 'fire';
export const title = 'fire throughput and lateness';

export async function run({ quick, log }) {
  const n = 1e5;
  const rounds = quick ? 2 : 5;
  const modes = quick ? ['burst'] : ['burst', 'trickle'];
  const d = randomDelays(n, 1, 1000, 31);
  const names = ['node setTimeout', 'tickwheel', 'js wheel (6×64)', 'js binary heap'];
  const contenders = timers.filter((c) => names.includes(c.name));
  const variants = [];
  for (const [mi, mode] of modes.entries()) {
    log(`  ${n.toExponential(0)} timers over 1 s, ${mode} (${rounds} rounds)`);
    variants.push({ mode, ...(await runMode(mode, n, d, contenders, rounds, mi === 0 ? 1 : 0, log)) });
  }
  return {
    id, title, n, rounds, variants,
    contenders: contenders.map(({ name, note }) => ({ name, note })),
  };
}

async function runMode(mode, n, d, contenders, rounds, warmup, log) {
  const late = new Float64Array(n);
  const deadline = new Float64Array(n);
  const allLateness = new Map(); // name -> Float64Array[] per round

  const { samples, skipped } = await interleave(contenders, rounds, async (c) => {
    const schedule = c.schedule;
    const clock = c.now;
    let fired = 0;
    let done;
    const finished = new Promise((r) => { done = r; });
    const cbs = new Array(n);
    for (let i = 0; i < n; i++) {
      cbs[i] = () => {
        late[i] = clock() - deadline[i];
        if (++fired === n) done();
      };
    }
    late.fill(NaN);
    const cpu0 = process.cpuUsage();
    const w0 = now();
    if (mode === 'burst') {
      for (let i = 0; i < n; i++) {
        deadline[i] = clock() + d[i];
        schedule(cbs[i], d[i]);
      }
    } else {
      for (let i = 0; i < n; i++) {
        deadline[i] = clock() + d[i];
        schedule(cbs[i], d[i]);
        if (i % 100 === 99) await macrotask();
      }
    }
    await macrotask();
    const cpuS = process.cpuUsage(cpu0);
    let watchdog;
    const timedOut = new Promise((r) => { watchdog = setTimeout(r, 15000, 'timeout'); });
    if ((await Promise.race([finished, timedOut])) === 'timeout') {
      throw new Error(`fire: ${c.name} fired ${fired} of ${n} timers within 15 s`);
    }
    clearTimeout(watchdog);
    const cpu = process.cpuUsage(cpu0);
    const wall = now() - w0;
    const sorted = Float64Array.from(late).sort();
    let early = 0;
    for (let i = 0; i < n; i++) if (late[i] < 0) early++;
    let list = allLateness.get(c.name);
    if (!list) allLateness.set(c.name, (list = []));
    list.push(sorted);
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      scheduleCpuMs: (cpuS.user + cpuS.system) / 1000,
      wallMs: wall,
      p50: percentileSorted(sorted, 50),
      p99: percentileSorted(sorted, 99),
      max: sorted[n - 1],
      min: sorted[0],
      early,
    };
  }, { warmup, log });

  const rows = {};
  const curves = {};
  for (const [name, s] of Object.entries(samples)) {
    rows[name] = Object.fromEntries(Object.entries(s).map(([k, xs]) => [k, summarize(xs)]));
    rows[name].earlyTotal = s.early.reduce((a, b) => a + b, 0);
    // Lateness curve over every measured round (the warm-up round is the first; drop it).
    const lists = allLateness.get(name).slice(-s.early.length);
    const all = new Float64Array(lists.reduce((a, l) => a + l.length, 0));
    let off = 0;
    for (const l of lists) { all.set(l, off); off += l.length; }
    all.sort();
    const pts = [0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];
    curves[name] = pts.map((p) => [p, percentileSorted(all, p)]);
  }
  return { rows, curves, skipped };
}
