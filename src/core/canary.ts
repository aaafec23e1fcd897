/**
 * Canary judgement, Kayenta style: every metric is classified Pass / High / Low / NoData with
 * its direction and criticality, and the judgement shows its working (test, statistic, boundary,
 * and what the canary can detect at the current traffic).
 *
 * Critical metrics — error rate, reported rate, latency p95 and the workflow's extras
 * (`rollout.criticalExtras`) — are judged by the exact conditional binomial test (latency p95 as
 * the rate of calls slower than the stable config's p95 before the stage), each with an early
 * stop from the first call and a main test from minSamples calls per arm, under the alpha split
 * of canary-policy.ts: a healthy stage false-alarms with probability at most 1% in all, however
 * long and however often it is watched. One bad critical metric is a regression; so are two bad
 * non-critical ones (escalation and override rates by the same exact test; cost and tokens per
 * run and CSAT by Mann-Whitney U), judged by the main test's boundary.
 *
 * A metric is bad only when its test crosses its boundary AND the difference reaches a practical
 * minimum, so a tiny-but-significant difference never rolls back:
 *   rates: candidate − baseline ≥ min(20% of baseline, 1 percentage point), and > 0;
 *   latency p95, cost and tokens per run: +20% relative; CSAT: −0.25 points (1–5 scale).
 */
import { alphaSplit, earlyStop, mainLevel, type AlphaSplit, type MainLevel } from './canary-policy.ts';
import { detectableRate } from './canary-power.ts';
import { describeLook, formatP, testRate, type RateCounts, type RateLook } from './canary-rates.ts';
import { mannWhitneyCounts } from './stats/mannWhitney.ts';
import type { EarlyStopDesign } from './stats/sequential.ts';
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
  /** Latencies of the successful calls. */
  latencyMs: Sample;
  costUsd: Sample;
  tokens: Sample;
  /** 1-5 scores from feedback. */
  csat: Sample;
}

/** The stable config's production calls in the hour before the stage began: the early stop's extra baseline. */
export interface PriorCalls {
  n: number;
  errors: number;
  reported: number;
  escalations: number;
  overrides: number;
  /** p95 latency of its successful calls (ms): the "slow call" threshold; null with too few. */
  latencyP95Ms: number | null;
}

/** Rate metrics a workflow may make critical besides error rate, reported rate and latency p95. */
export const CRITICAL_EXTRAS = ['escalation rate', 'override rate'] as const;
export type CriticalExtra = (typeof CRITICAL_EXTRAS)[number];

export interface CanaryInput {
  baseline: CanaryArm;
  candidate: CanaryArm;
  /** Calls each arm needs before the main test judges (rollout.minSamples); the early stop needs none. */
  minSamples: number;
  prior?: PriorCalls | null;
  criticalExtras?: readonly CriticalExtra[];
  /** Time since the stage began and the minimum bake (ms): the traffic rates for the detectable effect. */
  elapsedMs?: number;
  bakeMs?: number;
}

export interface CanaryMetric {
  name: string;
  direction: 'increase_is_bad' | 'decrease_is_bad';
  critical: boolean;
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  /** The test, its statistic and the boundary it was held against, as people read it. */
  test: string;
  p: number | null;
  /** The per-look level `p` was held against; null when not judged. */
  boundary: number | null;
  decidedBy: 'early stop' | 'main test' | null;
  classification: 'Pass' | 'High' | 'Low' | 'NoData';
}

export interface DetectableRegression {
  metric: string;
  baseline: number;
  /** The smallest rate caught with 80% power by the horizon; null: none at this traffic. */
  detectable: number | null;
}

export interface DetectableAtTraffic {
  /** The horizon (minutes since the stage began). */
  minutes: number;
  candidatePerMinute: number;
  baselinePerMinute: number;
  rows: DetectableRegression[];
}

export interface CanaryJudgement {
  status: 'inconclusive' | 'healthy' | 'regressed';
  metrics: CanaryMetric[];
  /** More calls needed in the arm furthest from minSamples; 0 when both have enough. */
  samplesNeeded: number;
  /** More calls each arm needs before the main test judges. */
  callsNeeded: { baseline: number; candidate: number };
  reason: string;
  alpha: AlphaSplit;
  /** What the canary can catch by the end of the bake (or by now, past it), at the current traffic. */
  detectable: DetectableAtTraffic | null;
  /** What it could have caught by now. */
  detectableSoFar: DetectableAtTraffic | null;
}

const RELATIVE_MINIMUM = 0.2;
const RATE_ABSOLUTE_MINIMUM = 0.01;
const CSAT_MINIMUM_DROP = 0.25;
/** Mann-Whitney's normal approximation wants a few dozen values per side. */
const MIN_DISTRIBUTION_VALUES = 30;
/** Latencies needed to take a p95 as the slow-call threshold. */
export const MIN_THRESHOLD_LATENCIES = 100;

