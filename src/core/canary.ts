/**
 * Canary judgement, Kayenta style: every metric is classified Pass / High / Low / NoData with
 * its direction and criticality, and the judgement shows its working.
 *
 * Repeated looks. The analysis runs every minute for as long as a stage lasts, so a plain
 * p < 0.05 would eventually fire on a healthy canary. We use a *stitched* boundary (Howard,
 * Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic confidence
 * sequences"): information is cut into doubling epochs — epoch k holds the looks where the
 * smaller arm has between minSamples·2^k and minSamples·2^(k+1) calls — and epoch k gets the
 * one-sided error budget alpha_k = ALPHA0 · 4^-k (total ALPHA0 · 4/3 per metric). Inside an
 * epoch the boundary is constant: the z value c_k whose crossing probability for a
 * *continuously* monitored statistic over a doubling of information is alpha_k, by Siegmund's
 * approximation P ≈ 1 − Φ(c) + c·φ(c)·ln(2)/2. Looking once a minute (or once a second) is
 * covered, so the caller passes no look count: the sample sizes are the elapsed information.
 * A metric is classified bad when its one-sided p-value is at most 1 − Φ(c_k) AND the effect
 * reaches a practical minimum, so a tiny-but-significant difference never rolls back:
 *   rates: candidate − baseline ≥ min(20% of baseline, 1 percentage point), and > 0;
 *   latency p95, cost and tokens per run: +20% relative; CSAT: −0.25 points (1–5 scale).
 * ALPHA0 = 0.0025 makes epoch 0 test at z ≈ 3.29 (per-look p ≤ 0.0005): a 2% → 10% error-rate
 * regression is caught before 400 calls per arm in ~96% of runs, while a healthy canary
 * judged every minute for a day raises a false alarm on ~0.2% of days (test/core/canary.test.ts).
 *
 * Rates use the pooled two-proportion z test, or Fisher's exact test when any expected cell
 * is below 5; distributions use the Mann-Whitney U test (computed only when the effect reaches
 * the practical minimum, since otherwise it cannot change the classification).
 */
import { fisherExact } from './stats/fisher.ts';
import { mannWhitneyCounts } from './stats/mannWhitney.ts';
import { normalCdf } from './stats/normal.ts';
import { twoProportionZ } from './stats/twoProportion.ts';
import { meanOfCounts, percentileOfCounts, sizeOf, valueCountsOf, type ValueCounts } from './stats/valueCounts.ts';

/** A sample as raw values or as value counts (cheaper to keep up to date). */
export type Sample = readonly number[] | ValueCounts;

export interface CanaryArm {
  /** Calls since the stage began. */
  n: number;
  errors: number;
  escalations: number;
  overrides: number;
  reported: number;
  latencyMs: Sample;
  costUsd: Sample;
  tokens: Sample;
  /** 1-5 scores from feedback. */
  csat: Sample;
}

export interface CanaryInput {
  baseline: CanaryArm;
  candidate: CanaryArm;
  /** Calls each arm needs before anything is judged (rollout.minSamples). */
  minSamples: number;
}

export interface CanaryMetric {
  name: string;
  direction: 'increase_is_bad' | 'decrease_is_bad';
  critical: boolean;
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  test: string;
  p: number | null;
  classification: 'Pass' | 'High' | 'Low' | 'NoData';
}

export interface CanaryJudgement {
  status: 'inconclusive' | 'healthy' | 'regressed';
  metrics: CanaryMetric[];
  /** More calls needed per arm before judging; 0 when enough. */
  samplesNeeded: number;
  reason: string;
}

export const ALPHA0 = 0.0025;
const EPOCH_DECAY = 4;
const RELATIVE_MINIMUM = 0.2;
const RATE_ABSOLUTE_MINIMUM = 0.01;
const CSAT_MINIMUM_DROP = 0.25;
/** Mann-Whitney's normal approximation wants a few dozen values per side. */
const MIN_DISTRIBUTION_VALUES = 30;

const boundaryCache: number[] = [];

