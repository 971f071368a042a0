// Hand-written SVG charts (no library): horizontal bar charts with min–max whiskers, and a
// line chart for lateness percentiles. Pure functions from data to an SVG string.

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** One colour per contender, stable across charts; tickwheel stands out. */
const PALETTE = {
  tickwheel: '#e8590c',
  node: '#5c7cfa',
  'js wheel': '#20c997',
  'js binary heap': '#845ef7',
  retimer: '#868e96',
  'timeout-refresh': '#adb5bd',
  'timer-wheel': '#fab005',
};

export function colorOf(name) {
  const n = name.toLowerCase();
  for (const [k, c] of Object.entries(PALETTE)) if (n.startsWith(k)) return c;
  return '#495057';
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function num(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** A "nice" axis maximum and tick step for [0, max]. */
function niceScale(max, ticks = 5) {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  return { top: Math.ceil(max / step) * step, step };
}

/**
 * groups: [{ label, bars: [{ name, value, min?, max?, note? }] }]
 * Bars are drawn on a linear axis from 0, or (log: true) a log10 axis, for data that spans
 * decades (ns per operation from 20 to 3000); the value is printed at the end of each bar.
 */
export function barChart({ title, subtitle = '', unit, groups, width = 860, log = false }) {
  const left = 220, right = 90, barH = 16, gap = 5, groupGap = 26, top = subtitle ? 62 : 44;
  const plotW = width - left - right;
  const all = groups.flatMap((g) => g.bars);
  const maxV = Math.max(...all.map((b) => Math.max(b.value, b.max ?? 0)));
  let x, ticks;
  if (log) {
    const minV = Math.min(...all.map((b) => Math.min(b.value, b.min ?? b.value)).filter((v) => v > 0));
    const lo = 10 ** Math.floor(Math.log10(minV)), hi = 10 ** Math.ceil(Math.log10(maxV));
    x = (v) => left + (Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo)) * plotW;
    ticks = [];
    for (let d = lo; d <= hi * 1.0001; d *= 10) for (const m of [1, 2, 5]) if (d * m <= hi * 1.0001) ticks.push(d * m);
  } else {
    const { top: axisTop, step } = niceScale(maxV);
    x = (v) => left + (v / axisTop) * plotW;
    ticks = [];
    for (let v = 0; v <= axisTop + 1e-9; v += step) ticks.push(v);
  }
  let y = top + 10;
  const parts = [];
  for (const g of groups) {
    if (g.label) {
      parts.push(`<text x="16" y="${y + 11}" font-size="12" font-weight="600" fill="#212529">${esc(g.label)}</text>`);
      y += 18;
    }
    for (const b of g.bars) {
      const c = colorOf(b.name);
      const w = Math.max(1, x(b.value) - left);
      parts.push(`<text x="${left - 10}" y="${y + barH - 4}" text-anchor="end" font-size="12" fill="#343a40">${esc(b.name)}</text>`);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${c}" rx="2"><title>${esc(`${b.name}: ${num(b.value)} ${unit}`)}</title></rect>`);
      if (b.min !== undefined && b.max !== undefined && b.max > b.min) {
        const ym = y + barH / 2;
        parts.push(`<path d="M${x(b.min).toFixed(1)} ${ym}H${x(b.max).toFixed(1)}M${x(b.min).toFixed(1)} ${ym - 4}v8M${x(b.max).toFixed(1)} ${ym - 4}v8" stroke="#212529" stroke-width="1" fill="none" opacity="0.6"/>`);
      }
      const label = `${num(b.value)}${b.note ? `  ${b.note}` : ''}`;
      parts.push(`<text x="${(Math.max(x(b.value), x(b.max ?? 0)) + 6).toFixed(1)}" y="${y + barH - 4}" font-size="11" fill="#495057">${esc(label)}</text>`);
      y += barH + gap;
    }
    y += groupGap - gap;
  }
  const bottom = y;
  const grid = [];
  for (const v of ticks) {
    grid.push(`<line x1="${x(v).toFixed(1)}" y1="${top}" x2="${x(v).toFixed(1)}" y2="${bottom - groupGap + 6}" stroke="#dee2e6"/>`);
    grid.push(`<text x="${x(v).toFixed(1)}" y="${bottom - groupGap + 22}" text-anchor="middle" font-size="11" fill="#868e96">${esc(num(v))}</text>`);
  }
  const height = bottom + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="24" font-size="16" font-weight="700" fill="#212529">${esc(title)}</text>
${subtitle ? `<text x="16" y="44" font-size="12" fill="#495057">${esc(subtitle)}</text>` : ''}
<text x="${width - right}" y="${height - 8}" text-anchor="end" font-size="11" fill="#868e96">${esc(unit)}${log ? ', log scale' : ''} (bar: median, whisker: min–max over rounds)</text>
${grid.join('\n')}
${parts.join('\n')}
</svg>
`;
}

/**
 * series: [{ name, points: [[p, y], ...] }] with the same percentiles p in each. The x axis
 * places the percentiles at equal spacing (0, 0.1, 1, 5, … 99.9, 100), the y axis is linear
 * in ms and may go below 0 (an early fire).
 */
export function percentileChart({ title, subtitle = '', unit = 'ms', series, width = 860, height = 420 }) {
  const left = 64, right = 190, top = subtitle ? 62 : 44, bottom = 48;
  const ps = series[0].points.map(([p]) => p);
  const plotW = width - left - right, plotH = height - top - bottom;
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const lo = Math.min(0, ...ys), hi = Math.max(...ys);
  const { step } = niceScale(hi - lo, 6);
  const yMin = Math.floor(lo / step) * step, yMax = Math.ceil(hi / step) * step;
  const x = (k) => left + (k / (ps.length - 1)) * plotW;
  const y = (v) => top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const out = [];
  for (let v = yMin; v <= yMax + 1e-9; v += step) {
    out.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + plotW}" y2="${y(v).toFixed(1)}" stroke="${Math.abs(v) < 1e-9 ? '#212529' : '#dee2e6'}"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#868e96">${esc(num(v))}</text>`);
  }
  ps.forEach((p, k) => {
    out.push(`<text x="${x(k).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" font-size="11" fill="#868e96">p${esc(p)}</text>`);
  });
  out.push(`<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#495057">percentile of all timers (equal spacing, not linear)</text>`);
  out.push(`<text x="14" y="${top + plotH / 2}" font-size="11" fill="#495057" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">lateness, ${esc(unit)} (below 0 = fired early)</text>`);
  series.forEach((s, j) => {
    const c = colorOf(s.name);
    const d = s.points.map(([, v], k) => `${k ? 'L' : 'M'}${x(k).toFixed(1)} ${y(v).toFixed(1)}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2.5"/>`);
    for (const [k, [, v]] of s.points.entries()) out.push(`<circle cx="${x(k).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${c}"><title>${esc(`${s.name} p${ps[k]}: ${num(v)} ${unit}`)}</title></circle>`);
    const ly = top + 8 + j * 20;
    out.push(`<rect x="${left + plotW + 16}" y="${ly}" width="14" height="4" fill="${c}"/>`);
    out.push(`<text x="${left + plotW + 36}" y="${ly + 6}" font-size="12" fill="#343a40">${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="24" font-size="16" font-weight="700" fill="#212529">${esc(title)}</text>
${subtitle ? `<text x="16" y="44" font-size="12" fill="#495057">${esc(subtitle)}</text>` : ''}
${out.join('\n')}
</svg>
`;
}