/** The practical minimum rise of a rate: min(20% of the baseline, 1 percentage point). */
export const ratePracticalMinimum = (pb: number) => Math.min(RELATIVE_MINIMUM * pb, RATE_ABSOLUTE_MINIMUM);

function counts(sample: Sample): ValueCounts {
  return Array.isArray(sample) ? valueCountsOf(sample as number[]) : (sample as ValueCounts);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Every metric row has one shape (built in one place: this runs every few seconds per stage). */
function metric(
  name: string, direction: CanaryMetric['direction'], critical: boolean, baseline: number | null, candidate: number | null,
  test: string, p: number | null, boundary: number | null, decidedBy: CanaryMetric['decidedBy'], classification: CanaryMetric['classification'],
): CanaryMetric {
  const delta = baseline === null || candidate === null ? null : candidate - baseline;
  return { name, direction, critical, baseline, candidate, delta, test, p, boundary, decidedBy, classification };
}

interface Context {
  main: MainLevel | null;
  early: EarlyStopDesign;
  alphaMain: number;
  minSamples: number;
}

/** Which look to show and to classify by: the main test when it runs, unless only the early stop crosses. */
function shownLook(early: RateLook | null, main: RateLook | null): RateLook | null {
  if (main?.crossed) return main;
  if (early?.crossed === 'High') return early;
  return main ?? early;
}

function rateMetric(
  name: string, critical: boolean, b: RateCounts, c: RateCounts, prior: RateCounts | null, ctx: Context,
  show: { baseline: number | null; candidate: number | null } | null, practical: (pb: number, pc: number) => boolean, label = 'exact binomial',
): CanaryMetric {
  const values = show ?? { baseline: b.calls ? b.events / b.calls : null, candidate: c.calls ? c.events / c.calls : null };
  if (b.calls === 0 || c.calls === 0) return metric(name, 'increase_is_bad', critical, values.baseline, values.candidate, 'no calls', null, null, null, 'NoData');
  const r = testRate({ baseline: b, candidate: c, prior, early: critical ? ctx.early : null, main: ctx.main });
  const l = shownLook(r.early, r.main);
  if (!l) {
    return metric(name, 'increase_is_bad', critical, values.baseline, values.candidate, `main test from ${ctx.minSamples} calls per arm`, null, null, null, 'NoData');
  }
  const pb = b.events / b.calls;
  const pc = c.events / c.calls;
  const crossed = l.crossed && practical(pb, pc) ? l.crossed : null;
  const waiting = l.test === 'early stop' && !r.main ? `; main test from ${ctx.minSamples} calls per arm` : '';
  const text = l.events === 0 ? `no events in either arm yet${waiting}` : `${l.test === 'early stop' ? 'early stop: ' : ''}${label} ${describeLook(l)}${waiting}`;
  return metric(name, 'increase_is_bad', critical, values.baseline, values.candidate, text, l.p, l.boundary, crossed ? l.test : null, crossed ?? 'Pass');
}

const rateRise = (pb: number, pc: number) => pc > pb && pc - pb >= ratePracticalMinimum(pb);
const always = () => true;
const never = () => false;
const csatDrop = (sb: number, sc: number) => Math.abs(sc - sb) >= CSAT_MINIMUM_DROP;
const relativeChange = (b: number, c: number) => (b === 0 ? c > 0 : Math.abs(c / b - 1) >= RELATIVE_MINIMUM);

function distributionMetric(
  name: string, direction: CanaryMetric['direction'], summary: (vc: ValueCounts) => number, b: Sample, c: Sample, ctx: Context,
  practicalDelta: (baseline: number, candidate: number) => boolean,
): CanaryMetric {
  const xb = counts(b);
  const xc = counts(c);
  const nb = sizeOf(xb);
  const nc = sizeOf(xc);
  if (nb === 0 || nc === 0) return metric(name, direction, false, null, null, 'no values', null, null, null, 'NoData');
  const sb = summary(xb);
  const sc = summary(xc);
  if (!ctx.main) return metric(name, direction, false, sb, sc, `main test from ${ctx.minSamples} calls per arm`, null, null, null, 'NoData');
  if (nb < MIN_DISTRIBUTION_VALUES || nc < MIN_DISTRIBUTION_VALUES) {
    return metric(name, direction, false, sb, sc, `fewer than ${MIN_DISTRIBUTION_VALUES} values per arm`, null, null, null, 'NoData');
  }
  if (!practicalDelta(sb, sc)) return metric(name, direction, false, sb, sc, 'difference below the practical minimum', null, null, null, 'Pass');
  const mw = mannWhitneyCounts(xb, xc);
  const p = sc > sb ? mw.greater : mw.less;
  const level = ctx.main.level;
  const classification = p <= level ? (sc > sb ? 'High' : 'Low') : 'Pass';
  const cmp = p <= level ? '≤' : '>';
  return metric(name, direction, false, sb, sc, `Mann-Whitney p=${formatP(p)} ${cmp} ${formatP(level)}`, p, level, classification === 'Pass' ? null : 'main test', classification);
}

/** Calls at or above `threshold` among the successful calls. */
function slowCalls(vc: ValueCounts, threshold: number): RateCounts {
  let calls = 0;
  let events = 0;
  for (let i = 0; i < vc.values.length; i++) {
    calls += vc.counts[i];
    if (vc.values[i] > threshold) events += vc.counts[i];
  }
  return { calls, events };
}

/** The slow-call threshold: the stable config's p95 before the stage, else this stage's stable p95. */
function slowThreshold(prior: PriorCalls | null | undefined, stable: ValueCounts): { ms: number; from: 'before' | 'stage' } | null {
  if (prior?.latencyP95Ms != null) return { ms: prior.latencyP95Ms, from: 'before' };
  if (sizeOf(stable) >= MIN_THRESHOLD_LATENCIES) return { ms: percentileOfCounts(stable, 95), from: 'stage' };
  return null;
}

function latencyMetric(b: ValueCounts, c: ValueCounts, prior: PriorCalls | null | undefined, ctx: Context): { row: CanaryMetric; slow: { b: RateCounts; c: RateCounts; ms: number } | null } {
  const nb = sizeOf(b);
  const nc = sizeOf(c);
  const pb = nb ? percentileOfCounts(b, 95) : null;
  const pc = nc ? percentileOfCounts(c, 95) : null;
  const threshold = slowThreshold(prior, b);
  if (nb === 0 || nc === 0 || !threshold) {
    const why = nb === 0 || nc === 0 ? 'no values' : `waiting for ${MIN_THRESHOLD_LATENCIES} stable latencies (the slow-call threshold)`;
    return { row: metric('latency p95', 'increase_is_bad', true, pb, pc, why, null, null, null, 'NoData'), slow: null };
  }
  const sb = slowCalls(b, threshold.ms);
  const sc = slowCalls(c, threshold.ms);
  const label = `slow calls (> ${Math.round(threshold.ms).toLocaleString('en-US')} ms, stable p95 ${threshold.from === 'before' ? 'before the stage' : 'of this stage'}): exact binomial`;
  // The p95s must differ by the practical minimum too: more slow calls alone is not enough.
  const practical = pb !== null && pc !== null && pc > pb && relativeChange(pb, pc) ? always : never;
  const row = rateMetric('latency p95', true, sb, sc, null, ctx, { baseline: pb, candidate: pc }, practical, label);
  return { row, slow: { b: sb, c: sc, ms: threshold.ms } };
}

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
  return `${m.name} ${show(m.candidate)} vs ${show(m.baseline)} — ${m.test.replace(/; main test from .*$/, '')}`;
}

