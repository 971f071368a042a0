#!/usr/bin/env node
// The benchmark runner: `npm run bench` (full, ~15 min on 2 cores) or `npm run bench -- --quick`
// (about a minute). Every scenario runs tickwheel and its peers in one process, interleaved
// over rounds with GC between, and prints medians, min–max and ratios to Node's timers.
//
//   --quick          fewer rounds, 10^5 only (no README/chart update unless --write)
//   --only=a,b       run only these scenarios (ids: size, schedule-cancel, reset, fire, memory,
//                    sleep, delay-queue, wasm-core)
//   --write          update bench/README.md, bench/charts/*.svg and bench/results.json
//                    (the default for a full run of every scenario)
//   --no-write       never update them
//
// The build under test is snapshotted at start (dist/index.js, build/tickwheel.wasm into
// bench/out/snapshot/), so a rebuild by someone else mid-run cannot mix two builds.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as report from './report.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const ORDER = ['size', 'schedule-cancel', 'reset', 'fire', 'memory', 'sleep', 'delay-queue', 'wasm-core'];
const ids = only ?? ORDER;
const write = args.includes('--no-write') ? false : args.includes('--write') || (!quick && !only);

if (typeof globalThis.gc !== 'function') {
  console.error('bench: run with node --expose-gc (npm run bench does)');
  process.exit(2);
}
for (const id of ids) if (!ORDER.includes(id)) { console.error(`bench: unknown scenario ${id}`); process.exit(2); }

// ---- snapshot the build ----------------------------------------------------------------------

async function snapshot() {
  const dir = here('./out/snapshot/');
  mkdirSync(dir, { recursive: true });
  const files = [['../dist/index.js', 'index.js'], ['../dist/index.cjs', 'index.cjs'], ['../build/tickwheel.wasm', 'tickwheel.wasm']];
  for (let attempt = 0; ; attempt++) {
    try {
      for (const [from, to] of files) copyFileSync(here(from), dir + to);
      break;
    } catch (e) {
      if (attempt >= 60) throw new Error(`bench: ${e.message}; run \`npm run build\``);
      await new Promise((r) => setTimeout(r, 1000)); // a rebuild is in progress
    }
  }
  // The core as the driver holds it (src/wasm.ts: JS per-timer operations + the wasm), for the
  // wasm-core scenario: bundled from tsc's output around the snapshotted wasm, not minified.
  const { rollup } = await import('rollup');
  const { inlineWasm } = await import('../scripts/inline-wasm.mjs');
  const wasm = dir + 'tickwheel.wasm';
  const b = await rollup({
    input: here('../build/js/wasm.js'),
    plugins: [{ name: 'snapshot-core', resolveId: (id) => (id.endsWith('/tickwheel.wasm') ? wasm : null) }, inlineWasm()],
  });
  await b.write({ file: dir + 'core.js', format: 'es' });
  await b.close();
  const sha = (f) => createHash('sha256').update(readFileSync(dir + f)).digest('hex').slice(0, 12);
  process.env.TICKWHEEL_BENCH_DIST = dir + 'index.js';
  process.env.TICKWHEEL_BENCH_WASM = wasm;
  process.env.TICKWHEEL_BENCH_CORE = dir + 'core.js';
  return { 'dist/index.js': sha('index.js'), 'build/tickwheel.wasm': sha('tickwheel.wasm') };
}

function sh(cmd, a) {
  try { return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return undefined; }
}

