/**
 * A simulated canary stage, judged the way the canary job judges it: at the product's cadence
 * (`canaryLookDue`, ticking every 10 s) with the product's `judgeCanary` on the calls so far,
 * and the stable config's hour before the stage as prior calls.
 */
import { judgeCanary, type CanaryArm, type PriorCalls } from '../../src/core/canary.ts';
import { canaryLookDue, YOUNG_LOOK_MS } from '../../src/core/canary-policy.ts';
import { percentileOfCounts, type ValueCounts } from '../../src/core/stats/valueCounts.ts';
import { addMultinomial, binomial, poisson, type Uniform } from './random.ts';

export interface Rates {
  error: number;
  reported: number;
  escalation: number;
  override: number;
}

export const HEALTHY: Rates = { error: 0.02, reported: 0.02, escalation: 0.05, override: 0.03 };

/** Latencies: 24 values from 300 ms up, right-skewed (p95 ≈ 1.5 s), the same for both arms. */
export const LATENCY_GRID = Array.from({ length: 24 }, (_, i) => 300 + i * 100);
const weights = LATENCY_GRID.map((_, i) => Math.exp(-i / 4));
const total = weights.reduce((a, b) => a + b, 0);
export const LATENCY_PROBS = weights.map((w) => w / total);
const LATENCY_CUMULATIVE = LATENCY_PROBS.map((_, i) => (i === LATENCY_PROBS.length - 1 ? 1 : LATENCY_PROBS.slice(0, i + 1).reduce((a, b) => a + b, 0)));

export interface StageScenario {
  candidatePerMinute: number;
  baselinePerMinute: number;
  arrivals: 'even' | 'poisson';
  candidate: Rates;
  minSamples: number;
  /** How long the stage is watched. */
  horizonMinutes: number;
  /** Minutes of stable traffic (at both arms' rate) before the stage: the prior calls. */
  priorMinutes: number;
}

interface Arm extends CanaryArm {
  latencyMs: ValueCounts;
}

const emptyArm = (): Arm => ({
  n: 0, errors: 0, escalations: 0, overrides: 0, reported: 0,
  latencyMs: { values: LATENCY_GRID, counts: new Array(LATENCY_GRID.length).fill(0) }, costUsd: [], tokens: [], csat: [],
});

function addCalls(u: Uniform, a: Arm, k: number, r: Rates): void {
  if (k <= 0) return;
  const errors = binomial(u, k, r.error);
  a.n += k;
  a.errors += errors;
  a.reported += binomial(u, k, r.reported);
  a.escalations += binomial(u, k, r.escalation);
  a.overrides += binomial(u, k, r.override);
  addMultinomial(u, k - errors, LATENCY_PROBS, a.latencyMs.counts, LATENCY_CUMULATIVE);
}

function priorCalls(u: Uniform, s: StageScenario): PriorCalls | null {
  if (s.priorMinutes <= 0) return null;
  const a = emptyArm();
  addCalls(u, a, Math.round(s.priorMinutes * (s.baselinePerMinute + s.candidatePerMinute)), HEALTHY);
  return { n: a.n, errors: a.errors, reported: a.reported, escalations: a.escalations, overrides: a.overrides, latencyP95Ms: percentileOfCounts(a.latencyMs, 95) };
}

/** Calls that have arrived by `ms`: evenly spaced, or a Poisson process (kept in `state`). */
function arrivals(u: Uniform, perMinute: number, kind: StageScenario['arrivals'], fromMs: number, toMs: number): number {
  if (kind === 'even') return Math.floor((perMinute * toMs) / 60_000) - Math.floor((perMinute * fromMs) / 60_000);
  return poisson(u, (perMinute * (toMs - fromMs)) / 60_000);
}

/** Runs one stage; returns when (ms after it began) the canary said "regressed", or null. */
export function runStage(u: Uniform, s: StageScenario): number | null {
  const prior = priorCalls(u, s);
  const b = emptyArm();
  const c = emptyArm();
  let lastJudged: number | null = null;
  let dataUntil = 0;
  for (let now = YOUNG_LOOK_MS; now <= s.horizonMinutes * 60_000; now += YOUNG_LOOK_MS) {
    if (!canaryLookDue(now, lastJudged, now)) continue;
    addCalls(u, b, arrivals(u, s.baselinePerMinute, s.arrivals, dataUntil, now), HEALTHY);
    addCalls(u, c, arrivals(u, s.candidatePerMinute, s.arrivals, dataUntil, now), s.candidate);
    dataUntil = now;
    lastJudged = now;
    if (judgeCanary({ baseline: b, candidate: c, minSamples: s.minSamples, prior }).status === 'regressed') return now;
  }
  return null;
}
