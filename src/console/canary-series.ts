/**
 * Canary metrics over time: a release's production calls grouped per minute (per hour, per day
 * for longer spans), per arm: error rate and latency p95.
 */
import { percentileOfSorted } from '../core/stats/percentile.ts';
import type { CanarySample } from './queries.ts';

export interface CanaryBucket {
  start: number;
  n: number;
  errorRate: number | null;
  latencyP95: number | null;
}

export interface CanarySeries {
  bucketMs: number;
  starts: number[];
  stable: CanaryBucket[];
  candidate: CanaryBucket[];
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function bucketSizeFor(spanMs: number): number {
  if (spanMs <= 3 * HOUR) return MINUTE;
  if (spanMs <= 3 * DAY) return HOUR;
  return DAY;
}

export function canarySeries(samples: readonly CanarySample[]): CanarySeries {
  if (samples.length === 0) return { bucketMs: MINUTE, starts: [], stable: [], candidate: [] };
  const first = samples[0]!.ts;
  const last = samples[samples.length - 1]!.ts;
  const size = bucketSizeFor(last - first);
  const start0 = Math.floor(first / size) * size;
  const count = Math.floor((last - start0) / size) + 1;
  const starts = Array.from({ length: count }, (_, i) => start0 + i * size);
  const arm = () => starts.map(() => ({ n: 0, errors: 0, lat: [] as number[] }));
  const acc = { stable: arm(), candidate: arm() };
  for (const s of samples) {
    const a = s.variant === 'candidate' ? acc.candidate : s.variant === 'stable' ? acc.stable : null;
    if (!a) continue;
    const b = a[Math.floor((s.ts - start0) / size)]!;
    b.n++;
    if (!s.ok) b.errors++;
    if (s.latencyMs !== null && s.ok) b.lat.push(s.latencyMs);
  }
  const finish = (xs: typeof acc.stable): CanaryBucket[] =>
    xs.map((b, i) => ({
      start: starts[i]!,
      n: b.n,
      errorRate: b.n ? b.errors / b.n : null,
      latencyP95: b.lat.length ? percentileOfSorted(b.lat.sort((x, y) => x - y), 95) : null,
    }));
  return { bucketMs: size, starts, stable: finish(acc.stable), candidate: finish(acc.candidate) };
}
