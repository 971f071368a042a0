// The wheel visualizer: a tickwheel Driver running in the page, its 6 × 64 slots drawn live.
//
//   L5  ░░▓░░░░▓▓░░░ …   one row per level, one cell per slot; a cell is lit while its slot
//   L4  ░▓▓░░░▓░░░░░ …   holds timers. The outlined cell is where the level's hand stands.
//    ⋮        ╲          When the clock reaches an occupied slot above level 0, the slot is
//   L1  ░░▓▓▓▓░░▓░░░ …   emptied and its timers re-inserted lower: the cell flashes orange and
//   L0  ▓▓▓░░▓▓░░░░░ …   a fan shows the level below it spreads over. Level-0 slots fire.
//
// Which slots are lit: the wasm core's occupied bitfields when the build exports
// `levelBits(level, half)`; otherwise the page places every timer it scheduled by its exact
// deadline, the way the wheel does (the lowest level whose current rotation contains it).
// The two agree slot for slot as long as nothing is cancelled (a cancelled entry keeps its
// slot lit until the slot is processed) and the wheel has not sat idle across a slot
// boundary. Beside each row: `stats().levels`, which the driver counts from its pending
// timers by the same rule.

import { Driver } from '/dist/index.js';

const LEVELS = 6;
const SLOTS = 64;
/** Ticks (ms) per slot at each level: 64^level. */
const SLOT_MS = [1, 64, 4096, 262144, 16777216, 1073741824];
const SLOT_LABEL = ['1 ms', '64 ms', '4.1 s', '4.4 min', '4.7 h', '12.4 days'];
const SPAN_LABEL = ['64 ms', '4.1 s', '4.4 min', '4.7 h', '12.4 days', '2.2 years'];
const HUES = ['#4ade80', '#2dd4bf', '#38bdf8', '#818cf8', '#c084fc', '#f472b6'];
const CASCADE = '#fb923c';
const CASCADE_MS = 800; // how long a cascading slot glows
const FIRE_MS = 260; //    how long a level-0 slot that fired glows
const ADD_COUNT = 10_000;

const params = new URLSearchParams(location.search);
const rand = mulberry32(params.has('seed') ? Number(params.get('seed')) | 0 : (Math.random() * 2 ** 32) | 0);

const driver = new Driver();
const core = driver._core; // internal; only read for the bitfields when the build exports them
const exact = core !== undefined && typeof core.levelBits === 'function';

// ---- the timers this page scheduled ------------------------------------------------------------

let due = new Float64Array(1 << 14); //  deadline (an instant of the driver's clock)
let alive = new Uint8Array(1 << 14);
let pend = new Int32Array(1 << 14); //   indices not fired yet (compacted every frame)
let pendLen = 0;
let count = 0;

const BIN_EDGES = [0, 1, 2, 4, 8, 16, 32, 64]; // ms; bin 0 is "early" (< 0), the last is >= 64
const BIN_LABELS = ['early', '<1', '<2', '<4', '<8', '<16', '<32', '<64', '≥64'];
const bins = new Array(BIN_LABELS.length).fill(0);

function onFire(i) {
  alive[i] = 0;
  const late = driver.now() - due[i];
  let b = 0;
  while (b < BIN_EDGES.length && late >= BIN_EDGES[b]) b++;
  bins[b]++;
}

function grow(need) {
  if (need <= due.length) return;
  let n = due.length;
  while (n < need) n *= 2;
  const d = new Float64Array(n); d.set(due); due = d;
  const a = new Uint8Array(n); a.set(alive); alive = a;
  const p = new Int32Array(n); p.set(pend); pend = p;
}

/**
 * Schedules `n` sleeps, their delays spread evenly over the six levels' ranges. The driver
 * queues them and fixes every deadline at once with one clock reading (at its microtask
 * checkpoint, or, as here, when the first `deadline` is read), so the page knows the exact
 * tick each is filed under (its deadline rounded up) and can place it as the wheel does.
 */
