/**
 * Charts as SVG strings, drawn on the server (no script, no CDN): a line chart with threshold
 * lines (budgets, caps, limits) and a horizontal bar chart with a limit marker per bar. Pure:
 * every text that reaches the markup is escaped here.
 */

export type ChartTone = 'baseline' | 'candidate' | 'info' | 'success' | 'warning' | 'danger' | 'muted';

const COLOR: Record<ChartTone, string> = {
  baseline: '#64748b',
  candidate: '#2563eb',
  info: '#0e7490',
  success: '#15803d',
  warning: '#b45309',
  danger: '#dc2626',
  muted: '#94a3b8',
};
const PALETTE: ChartTone[] = ['candidate', 'baseline', 'info', 'success', 'warning', 'muted'];

export function escapeSvg(text: string): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** "Nice" axis ticks from 0 (or min) to at least max: 1, 2, 2.5 or 5 times a power of ten. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; ; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max - step * 1e-9) break;
  }
  return ticks;
}

export interface LinePoint {
  x: number;
  /** null: no data there (the line breaks). */
  y: number | null;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
  tone?: ChartTone;
}

export interface Threshold {
  value: number;
  label: string;
  tone?: ChartTone;
}

export interface LineChartOptions {
  title: string;
  series: LineSeries[];
  thresholds?: Threshold[];
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  width?: number;
  height?: number;
  /** Shown when no series has a point. */
  empty?: string;
  /** The y axis reaches at least this (e.g. 0.05 for a 5% error-rate scale when all is 0). */
  minTop?: number;
}

/** A threshold this many times above the data is named at the top instead of flattening the data. */
const OFF_SCALE = 4;

const svgOpen = (w: number, h: number, title: string, desc: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeSvg(title)}">` +
  `<title>${escapeSvg(title)}</title><desc>${escapeSvg(desc)}</desc>`;

export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 260;
  const m = { top: 30, right: 16, bottom: 46, left: 64 };
  const pts = o.series.flatMap((s) => s.points.filter((p) => p.y !== null && Number.isFinite(p.y)));
  const thresholds = o.thresholds ?? [];
  const desc = describeLines(o);
  if (pts.length === 0) {
    return `${svgOpen(W, 80, o.title, desc)}<text x="8" y="20" class="chart-title" font-size="13" font-weight="600" fill="#0f172a">${escapeSvg(o.title)}</text><text x="8" y="52" font-size="13" fill="#64748b">${escapeSvg(o.empty ?? 'No data yet.')}</text></svg>`;
  }
  const xs = o.series.flatMap((s) => s.points.map((p) => p.x));
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMax === xMin) {
    xMin -= 1;
    xMax += 1;
  }
  const dataTop = Math.max(...pts.map((p) => p.y as number), 0);
  const onScale = thresholds.filter((t) => dataTop <= 0 || t.value <= dataTop * OFF_SCALE);
  const offScale = thresholds.filter((t) => !onScale.includes(t));
  const yTop = Math.max(dataTop, ...onScale.map((t) => t.value), o.minTop ?? 0);
  const ticks = niceTicks(0, yTop > 0 ? yTop * 1.05 : 1);
  const yMax = ticks[ticks.length - 1]!;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const X = (x: number) => m.left + ((x - xMin) / (xMax - xMin)) * pw;
  const Y = (y: number) => m.top + ph - (y / yMax) * ph;
  const out: string[] = [svgOpen(W, H, o.title, desc)];
  out.push(`<text x="${m.left}" y="16" font-size="13" font-weight="600" fill="#0f172a">${escapeSvg(o.title)}</text>`);
  // Grid and y axis labels.
  for (const t of ticks) {
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${f1(Y(t))}" y2="${f1(Y(t))}" stroke="#e2e8f0" stroke-width="1"/>`);
    out.push(`<text x="${m.left - 6}" y="${f1(Y(t) + 4)}" font-size="11" text-anchor="end" fill="#475569">${escapeSvg(o.formatY(t))}</text>`);
  }
  // X axis labels: up to 6, evenly spread over the distinct x values.
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(distinct.length / 6));
  distinct.forEach((x, i) => {
    if (i % every !== 0 && i !== distinct.length - 1) return;
    out.push(`<text x="${f1(X(x))}" y="${H - m.bottom + 16}" font-size="11" text-anchor="middle" fill="#475569">${escapeSvg(o.formatX(x))}</text>`);
  });
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${f1(Y(0))}" y2="${f1(Y(0))}" stroke="#94a3b8" stroke-width="1"/>`);
  // Threshold lines; those far above the data are named along the top edge.
  offScale.forEach((t, i) => {
    const c = COLOR[t.tone ?? 'danger'];
    out.push(`<text class="threshold-off-scale" x="${W - m.right - 4}" y="${m.top - 4 + i * 13}" font-size="11" text-anchor="end" fill="${c}">${escapeSvg(`▲ ${t.label} (far above)`)}</text>`);
  });
  for (const t of onScale) {
    const c = COLOR[t.tone ?? 'danger'];
    out.push(
      `<line class="threshold" x1="${m.left}" x2="${W - m.right}" y1="${f1(Y(t.value))}" y2="${f1(Y(t.value))}" stroke="${c}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${W - m.right - 4}" y="${f1(Y(t.value) - 5)}" font-size="11" text-anchor="end" fill="${c}">${escapeSvg(t.label)}</text>`,
    );
  }
  // Series: a path broken at null points, and dots when the series is short.
  o.series.forEach((s, i) => {
    const c = COLOR[s.tone ?? PALETTE[i % PALETTE.length]!];
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f1(X(p.x))} ${f1(Y(p.y))} `;
      pen = true;
    }
    if (d) out.push(`<path class="series" data-series="${escapeSvg(s.name)}" d="${d.trim()}" fill="none" stroke="${c}" stroke-width="2" stroke-linejoin="round"/>`);
    const shown = s.points.filter((p) => p.y !== null && Number.isFinite(p.y));
    if (shown.length <= 40)
      for (const p of shown)
        out.push(`<circle cx="${f1(X(p.x))}" cy="${f1(Y(p.y as number))}" r="2.5" fill="${c}"><title>${escapeSvg(`${s.name} · ${o.formatX(p.x)}: ${o.formatY(p.y as number)}`)}</title></circle>`);
  });
  // Legend.
  let lx = m.left;
  const ly = H - 10;
  o.series.forEach((s, i) => {
    const c = COLOR[s.tone ?? PALETTE[i % PALETTE.length]!];
    out.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="3" fill="${c}"/><text x="${lx + 16}" y="${ly - 4}" font-size="11" fill="#334155">${escapeSvg(s.name)}</text>`);
    lx += 28 + s.name.length * 6.5;
  });
  out.push('</svg>');
  return out.join('');
}

