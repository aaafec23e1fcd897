/**
 * A sample stored as its distinct values (ascending) with their multiplicities: exact for
 * every rank statistic, and cheap to keep up to date when values repeat (rounded latencies,
 * token counts, 1-5 scores). Zero counts are allowed (a fixed grid of values).
 */
export interface ValueCounts {
  values: number[];
  counts: number[];
}

export function valueCountsOf(sample: readonly number[]): ValueCounts {
  const sorted = [...sample].sort((a, b) => a - b);
  const values: number[] = [];
  const counts: number[] = [];
  for (const v of sorted) {
    if (values.length > 0 && values[values.length - 1] === v) counts[counts.length - 1]++;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  return { values, counts };
}

export function sizeOf(vc: ValueCounts): number {
  let n = 0;
  for (const c of vc.counts) n += c;
  return n;
}

export function meanOfCounts(vc: ValueCounts): number {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < vc.values.length; i++) {
    n += vc.counts[i];
    sum += vc.values[i] * vc.counts[i];
  }
  return n === 0 ? NaN : sum / n;
}

/** The value at 0-based position `index` of the expanded ascending sample. */
function valueAt(vc: ValueCounts, index: number): number {
  let seen = 0;
  for (let i = 0; i < vc.values.length; i++) {
    seen += vc.counts[i];
    if (index < seen) return vc.values[i];
  }
  return vc.values[vc.values.length - 1];
}

/** The p-th percentile with linear interpolation, identical to `percentile` on the expanded sample. */
export function percentileOfCounts(vc: ValueCounts, p: number): number {
  const n = sizeOf(vc);
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const a = valueAt(vc, lo);
  const b = valueAt(vc, Math.min(lo + 1, n - 1));
  return a + (h - lo) * (b - a);
}