function add(n = ADD_COUNT) {
  grow(count + n);
  const first = count;
  const sleeps = new Array(n);
  for (let k = 0; k < n; k++) {
    const level = Math.floor(rand() * LEVELS);
    const lo = level === 0 ? 1 : SLOT_MS[level] * 2; // two of its slots away at least
    const hi = SLOT_MS[level] * SLOTS - 1;
    const i = count++;
    sleeps[k] = driver.sleep(Math.floor(lo + rand() * (hi - lo)));
    sleeps[k].then(() => onFire(i));
  }
  for (let k = 0; k < n; k++) {
    const i = first + k;
    due[i] = sleeps[k].deadline;
    alive[i] = 1;
    pend[pendLen++] = i;
  }
  log(`added ${n.toLocaleString('en-US')} timers, about ${Math.round(n / LEVELS).toLocaleString('en-US')} per level`);
}

// ---- the slot model ------------------------------------------------------------------------------

const lit = new Uint8Array(LEVELS * SLOTS);
const prevLit = new Uint8Array(LEVELS * SLOTS);
const counts = new Uint32Array(LEVELS * SLOTS);
const flashAt = new Float64Array(LEVELS * SLOTS).fill(-1e9); // cascade (L > 0) or fire (L0) flash
let cascades = 0;
const levelTimers = new Float64Array(LEVELS);

// The timeline: timers per level, sampled every SAMPLE_MS of wall time.
const SAMPLE_MS = 50;
const SAMPLES = 300; // 15 s
const history = new Float64Array(SAMPLES * LEVELS);
let historyLen = 0;
let lastSample = -Infinity;
function sample(t) {
  if (t - lastSample < SAMPLE_MS) return;
  lastSample = t;
  if (historyLen === SAMPLES) history.copyWithin(0, LEVELS);
  else historyLen++;
  history.set(levelTimers, (historyLen - 1) * LEVELS);
}

/** Recomputes which slots are occupied at clock reading `now`. */
function model(now) {
  const E = Math.floor(now);
  const eDigit = SLOT_MS.map((m) => Math.floor(E / m));
  counts.fill(0);
  let w = 0;
  for (let r = 0; r < pendLen; r++) {
    const i = pend[r];
    if (!alive[i]) continue;
    pend[w++] = i;
    const t = Math.ceil(due[i]);
    let level = 0;
    if (t > E) {
      // The wheel's levelFor: the highest level whose digit differs from the clock's.
      for (let l = LEVELS - 1; l > 0; l--) {
        if (Math.floor(t / SLOT_MS[l]) !== eDigit[l]) { level = l; break; }
      }
    }
    counts[level * SLOTS + (Math.floor(t / SLOT_MS[level]) % SLOTS)]++;
  }
  pendLen = w;
  for (let l = 0; l < LEVELS; l++) {
    let sum = 0;
    for (let s = 0; s < SLOTS; s++) sum += counts[l * SLOTS + s];
    levelTimers[l] = sum;
  }

  prevLit.set(lit);
  for (let l = 0; l < LEVELS; l++) {
    if (exact) {
      const lo = core.levelBits(l, 0) >>> 0;
      const hi = core.levelBits(l, 1) >>> 0;
      for (let s = 0; s < SLOTS; s++) lit[l * SLOTS + s] = s < 32 ? (lo >>> s) & 1 : (hi >>> (s - 32)) & 1;
    } else {
      for (let s = 0; s < SLOTS; s++) lit[l * SLOTS + s] = counts[l * SLOTS + s] > 0 ? 1 : 0;
    }
  }
  const t = performance.now();
  for (let k = 0; k < lit.length; k++) {
    if (prevLit[k] && !lit[k]) {
      flashAt[k] = t;
      if (k >= SLOTS) cascades++;
    }
  }
}

// ---- drawing ---------------------------------------------------------------------------------------

const wheel = document.getElementById('wheel');
const wctx = wheel.getContext('2d');
const hist = document.getElementById('histogram');
const hctx = hist.getContext('2d');

const G = { W: 0, H: 0, top: 30, labelW: 138, rightW: 70, rowH: 38, gap: 30, bottom: 26 };
G.H = G.top + LEVELS * G.rowH + (LEVELS - 1) * G.gap + G.bottom;

function fit(canvas, ctx, cssH) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth;
  canvas.style.height = `${cssH}px`;
  if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(cssH * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return cssW;
}

