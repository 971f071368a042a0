// Turns scenario results into Markdown tables, the target checklist and the charts.
// Ratios are always "Node's cost ÷ this contender's cost" (×3 = a third of Node's cost):
// higher is better, and the baseline row reads ×1.00.

import { barChart, percentileChart } from './charts.mjs';
import { fmt, mm, ratio, table } from './lib.mjs';

const sci = (n) => (n >= 1e6 ? '10^6' : n >= 1e5 ? '10^5' : String(n));

function refName(rows, prefer) {
  return prefer.find((p) => rows[p]) ?? Object.keys(rows)[0];
}

// ---- per-scenario tables -------------------------------------------------------------------

export function scheduleCancelTables(r) {
  const out = [];
  for (const v of r.variants) {
    const ref = v.rows['node setTimeout'];
    const rows = Object.entries(v.rows).map(([name, s]) => [
      name, mm(s.schedule), mm(s.cancel), mm(s.total), fmt(s.cpuTotal?.median), ratio(ref?.total.median, s.total.median),
    ]);
    out.push(`**${sci(v.n)} timers, delays ${v.delays}, cancel ${v.cancel}** (${v.rounds} rounds; ns per timer, wall, median (min–max); CPU = process CPU time, median)\n\n` +
      table(['contender', 'schedule', 'cancel', 'schedule + cancel', 'CPU', 'vs setTimeout'], rows));
  }
  return out.join('\n\n');
}

export function resetTables(r) {
  const out = [];
  for (const v of r.variants) {
    const ref = v.rows['node Timeout#refresh'];
    const rows = Object.entries(v.rows).map(([name, s]) => [name, mm(s.reset), fmt(s.cpuReset?.median), ratio(ref?.reset.median, s.reset.median)]);
    let t = `**${sci(v.n)} live timers, each reset once in ${v.order}** (${v.rounds} rounds; ns per reset, wall; CPU alongside)\n\n` +
      table(['contender', 'reset', 'CPU', 'vs Timeout#refresh'], rows);
    const sk = Object.entries(v.skipped ?? {});
    if (sk.length) t += `\n\nSkipped: ${sk.map(([k, why]) => `${k} (${why})`).join('; ')}.`;
    out.push(t);
  }
  return out.join('\n\n');
}

export function fireTables(r) {
  const out = [];
  for (const v of r.variants) {
    const ref = v.rows['node setTimeout'];
    const rows = Object.entries(v.rows).map(([name, s]) => [
      name, mm(s.cpuMs), ratio(ref?.cpuMs.median, s.cpuMs.median), fmt(s.scheduleCpuMs.median), fmt(s.wallMs.median),
      fmt(s.p50.median), fmt(s.p99.median), fmt(s.max.median), fmt(s.min.median), `${s.earlyTotal}`,
    ]);
    out.push(`**${sci(r.n)} timers over 1 s, ${v.mode}** (${r.rounds} rounds; CPU in ms, lateness in ms, medians over rounds; "early" = fires before the deadline, summed over all rounds)\n\n` +
      table(['contender', 'CPU total', 'vs setTimeout', 'CPU to schedule', 'wall', 'late p50', 'late p99', 'late max', 'late min', 'early'], rows));
  }
  return out.join('\n\n');
}

export function memoryTable(r) {
  const ref = r.rows['node setTimeout'];
  const rows = Object.entries(r.rows).map(([name, s]) => [
    name, mm(s.bytesPerTimer), fmt(s.heapPerTimer), fmt(s.externalPerTimer), ratio(ref?.bytesPerTimer.median, s.bytesPerTimer.median),
  ]);
  return `**${sci(r.n)} pending timers, fresh process each** (${r.rounds} round${r.rounds > 1 ? 's' : ''}; bytes per timer = Δ(heapUsed + external) ÷ N after GC)\n\n` +
    table(['contender', 'bytes / timer', 'JS heap', 'external (wasm, typed arrays)', 'vs setTimeout'], rows);
}

