/**
 * One rate metric of the canary (errors, reports, slow calls, escalations…) judged by the exact
 * conditional binomial test against the early-stop boundary and the main test's boundary (see
 * canary-policy.ts). Pure arithmetic; the caller applies the practical minimum.
 */
import type { MainLevel } from './canary-policy.ts';
import { conditionalBinomialTest, type ConditionalBinomialResult } from './stats/binomial.ts';
import { EARLY_STOP_MIN_EVENTS, earlyStopLevel, type EarlyStopDesign } from './stats/sequential.ts';

export interface RateCounts {
  /** Calls (the denominator). */
  calls: number;
  /** Calls with the event (an error, a report, a slow answer…). */
  events: number;
}

export interface RateTestInput {
  baseline: RateCounts;
  candidate: RateCounts;
  /** Extra baseline for the early stop only: the stable config's calls before the stage. */
  prior?: RateCounts | null;
  /** The early stop's design; null: this metric has none (not critical). */
  early: EarlyStopDesign | null;
  /** The main test's level now; null: not judged yet (fewer than minSamples calls in an arm). */
  main: MainLevel | null;
}

/** One exact test at one look: its statistic and the boundary it was held against. */
export interface RateLook {
  test: 'early stop' | 'main test';
  /** The candidate's events, of `events` in both arms (the statistic). */
  candidateEvents: number;
  events: number;
  /** The candidate's events expected under no change (the information). */
  expected: number;
  /** One-sided exact p-value in the direction of the difference. */
  p: number;
  /** The per-look level p was held against. */
  boundary: number;
  /** 'High': the candidate's rate is higher beyond the boundary; 'Low': lower. */
  crossed: 'High' | 'Low' | null;
}

export interface RateTestResult {
  early: RateLook | null;
  main: RateLook | null;
}

function look(test: RateLook['test'], cb: ConditionalBinomialResult, candidateEvents: number, boundary: number, lowToo: boolean): RateLook {
  const crossed = cb.p <= boundary ? (cb.higher ? 'High' : lowToo ? 'Low' : null) : null;
  return { test, candidateEvents, events: cb.events, expected: cb.expected, p: cb.p, boundary, crossed };
}

export function testRate(i: RateTestInput): RateTestResult {
  const { baseline: b, candidate: c } = i;
  let early: RateLook | null = null;
  if (i.early && c.calls > 0) {
    const pb = { calls: b.calls + (i.prior?.calls ?? 0), events: b.events + (i.prior?.events ?? 0) };
    const cb = conditionalBinomialTest(pb.events, pb.calls, c.events, c.calls, 'greater');
    const boundary = earlyStopLevel(i.early, cb.expected);
    const l = look('early stop', cb, c.events, boundary, false);
    // The early stop only ever fires upwards, and never on fewer than EARLY_STOP_MIN_EVENTS events.
    if (c.events < EARLY_STOP_MIN_EVENTS && l.crossed) l.crossed = null;
    early = l;
  }
  let main: RateLook | null = null;
  if (i.main && b.calls > 0 && c.calls > 0) {
    const cb = conditionalBinomialTest(b.events, b.calls, c.events, c.calls);
    main = look('main test', cb, c.events, i.main.level, true);
  }
  return { early, main };
}

const fmt = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));
const fmtExpected = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

/** "exact binomial p=3.1e-5 ≤ 2.1e-3 (5 of 14 events, 0.5 expected)" */
export function describeLook(l: RateLook): string {
  const cmp = l.p <= l.boundary ? '≤' : '>';
  return `p=${fmt(l.p)} ${cmp} ${fmt(l.boundary)} (${l.candidateEvents} of ${l.events} events, ${fmtExpected(l.expected)} expected)`;
}

export const formatP = fmt;