function describeLines(o: LineChartOptions): string {
  const parts = o.series.map((s) => {
    const last = [...s.points].reverse().find((p) => p.y !== null);
    return last ? `${s.name}: latest ${o.formatY(last.y as number)} at ${o.formatX(last.x)}` : `${s.name}: no data`;
  });
  for (const t of o.thresholds ?? []) parts.push(`${t.label} at ${o.formatY(t.value)}`);
  return parts.join('; ');
}

export interface Bar {
  label: string;
  value: number;
  /** A budget or cap drawn as a marker on the bar's row. */
  limit?: number;
  /** Text after the bar; defaults to the value (and "of limit"). */
  note?: string;
}

export interface BarChartOptions {
  title: string;
  bars: Bar[];
  formatValue: (v: number) => string;
  width?: number;
  empty?: string;
  /** What a bar's red tick (its `limit`) is, for the legend: e.g. "monthly budget". */
  limitLabel?: string;
}

/** Tone of a bar against its limit: over it danger, from 80% warning. */
export function barTone(value: number, limit?: number): ChartTone {
  if (limit === undefined || limit <= 0) return 'info';
  if (value > limit) return 'danger';
  if (value >= 0.8 * limit) return 'warning';
  return 'success';
}

export function barChart(o: BarChartOptions): string {
  const W = o.width ?? 720;
  const row = 28;
  const m = { top: 30, right: 270, bottom: 12, left: 150 };
  const H = m.top + m.bottom + Math.max(1, o.bars.length) * row;
  const desc = o.bars.map((b) => `${b.label}: ${o.formatValue(b.value)}${b.limit !== undefined ? ` of ${o.formatValue(b.limit)}` : ''}`).join('; ');
  const out: string[] = [svgOpen(W, H, o.title, desc)];
  out.push(`<text x="8" y="16" font-size="13" font-weight="600" fill="#0f172a">${escapeSvg(o.title)}</text>`);
  if (o.bars.some((b) => b.limit !== undefined)) {
    // Legend: what the red tick on a bar marks.
    const lx = W - m.right + 8;
    out.push(
      `<g class="legend"><line x1="${lx}" x2="${lx}" y1="5" y2="19" stroke="${COLOR.danger}" stroke-width="2"/>` +
        `<text x="${lx + 7}" y="16" font-size="11" fill="#334155">${escapeSvg(o.limitLabel ?? 'limit')}</text></g>`,
    );
  }
  if (o.bars.length === 0) {
    out.push(`<text x="8" y="${m.top + 16}" font-size="13" fill="#64748b">${escapeSvg(o.empty ?? 'No data yet.')}</text></svg>`);
    return out.join('');
  }
  const top = Math.max(...o.bars.map((b) => Math.max(b.value, b.limit ?? 0)), 0) || 1;
  const pw = W - m.left - m.right;
  const X = (v: number) => m.left + (Math.max(0, v) / top) * pw;
  o.bars.forEach((b, i) => {
    const y = m.top + i * row;
    const c = COLOR[barTone(b.value, b.limit)];
    const note = b.note ?? (b.limit !== undefined ? `${o.formatValue(b.value)} of ${o.formatValue(b.limit)}` : o.formatValue(b.value));
    out.push(`<text x="${m.left - 8}" y="${y + 18}" font-size="12" text-anchor="end" fill="#0f172a">${escapeSvg(b.label)}</text>`);
    out.push(`<rect x="${m.left}" y="${y + 6}" width="${f1(pw)}" height="16" fill="#f1f5f9"/>`);
    out.push(`<rect class="bar" data-label="${escapeSvg(b.label)}" x="${m.left}" y="${y + 6}" width="${f1(X(b.value) - m.left)}" height="16" fill="${c}"><title>${escapeSvg(`${b.label}: ${note}`)}</title></rect>`);
    if (b.limit !== undefined)
      out.push(`<line class="limit" x1="${f1(X(b.limit))}" x2="${f1(X(b.limit))}" y1="${y + 2}" y2="${y + 26}" stroke="${COLOR.danger}" stroke-width="2"/>`);
    out.push(`<text x="${W - m.right + 8}" y="${y + 18}" font-size="12" fill="#334155">${escapeSvg(note)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