const rowY = (level) => G.top + (LEVELS - 1 - level) * (G.rowH + G.gap); // L5 on top, L0 at the bottom

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function drawWheel(now, levelsExact) {
  const W = (G.W = fit(wheel, wctx, G.H));
  const ctx = wctx;
  const x0 = G.labelW;
  const gridW = W - G.labelW - G.rightW;
  const cw = gridW / SLOTS;
  const t = performance.now();
  ctx.clearRect(0, 0, W, G.H);

  // Slot numbers along the top.
  ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  ctx.fillStyle = '#5d6a80';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  for (let s = 0; s < SLOTS; s += 8) ctx.fillText(String(s), x0 + s * cw + cw / 2, G.top - 10);
  ctx.fillText('63', x0 + 63 * cw + cw / 2, G.top - 10);
  ctx.textAlign = 'right';
  ctx.fillText('slot', x0 - 12, G.top - 10);

  // Cascade fans first, under the cells: slot s of level L spans the whole rotation of L - 1.
  for (let l = 1; l < LEVELS; l++) {
    for (let s = 0; s < SLOTS; s++) {
      const age = t - flashAt[l * SLOTS + s];
      if (age < 0 || age > CASCADE_MS) continue;
      const a = 1 - age / CASCADE_MS;
      const yTop = rowY(l) + G.rowH;
      const yBot = rowY(l - 1);
      const grad = ctx.createLinearGradient(0, yTop, 0, yBot);
      grad.addColorStop(0, alpha(CASCADE, 0.55 * a));
      grad.addColorStop(1, alpha(HUES[l - 1], 0.12 * a));
      ctx.fillStyle = grad;
      ctx.beginPath();
      ctx.moveTo(x0 + s * cw, yTop);
      ctx.lineTo(x0 + (s + 1) * cw, yTop);
      ctx.lineTo(x0 + gridW, yBot);
      ctx.lineTo(x0, yBot);
      ctx.closePath();
      ctx.fill();
    }
  }

  const E = Math.floor(now);
  for (let l = 0; l < LEVELS; l++) {
    const y = rowY(l);
    // Level label.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = HUES[l];
    ctx.font = '600 15px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    ctx.fillText(`L${l}`, 4, y + G.rowH / 2 - 7);
    ctx.fillStyle = '#8591a5';
    ctx.font = '11.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    ctx.fillText(`${SLOT_LABEL[l]} / slot`, 30, y + G.rowH / 2 - 7);
    ctx.fillText(`${SPAN_LABEL[l]} / turn`, 30, y + G.rowH / 2 + 9);

    let max = 0;
    for (let s = 0; s < SLOTS; s++) max = Math.max(max, counts[l * SLOTS + s]);
    const logMax = Math.log1p(max);
    const hand = Math.floor(E / SLOT_MS[l]) % SLOTS;

    for (let s = 0; s < SLOTS; s++) {
      const k = l * SLOTS + s;
      const x = x0 + s * cw + 1;
      const w = cw - 2;
      if (lit[k]) {
        const c = counts[k];
        const v = c > 0 && logMax > 0 ? Math.log1p(c) / logMax : 0.2;
        ctx.fillStyle = alpha(HUES[l], 0.3 + 0.7 * v);
      } else {
        ctx.fillStyle = '#161d2a';
      }
      roundRect(ctx, x, y, w, G.rowH, 3);
      ctx.fill();

      const age = t - flashAt[k];
      const life = l === 0 ? FIRE_MS : CASCADE_MS;
      if (age >= 0 && age < life) {
        const a = 1 - age / life;
        ctx.fillStyle = l === 0 ? `rgba(248, 250, 252, ${0.85 * a})` : alpha(CASCADE, 0.95 * a);
        roundRect(ctx, x, y, w, G.rowH, 3);
        ctx.fill();
        if (l === 0) { // a spark under the slot that fired
          ctx.fillStyle = `rgba(248, 250, 252, ${0.6 * a})`;
          ctx.fillRect(x + w / 2 - 1, y + G.rowH + 3, 2, 10 * a + 2);
        }
      }
    }
    // The hand: the slot the level's clock digit points at.
    ctx.strokeStyle = 'rgba(230, 233, 239, 0.9)';
    ctx.lineWidth = 1.5;
    roundRect(ctx, x0 + hand * cw + 0.5, y - 2.5, cw - 1, G.rowH + 5, 3);
    ctx.stroke();

    // Slots of the level holding pending timers, as the driver counts them (stats().levels).
    ctx.textAlign = 'right';
    ctx.font = '600 14px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.fillStyle = levelsExact[l] ? '#e6e9ef' : '#4b5568';
    ctx.fillText(String(levelsExact[l]), W - 30, y + G.rowH / 2);
    ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.fillStyle = '#5d6a80';
    ctx.fillText('/64', W - 4, y + G.rowH / 2);
  }
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = '#5d6a80';
  ctx.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  ctx.fillText('▼ level 0 slots fire', 4, G.H - 6);
  ctx.textAlign = 'right';
  ctx.fillText('occupied', W - 4, G.top - 10);
}

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  if (ctx.roundRect) ctx.roundRect(x, y, w, h, Math.min(r, w / 2));
  else ctx.rect(x, y, w, h);
}

