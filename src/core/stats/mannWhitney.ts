import { normalCdf } from './normal.ts';
import { percentileOfCounts, sizeOf, valueCountsOf, type ValueCounts } from './valueCounts.ts';

export interface MannWhitneyResult {
  /** U for ys: pairs (x, y) with y > x, plus half the ties. */
  u: number;
  /** Continuity-corrected z of U (positive when ys tend to be larger); 0 with no data. */
  z: number;
  twoSided: number;
  /** One-sided p for "ys tend to be larger than xs". */
  greater: number;
  /** One-sided p for "ys tend to be smaller than xs". */
  less: number;
  /** median(ys) / median(xs) - 1; null when median(xs) is 0 or a side is empty. */
  effect: number | null;
}

/**
 * The Mann-Whitney U test (normal approximation, tie-corrected variance, continuity correction).
 */
export function mannWhitneyU(xs: readonly number[], ys: readonly number[]): MannWhitneyResult {
  return mannWhitneyCounts(valueCountsOf(xs), valueCountsOf(ys));
}

/** As `mannWhitneyU`, for samples given as value counts. */
export function mannWhitneyCounts(x: ValueCounts, y: ValueCounts): MannWhitneyResult {
  const n1 = sizeOf(x);
  const n2 = sizeOf(y);
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, twoSided: 1, greater: 1, less: 1, effect: null };
  // Merge the two ascending value lists: each y beats every x below it and ties half of equal ones.
  let u = 0;
  let xBelow = 0;
  let tieTerm = 0;
  let i = 0;
  let j = 0;
  while (i < x.values.length || j < y.values.length) {
    const vx = i < x.values.length ? x.values[i] : Infinity;
    const vy = j < y.values.length ? y.values[j] : Infinity;
    const v = Math.min(vx, vy);
    const cx = vx === v ? x.counts[i++] : 0;
    const cy = vy === v ? y.counts[j++] : 0;
    u += cy * (xBelow + cx / 2);
    xBelow += cx;
    const t = cx + cy;
    tieTerm += t * t * t - t;
  }
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const medianX = percentileOfCounts(x, 50);
  const effect = medianX === 0 ? null : percentileOfCounts(y, 50) / medianX - 1;
  if (!(variance > 0)) return { u, z: 0, twoSided: 1, greater: 1, less: 1, effect };
  const sd = Math.sqrt(variance);
  const d = u - mu;
  const z = (Math.sign(d) * Math.max(0, Math.abs(d) - 0.5)) / sd;
  const greater = 1 - normalCdf((d - 0.5) / sd);
  const less = normalCdf((d + 0.5) / sd);
  return { u, z, twoSided: Math.min(1, 2 * Math.min(greater, less)), greater, less, effect };
}