export function sleepTable(r) {
  const ref = r.rows['node timers/promises'];
  const rows = Object.entries(r.rows).map(([name, s]) => [name, mm(s.cpuMs), ratio(ref?.cpuMs.median, s.cpuMs.median), mm(s.wallMs)]);
  let t = `**${sci(r.n)} concurrent \`await sleep(0–50 ms)\`** (${r.rounds} rounds; ms)\n\n` +
    table(['contender', 'CPU', 'vs timers/promises', 'wall'], rows);
  const sk = Object.entries(r.skipped ?? {});
  if (sk.length) t += `\n\nSkipped: ${sk.map(([k, why]) => `${k} (${why})`).join('; ')}.`;
  return t;
}

export function delayQueueTable(r) {
  const ref = r.rows['js binary heap DelayQueue'];
  const rows = Object.entries(r.rows).map(([name, s]) => [name, mm(s.insert), mm(s.remove), mm(s.total), ratio(ref?.total.median, s.total.median)]);
  let t = `**${sci(r.n)} items, insert all then remove all in random order** (${r.rounds} rounds; ns per item)\n\n` +
    table(['contender', 'insert', 'remove', 'insert + remove', 'vs JS heap'], rows);
  const sk = Object.entries(r.skipped ?? {});
  if (sk.length) t += `\n\nSkipped: ${sk.map(([k, why]) => `${k} (${why})`).join('; ')}.`;
  return t;
}

export function coreTable(r, sc, fire) {
  const rows = [];
  for (const [name, s] of Object.entries(r.rows)) {
    for (const [k, v] of Object.entries(s)) rows.push([name, k, mm(v)]);
  }
  let t = `**${sci(r.n)} timers, the core alone (src/wasm.ts Core: JS per-timer stores + the wasm), no Driver** (${r.rounds} rounds; ns per timer or per call)\n\n` +
    table(['case', 'measure', 'ns'], rows);
  // What the JS side adds on top of the core, same N and delays.
  const v = sc?.variants.find((x) => x.n === r.n && x.delays.startsWith('random') && x.cancel === 'in order');
  const core = r.rows['schedule + flush, cancel'];
  if (v && core && v.rows.tickwheel) {
    const f = v.rows.tickwheel;
    t += `\n\nThe façade over the core (${sci(r.n)} timers, ${v.delays}, cancel in order): ` +
      `schedule ${fmt(f.schedule.median)} ns vs core ${fmt(core.schedule.median)} ns, ` +
      `cancel ${fmt(f.cancel.median)} ns vs core ${fmt(core.cancel.median)} ns; ` +
      `the JS side is ${fmt(100 * (1 - core.total.median / f.total.median))}% of a schedule + cancel.`;
  }
  return t;
}

export function sizeTable(r) {
  const rows = [
    ['build/tickwheel.wasm', r.wasm.raw, r.wasm.gzip, '–', `${r.budget.wasm} raw: ${r.met.wasm ? 'met' : 'MISSED'}`],
    ['dist/index.js (ESM)', r.esm.raw, r.esm.gzip, r.esm.brotli, `${r.budget.gzipEsm} gzip: ${r.met.gzipEsm ? 'met' : 'MISSED'}`],
  ];
  if (r.cjs) rows.push(['dist/index.cjs', r.cjs.raw, r.cjs.gzip, r.cjs.brotli, '–']);
  return table(['file', 'bytes', 'gzip', 'brotli', 'budget'], rows);
}

// ---- targets -------------------------------------------------------------------------------

const x = (a, b) => (a > 0 && b > 0 ? a / b : NaN);
const f2 = (v) => (Number.isFinite(v) ? `×${v.toFixed(2)}` : '–');

