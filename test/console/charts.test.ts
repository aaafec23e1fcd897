import { describe, expect, it } from 'vitest';
import { barChart, barTone, lineChart, niceTicks } from '../../src/core/views/charts.ts';

const fmt = { formatX: (x: number) => `d${x}`, formatY: (y: number) => `$${y}` };

describe('SVG charts', () => {
  it('draws each series as a path broken where a point has no data, with the threshold as a dashed line', () => {
    const svg = lineChart({
      title: 'Spend',
      series: [{ name: 'support', points: [{ x: 0, y: 1 }, { x: 1, y: null }, { x: 2, y: 3 }, { x: 3, y: 4 }] }],
      thresholds: [{ value: 5, label: 'daily cap $5' }],
      ...fmt,
    });
    const d = /<path class="series" data-series="support" d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2); // the gap at x=1 starts a new segment
    expect(svg).toMatch(/<line class="threshold"[^>]*stroke-dasharray/);
    expect(svg).toContain('daily cap $5');
    // The threshold sits above every point: its y coordinate is smaller than the highest point's.
    const ty = Number(/<line class="threshold"[^>]*y1="([\d.]+)"/.exec(svg)![1]);
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ty).toBeLessThan(Math.min(...ys));
  });

  it('escapes every label that reaches the markup', () => {
    const svg = lineChart({ title: '<script>x</script>', series: [{ name: 'a"b<c>', points: [{ x: 0, y: 1 }] }], thresholds: [{ value: 1, label: '&cap' }], ...fmt });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('a&quot;b&lt;c&gt;');
    expect(svg).toContain('&amp;cap');
    const bars = barChart({ title: 't', bars: [{ label: '<img src=x>', value: 1 }], formatValue: String });
    expect(bars).not.toContain('<img');
  });

  it('names a threshold far above the data instead of flattening the data against it', () => {
    const svg = lineChart({ title: 'x', series: [{ name: 's', points: [{ x: 0, y: 0.1 }, { x: 1, y: 0.2 }] }], thresholds: [{ value: 50, label: 'budget $50' }], ...fmt });
    expect(svg).not.toContain('<line class="threshold"');
    expect(svg).toContain('▲ budget $50 (far above)');
  });

  it('says so when there is no data', () => {
    expect(lineChart({ title: 'x', series: [{ name: 's', points: [] }], empty: 'Nothing yet.', ...fmt })).toContain('Nothing yet.');
  });

  it('colours bars against their limit and marks the limit', () => {
    expect(barTone(50, 100)).toBe('success');
    expect(barTone(85, 100)).toBe('warning');
    expect(barTone(120, 100)).toBe('danger');
    const svg = barChart({ title: 'Month', bars: [{ label: 'support', value: 120, limit: 100 }], formatValue: (v) => `$${v}` });
    expect(svg).toContain('<line class="limit"');
    expect(svg).toMatch(/<g class="legend">.*>limit<\/text><\/g>/);
    const named = barChart({ title: 'Month', bars: [{ label: 'support', value: 1, limit: 2 }], formatValue: String, limitLabel: 'red tick: the monthly budget' });
    expect(named).toContain('>red tick: the monthly budget</text>');
    expect(barChart({ title: 'Month', bars: [{ label: 'support', value: 1 }], formatValue: String })).not.toContain('class="legend"');
    expect(svg).toContain('$120 of $100');
    expect(svg).toContain('fill="#dc2626"');
  });

  it('picks round axis ticks that cover the range', () => {
    expect(niceTicks(0, 47)).toEqual([0, 20, 40, 60]);
    expect(niceTicks(0, 40)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0, 0.9)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