function machine() {
  let model = cpus()[0]?.model;
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch { /* not Linux */ }
  const dirty = sh('git', ['-C', here('..'), 'status', '--porcelain', '--', 'src', 'assembly']);
  return {
    date: sh('date', ['-u', '+%Y-%m-%d %H:%M UTC']) ?? new Date().toISOString(),
    nproc: sh('nproc', []) ?? String(cpus().length),
    cpu: model,
    node: process.version,
    v8: process.versions.v8,
    command: `npm run bench${quick || only ? ` -- ${args.filter((a) => a !== '--write' && a !== '--no-write').join(' ')}` : ''}`,
    commit: sh('git', ['-C', here('..'), 'rev-parse', '--short', 'HEAD']),
    dirty: dirty ? dirty.split('\n').length : 0,
    loadStart: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

// ---- run -------------------------------------------------------------------------------------

const env = { ...machine(), build: await snapshot() };
console.log(`tickwheel benchmarks${quick ? ' (quick)' : ''}: ${env.date}, ${env.nproc} × ${env.cpu}, Node ${env.node}`);
console.log(`build ${env.commit}${env.dirty ? ` + ${env.dirty} uncommitted file(s) in src/ assembly/` : ''}, dist/index.js ${env.build['dist/index.js']}, wasm ${env.build['build/tickwheel.wasm']}; load average ${env.loadStart}\n`);

const R = {};
const PRINT = {
  size: (r) => report.sizeTable(r),
  'wasm-core': (r) => report.coreTable(r, R['schedule-cancel']),
  'schedule-cancel': (r) => report.scheduleCancelTables(r),
  reset: (r) => report.resetTables(r),
  fire: (r) => report.fireTables(r),
  memory: (r) => report.memoryTable(r),
  sleep: (r) => report.sleepTable(r),
  'delay-queue': (r) => report.delayQueueTable(r),
};
const t0 = Date.now();
for (const id of ORDER.filter((x) => ids.includes(x))) {
  const mod = await import(`./scenarios/${id}.mjs`);
  console.log(`## ${mod.title}`);
  const s0 = Date.now();
  R[id] = await mod.run({ quick, log: (m) => console.log(m) });
  console.log(`\n${PRINT[id](R[id])}\n\n(${((Date.now() - s0) / 1000).toFixed(0)} s)\n`);
}
env.loadEnd = loadavg().map((l) => l.toFixed(2)).join(' ');
env.seconds = Math.round((Date.now() - t0) / 1000);

const T = report.targets(R);
console.log('## targets\n');
console.log(report.targetsTable(T));
console.log(`\n(${env.seconds} s in all; load average ${env.loadStart} at start, ${env.loadEnd} at end)`);

// ---- write -----------------------------------------------------------------------------------

const out = { env, quick, results: R, targets: T };
mkdirSync(here('./out'), { recursive: true });
writeFileSync(here('./out/latest.json'), JSON.stringify(out, null, 1));

if (write) {
  mkdirSync(here('./charts'), { recursive: true });
  const files = report.charts(R);
  for (const [name, svg] of Object.entries(files)) writeFileSync(here(`./charts/${name}`), svg);
  writeFileSync(here('./results.json'), JSON.stringify(out, null, 1) + '\n');
  updateReadme(env, R, T, Object.keys(files));
  console.log(`\nwrote bench/README.md, bench/results.json and ${Object.keys(files).length} charts in bench/charts/`);
}

function updateReadme(env, R, T, charts) {
  const path = here('./README.md');
  const begin = '<!-- results:begin (written by bench/run.mjs) -->';
  const end = '<!-- results:end -->';
  const md = [];
  md.push(`Measured ${env.date} on ${env.nproc} × ${env.cpu} (\`nproc\` = ${env.nproc}), Node ${env.node} (V8 ${env.v8}),`);
  md.push(`build ${env.commit}${env.dirty ? ` plus ${env.dirty} uncommitted file(s) in src/ and assembly/` : ''} (dist/index.js sha256 ${env.build['dist/index.js']}…, wasm ${env.build['build/tickwheel.wasm']}…),`);
  md.push(`with \`${env.command}\`. Load average ${env.loadStart} at start, ${env.loadEnd} at the end (${env.seconds} s): other work shared the machine.`);
  md.push('');
  md.push('### Targets\n');
  md.push(report.targetsTable(T));
  const sect = (id, h, body) => { if (R[id]) md.push(`\n### ${h}\n\n${body}`); };
  const img = (f) => (charts.includes(f) ? `\n\n![${f}](charts/${f})` : '');
  sect('schedule-cancel', 'Schedule + cancel', report.scheduleCancelTables(R['schedule-cancel']) + img('schedule-cancel.svg'));
  sect('reset', 'Reset / refresh', report.resetTables(R.reset) + img('reset.svg'));
  sect('fire', 'Fire throughput and lateness', report.fireTables(R.fire) + img('fire-cpu.svg') + img('lateness-burst.svg') + img('lateness-trickle.svg'));
  sect('memory', 'Memory per pending timer', report.memoryTable(R.memory) + img('memory.svg'));
  sect('sleep', 'Promise sleeps', report.sleepTable(R.sleep) + img('sleep-cpu.svg'));
  sect('delay-queue', 'DelayQueue', report.delayQueueTable(R['delay-queue']));
  sect('wasm-core', 'The wasm core alone', report.coreTable(R['wasm-core'], R['schedule-cancel']));
  sect('size', 'Size', report.sizeTable(R.size));
  const block = `${begin}\n${md.join('\n')}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${begin}\n${end}\n`;
  if (!text.includes(begin)) text += `\n${begin}\n${end}\n`;
  text = text.slice(0, text.indexOf(begin)) + block + text.slice(text.indexOf(end) + end.length);
  writeFileSync(path, text);
}