/** [{ target, met: true|false|null, figures }] */
export function targets(R) {
  const out = [];
  const sc = R['schedule-cancel'];
  if (sc) {
    const ratios = sc.variants.map((v) => ({
      v, node: x(v.rows['node setTimeout']?.total.median, v.rows.tickwheel?.total.median),
      wheel: x(v.rows['js wheel (6×64)']?.total.median, v.rows.tickwheel?.total.median),
    }));
    const label = (v) => `${sci(v.n)} ${v.delays}, ${v.cancel}`;
    const worstNode = ratios.reduce((a, b) => (b.node < a.node ? b : a));
    const worstWheel = ratios.reduce((a, b) => (b.wheel < a.wheel ? b : a));
    out.push({
      target: 'schedule + cancel ≥ 10× faster than setTimeout + clearTimeout',
      met: ratios.every((r) => r.node >= 10),
      figures: ratios.map((r) => `${label(r.v)}: ${f2(r.node)}`).join('; ') + ` (worst: ${label(worstNode.v)})`,
    });
    out.push({
      target: 'schedule + cancel ≥ 2× faster than the plain-JS 6×64 wheel',
      met: ratios.every((r) => r.wheel >= 2),
      figures: ratios.map((r) => `${label(r.v)}: ${f2(r.wheel)}`).join('; ') + ` (worst: ${label(worstWheel.v)})`,
    });
  }
  const rs = R.reset;
  if (rs) {
    const rr = rs.variants.map((v) => ({ v, r: x(v.rows['node Timeout#refresh']?.reset.median, v.rows.tickwheel?.reset.median),
      s: x(v.rows['node Timeout#refresh']?.reset.median, v.rows['tickwheel Sleep.reset']?.reset.median) }));
    out.push({
      target: 'reset ≥ 5× faster than Timeout#refresh (refreshTimeout; every variant)',
      met: rr.every((r) => r.r >= 5),
      figures: rr.map((r) => `${sci(r.v.n)} ${r.v.order}: ${f2(r.r)}${Number.isFinite(r.s) ? ` (Sleep.reset ${f2(r.s)})` : ''}`).join('; '),
    });
  }
  const mem = R.memory;
  if (mem?.rows.tickwheel) {
    const b = mem.rows.tickwheel.bytesPerTimer.median;
    out.push({ target: `≤ 32 bytes per pending timer (${sci(mem.n)})`, met: b <= 32, figures: `${fmt(b)} B (Node ${fmt(mem.rows['node setTimeout']?.bytesPerTimer.median)} B)` });
  }
  const fire = R.fire;
  if (fire) {
    const early = fire.variants.map((v) => v.rows.tickwheel?.earlyTotal ?? NaN);
    out.push({
      target: 'zero early fires',
      met: early.every((e) => e === 0),
      figures: fire.variants.map((v) => `${v.mode}: tickwheel ${v.rows.tickwheel?.earlyTotal}, Node ${v.rows['node setTimeout']?.earlyTotal} early of ${fire.n * fire.rounds}`).join('; '),
    });
    const cpu = fire.variants.map((v) => ({ v, r: x(v.rows['node setTimeout']?.cpuMs.median, v.rows.tickwheel?.cpuMs.median) }));
    out.push({
      target: 'fire 10^5 timers over 1 s with less CPU than Node',
      met: cpu.every((c) => c.r > 1),
      figures: cpu.map((c) => `${c.v.mode}: ${fmt(c.v.rows.tickwheel?.cpuMs.median)} ms vs ${fmt(c.v.rows['node setTimeout']?.cpuMs.median)} ms (${f2(c.r)})`).join('; '),
    });
  }
  const sl = R.sleep;
  if (sl) {
    const t = sl.rows['tickwheel sleep'];
    const r = x(sl.rows['node timers/promises']?.cpuMs.median, t?.cpuMs.median);
    out.push({
      target: 'promise sleeps ≥ 1.5× less CPU than node:timers/promises',
      met: t ? r >= 1.5 : null,
      figures: t ? `${fmt(t.cpuMs.median)} ms vs ${fmt(sl.rows['node timers/promises'].cpuMs.median)} ms (${f2(r)})` : `not measured: ${Object.values(sl.skipped ?? {}).join('; ')}`,
    });
  }
  const sz = R.size;
  if (sz) {
    out.push({ target: 'wasm ≤ 4096 bytes', met: sz.met.wasm, figures: `${sz.wasm.raw} B` });
    out.push({ target: 'gzip(dist/index.js) ≤ 12 KiB', met: sz.met.gzipEsm, figures: `${sz.esm.gzip} B (raw ${sz.esm.raw} B)` });
  }
  return out;
}

