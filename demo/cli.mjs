#!/usr/bin/env node
// `npm start`: one million idle timeouts, tickwheel against Node's own setTimeout, in one run.
//
// The workload is a server that arms one idle timeout per connection:
//
//   open ──► setTimeout(onIdle, 1.5–3 s)          all 10^6 connections open over 2 s
//   traffic ─► refreshTimeout(id) / t.refresh()   half of them see 1–3 requests …
//   close ───► clearTimeout(id)                   … and 90% close before going idle
//   idle ────► the callback fires                 the other 10% fire
//
// The same seeded schedule of events is played against each implementation in real time,
// then the script prints what each cost: arming and cancelling 10^6 timers, memory for 10^6
// pending ones (heapUsed + external after gc(), which counts the wasm memory), and for the
// workload: wall time, CPU, how busy the event loop was, and how many timers fired early
// (the callback ran before "moment of the call + delay" by the implementation's own clock).
//
//   node demo/cli.mjs [--n 1000000] [--only tickwheel|node] [--json]

import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

// ---- gc(): re-run ourselves with --expose-gc when it is missing ------------------------------

if (typeof globalThis.gc !== 'function' && !process.env.TICKWHEEL_DEMO_NO_REEXEC) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TICKWHEEL_DEMO_NO_REEXEC: '1' },
  });
  if (r.error === undefined) process.exit(r.status ?? 1);
  // Could not spawn: carry on without gc (memory figures are then noisier).
}

const { Driver } = await import('../dist/index.js');

// ---- options -----------------------------------------------------------------------------

function option(name, fallback) {
  const args = process.argv.slice(2);
  for (let k = 0; k < args.length; k++) {
    if (args[k] === `--${name}`) return args[k + 1] ?? fallback;
    if (args[k].startsWith(`--${name}=`)) return args[k].slice(name.length + 3);
  }
  return fallback;
}
const N = Math.max(1000, Math.floor(Number(option('n', 1_000_000))));
const ONLY = option('only', '');
const JSON_OUT = process.argv.includes('--json');

const OPEN_SPAN = 2000; //   connections open over this many ms
const IDLE_SHARE = 0.10; //   connections that never close: their timeout fires
const CLOSE_ONLY = 0.40; //   connections that close without traffic
const SAFETY = 15_000; //     give up waiting this long after the last event

// Node's own timers, captured before anything else can touch the globals.
const nodeSetTimeout = globalThis.setTimeout;
const nodeClearTimeout = globalThis.clearTimeout;
const nodeSetInterval = globalThis.setInterval;
const nodeClearInterval = globalThis.clearInterval;

// ---- terminal output -----------------------------------------------------------------------

const tty = process.stderr.isTTY === true;
const color = tty && !process.env.NO_COLOR;
const paint = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : String(s));
const dim = paint('2'), bold = paint('1'), cyan = paint('36'), green = paint('32'), yellow = paint('33'), red = paint('31');

let lastDraw = 0;
let lastPhase = '';
/** Draws the progress line (TTY), or prints one line per phase (pipes, CI logs). */
function progress(label, phase, frac, detail, force = false) {
  if (JSON_OUT && !tty) return;
  if (!tty) {
    if (phase !== lastPhase) { process.stderr.write(`  ${label}: ${phase}\n`); lastPhase = phase; }
    return;
  }
  const t = performance.now();
  if (!force && t - lastDraw < 80) return;
  lastDraw = t;
  const width = 28;
  const f = Math.min(1, Math.max(0, frac));
  const full = Math.round(f * width);
  const bar = cyan('█'.repeat(full)) + dim('░'.repeat(width - full));
  const pct = `${Math.round(f * 100)}`.padStart(3);
  process.stderr.write(`\r\x1b[K  ${bold(label.padEnd(18))} ${bar} ${pct}%  ${phase.padEnd(9)} ${dim(detail)}`);
}
function progressDone(label, summary) {
  if (JSON_OUT && !tty) return;
  if (tty) process.stderr.write(`\r\x1b[K  ${bold(label.padEnd(18))} ${green('✔')} ${dim(summary)}\n`);
  else process.stderr.write(`  ${label}: done (${summary})\n`);
  lastPhase = '';
}