/** The per-look z boundary of information epoch k (see the header). */
export function epochBoundary(k: number): number {
  if (boundaryCache[k] !== undefined) return boundaryCache[k];
  const alpha = ALPHA0 * EPOCH_DECAY ** -k;
  const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 80; i++) {
    const c = (lo + hi) / 2;
    const crossing = normalCdf(-c) + (c * phi(c) * Math.LN2) / 2;
    if (crossing > alpha) lo = c;
    else hi = c;
  }
  boundaryCache[k] = hi;
  return hi;
}

/** The per-look one-sided p threshold for arms of these sizes. */
export function sequentialThreshold(minSamples: number, nBaseline: number, nCandidate: number): number {
  const smaller = Math.min(nBaseline, nCandidate);
  const k = Math.max(0, Math.floor(Math.log2(smaller / Math.max(1, minSamples))));
  return normalCdf(-epochBoundary(k));
}

function counts(sample: Sample): ValueCounts {
  return Array.isArray(sample) ? valueCountsOf(sample as number[]) : (sample as ValueCounts);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fmtP = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));
let lastThreshold = NaN;
let lastThresholdText = '';
/** The threshold's text; the same few thresholds repeat look after look, so keep the last. */
function thresholdText(t: number): string {
  if (t !== lastThreshold) {
    lastThreshold = t;
    lastThresholdText = fmtP(t);
  }
  return lastThresholdText;
}

/** Every metric row has one shape (built in one place: this runs every minute per stage). */
function metric(
  name: string, direction: CanaryMetric['direction'], critical: boolean,
  baseline: number | null, candidate: number | null, test: string, p: number | null, classification: CanaryMetric['classification'],
): CanaryMetric {
  const delta = baseline === null || candidate === null ? null : candidate - baseline;
  return { name, direction, critical, baseline, candidate, delta, test, p, classification };
}

function rateMetric(name: string, critical: boolean, xb: number, nb: number, xc: number, nc: number, threshold: number | null): CanaryMetric {
  if (nb === 0 || nc === 0) return metric(name, 'increase_is_bad', critical, null, null, 'no calls', null, 'NoData');
  const pb = xb / nb;
  const pc = xc / nc;
  if (threshold === null) return metric(name, 'increase_is_bad', critical, pb, pc, 'not judged yet', null, 'NoData');
  const delta = pc - pb;
  const total = xb + xc;
  const all = nb + nc;
  const minExpected = Math.min(total, all - total) * (Math.min(nb, nc) / all);
  let test: string;
  let greater: number;
  let less: number;
  if (minExpected < 5) {
    const f = fisherExact(xc, nc - xc, xb, nb - xb);
    greater = f.greater;
    less = f.less;
    test = 'Fisher';
  } else {
    const z = twoProportionZ(xb, nb, xc, nc);
    greater = z.greater;
    less = z.less;
    test = `z=${z.z.toFixed(2)}`;
  }
  const margin = Math.min(RELATIVE_MINIMUM * pb, RATE_ABSOLUTE_MINIMUM);
  const p = delta >= 0 ? greater : less;
  const practical = delta !== 0 && Math.abs(delta) >= margin;
  const classification = practical && p <= threshold ? (delta > 0 ? 'High' : 'Low') : 'Pass';
  return metric(name, 'increase_is_bad', critical, pb, pc, `${test} p=${fmtP(p)} (threshold ${thresholdText(threshold)})`, p, classification);
}

