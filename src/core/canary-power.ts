/**
 * What the canary can see: the smallest rise of a rate that the canary's own tests (early stop
 * and, once minSamples is reached, the main test) would catch with 80% power by a horizon, at the
 * current traffic. It finds the candidate count that crosses a boundary at the horizon (with the
 * baseline at its expected count) and the candidate rate whose binomial count reaches it with
 * probability 0.8. Looks before the horizon only add power, so the figure is slightly pessimistic.
 */
import type { MainLevel } from './canary-policy.ts';
import { testRate } from './canary-rates.ts';
import { binomialUpperTail } from './stats/binomial.ts';
import type { EarlyStopDesign } from './stats/sequential.ts';

export const DETECTION_POWER = 0.8;

export interface DetectableInput {
  /** The baseline's rate (its estimate so far). */
  baselineRate: number;
  baselinePerMinute: number;
  candidatePerMinute: number;
  /** Stable calls from before the stage (the early stop's extra baseline). */
  priorCalls: number;
  minutes: number;
  minSamples: number;
  early: EarlyStopDesign | null;
  /** The main test's level for arms of these sizes (null: below minSamples). */
  mainLevelFor: (nBaseline: number, nCandidate: number) => MainLevel | null;
  /** The practical minimum rise for this baseline rate. */
  practicalMinimum: (baselineRate: number) => number;
}

/** The candidate's smallest event count that crosses a boundary at the horizon (Infinity: none). */
export function criticalCount(i: DetectableInput): { calls: number; count: number } {
  const nc = Math.round(i.candidatePerMinute * i.minutes);
  const nb = Math.round(i.baselinePerMinute * i.minutes);
  if (nc < 1) return { calls: 0, count: Infinity };
  const xb = Math.round(nb * i.baselineRate);
  const prior = { calls: Math.round(i.priorCalls), events: Math.round(i.priorCalls * i.baselineRate) };
  const main = i.mainLevelFor(nb, nc);
  const share = nc / (nb + nc);
  // Start at the count expected under no change; the crossing count is a few deviations above it.
  let x = Math.max(0, Math.floor((xb * share) / (1 - share)));
  for (; x <= nc; x++) {
    const r = testRate({ baseline: { calls: nb, events: xb }, candidate: { calls: nc, events: x }, prior, early: i.early, main });
    if (r.early?.crossed === 'High' || r.main?.crossed === 'High') return { calls: nc, count: x };
  }
  return { calls: nc, count: Infinity };
}

/** The smallest candidate rate caught with 80% power by the horizon; null when none is (too little traffic). */
export function detectableRate(i: DetectableInput): number | null {
  const { calls, count } = criticalCount(i);
  if (!Number.isFinite(count)) return null;
  const power = (p: number) => binomialUpperTail(count, calls, p);
  if (power(1) < DETECTION_POWER) return null;
  let lo = i.baselineRate;
  let hi = 1;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (power(mid) >= DETECTION_POWER) hi = mid;
    else lo = mid;
  }
  return Math.min(1, Math.max(hi, i.baselineRate + i.practicalMinimum(i.baselineRate)));
}