const ARM_RATES = {
  'error rate': (a: CanaryArm | PriorCalls) => a.errors,
  'escalation rate': (a: CanaryArm | PriorCalls) => a.escalations,
  'override rate': (a: CanaryArm | PriorCalls) => a.overrides,
  'reported rate': (a: CanaryArm | PriorCalls) => a.reported,
} as const;

const armProgress = (label: string, n: number, need: number) => `${label} ${n}${need > 0 ? ` (${need} more)` : ' (enough)'}`;

function armRate(name: keyof typeof ARM_RATES, critical: boolean, b: CanaryArm, c: CanaryArm, prior: PriorCalls | null | undefined, ctx: Context): CanaryMetric {
  const get = ARM_RATES[name];
  const p = prior && prior.n > 0 ? { calls: prior.n, events: get(prior) } : null;
  return rateMetric(name, critical, { calls: b.n, events: get(b) }, { calls: c.n, events: get(c) }, p, ctx, null, rateRise);
}

export function judgeCanary(input: CanaryInput): CanaryJudgement {
  const { baseline: b, candidate: c, minSamples, prior } = input;
  const extras: readonly string[] = input.criticalExtras ?? [];
  const criticalCount = 3 + extras.length;
  const alpha = alphaSplit(criticalCount);
  const ctx: Context = { main: mainLevel(alpha.main, minSamples, b.n, c.n), early: earlyStop(alpha), alphaMain: alpha.main, minSamples };
  const callsNeeded = { baseline: Math.max(0, minSamples - b.n), candidate: Math.max(0, minSamples - c.n) };
  const samplesNeeded = Math.max(callsNeeded.baseline, callsNeeded.candidate);

  const latency = latencyMetric(counts(b.latencyMs), counts(c.latencyMs), prior, ctx);
  const metrics: CanaryMetric[] = [
    armRate('error rate', true, b, c, prior, ctx),
    armRate('escalation rate', extras.includes('escalation rate'), b, c, prior, ctx),
    armRate('override rate', extras.includes('override rate'), b, c, prior, ctx),
    armRate('reported rate', true, b, c, prior, ctx),
    latency.row,
    distributionMetric('cost per run', 'increase_is_bad', meanOfCounts, b.costUsd, c.costUsd, ctx, relativeChange),
    distributionMetric('tokens per run', 'increase_is_bad', meanOfCounts, b.tokens, c.tokens, ctx, relativeChange),
    distributionMetric('CSAT', 'decrease_is_bad', meanOfCounts, b.csat, c.csat, ctx, csatDrop),
  ];
  const elapsedMin = input.elapsedMs !== undefined ? input.elapsedMs / 60_000 : null;
  const bakeMin = input.bakeMs !== undefined ? input.bakeMs / 60_000 : null;
  const base = {
    metrics, samplesNeeded, callsNeeded, alpha,
    detectable: detectable(input, ctx, latency.slow, elapsedMin === null ? null : Math.max(elapsedMin, bakeMin ?? 0)),
    detectableSoFar: detectable(input, ctx, latency.slow, elapsedMin),
  };

  const badCritical: CanaryMetric[] = [];
  const badOther: CanaryMetric[] = [];
  for (const m of metrics) if (isBad(m)) (m.critical ? badCritical : badOther).push(m);
  if (badCritical.length > 0 || badOther.length >= 2) {
    return { status: 'regressed', ...base, reason: [...badCritical, ...badOther].map(describe).join('; ') };
  }
  if (!ctx.main) {
    return {
      status: 'inconclusive',
      ...base,
      reason:
        `the main test waits for ${minSamples} calls per arm: ${armProgress('candidate', c.n, callsNeeded.candidate)}, ${armProgress('stable', b.n, callsNeeded.baseline)}; ` +
        `the early stop watches every call meanwhile`,
    };
  }
  const note = badOther.length === 1 ? `; ${describe(badOther[0])} is worse but not critical` : '';
  return { status: 'healthy', ...base, reason: `no regression after ${c.n} candidate and ${b.n} baseline calls${note}` };
}