const k = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(x % 1e6 ? 2 : 0)}M` : x >= 1e3 ? `${Math.round(x / 1e3)}k` : `${x}`);

// ---- the workload: one seeded schedule, shared by every run ------------------------------------

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(0x7157);
const delay = new Uint16Array(N); //   idle timeout, ms
const openAt = new Float64Array(N); // ms after the start, ascending
let expectedFires = 0;
// Refreshes and closes, bucketed by whole ms (a counting sort): code = conn * 2 + (1 if close).
const events = [];
let lastEventMs = 0;
for (let i = 0; i < N; i++) {
  delay[i] = 1500 + Math.floor(rand() * 1500);
  openAt[i] = (i * OPEN_SPAN) / N;
  const r = rand();
  if (r < IDLE_SHARE) { expectedFires++; continue; }
  // Close 300–1200 ms after opening: always before the timeout (>= 1500 ms after the last arm).
  const close = openAt[i] + 300 + rand() * 900;
  const requests = r < IDLE_SHARE + CLOSE_ONLY ? 0 : 1 + Math.floor(rand() * 3);
  for (let j = 1; j <= requests; j++) events.push(openAt[i] + ((close - openAt[i]) * j) / (requests + 1), i * 2);
  events.push(close, i * 2 + 1);
  if (close > lastEventMs) lastEventMs = close;
}
const buckets = Math.ceil(lastEventMs) + 1;
const bucketStart = new Int32Array(buckets + 1);
for (let e = 0; e < events.length; e += 2) bucketStart[Math.floor(events[e]) + 1]++;
for (let b = 0; b < buckets; b++) bucketStart[b + 1] += bucketStart[b];
const eventCode = new Int32Array(events.length / 2);
{
  const fill = bucketStart.slice(0, buckets);
  for (let e = 0; e < events.length; e += 2) eventCode[fill[Math.floor(events[e])]++] = events[e + 1];
}
events.length = 0;

// One callback per connection, made once and shared by every run, so that neither run's
// memory figure includes them; each calls whichever `onFire` the current run installed.
let onFire = (_i) => {};
const callbacks = new Array(N);
for (let i = 0; i < N; i++) callbacks[i] = () => onFire(i);

// ---- the implementations -------------------------------------------------------------------

function tickwheelImpl() {
  const driver = new Driver();
  return {
    name: 'tickwheel',
    // Bound methods: the hot path is exactly what a user calls.
    set: driver.setTimeout, clear: driver.clearTimeout, refresh: driver.refreshTimeout,
    clock: driver.now,
    handles: new Float64Array(N), // ids are plain numbers
    close() { driver.shutdown(); },
  };
}

function nodeImpl() {
  return {
    name: 'setTimeout (Node)',
    set: nodeSetTimeout, clear: nodeClearTimeout, refresh: (t) => t.refresh(),
    clock: () => performance.now(),
    handles: new Array(N).fill(null), // Timeout objects
    close() {},
  };
}

// ---- measuring -------------------------------------------------------------------------------

const hasGc = typeof globalThis.gc === 'function';
function settle() {
  if (hasGc) { globalThis.gc(); globalThis.gc(); }
}
function memory() {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

const PENDING = 1, FIRED = 2, CLOSED = 3;

async function run(makeImpl) {
  settle();
  const impl = makeImpl();
  const { name, set, clear, refresh, clock, handles } = impl;
  const state = new Uint8Array(N);
  const armedAt = new Float64Array(N);
  const lateness = new Float64Array(N);
  const out = { name };

  // 1. Memory and raw speed: arm N timers (10 minutes: none fires), then cancel them all.
  settle();
  await tick();
  const mem0 = memory();
  progress(name, 'arming', 0, '', true);
  let t = performance.now();
  for (let i = 0; i < N; i++) handles[i] = set(callbacks[i], 600_000);
  await null; // tickwheel fixes the batch's deadlines at this microtask checkpoint
  out.armMs = performance.now() - t;
  settle();
  out.memBytes = memory() - mem0;
  progress(name, 'cancel', 0.02, '', true);
  t = performance.now();
  for (let i = 0; i < N; i++) clear(handles[i]);
  await null;
  out.clearMs = performance.now() - t;
  handles.fill(impl.name === 'tickwheel' ? 0 : null);
  settle();
  await tick();

  // 2. The idle-timeout workload, in real time.
  let fired = 0, early = 0, done = 0, firedAfterClose = 0, lateCloses = 0;
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  onFire = (i) => {
    const now = clock();
    if (state[i] !== PENDING) { firedAfterClose++; return; }
    state[i] = FIRED;
    // armedAt was read before the call that armed it: firing before armedAt + delay is early for sure.
    const due = armedAt[i] + delay[i];
    if (now < due) early++;
    lateness[fired++] = now - due;
    if (++done === N) finish();
  };

  let nextOpen = 0, bucket = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const step = () => {
    const at = performance.now() - t0;
    const armTime = clock();
    while (nextOpen < N && openAt[nextOpen] <= at) {
      const i = nextOpen++;
      handles[i] = set(callbacks[i], delay[i]);
      armedAt[i] = armTime;
      state[i] = PENDING;
    }
    const upTo = Math.min(buckets, Math.floor(at) + 1);
    for (; bucket < upTo; bucket++) {
      for (let e = bucketStart[bucket], end = bucketStart[bucket + 1]; e < end; e++) {
        const code = eventCode[e];
        const i = code >> 1;
        if (state[i] !== PENDING) { if (code & 1) lateCloses++; continue; }
        if (code & 1) {
          clear(handles[i]);
          state[i] = CLOSED;
          if (++done === N) finish();
        } else {
          refresh(handles[i]);
          armedAt[i] = armTime;
        }
      }
    }
    if (nextOpen < N || bucket < buckets) nodeSetTimeout(step, 1);
  };
  nodeSetTimeout(step, 1);
  const ticker = nodeSetInterval(() => {
    const phase = nextOpen < N ? 'opening' : bucket < buckets ? 'traffic' : 'idle';
    progress(name, phase, 0.04 + 0.96 * (done / N), `${k(nextOpen - done)} pending · ${k(fired)} fired`);
  }, 100);
  const safety = nodeSetTimeout(() => finish(), OPEN_SPAN + 3000 + SAFETY);
  await finished;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  nodeClearInterval(ticker);
  nodeClearTimeout(safety);
  impl.close();

  const late = lateness.subarray(0, fired).sort();
  const pct = (p) => (late.length ? late[Math.min(late.length - 1, Math.floor(p * late.length))] : NaN);
  Object.assign(out, {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopBusy: elu.utilization,
    fired,
    early,
    worstEarly: fired && late[0] < 0 ? -late[0] : 0,
    lateP50: pct(0.5),
    lateP99: pct(0.99),
    timedOut: done !== N,
    firedAfterClose,
    lateCloses,
  });
  progressDone(name, `${(wallMs / 1000).toFixed(2)} s wall · ${k(fired)} fired · ${early} early`);
  onFire = () => {};
  return out;
}

// ---- the table ----------------------------------------------------------------------------------

function table(results) {
  const fmtMs = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
  const fmtMB = (v) => `${(v / 1048576).toFixed(1)} MB`;
  const fmtN = (v) => v.toLocaleString('en-US');
  const fmtLate = (v) => (Number.isNaN(v) ? '–' : `${v.toFixed(1)} ms`);
  const rows = [
    ['', null, null],
    [`arm ${k(N)} timers`, 'armMs', fmtMs, 'faster'],
    [`memory, ${k(N)} pending`, 'memBytes', fmtMB, 'less'],
    [`cancel ${k(N)} timers`, 'clearMs', fmtMs, 'faster'],
    ['idle-timeout workload', null, null],
    ['  wall time', 'wallMs', fmtMs, null],
    ['  CPU (user + system)', 'cpuMs', fmtMs, 'less'],
    ['  event loop busy', 'loopBusy', (v) => `${(v * 100).toFixed(0)} %`, 'less'],
    ['  timers fired', 'fired', fmtN, null],
    ['  fired early', 'early', fmtN, 'zero'],
    ['  … by up to', 'worstEarly', (v) => (v > 0 ? `${v.toFixed(1)} ms` : '–'), null],
    ['  late, median', 'lateP50', fmtLate, null],
    ['  late, p99', 'lateP99', fmtLate, null],
  ];
  const names = results.map((r) => r.name);
  const w0 = 26, w = 20;
  const lines = [];
  lines.push(bold('  ' + ''.padEnd(w0) + names.map((n) => n.padStart(w)).join('') + (results.length === 2 ? 'ratio'.padStart(14) : '')));
  for (const [label, key, fmt, better] of rows) {
    if (key === null) {
      if (label) lines.push('  ' + dim(label));
      continue;
    }
    let line = '  ' + label.padEnd(w0);
    const vals = results.map((r) => r[key]);
    for (let j = 0; j < vals.length; j++) {
      let s = fmt(vals[j]).padStart(w);
      if (better === 'zero') s = vals[j] === 0 ? green(s) : red(s);
      line += s;
    }
    if (results.length === 2 && (better === 'less' || better === 'faster') && vals[0] > 0 && vals[1] > 0) {
      // How tickwheel (first column) compares with Node's setTimeout (second).
      const ratio = vals[1] / vals[0];
      const [good, bad] = better === 'less' ? ['less', 'more'] : ['faster', 'slower'];
      const s = ratio >= 1 ? `${ratio.toFixed(1)}× ${good}` : `${(1 / ratio).toFixed(1)}× ${bad}`;
      line += (ratio >= 1 ? green : yellow)(s.padStart(14));
    }
    lines.push(line);
  }
  return lines.join('\n');
}

// ---- main ------------------------------------------------------------------------------------------

const header = `tickwheel demo: ${k(N)} idle timeouts, ${Math.round((1 - IDLE_SHARE) * 100)}% refreshed or closed, ${Math.round(IDLE_SHARE * 100)}% fire (${k(expectedFires)})`;
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'} · ${cpus().length} cores · Node ${process.version} · ${new Date().toISOString().slice(0, 10)}`;
if (!JSON_OUT) {
  console.log(`\n  ${bold(header)}`);
  console.log(`  ${dim(machine)}${hasGc ? '' : yellow('  (no gc(): memory figures are rough)')}\n`);
}

const plan = [];
if (ONLY !== 'node') plan.push(tickwheelImpl);
if (ONLY !== 'tickwheel') plan.push(nodeImpl);
const results = [];
for (const make of plan) results.push(await run(make));

if (JSON_OUT) {
  console.log(JSON.stringify({ n: N, expectedFires, machine, results }, null, 2));
} else {
  console.log('\n' + table(results));
  const notes = [];
  for (const r of results) {
    if (r.timedOut) notes.push(`${r.name}: gave up waiting; not every timer fired or closed`);
    if (r.firedAfterClose) notes.push(red(`${r.name}: ${r.firedAfterClose} callbacks ran after clearTimeout`));
    if (r.fired > expectedFires) notes.push(`${r.name}: ${r.fired - expectedFires} connections fired before their close (the loop fell behind the schedule)`);
  }
  notes.push('"fired early": the callback ran before (clock reading taken before the arming call) + delay,');
  notes.push('by the implementation\'s own clock (performance.now() for Node, driver.now() for tickwheel).');
  console.log('\n' + notes.map((n) => '  ' + dim(n)).join('\n') + '\n');
}
process.exit(results.some((r) => r.firedAfterClose || (r.name === 'tickwheel' && r.early)) ? 1 : 0);