function distributionMetric(
  name: string,
  direction: CanaryMetric['direction'],
  summary: (vc: ValueCounts) => number,
  b: Sample,
  c: Sample,
  threshold: number | null,
  practicalDelta: (baseline: number, candidate: number) => boolean,
): CanaryMetric {
  const xb = counts(b);
  const xc = counts(c);
  const nb = sizeOf(xb);
  const nc = sizeOf(xc);
  if (nb === 0 || nc === 0) return metric(name, direction, false, null, null, 'no values', null, 'NoData');
  const sb = summary(xb);
  const sc = summary(xc);
  if (threshold === null) return metric(name, direction, false, sb, sc, 'not judged yet', null, 'NoData');
  if (nb < MIN_DISTRIBUTION_VALUES || nc < MIN_DISTRIBUTION_VALUES) {
    return metric(name, direction, false, sb, sc, `fewer than ${MIN_DISTRIBUTION_VALUES} values per arm`, null, 'NoData');
  }
  if (!practicalDelta(sb, sc)) return metric(name, direction, false, sb, sc, 'difference below the practical minimum', null, 'Pass');
  const mw = mannWhitneyCounts(xb, xc);
  const p = sc > sb ? mw.greater : mw.less;
  const classification = p <= threshold ? (sc > sb ? 'High' : 'Low') : 'Pass';
  return metric(name, direction, false, sb, sc, `Mann-Whitney p=${fmtP(p)} (threshold ${thresholdText(threshold)})`, p, classification);
}

const relativeIncrease = (b: number, c: number) => (b === 0 ? c > 0 : Math.abs(c / b - 1) >= RELATIVE_MINIMUM);

function isBad(m: CanaryMetric): boolean {
  return m.direction === 'increase_is_bad' ? m.classification === 'High' : m.classification === 'Low';
}

function describe(m: CanaryMetric): string {
  const show = (x: number | null) => {
    if (x === null) return 'n/a';
    if (m.name.endsWith('rate')) return pct(x);
    if (m.name === 'latency p95') return `${Math.round(x)} ms`;
    if (m.name === 'cost per run') return `$${x.toFixed(4)}`;
    if (m.name === 'CSAT') return x.toFixed(2);
    return x.toFixed(0);
  };
  return `${m.name} ${show(m.candidate)} vs ${show(m.baseline)} (${m.test.replace(/ \(threshold.*\)$/, '')})`;
}

export function judgeCanary(input: CanaryInput): CanaryJudgement {
  const { baseline: b, candidate: c, minSamples } = input;
  const samplesNeeded = Math.max(0, minSamples - b.n, minSamples - c.n);
  const threshold = samplesNeeded > 0 ? null : sequentialThreshold(minSamples, b.n, c.n);
  const metrics: CanaryMetric[] = [
    rateMetric('error rate', true, b.errors, b.n, c.errors, c.n, threshold),
    rateMetric('escalation rate', true, b.escalations, b.n, c.escalations, c.n, threshold),
    rateMetric('override rate', false, b.overrides, b.n, c.overrides, c.n, threshold),
    rateMetric('reported rate', true, b.reported, b.n, c.reported, c.n, threshold),
    distributionMetric('latency p95', 'increase_is_bad', (v) => percentileOfCounts(v, 95), b.latencyMs, c.latencyMs, threshold, relativeIncrease),
    distributionMetric('cost per run', 'increase_is_bad', meanOfCounts, b.costUsd, c.costUsd, threshold, relativeIncrease),
    distributionMetric('tokens per run', 'increase_is_bad', meanOfCounts, b.tokens, c.tokens, threshold, relativeIncrease),
    distributionMetric('CSAT', 'decrease_is_bad', meanOfCounts, b.csat, c.csat, threshold, (sb, sc) => Math.abs(sc - sb) >= CSAT_MINIMUM_DROP),
  ];
  if (threshold === null) {
    return {
      status: 'inconclusive',
      metrics,
      samplesNeeded,
      reason: `waiting for ${minSamples} calls per arm (baseline ${b.n}, candidate ${c.n}): ${samplesNeeded} more needed`,
    };
  }
  const badCritical = metrics.filter((m) => m.critical && isBad(m));
  const badOther = metrics.filter((m) => !m.critical && isBad(m));
  if (badCritical.length > 0 || badOther.length >= 2) {
    return { status: 'regressed', metrics, samplesNeeded: 0, reason: [...badCritical, ...badOther].map(describe).join('; ') };
  }
  const note = badOther.length === 1 ? `; ${describe(badOther[0])} is worse but not critical` : '';
  return {
    status: 'healthy',
    metrics,
    samplesNeeded: 0,
    reason: `no regression after ${c.n} candidate and ${b.n} baseline calls${note}`,
  };
}