function drawHistogram() {
  const H = 170;
  const W = fit(hist, hctx, H);
  const ctx = hctx;
  ctx.clearRect(0, 0, W, H);
  const n = bins.length;
  const left = 4, right = 4, top = 18, bottom = 34;
  const bw = (W - left - right) / n;
  const max = Math.max(1, ...bins);
  ctx.font = '10.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  ctx.textAlign = 'center';
  for (let b = 0; b < n; b++) {
    const c = bins[b];
    const h = c > 0 ? Math.max(2, ((H - top - bottom) * c) / max) : 0;
    const x = left + b * bw + 3;
    const y = H - bottom - h;
    ctx.fillStyle = b === 0 ? (c > 0 ? '#f87171' : '#2a1a1f') : '#38bdf8';
    if (b !== 0 || c > 0) {
      roundRect(ctx, x, y, bw - 6, h, 2);
      ctx.fill();
    }
    ctx.fillStyle = b === 0 ? (c > 0 ? '#f87171' : '#4ade80') : '#b8c2d3';
    ctx.fillText(c > 0 || b === 0 ? compact(c) : '', x + (bw - 6) / 2, y - 5);
    ctx.fillStyle = '#8591a5';
    ctx.fillText(BIN_LABELS[b], x + (bw - 6) / 2, H - bottom + 14);
  }
  ctx.fillStyle = '#5d6a80';
  ctx.textAlign = 'left';
  ctx.fillText('ms late (bins double in width)', left, H - 4);
  ctx.strokeStyle = '#263042';
  ctx.beginPath();
  ctx.moveTo(left, H - bottom + 0.5);
  ctx.lineTo(W - right, H - bottom + 0.5);
  ctx.stroke();
}

function drawTimeline() {
  const canvas = document.getElementById('timeline');
  const ctx = canvas.getContext('2d');
  const H = 132;
  const W = fit(canvas, ctx, H);
  ctx.clearRect(0, 0, W, H);
  const left = 44, right = 8, top = 8, bottom = 20;
  const gw = W - left - right, gh = H - top - bottom;
  let max = 0;
  for (let j = 0; j < historyLen; j++) {
    let sum = 0;
    for (let l = 0; l < LEVELS; l++) sum += history[j * LEVELS + l];
    max = Math.max(max, sum);
  }
  const scale = niceCeil(Math.max(max, 10));
  ctx.font = '10.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.strokeStyle = '#1c2433';
  ctx.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    const y = Math.round(top + gh * (1 - f)) + 0.5;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(W - right, y); ctx.stroke();
    ctx.fillStyle = '#5d6a80';
    ctx.fillText(compact(Math.round(scale * f)), left - 6, y);
  }
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('now', W - right, H - 4);
  ctx.textAlign = 'left';
  ctx.fillText(`−${(SAMPLE_MS * SAMPLES) / 1000} s`, left, H - 4);
  if (historyLen < 2) return;
  const x = (j) => left + gw * (1 - (historyLen - 1 - j) / (SAMPLES - 1));
  const base = new Float64Array(historyLen);
  for (let l = 0; l < LEVELS; l++) { // stacked, level 0 at the bottom
    ctx.beginPath();
    for (let j = 0; j < historyLen; j++) ctx.lineTo(x(j), top + gh * (1 - (base[j] + history[j * LEVELS + l]) / scale));
    for (let j = historyLen - 1; j >= 0; j--) ctx.lineTo(x(j), top + gh * (1 - base[j] / scale));
    ctx.closePath();
    ctx.fillStyle = alpha(HUES[l], 0.5);
    ctx.fill();
    ctx.beginPath();
    for (let j = 0; j < historyLen; j++) {
      base[j] += history[j * LEVELS + l];
      ctx.lineTo(x(j), top + gh * (1 - base[j] / scale));
    }
    ctx.strokeStyle = HUES[l];
    ctx.lineWidth = 1.25;
    ctx.stroke();
  }
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function compact(v) {
  const trim = (x) => x.toFixed(1).replace(/\.0$/, '');
  return v >= 1e6 ? `${trim(v / 1e6)}M` : v >= 1e3 ? `${trim(v / 1e3)}k` : String(v);
}