export function targetsTable(list) {
  return table(['target', 'status', 'figures'], list.map((t) => [t.target, t.met === null ? 'not measured' : t.met ? '**met**' : '**missed**', t.figures]));
}

// ---- charts --------------------------------------------------------------------------------

export function charts(R) {
  const files = {};
  const sc = R['schedule-cancel'];
  if (sc) {
    const groups = sc.variants.map((v) => ({
      label: `${sci(v.n)}, ${v.delays}, cancel ${v.cancel}`,
      bars: Object.entries(v.rows).map(([name, s]) => ({ name, value: s.total.median, min: s.total.min, max: s.total.max })),
    }));
    files['schedule-cancel.svg'] = barChart({ title: 'schedule + cancel', subtitle: 'ns per timer (schedule all, await a macrotask, cancel all, await a macrotask); lower is better', unit: 'ns per timer', groups, log: true });
  }
  const rs = R.reset;
  if (rs) {
    const groups = rs.variants.map((v) => ({
      label: `${sci(v.n)} live timers, ${v.order}`,
      bars: Object.entries(v.rows).map(([name, s]) => ({ name, value: s.reset.median, min: s.reset.min, max: s.reset.max })),
    }));
    files['reset.svg'] = barChart({ title: 'reset / refresh of live timers', subtitle: 'ns per reset, each live timer reset once, including the checkpoint; lower is better', unit: 'ns per reset', groups, log: true });
  }
  const mem = R.memory;
  if (mem) {
    files['memory.svg'] = barChart({
      title: 'memory per pending timer', subtitle: `${sci(mem.n)} pending timers, Δ(heapUsed + external) after GC, one process each; lower is better`, unit: 'bytes per timer',
      groups: [{ label: '', bars: Object.entries(mem.rows).map(([name, s]) => ({ name, value: s.bytesPerTimer.median, min: s.bytesPerTimer.min, max: s.bytesPerTimer.max })) }],
    });
  }
  const fire = R.fire;
  if (fire) {
    for (const v of fire.variants) {
      files[`lateness-${v.mode}.svg`] = percentileChart({
        title: `lateness, ${sci(fire.n)} timers over 1 s (${v.mode})`,
        subtitle: v.mode === 'burst' ? 'all scheduled in one synchronous loop' : '100 scheduled per macrotask',
        series: Object.entries(v.curves).map(([name, points]) => ({ name, points })),
      });
    }
    files['fire-cpu.svg'] = barChart({
      title: 'CPU to schedule and fire 10^5 timers over 1 s', subtitle: 'process.cpuUsage() user + system, ms; lower is better', unit: 'CPU ms',
      groups: fire.variants.map((v) => ({ label: v.mode, bars: Object.entries(v.rows).map(([name, s]) => ({ name, value: s.cpuMs.median, min: s.cpuMs.min, max: s.cpuMs.max })) })),
    });
  }
  const sl = R.sleep;
  if (sl) {
    files['sleep-cpu.svg'] = barChart({
      title: 'promise sleeps: CPU', subtitle: `${sci(sl.n)} concurrent await sleep(0–50 ms); lower is better`, unit: 'CPU ms',
      groups: [{ label: '', bars: Object.entries(sl.rows).map(([name, s]) => ({ name, value: s.cpuMs.median, min: s.cpuMs.min, max: s.cpuMs.max })) }],
    });
  }
  return files;
}