/** The smallest rise of each critical rate the canary would catch with 80% power by `minutes`. */
function detectable(
  input: CanaryInput, ctx: Context, slow: { b: RateCounts; c: RateCounts; ms: number } | null, minutes: number | null,
): DetectableAtTraffic | null {
  const { baseline: b, candidate: c, prior } = input;
  if (minutes === null || input.elapsedMs === undefined || input.elapsedMs < 60_000 || c.n === 0 || b.n === 0) return null;
  const elapsedMin = input.elapsedMs / 60_000;
  const candidatePerMinute = c.n / elapsedMin;
  const baselinePerMinute = b.n / elapsedMin;
  const row = (metric: string, rate: number, perMinuteB: number, perMinuteC: number, priorCalls: number): DetectableRegression => ({
    metric,
    baseline: rate,
    detectable: detectableRate({
      baselineRate: rate, baselinePerMinute: perMinuteB, candidatePerMinute: perMinuteC, priorCalls, minutes, minSamples: ctx.minSamples,
      early: ctx.early, mainLevelFor: (nb, nc) => mainLevel(ctx.alphaMain, ctx.minSamples, nb, nc), practicalMinimum: ratePracticalMinimum,
    }),
  });
  const priorN = prior?.n ?? 0;
  const rows = [row('error rate', b.errors / b.n, baselinePerMinute, candidatePerMinute, priorN)];
  for (const extra of input.criticalExtras ?? []) rows.push(row(extra, ARM_RATES[extra](b) / b.n, baselinePerMinute, candidatePerMinute, priorN));
  rows.push(row('reported rate', b.reported / b.n, baselinePerMinute, candidatePerMinute, priorN));
  if (slow && slow.b.calls > 0) {
    // Slow calls have no prior baseline (the threshold comes from it) and count successful calls only.
    rows.push(row(`slow calls (> ${Math.round(slow.ms).toLocaleString('en-US')} ms)`, slow.b.events / slow.b.calls, slow.b.calls / elapsedMin, slow.c.calls / elapsedMin, 0));
  }
  return { minutes, candidatePerMinute, baselinePerMinute, rows };
}

export type { AlphaSplit } from './canary-policy.ts';