// ---- the page ----------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const fmtInt = (v) => v.toLocaleString('en-US');

function fmtClock(ms) {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(3)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${(s - m * 60).toFixed(3).padStart(6, '0')} s`;
}

function log(text) { $('log').textContent = text; }

/** Writes only what changed: a text change costs the page a layout. */
function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

let busy = false;
function updateButtons() {
  const paused = driver.isPaused;
  $('pause').disabled = paused || busy;
  $('resume').disabled = !paused || busy;
  $('advance').disabled = !paused || busy;
  $('advance-min').disabled = !paused || busy;
  $('add').disabled = busy;
  $('state').textContent = busy ? 'advancing…' : paused ? 'paused' : 'running';
  $('state').className = paused ? 'state-paused' : 'state-running';
}

async function advance(ms, label) {
  if (!driver.isPaused || busy) return;
  busy = true;
  updateButtons();
  const before = driver.stats().fired;
  const c0 = cascades;
  try {
    await driver.advance(ms);
  } finally {
    busy = false;
    updateButtons();
  }
  log(`advanced ${label}: ${fmtInt(driver.stats().fired - before)} timers fired, ${fmtInt(cascades - c0)} cascades`);
}

$('add').addEventListener('click', () => add());
$('pause').addEventListener('click', () => { driver.pause(); updateButtons(); log(`paused at ${fmtClock(driver.now())}: time stands still until you advance or resume`); });
$('resume').addEventListener('click', () => { driver.resume(); updateButtons(); log('running in real time again'); });
$('advance').addEventListener('click', () => advance(1000, '+1 s'));
$('advance-min').addEventListener('click', () => advance(60_000, '+1 min'));
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLButtonElement && (e.key === ' ' || e.key === 'Enter')) return;
  if (e.key === 'a' || e.key === 'A') add();
  else if (e.key === ' ') { e.preventDefault(); (driver.isPaused ? $('resume') : $('pause')).click(); }
  else if (e.key === 'ArrowRight') advance(1000, '+1 s');
});

$('mode').innerHTML = exact
  ? 'Slots: the wasm core\'s occupied bitfields (<code>levelBits</code>). Counts on the right: <code>driver.stats().levels</code>.'
  : 'Slots: each timer placed by its deadline, the way the wheel places it (this build exports no bitfields). ' +
    'Counts on the right come from the driver: <code>driver.stats().levels</code>.';

$('timeline-note').innerHTML = HUES.map((c, l) => `<span style="color:${c};margin-left:10px">■ L${l}</span>`).join('');

let frames = 0;
let lastCharts = -Infinity;
let lastStats = driver.stats();
function frame() {
  const now = driver.now();
  model(now);
  lastStats = driver.stats();
  drawWheel(now, lastStats.levels);
  // The side charts change slowly: redraw them at ~12 Hz to leave the main thread to the timers.
  const t = performance.now();
  sample(t);
  if (t - lastCharts > 80) {
    lastCharts = t;
    drawHistogram();
    drawTimeline();
  }
  let litCount = 0;
  for (let k = 0; k < lit.length; k++) litCount += lit[k];
  setText('clock', fmtClock(now));
  setText('pending', fmtInt(lastStats.pending));
  setText('fired', fmtInt(lastStats.fired));
  setText('lit', fmtInt(litCount));
  setText('cascades', fmtInt(cascades));
  frames++;
  requestAnimationFrame(frame);
}
updateButtons();
requestAnimationFrame(frame);

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// For tests and the console.
window.tickwheelDemo = {
  driver,
  add,
  get frames() { return frames; },
  snapshot() {
    const litPerLevel = new Array(LEVELS).fill(0);
    for (let k = 0; k < lit.length; k++) litPerLevel[Math.floor(k / SLOTS)] += lit[k];
    return {
      clock: driver.now(), paused: driver.isPaused, lit: litPerLevel.reduce((a, b) => a + b, 0), litPerLevel, exact, cascades,
      pending: lastStats.pending, fired: lastStats.fired, levels: lastStats.levels.slice(), lateness: bins.slice(),
    };
  },
};
